// Persistence of the simulated HNS in one JSON file shared by every process that names it: an
// exclusive lock on a sibling lock file around each call, a cheap change check, and atomic writes
// (temp file in the same folder + fsync + rename), so parallel processes lose no object and a
// killed process never leaves a torn file.
#pragma once

#include <cstdint>
#include <string>

#include "../hcn/hcn_api.h"
#include "hns_state.h"

namespace sim {

class StateFile {
 public:
  StateFile() = default;
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;
  ~StateFile() { Close(); }

  // Opens the lock file `<path>.lock` and loads `path` into *state, creating it from `initial`
  // (under the lock) when absent.
  bool Open(const std::string& path, const HnsState& initial, HnsState* state, std::string* error);
  void Close();
  bool active() const { return active_; }
  const std::string& path() const { return path_; }

  // Exclusive, machine-wide (blocks until the other process's call is done).
  bool Lock(std::string* error);
  void Unlock();
  // Under Lock: reloads the file into *state when another process changed it. A missing file is
  // recreated with the default topology.
  bool Refresh(HnsState* state, std::string* error);
  // Under Lock: writes *state atomically.
  bool Save(const HnsState& state, std::string* error);
  // Forces the next Refresh to read the file.
  void Invalidate() { haveSeen_ = false; }

 private:
  struct Signature {
    uint64_t size = 0;
    uint64_t mtime = 0;
    uint64_t identity = 0;
    bool exists = false;
    bool operator==(const Signature& o) const {
      return size == o.size && mtime == o.mtime && identity == o.identity && exists == o.exists;
    }
  };
  bool Stat(Signature* out) const;
  bool ReadGeneration(uint64_t* out) const;
  void WriteGeneration(uint64_t gen);
  bool ReadAll(std::string* out, bool* missing, std::string* error) const;
  bool WriteAtomic(const std::string& text, std::string* error);

  std::string path_;
  std::string lockPath_;
  bool active_ = false;
  bool locked_ = false;
#ifdef _WIN32
  HANDLE lock_ = INVALID_HANDLE_VALUE;
#else
  int lockFd_ = -1;
#endif
  bool haveSeen_ = false;
  uint64_t seenGeneration_ = 0;
  Signature seenSignature_;
  uint64_t tempCounter_ = 0;
};

}  // namespace sim
