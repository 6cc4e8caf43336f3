// The simulated HNS object model and its rules (see README.md for every simulator choice).
#include "hns_state.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "encoding.h"
#include "ip_address.h"

namespace sim {

namespace {

constexpr int kNet = static_cast<int>(Family::Network);
constexpr int kEp = static_cast<int>(Family::Endpoint);
constexpr int kLb = static_cast<int>(Family::LoadBalancer);
constexpr int kNs = static_cast<int>(Family::Namespace);

constexpr int64_t kLbFlagDsr = 1;
constexpr int64_t kLbFlagIpv6 = 2;
constexpr int64_t kPortFlagIlb = 1;
constexpr int64_t kPortFlagLocalRoutedVip = 2;
constexpr int64_t kEndpointFlagRemote = 1;

const char* const kDefaultNetworkId = "6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001";
const char* const kDefaultEndpoint14 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000E";
const char* const kDefaultEndpoint15 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000F";

// The key of an ID in the per-family index: upper case, so that key equality is exactly
// EqualsIgnoreCase (ASCII letters only).
std::string IdKey(const std::string& id) { return ToUpperAscii(id); }

// An object's ID without copying it (StringAt returns a copy).
const std::string& IdOf(const Json& o) {
  static const std::string kEmpty;
  const Json* v = o.Find("ID");
  return v && v->IsString() ? v->AsString() : kEmpty;
}

Json SchemaV2() {
  Json v = Json::Object();
  v.Set("Major", Json::Int(2));
  v.Set("Minor", Json::Int(0));
  return v;
}

// Go-style omitempty over a stored object: drops null, "", [], 0 and false everywhere except
// inside SchemaVersion, as hcsshim never sends (and HNS never shows) such zero values.
void Prune(Json* v) {
  if (v->IsArray()) {
    for (Json& item : v->Items()) Prune(&item);
    return;
  }
  if (!v->IsObject()) return;
  auto& members = v->Members();
  for (size_t i = 0; i < members.size();) {
    Json& child = members[i].second;
    if (members[i].first != "SchemaVersion") Prune(&child);
    bool zero = false;
    if (members[i].first == "SchemaVersion") {
      zero = false;
    } else if (child.IsNull()) {
      zero = true;
    } else if (child.IsString()) {
      zero = child.AsString().empty();
    } else if (child.IsArray()) {
      zero = child.Items().empty();
    } else if (child.IsBool()) {
      zero = !child.AsBool();
    } else if (child.IsNumber()) {
      zero = child.AsDouble() == 0;
    }
    if (zero) {
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

bool ParseObject(const std::string& text, Json* out, Outcome* fail) {
  std::string why;
  if (!ParseJson(text, out, &why)) {
    *fail = Outcome::Fail(hr::kInvalidJson, "(" + why + ")");
    return false;
  }
  if (!out->IsObject()) {
    *fail = Outcome::Fail(hr::kInvalidJson, "(expected a JSON object)");
    return false;
  }
  return true;
}

// A fresh object: ID first, then the members as sent (minus ID), then SchemaVersion if missing.
Json WithId(const std::string& id, const Json& in) {
  Json out = Json::Object();
  out.Set("ID", Json::Str(id));
  for (const Json::Member& m : in.Members()) {
    if (EqualsIgnoreCase(m.first, "ID")) continue;
    out.Members().push_back(m);
  }
  if (!out.Find("SchemaVersion")) out.Set("SchemaVersion", SchemaV2());
  return out;
}

bool IsUnsignedInRange(const Json* v, uint64_t max, uint64_t* out) {
  if (!v) {
    *out = 0;
    return true;
  }
  if (v->IsNull()) {
    *out = 0;
    return true;
  }
  return v->GetUint64(out) && *out <= max;
}

// Compact list of the object IDs of a family as a JSON array.
std::string IdArray(const std::vector<std::string>& ids) {
  Json arr = Json::Array();
  for (const std::string& id : ids) arr.Push(Json::Str(id));
  return arr.Dump();
}

// Same hex shape as `id` with every digit rotated by `salt`: a stable derived GUID for detail
// output (endpoint port GUIDs and the like) without storing anything extra.
std::string DerivedGuid(const std::string& id, int salt) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = id;
  for (char& c : out) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v >= 0) c = kHex[(v + salt) & 15];
  }
  return out;
}

bool JsonValueMatches(const Json& have, const Json& want) {
  if (have.IsArray()) {
    for (const Json& item : have.Items())
      if (JsonValueMatches(item, want)) return true;
    return false;
  }
  if (want.IsString() && have.IsString()) {
    const std::string& a = have.AsString();
    const std::string& b = want.AsString();
    if (a == b) return true;
    std::string ga, gb;
    if (CanonicalGuid(a, &ga) && CanonicalGuid(b, &gb)) return ga == gb;
    IpAddress ia, ib;
    if (ParseIp(a, &ia) && ParseIp(b, &ib)) return ia == ib;
    return false;
  }
  if (want.IsNumber() && have.IsNumber()) return want.AsDouble() == have.AsDouble();
  if (want.IsBool() && have.IsBool()) return want.AsBool() == have.AsBool();
  if (want.IsNull()) return have.IsNull();
  return have.Dump() == want.Dump();
}

struct ParsedQuery {
  bool detailed = false;
  Json filter = Json::Object();
};

bool ParseQuery(const std::string& text, ParsedQuery* out, Outcome* fail) {
  // A null or empty query is taken as the default query (simulator choice).
  if (text.empty()) return true;
  Json q;
  if (!ParseObject(text, &q, fail)) return false;
  const Json* flags = q.Find("Flags");
  uint64_t f = 0;
  if (flags && !flags->IsNull()) {
    if (!flags->GetUint64(&f)) {
      *fail = Outcome::Fail(hr::kInvalidJson, "(Flags must be a number)");
      return false;
    }
  }
  out->detailed = (f & 1) != 0;
  const Json* filter = q.Find("Filter");
  if (filter && filter->IsString() && !filter->AsString().empty()) {
    Json parsed;
    std::string why;
    if (!ParseJson(filter->AsString(), &parsed, &why) || !(parsed.IsObject() || parsed.IsNull())) {
      *fail = Outcome::Fail(hr::kInvalidJson, "(Filter is not a JSON object: " + why + ")");
      return false;
    }
    if (parsed.IsObject()) out->filter = parsed;
  } else if (filter && filter->IsObject()) {
    out->filter = *filter;  // lenient: a filter object instead of a string (simulator choice)
  } else if (filter && !filter->IsNull() && !filter->IsString()) {
    *fail = Outcome::Fail(hr::kInvalidJson, "(Filter must be a string)");
    return false;
  }
  return true;
}

bool MatchesFilter(Family f, const Json& object, const Json& filter) {
  for (const Json::Member& cond : filter.Members()) {
    const std::string& key = cond.first;
    if (f == Family::Endpoint && (EqualsIgnoreCase(key, "VirtualNetwork") ||
                                  EqualsIgnoreCase(key, "HostComputeNetwork"))) {
      const Json* net = object.Find("HostComputeNetwork");
      if (!net || !JsonValueMatches(*net, cond.second)) return false;
      continue;
    }
    if (f == Family::Endpoint && EqualsIgnoreCase(key, "IpAddress")) {
      const Json* cfgs = object.Find("IpConfigurations");
      bool any = false;
      if (cfgs && cfgs->IsArray()) {
        for (const Json& c : cfgs->Items()) {
          const Json* ip = c.Find("IpAddress");
          if (ip && JsonValueMatches(*ip, cond.second)) any = true;
        }
      }
      if (!any) return false;
      continue;
    }
    const Json* have = object.Find(key);
    if (!have || !JsonValueMatches(*have, cond.second)) return false;
  }
  return true;
}

std::string VersionText(const HnsVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

Outcome FeatureRefused(const char* feature, const HnsVersion& v) {
  return Outcome::FailText(hr::kRequestUnsupported, std::string("platform does not support feature ") +
                                                        feature + " (HNS version " + VersionText(v) + ")");
}

bool ValidIpString(const Json* v, IpAddress* out) {
  return v && v->IsString() && ParseIp(v->AsString(), out);
}

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

// Subnets of a network: prefix, length, gateway (first route's NextHop, if any).
struct Subnet {
  IpAddress base;
  int length = 0;
  bool hasGateway = false;
  IpAddress gateway;
  Json routes;
};

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
  if (s.hasGateway && ip == s.gateway) return true;
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
    // kube-proxy's convention for remote endpoints: 02-11-<IPv4 octets> (IPv6: bytes 15,14,13,12).
    const uint8_t* b = ip.bytes;
    if (ip.family == 4) {
      std::snprintf(buf, sizeof buf, "02-11-%02X-%02X-%02X-%02X", b[0], b[1], b[2], b[3]);
    } else {
      std::snprintf(buf, sizeof buf, "02-11-%02X-%02X-%02X-%02X", b[15], b[14], b[13], b[12]);
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

Json DefaultNetwork() {
  const char* text =
      R"({"ID":"6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001","Name":"vxlan0","Type":"Overlay",)"
      R"("ManagementIP":"10.231.111.97",)"
      R"("Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.0.0.0/24",)"
      R"("Policies":[{"Type":"VSID","Settings":{"IsolationId":4096}}],)"
      R"("Routes":[{"NextHop":"10.0.0.1","DestinationPrefix":"0.0.0.0/0"}]}]}],)"
      R"("Policies":[{"Type":"ProviderAddress","Settings":{"ProviderAddress":"10.231.111.97"}},)"
      R"({"Type":"RemoteSubnetRoute","Settings":{"DestinationPrefix":"10.0.1.0/24","IsolationId":4096,)"
      R"("ProviderAddress":"10.231.111.98","DistributedRouterMacAddress":"01-02-03-04-05-06"}}],)"
      R"("MacPool":{"Ranges":[{"StartMacAddress":"00-15-5D-0A-00-00","EndMacAddress":"00-15-5D-0A-FF-FF"}]},)"
      R"("Dns":{"ServerList":["10.0.0.10"]},)"
      R"("SchemaVersion":{"Major":2,"Minor":0}})";
  Json j;
  ParseJson(text, &j, nullptr);
  return j;
}

Json DefaultEndpoint(const char* id, const char* name, const char* ip, const char* mac) {
  std::string text = std::string(R"({"ID":")") + id + R"(","Name":")" + name +
                     R"(","HostComputeNetwork":")" + kDefaultNetworkId +
                     R"(","IpConfigurations":[{"IpAddress":")" + ip +
                     R"(","PrefixLength":24}],"MacAddress":")" + mac +
                     R"(","Routes":[{"NextHop":"10.0.0.1","DestinationPrefix":"0.0.0.0/0"}],)"
                     R"("Dns":{"ServerList":["10.0.0.10"]},"SchemaVersion":{"Major":2,"Minor":0}})";
  Json j;
  ParseJson(text, &j, nullptr);
  return j;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Errors

Outcome Outcome::Fail(HRESULT h, const std::string& detail) {
  Outcome o;
  o.hr = h;
  o.error = HresultText(h);
  if (!detail.empty()) o.error += " " + detail;
  return o;
}

Outcome Outcome::FailText(HRESULT h, const std::string& text) {
  Outcome o;
  o.hr = h;
  o.error = text;
  return o;
}

std::string HresultText(HRESULT h) {
  switch (static_cast<uint32_t>(h)) {
    case 0x80004001u: return "Not implemented";
    case 0x80004003u: return "Invalid pointer";
    case 0x80004005u: return "Unspecified error";
    case 0x8000FFFFu: return "Catastrophic failure";
    case 0x8007000Eu: return "Not enough memory resources are available to complete this operation.";
    case 0x80070057u: return "The parameter is incorrect.";
    case 0x80070006u: return "The handle is invalid.";
    case 0x80070005u: return "Access is denied.";
    case 0x8007000Du: return "The data is invalid.";
    case 0x800700B7u: return "Cannot create a file when that file already exists.";
    case 0x80070490u: return "Element not found.";
    case 0x80071392u: return "The object already exists.";
    case 0x80070426u: return "The service has not been started.";
    case 0x800705B4u: return "This operation returned because the timeout period expired.";
    case 0x803B0001u: return "The network was not found.";
    case 0x803B0002u: return "The endpoint was not found.";
    case 0x803B0007u: return "The switch-port was not found.";
    case 0x803B0008u: return "The policy was not found.";
    case 0x803B000Au: return "The network is not valid.";
    case 0x803B000Bu: return "The network type is not valid.";
    case 0x803B000Cu: return "The endpoint is not valid.";
    case 0x803B000Du: return "The policy is not valid.";
    case 0x803B000Eu: return "The policy type is not valid.";
    case 0x803B000Fu: return "This operation is not valid on a remote endpoint.";
    case 0x803B0010u: return "The network already exists.";
    case 0x803B0012u: return "The policy already exists.";
    case 0x803B0013u: return "The specified port already exists.";
    case 0x803B0015u: return "The request is not supported.";
    case 0x803B0019u: return "The GUID conversion failed.";
    case 0x803B001Bu: return "The JSON document is invalid.";
    case 0x803B001Cu: return "The reference is invalid in the JSON document. A Reference is required.";
    case 0x803B001Eu: return "The IP address is either invalid or not part of any configured subnet(s).";
    case 0x803B0020u: return "The network manager has stopped.";
    case 0x803B002Bu: return "The endpoint is already attached to a namespace.";
    case 0x803B002Cu: return "The entity has references and cannot be deleted.";
    case 0x803B002Du: return "The internal port must exist and cannot be zero.";
    case 0x803B002Fu: return "An address provided is invalid or reserved.";
    case 0x803B0030u: return "The prefix is not valid.";
    case 0x803B0032u: return "The subnet is not valid.";
    case 0x803B0034u: return "The endpoint is not attached.";
    default: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "Simulated failure 0x%08X.", static_cast<unsigned>(h));
      return buf;
    }
  }
}

std::string ErrorRecordJson(HRESULT h, const std::string& text) {
  std::string out = "{\"Success\":false,\"Error\":";
  AppendJsonString(text + " ", &out);
  out += ",\"ErrorCode\":" + std::to_string(static_cast<uint32_t>(h)) + "}";
  return out;
}

HRESULT NotFoundCode(Family f) {
  switch (f) {
    case Family::Network: return hr::kNetworkNotFound;
    case Family::Endpoint: return hr::kEndpointNotFound;
    default: return hr::kNotFound;
  }
}

const char* FamilyNoun(Family f) {
  switch (f) {
    case Family::Network: return "network";
    case Family::Endpoint: return "endpoint";
    case Family::LoadBalancer: return "load balancer";
    case Family::Namespace: return "namespace";
  }
  return "object";
}

// ---------------------------------------------------------------------------------------------
// Version gates (hcsshim/hnslib feature table; ModifyLoadbalancer per hnslib)

bool HnsState::SupportsDsr() const {
  return (version.major == 9 && version.minor >= 3) || (version.major == 10 && version.minor >= 2) ||
         version.major > 10;
}
bool HnsState::SupportsIpv6() const {
  return version.major > 11 || (version.major == 11 && version.minor >= 10);
}
bool HnsState::SupportsSessionAffinity() const { return version.major >= 12; }
bool HnsState::SupportsModifyLoadBalancer() const {
  return (version.major == 15 && version.minor >= 5) || version.major >= 16;
}

// ---------------------------------------------------------------------------------------------
// State document

void HnsState::SetDefault() {
  version = HnsVersion();
  SetDefaultTopology();
}

void HnsState::SetDefaultTopology() {
  Clear();
  Append(Family::Network, DefaultNetwork());
  Append(Family::Endpoint, DefaultEndpoint(kDefaultEndpoint14, "pod1", "10.0.0.14", "00-15-5D-0A-00-0E"));
  Append(Family::Endpoint, DefaultEndpoint(kDefaultEndpoint15, "pod2", "10.0.0.15", "00-15-5D-0A-00-0F"));
  nextNamespaceId = 2;
}

namespace {
const char* const kListNames[hcn::kFamilyCount] = {"Networks", "Endpoints", "LoadBalancers", "Namespaces"};
}

Json HnsState::ToJson() const {
  Json doc = Json::Object();
  doc.Set("Format", Json::Str("hcn-sdk-simulator-state"));
  doc.Set("FormatVersion", Json::Int(1));
  Json v = Json::Object();
  v.Set("Major", Json::Int(version.major));
  v.Set("Minor", Json::Int(version.minor));
  doc.Set("Version", v);
  doc.Set("NextNamespaceId", Json::Uint(nextNamespaceId));
  for (int f = 0; f < hcn::kFamilyCount; ++f) {
    Json arr = Json::Array();
    for (const auto& entry : objects_[f].bySeq) arr.Push(entry.second);
    doc.Set(kListNames[f], arr);
  }
  return doc;
}

bool HnsState::FromJson(const Json& doc, std::string* error) {
  if (!doc.IsObject() || doc.StringAt("Format") != "hcn-sdk-simulator-state") {
    *error = "not a simulator state file";
    return false;
  }
  if (doc.IntAt("FormatVersion") != 1) {
    *error = "unsupported state file FormatVersion";
    return false;
  }
  HnsState next;
  const Json* v = doc.Find("Version");
  if (v && v->IsObject()) {
    next.version.major = static_cast<int>(v->IntAt("Major"));
    next.version.minor = static_cast<int>(v->IntAt("Minor"));
  }
  uint64_t nextNs = 2;
  const Json* n = doc.Find("NextNamespaceId");
  if (n && n->GetUint64(&nextNs)) next.nextNamespaceId = nextNs;
  for (int f = 0; f < hcn::kFamilyCount; ++f) {
    const Json* arr = doc.Find(kListNames[f]);
    if (!arr) continue;
    if (!arr->IsArray()) {
      *error = std::string(kListNames[f]) + " is not an array";
      return false;
    }
    for (const Json& o : arr->Items()) {
      std::string id;
      if (!o.IsObject() || !CanonicalGuid(o.StringAt("ID"), &id)) {
        *error = std::string(kListNames[f]) + " holds an object without a valid ID";
        return false;
      }
      next.Append(static_cast<Family>(f), o);
    }
  }
  *this = std::move(next);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Storage and indexes. Every object enters through Append and leaves through Erase, and a load
// balancer is replaced only by Modify (Erase-free: Unindex + Index around the replacement), so the
// indexes follow every change; a state (re)load builds a fresh HnsState through Append.

void HnsState::Clear() {
  for (Store& store : objects_) store = Store();
  lbFrontends_.clear();
  lbPorts_.clear();
}

uint64_t HnsState::Append(Family f, Json obj) {
  Store& store = objects_[static_cast<int>(f)];
  const uint64_t seq = nextSeq_++;
  // The first object with an ID stays the one Find returns (as the linear scan did).
  if (!store.byId.emplace(IdKey(IdOf(obj)), seq).second) store.duplicateIds = true;
  const Json& stored = store.bySeq.emplace(seq, std::move(obj)).first->second;
  if (f == Family::LoadBalancer) IndexLoadBalancer(seq, stored);
  return seq;
}

void HnsState::Erase(Family f, uint64_t seq) {
  Store& store = objects_[static_cast<int>(f)];
  auto it = store.bySeq.find(seq);
  if (it == store.bySeq.end()) return;
  if (f == Family::LoadBalancer) UnindexLoadBalancer(seq);
  const std::string key = IdKey(IdOf(it->second));
  store.bySeq.erase(it);
  auto idIt = store.byId.find(key);
  if (idIt == store.byId.end() || idIt->second != seq) return;
  store.byId.erase(idIt);
  if (!store.duplicateIds) return;
  for (const auto& entry : store.bySeq) {
    if (IdKey(IdOf(entry.second)) == key) {
      store.byId.emplace(key, entry.first);
      break;
    }
  }
}

bool HnsState::Locate(Family f, const std::string& id, uint64_t* seq) const {
  const Store& store = objects_[static_cast<int>(f)];
  auto it = store.byId.find(IdKey(id));
  if (it == store.byId.end()) return false;
  *seq = it->second;
  return true;
}

// Delete removes the last object with the ID (what its scan did); only a state file with
// duplicate IDs makes that differ from Locate.
bool HnsState::LocateLast(Family f, const std::string& id, uint64_t* seq) const {
  const Store& store = objects_[static_cast<int>(f)];
  if (!store.duplicateIds) return Locate(f, id, seq);
  bool found = false;
  for (const auto& entry : store.bySeq) {
    if (EqualsIgnoreCase(IdOf(entry.second), id)) {
      *seq = entry.first;
      found = true;
    }
  }
  return found;
}

Json* HnsState::Find(Family f, const std::string& id) {
  uint64_t seq = 0;
  if (!Locate(f, id, &seq)) return nullptr;
  return &objects_[static_cast<int>(f)].bySeq.at(seq);
}

void HnsState::IndexLoadBalancer(uint64_t seq, const Json& lb) {
  LbFrontend fe;
  fe.key = IdKey(IdOf(lb));
  const Json* fv = lb.Find("FrontendVIPs");
  if (fv && fv->IsArray()) {
    for (const Json& v : fv->Items()) {
      IpAddress ip;
      if (ParseIp(v.AsString(), &ip)) fe.vips.insert(FormatIp(ip));
    }
  }
  fe.allNodeIps = fe.vips.empty();
  const Json* pms = lb.Find("PortMappings");
  if (pms && pms->IsArray()) {
    for (const Json& pm : pms->Items())
      fe.ports.emplace_back(static_cast<uint64_t>(pm.IntAt("Protocol")), static_cast<uint64_t>(pm.IntAt("ExternalPort")));
  }
  for (const auto& port : fe.ports) {
    PortSlot& slot = lbPorts_[port];
    if (fe.allNodeIps) {
      slot.all.insert(seq);
    } else {
      for (const std::string& vip : fe.vips) slot.byVip[vip].insert(seq);
    }
  }
  lbFrontends_[seq] = std::move(fe);
}

void HnsState::UnindexLoadBalancer(uint64_t seq) {
  auto it = lbFrontends_.find(seq);
  if (it == lbFrontends_.end()) return;
  const LbFrontend& fe = it->second;
  for (const auto& port : fe.ports) {
    auto slotIt = lbPorts_.find(port);
    if (slotIt == lbPorts_.end()) continue;
    PortSlot& slot = slotIt->second;
    slot.all.erase(seq);
    for (const std::string& vip : fe.vips) {
      auto vipIt = slot.byVip.find(vip);
      if (vipIt == slot.byVip.end()) continue;
      vipIt->second.erase(seq);
      if (vipIt->second.empty()) slot.byVip.erase(vipIt);
    }
    if (slot.all.empty() && slot.byVip.empty()) lbPorts_.erase(slotIt);
  }
  lbFrontends_.erase(it);
}

std::string HnsState::NamespaceOfEndpoint(const std::string& endpointId) const {
  for (const auto& entry : objects_[kNs].bySeq) {
    const Json& ns = entry.second;
    const Json* res = ns.Find("Resources");
    if (!res || !res->IsArray()) continue;
    for (const Json& r : res->Items()) {
      if (!EqualsIgnoreCase(r.StringAt("Type"), "Endpoint")) continue;
      const Json* data = r.Find("Data");
      if (data && EqualsIgnoreCase(data->StringAt("ID"), endpointId)) return ns.StringAt("ID");
    }
  }
  return std::string();
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

Json HnsState::Present(Family f, const Json& object, bool detailed) const {
  Json out = object;
  const std::string id = object.StringAt("ID");
  if (f == Family::Endpoint) {
    std::string ns = NamespaceOfEndpoint(id);
    if (!ns.empty()) out.Set("HostComputeNamespace", Json::Str(ns));
  }
  if (!detailed) return out;
  // Detailed (Flags 1): HNS adds its resource allocators; the simulator shows a small, stable
  // subset of them (simulator choice, see README).
  Json allocators = Json::Array();
  if (f == Family::Endpoint) {
    Json a = Json::Object();
    a.Set("Tag", Json::Str("Endpoint Port"));
    a.Set("EndpointPortGuid", Json::Str(DerivedGuid(id, 7)));
    allocators.Push(a);
  } else if (f == Family::Network) {
    Json a = Json::Object();
    a.Set("Tag", Json::Str("Host Vnic"));
    a.Set("EndpointPortGuid", Json::Str(DerivedGuid(id, 5)));
    allocators.Push(a);
  } else if (f == Family::LoadBalancer) {
    const bool dsr = (object.IntAt("Flags") & kLbFlagDsr) != 0;
    const Json* pms = object.Find("PortMappings");
    if (pms && pms->IsArray()) {
      for (const Json& pm : pms->Items()) {
        const int64_t pf = pm.IntAt("Flags");
        Json a = Json::Object();
        a.Set("Tag", Json::Str(dsr ? "VFP ELB Policy" : "VFP ELB Policy Non Dsr"));
        a.Set("IsPolicy", Json::Bool(true));
        a.Set("IsDSR", Json::Bool(dsr));
        a.Set("ILB", Json::Bool((pf & kPortFlagIlb) != 0));
        a.Set("LocalRoutedVip", Json::Bool((pf & kPortFlagLocalRoutedVip) != 0));
        a.Set("Protocol", Json::Int(pm.IntAt("Protocol")));
        a.Set("InternalPort", Json::Int(pm.IntAt("InternalPort")));
        a.Set("ExternalPort", Json::Int(pm.IntAt("ExternalPort")));
        std::string src = object.StringAt("SourceVIP");
        if (!src.empty()) a.Set("SourceVip", Json::Str(src));
        const Json* vips = object.Find("FrontendVIPs");
        if (vips && vips->IsArray()) {
          for (size_t i = 0; i < vips->Items().size(); ++i)
            a.Set("VIP_" + std::to_string(i), vips->Items()[i]);
        }
        a.Set("State", Json::Int(3));
        allocators.Push(a);
      }
    }
  }
  if (!allocators.Items().empty()) {
    Json resources = Json::Object();
    resources.Set("Allocators", allocators);
    out.Set("Resources", resources);
  }
  out.Set("State", Json::Int(1));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verbs

Outcome HnsState::Enumerate(Family f, const std::string& query) {
  ParsedQuery q;
  Outcome fail;
  if (!ParseQuery(query, &q, &fail)) return fail;
  std::vector<std::string> ids;
  ids.reserve(Count(f));
  for (const auto& entry : objects_[static_cast<int>(f)].bySeq) {
    const Json& o = entry.second;
    if (q.filter.Members().empty() || MatchesFilter(f, Present(f, o, false), q.filter))
      ids.push_back(o.StringAt("ID"));
  }
  Outcome out;
  out.output = IdArray(ids);
  return out;
}

Outcome HnsState::CheckExists(Family f, const std::string& id) {
  if (!Find(f, id)) return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  return Outcome();
}

Outcome HnsState::Query(Family f, const std::string& id, const std::string& query) {
  ParsedQuery q;
  Outcome fail;
  if (!ParseQuery(query, &q, &fail)) return fail;
  Json* o = Find(f, id);
  if (!o) return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  Outcome out;
  out.output = Present(f, *o, q.detailed).Dump();
  return out;
}

Outcome HnsState::Create(Family f, const std::string& requestedId, const std::string& settings,
                         const std::string& networkId) {
  Json in;
  Outcome fail;
  if (!ParseObject(settings, &in, &fail)) return fail;
  std::string id = requestedId;
  if (!id.empty() && Find(f, id)) {
    return f == Family::Network
               ? Outcome::Fail(hr::kNetworkAlreadyExists, "(" + id + ")")
               : Outcome::Fail(hr::kAlreadyExists, "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  }
  if (id.empty()) {
    do {
      id = NewGuidString();
    } while (Find(f, id));
  }
  switch (f) {
    case Family::Network: return CreateNetwork(id, std::move(in));
    case Family::Endpoint: return CreateEndpoint(id, std::move(in), networkId);
    case Family::LoadBalancer: return CreateLoadBalancer(id, std::move(in));
    case Family::Namespace: return CreateNamespace(id, std::move(in));
  }
  return Outcome::Fail(hr::kUnexpected, "");
}

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
  // IPs used by the other local endpoints of this network.
  std::set<std::string> used;
  for (const auto& entry : objects_[kEp].bySeq) {
    const Json& ep = entry.second;
    if (!EqualsIgnoreCase(ep.StringAt("HostComputeNetwork"), networkId)) continue;
    if (ep.IntAt("Flags") & kEndpointFlagRemote) continue;
    const Json* cfgs = ep.Find("IpConfigurations");
    if (!cfgs || !cfgs->IsArray()) continue;
    for (const Json& c : cfgs->Items()) {
      IpAddress ip;
      if (ParseIp(c.StringAt("IpAddress"), &ip)) used.insert(FormatIp(ip));
    }
  }

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
        if (IsReservedInSubnet(ip, *in_subnet) || used.count(FormatIp(ip)))
          return Outcome::Fail(hr::kAddrInvalidOrReserved, "(" + FormatIp(ip) + " is reserved or in use)");
        if (plen == 0) cfg.Set("PrefixLength", Json::Int(in_subnet->length));
        used.insert(FormatIp(ip));
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
      if (IsReservedInSubnet(ip, *pick) || used.count(FormatIp(ip))) continue;
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
      if (!IsUnsignedInRange(pm.Find("Protocol"), 255, &protocol))
        return Outcome::Fail(hr::kInvalidArg, "(Protocol)");
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

Outcome HnsState::CreateNamespace(const std::string& id, Json in) {
  const Json* type = in.Find("Type");
  if (type && !type->IsNull()) {
    bool known = false;
    for (const char* t : {"Host", "HostDefault", "Guest", "GuestDefault"})
      if (type->IsString() && EqualsIgnoreCase(type->AsString(), t)) known = true;
    if (!known) return Outcome::Fail(hr::kInvalidArg, "(namespace Type must be Host, HostDefault, Guest or GuestDefault)");
  } else {
    in.Set("Type", Json::Str("Host"));
  }
  const Json* res = in.Find("Resources");
  if (res && !res->IsNull()) {
    if (!res->IsArray()) return Outcome::Fail(hr::kInvalidJson, "(Resources must be an array)");
    Json fixed = Json::Array();
    for (const Json& r : res->Items()) {
      if (!r.IsObject()) return Outcome::Fail(hr::kInvalidJson, "(a namespace resource must be an object)");
      Json copy = r;
      if (EqualsIgnoreCase(r.StringAt("Type"), "Endpoint")) {
        const Json* data = r.Find("Data");
        std::string epId;
        if (!data || !CanonicalGuid(data->StringAt("ID"), &epId))
          return Outcome::Fail(hr::kInvalidJsonReference, "(endpoint resource without a valid Data.ID)");
        if (!Find(Family::Endpoint, epId)) return Outcome::Fail(hr::kEndpointNotFound, "(endpoint " + epId + ")");
        if (!NamespaceOfEndpoint(epId).empty())
          return Outcome::Fail(hrx::kEndpointNamespaceAlreadyExists, "(endpoint " + epId + ")");
        Json d = *data;
        d.Set("ID", Json::Str(epId));
        copy.Set("Data", d);
      }
      fixed.Push(copy);
    }
    in.Set("Resources", fixed);
  }
  uint64_t nsId = 0;
  if (!IsUnsignedInRange(in.Find("NamespaceId"), 0xFFFFFFFFu, &nsId))
    return Outcome::Fail(hr::kInvalidArg, "(NamespaceId)");
  if (nsId == 0) in.Set("NamespaceId", Json::Uint(nextNamespaceId++));
  Json obj = WithId(id, in);
  Prune(&obj);
  Append(Family::Namespace, std::move(obj));
  Outcome out;
  out.output = id;
  out.mutated = true;
  return out;
}

Outcome HnsState::Modify(Family f, const std::string& id, const std::string& settings) {
  Json* o = Find(f, id);
  if (!o) return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  Json in;
  Outcome fail;
  if (!ParseObject(settings, &in, &fail)) return fail;
  if (f == Family::LoadBalancer) {
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
  if (f == Family::Namespace) return ModifyNamespace(o, in);
  return ModifyPolicies(o, in);
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

Outcome HnsState::ModifyNamespace(Json* ns, const Json& request) {
  const std::string resource = request.StringAt("ResourceType");
  const std::string kind = request.StringAt("RequestType");
  if (!EqualsIgnoreCase(resource, "Endpoint"))
    return Outcome::Fail(hr::kRequestUnsupported, "(namespace ResourceType \"" + resource + "\" is not modelled by the simulator; use \"Endpoint\")");
  const Json* settings = request.Find("Settings");
  std::string epId;
  if (!settings || !CanonicalGuid(settings->StringAt("EndpointId"), &epId))
    return Outcome::Fail(hr::kInvalidJsonReference, "(Settings.EndpointId must be an endpoint GUID)");
  if (!Find(Family::Endpoint, epId)) return Outcome::Fail(hr::kEndpointNotFound, "(endpoint " + epId + ")");
  const std::string nsId = ns->StringAt("ID");
  const std::string current = NamespaceOfEndpoint(epId);
  Json resources = ns->Find("Resources") && ns->Find("Resources")->IsArray() ? *ns->Find("Resources") : Json::Array();
  if (EqualsIgnoreCase(kind, "Add")) {
    if (!current.empty()) return Outcome::Fail(hrx::kEndpointNamespaceAlreadyExists, "(endpoint " + epId + " is in namespace " + current + ")");
    Json r = Json::Object();
    r.Set("Type", Json::Str("Endpoint"));
    Json data = Json::Object();
    data.Set("ID", Json::Str(epId));
    r.Set("Data", data);
    resources.Push(r);
  } else if (EqualsIgnoreCase(kind, "Remove")) {
    if (!EqualsIgnoreCase(current, nsId)) return Outcome::Fail(hrx::kEndpointNotAttached, "(endpoint " + epId + " is not in this namespace)");
    auto& items = resources.Items();
    for (size_t i = 0; i < items.size(); ++i) {
      const Json* data = items[i].Find("Data");
      if (EqualsIgnoreCase(items[i].StringAt("Type"), "Endpoint") && data && EqualsIgnoreCase(data->StringAt("ID"), epId)) {
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  } else {
    return Outcome::Fail(hr::kInvalidArg, "(RequestType must be Add or Remove)");
  }
  ns->Set("Resources", resources);
  Prune(ns);
  Outcome out;
  out.mutated = true;
  return out;
}

Outcome HnsState::Delete(Family f, const std::string& id) {
  uint64_t seq = 0;
  if (!LocateLast(f, id, &seq))
    return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  Outcome out;
  if (f == Family::Network) {
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
    out.notices.push_back({notify::kNetworkDelete, "{\"ID\":\"" + objects_[kNet].bySeq.at(seq).StringAt("ID") + "\"}"});
  } else if (f == Family::Endpoint) {
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
      ModifyNamespace(nsObj, req);
    }
  }
  Erase(f, seq);
  out.mutated = true;
  return out;
}

// ---------------------------------------------------------------------------------------------
// HNS v1 (vmcompute.dll!HNSCall)

Json HnsState::PolicyList(const Json& lb) const {
  Json pl = Json::Object();
  pl.Set("ID", Json::Str(lb.StringAt("ID")));
  Json refs = Json::Array();
  const Json* eps = lb.Find("HostComputeEndpoints");
  if (eps && eps->IsArray())
    for (const Json& e : eps->Items()) refs.Push(Json::Str("/endpoints/" + e.AsString()));
  pl.Set("References", refs);
  Json policies = Json::Array();
  const bool dsr = (lb.IntAt("Flags") & kLbFlagDsr) != 0;
  const Json* pms = lb.Find("PortMappings");
  if (pms && pms->IsArray()) {
    for (const Json& pm : pms->Items()) {
      Json p = Json::Object();
      p.Set("Type", Json::Str("ELB"));
      if (pm.IntAt("Protocol") != 0) p.Set("Protocol", Json::Int(pm.IntAt("Protocol")));
      p.Set("InternalPort", Json::Int(pm.IntAt("InternalPort")));
      p.Set("ExternalPort", Json::Int(pm.IntAt("ExternalPort")));
      const std::string src = lb.StringAt("SourceVIP");
      if (!src.empty()) p.Set("SourceVIP", Json::Str(src));
      const Json* vips = lb.Find("FrontendVIPs");
      p.Set("VIPs", vips && vips->IsArray() ? *vips : Json::Array());
      p.Set("ILB", Json::Bool((pm.IntAt("Flags") & kPortFlagIlb) != 0));
      if (pm.IntAt("Flags") & kPortFlagLocalRoutedVip) p.Set("LocalRoutedVip", Json::Bool(true));
      p.Set("IsDSR", Json::Bool(dsr));
      policies.Push(p);
    }
  }
  pl.Set("Policies", policies);
  return pl;
}

Outcome HnsState::HnsCall(const std::string& method, const std::string& rawPath, const std::string& request) {
  (void)request;
  std::string path = rawPath;
  size_t q = path.find('?');
  if (q != std::string::npos) path = path.substr(0, q);
  const std::string lower = ToLowerAscii(path);
  auto failure = [](const std::string& text) {
    Outcome o;
    std::string out = "{\"Success\":false,\"Error\":";
    AppendJsonString(text, &out);
    out += "}";
    o.output = out;
    return o;
  };
  const bool get = EqualsIgnoreCase(method, "GET");
  if (lower == "/globals/version" || lower == "/globals/version/") {
    if (!get) return failure("Method " + method + " is not supported on " + path + " by the simulator");
    Outcome o;
    o.output = "{\"Success\":true,\"Output\":{\"Major\":" + std::to_string(version.major) +
               ",\"Minor\":" + std::to_string(version.minor) + "}}";
    return o;
  }
  const std::string prefix = "/policylists";
  if (lower.compare(0, prefix.size(), prefix) == 0 &&
      (lower.size() == prefix.size() || lower[prefix.size()] == '/')) {
    if (!get) return failure("Method " + method + " on /policylists is not supported by the simulator");
    std::string rest = path.substr(std::min(path.size(), prefix.size() + 1));
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    Outcome o;
    if (rest.empty()) {
      Json arr = Json::Array();
      for (const auto& entry : objects_[kLb].bySeq) arr.Push(PolicyList(entry.second));
      o.output = "{\"Success\":true,\"Output\":" + arr.Dump() + "}";
      return o;
    }
    std::string id;
    if (!CanonicalGuid(rest, &id)) return failure("Invalid policy list ID " + rest);
    if (const Json* lb = Find(Family::LoadBalancer, id)) {
      o.output = "{\"Success\":true,\"Output\":" + PolicyList(*lb).Dump() + "}";
      return o;
    }
    return failure("Element not found. ");
  }
  return failure("The simulator does not serve " + method + " " + path);
}

}  // namespace sim
