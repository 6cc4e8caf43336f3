// Text at the native boundary: GUID strings <-> GUID structs and UTF-16 -> UTF-8 (for simdjson).
#pragma once

#include <cstddef>
#include <string>

#include "../hcn/hcn_api.h"

namespace bridge {

// Exactly 36 characters, 8-4-4-4-12 hex digits (any case) separated by dashes, no braces.
bool ParseGuid(const char* text, size_t length, GUID* out);

// Lone surrogates become U+FFFD.
void Utf16ToUtf8(const char16_t* text, std::string* out);

}  // namespace bridge
