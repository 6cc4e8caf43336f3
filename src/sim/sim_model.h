// Private to the simulator's model (hns_state.cc and the sim_*.cc family files): helpers the
// families share. Not part of the simulator's interface; nothing outside src/sim includes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "encoding.h"
#include "hns_state.h"
#include "ip_address.h"
#include "json_value.h"

namespace sim {
namespace model {

constexpr int kNet = static_cast<int>(Family::Network);
constexpr int kEp = static_cast<int>(Family::Endpoint);
constexpr int kLb = static_cast<int>(Family::LoadBalancer);
constexpr int kNs = static_cast<int>(Family::Namespace);

constexpr int64_t kLbFlagDsr = 1;
constexpr int64_t kLbFlagIpv6 = 2;
constexpr int64_t kPortFlagIlb = 1;
constexpr int64_t kPortFlagLocalRoutedVip = 2;
constexpr int64_t kEndpointFlagRemote = 1;

// The key of an ID in the per-family index: upper case, so that key equality is exactly
// EqualsIgnoreCase (ASCII letters only).
std::string IdKey(const std::string& id);
// An object's ID without copying it (StringAt returns a copy).
const std::string& IdOf(const Json& o);
// Go-style omitempty over a stored object: drops null, "", [], 0 and false everywhere except
// inside SchemaVersion, as hcsshim never sends (and HNS never shows) such zero values.
void Prune(Json* v);
// Parses text that must be a JSON object; else *fail is HCN_E_INVALID_JSON.
bool ParseObject(const std::string& text, Json* out, Outcome* fail);
// A fresh object: ID first, then the members as sent (minus ID), then SchemaVersion if missing.
Json WithId(const std::string& id, const Json& in);
// Absent or null is 0; else an unsigned integer <= max.
bool IsUnsignedInRange(const Json* v, uint64_t max, uint64_t* out);
std::string VersionText(const HnsVersion& v);
bool ValidIpString(const Json* v, IpAddress* out);
// Validates a policy list ({Type, Settings}) of a network or endpoint (sim_networks.cc).
Outcome ValidatePolicies(const Json* policies);

}  // namespace model
}  // namespace sim
