// UTF-16/UTF-8 conversion and GUID text helpers for the simulator.
#include "encoding.h"

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <random>

namespace sim {

bool Utf16ToUtf8(const hcn_char* in, std::string* out) {
  out->clear();
  if (!in) return true;
  for (size_t i = 0; in[i] != 0; ++i) {
    uint32_t c = static_cast<uint16_t>(in[i]);
    if (c >= 0xD800 && c <= 0xDBFF) {
      uint32_t lo = static_cast<uint16_t>(in[i + 1]);
      if (lo < 0xDC00 || lo > 0xDFFF) return false;
      c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
      ++i;
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      return false;
    }
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return true;
}

HString Utf8ToUtf16(const std::string& in) {
  HString out;
  out.reserve(in.size());
  const unsigned char* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    uint32_t c = s[i];
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      c &= 0x07;
    } else {
      out.push_back(static_cast<hcn_char>(0xFFFD));
      ++i;
      continue;
    }
    bool ok = true;
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      c = (c << 6) | (s[i + k] & 0x3F);
    }
    if (!ok) {
      out.push_back(static_cast<hcn_char>(0xFFFD));
      ++i;
      continue;
    }
    i += extra + 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      out.push_back(static_cast<hcn_char>(0xD800 + (c >> 10)));
      out.push_back(static_cast<hcn_char>(0xDC00 + (c & 0x3FF)));
    } else {
      out.push_back(static_cast<hcn_char>(c));
    }
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool CanonicalGuid(const std::string& text, std::string* out) {
  if (text.size() != 36) return false;
  std::string result(36, '-');
  for (size_t i = 0; i < 36; ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
      continue;
    }
    if (HexValue(c) < 0) return false;
    result[i] = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  *out = result;
  return true;
}

std::string GuidToString(const GUID& g) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                static_cast<unsigned>(g.Data1), static_cast<unsigned>(g.Data2),
                static_cast<unsigned>(g.Data3), g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3],
                g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
  return buf;
}

bool IsNullGuid(const GUID& g) {
  if (g.Data1 != 0 || g.Data2 != 0 || g.Data3 != 0) return false;
  for (int i = 0; i < 8; ++i)
    if (g.Data4[i] != 0) return false;
  return true;
}

std::string NewGuidString() {
  static std::mutex mu;
  static std::mt19937_64* rng = nullptr;
  uint64_t a, b;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!rng) {
      std::random_device rd;
      std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
      rng = new std::mt19937_64(seq);
    }
    a = (*rng)();
    b = (*rng)();
  }
  GUID g;
  g.Data1 = static_cast<uint32_t>(a >> 32);
  g.Data2 = static_cast<uint16_t>(a >> 16);
  g.Data3 = static_cast<uint16_t>((a & 0x0FFF) | 0x4000);  // version 4
  for (int i = 0; i < 8; ++i) g.Data4[i] = static_cast<uint8_t>(b >> (8 * i));
  g.Data4[0] = static_cast<uint8_t>((g.Data4[0] & 0x3F) | 0x80);  // RFC 4122 variant
  return GuidToString(g);
}

}  // namespace sim
