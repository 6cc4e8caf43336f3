// One asynchronous binding call on its way through the pool: inputs (already converted from JS),
// deadline, pool state, and the outcome that travels back to the JS thread.
#pragma once

#include <node_api.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../hcn/hcn_api.h"
#include "../sim/sim.h"
#include "hcn_string.h"

namespace bridge {

using Clock = std::chrono::steady_clock;

// Verbs in FamilyFns order, as hcn::FunctionName indexes them.
enum Verb : int {
  kEnumerate = 0,
  kCreate = 1,
  kCreateInNetwork = 2,
  kOpen = 3,
  kModify = 4,
  kQuery = 5,
  kDelete = 6,
  kClose = 7,
};

// SimControl and SimAttach exist for the embedded simulator only (Job::sim is set).
enum class Op : uint8_t { Enumerate, List, Create, Query, Modify, Remove, HnsCall, Register, Unregister, SimControl, SimAttach };

// NativeErrorCode in ts/native.ts.
enum class ErrorKind : uint8_t { None, Hresult, Timeout, Busy, NotAvailable, InvalidArgument, Closed };

struct Failure {
  ErrorKind kind = ErrorKind::None;
  HRESULT hr = 0;
  const char* operation = nullptr;  // static storage: an export or binding method name
  const char* missing = nullptr;    // HCN_NOT_AVAILABLE: the missing export
  std::string message;              // extra detail, when there is any
  HcnString record;                 // the raw ErrorRecord (or HNSCall response) when non-empty
};

// A list's IDs after enumerate, shared by the threads that open and query them: the list's own
// worker and any helpers the pool lends it each take the next chunk from `cursor`.
struct ListWork {
  std::vector<GUID> ids;
  std::vector<uint8_t> listed;  // per ID: 1 when its properties are in Job::many (not vanished)
  std::atomic<size_t> cursor{0};
  size_t chunk = 1;
  std::atomic<bool> failed{false};  // the first failure is in Job::failure; start no more IDs
};

// The service-callback registration a Register job makes or an Unregister job ends. Whoever holds
// `handle` without having been adopted by the context ends it: a registration that timed out,
// was cancelled or whose completion was dropped is unregistered when its job goes away.
struct Registration {
  hcn::NotificationCallback callback = nullptr;
  void* context = nullptr;  // what HCN calls back with; freed once HCN cannot call back any more
  void (*free_context)(void* context) = nullptr;
  hcn::Handle handle = nullptr;  // registered and not yet ended
  bool adopted = false;          // JS thread: the NativeContext owns handle and context now
};

struct Job {
  enum class State : uint8_t { Queued, Running, Finished, Expired, Cancelled };

  Job(const hcn::Api* api_in, Op op_in, hcn::Family family_in, const char* method_in)
      : api(api_in), op(op_in), family(family_in), method(method_in), out(api_in) {
    failure.record = HcnString(api_in);
  }
  // Ends a registration nobody adopted (on a thread of its own: never blocks whoever drops the job).
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // Inputs.
  const hcn::Api* const api;
  const Op op;
  const hcn::Family family;
  const char* const method;  // the binding method, for errors that happen outside HCN
  GUID id{};
  GUID network{};
  std::u16string text1, text2, text3;  // settings / queries / HNSCall method, path, request
  Registration registration;           // Register, Unregister
  Clock::time_point deadline;
  uint32_t timeout_ms = 0;
  // The embedded simulator's instance the context is bound to (null for the real HCN): the pool
  // thread binds it around the call (sim::Bind), and the job keeps it alive while it runs.
  sim::Instance sim;
  // SimAttach: the state file (empty: a private in-memory copy) and whether to move a corrupt
  // one aside; the instance it bound to comes back in `attached`.
  std::string attach_path;
  bool attach_recover = false;
  sim::Instance attached;

  // Pool state (guarded by the pool mutex).
  State state = State::Queued;
  uint64_t workers = 0;  // bit i: pool thread i is running (part of) this job
  int active = 0;        // threads in it; the last one out delivers or frees the outcome
  std::multimap<Clock::time_point, std::shared_ptr<Job>>::iterator deadline_pos;
  // Set when the call was written off or cancelled: a long list stops early.
  std::atomic<bool> abandoned{false};
  // The HCN export running right now, for the timeout error.
  std::atomic<const char*> current{nullptr};

  // Outcome: written by the worker, read on the JS thread after the hand-off.
  Failure failure;
  HcnString out;
  std::vector<HcnString> many;
  // List: set by the list's worker before it asks for helpers, freed by the last thread out.
  std::unique_ptr<ListWork> list;

  // JS thread only.
  napi_deferred deferred = nullptr;
  size_t pending_index = 0;
  bool settled = false;
};

using JobPtr = std::shared_ptr<Job>;

}  // namespace bridge
