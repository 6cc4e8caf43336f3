// Export names of computenetwork.dll per family and verb: used in error objects (`operation`,
// `missing`) and by the Windows loader to resolve the table.
#include "hcn_api.h"

namespace hcn {

namespace {

// Verbs in FamilyFns order. A slot without an export of that shape is null: Create for endpoints
// (HcnCreateEndpoint has the CreateInNetwork shape) and CreateInNetwork for the other families.
constexpr int kVerbCount = 8;
constexpr const char* kNames[kFamilyCount][kVerbCount] = {
    {"HcnEnumerateNetworks", "HcnCreateNetwork", nullptr, "HcnOpenNetwork", "HcnModifyNetwork",
     "HcnQueryNetworkProperties", "HcnDeleteNetwork", "HcnCloseNetwork"},
    {"HcnEnumerateEndpoints", nullptr, "HcnCreateEndpoint", "HcnOpenEndpoint", "HcnModifyEndpoint",
     "HcnQueryEndpointProperties", "HcnDeleteEndpoint", "HcnCloseEndpoint"},
    {"HcnEnumerateLoadBalancers", "HcnCreateLoadBalancer", nullptr, "HcnOpenLoadBalancer",
     "HcnModifyLoadBalancer", "HcnQueryLoadBalancerProperties", "HcnDeleteLoadBalancer",
     "HcnCloseLoadBalancer"},
    {"HcnEnumerateNamespaces", "HcnCreateNamespace", nullptr, "HcnOpenNamespace",
     "HcnModifyNamespace", "HcnQueryNamespaceProperties", "HcnDeleteNamespace",
     "HcnCloseNamespace"},
};

}  // namespace

// Null for an out-of-range index or a slot that has no export (see kNames).
const char* FunctionName(Family family, int verb) {
  const int f = static_cast<int>(family);
  if (f < 0 || f >= kFamilyCount || verb < 0 || verb >= kVerbCount) return nullptr;
  return kNames[f][verb];
}

}  // namespace hcn
