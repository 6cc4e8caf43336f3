// The C++ floor of the benchmarks: the same simulator calls the bridge makes for each SDK call
// (create = Create + Query + Close, delete = Delete, createRemote = Open network + CreateEndpoint +
// Query + Close + Close), on the same number of threads as the bridge's pool, with no JavaScript,
// no Node-API and no thread hand-off. What the SDK costs on top of this is the SDK's own cost.
//
// Built by bench/floor.ts (g++ -O2, the addon's simulator sources); prints one JSON object.
//   floor create-delete <count> <threads>    count x (create, then delete), threads at a time
//   floor create-seq <count>                 count sequential creates (then deletes): per-create µs
//   floor kube <endpoints> <services> <threads> [latencyMs]
//                                            remote endpoints, then one DSR load balancer per
//                                            service with 3 of them as backends
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <ctime>

#include "../../src/hcn/hcn_api.h"
#include "../../src/hcn/text.h"
#include "../../src/sim/sim.h"

namespace {

using Clock = std::chrono::steady_clock;
const hcn::Api* api = nullptr;

std::u16string U16(const std::string& s) { return std::u16string(s.begin(), s.end()); }
const hcn_char* C(const std::u16string& s) { return reinterpret_cast<const hcn_char*>(s.c_str()); }

double Micros(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

void Free(hcn_char* p) {
  if (p != nullptr) api->FreeString(p);
}

void Control(const std::string& request) {
  hcn_char* out = nullptr;
  api->SimControl(C(U16(request)), &out);
  Free(out);
}

void Check(HRESULT h, const char* what) {
  if (hr::Failed(h)) {
    std::fprintf(stderr, "floor: %s failed with 0x%08x\n", what, static_cast<unsigned>(h));
    std::exit(2);
  }
}

const std::u16string kQuery = U16("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
const char* kNetwork = "6C1A3B9E-0F44-4A3D-9E2B-1D7F5A0C0001";
const char* kPod1 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000E";
const char* kPod2 = "3F8E6B21-5C7D-4E19-A0B4-0A000000000F";

std::string Vip(int index, int first) {
  char b[32];
  std::snprintf(b, sizeof b, "%d.%d.%d.%d", first, (index >> 16) & 255, (index >> 8) & 255, index & 255);
  return b;
}

// The document the client serializes for a DSR TCP 80 -> 8080 load balancer.
std::u16string LbSettings(const std::vector<std::string>& backends, const std::string& vip) {
  std::string s = "{\"HostComputeEndpoints\":[";
  for (size_t i = 0; i < backends.size(); ++i) s += (i ? ",\"" : "\"") + backends[i] + "\"";
  s += "],\"FrontendVIPs\":[\"" + vip +
       "\"],\"PortMappings\":[{\"Protocol\":6,\"InternalPort\":8080,\"ExternalPort\":80}],"
       "\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":1}";
  return U16(s);
}

// Create + Query + Close, as the bridge's create does. Returns the new ID.
GUID CreateLb(const std::u16string& settings) {
  const hcn::FamilyFns& f = api->families[static_cast<int>(hcn::Family::LoadBalancer)];
  GUID id{};
  hcn::Handle h = nullptr;
  hcn_char* record = nullptr;
  Check(f.Create(&id, C(settings), &h, &record), "HcnCreateLoadBalancer");
  Free(record);
  hcn_char* props = nullptr;
  record = nullptr;
  Check(f.Query(h, C(kQuery), &props, &record), "HcnQueryLoadBalancerProperties");
  // The bridge hands the properties to JS; reading the ID back is the least any caller does.
  std::string text;
  hcn::Utf16ToUtf8(props, &text, hcn::LoneSurrogate::Replace);
  const size_t at = text.find("\"ID\":\"");
  if (at == std::string::npos || !hcn::ParseGuid(text.data() + at + 6, 36, &id)) {
    std::fprintf(stderr, "floor: no ID in %s\n", text.c_str());
    std::exit(2);
  }
  Free(props);
  Free(record);
  f.Close(h);
  return id;
}

void DeleteLb(const GUID& id) {
  hcn_char* record = nullptr;
  Check(api->families[static_cast<int>(hcn::Family::LoadBalancer)].Delete(&id, &record),
        "HcnDeleteLoadBalancer");
  Free(record);
}

// Open network + CreateEndpoint + Query + Close endpoint + Close network, as the bridge does.
std::string CreateRemote(const GUID& network, const std::string& ip) {
  const hcn::FamilyFns& n = api->families[static_cast<int>(hcn::Family::Network)];
  const hcn::FamilyFns& e = api->families[static_cast<int>(hcn::Family::Endpoint)];
  hcn::Handle net = nullptr;
  hcn_char* record = nullptr;
  Check(n.Open(&network, &net, &record), "HcnOpenNetwork");
  Free(record);
  unsigned a, b, c, d;
  std::sscanf(ip.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
  char mac[32];
  std::snprintf(mac, sizeof mac, "02-11-%02x-%02x-%02x-%02x", a, b, c, d);
  const std::u16string doc = U16(
      std::string("{\"IpConfigurations\":[{\"IpAddress\":\"") + ip + "\"}],\"MacAddress\":\"" + mac +
      "\",\"Flags\":1,\"Policies\":[{\"Type\":\"ProviderAddress\",\"Settings\":{\"ProviderAddress\":"
      "\"10.231.111.98\"}}],\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"HostComputeNetwork\":\"" +
      kNetwork + "\"}");
  GUID id{};
  hcn::Handle h = nullptr;
  record = nullptr;
  Check(e.CreateInNetwork(net, &id, C(doc), &h, &record), "HcnCreateEndpoint");
  Free(record);
  hcn_char* props = nullptr;
  record = nullptr;
  Check(e.Query(h, C(kQuery), &props, &record), "HcnQueryEndpointProperties");
  std::string text;
  hcn::Utf16ToUtf8(props, &text, hcn::LoneSurrogate::Replace);
  Free(props);
  Free(record);
  e.Close(h);
  n.Close(net);
  const size_t at = text.find("\"ID\":\"");
  return at == std::string::npos ? std::string() : text.substr(at + 6, 36);
}

// Runs body(i) for i in [0, count) on `threads` threads taking the next index in turn.
template <typename F>
double Parallel(int count, int threads, F body) {
  std::atomic<int> next{0};
  const Clock::time_point t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) body(i);
    });
  }
  for (auto& th : pool) th.join();
  return Micros(t0, Clock::now()) / 1e3;
}

