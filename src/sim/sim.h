// The embedded HNS simulator's entry point: a function table with the same shapes as the real
// computenetwork.dll / vmcompute.dll exports, backed by in-process models of HNS ("instances").
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "../hcn/hcn_api.h"

namespace sim {

class Simulator;
// One simulated HNS: its objects and version (in memory or in a state file), handles, faults and
// service callbacks. Held by the contexts bound to it; freed with the last of them.
using Instance = std::shared_ptr<Simulator>;

// The function table. The C functions have no instance argument: each call goes to the instance
// bound to the calling thread (sim::Bind), else to the process's default instance. The table is an
// immutable snapshot that lives for the process; the control op removeExport publishes a new one,
// so contexts opened later may get a different pointer. Its FreeString frees with the simulator's
// own counting allocator (process-wide) and SimControl is set.
const hcn::Api* GetApi();

// The process's default instance: what the table serves on a thread with no binding (the
// stand-alone DLL, raw table users, binding.open without an instance option). One per process,
// never freed.
Instance DefaultInstance();

// A new in-memory instance with the default topology, isolated from every other one; with `from`,
// a copy of that instance's objects and version instead (as last read from its file).
Instance NewMemoryInstance(const Simulator* from = nullptr);

struct AttachOptions {
  // A state file that does not parse is moved aside to `<path>.corrupt-<UTC time>` and a fresh
  // one (default topology) is written, instead of failing.
  bool recoverCorrupt = false;
};

// The instance of the state file `path`: the one already open for the same canonical path (a
// symlink followed once, the folder resolved), else a new one that loads the file (or creates it
// with the default topology). Waits for the file's lock until the deadline bound to this thread.
// On failure returns the HRESULT, sets *error and changes nothing anywhere.
HRESULT AttachFile(const std::string& path, const AttachOptions& options, Instance* out,
                   std::string* error);

// While alive, calls of the table made on this thread go to `instance` (null: the default one),
// and waits for a state file's lock give up at `deadline` (plus a short grace, so the bridge's own
// deadline reports the timeout first). Nests; restores the previous binding when destroyed.
class Bind {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Bind(Simulator* instance);
  Bind(Simulator* instance, Clock::time_point deadline);
  ~Bind();
  Bind(const Bind&) = delete;
  Bind& operator=(const Bind&) = delete;

 private:
  Simulator* savedInstance_;
  bool savedHasDeadline_;
  Clock::time_point savedDeadline_;
};

}  // namespace sim
