// The simulated HNS itself: networks, endpoints, load balancers, namespaces and the HNS version,
// with the validation rules of the real service. Pure logic: no threads, files or C strings; the
// caller (simulator.cc) serialises calls and handles persistence, faults and handles.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../hcn/hcn_api.h"
#include "json_value.h"

namespace sim {

using hcn::Family;

// HRESULTs the simulator needs that src/hcn/hcn_api.h does not list (values from winerror.h).
namespace hrx {
constexpr HRESULT kEndpointNamespaceAlreadyExists = static_cast<HRESULT>(0x803B002Bu);
constexpr HRESULT kEndpointNotAttached = static_cast<HRESULT>(0x803B0034u);
}  // namespace hrx

// A notification to deliver after the call (never while the state lock is held).
struct Notice {
  DWORD type;
  std::string data;  // UTF-8 JSON, or empty for none
};

// The result of one call against the state.
struct Outcome {
  HRESULT hr = hr::kOk;
  std::string error;   // ErrorRecord "Error" text (without the trailing space) when failed
  std::string output;  // properties / ID array / HNSCall envelope, or the new ID after a create
  bool mutated = false;
  std::vector<Notice> notices;

  static Outcome Fail(HRESULT h, const std::string& detail);
  static Outcome FailText(HRESULT h, const std::string& text);  // text used as is
  bool ok() const { return hr >= 0; }
};

struct HnsVersion {
  int major = 13;
  int minor = 2;
};

// What one call reads of the state: the objects it names and whole families, or everything. A
// state file can answer a call that reads a few objects from those objects alone, without loading
// the rest (StateFile::View); `all` is for everything else.
struct Reads {
  bool all = true;
  std::vector<std::pair<Family, std::string>> objects;
  bool families[hcn::kFamilyCount] = {};

  static Reads Everything() { return Reads(); }
  // The version only (HNSCall GET /globals/version).
  static Reads Nothing() {
    Reads r;
    r.all = false;
    return r;
  }
  // One object: what Query and CheckExists read (an endpoint's answer names its namespace, so
  // querying one reads every namespace).
  static Reads Object(Family f, const std::string& id, bool query) {
    Reads r = Nothing();
    r.objects.emplace_back(f, id);
    if (query && f == Family::Endpoint) r.families[static_cast<int>(Family::Namespace)] = true;
    return r;
  }
};

class HnsState {
 public:
  HnsVersion version;
  uint64_t nextNamespaceId = 2;

  // Default topology (the DSR walkthrough) and the default version 13.2.
  void SetDefault();
  void SetDefaultTopology();

  // The persisted document (see README "Persistence format").
  Json ToJson() const;
  bool FromJson(const Json& doc, std::string* error);

  size_t Count(Family f) const { return objects_[static_cast<int>(f)].size(); }
  // The objects of one family in creation order (sim_vfp.cc derives the VFP model from them).
  std::vector<const Json*> Objects(Family f) const;
  // VFP rules removed through the `vfpRemoveRule` control (keys from VfpRuleKey); persisted, and
  // cleared with the default topology.
  std::set<std::string> vfpRemoved;
  // Adds an object as a state file holds it, without the checks of Create (StateFile::View
  // builds a state of the few objects a call reads this way).
  void Adopt(Family f, Json obj) { Append(f, std::move(obj)); }
  // The object with that ID (compared case-insensitively), or null.
  Json* Find(Family f, const std::string& id);
  const Json* Find(Family f, const std::string& id) const;

  // What changed since the last TakeChanges (state_file.cc journals it): the objects touched, in
  // order (family, ID), or `all` when the state was replaced wholesale (default topology, a load).
  struct Changes {
    bool all = false;
    std::vector<std::pair<Family, std::string>> touched;
  };
  Changes TakeChanges();
  // Applies one journal record ({"V":[major,minor],"N":next,"P":[[family,object]...],"D":[[family,id]...]}).
  bool ApplyRecord(const Json& record, std::string* error);
  // The journal record of `changes` against this state (objects as they are now).
  Json RecordOf(const Changes& changes) const;

  Outcome Enumerate(Family f, const std::string& query);
  // `id` canonical, or empty to assign one. `networkId` only for endpoints.
  Outcome Create(Family f, const std::string& id, const std::string& settings,
                 const std::string& networkId);
  Outcome CheckExists(Family f, const std::string& id);
  Outcome Modify(Family f, const std::string& id, const std::string& settings);
  Outcome Query(Family f, const std::string& id, const std::string& query);
  Outcome Delete(Family f, const std::string& id);
  Outcome HnsCall(const std::string& method, const std::string& path, const std::string& request);
  // What an HnsCall reads of the state (sim_hns_call.cc).
  static Reads HnsCallReads(const std::string& method, const std::string& path);

