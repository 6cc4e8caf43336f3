// open(options): picks the backend's function table (simulator or real HCN), checks the options,
// and constructs a NativeContext; `version` names the native build.
#include "binding.h"

#include <cmath>
#include <string>

#include "../hcn/loader.h"
#include "../sim/sim.h"
#include "context.h"
#include "errors.h"

#define HCN_SDK_STRINGIFY2(x) #x
#define HCN_SDK_STRINGIFY(x) HCN_SDK_STRINGIFY2(x)
#ifdef HCN_SDK_VERSION
#define HCN_SDK_VERSION_STRING HCN_SDK_STRINGIFY(HCN_SDK_VERSION)
#else
#define HCN_SDK_VERSION_STRING "0.0.0-dev"
#endif

namespace bridge {

namespace {

constexpr int kDefaultThreads = 4;
constexpr int kMaxThreads = 64;

void ThrowKind(napi_env env, ErrorKind kind, const std::string& message,
               const char* missing = nullptr) {
  ErrorInfo info;
  info.kind = kind;
  info.operation = "open";
  info.message = message;
  info.missing = missing;
  ThrowError(env, info);
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) {
    ThrowKind(env, ErrorKind::InvalidArgument, "open: options must be an object");
    return Napi::Value();
  }
  Napi::Object options = info[0].As<Napi::Object>();

  OpenRequest request;
  Napi::Value backend = options.Get("backend");
  const std::string name = backend.IsString() ? backend.As<Napi::String>().Utf8Value() : "";
  if (name != "hcn" && name != "simulated") {
    ThrowKind(env, ErrorKind::InvalidArgument, "open: backend must be 'hcn' or 'simulated'");
    return Napi::Value();
  }
  Napi::Value threads = options.Get("threads");
  request.threads = kDefaultThreads;
  if (!threads.IsUndefined()) {
    const double n = threads.IsNumber() ? threads.As<Napi::Number>().DoubleValue() : -1;
    if (!(n >= 1 && n <= kMaxThreads && std::floor(n) == n)) {
      ThrowKind(env, ErrorKind::InvalidArgument, "open: threads must be an integer from 1 to 64");
      return Napi::Value();
    }
    request.threads = static_cast<int>(n);
  }

  Napi::Value simulator = options.Get("simulator");
  const std::string instance = simulator.IsString() ? simulator.As<Napi::String>().Utf8Value() : "";
  if (!simulator.IsUndefined() && instance != "default" && instance != "isolated") {
    ThrowKind(env, ErrorKind::InvalidArgument, "open: simulator must be 'default' or 'isolated'");
    return Napi::Value();
  }
  if (name == "simulated") {
    request.backend = "simulated";
    request.api = sim::GetApi();
    if (request.api == nullptr) {
      ThrowKind(env, ErrorKind::NotAvailable, "the embedded HNS simulator did not start");
      return Napi::Value();
    }
    // 'isolated': a simulated HNS of its own (in memory until simAttach binds it to a state
    // file); 'default' (or absent): the process's default instance, the one the stand-alone DLL is.
    request.sim = instance == "isolated" ? sim::NewMemoryInstance() : sim::DefaultInstance();
  } else {
    request.backend = "hcn";
    const hcn::LoadResult loaded = hcn::LoadHcn();
    if (loaded.api == nullptr) {
      ThrowKind(env, ErrorKind::NotAvailable, loaded.error,
                loaded.missing.empty() ? "computenetwork.dll" : loaded.missing.c_str());
      return Napi::Value();
    }
    request.api = loaded.api;
  }
  if (request.api->FreeString == nullptr) {
    ThrowKind(env, ErrorKind::NotAvailable, "the HCN backend has no string deallocator",
              "CoTaskMemFree");
    return Napi::Value();
  }

  AddonData* data = env.GetInstanceData<AddonData>();
  data->next = request;
  data->armed = true;
  Napi::Object context = data->context_class.New({});
  data->armed = false;
  return context;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->context_class = Napi::Persistent(Context::Define(env));
  Napi::Value set_immediate = env.Global().Get("setImmediate");
  if (set_immediate.IsFunction()) data->set_immediate = Napi::Persistent(set_immediate.As<Napi::Function>());
  env.SetInstanceData<AddonData>(data);
  exports.Set("open", Napi::Function::New<Open>(env, "open"));
  exports.Set("version", Napi::String::New(env, HCN_SDK_VERSION_STRING));
  return exports;
}

}  // namespace bridge
