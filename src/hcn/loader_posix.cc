// LoadHcn on hosts other than Windows: the real HNS does not exist there, so it always fails
// with an explanation that points at the simulator.
#ifndef _WIN32

#include "loader.h"

namespace hcn {

LoadResult LoadHcn() {
  LoadResult result;
  result.missing = "computenetwork.dll";
  result.error =
      "The real HNS backend needs computenetwork.dll and vmcompute.dll, which exist only on "
      "Windows (Windows 10 1809 / Windows Server 2019 or later with the Containers feature). "
      "On this host use backend 'simulated' (the embedded HNS simulator).";
  return result;
}

}  // namespace hcn

#endif  // !_WIN32
