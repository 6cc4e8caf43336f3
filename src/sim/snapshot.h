// The state file's snapshot (FormatVersion 3): one JSON document with one object per line and, at
// its end, a sorted index of fixed-width entries (family, ID, byte range of the object). A process
// that needs one object (a query, `hcn lb show ID`) reads the first line, a binary search's worth
// of index entries and the object, never the rest: the cost of such a read does not grow with the
// number of objects. Anything that needs more loads the whole document, which is still plain JSON
// (the index is one more member, ignored by that load). See README "Persistence".
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "hns_state.h"
#include "json_value.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace sim {

// The snapshot of `state` whose journal is `journalId`. Objects are written in creation order,
// each on its own line; the index is left out when an ID is not a plain 36-character GUID or
// occurs twice (a hand-edited file): such a snapshot is always loaded whole. `stamp` is the
// modification time the writer gives the file (SnapshotStamp): a file whose time differs was
// changed by something else, and is loaded whole.
std::string SnapshotText(const HnsState& state, const std::string& journalId, uint64_t stamp);

// A modification time for a new snapshot, in 100 ns ticks since 1970: two seconds before now, so
// that any later change to the file (an editor, a copy over it) gives it another time.
uint64_t SnapshotStamp();
// 100 ns ticks from 1601 (a FILETIME's start) to 1970.
constexpr uint64_t kFiletimeEpoch = 116444736000000000ull;

// Reads single objects of a FormatVersion 3 snapshot. Every method that returns false means "this
// file cannot answer that by itself" (a legacy or hand-edited file, or one that does not hold
// what its index says): the caller then loads the whole file, which decides whether it is valid.
class SnapshotReader {
 public:
  SnapshotReader() = default;
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;
  ~SnapshotReader() { Close(); }

  // Opens `path` (never through a symlink) and reads its first line.
  bool Open(const std::string& path);
  void Close();

  // From the first line.
  HnsVersion version;
  uint64_t nextNamespaceId = 2;
  std::set<std::string> vfpRemoved;
  std::string journalId;
  uint64_t size() const { return size_; }

  // The object of family `f` with that ID (compared without case): *found false when the
  // snapshot has none.
  bool Lookup(Family f, const std::string& id, Json* out, bool* found);
  // Every object of family `f`, in ID order.
  bool ReadFamily(Family f, std::vector<Json>* out);

 private:
  struct Entry {
    std::string key;  // family digit + upper-case ID
    uint64_t offset = 0;
    uint64_t length = 0;
  };
  bool ReadAt(uint64_t offset, size_t length, std::string* out) const;
  bool EntryAt(uint64_t k, Entry* out) const;
  // The first entry whose key is not less than `key` (count_ when none).
  bool LowerBound(const std::string& key, uint64_t* k) const;
  bool ReadObject(const Entry& e, Json* out) const;

#ifdef _WIN32
  HANDLE file_ = INVALID_HANDLE_VALUE;
#else
  int fd_ = -1;
#endif
  uint64_t size_ = 0;
  uint64_t indexStart_ = 0;
  uint64_t count_ = 0;
};

}  // namespace sim
