// GUID text and UTF-16 -> UTF-8 conversion for the bridge and the simulator.
#include "text.h"

#include <cstdint>
#include <cstdio>

namespace hcn {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `digits` hex digits starting at `text`; false on a non-hex character.
bool ReadHex(const char* text, int digits, uint64_t* out) {
  uint64_t value = 0;
  for (int i = 0; i < digits; ++i) {
    const int v = HexValue(text[i]);
    if (v < 0) return false;
    value = (value << 4) | static_cast<uint64_t>(v);
  }
  *out = value;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool ParseGuid(const char* text, size_t length, GUID* out) {
  if (length != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    return false;
  }
  uint64_t d1, d2, d3, d4a, d4b;
  if (!ReadHex(text, 8, &d1) || !ReadHex(text + 9, 4, &d2) || !ReadHex(text + 14, 4, &d3) ||
      !ReadHex(text + 19, 4, &d4a) || !ReadHex(text + 24, 12, &d4b)) {
    return false;
  }
  out->Data1 = static_cast<uint32_t>(d1);
  out->Data2 = static_cast<uint16_t>(d2);
  out->Data3 = static_cast<uint16_t>(d3);
  out->Data4[0] = static_cast<uint8_t>(d4a >> 8);
  out->Data4[1] = static_cast<uint8_t>(d4a);
  for (int i = 0; i < 6; ++i) out->Data4[2 + i] = static_cast<uint8_t>(d4b >> (8 * (5 - i)));
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

bool Utf16ToUtf8(const hcn_char* text, std::string* out, LoneSurrogate mode) {
  out->clear();
  if (text == nullptr) return true;
  for (size_t i = 0; text[i] != 0; ++i) {
    uint32_t cp = static_cast<uint16_t>(text[i]);
    const uint32_t next = static_cast<uint16_t>(text[i + 1]);
    if (cp >= 0xD800 && cp <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (next - 0xDC00);
      ++i;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      if (mode == LoneSurrogate::Reject) return false;
      cp = 0xFFFD;
    }
    AppendUtf8(cp, out);
  }
  return true;
}

}  // namespace hcn
