// Networks: create rules, policy validation and policy modify (shared with endpoints), node IPs.
#include "hns_state.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim_model.h"

namespace sim {

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

namespace model {

// Validates a policy list ({Type, Settings}) of a network or endpoint.
Outcome ValidatePolicies(const Json* policies) {
  if (!policies || policies->IsNull()) return Outcome();
  if (!policies->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(Policies must be an array)");
  for (const Json& p : policies->Items()) {
    if (!p.IsObject() || !p.Find("Type") || !p.Find("Type")->IsString())
      return Outcome::Fail(hr::kInvalidPolicy, "(a policy needs a Type)");
    const std::string type = p.StringAt("Type");
    const Json* settings = p.Find("Settings");
    if (EqualsIgnoreCase(type, "ProviderAddress")) {
      IpAddress ip;
      if (!settings || !ValidIpString(settings->Find("ProviderAddress"), &ip))
        return Outcome::Fail(hr::kInvalidIp, "(ProviderAddress policy: bad ProviderAddress)");
    } else if (EqualsIgnoreCase(type, "RemoteSubnetRoute")) {
      IpAddress base, pa;
      int len = 0;
      if (!settings || !settings->Find("DestinationPrefix") ||
          !ParsePrefix(settings->StringAt("DestinationPrefix"), &base, &len))
        return Outcome::Fail(hr::kInvalidPrefix, "(RemoteSubnetRoute policy: bad DestinationPrefix)");
      if (!ValidIpString(settings->Find("ProviderAddress"), &pa))
        return Outcome::Fail(hr::kInvalidIp, "(RemoteSubnetRoute policy: bad ProviderAddress)");
    }
  }
  return Outcome();
}

}  // namespace model

Outcome HnsState::CreateNetwork(const std::string& id, Json in) {
  static const char* const kTypes[] = {"NAT", "ICS", "Transparent", "L2Bridge", "L2Tunnel",
                                       "Overlay", "Private", "Internal", "Mirrored", "Infiniband",
                                       "ConstrainedICS"};
  const Json* type = in.Find("Type");
  bool known = false;
  if (type && type->IsString())
    for (const char* t : kTypes)
      if (EqualsIgnoreCase(type->AsString(), t)) known = true;
  if (!known) return Outcome::Fail(hr::kInvalidNetworkType, "(Type is missing or unknown)");
  const Json* ipams = in.Find("Ipams");
  if (ipams && !ipams->IsNull()) {
    if (!ipams->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(Ipams must be an array)");
    for (const Json& ipam : ipams->Items()) {
      const Json* subnets = ipam.Find("Subnets");
      if (!subnets || subnets->IsNull()) continue;
      if (!subnets->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(Subnets must be an array)");
      for (const Json& s : subnets->Items()) {
        IpAddress base, hop;
        int len = 0;
        if (!ParsePrefix(s.StringAt("IpAddressPrefix"), &base, &len))
          return Outcome::Fail(hr::kInvalidPrefix, "(IpAddressPrefix \"" + s.StringAt("IpAddressPrefix") + "\")");
        const Json* routes = s.Find("Routes");
        if (routes && routes->IsArray()) {
          for (const Json& r : routes->Items()) {
            if (r.Find("NextHop") && !ParseIp(r.StringAt("NextHop"), &hop))
              return Outcome::Fail(hr::kInvalidIp, "(route NextHop \"" + r.StringAt("NextHop") + "\")");
            if (r.Find("DestinationPrefix") && !ParsePrefix(r.StringAt("DestinationPrefix"), &hop, &len))
              return Outcome::Fail(hr::kInvalidPrefix, "(route DestinationPrefix)");
          }
        }
      }
    }
  }
  Outcome policies = ValidatePolicies(in.Find("Policies"));
  if (!policies.ok()) return policies;
  IpAddress mgmt;
  if (in.Find("ManagementIP") && !ValidIpString(in.Find("ManagementIP"), &mgmt))
    return Outcome::Fail(hr::kInvalidIp, "(ManagementIP)");
  Json obj = WithId(id, in);
  Prune(&obj);
  Append(Family::Network, std::move(obj));
  Outcome out;
  out.output = id;
  out.mutated = true;
  out.notices.push_back({notify::kNetworkCreate, "{\"ID\":\"" + id + "\"}"});
  return out;
}

Outcome HnsState::ModifyPolicies(Json* object, const Json& request) {
  const std::string resource = request.StringAt("ResourceType");
  const std::string kind = request.StringAt("RequestType");
  if (!EqualsIgnoreCase(resource, "Policy"))
    return Outcome::Fail(hr::kRequestUnsupported, "(ResourceType \"" + resource + "\" is not modelled by the simulator; use \"Policy\")");
  const Json* settings = request.Find("Settings");
  const Json* policies = settings ? settings->Find("Policies") : nullptr;
  if (!policies || !policies->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(Settings.Policies must be an array)");
  Outcome valid = ValidatePolicies(policies);
  if (!valid.ok()) return valid;
  Json current = object->Find("Policies") && object->Find("Policies")->IsArray() ? *object->Find("Policies") : Json::Array();
  if (EqualsIgnoreCase(kind, "Add")) {
    for (const Json& p : policies->Items()) current.Push(p);
  } else if (EqualsIgnoreCase(kind, "Remove")) {
    for (const Json& p : policies->Items()) {
      Json pruned = p;
      Prune(&pruned);
      bool removed = false;
      auto& items = current.Items();
      for (size_t i = 0; i < items.size(); ++i) {
        Json cur = items[i];
        Prune(&cur);
        if (cur.Dump() == pruned.Dump()) {
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
          removed = true;
          break;
        }
      }
      if (!removed) return Outcome::Fail(hr::kPolicyNotFound, "(" + p.StringAt("Type") + ")");
    }
  } else if (EqualsIgnoreCase(kind, "Update") || EqualsIgnoreCase(kind, "Refresh")) {
    // Replaces every policy of the types given.
    std::set<std::string> types;
    for (const Json& p : policies->Items()) types.insert(ToLowerAscii(p.StringAt("Type")));
    Json next = Json::Array();
    for (const Json& p : current.Items())
      if (!types.count(ToLowerAscii(p.StringAt("Type")))) next.Push(p);
    for (const Json& p : policies->Items()) next.Push(p);
    current = next;
  } else {
    return Outcome::Fail(hr::kInvalidArg, "(RequestType must be Add, Remove, Update or Refresh)");
  }
  object->Set("Policies", current);
  Prune(object);
  Outcome out;
  out.mutated = true;
  return out;
}

std::vector<std::string> HnsState::NodeIps() const {
  std::vector<std::string> ips;
  for (const auto& entry : objects_[kNet].bySeq) {
    const Json& net = entry.second;
    IpAddress ip;
    if (ParseIp(net.StringAt("ManagementIP"), &ip)) ips.push_back(FormatIp(ip));
    const Json* policies = net.Find("Policies");
    if (!policies || !policies->IsArray()) continue;
    for (const Json& p : policies->Items()) {
      if (!EqualsIgnoreCase(p.StringAt("Type"), "ProviderAddress")) continue;
      const Json* s = p.Find("Settings");
      if (s && ParseIp(s->StringAt("ProviderAddress"), &ip)) ips.push_back(FormatIp(ip));
    }
  }
  return ips;
}

// Delete of a network: refused while endpoints or load balancers refer to it; raises NetworkDelete.
Outcome HnsState::PrepareDeleteNetwork(const std::string& id, uint64_t seq, Outcome* out) {
  for (const auto& entry : objects_[kEp].bySeq) {
    const Json& ep = entry.second;
    if (EqualsIgnoreCase(ep.StringAt("HostComputeNetwork"), id))
      return Outcome::Fail(hr::kEntityHasReferences, "(endpoint " + ep.StringAt("ID") + " is on this network)");
  }
  for (const auto& entry : objects_[kLb].bySeq) {
    const Json& lb = entry.second;
    if (EqualsIgnoreCase(lb.StringAt("HostComputeNetwork"), id))
      return Outcome::Fail(hr::kEntityHasReferences, "(load balancer " + lb.StringAt("ID") + " refers to this network)");
  }
  out->notices.push_back({notify::kNetworkDelete, "{\"ID\":\"" + objects_[kNet].bySeq.at(seq).StringAt("ID") + "\"}"});
  return Outcome();
}

}  // namespace sim
