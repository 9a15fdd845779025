#include "reports/pdf_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "reports/complaint_analysis.h"
#include "reports/internal/test_fixture.h"
#include "reports/report_formats.h"
#include "testing/test_db.h"

namespace edugov::reports {
namespace {

using namespace std::chrono_literals;

// A printer that counts its prints and answers "pdf:<page>".
struct FakePrinter {
  std::atomic<int> prints{0};
  std::chrono::milliseconds delay{0};
  PdfCache::Printer Fn() {
    return [this](const std::string& html) -> StatusOr<std::string> {
      ++prints;
      std::this_thread::sleep_for(delay);
      if (html == "fail") return Status(StatusCode::kInternal, "print failed", "打印失败");
      return "pdf:" + html;
    };
  }
};

TEST(PdfCacheTest, TheSamePageIsPrintedOnce) {
  FakePrinter printer;
  PdfCache cache({.max_bytes = 1 << 20, .printer = printer.Fn()});
  auto a = cache.Print("<p>a</p>");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->source, PdfCache::Source::kPrinted);
  auto again = cache.Print("<p>a</p>");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->source, PdfCache::Source::kCached);
  EXPECT_EQ(*again->pdf, "pdf:<p>a</p>");
  auto b = cache.Print("<p>b</p>");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->source, PdfCache::Source::kPrinted);
  EXPECT_EQ(*b->pdf, "pdf:<p>b</p>");
  EXPECT_EQ(printer.prints, 2);
  EXPECT_EQ(cache.stats().cached, 1);
  EXPECT_EQ(cache.stats().entries, 2u);
}

TEST(PdfCacheTest, LeastRecentlyUsedGoFirstWithinTheByteBound) {
  FakePrinter printer;
  // Each entry: a 10-byte page + its 14-byte PDF = 24 bytes; room for two.
  PdfCache cache({.max_bytes = 50, .printer = printer.Fn()});
  ASSERT_TRUE(cache.Print("page-00001").ok());
  ASSERT_TRUE(cache.Print("page-00002").ok());
  ASSERT_TRUE(cache.Print("page-00001").ok());  // 1 is now the most recent
  ASSERT_TRUE(cache.Print("page-00003").ok());  // evicts 2
  EXPECT_EQ(cache.stats().evicted, 1);
  EXPECT_LE(cache.stats().bytes, 50u);
  EXPECT_EQ(cache.Print("page-00001")->source, PdfCache::Source::kCached);
  EXPECT_EQ(cache.Print("page-00002")->source, PdfCache::Source::kPrinted);
  EXPECT_EQ(printer.prints, 4);
}

TEST(PdfCacheTest, APdfOverTheBoundIsNotKeptAndZeroKeepsNothing) {
  FakePrinter printer;
  PdfCache small({.max_bytes = 10, .printer = printer.Fn()});
  ASSERT_TRUE(small.Print("a long page, longer than the bound").ok());
  EXPECT_EQ(small.stats().entries, 0u);
  EXPECT_EQ(small.Print("a long page, longer than the bound")->source, PdfCache::Source::kPrinted);
  PdfCache none({.max_bytes = 0, .printer = printer.Fn()});
  ASSERT_TRUE(none.Print("x").ok());
  EXPECT_EQ(none.Print("x")->source, PdfCache::Source::kPrinted);
}

TEST(PdfCacheTest, ErrorsAreNotKept) {
  FakePrinter printer;
  PdfCache cache({.max_bytes = 1 << 20, .printer = printer.Fn()});
  EXPECT_FALSE(cache.Print("fail").ok());
  EXPECT_FALSE(cache.Print("fail").ok());
  EXPECT_EQ(printer.prints, 2);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(PdfCacheTest, ConcurrentRequestsForOnePageShareOnePrint) {
  FakePrinter printer;
  printer.delay = 200ms;
  PdfCache cache({.max_bytes = 1 << 20, .printer = printer.Fn()});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, printed{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = cache.Print("<p>same</p>");
      if (r.ok() && *r->pdf == "pdf:<p>same</p>") ++ok;
      if (r.ok() && r->source == PdfCache::Source::kPrinted) ++printed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(printed, 1);
  EXPECT_EQ(printer.prints, 1);
}

// The property the server relies on: with the page as the key, a write
// between two requests gives a new print — and the same data, the same
// PDF; another subtree never gets this one's. On the fixture county, both
// backends.
class PdfCacheReportTest : public ::testing::TestWithParam<storage::Backend> {};

TEST_P(PdfCacheReportTest, AWriteBetweenTwoRequestsYieldsANewReport) {
  auto db = edugov::testing::TestDb::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto conn = db->db().Acquire();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(testfix::BuildRegistry(**conn).ok());
  ASSERT_TRUE(testfix::BuildCases(**conn).ok());
  auto page = [&](int64_t scope) {
    ComplaintReportRequest req;
    req.kind = ReportKind::kRoutine;
    req.from = Date::FromYmd(2025, 3, 1);
    req.to = Date::FromYmd(2025, 3, 31);
    req.scope_org_id = scope;
    req.categories = testfix::PolicyCategories();
    req.thresholds = testfix::PolicyThresholds();
    auto r = AnalyzeComplaints(**conn, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? ReportHtml(*r) : std::string();
  };
  FakePrinter printer;
  PdfCache cache({.max_bytes = 64 << 20, .printer = printer.Fn()});

  EXPECT_EQ(cache.Print(page(testfix::kDongping))->source, PdfCache::Source::kPrinted);
  EXPECT_EQ(cache.Print(page(testfix::kDongping))->source, PdfCache::Source::kCached);
  // Another township, same request otherwise: its own print.
  auto other = cache.Print(page(testfix::kMeicheng));
  EXPECT_EQ(other->source, PdfCache::Source::kPrinted);
  EXPECT_EQ(other->pdf->find("东坪"), std::string::npos);

  // A complaint written straight into the database (as another process
  // would) in the period: the next request prints anew.
  ASSERT_TRUE(testfix::InsertCase(**conn, {901, "meals", testfix::kDongpingPrimary, "2025-03-15T09:00:00+08:00",
                                           "", ""}).ok());
  auto after = cache.Print(page(testfix::kDongping));
  EXPECT_EQ(after->source, PdfCache::Source::kPrinted);
  EXPECT_EQ(cache.Print(page(testfix::kDongping))->source, PdfCache::Source::kCached);
  // The other township's part did not change: still served from memory.
  EXPECT_EQ(cache.Print(page(testfix::kMeicheng))->source, PdfCache::Source::kCached);
  EXPECT_EQ(printer.prints, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, PdfCacheReportTest, ::testing::ValuesIn(edugov::testing::TestBackends()),
                         [](const auto& info) { return edugov::testing::BackendName(info.param); });

}  // namespace
}  // namespace edugov::reports