  bool SupportsDsr() const;
  bool SupportsIpv6() const;
  bool SupportsSessionAffinity() const;
  bool SupportsModifyLoadBalancer() const;

 private:
  // Objects per family in creation order, keyed by a sequence number, with an ID -> sequence index
  // (key: the ID upper-cased, as EqualsIgnoreCase compares). Everything is held by value so that
  // copying an HnsState (state_file.cc does) copies a consistent index.
  struct Store {
    std::map<uint64_t, Json> bySeq;
    std::unordered_map<std::string, uint64_t> byId;
    // Only a hand-edited state file can hold one ID twice. byId then names the first of them (what
    // Find always returned) and Delete finds the last by a scan (what it always removed).
    bool duplicateIds = false;
    size_t size() const { return bySeq.size(); }
  };
  // What the frontend collision check needs of a stored load balancer, parsed once.
  struct LbFrontend {
    std::string key;                                   // ID key (upper case)
    bool allNodeIps = false;                           // no parseable FrontendVIPs
    std::set<std::string> vips;                        // canonical text (FormatIp)
    std::vector<std::pair<uint64_t, uint64_t>> ports;  // (Protocol, ExternalPort) as stored
  };
  // Load balancers using one (protocol, external port): the "all node IPs" ones and, per VIP,
  // the ones naming it; values are sequence numbers (creation order).
  struct PortSlot {
    std::set<uint64_t> all;
    std::map<std::string, std::set<uint64_t>> byVip;
  };

  void Touch(Family f, const std::string& id) { changes_.touched.emplace_back(f, id); }
  Changes changes_;
  uint64_t Append(Family f, Json obj);
  void Erase(Family f, uint64_t seq);
  bool Locate(Family f, const std::string& id, uint64_t* seq) const;
  bool LocateLast(Family f, const std::string& id, uint64_t* seq) const;
  void Clear();
  void IndexLoadBalancer(uint64_t seq, const Json& lb);
  void UnindexLoadBalancer(uint64_t seq);
  // Adds (delta 1) or removes (-1) a local endpoint's addresses in localIps_.
  void IndexEndpoint(const Json& ep, int delta);
  // True when a local endpoint of the network (ID key) has the address (FormatIp text).
  bool LocalIpInUse(const std::string& networkKey, const std::string& ip) const;

  Store objects_[hcn::kFamilyCount];
  uint64_t nextSeq_ = 1;
  std::unordered_map<uint64_t, LbFrontend> lbFrontends_;
  std::map<std::pair<uint64_t, uint64_t>, PortSlot> lbPorts_;
  // Addresses of the local (not remote) endpoints per network (ID key): canonical IP -> how many
  // endpoints have it (more than one only in a hand-edited state file). CreateEndpoint asks it
  // instead of reading every endpoint.
  std::unordered_map<std::string, std::unordered_map<std::string, int>> localIps_;

  Outcome CreateNetwork(const std::string& id, Json in);
  Outcome CreateEndpoint(const std::string& id, Json in, const std::string& networkId);
  Outcome CreateLoadBalancer(const std::string& id, Json in);
  Outcome CreateNamespace(const std::string& id, Json in);
  Outcome ModifyLoadBalancer(const std::string& id, Json* object, const Json& request);
  Outcome ModifyPolicies(Json* object, const Json& request);
  Outcome ModifyNamespace(Json* ns, const Json& request);
  // Validates a HostComputeLoadBalancer document and fills *out with the object to store.
  Outcome ValidateLoadBalancer(const Json& in, const std::string& selfId, Json* out);
  // Checks and side effects of Delete per family (before the object is erased).
  Outcome PrepareDeleteNetwork(const std::string& id, uint64_t seq, Outcome* out);
  Outcome PrepareDeleteEndpoint(const std::string& id);
  Json Present(Family f, const Json& object, bool detailed) const;
  std::string NamespaceOfEndpoint(const std::string& endpointId) const;
  std::vector<std::string> NodeIps() const;
  Json PolicyList(const Json& lb) const;
};

// The HRESULT for "no such object" per family (see README: simulator choice).
HRESULT NotFoundCode(Family f);
// The system text of an HRESULT, as HNS puts it in ErrorRecord.Error.
std::string HresultText(HRESULT h);
// {"Success":false,"Error":"<text> ","ErrorCode":<unsigned>}
std::string ErrorRecordJson(HRESULT h, const std::string& text);
const char* FamilyNoun(Family f);

}  // namespace sim