// Process CPU time (all threads) in ms: steadier than wall time on a loaded machine.
double CpuMs() {
  return static_cast<double>(std::clock()) * 1000.0 / CLOCKS_PER_SEC;
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = (v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

}  // namespace

int main(int argc, char** argv) {
  api = sim::GetApi();
  Control("{\"op\":\"reset\"}");
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::vector<std::string> backends = {kPod1, kPod2};
  if (mode == "create-delete" && argc >= 4) {
    const int count = std::atoi(argv[2]), threads = std::atoi(argv[3]);
    const double cpu0 = CpuMs();
    const double ms = Parallel(count, threads, [&](int i) { DeleteLb(CreateLb(LbSettings(backends, Vip(i, 11)))); });
    std::printf("{\"mode\":\"create-delete\",\"count\":%d,\"threads\":%d,\"wallMs\":%.3f,\"cpuMs\":%.3f}\n", count, threads, ms, CpuMs() - cpu0);
    return 0;
  }
  if (mode == "create-seq" && argc >= 3) {
    const int count = std::atoi(argv[2]);
    std::vector<double> us;
    std::vector<GUID> ids;
    for (int i = 0; i < count; ++i) {
      const std::u16string settings = LbSettings(backends, Vip(i, 11));
      const Clock::time_point t0 = Clock::now();
      ids.push_back(CreateLb(settings));
      us.push_back(Micros(t0, Clock::now()));
    }
    for (const GUID& id : ids) DeleteLb(id);
    std::printf("{\"mode\":\"create-seq\",\"count\":%d,\"p50Us\":%.3f,\"p90Us\":%.3f}\n", count,
                Quantile(us, 0.5), Quantile(us, 0.9));
    return 0;
  }
  if (mode == "kube" && argc >= 5) {
    const int endpoints = std::atoi(argv[2]), services = std::atoi(argv[3]), threads = std::atoi(argv[4]);
    const int latency = argc >= 6 ? std::atoi(argv[5]) : 0;
    if (latency > 0) Control("{\"op\":\"latency\",\"operation\":\"*\",\"ms\":" + std::to_string(latency) + "}");
    GUID network;
    hcn::ParseGuid(kNetwork, 36, &network);
    const double cpu0 = CpuMs();
    std::vector<std::string> ids(endpoints);
    const Clock::time_point t0 = Clock::now();
    const double epMs = Parallel(endpoints, threads, [&](int i) {
      ids[i] = CreateRemote(network, "10." + std::to_string(1 + (i >> 16)) + "." +
                                         std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255));
    });
    const double lbMs = Parallel(services, threads, [&](int i) {
      std::vector<std::string> b;
      for (int k = 0; k < 3; ++k) b.push_back(ids[(i * 3 + k) % endpoints]);
      CreateLb(LbSettings(b, Vip(i, 12)));
    });
    std::printf("{\"mode\":\"kube\",\"endpoints\":%d,\"services\":%d,\"threads\":%d,\"latencyMs\":%d,"
                "\"endpointsMs\":%.3f,\"loadBalancersMs\":%.3f,\"wallMs\":%.3f,\"cpuMs\":%.3f}\n",
                endpoints, services, threads, latency, epMs, lbMs, Micros(t0, Clock::now()) / 1e3, CpuMs() - cpu0);
    return 0;
  }
  std::fprintf(stderr, "usage: floor create-delete <count> <threads> | create-seq <count> | kube <endpoints> <services> <threads> [latencyMs]\n");
  return 1;
}
