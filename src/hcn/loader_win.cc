// hcn::LoadHcn on Windows: fills the function table from computenetwork.dll and vmcompute.dll,
// loaded from system32 only, once per process and on first use (a host without the Containers
// feature gets a clean error instead of a failed require).
#include <objbase.h>  // CoTaskMemFree

#include <mutex>
#include <string>

#include "loader.h"

namespace hcn {
namespace {

#ifdef HCN_BREAK_LOADER
// Test-only build (scripts/wine-lane.sh --break-loader): a misspelt required export, so the
// Windows-ABI lane proves that it notices a broken loader. Never defined in a shipped build.
constexpr const char kCreateLoadBalancerExport[] = "HcnCreateLoadBalancers";
#else
constexpr const char kCreateLoadBalancerExport[] = "HcnCreateLoadBalancer";
#endif

// Exact export names per family, in FamilyFns order; null where the family has no such verb.
struct FamilyExports {
  const char* enumerate;
  const char* create;
  const char* createInNetwork;
  const char* open;
  const char* modify;
  const char* query;
  const char* remove;
  const char* close;
};

constexpr FamilyExports kNetworkExports = {
    "HcnEnumerateNetworks", "HcnCreateNetwork",          nullptr,
    "HcnOpenNetwork",       "HcnModifyNetwork",          "HcnQueryNetworkProperties",
    "HcnDeleteNetwork",     "HcnCloseNetwork"};
constexpr FamilyExports kEndpointExports = {
    "HcnEnumerateEndpoints", nullptr,                      "HcnCreateEndpoint",
    "HcnOpenEndpoint",       "HcnModifyEndpoint",          "HcnQueryEndpointProperties",
    "HcnDeleteEndpoint",     "HcnCloseEndpoint"};
constexpr FamilyExports kLoadBalancerExports = {
    "HcnEnumerateLoadBalancers", kCreateLoadBalancerExport,        nullptr,
    "HcnOpenLoadBalancer",       "HcnModifyLoadBalancer",          "HcnQueryLoadBalancerProperties",
    "HcnDeleteLoadBalancer",     "HcnCloseLoadBalancer"};
constexpr FamilyExports kNamespaceExports = {
    "HcnEnumerateNamespaces", "HcnCreateNamespace",          nullptr,
    "HcnOpenNamespace",       "HcnModifyNamespace",          "HcnQueryNamespaceProperties",
    "HcnDeleteNamespace",     "HcnCloseNamespace"};

std::string Utf8(const wchar_t* s) {
  int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, nullptr, 0, nullptr, nullptr);
  if (n <= 1) return std::string();
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s, -1, &out[0], n, nullptr, nullptr);
  out.resize(static_cast<size_t>(n - 1));
  return out;
}

// "error 126: The specified module could not be found."
std::string DescribeWin32Error(DWORD code) {
  std::string text = "error " + std::to_string(code);
  wchar_t* message = nullptr;
  DWORD len = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&message), 0, nullptr);
  if (len > 0 && message != nullptr) {
    std::string m = Utf8(message);
    while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' ' ||
                          m.back() == '.')) {
      m.pop_back();
    }
    if (!m.empty()) text += ": " + m;
  }
  if (message != nullptr) LocalFree(message);
  return text;
}

void AppendName(std::string& list, const char* name) {
  if (!list.empty()) list += ", ";
  list += name;
}

// Looks exports up in one module and records what is absent: a missing required export makes the
// whole table unusable; a missing optional one leaves a null pointer the bridge reports by name.
class Resolver {
 public:
  Resolver(HMODULE module, std::string& missingRequired, std::string& missingOptional)
      : module_(module), missingRequired_(missingRequired), missingOptional_(missingOptional) {}

  template <typename Fn>
  void Get(const char* name, Fn& slot, bool required) {
    slot = nullptr;
    if (name == nullptr) return;
    FARPROC proc = module_ != nullptr ? GetProcAddress(module_, name) : nullptr;
    if (proc == nullptr) {
      AppendName(required ? missingRequired_ : missingOptional_, name);
      return;
    }
    // Through void*: FARPROC and the table's pointer types are unrelated function types.
    slot = reinterpret_cast<Fn>(reinterpret_cast<void*>(proc));
  }

