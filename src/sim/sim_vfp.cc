// The simulator's VFP model (see sim_vfp.h and README "VFP model"). Every choice public sources do
// not settle (the <id> segment, priorities, DIP order, the non-DSR rule data) is listed in README.
#include "sim_vfp.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "hns_state.h"
#include "ip_address.h"

namespace sim {
namespace {

constexpr int64_t kLbFlagDsr = 1;
constexpr int64_t kEndpointFlagRemote = 1;
constexpr int64_t kFlowTtl = 240;

std::string UpperId(const Json& o) { return ToUpperAscii(o.StringAt("ID")); }

// Same hex shape as `id` with every digit rotated by `salt`: stable port GUIDs without storing
// anything (the detailed queries' allocators show the same ones).
std::string Derived(const std::string& id, int salt) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = ToUpperAscii(id);
  for (char& c : out) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v >= 0) c = kHex[(v + salt) & 15];
  }
  return out;
}

struct Endpoint {
  const Json* json;
  std::string id;         // upper case
  std::string networkId;  // upper case
  bool remote;
  std::vector<IpAddress> ips;
};

struct Rule {
  std::string id;
  std::string type;
  int64_t protocol = 0;
  std::string vip;
  int64_t port = 0;  // destination (external) port
  std::string modify;
  std::vector<std::pair<std::string, int64_t>> dips;
  bool withVipData = false;
};

// An `lbnat` rule: traffic to `vip`:`port` over `protocol` is rewritten to one of `dips`
// (destination IP and port), the shape every load-balancing rule of the model shares.
Rule LbNatRule(std::string id, int64_t protocol, const std::string& vip, int64_t port,
               std::vector<std::pair<std::string, int64_t>> dips) {
  Rule r;
  r.id = std::move(id);
  r.type = "lbnat";
  r.protocol = protocol;
  r.vip = vip;
  r.port = port;
  r.modify = "Destination IP, Destination port";
  r.dips = std::move(dips);
  return r;
}

struct Group {
  std::string name;
  std::string direction;
  std::string type;
  std::vector<Rule> rules;
};

struct Layer {
  std::string name;
  int64_t priority;
  std::vector<Group> groups;
  Group* GroupNamed(const std::string& n, const std::string& dir, const std::string& type) {
    for (Group& g : groups)
      if (g.name == n) return &g;
    groups.push_back(Group{n, dir, type, {}});
    return &groups.back();
  }
};

struct Port {
  std::string id;
  std::string name;
  std::string kind;
  std::string endpointId;
  std::string networkId;
  std::string mac;
  std::vector<std::string> ips;
  std::vector<Layer> layers;
  Layer* LayerNamed(const std::string& n, int64_t priority) {
    for (Layer& l : layers)
      if (l.name == n) return &l;
    layers.push_back(Layer{n, priority, {}});
    return &layers.back();
  }
};

// Layer priorities: not published; these keep the order the trace and the reference's table use.
constexpr int64_t kPrioSlbNat = 40;
constexpr int64_t kPrioLbDsr = 50;
constexpr int64_t kPrioSlbLb = 55;
constexpr int64_t kPrioLbHost = 56;
constexpr int64_t kPrioHairpin = 57;

std::vector<Endpoint> ReadEndpoints(const VfpSource& src) {
  std::vector<Endpoint> out;
  for (const Json* e : src.endpoints) {
    Endpoint ep{e, UpperId(*e), ToUpperAscii(e->StringAt("HostComputeNetwork")), (e->IntAt("Flags") & kEndpointFlagRemote) != 0, {}};
    const Json* cfgs = e->Find("IpConfigurations");
    if (cfgs && cfgs->IsArray())
      for (const Json& c : cfgs->Items()) {
        IpAddress ip;
        if (ParseIp(c.StringAt("IpAddress"), &ip)) ep.ips.push_back(ip);
      }
    out.push_back(std::move(ep));
  }
  return out;
}

