// Text at the HCN C boundary, shared by the bridge and the simulator: GUID strings <-> GUID
// structs, and UTF-16 (what HCN speaks) -> UTF-8 (what simdjson reads).
#pragma once

#include <cstddef>
#include <string>

#include "hcn_api.h"

namespace hcn {

// Exactly 36 characters, 8-4-4-4-12 hex digits (any case) separated by dashes, no braces (the
// form HCN's JSON uses; go-winio rejects anything else too).
bool ParseGuid(const char* text, size_t length, GUID* out);

// The canonical upper-case 36-character form.
std::string GuidToString(const GUID& guid);

// What to do with an unpaired surrogate: refuse the whole string (the simulator, which answers
// such input with an error as HNS would) or write U+FFFD (the bridge, reading HNS's own output).
enum class LoneSurrogate { Reject, Replace };

// Null-terminated UTF-16 to UTF-8; a null pointer is the empty string. False only when `mode`
// is Reject and the text has an unpaired surrogate.
bool Utf16ToUtf8(const hcn_char* text, std::string* out, LoneSurrogate mode);

}  // namespace hcn
