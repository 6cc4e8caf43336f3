// Load balancers: validation (version gates, port mappings, backends, VIPs) and frontend collisions.
#include "hns_state.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim_model.h"

namespace sim {

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

namespace {

Outcome FeatureRefused(const char* feature, const HnsVersion& v) {
  return Outcome::FailText(hr::kRequestUnsupported, std::string("platform does not support feature ") +
                                                        feature + " (HNS version " + VersionText(v) + ")");
}

}  // namespace

Outcome HnsState::ValidateLoadBalancer(const Json& in, const std::string& selfId, Json* result) {
  uint64_t flags = 0;
  if (!IsUnsignedInRange(in.Find("Flags"), 0xFFFFFFFFu, &flags))
    return Outcome::Fail(hr::kInvalidArg, "(Flags)");
  if ((flags & kLbFlagDsr) && !SupportsDsr()) return FeatureRefused("Direct Server Return (DSR)", version);
  if ((flags & kLbFlagIpv6) && !SupportsIpv6()) return FeatureRefused("IPv6 DualStack", version);

  // Port mappings: shape, ranges, and session affinity.
  const Json* pms = in.Find("PortMappings");
  if (pms && !pms->IsNull() && !pms->IsArray())
    return Outcome::Fail(hr::kInvalidJson, "(PortMappings must be an array)");
  struct Port {
    uint64_t protocol, external;
  };
  std::vector<Port> ports;
  if (pms && pms->IsArray()) {
    for (const Json& pm : pms->Items()) {
      if (!pm.IsObject()) return Outcome::Fail(hr::kInvalidJson, "(a port mapping must be an object)");
      uint64_t protocol = 0, internal = 0, external = 0, distribution = 0, pflags = 0;
      // HNS's ProtocolType lists Unknown 0, ICMPv4 1, IGMP 2, TCP 6, UDP 17, ICMPv6 58 (HNS schema);
      // SCTP (132) and every other number are refused (the error code is a simulator choice).
      if (!IsUnsignedInRange(pm.Find("Protocol"), 255, &protocol) ||
          !(protocol == 0 || protocol == 1 || protocol == 2 || protocol == 6 || protocol == 17 || protocol == 58))
        return Outcome::Fail(hr::kInvalidArg, "(Protocol must be 0, 1, 2, 6, 17 or 58)");
      if (!IsUnsignedInRange(pm.Find("InternalPort"), 65535, &internal))
        return Outcome::Fail(hr::kInvalidArg, "(InternalPort must be 0-65535)");
      if (!IsUnsignedInRange(pm.Find("ExternalPort"), 65535, &external))
        return Outcome::Fail(hr::kInvalidArg, "(ExternalPort must be 0-65535)");
      if (!IsUnsignedInRange(pm.Find("DistributionType"), 2, &distribution))
        return Outcome::Fail(hr::kInvalidArg, "(DistributionType must be 0, 1 or 2)");
      if (!IsUnsignedInRange(pm.Find("Flags"), 0xFFFFFFFFu, &pflags))
        return Outcome::Fail(hr::kInvalidArg, "(port mapping Flags)");
      if (distribution != 0 && !SupportsSessionAffinity()) return FeatureRefused("Session Affinity", version);
      if (internal == 0 && external != 0) return Outcome::Fail(hr::kInvalidInternalPort, "");
      for (const Port& p : ports)
        if (p.protocol == protocol && p.external == external)
          return Outcome::Fail(hr::kPortAlreadyExists,
                               "(protocol " + std::to_string(protocol) + " port " + std::to_string(external) +
                                   " appears twice in this load balancer)");
      ports.push_back({protocol, external});
    }
  }

  // Backends.
  const Json* eps = in.Find("HostComputeEndpoints");
  if (!eps || !eps->IsArray() || eps->Items().empty())
    return Outcome::Fail(hr::kInvalidJsonReference, "(HostComputeEndpoints is missing or empty)");
  Json backends = Json::Array();
  for (const Json& e : eps->Items()) {
    std::string id;
    if (!e.IsString() || !CanonicalGuid(e.AsString(), &id))
      return Outcome::Fail(hr::kInvalidJsonReference, "(HostComputeEndpoints holds a value that is not a GUID)");
    if (!Find(Family::Endpoint, id)) return Outcome::Fail(hr::kEndpointNotFound, "(endpoint " + id + ")");
    backends.Push(Json::Str(id));
  }
  const Json* netRef = in.Find("HostComputeNetwork");
  std::string netId;
  if (netRef && netRef->IsString() && !netRef->AsString().empty()) {
    if (!CanonicalGuid(netRef->AsString(), &netId))
      return Outcome::Fail(hr::kInvalidJsonReference, "(HostComputeNetwork is not a GUID)");
    if (!Find(Family::Network, netId)) return Outcome::Fail(hr::kNetworkNotFound, "(network " + netId + ")");
  }

  // Addresses: valid, and of the family the IPv6 flag says (simulator choice).
  const int family = (flags & kLbFlagIpv6) ? 6 : 4;
  std::vector<IpAddress> vips;
  const Json* fv = in.Find("FrontendVIPs");
  if (fv && !fv->IsNull() && !fv->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(FrontendVIPs must be an array)");
  if (fv && fv->IsArray()) {
    for (const Json& v : fv->Items()) {
      IpAddress ip;
      if (!v.IsString() || !ParseIp(v.AsString(), &ip))
        return Outcome::Fail(hr::kInvalidIp, "(FrontendVIPs: \"" + (v.IsString() ? v.AsString() : v.Dump()) + "\")");
      if (ip.family != family)
        return Outcome::Fail(hr::kInvalidIp, "(FrontendVIPs: " + v.AsString() + " is not IPv" + std::to_string(family) +
                                                 " as the IPv6 flag requires)");
      vips.push_back(ip);
    }
  }
  const Json* src = in.Find("SourceVIP");
  if (src && !src->IsNull() && !(src->IsString() && src->AsString().empty())) {
    IpAddress ip;
    if (!src->IsString() || !ParseIp(src->AsString(), &ip))
      return Outcome::Fail(hr::kInvalidIp, "(SourceVIP: \"" + (src->IsString() ? src->AsString() : src->Dump()) + "\")");
    if (ip.family != family)
      return Outcome::Fail(hr::kInvalidIp, "(SourceVIP is not IPv" + std::to_string(family) + " as the IPv6 flag requires)");
  }

  // Collisions with the other load balancers: same protocol and external port on an overlapping
  // frontend. An empty FrontendVIPs list means every node IP (simulator choice, see README).
  // The index (lbPorts_) narrows the load balancers to those sharing a (protocol, external port)
  // with an overlapping frontend; the exact rule and message below then run on them in creation
  // order, so the first one reported is the one a walk over every load balancer would report.
  const std::vector<std::string> nodeIps = NodeIps();
  const bool mineAll = vips.empty();
  std::set<std::string> mine;
  for (const IpAddress& ip : vips) mine.insert(FormatIp(ip));
  bool mineHasNodeIp = false;
  for (const std::string& n : nodeIps)
    if (mine.count(n)) mineHasNodeIp = true;
  const std::set<std::string> nodeIpSet(nodeIps.begin(), nodeIps.end());
  const std::set<std::string>& probe = mineAll ? nodeIpSet : mine;
  std::set<uint64_t> candidates;
  auto take = [&](const std::set<uint64_t>& seqs) { candidates.insert(seqs.begin(), seqs.end()); };
  for (const Port& p : ports) {
    auto slotIt = lbPorts_.find({p.protocol, p.external});
    if (slotIt == lbPorts_.end()) continue;
    const PortSlot& slot = slotIt->second;
    if (mineAll || mineHasNodeIp) take(slot.all);
    for (const std::string& v : probe) {
      auto vipIt = slot.byVip.find(v);
      if (vipIt != slot.byVip.end()) take(vipIt->second);
    }
  }
  const std::string selfKey = selfId.empty() ? std::string() : IdKey(selfId);
  for (uint64_t seq : candidates) {
    const LbFrontend& other = lbFrontends_.at(seq);
    if (!selfKey.empty() && other.key == selfKey) continue;
    const bool theirsAll = other.allNodeIps;
    const std::set<std::string>& theirs = other.vips;
    bool overlap = false;
    std::string where;
    if (mineAll && theirsAll) {
      overlap = true;
      where = "all node IPs";
    } else if (mineAll || theirsAll) {
      const std::set<std::string>& specific = mineAll ? theirs : mine;
      for (const std::string& n : nodeIps)
        if (specific.count(n)) {
          overlap = true;
          where = n + " (a node IP)";
        }
    } else {
      for (const std::string& v : mine)
        if (theirs.count(v)) {
          overlap = true;
          where = v;
        }
    }
    if (!overlap) continue;
    for (const auto& op : other.ports) {
      for (const Port& p : ports) {
        if (p.protocol == op.first && p.external == op.second)
          return Outcome::Fail(hr::kPortAlreadyExists,
                               "(load balancer " + IdOf(objects_[kLb].bySeq.at(seq)) + " already uses " + where +
                                   " protocol " + std::to_string(op.first) + " port " + std::to_string(op.second) +
                                   ")");
      }
    }
  }

  Json obj = in;
  obj.Set("HostComputeEndpoints", backends);
  if (!netId.empty()) obj.Set("HostComputeNetwork", Json::Str(netId));
  *result = obj;
  return Outcome();
}

Outcome HnsState::CreateLoadBalancer(const std::string& id, Json in) {
  Json valid;
  Outcome check = ValidateLoadBalancer(in, std::string(), &valid);
  if (!check.ok()) return check;
  Json obj = WithId(id, valid);
  Prune(&obj);
  Append(Family::LoadBalancer, std::move(obj));
  Outcome out;
  out.output = id;
  out.mutated = true;
  return out;
}

Outcome HnsState::ModifyLoadBalancer(const std::string& id, Json* o, const Json& in) {
  const Family f = Family::LoadBalancer;
  if (!SupportsModifyLoadBalancer()) return Outcome::Fail(hr::kNotImpl, "(ModifyLoadBalancer needs HNS 15.5-15.x or 16.0+; this host reports " + VersionText(version) + ")");
  // kube-proxy sends the full HostComputeLoadBalancer; hns.v2.psm1 wraps it in a
  // {RequestType, ResourceType, Settings} envelope. Both are accepted (simulator choice).
  const Json* envelope = in.Find("Settings");
  Json doc = (in.Find("RequestType") && envelope && envelope->IsObject()) ? *envelope : in;
  Json valid;
  Outcome check = ValidateLoadBalancer(doc, id, &valid);
  if (!check.ok()) return check;
  Json obj = WithId(id, valid);
  Prune(&obj);
  uint64_t seq = 0;
  Locate(f, id, &seq);
  UnindexLoadBalancer(seq);
  *o = std::move(obj);
  IndexLoadBalancer(seq, *o);
  Outcome out;
  out.mutated = true;
  return out;
}

}  // namespace sim