// The node address in a DSR rule's name: the network's ManagementIP, else its ProviderAddress policy.
std::string ManagementIp(const VfpSource& src, const std::string& networkId) {
  for (const Json* n : src.networks) {
    if (UpperId(*n) != networkId) continue;
    IpAddress ip;
    if (ParseIp(n->StringAt("ManagementIP"), &ip)) return FormatIp(ip);
    const Json* pols = n->Find("Policies");
    if (pols && pols->IsArray())
      for (const Json& p : pols->Items()) {
        const Json* s = p.Find("Settings");
        if (EqualsIgnoreCase(p.StringAt("Type"), "ProviderAddress") && s && ParseIp(s->StringAt("ProviderAddress"), &ip))
          return FormatIp(ip);
      }
  }
  return "0.0.0.0";
}

std::string IdSegment(const std::string& lbId) { return ToUpperAscii(lbId.substr(0, 5)); }

std::string Num(int64_t v) { return std::to_string(v); }

struct Mapping {
  int64_t protocol, external, internal;
};

std::vector<Mapping> MappingsOf(const Json& lb) {
  std::vector<Mapping> out;
  const Json* pms = lb.Find("PortMappings");
  if (pms && pms->IsArray())
    for (const Json& pm : pms->Items()) {
      int64_t ext = pm.IntAt("ExternalPort"), in = pm.IntAt("InternalPort");
      out.push_back(Mapping{pm.IntAt("Protocol"), ext, in == 0 ? ext : in});
    }
  return out;
}

std::vector<std::string> VipsOf(const Json& lb) {
  std::vector<std::string> out;
  const Json* v = lb.Find("FrontendVIPs");
  if (v && v->IsArray())
    for (const Json& s : v->Items()) {
      IpAddress ip;
      if (s.IsString() && ParseIp(s.AsString(), &ip)) out.push_back(FormatIp(ip));
    }
  return out;
}

int FamilyOf(const std::string& ip) {
  IpAddress a;
  return ParseIp(ip, &a) ? a.family : 0;
}

// DIPs of `backends` of that family at `port`, in the reverse of the load balancer's backend order
// (simulator choice: reproduces the walkthrough's capture, `{ 10.0.0.15 : 80 } { 10.0.0.14 : 80 }`
// for backends given as 10.0.0.14, 10.0.0.15).
std::vector<std::pair<std::string, int64_t>> Dips(const std::vector<const Endpoint*>& backends, int family, int64_t port) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto it = backends.rbegin(); it != backends.rend(); ++it)
    for (const IpAddress& ip : (*it)->ips)
      if (ip.family == family) {
        std::pair<std::string, int64_t> d{FormatIp(ip), port};
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
      }
  return out;
}

