// HNS v1 (vmcompute.dll!HNSCall): /globals/version and the policy-list views of load balancers.
#include "hns_state.h"

#include <algorithm>
#include <string>

#include "sim_model.h"

namespace sim {

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

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

namespace {
// The path without its query string.
std::string PathOf(const std::string& rawPath) { return rawPath.substr(0, rawPath.find('?')); }
bool IsVersionPath(const std::string& lower) { return lower == "/globals/version" || lower == "/globals/version/"; }
}  // namespace

Reads HnsState::HnsCallReads(const std::string& method, const std::string& rawPath) {
  // GET /globals/version reads the version alone; anything else is read from the whole state.
  if (EqualsIgnoreCase(method, "GET") && IsVersionPath(ToLowerAscii(PathOf(rawPath)))) return Reads::Nothing();
  return Reads::Everything();
}

Outcome HnsState::HnsCall(const std::string& method, const std::string& rawPath, const std::string& request) {
  (void)request;
  const std::string path = PathOf(rawPath);
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
  if (IsVersionPath(lower)) {
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
