// The simulator's function table: one WINAPI function per HCN export, each forwarding to the
// process-wide Simulator. sim::GetApi() hands the table to the bridge (and dll_exports.cc); the
// removeExport control swaps in a copy with some pointers null, as an older host's table would be.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sim.h"
#include "simulator.h"

namespace sim {
namespace {

Simulator& S() { return Simulator::Current(); }

template <int F>
HRESULT WINAPI Enumerate(const hcn_char* query, hcn_char** ids, hcn_char** errorRecord) {
  return S().Enumerate(static_cast<Family>(F), query, ids, errorRecord);
}
template <int F>
HRESULT WINAPI Create(const GUID* id, const hcn_char* settings, hcn::Handle* object, hcn_char** errorRecord) {
  return S().Create(static_cast<Family>(F), nullptr, id, settings, object, errorRecord);
}
HRESULT WINAPI CreateEndpoint(hcn::Handle network, const GUID* id, const hcn_char* settings, hcn::Handle* object,
                              hcn_char** errorRecord) {
  return S().Create(Family::Endpoint, network, id, settings, object, errorRecord);
}
template <int F>
HRESULT WINAPI Open(const GUID* id, hcn::Handle* object, hcn_char** errorRecord) {
  return S().Open(static_cast<Family>(F), id, object, errorRecord);
}
template <int F>
HRESULT WINAPI Modify(hcn::Handle object, const hcn_char* settings, hcn_char** errorRecord) {
  return S().Modify(static_cast<Family>(F), object, settings, errorRecord);
}
template <int F>
HRESULT WINAPI Query(hcn::Handle object, const hcn_char* query, hcn_char** properties, hcn_char** errorRecord) {
  return S().Query(static_cast<Family>(F), object, query, properties, errorRecord);
}
template <int F>
HRESULT WINAPI Delete(const GUID* id, hcn_char** errorRecord) {
  return S().Delete(static_cast<Family>(F), id, errorRecord);
}
template <int F>
HRESULT WINAPI Close(hcn::Handle object) {
  return S().Close(static_cast<Family>(F), object);
}

HRESULT WINAPI RegisterServiceCallback(hcn::NotificationCallback callback, void* context, hcn::Handle* handle) {
  return S().RegisterCallback(callback, context, handle);
}
HRESULT WINAPI UnregisterServiceCallback(hcn::Handle handle) { return S().UnregisterCallback(handle); }
HRESULT WINAPI HnsCall(const hcn_char* method, const hcn_char* path, const hcn_char* request, hcn_char** response) {
  return S().HnsCall(method, path, request, response);
}
void WINAPI FreeString(void* p) { Simulator::FreeString(p); }
HRESULT WINAPI SimControl(const hcn_char* request, hcn_char** response) { return S().Control(request, response); }

template <int F>
hcn::FamilyFns Family_() {
  hcn::FamilyFns fns{};
  fns.Enumerate = &Enumerate<F>;
  // HCN has no (GUID, settings) create for endpoints and no network-handle create for the others.
  fns.Create = F == static_cast<int>(Family::Endpoint) ? nullptr : &Create<F>;
  fns.CreateInNetwork = F == static_cast<int>(Family::Endpoint) ? &CreateEndpoint : nullptr;
  fns.Open = &Open<F>;
  fns.Modify = &Modify<F>;
  fns.Query = &Query<F>;
  fns.Delete = &Delete<F>;
  fns.Close = &Close<F>;
  return fns;
}

hcn::Api MakeApi() {
  hcn::Api api{};
  api.families[0] = Family_<0>();
  api.families[1] = Family_<1>();
  api.families[2] = Family_<2>();
  api.families[3] = Family_<3>();
  api.RegisterServiceCallback = &RegisterServiceCallback;
  api.UnregisterServiceCallback = &UnregisterServiceCallback;
  api.HNSCall = &HnsCall;
  api.FreeString = &FreeString;
  api.SimControl = &SimControl;
  api.missing = "";
  return api;
}

// An immutable table plus the storage of its `missing` text.
struct Snapshot {
  hcn::Api api;
  std::string missing;
};

// Verbs in FamilyFns order (CreateInNetwork, 2, shares the create export name).
constexpr int kVerbs[] = {0, 1, 3, 4, 5, 6, 7};

// Nulls the pointer of export `name` in `api`; false when the table has no such export. A family's
// create export is whichever of Create / CreateInNetwork it fills. FreeString and SimControl are not
// HCN exports and stay.
bool Clear(hcn::Api* api, const std::string& name) {
  for (int f = 0; f < hcn::kFamilyCount; ++f) {
    hcn::FamilyFns& fns = api->families[f];
    auto is = [&](int verb) { return name == Simulator::OperationName(static_cast<Family>(f), verb); };
    if (is(0)) return fns.Enumerate = nullptr, true;
    if (is(1)) return fns.Create = nullptr, fns.CreateInNetwork = nullptr, true;
    if (is(3)) return fns.Open = nullptr, true;
    if (is(4)) return fns.Modify = nullptr, true;
    if (is(5)) return fns.Query = nullptr, true;
    if (is(6)) return fns.Delete = nullptr, true;
    if (is(7)) return fns.Close = nullptr, true;
  }
  if (name == "HcnRegisterServiceCallback") return api->RegisterServiceCallback = nullptr, true;
  if (name == "HcnUnregisterServiceCallback") return api->UnregisterServiceCallback = nullptr, true;
  if (name == "HNSCall") return api->HNSCall = nullptr, true;
  return false;
}

// Export names in table order, for a stable `missing` text.
std::vector<std::string> ExportNames() {
  std::vector<std::string> names;
  for (int f = 0; f < hcn::kFamilyCount; ++f)
    for (int verb : kVerbs) names.push_back(Simulator::OperationName(static_cast<Family>(f), verb));
  names.push_back("HcnRegisterServiceCallback");
  names.push_back("HcnUnregisterServiceCallback");
  names.push_back("HNSCall");
  return names;
}

// Contexts keep the table pointer they opened with and jobs read it from other threads, so a table
// is never changed or freed once published: one snapshot per set of removed exports, kept for the
// process lifetime (a handful at most in a test run).
class Exports {
 public:
  static Exports& Instance() {
    static Exports* instance = new Exports();
    return *instance;
  }
  const hcn::Api* Current() const { return current_.load(std::memory_order_acquire); }