std::vector<Port> Build(const VfpSource& src) {
  std::vector<Endpoint> eps = ReadEndpoints(src);
  std::map<std::string, const Endpoint*> byId;
  for (const Endpoint& e : eps) byId[e.id] = &e;

  std::vector<Port> ports;
  std::map<std::string, size_t> endpointPort;  // endpoint id -> index in ports
  for (const Endpoint& e : eps) {
    if (e.remote) continue;
    Port p;
    p.id = VfpEndpointPortId(e.id);
    p.name = e.id;
    p.kind = "endpoint";
    p.endpointId = e.id;
    p.networkId = e.networkId;
    p.mac = ToUpperAscii(e.json->StringAt("MacAddress"));
    for (const IpAddress& ip : e.ips) p.ips.push_back(FormatIp(ip));
    // Every container port has the LB_DSR layer with its two groups, rules or not (simulator choice).
    Layer* l = p.LayerNamed("LB_DSR", kPrioLbDsr);
    l->GroupNamed("LB_DSR_IPv4_OUT", "OUT", "IPv4");
    l->GroupNamed("LB_DSR_IPv6_OUT", "OUT", "IPv6");
    endpointPort[e.id] = ports.size();
    ports.push_back(std::move(p));
  }
  std::map<std::string, size_t> hostPort;  // network id -> index
  for (const Json* n : src.networks) {
    Port p;
    p.id = VfpHostPortId(UpperId(*n));
    p.name = "Container NIC " + ToLowerAscii(p.id.substr(0, 8));
    p.kind = "host";
    p.networkId = UpperId(*n);
    hostPort[p.networkId] = ports.size();
    ports.push_back(std::move(p));
  }

  for (const Json* lbp : src.loadBalancers) {
    const Json& lb = *lbp;
    const bool dsr = (lb.IntAt("Flags") & kLbFlagDsr) != 0;
    const std::string seg = IdSegment(UpperId(lb));
    std::vector<const Endpoint*> backends, local, remote;
    const Json* refs = lb.Find("HostComputeEndpoints");
    if (refs && refs->IsArray())
      for (const Json& r : refs->Items()) {
        auto it = byId.find(ToUpperAscii(r.AsString()));
        if (it == byId.end()) continue;  // an endpoint deleted behind the load balancer's back
        if (std::find(backends.begin(), backends.end(), it->second) != backends.end()) continue;
        backends.push_back(it->second);
        (it->second->remote ? remote : local).push_back(it->second);
      }
    if (backends.empty()) continue;
    const std::vector<Mapping> maps = MappingsOf(lb);
    const std::vector<std::string> vips = VipsOf(lb);

    if (dsr) {
      // Every local pod's port carries the DSR rule (its pod may be a client of the VIP), not only
      // the backends' ports: microsoft/wcnscripts networkhealth.ps1 checks each local endpoint.
      for (const Endpoint& e : eps) {
        if (e.remote) continue;
        Port& port = ports[endpointPort[e.id]];
        const std::string mgmt = ManagementIp(src, e.networkId);
        const std::vector<std::string> frontends = vips.empty() ? std::vector<std::string>{mgmt} : vips;
        for (const std::string& vip : frontends) {
          const int fam = FamilyOf(vip);
          Group* g = port.LayerNamed("LB_DSR", kPrioLbDsr)->GroupNamed(fam == 6 ? "LB_DSR_IPv6_OUT" : "LB_DSR_IPv4_OUT", "OUT", fam == 6 ? "IPv6" : "IPv4");
          for (const Mapping& m : maps) {
            Rule r = LbNatRule("LB_DSR_" + seg + "_" + mgmt + "_" + vip + "_" + Num(m.external) + "_" + Num(m.internal) + "_" + Num(m.protocol),
                               m.protocol, vip, m.external, Dips(backends, fam, m.internal));
            r.withVipData = true;
            g->rules.push_back(std::move(r));
          }
        }
      }
    }

    // The NAT layer on each local backend's port, the load-balancing layers on the host vNIC of the
    // backends' network (networkhealth.ps1 checks these for DSR load balancers too; §7 of the reference).
    const std::string netId = ToUpperAscii(lb.StringAt("HostComputeNetwork")).empty() ? backends.front()->networkId : ToUpperAscii(lb.StringAt("HostComputeNetwork"));
    const std::vector<std::string> frontends = vips.empty() ? std::vector<std::string>{ManagementIp(src, netId)} : vips;
    for (const std::string& vip : frontends) {
      const int fam = FamilyOf(vip);
      const std::string v = fam == 6 ? "IPv6" : "IPv4";
      for (const Mapping& m : maps) {
        for (const Endpoint* e : local) {
          Port& port = ports[endpointPort[e->id]];
          Layer* l = port.LayerNamed("SLB_NAT_LAYER", kPrioSlbNat);
          l->GroupNamed("SLB_GROUP_NAT_" + v + "_IN", "IN", v)
              ->rules.push_back(LbNatRule("NAT_" + seg + "_" + vip + "_" + Num(m.external) + "_" + Num(m.protocol),
                                          m.protocol, vip, m.external, Dips(backends, fam, m.internal)));
          Rule allow;
          allow.id = "ALLOW_NAT_" + seg + "_" + vip + "_" + Num(m.external) + "_" + Num(m.protocol);
          allow.type = "allow";
          allow.protocol = m.protocol;
          l->GroupNamed("SLB_GROUP_NAT_" + v + "_OUT", "OUT", v)->rules.push_back(allow);
        }
        auto hp = hostPort.find(netId);
        if (hp == hostPort.end()) continue;
        Port& host = ports[hp->second];
        if (!local.empty() && remote.empty()) {
          // One backend: `NAT_...`, more: `LB_...` (networkhealth.ps1).
          host.LayerNamed("SLB_LB_LAYER", kPrioSlbLb)
              ->GroupNamed("SLB_GROUP_LB_" + v + "_OUT", "OUT", v)
              ->rules.push_back(LbNatRule(std::string(backends.size() == 1 ? "NAT_" : "LB_") + seg + "_" + vip + "_" + Num(m.external) + "_" + Num(m.external) + "_" + Num(m.protocol),
                                          m.protocol, vip, m.external, Dips(local, fam, m.internal)));
        }
        if (!local.empty()) {
          host.LayerNamed("SLB_HAIRPIN_LAYER", kPrioHairpin)
              ->GroupNamed("SLB_GROUP_HAIRPIN_" + v + "_IN", "IN", v)
              ->rules.push_back(LbNatRule("HairPin_" + seg + "_" + vip + "_" + Num(m.external) + "_" + Num(m.external) + "_" + Num(m.protocol),
                                          m.protocol, vip, m.external, Dips(local, fam, m.internal)));
        }
        if (!remote.empty()) {
          host.LayerNamed("LB", kPrioLbHost)
              ->GroupNamed(fam == 6 ? "LB_OUT_V6" : "LB_OUT", "OUT", v)
              ->rules.push_back(LbNatRule("LB_HOST_" + seg + "_" + vip + "_" + Num(m.external) + "_" + Num(m.internal) + "_" + Num(m.protocol),
                                          m.protocol, vip, m.external, Dips(backends, fam, m.internal)));
        }
      }
    }
  }
  return ports;
}

