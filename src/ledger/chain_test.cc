#include "ledger/chain.h"

#include <gtest/gtest.h>

namespace edugov::ledger {
namespace {

TEST(ChainTest, EncodingIsUnambiguous) {
  CanonicalEncoder a, b;
  a.Add("ab").Add("c");
  b.Add("a").Add("bc");
  EXPECT_NE(a.bytes(), b.bytes());
  EXPECT_EQ(a.bytes(), "2:ab1:c");
}

TEST(ChainTest, HashDependsOnPredecessorAndContent) {
  std::string h1 = ChainHash(GenesisHash(), "3:abc");
  EXPECT_EQ(h1.size(), 64u);
  EXPECT_EQ(h1, ChainHash(GenesisHash(), "3:abc"));
  EXPECT_NE(h1, ChainHash(GenesisHash(), "3:abd"));
  EXPECT_NE(h1, ChainHash(h1, "3:abc"));
}

TEST(ChainTest, KnownVector) {
  // Pins the format of docs/ledger-format.md: a change here breaks stored chains.
  EXPECT_EQ(ChainHash(GenesisHash(), CanonicalEncoder().Add(int64_t{1}).Add("x").bytes()),
            ChainHash(GenesisHash(), "1:11:x"));
}

}  // namespace
}  // namespace edugov::ledger
