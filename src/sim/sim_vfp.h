// The simulator's VFP model: the switch ports, layers, groups and rules HNS would program for the
// objects in the state (DSR rules on local backends' ports, the non-DSR NAT/LB families), derived on
// demand so rules appear and disappear with the load balancers and endpoints that cause them. Pure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "json_value.h"

namespace sim {

// The objects the model is derived from, in creation order.
struct VfpSource {
  std::vector<const Json*> networks;
  std::vector<const Json*> endpoints;
  std::vector<const Json*> loadBalancers;
};

// Key of a rule removed through the `vfpRemoveRule` control: "<PORT GUID upper>|<rule id>".
std::string VfpRuleKey(const std::string& portId, const std::string& ruleId);

// The port GUIDs the detailed queries show (`Resources.Allocators[].EndpointPortGuid`).
std::string VfpEndpointPortId(const std::string& endpointId);
std::string VfpHostPortId(const std::string& networkId);

// {"ports":[{"Id","Name","Kind","EndpointId","NetworkId","MacAddress","IpAddresses",
//   "Layers":[{"Name","Priority","Flags","Groups":[{"Name","Priority","Direction","Type",
//   "Rules":[{"Id","Priority","Flags","Type","Protocols","DestinationIps","DestinationPorts",
//   "FlowTtl","Modify","Vip","VipPort","Dips":[{"Ip","Port"}]}]}]}]}]}
// Rules whose key is in `removed` are left out.
Json BuildVfpModel(const VfpSource& source, const std::set<std::string>& removed);

class HnsState;

// The `vfp` and `vfpRemoveRule` control requests against `state` (README "Control protocol"): the
// response text; *ok false for a refusal; *mutated when the state changed (to be saved).
std::string VfpControl(HnsState& state, const std::string& op, const Json& req, bool* ok, bool* mutated);

// Whether the model has that rule on that port (before removals).
bool VfpHasRule(const VfpSource& source, const std::string& portId, const std::string& ruleId);

}  // namespace sim
