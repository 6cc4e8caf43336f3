// The simulator's function table: one WINAPI function per HCN export, each forwarding to the
// process-wide Simulator. sim::GetApi() hands the table to the bridge (and dll_exports.cc).
#include "sim.h"
#include "simulator.h"

namespace sim {
namespace {

Simulator& S() { return Simulator::Instance(); }

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
void WINAPI FreeString(void* p) { S().FreeString(p); }
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

}  // namespace

const hcn::Api* GetApi() {
  static const hcn::Api api = MakeApi();
  return &api;
}

}  // namespace sim
