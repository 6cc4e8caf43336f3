// The simulator as stand-alone Windows DLLs for the Windows-ABI lane (Wine): computenetwork.dll
// exports every HCN function the SDK uses under its exact Windows name and WINAPI signature
// (checked against mingw-w64's computenetwork.h), forwarding to sim::GetApi(), plus HcnSimControl.
// Compiled again with HCN_SIM_DLL_VMCOMPUTE it is vmcompute.dll, whose HNSCall forwards to the
// computenetwork.dll simulator so both DLLs share one HNS. Built with HCN_SIM_COTASKMEM, so the
// strings they return are freed with CoTaskMemFree as the real ones are.
#include "../hcn/hcn_api.h"

#include <computenetwork.h>

#ifdef HCN_SIM_DLL_VMCOMPUTE

// Not a Windows export: the simulator's computenetwork.dll provides it for this vmcompute.dll.
extern "C" __declspec(dllimport) HRESULT WINAPI HcnSimHnsCall(PCWSTR method, PCWSTR path,
                                                              PCWSTR request, PWSTR* response);

// vmcompute.dll!HNSCall: not in any SDK header; shape as hcsshim calls it.
extern "C" HRESULT WINAPI HNSCall(PCWSTR method, PCWSTR path, PCWSTR request, PWSTR* response) {
  return HcnSimHnsCall(method, path, request, response);
}

#else  // computenetwork.dll

#include "sim.h"

namespace {

const hcn::FamilyFns& Fns(hcn::Family family) {
  return sim::GetApi()->families[static_cast<int>(family)];
}

constexpr hcn::Family kNetwork = hcn::Family::Network;
constexpr hcn::Family kEndpoint = hcn::Family::Endpoint;
constexpr hcn::Family kLoadBalancer = hcn::Family::LoadBalancer;
constexpr hcn::Family kNamespace = hcn::Family::Namespace;

// A function the simulator leaves out behaves like an export the host does not have.
template <typename Fn, typename... Args>
HRESULT Call(Fn fn, Args... args) {
  return fn != nullptr ? fn(args...) : hr::kNotImpl;
}

}  // namespace

extern "C" {

// Networks.
HRESULT WINAPI HcnEnumerateNetworks(PCWSTR query, PWSTR* networks, PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Enumerate, query, networks, errorRecord);
}
HRESULT WINAPI HcnCreateNetwork(REFGUID id, PCWSTR settings, PHCN_NETWORK network,
                                PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Create, &id, settings, network, errorRecord);
}
HRESULT WINAPI HcnOpenNetwork(REFGUID id, PHCN_NETWORK network, PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Open, &id, network, errorRecord);
}
HRESULT WINAPI HcnModifyNetwork(HCN_NETWORK network, PCWSTR settings, PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Modify, network, settings, errorRecord);
}
HRESULT WINAPI HcnQueryNetworkProperties(HCN_NETWORK network, PCWSTR query, PWSTR* properties,
                                         PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Query, network, query, properties, errorRecord);
}
HRESULT WINAPI HcnDeleteNetwork(REFGUID id, PWSTR* errorRecord) {
  return Call(Fns(kNetwork).Delete, &id, errorRecord);
}
HRESULT WINAPI HcnCloseNetwork(HCN_NETWORK network) { return Call(Fns(kNetwork).Close, network); }

// Endpoints: create takes the open network first.
HRESULT WINAPI HcnEnumerateEndpoints(PCWSTR query, PWSTR* endpoints, PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).Enumerate, query, endpoints, errorRecord);
}
HRESULT WINAPI HcnCreateEndpoint(HCN_NETWORK network, REFGUID id, PCWSTR settings,
                                 PHCN_ENDPOINT endpoint, PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).CreateInNetwork, network, &id, settings, endpoint, errorRecord);
}
HRESULT WINAPI HcnOpenEndpoint(REFGUID id, PHCN_ENDPOINT endpoint, PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).Open, &id, endpoint, errorRecord);
}
HRESULT WINAPI HcnModifyEndpoint(HCN_ENDPOINT endpoint, PCWSTR settings, PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).Modify, endpoint, settings, errorRecord);
}
HRESULT WINAPI HcnQueryEndpointProperties(HCN_ENDPOINT endpoint, PCWSTR query, PWSTR* properties,
                                          PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).Query, endpoint, query, properties, errorRecord);
}
HRESULT WINAPI HcnDeleteEndpoint(REFGUID id, PWSTR* errorRecord) {
  return Call(Fns(kEndpoint).Delete, &id, errorRecord);
}
HRESULT WINAPI HcnCloseEndpoint(HCN_ENDPOINT endpoint) {
  return Call(Fns(kEndpoint).Close, endpoint);
}

