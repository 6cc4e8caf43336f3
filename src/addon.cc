// Addon entry point: registration only; everything else lives in src/bridge.
#include <napi.h>

#include "bridge/binding.h"

namespace {

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return bridge::Init(env, exports); }

}  // namespace

NODE_API_MODULE(hcn_sdk, InitAddon)
