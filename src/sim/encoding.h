// Conversions at the simulator's C boundary: UTF-16 <-> UTF-8 strings and GUID <-> text.
#pragma once

#include <string>

#include "../hcn/hcn_api.h"
#include "../hcn/text.h"

namespace sim {

using HString = std::basic_string<hcn_char>;

// Null-terminated UTF-16 to UTF-8. False on unpaired surrogates.
inline bool Utf16ToUtf8(const hcn_char* in, std::string* out) {
  return hcn::Utf16ToUtf8(in, out, hcn::LoneSurrogate::Reject);
}
// UTF-8 (always produced by the simulator itself) to UTF-16; invalid bytes become U+FFFD.
HString Utf8ToUtf16(const std::string& in);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (36 hex digits and dashes, no braces) to the canonical
// upper-case form. False when the text is not a GUID.
bool CanonicalGuid(const std::string& text, std::string* out);
using hcn::GuidToString;
bool IsNullGuid(const GUID& g);
// A random version-4 GUID in canonical form.
std::string NewGuidString();

}  // namespace sim
