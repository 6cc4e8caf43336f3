// The embedded HNS simulator's entry point: a function table with the same shapes as the real
// computenetwork.dll / vmcompute.dll exports, backed by an in-process model of HNS.
#pragma once

#include "../hcn/hcn_api.h"

namespace sim {

// The process-wide simulator (one "machine" per process, as HNS is one service per host). The
// table is an immutable snapshot that lives for the process; the control op removeExport publishes
// a new one, so contexts opened later may get a different pointer. Its
// FreeString frees with the simulator's own counting allocator and SimControl is set.
const hcn::Api* GetApi();

}  // namespace sim
