// Endpoints: create rules (subnets, reserved and used addresses, allocation, MAC addresses).
#include "hns_state.h"

#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim_model.h"

namespace sim {

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

namespace {

// Subnets of a network: prefix, length, gateway (first route's NextHop, if any), and whether the
// gateway is reserved: it is unless the subnet's Flags carry DoNotReserveGatewayAddress (1, HNS schema
// SubnetFlags).
struct Subnet {
  IpAddress base;
  int length = 0;
  bool hasGateway = false;
  IpAddress gateway;
  bool reserveGateway = true;
  Json routes;
};

constexpr uint64_t kSubnetDoNotReserveGateway = 1;

std::vector<Subnet> SubnetsOf(const Json& network) {
  std::vector<Subnet> out;
  const Json* ipams = network.Find("Ipams");
  if (!ipams || !ipams->IsArray()) return out;
  for (const Json& ipam : ipams->Items()) {
    const Json* subnets = ipam.Find("Subnets");
    if (!subnets || !subnets->IsArray()) continue;
    for (const Json& s : subnets->Items()) {
      Subnet sn;
      if (!ParsePrefix(s.StringAt("IpAddressPrefix"), &sn.base, &sn.length)) continue;
      uint64_t subnetFlags = 0;
      const Json* fl = s.Find("Flags");
      if (fl && fl->GetUint64(&subnetFlags) && (subnetFlags & kSubnetDoNotReserveGateway)) sn.reserveGateway = false;
      const Json* routes = s.Find("Routes");
      if (routes && routes->IsArray()) {
        sn.routes = *routes;
        for (const Json& r : routes->Items()) {
          IpAddress gw;
          if (ParseIp(r.StringAt("NextHop"), &gw) && gw.family == sn.base.family) {
            sn.hasGateway = true;
            sn.gateway = gw;
            break;
          }
        }
      }
      out.push_back(sn);
    }
  }
  return out;
}

bool IsReservedInSubnet(const IpAddress& ip, const Subnet& s) {
  if (ip == s.base) return true;
  if (s.hasGateway && s.reserveGateway && ip == s.gateway) return true;
  if (ip.family == 4 && s.length < 31) {
    IpAddress broadcast = s.base;
    for (int bit = s.length; bit < 32; ++bit) broadcast.bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
    if (ip == broadcast) return true;
  }
  return false;
}

std::string MacFromIp(const IpAddress& ip, bool remote) {
  char buf[32];
  if (remote) {
    // kube-proxy's conjureMac for remote endpoints: 02-11-<IPv4 octets>, lower-case hex; an
    // IPv4-mapped IPv6 address counts as IPv4 (net.IP.To4); other IPv6: bytes 15, 14, 13, 12.
    const uint8_t* b = ip.bytes;
    bool mapped = ip.family == 6 && b[10] == 0xFF && b[11] == 0xFF;
    for (int i = 0; mapped && i < 10; ++i) mapped = b[i] == 0;
    if (ip.family == 4) {
      std::snprintf(buf, sizeof buf, "02-11-%02x-%02x-%02x-%02x", b[0], b[1], b[2], b[3]);
    } else if (mapped) {
      std::snprintf(buf, sizeof buf, "02-11-%02x-%02x-%02x-%02x", b[12], b[13], b[14], b[15]);
    } else {
      std::snprintf(buf, sizeof buf, "02-11-%02x-%02x-%02x-%02x", b[15], b[14], b[13], b[12]);
    }
  } else {
    const uint8_t* b = ip.bytes + (ip.family == 4 ? 1 : 13);
    std::snprintf(buf, sizeof buf, "00-15-5D-%02X-%02X-%02X", b[0], b[1], b[2]);
  }
  return buf;
}

bool ValidMac(const std::string& mac) {
  if (mac.size() != 17) return false;
  for (size_t i = 0; i < 17; ++i) {
    char c = mac[i];
    if (i % 3 == 2) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Outcome HnsState::CreateEndpoint(const std::string& id, Json in, const std::string& networkId) {
  Json* net = Find(Family::Network, networkId);
  if (!net) return Outcome::Fail(hr::kNetworkNotFound, "(network " + networkId + ")");
  const Json* named = in.Find("HostComputeNetwork");
  if (named && named->IsString() && !named->AsString().empty()) {
    std::string canon;
    if (!CanonicalGuid(named->AsString(), &canon) || canon != networkId)
      return Outcome::Fail(hr::kInvalidNetwork,
                           "(HostComputeNetwork does not name the network the endpoint is created in)");
  }
  in.Remove("HostComputeNamespace");  // read-only: set through the namespace
  uint64_t flags = 0;
  if (!IsUnsignedInRange(in.Find("Flags"), 0xFFFFFFFFu, &flags))
    return Outcome::Fail(hr::kInvalidArg, "(Flags)");
  const bool remote = (flags & kEndpointFlagRemote) != 0;
  Outcome policies = ValidatePolicies(in.Find("Policies"));
  if (!policies.ok()) return policies;

  const std::vector<Subnet> subnets = SubnetsOf(*net);
  // IPs used by the other local endpoints of this network: the localIps_ index (kept by Append
  // and Erase), plus the ones this request takes. Remote endpoints are not checked against them.
  const std::string networkKey = IdKey(networkId);
  std::set<std::string> taken;
  auto used = [&](const IpAddress& ip) {
    const std::string text = FormatIp(ip);
    return taken.count(text) != 0 || LocalIpInUse(networkKey, text);
  };

  Json cfgs = Json::Array();
  const Json* given = in.Find("IpConfigurations");
  if (given && !given->IsNull() && !given->IsArray())
    return Outcome::Fail(hr::kInvalidJson, "(IpConfigurations must be an array)");
  IpAddress firstIp;
  bool haveFirst = false;
  if (given && given->IsArray() && !given->Items().empty()) {
    for (const Json& c : given->Items()) {
      IpAddress ip;
      if (!c.IsObject() || !ValidIpString(c.Find("IpAddress"), &ip))
        return Outcome::Fail(hr::kInvalidIp, "(IpAddress \"" + (c.IsObject() ? c.StringAt("IpAddress") : std::string()) + "\")");
      uint64_t plen = 0;
      if (!IsUnsignedInRange(c.Find("PrefixLength"), ip.family == 4 ? 32 : 128, &plen))
        return Outcome::Fail(hr::kInvalidArg, "(PrefixLength)");
      Json cfg = c;
      if (!remote) {
        const Subnet* in_subnet = nullptr;
        for (const Subnet& s : subnets)
          if (InPrefix(ip, s.base, s.length)) in_subnet = &s;
        if (!in_subnet)
          return Outcome::Fail(hr::kInvalidIp, "(" + FormatIp(ip) + " is in no subnet of the network)");
        if (IsReservedInSubnet(ip, *in_subnet) || used(ip))
          return Outcome::Fail(hr::kAddrInvalidOrReserved, "(" + FormatIp(ip) + " is reserved or in use)");
        if (plen == 0) cfg.Set("PrefixLength", Json::Int(in_subnet->length));
        taken.insert(FormatIp(ip));
      }
      if (!haveFirst) {
        firstIp = ip;
        haveFirst = true;
      }
      cfgs.Push(cfg);
    }
  } else if (remote) {
    return Outcome::Fail(hr::kInvalidIp, "(a remote endpoint needs an IpConfigurations entry)");
  } else {
    // Allocate the first free address of the first IPv4 (else any) subnet.
    const Subnet* pick = nullptr;
    for (const Subnet& s : subnets)
      if (!pick || (pick->base.family != 4 && s.base.family == 4)) pick = &s;
    if (!pick) return Outcome::Fail(hr::kInvalidSubnet, "(the network has no subnet to allocate from)");
    const int hostBits = (pick->base.family == 4 ? 32 : 128) - pick->length;
    const uint64_t size = hostBits >= 20 ? (1u << 20) : (uint64_t{1} << hostBits);
    bool found = false;
    for (uint64_t k = 1; k < size; ++k) {
      IpAddress ip = OffsetIp(pick->base, k);
      if (IsReservedInSubnet(ip, *pick) || used(ip)) continue;
      Json cfg = Json::Object();
      cfg.Set("IpAddress", Json::Str(FormatIp(ip)));
      cfg.Set("PrefixLength", Json::Int(pick->length));
      cfgs.Push(cfg);
      firstIp = ip;
      haveFirst = true;
      found = true;
      break;
    }
    if (!found) return Outcome::Fail(hr::kAddrInvalidOrReserved, "(the subnet has no free address)");
  }
  const Json* mac = in.Find("MacAddress");
  if (mac && !mac->IsNull() && !(mac->IsString() && (mac->AsString().empty() || ValidMac(mac->AsString()))))
    return Outcome::Fail(hr::kInvalidArg, "(MacAddress must look like 00-15-5D-0A-00-0E)");
  if (!mac || !mac->IsString() || mac->AsString().empty())
    in.Set("MacAddress", Json::Str(MacFromIp(firstIp, remote)));
  in.Set("IpConfigurations", cfgs);
  if (!remote && !in.Find("Routes")) {
    for (const Subnet& s : subnets) {
      if (InPrefix(firstIp, s.base, s.length) && s.routes.IsArray()) {
        in.Set("Routes", s.routes);
        break;
      }
    }
  }
  Json obj = WithId(id, in);
  // Network reference right after the ID, canonical.
  obj.Remove("HostComputeNetwork");
  obj.Members().insert(obj.Members().begin() + 1, Json::Member("HostComputeNetwork", Json::Str(networkId)));
  Prune(&obj);
  Append(Family::Endpoint, std::move(obj));
  Outcome out;
  out.output = id;
  out.mutated = true;
  return out;
}

// Delete of an endpoint: refused while a load balancer uses it; detached from its namespace.
Outcome HnsState::PrepareDeleteEndpoint(const std::string& id) {
  for (const auto& entry : objects_[kLb].bySeq) {
    const Json& lb = entry.second;
    const Json* eps = lb.Find("HostComputeEndpoints");
    if (!eps || !eps->IsArray()) continue;
    for (const Json& e : eps->Items())
      if (EqualsIgnoreCase(e.AsString(), id))
        return Outcome::Fail(hr::kEntityHasReferences, "(load balancer " + lb.StringAt("ID") + " uses this endpoint)");
  }
  // An endpoint still in a namespace is detached from it (simulator choice).
  std::string ns = NamespaceOfEndpoint(id);
  if (!ns.empty()) {
    Json* nsObj = Find(Family::Namespace, ns);
    Json req = Json::Object();
    req.Set("ResourceType", Json::Str("Endpoint"));
    req.Set("RequestType", Json::Str("Remove"));
    Json s = Json::Object();
    s.Set("EndpointId", Json::Str(id));
    req.Set("Settings", s);
    Touch(Family::Namespace, ns);
    ModifyNamespace(nsObj, req);
  }
  return Outcome();
}

}  // namespace sim
