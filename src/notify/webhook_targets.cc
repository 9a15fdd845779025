#include "notify/webhook_targets.h"

#include <cctype>

#include <boost/asio/ip/address.hpp>

namespace edugov::notify {

namespace {

namespace ip = boost::asio::ip;

bool ParseAddress(std::string_view text, ip::address* out) {
  boost::system::error_code ec;
  *out = ip::make_address(std::string(text), ec);
  return !ec;
}

std::vector<uint8_t> BytesOf(const ip::address& a) {
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  auto b = a.to_v6().to_bytes();
  return {b.begin(), b.end()};
}

bool PrefixMatches(const std::vector<uint8_t>& addr, const std::vector<uint8_t>& net, int prefix) {
  if (addr.size() != net.size()) return false;
  for (int i = 0; i < prefix; ++i) {
    const int bit = 7 - i % 8;
    if (((addr[i / 8] >> bit) & 1) != ((net[i / 8] >> bit) & 1)) return false;
  }
  return true;
}

bool InV4(const ip::address_v4& a, const char* net, int prefix) {
  return PrefixMatches(BytesOf(ip::address(a)), BytesOf(ip::make_address(net)), prefix);
}

bool InternalV4(const ip::address_v4& a) {
  return InV4(a, "0.0.0.0", 8) || InV4(a, "10.0.0.0", 8) || InV4(a, "127.0.0.0", 8) ||
         InV4(a, "169.254.0.0", 16) || InV4(a, "172.16.0.0", 12) || InV4(a, "192.168.0.0", 16) ||
         InV4(a, "100.64.0.0", 10) || InV4(a, "224.0.0.0", 4) || InV4(a, "255.255.255.255", 32);
}

// An IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible form, as the IPv4 address.
bool EmbeddedV4(const ip::address_v6& a, ip::address_v4* out) {
  if (a.is_v4_mapped()) {
    *out = ip::make_address_v4(ip::v4_mapped, a);
    return true;
  }
  return false;
}

bool Internal(const ip::address& a) {
  if (a.is_v4()) return InternalV4(a.to_v4());
  const ip::address_v6 v6 = a.to_v6();
  if (ip::address_v4 v4; EmbeddedV4(v6, &v4)) return InternalV4(v4);
  const auto b = v6.to_bytes();
  return v6.is_loopback() || v6.is_unspecified() || v6.is_multicast() ||
         (b[0] & 0xfe) == 0xfc ||                      // fc00::/7 unique local
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||    // fe80::/10 link-local
         (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0);      // fec0::/10 site-local (deprecated)
}

}  // namespace

StatusOr<TargetAllowList> TargetAllowList::Parse(const std::vector<std::string>& entries) {
  TargetAllowList out;
  for (const std::string& e : entries) {
    const size_t slash = e.find('/');
    ip::address a;
    if (!ParseAddress(std::string_view(e).substr(0, slash), &a)) {
      return Status(StatusCode::kInvalidArgument,
                    "--webhook-allow: '" + e + "' is not an IP address or CIDR range",
                    "--webhook-allow：“" + e + "” 不是 IP 地址或 CIDR 网段", "--webhook-allow");
    }
    Range r{BytesOf(a), static_cast<int>(BytesOf(a).size() * 8)};
    if (slash != std::string::npos) {
      const std::string bits = e.substr(slash + 1);
      const int max = r.prefix;
      int n = -1;
      if (!bits.empty() && bits.size() <= 3 && bits.find_first_not_of("0123456789") == std::string::npos) {
        n = std::stoi(bits);
      }
      if (n < 0 || n > max) {
        return Status(StatusCode::kInvalidArgument,
                      "--webhook-allow: '" + e + "' has a prefix length outside 0–" + std::to_string(max),
                      "--webhook-allow：“" + e + "” 的前缀长度须在 0–" + std::to_string(max) + " 之间",
                      "--webhook-allow");
      }
      r.prefix = n;
    }
    out.ranges_.push_back(std::move(r));
  }
  return out;
}

bool TargetAllowList::Contains(std::string_view address) const {
  ip::address a;
  if (!ParseAddress(address, &a)) return false;
  std::vector<std::vector<uint8_t>> forms = {BytesOf(a)};
  // 127.0.0.1 in the list allows ::ffff:127.0.0.1 too, and the reverse.
  if (a.is_v6()) {
    if (ip::address_v4 v4; EmbeddedV4(a.to_v6(), &v4)) forms.push_back(BytesOf(ip::address(v4)));
  } else {
    forms.push_back(BytesOf(ip::address(ip::make_address_v6(ip::v4_mapped, a.to_v4()))));
  }
  for (const Range& r : ranges_) {
    for (const auto& f : forms) {
      if (PrefixMatches(f, r.bytes, r.prefix)) return true;
    }
  }
  return false;
}

bool IsInternalAddress(std::string_view address) {
  ip::address a;
  return ParseAddress(address, &a) && Internal(a);
}

Status CheckTargetAddress(std::string_view address, const TargetAllowList& allow) {
  if (!IsInternalAddress(address) || allow.Contains(address)) return OkStatus();
  const std::string a(address);
  return Status(StatusCode::kPermissionDenied,
                "webhook target " + a + " is a loopback, link-local or private address; the server "
                "sends there only if the operator allows it (serve --webhook-allow " + a + ")",
                "机器人地址 " + a + " 属于本机、链路本地或内网地址；须由运维人员在 serve --webhook-allow 中允许后才会发送",
                "url");
}

Status CheckWebhookUrlHost(std::string_view url, const TargetAllowList& allow) {
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else {
    return OkStatus();
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') == std::string_view::npos ? 0 : host.find(']') - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost" || (lower.size() > 10 && lower.ends_with(".localhost"))) {
    return CheckTargetAddress("127.0.0.1", allow);
  }
  return CheckTargetAddress(lower, allow);
}

}  // namespace edugov::notify
