// UTF-8 -> UTF-16 conversion and GUID helpers for the simulator (the other direction and GUID
// parsing are shared with the bridge in src/hcn/text.cc).
#include "encoding.h"

#include <cstdint>
#include <mutex>
#include <random>

namespace sim {

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

bool CanonicalGuid(const std::string& text, std::string* out) {
  GUID g;
  if (!hcn::ParseGuid(text.data(), text.size(), &g)) return false;
  *out = hcn::GuidToString(g);
  return true;
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