  bool Remove(const std::string& name, std::vector<std::string>* missing, std::string* error) {
    std::lock_guard<std::mutex> lock(mu_);
    hcn::Api probe = full_->api;
    if (!Clear(&probe, name)) {
      *error = "unknown export \"" + name +
               "\": removeExport takes an HCN export name of the table (e.g. HcnModifyLoadBalancer, "
               "HcnRegisterServiceCallback, HNSCall)";
      return false;
    }
    removed_.insert(name);
    Publish(missing);
    return true;
  }
  void Restore(std::vector<std::string>* missing) {
    std::lock_guard<std::mutex> lock(mu_);
    removed_.clear();
    Publish(missing);
  }

 private:
  Exports() {
    full_ = new Snapshot{MakeApi(), std::string()};
    full_->api.missing = full_->missing.c_str();
    snapshots_[std::string()] = full_;
    current_.store(&full_->api, std::memory_order_release);
  }

  void Publish(std::vector<std::string>* missing) {
    std::string text;
    missing->clear();
    for (const std::string& n : ExportNames()) {
      if (!removed_.count(n)) continue;
      if (!text.empty()) text += ",";
      text += n;
      missing->push_back(n);
    }
    Snapshot*& snap = snapshots_[text];
    if (snap == nullptr) {
      snap = new Snapshot{full_->api, text};
      for (const std::string& n : removed_) Clear(&snap->api, n);
      snap->api.missing = snap->missing.c_str();
    }
    current_.store(&snap->api, std::memory_order_release);
  }

  std::mutex mu_;
  Snapshot* full_;
  std::set<std::string> removed_;
  std::map<std::string, Snapshot*> snapshots_;  // by `missing` text; never freed
  std::atomic<const hcn::Api*> current_{nullptr};
};

}  // namespace

const hcn::Api* GetApi() { return Exports::Instance().Current(); }

bool RemoveExport(const std::string& name, std::vector<std::string>* missing, std::string* error) {
  return Exports::Instance().Remove(name, missing, error);
}

void RestoreExports(std::vector<std::string>* missing) { Exports::Instance().Restore(missing); }

}  // namespace sim
