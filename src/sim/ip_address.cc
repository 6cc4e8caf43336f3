// IP address and prefix parsing/formatting (no OS calls, so it behaves the same on every platform).
#include "ip_address.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace sim {

bool IpAddress::operator==(const IpAddress& o) const {
  return family == o.family && std::memcmp(bytes, o.bytes, 16) == 0;
}

namespace {

bool ParseV4(const std::string& text, uint8_t out[4]) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    unsigned value = 0;
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      if (value > 255 || i - start >= 3) return false;
      ++i;
    }
    if (i - start > 1 && text[start] == '0') return false;
    out[part++] = static_cast<uint8_t>(value);
    if (part < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  return i == text.size();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseV6(const std::string& text, uint8_t out[16]) {
  std::vector<uint16_t> head, tail;
  bool compressed = false;
  size_t i = 0;
  const size_t n = text.size();
  if (n < 2) return false;
  if (text[0] == ':') {
    if (text[1] != ':') return false;
    compressed = true;
    i = 2;
    if (i == n) {
      std::memset(out, 0, 16);
      return true;
    }
  }
  bool v4tail = false;
  uint8_t v4[4] = {};
  while (i < n) {
    // A group, or a trailing dotted quad.
    size_t j = i;
    while (j < n && text[j] != ':' && text[j] != '.') ++j;
    if (j < n && text[j] == '.') {
      if (!ParseV4(text.substr(i), v4)) return false;
      v4tail = true;
      i = n;
      break;
    }
    if (j == i || j - i > 4) return false;
    unsigned value = 0;
    for (size_t k = i; k < j; ++k) {
      int h = Hex(text[k]);
      if (h < 0) return false;
      value = value * 16 + static_cast<unsigned>(h);
    }
    (compressed ? tail : head).push_back(static_cast<uint16_t>(value));
    i = j;
    if (i == n) break;
    // text[i] == ':'
    ++i;
    if (i < n && text[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == n) break;
    } else if (i == n) {
      return false;  // trailing single colon
    }
  }
  size_t groups = head.size() + tail.size() + (v4tail ? 2 : 0);
  if (compressed ? groups > 7 : groups != 8) return false;
  std::vector<uint16_t> all(head);
  size_t zeros = 8 - groups;
  for (size_t k = 0; k < zeros; ++k) all.push_back(0);
  for (uint16_t g : tail) all.push_back(g);
  if (v4tail) {
    all.push_back(static_cast<uint16_t>((v4[0] << 8) | v4[1]));
    all.push_back(static_cast<uint16_t>((v4[2] << 8) | v4[3]));
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<uint8_t>(all[static_cast<size_t>(k)] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(all[static_cast<size_t>(k)] & 0xFF);
  }
  return true;
}

}  // namespace

bool ParseIp(const std::string& text, IpAddress* out) {
  IpAddress ip;
  if (text.find(':') != std::string::npos) {
    if (!ParseV6(text, ip.bytes)) return false;
    ip.family = 6;
  } else {
    if (!ParseV4(text, ip.bytes)) return false;
    ip.family = 4;
  }
  *out = ip;
  return true;
}

std::string FormatIp(const IpAddress& ip) {
  char buf[64];
  if (ip.family == 4) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]);
    return buf;
  }
  uint16_t g[8];
  for (int k = 0; k < 8; ++k) g[k] = static_cast<uint16_t>((ip.bytes[2 * k] << 8) | ip.bytes[2 * k + 1]);
  int bestStart = -1, bestLen = 0;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int s = k;
    while (k < 8 && g[k] == 0) ++k;
    if (k - s > bestLen) {
      bestLen = k - s;
      bestStart = s;
    }
  }
  if (bestLen < 2) bestStart = -1;
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == bestStart) {
      out += "::";
      k += bestLen - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[k]);
    out += buf;
  }
  return out;
}

bool ParsePrefix(const std::string& text, IpAddress* base, int* length) {
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash + 1 >= text.size()) return false;
  IpAddress ip;
  if (!ParseIp(text.substr(0, slash), &ip)) return false;
  int len = 0;
  for (size_t i = slash + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || i - slash > 3) return false;
    len = len * 10 + (text[i] - '0');
  }
  int max = ip.family == 4 ? 32 : 128;
  if (len > max) return false;
  for (int bit = len; bit < max; ++bit) ip.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  *base = ip;
  *length = len;
  return true;
}

bool InPrefix(const IpAddress& ip, const IpAddress& base, int length) {
  if (ip.family != base.family) return false;
  for (int bit = 0; bit < length; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((ip.bytes[bit / 8] & mask) != (base.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

IpAddress OffsetIp(const IpAddress& base, uint64_t n) {
  IpAddress out = base;
  int last = out.family == 4 ? 3 : 15;
  unsigned carry = 0;
  for (int i = last; i >= 0 && (n || carry); --i) {
    unsigned sum = out.bytes[i] + static_cast<unsigned>(n & 0xFF) + carry;
    out.bytes[i] = static_cast<uint8_t>(sum & 0xFF);
    carry = sum >> 8;
    n >>= 8;
  }
  return out;
}

}  // namespace sim