Json RuleJson(const Rule& r) {
  Json j = Json::Object();
  j.Set("Id", Json::Str(r.id));
  j.Set("Priority", Json::Int(100));
  j.Set("Flags", Json::Int(1));
  j.Set("Type", Json::Str(r.type));
  Json protocols = Json::Array();
  if (r.protocol != 0) protocols.Push(Json::Int(r.protocol));
  j.Set("Protocols", protocols);
  Json dst = Json::Array();
  if (!r.vip.empty() && r.type == "lbnat") dst.Push(Json::Str(r.vip));
  j.Set("DestinationIps", dst);
  Json dports = Json::Array();
  if (r.type == "lbnat" && r.port != 0) dports.Push(Json::Int(r.port));
  j.Set("DestinationPorts", dports);
  j.Set("FlowTtl", Json::Int(kFlowTtl));
  if (!r.modify.empty()) j.Set("Modify", Json::Str(r.modify));
  if (r.withVipData) {
    j.Set("Vip", Json::Str(r.vip));
    j.Set("VipPort", Json::Int(r.port));
  }
  Json dips = Json::Array();
  for (const auto& d : r.dips) {
    Json o = Json::Object();
    o.Set("Ip", Json::Str(d.first));
    o.Set("Port", Json::Int(d.second));
    dips.Push(o);
  }
  j.Set("Dips", dips);
  return j;
}

}  // namespace

std::string VfpRuleKey(const std::string& portId, const std::string& ruleId) { return ToUpperAscii(portId) + "|" + ruleId; }

