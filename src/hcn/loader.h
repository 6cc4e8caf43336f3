// Chooses and fills the function table: the real HCN (Windows only) or the embedded simulator.
#pragma once

#include <string>

#include "hcn_api.h"

namespace hcn {

enum class Backend { Hcn, Simulated };

struct LoadResult {
  const Api* api = nullptr;  // null when the backend is not available on this host
  std::string error;         // why not: which DLL or export is missing, and what to do
  std::string missing;       // the DLL or the comma-separated exports that are missing, when known
};

// Real HNS: computenetwork.dll + vmcompute.dll from system32 only, loaded once and lazily.
// On hosts other than Windows it always fails with an explanation.
LoadResult LoadHcn();

}  // namespace hcn
