// GUID parsing and UTF-16 -> UTF-8 conversion for the bridge.
#include "text.h"

namespace bridge {

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

void Utf16ToUtf8(const char16_t* text, std::string* out) {
  out->clear();
  if (text == nullptr) return;
  for (const char16_t* p = text; *p != 0; ++p) {
    uint32_t cp = *p;
    if (cp >= 0xD800 && cp <= 0xDBFF && p[1] >= 0xDC00 && p[1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(p[1]) - 0xDC00);
      ++p;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    AppendUtf8(cp, out);
  }
}

}  // namespace bridge
