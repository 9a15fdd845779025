#include "notify/webhook_targets.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "notify/webhook_dispatcher.h"

namespace edugov::notify {
namespace {

TEST(WebhookTargets, EveryInternalRangeIsInternal) {
  for (const char* a : {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1",
                        "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "::1", "::",
                        "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                        "::ffff:192.168.0.1", "::ffff:169.254.169.254"}) {
    EXPECT_TRUE(IsInternalAddress(a)) << a;
    const Status s = CheckTargetAddress(a, {});
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << a;
    EXPECT_EQ(s.field(), "url");
    EXPECT_NE(s.message_en().find(a), std::string::npos) << s.message_en();
    EXPECT_NE(s.message_zh().find("内网"), std::string::npos) << s.message_zh();
  }
}

TEST(WebhookTargets, PublicAddressesAndTheEdgesOfRangesAreNot) {
  for (const char* a : {"8.8.8.8", "11.0.0.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.63.255.255",
                        "100.128.0.1", "169.255.0.1", "1.0.0.1", "2001:4860:4860::8888", "fbff::1", "fec0::1x",
                        "::ffff:8.8.8.8", "oapi.dingtalk.com"}) {
    EXPECT_FALSE(IsInternalAddress(a)) << a;
    EXPECT_TRUE(CheckTargetAddress(a, {}).ok()) << a;
  }
}

TEST(WebhookTargets, TheAllowListNamesAddressesAndRanges) {
  auto allow = TargetAllowList::Parse({"10.20.0.0/16", "127.0.0.1", "fd00::/8"});
  ASSERT_TRUE(allow.ok());
  EXPECT_TRUE(CheckTargetAddress("10.20.3.4", *allow).ok());
  EXPECT_TRUE(CheckTargetAddress("127.0.0.1", *allow).ok());
  EXPECT_TRUE(CheckTargetAddress("::ffff:127.0.0.1", *allow).ok());  // the mapped form of an allowed address
  EXPECT_TRUE(CheckTargetAddress("fd00::5", *allow).ok());
  EXPECT_FALSE(CheckTargetAddress("10.21.0.1", *allow).ok());
  EXPECT_FALSE(CheckTargetAddress("127.0.0.2", *allow).ok());
  EXPECT_FALSE(CheckTargetAddress("192.168.1.1", *allow).ok());
  EXPECT_FALSE(CheckTargetAddress("::1", *allow).ok());
}

TEST(WebhookTargets, AMalformedAllowEntryIsAnError) {
  for (const char* e : {"10.0.0.0/33", "robot.local", "10.0.0.0/", "::/129", "10.0.0.0/x"}) {
    auto allow = TargetAllowList::Parse({e});
    ASSERT_FALSE(allow.ok()) << e;
    EXPECT_EQ(allow.status().field(), "--webhook-allow");
    EXPECT_NE(allow.status().message_en().find(e), std::string::npos);
  }
}

TEST(WebhookTargets, SavingAUrlWithAnInternalLiteralHostIsRefused) {
  EXPECT_EQ(CheckWebhookUrlHost("http://127.0.0.1:9/hook", {}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrlHost("http://[::1]:9/hook", {}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrlHost("https://LOCALHOST/x", {}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebhookUrlHost("http://user@169.254.169.254/latest", {}).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(CheckWebhookUrlHost("https://oapi.dingtalk.com/robot/send?access_token=x", {}).ok());
  EXPECT_TRUE(CheckWebhookUrlHost("http://127.0.0.1:9/hook", *TargetAllowList::Parse({"127.0.0.0/8"})).ok());
}

// The sender checks what a name resolves to, not the name: "localhost" is
// refused at delivery although it is no address literal, and nothing
// connects to the listener.
TEST(WebhookTargets, TheSenderRefusesResolvedInternalAddressesBeforeConnecting) {
  namespace net = boost::asio;
  net::io_context io;
  net::ip::tcp::acceptor listener(io, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const std::string port = std::to_string(listener.local_endpoint().port());
  BeastWebhookSender sender(std::chrono::seconds(5));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto reply = sender.Post("http://" + host + ":" + port + "/robot?access_token=SECRET", "{}");
    ASSERT_FALSE(reply.ok()) << host;
    EXPECT_EQ(reply.status().code(), StatusCode::kPermissionDenied) << reply.status().message_en();
    EXPECT_EQ(reply.status().message_en().find("SECRET"), std::string::npos);
  }
  listener.non_blocking(true);
  boost::system::error_code ec;
  net::ip::tcp::socket peer(io);
  listener.accept(peer, ec);
  EXPECT_EQ(ec, net::error::would_block) << "the sender connected to a refused address";
}

}  // namespace
}  // namespace edugov::notify