// Load balancers.
HRESULT WINAPI HcnEnumerateLoadBalancers(PCWSTR query, PWSTR* loadBalancers, PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Enumerate, query, loadBalancers, errorRecord);
}
HRESULT WINAPI HcnCreateLoadBalancer(REFGUID id, PCWSTR settings, PHCN_LOADBALANCER loadBalancer,
                                     PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Create, &id, settings, loadBalancer, errorRecord);
}
HRESULT WINAPI HcnOpenLoadBalancer(REFGUID id, PHCN_LOADBALANCER loadBalancer, PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Open, &id, loadBalancer, errorRecord);
}
HRESULT WINAPI HcnModifyLoadBalancer(HCN_LOADBALANCER loadBalancer, PCWSTR settings,
                                     PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Modify, loadBalancer, settings, errorRecord);
}
HRESULT WINAPI HcnQueryLoadBalancerProperties(HCN_LOADBALANCER loadBalancer, PCWSTR query,
                                              PWSTR* properties, PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Query, loadBalancer, query, properties, errorRecord);
}
HRESULT WINAPI HcnDeleteLoadBalancer(REFGUID id, PWSTR* errorRecord) {
  return Call(Fns(kLoadBalancer).Delete, &id, errorRecord);
}
HRESULT WINAPI HcnCloseLoadBalancer(HCN_LOADBALANCER loadBalancer) {
  return Call(Fns(kLoadBalancer).Close, loadBalancer);
}

// Namespaces.
HRESULT WINAPI HcnEnumerateNamespaces(PCWSTR query, PWSTR* namespaces, PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Enumerate, query, namespaces, errorRecord);
}
HRESULT WINAPI HcnCreateNamespace(REFGUID id, PCWSTR settings, PHCN_NAMESPACE ns,
                                  PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Create, &id, settings, ns, errorRecord);
}
HRESULT WINAPI HcnOpenNamespace(REFGUID id, PHCN_NAMESPACE ns, PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Open, &id, ns, errorRecord);
}
HRESULT WINAPI HcnModifyNamespace(HCN_NAMESPACE ns, PCWSTR settings, PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Modify, ns, settings, errorRecord);
}
HRESULT WINAPI HcnQueryNamespaceProperties(HCN_NAMESPACE ns, PCWSTR query, PWSTR* properties,
                                           PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Query, ns, query, properties, errorRecord);
}
HRESULT WINAPI HcnDeleteNamespace(REFGUID id, PWSTR* errorRecord) {
  return Call(Fns(kNamespace).Delete, &id, errorRecord);
}
HRESULT WINAPI HcnCloseNamespace(HCN_NAMESPACE ns) { return Call(Fns(kNamespace).Close, ns); }

// Service notifications.
HRESULT WINAPI HcnRegisterServiceCallback(HCN_NOTIFICATION_CALLBACK callback, void* context,
                                          HCN_CALLBACK* callbackHandle) {
  return Call(sim::GetApi()->RegisterServiceCallback, callback, context, callbackHandle);
}
HRESULT WINAPI HcnUnregisterServiceCallback(HCN_CALLBACK callbackHandle) {
  return Call(sim::GetApi()->UnregisterServiceCallback, callbackHandle);
}

// Simulator-only exports: the control protocol, and HNS v1 for the simulator's vmcompute.dll.
HRESULT WINAPI HcnSimControl(PCWSTR request, PWSTR* response) {
  return Call(sim::GetApi()->SimControl, request, response);
}
HRESULT WINAPI HcnSimHnsCall(PCWSTR method, PCWSTR path, PCWSTR request, PWSTR* response) {
  return Call(sim::GetApi()->HNSCall, method, path, request, response);
}

}  // extern "C"

#endif  // HCN_SIM_DLL_VMCOMPUTE
