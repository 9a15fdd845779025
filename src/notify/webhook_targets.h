// Where a webhook may be sent. A robot's URL is typed by a bureau leader, so
// without a check the server could be made to POST into its own network —
// the database's admin port, a cloud metadata service, another host's
// intranet API (server-side request forgery). Loopback, link-local and
// private addresses are refused unless the operator names them:
//
//   edugov serve --webhook-allow 10.20.0.0/16 --webhook-allow 127.0.0.1
//
//   ASSIGN_OR_RETURN(auto allow, notify::TargetAllowList::Parse({"10.20.0.0/16"}));
//   RETURN_IF_ERROR(notify::CheckTargetAddress("10.20.3.4", allow));  // OK
//   notify::CheckTargetAddress("192.168.1.1", allow);                 // kPermissionDenied
//
// The check applies to the addresses a host name resolves to, at delivery
// time, and the sender connects only to addresses it checked — a name that
// resolves to a public address when the robot is saved and to 127.0.0.1
// when it is used (DNS rebinding) is refused then. docs/notifications.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace edugov::notify {

// Addresses (or CIDR ranges) the operator allows although they are
// internal. Immutable after Parse; thread-safe to share.
class TargetAllowList {
 public:
  TargetAllowList() = default;  // allows no internal address

  // Each entry an IPv4 or IPv6 address or CIDR range ("10.0.0.0/8",
  // "fd00::/8", "127.0.0.1"). kInvalidArgument naming the entry otherwise.
  static StatusOr<TargetAllowList> Parse(const std::vector<std::string>& entries);

  // Whether `address` (a literal IPv4/IPv6 address) is in one of the ranges.
  bool Contains(std::string_view address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    std::vector<uint8_t> bytes;  // 4 or 16
    int prefix = 0;
  };
  std::vector<Range> ranges_;
};

// Whether `address` is loopback, link-local, private, carrier-grade NAT,
// "this network" (0/8), unspecified, multicast, or an IPv4-mapped IPv6 form
// of one of these. False for public addresses and for text that is not an
// address literal.
bool IsInternalAddress(std::string_view address);

// OK for a public address or one `allow` contains; kPermissionDenied (field
// "url") naming the address otherwise.
Status CheckTargetAddress(std::string_view address, const TargetAllowList& allow);

// At save time: if the URL's host is an address literal or "localhost", the
// same check (host names are checked when resolved, at delivery). OK for a
// URL it cannot parse — ValidateWebhook reports that.
Status CheckWebhookUrlHost(std::string_view url, const TargetAllowList& allow);

}  // namespace edugov::notify