std::string VfpEndpointPortId(const std::string& endpointId) { return Derived(endpointId, 7); }
std::string VfpHostPortId(const std::string& networkId) { return Derived(networkId, 5); }

Json BuildVfpModel(const VfpSource& source, const std::set<std::string>& removed) {
  Json out = Json::Array();
  for (const Port& p : Build(source)) {
    Json port = Json::Object();
    port.Set("Id", Json::Str(p.id));
    port.Set("Name", Json::Str(p.name));
    port.Set("Kind", Json::Str(p.kind));
    if (!p.endpointId.empty()) port.Set("EndpointId", Json::Str(p.endpointId));
    port.Set("NetworkId", Json::Str(p.networkId));
    if (!p.mac.empty()) port.Set("MacAddress", Json::Str(p.mac));
    Json ips = Json::Array();
    for (const std::string& ip : p.ips) ips.Push(Json::Str(ip));
    port.Set("IpAddresses", ips);
    Json layers = Json::Array();
    for (const Layer& l : p.layers) {
      Json lj = Json::Object();
      lj.Set("Name", Json::Str(l.name));
      lj.Set("Priority", Json::Int(l.priority));
      lj.Set("Flags", Json::Int(0));
      Json groups = Json::Array();
      for (const Group& g : l.groups) {
        Json gj = Json::Object();
        gj.Set("Name", Json::Str(g.name));
        gj.Set("Priority", Json::Int(100));
        gj.Set("Direction", Json::Str(g.direction));
        gj.Set("Type", Json::Str(g.type));
        Json rules = Json::Array();
        for (const Rule& r : g.rules)
          if (removed.count(VfpRuleKey(p.id, r.id)) == 0) rules.Push(RuleJson(r));
        gj.Set("Rules", rules);
        groups.Push(gj);
      }
      lj.Set("Groups", groups);
      layers.Push(lj);
    }
    port.Set("Layers", layers);
    out.Push(port);
  }
  Json doc = Json::Object();
  doc.Set("ports", out);
  return doc;
}

bool VfpHasRule(const VfpSource& source, const std::string& portId, const std::string& ruleId) {
  for (const Port& p : Build(source)) {
    if (!EqualsIgnoreCase(p.id, portId)) continue;
    for (const Layer& l : p.layers)
      for (const Group& g : l.groups)
        for (const Rule& r : g.rules)
          if (r.id == ruleId) return true;
  }
  return false;
}

std::string VfpControl(HnsState& state, const std::string& op, const Json& req, bool* ok, bool* mutated) {
  *ok = false;
  *mutated = false;
  VfpSource src{state.Objects(Family::Network), state.Objects(Family::Endpoint), state.Objects(Family::LoadBalancer)};
  auto refuse = [](const std::string& why) {
    std::string out = "{\"ok\":false,\"error\":";
    AppendJsonString(why, &out);
    return out + "}";
  };
  if (op == "vfp") {
    Json doc = BuildVfpModel(src, state.vfpRemoved);
    doc.Set("ok", Json::Bool(true));
    *ok = true;
    return doc.Dump();
  }
  // vfpRemoveRule: {"port":"<port GUID>","rule":"<rule id>"}, as `vfpctrl /remove-rule` would.
  const Json* port = req.Find("port");
  const Json* rule = req.Find("rule");
  if (!port || !port->IsString() || !rule || !rule->IsString() || rule->AsString().empty())
    return refuse("\"port\" (a VFP port GUID) and \"rule\" (a rule ID) must be strings");
  const std::string key = VfpRuleKey(port->AsString(), rule->AsString());
  if (!VfpHasRule(src, port->AsString(), rule->AsString()) || state.vfpRemoved.count(key) != 0)
    return refuse("port " + port->AsString() + " has no rule " + rule->AsString());
  state.vfpRemoved.insert(key);
  *mutated = true;
  *ok = true;
  return "{\"ok\":true}";
}

}  // namespace sim