  void Family(const FamilyExports& names, FamilyFns& fns, bool required, bool modifyRequired) {
    Get(names.enumerate, fns.Enumerate, required);
    Get(names.create, fns.Create, required);
    Get(names.createInNetwork, fns.CreateInNetwork, required);
    Get(names.open, fns.Open, required);
    Get(names.modify, fns.Modify, required && modifyRequired);
    Get(names.query, fns.Query, required);
    Get(names.remove, fns.Delete, required);
    Get(names.close, fns.Close, required);
  }

 private:
  HMODULE module_;
  std::string& missingRequired_;
  std::string& missingOptional_;
};

// The process-wide loaded table. The DLLs stay loaded for the life of the process: handles and
// callbacks handed out by them may outlive any one context.
struct Loaded {
  Api api{};
  std::string missing;  // backs api.missing
  LoadResult result;
};

void Load(Loaded& out) {
  HMODULE hcnDll = LoadLibraryExW(L"computenetwork.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (hcnDll == nullptr) {
    DWORD code = GetLastError();
    out.result.missing = "computenetwork.dll";
    out.result.error =
        "computenetwork.dll could not be loaded from system32 (" + DescribeWin32Error(code) +
        "). The Host Compute Network service comes with the Containers feature of Windows 10 1809 / "
        "Windows Server 2019 or later: Install-WindowsFeature -Name Containers (Server) or "
        "Enable-WindowsOptionalFeature -Online -FeatureName Containers (client), then reboot. "
        "Elsewhere use the simulated backend.";
    return;
  }

  std::string missingRequired;
  std::string missingOptional;
  Resolver hcn(hcnDll, missingRequired, missingOptional);
  hcn.Family(kNetworkExports, out.api.families[static_cast<int>(Family::Network)], true, true);
  hcn.Family(kEndpointExports, out.api.families[static_cast<int>(Family::Endpoint)], true, true);
  // HcnModifyLoadBalancer is exported since Windows 10 1809 / Windows Server 2019 (Microsoft's
  // HcnModifyLoadBalancer reference). Whether HNS actually updates in place is decided by the HNS
  // version (hnslib's ModifyLoadbalancer range) or an E_NOTIMPL answer, not by the export; it stays
  // optional so that a DLL without it still loads and the SDK replaces instead.
  hcn.Family(kLoadBalancerExports, out.api.families[static_cast<int>(Family::LoadBalancer)], true,
             false);
  hcn.Family(kNamespaceExports, out.api.families[static_cast<int>(Family::Namespace)], false,
             false);
  hcn.Get("HcnRegisterServiceCallback", out.api.RegisterServiceCallback, true);
  hcn.Get("HcnUnregisterServiceCallback", out.api.UnregisterServiceCallback, true);
  // Exported only by the simulator DLL of the Windows-ABI lane; absent from the real HNS.
  hcn.Get("HcnSimControl", out.api.SimControl, false);

  if (!missingRequired.empty()) {
    out.result.missing = missingRequired;
    out.result.error = "computenetwork.dll on this host lacks " + missingRequired +
                       ": hcn-sdk needs the HCN API of Windows 10 1809 / Windows Server 2019 or later.";
    return;
  }

  // HNS v1, only for version and policy-list reads; its absence leaves those unavailable.
  HMODULE v1Dll = LoadLibraryExW(L"vmcompute.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  Resolver v1(v1Dll, missingRequired, missingOptional);
  v1.Get("HNSCall", out.api.HNSCall, false);

  out.api.FreeString = &CoTaskMemFree;
  out.missing = missingOptional;
  out.api.missing = out.missing.c_str();
  out.result.api = &out.api;
}

}  // namespace

LoadResult LoadHcn() {
  // Leaked on purpose: worker threads written off after a timeout may still use the table while
  // the process exits.
  static Loaded* loaded = new Loaded();
  static std::once_flag once;
  std::call_once(once, [] { Load(*loaded); });
  return loaded->result;
}

}  // namespace hcn
