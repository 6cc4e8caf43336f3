// IPv4/IPv6 address and prefix parsing for the simulator's validation (VIPs, endpoint IPs, subnets).
#pragma once

#include <cstdint>
#include <string>

namespace sim {

struct IpAddress {
  int family = 0;  // 4 or 6
  uint8_t bytes[16] = {};
  bool operator==(const IpAddress& o) const;
  bool operator!=(const IpAddress& o) const { return !(*this == o); }
};

// Strict dotted quad (no leading zeros beyond "0") or RFC 4291 text (with "::" and an embedded
// dotted quad); no zone index, no brackets.
bool ParseIp(const std::string& text, IpAddress* out);
// Canonical text: dotted quad, or RFC 5952 lower-case with the longest zero run compressed.
std::string FormatIp(const IpAddress& ip);
// "a.b.c.d/n" or "v6/n". The base is masked to the prefix length.
bool ParsePrefix(const std::string& text, IpAddress* base, int* length);
bool InPrefix(const IpAddress& ip, const IpAddress& base, int length);
// Adds `n` to the address (wrapping is the caller's problem).
IpAddress OffsetIp(const IpAddress& base, uint64_t n);

}  // namespace sim
