// The binding's exports (NativeBinding of ts/native.ts): open(options) and version.
#pragma once

#include <napi.h>

namespace bridge {

Napi::Object Init(Napi::Env env, Napi::Object exports);

}  // namespace bridge
