// The simulated HNS: the object store and its indexes, the persisted document, errors, version
// gates and the verbs common to every family. The family rules live in sim_networks.cc,
// sim_endpoints.cc, sim_load_balancers.cc, sim_namespaces.cc and sim_hns_call.cc (HNS v1).
// See README.md for every simulator choice.
#include "hns_state.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <utility>

#include "encoding.h"
#include "ip_address.h"
#include "sim_model.h"
#include "sim_vfp.h"

namespace sim {

namespace model {

std::string IdKey(const std::string& id) { return ToUpperAscii(id); }

const std::string& IdOf(const Json& o) {
  static const std::string kEmpty;
  const Json* v = o.Find("ID");
  return v && v->IsString() ? v->AsString() : kEmpty;
}

namespace {
Json SchemaV2() {
  Json v = Json::Object();
  v.Set("Major", Json::Int(2));
  v.Set("Minor", Json::Int(0));
  return v;
}
}  // namespace

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

std::string VersionText(const HnsVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

bool ValidIpString(const Json* v, IpAddress* out) {
  return v && v->IsString() && ParseIp(v->AsString(), out);
}

}  // namespace model

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

namespace {

const char* const kDefaultNetworkId = "6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001";
const char* const kDefaultEndpoint14 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000E";
const char* const kDefaultEndpoint15 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000F";

// Compact list of the object IDs of a family as a JSON array.
std::string IdArray(const std::vector<std::string>& ids) {
  Json arr = Json::Array();
  for (const std::string& id : ids) arr.Push(Json::Str(id));
  return arr.Dump();
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

// The query keys HNS clients are known to use, per family (src/sim/README.md "Queries" has the
// sources): ID everywhere, Name for networks and endpoints, and for endpoints the v1 names of their
// network, VirtualNetwork (hcsshim ListEndpointsOfNetwork) and VirtualNetworkName (hns.v2.psm1).
// Any other key matches nothing (simulator choice), so a client relying on one is caught here.
bool MatchesFilter(Family f, const Json& object, const Json& filter,
                   const std::function<std::string(const std::string&)>& networkName) {
  for (const Json::Member& cond : filter.Members()) {
    const std::string& key = cond.first;
    const Json* have = nullptr;
    Json name;
    if (EqualsIgnoreCase(key, "ID")) {
      have = object.Find("ID");
    } else if (EqualsIgnoreCase(key, "Name") && (f == Family::Network || f == Family::Endpoint)) {
      have = object.Find("Name");
    } else if (f == Family::Endpoint && EqualsIgnoreCase(key, "VirtualNetwork")) {
      have = object.Find("HostComputeNetwork");
    } else if (f == Family::Endpoint && EqualsIgnoreCase(key, "VirtualNetworkName")) {
      const Json* net = object.Find("HostComputeNetwork");
      if (net && net->IsString()) {
        name = Json::Str(networkName(net->AsString()));
        have = &name;
      }
    }
    if (!have || !JsonValueMatches(*have, cond.second)) return false;
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
  vfpRemoved.clear();
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
  if (!vfpRemoved.empty()) {
    Json removed = Json::Array();
    for (const std::string& k : vfpRemoved) removed.Push(Json::Str(k));
    doc.Set("VfpRemovedRules", removed);
  }
  return doc;
}

std::vector<const Json*> HnsState::Objects(Family f) const {
  std::vector<const Json*> out;
  for (const auto& entry : objects_[static_cast<int>(f)].bySeq) out.push_back(&entry.second);
  return out;
}

bool HnsState::FromJson(const Json& doc, std::string* error) {
  if (!doc.IsObject() || doc.StringAt("Format") != "hcn-sdk-simulator-state") {
    *error = "not a simulator state file";
    return false;
  }
  if (doc.IntAt("FormatVersion") < 1 || doc.IntAt("FormatVersion") > 3) {
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
  const Json* removed = doc.Find("VfpRemovedRules");
  if (removed && removed->IsArray())
    for (const Json& k : removed->Items())
      if (k.IsString()) next.vfpRemoved.insert(k.AsString());
  next.changes_ = Changes();
  next.changes_.all = true;
  *this = std::move(next);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Storage and indexes. Every object enters through Append and leaves through Erase, and a load
// balancer is replaced only by Modify (Erase-free: Unindex + Index around the replacement), so the
// indexes follow every change; a state (re)load builds a fresh HnsState through Append.

void HnsState::Clear() {
  changes_ = Changes();
  changes_.all = true;
  for (Store& store : objects_) store = Store();
  lbFrontends_.clear();
  lbPorts_.clear();
  localIps_.clear();
}

uint64_t HnsState::Append(Family f, Json obj) {
  Store& store = objects_[static_cast<int>(f)];
  const uint64_t seq = nextSeq_++;
  Touch(f, IdOf(obj));
  // The first object with an ID stays the one Find returns (as the linear scan did).
  if (!store.byId.emplace(IdKey(IdOf(obj)), seq).second) store.duplicateIds = true;
  const Json& stored = store.bySeq.emplace(seq, std::move(obj)).first->second;
  if (f == Family::LoadBalancer) IndexLoadBalancer(seq, stored);
  if (f == Family::Endpoint) IndexEndpoint(stored, 1);
  return seq;
}

void HnsState::IndexEndpoint(const Json& ep, int delta) {
  if (ep.IntAt("Flags") & kEndpointFlagRemote) return;
  const Json* cfgs = ep.Find("IpConfigurations");
  if (!cfgs || !cfgs->IsArray()) return;
  const std::string net = IdKey(ep.StringAt("HostComputeNetwork"));
  for (const Json& c : cfgs->Items()) {
    IpAddress ip;
    if (!ParseIp(c.StringAt("IpAddress"), &ip)) continue;
    if (delta > 0) {
      ++localIps_[net][FormatIp(ip)];
      continue;
    }
    auto netIt = localIps_.find(net);
    if (netIt == localIps_.end()) continue;
    auto ipIt = netIt->second.find(FormatIp(ip));
    if (ipIt == netIt->second.end()) continue;
    if (--ipIt->second <= 0) netIt->second.erase(ipIt);
    if (netIt->second.empty()) localIps_.erase(netIt);
  }
}

bool HnsState::LocalIpInUse(const std::string& networkKey, const std::string& ip) const {
  auto netIt = localIps_.find(networkKey);
  return netIt != localIps_.end() && netIt->second.count(ip) != 0;
}

void HnsState::Erase(Family f, uint64_t seq) {
  Store& store = objects_[static_cast<int>(f)];
  auto it = store.bySeq.find(seq);
  if (it == store.bySeq.end()) return;
  if (f == Family::LoadBalancer) UnindexLoadBalancer(seq);
  if (f == Family::Endpoint) IndexEndpoint(it->second, -1);
  Touch(f, IdOf(it->second));
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

const Json* HnsState::Find(Family f, const std::string& id) const {
  uint64_t seq = 0;
  if (!Locate(f, id, &seq)) return nullptr;
  return &objects_[static_cast<int>(f)].bySeq.at(seq);
}

HnsState::Changes HnsState::TakeChanges() {
  Changes out = std::move(changes_);
  changes_ = Changes();
  return out;
}

Json HnsState::RecordOf(const Changes& changes) const {
  Json rec = Json::Object();
  Json v = Json::Array();
  v.Push(Json::Int(version.major));
  v.Push(Json::Int(version.minor));
  rec.Set("V", v);
  rec.Set("N", Json::Uint(nextNamespaceId));
  // The simulated VFP rules removed by hand (sim_vfp.cc): small, written whole with every record.
  Json removed = Json::Array();
  for (const std::string& k : vfpRemoved) removed.Push(Json::Str(k));
  rec.Set("R", removed);
  Json put = Json::Array();
  Json del = Json::Array();
  std::set<std::pair<int, std::string>> seen;
  for (const auto& t : changes.touched) {
    if (!seen.insert({static_cast<int>(t.first), IdKey(t.second)}).second) continue;
    Json entry = Json::Array();
    entry.Push(Json::Int(static_cast<int>(t.first)));
    if (const Json* o = Find(t.first, t.second)) {
      entry.Push(*o);
      put.Push(entry);
    } else {
      entry.Push(Json::Str(t.second));
      del.Push(entry);
    }
  }
  // Deletes first: an ID deleted and created again in one call is the new object.
  rec.Set("D", del);
  rec.Set("P", put);
  return rec;
}

bool HnsState::ApplyRecord(const Json& rec, std::string* error) {
  if (!rec.IsObject()) {
    *error = "a journal record is not a JSON object";
    return false;
  }
  const Json* v = rec.Find("V");
  if (v && v->IsArray() && v->Items().size() == 2) {
    version.major = static_cast<int>(v->Items()[0].AsDouble());
    version.minor = static_cast<int>(v->Items()[1].AsDouble());
  }
  uint64_t n = 0;
  const Json* next = rec.Find("N");
  if (next && next->GetUint64(&n)) nextNamespaceId = n;
  const Json* removed = rec.Find("R");
  if (removed && removed->IsArray()) {
    vfpRemoved.clear();
    for (const Json& k : removed->Items())
      if (k.IsString()) vfpRemoved.insert(k.AsString());
  }
  auto family = [&](const Json& entry, Family* f) {
    if (!entry.IsArray() || entry.Items().size() != 2) return false;
    uint64_t i = 0;
    if (!entry.Items()[0].GetUint64(&i) || i >= static_cast<uint64_t>(hcn::kFamilyCount)) return false;
    *f = static_cast<Family>(i);
    return true;
  };
  const Json* del = rec.Find("D");
  if (del && del->IsArray()) {
    for (const Json& e : del->Items()) {
      Family f;
      if (!family(e, &f) || !e.Items()[1].IsString()) {
        *error = "a journal delete is malformed";
        return false;
      }
      uint64_t seq = 0;
      if (LocateLast(f, e.Items()[1].AsString(), &seq)) Erase(f, seq);
    }
  }
  const Json* put = rec.Find("P");
  if (put && put->IsArray()) {
    for (const Json& e : put->Items()) {
      Family f;
      std::string id;
      if (!family(e, &f) || !e.Items()[1].IsObject() || !CanonicalGuid(e.Items()[1].StringAt("ID"), &id)) {
        *error = "a journal object is malformed";
        return false;
      }
      uint64_t seq = 0;
      if (Locate(f, id, &seq)) {
        Json& slot = objects_[static_cast<int>(f)].bySeq.at(seq);
        if (f == Family::LoadBalancer) UnindexLoadBalancer(seq);
        if (f == Family::Endpoint) IndexEndpoint(slot, -1);
        slot = e.Items()[1];
        if (f == Family::LoadBalancer) IndexLoadBalancer(seq, slot);
        if (f == Family::Endpoint) IndexEndpoint(slot, 1);
      } else {
        Append(f, e.Items()[1]);
      }
    }
  }
  return true;
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
    a.Set("EndpointPortGuid", Json::Str(VfpEndpointPortId(id)));
    allocators.Push(a);
  } else if (f == Family::Network) {
    Json a = Json::Object();
    a.Set("Tag", Json::Str("Host Vnic"));
    a.Set("EndpointPortGuid", Json::Str(VfpHostPortId(id)));
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
    auto networkName = [this](const std::string& id) {
      const Json* net = Find(Family::Network, id);
      return net ? net->StringAt("Name") : std::string();
    };
    if (q.filter.Members().empty() || MatchesFilter(f, Present(f, o, false), q.filter, networkName))
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

Outcome HnsState::Modify(Family f, const std::string& id, const std::string& settings) {
  Json* o = Find(f, id);
  if (!o) return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  Json in;
  Outcome fail;
  if (!ParseObject(settings, &in, &fail)) return fail;
  Touch(f, id);
  if (f == Family::LoadBalancer) return ModifyLoadBalancer(id, o, in);
  if (f == Family::Namespace) return ModifyNamespace(o, in);
  return ModifyPolicies(o, in);
}

Outcome HnsState::Delete(Family f, const std::string& id) {
  uint64_t seq = 0;
  if (!LocateLast(f, id, &seq))
    return Outcome::Fail(NotFoundCode(f), "(" + std::string(FamilyNoun(f)) + " " + id + ")");
  Outcome out;
  if (f == Family::Network) {
    Outcome refused = PrepareDeleteNetwork(id, seq, &out);
    if (!refused.ok()) return refused;
  } else if (f == Family::Endpoint) {
    Outcome refused = PrepareDeleteEndpoint(id);
    if (!refused.ok()) return refused;
  }
  Erase(f, seq);
  out.mutated = true;
  return out;
}

}  // namespace sim
