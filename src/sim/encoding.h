// Conversions at the simulator's C boundary: UTF-16 <-> UTF-8 strings and GUID <-> text.
#pragma once

#include <string>

#include "../hcn/hcn_api.h"

namespace sim {

using HString = std::basic_string<hcn_char>;

// Null-terminated UTF-16 to UTF-8. False on unpaired surrogates.
bool Utf16ToUtf8(const hcn_char* in, std::string* out);
// UTF-8 (always produced by the simulator itself) to UTF-16; invalid bytes become U+FFFD.
HString Utf8ToUtf16(const std::string& in);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (36 hex digits and dashes, no braces) to the canonical
// upper-case form. False when the text is not a GUID.
bool CanonicalGuid(const std::string& text, std::string* out);
std::string GuidToString(const GUID& g);
bool IsNullGuid(const GUID& g);
// A random version-4 GUID in canonical form.
std::string NewGuidString();

}  // namespace sim
