// Namespaces: create and modify (endpoint resources), the namespace an endpoint is in.
#include "hns_state.h"

#include <string>
#include <utility>

#include "sim_model.h"

namespace sim {

using namespace model;  // NOLINT(build/namespaces): the model's own helpers

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

}  // namespace sim
