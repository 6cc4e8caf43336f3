// One simulated HNS behind the function table (an "instance", sim.h): C-boundary checks, its
// handles, fault injection (fail/latency/hang), service callbacks delivered from a thread of its
// own, the control protocol, and the lock/refresh/save cycle around each call when the state is
// file-backed. The string allocator is process-wide (strings are freed on any thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "../hcn/hcn_api.h"
#include "hns_state.h"
#include "sim.h"
#include "state_file.h"

namespace sim {

// The removeExport / restoreExports controls (sim_api.cc): publish a new function table for
// sim::GetApi() and report the export names now missing, in table order.
bool RemoveExport(const std::string& name, std::vector<std::string>* missing, std::string* error);
void RestoreExports(std::vector<std::string>* missing);

class Simulator : public std::enable_shared_from_this<Simulator> {
 public:
  // The instance bound to this thread (sim::Bind), else the process's default one.
  static Simulator& Current();
  // The deadline bound to this thread, if any (lock waits give up after it).
  static bool BoundDeadline(std::chrono::steady_clock::time_point* deadline);

  // In memory with the default topology, or a copy of `from`'s objects and version.
  explicit Simulator(const Simulator* from = nullptr);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // File-backed instances (sim::AttachFile): loads or creates the file at `canonicalPath`.
  HRESULT OpenFile(const std::string& canonicalPath, const AttachOptions& options, std::string* error);
  // Under the file's lock: reloads it if another process changed it; fails if it is unusable.
  HRESULT CheckFile(const AttachOptions& options, std::string* error);

  HRESULT Enumerate(Family f, const hcn_char* query, hcn_char** ids, hcn_char** errorRecord);
  HRESULT Create(Family f, hcn::Handle network, const GUID* id, const hcn_char* settings,
                 hcn::Handle* object, hcn_char** errorRecord);
  HRESULT Open(Family f, const GUID* id, hcn::Handle* object, hcn_char** errorRecord);
  HRESULT Modify(Family f, hcn::Handle object, const hcn_char* settings, hcn_char** errorRecord);
  HRESULT Query(Family f, hcn::Handle object, const hcn_char* query, hcn_char** properties,
                hcn_char** errorRecord);
  HRESULT Delete(Family f, const GUID* id, hcn_char** errorRecord);
  HRESULT Close(Family f, hcn::Handle object);
  HRESULT RegisterCallback(hcn::NotificationCallback callback, void* context, hcn::Handle* handle);
  HRESULT UnregisterCallback(hcn::Handle handle);
  HRESULT HnsCall(const hcn_char* method, const hcn_char* path, const hcn_char* request,
                  hcn_char** response);
  // Process-wide: a string may be freed on any thread, bound or not.
  static void FreeString(void* p);
  static size_t LiveStrings();
  HRESULT Control(const hcn_char* request, hcn_char** response);

  static std::string OperationName(Family f, int verb);

 private:

  struct HandleEntry {
    Family family;
    std::string id;
    bool valid;  // false after a restart that dropped the state
  };
  // An injected outcome. hr 0 means S_OK with an ErrorRecord (or, for HNSCall, a
  // {"Success":false} envelope): the shape hcsshim still treats as a failure.
  struct Failure {
    uint64_t count = 0;
    HRESULT hr = 0;
    std::string message;
    bool hasCode = false;  // ErrorCode given (hr 0 only)
    uint32_t code = 0;
  };
  // answerNext: the next `count` calls of an Enumerate operation succeed with this output instead.
  struct Answer {
    uint64_t count = 0;
    bool isNull = true;  // a null output string
    std::string text;
  };
  struct Callback {
    hcn::NotificationCallback fn;
    void* context;
  };
  struct Event {
    DWORD type;
    HRESULT status;
    std::string data;  // UTF-8; empty = null
  };

  // Fault injection before a call: counts it, sleeps, waits while hung, and consumes failNext.
  // Returns false (and sets the failure, `count` unused) when the call must fail.
  bool Enter(const std::string& op, Failure* fault);
  // Consumes an answerNext for `op`: true (and the answer) when one is set.
  bool TakeAnswer(const std::string& op, Answer* answer);
  // Returns an injected failure: its HRESULT, with its ErrorRecord when the caller asked for one.
  HRESULT Fail(const Failure& fault, hcn_char** errorRecord);
  // Under stateMu_: loads the whole state file into state_ if it changed or was never loaded.
  bool LoadWhole(std::string* error);
  // Runs `body` on the state under the state lock (and the file lock when file-backed). A body
  // that reads only what `reads` names, and changes nothing, may run on a state holding just that,
  // read from the file (StateFile::View), while the whole file has not been loaded.
  template <class Body>
  Outcome WithState(Body body) {
    return WithState(Reads::Everything(), body);
  }
  template <class Body>
  Outcome WithState(const Reads& reads, Body body);
  HRESULT Finish(const Outcome& o, hcn_char** errorRecord);
  static hcn_char* AllocString(const std::string& utf8);
  void SetError(hcn_char** errorRecord, HRESULT h, const std::string& text);
  bool LookupHandle(Family f, hcn::Handle h, std::string* id, HRESULT* error);
  hcn::Handle NewHandle(Family f, const std::string& id);
  void Post(std::vector<Event> events);
  void DeliverLoop();
  std::string ControlOp(const std::string& request, bool* ok);

  // State (one machine-wide HNS per state file; in memory otherwise).
  std::mutex stateMu_;
  HnsState state_;
  std::unique_ptr<StateFile> file_;  // null: in memory
  std::string sharedPath_;  // set when sim::AttachFile registered this instance for a path
  // How calls read the state file (the `stats` control's stateReads): answered from a view of
  // single objects, or by loading the whole file. Atomic: `stats` never waits for stateMu_.
  std::atomic<uint64_t> stateViews_{0};
  std::atomic<uint64_t> stateWholeLoads_{0};

  // Handles (process-local).
  std::mutex handleMu_;
  std::map<uintptr_t, HandleEntry> handles_;
  uintptr_t nextHandle_ = 0x1000;

  // Faults and counters.
  std::mutex faultMu_;
  std::condition_variable faultCv_;
  std::map<std::string, Failure> failNext_;
  std::map<std::string, Answer> answerNext_;
  std::map<std::string, uint64_t> ignoreNext_;  // HcnModify*: S_OK without a change, `count` times
  std::map<std::string, uint64_t> latencyMs_;
  std::set<std::string> hang_;
  uint64_t releaseGeneration_ = 0;
  uint64_t hungNow_ = 0;
  std::map<std::string, uint64_t> calls_;

  // Service callbacks and the delivery thread.
  std::mutex callbackMu_;
  std::condition_variable callbackCv_;
  std::map<uintptr_t, Callback> callbacks_;
  std::deque<Event> events_;
  bool delivering_ = false;            // a delivery thread is running
  std::thread::id deliveryThread_;     // ...and this is it
  uintptr_t inFlight_ = 0;             // callback being invoked right now (0 = none)
};

}  // namespace sim
