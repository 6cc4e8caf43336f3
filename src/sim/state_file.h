// Persistence of the simulated HNS in one JSON file shared by every process that names it: an
// exclusive lock on a sibling lock file around each call (waited for until the call's deadline), a
// cheap change check, and atomic writes (temp file in the same folder + fsync + rename), so parallel
// processes lose no object and a killed process never leaves a torn file. Paths are resolved once
// (a symlink followed once), the lock and temporary files are never followed through a symlink,
// the file keeps its mode, and anything but a regular file is refused.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "../hcn/hcn_api.h"
#include "hns_state.h"

namespace sim {

class StateFile {
 public:
  using Clock = std::chrono::steady_clock;
  struct OpenOptions {
    bool recoverCorrupt = false;  // move a file that does not parse aside and start fresh
    bool hasDeadline = false;     // wait for the lock until `deadline` (else as long as it takes)
    Clock::time_point deadline;
  };

  StateFile() = default;
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;
  ~StateFile() { Close(); }

  // The path every instance and process uses for `path`: absolute, the folder resolved, and a
  // symlink at `path` followed once (its target is what gets replaced). Refuses a NUL byte, a
  // link to a link, a missing folder, and anything but a regular file (directory, FIFO, device,
  // socket).
  static bool Canonical(const std::string& path, std::string* canonical, std::string* error);

  // Opens the lock file `<path>.lock` and loads `path` (canonical) into *state, creating it from
  // `initial` (under the lock) when absent; removes `<path>.tmp.*` files a killed writer left.
  HRESULT Open(const std::string& path, const HnsState& initial, HnsState* state, const OpenOptions& options,
               std::string* error);
  void Close();
  bool active() const { return active_; }
  const std::string& path() const { return path_; }

  // Exclusive, machine-wide. Waits until the deadline when one is given (then HRESULT timeout).
  HRESULT Lock(bool hasDeadline, Clock::time_point deadline, std::string* error);
  void Unlock();
  // Under Lock: reloads the file into *state when another process changed it. A missing file is
  // recreated with the default topology; one that does not parse is an error naming the file and
  // how to recover.
  bool Refresh(HnsState* state, std::string* error);
  // Under Lock: records `changes` (HnsState::TakeChanges) — an append of one line to the journal
  // `<path>.journal`, whose cost does not grow with the number of objects — or, when the journal is
  // missing, stale or larger than the snapshot (or everything changed), writes *state atomically as
  // a new snapshot with a new, empty journal. Keeps the file's mode.
  bool Save(const HnsState& state, const HnsState::Changes& changes, std::string* error);
  // Forces the next Refresh to read the file.
  void Invalidate() { haveSeen_ = false; }
  // Whether the last Refresh (or Open) loaded the whole file: while not, a call that reads only a
  // few objects can be answered by View instead.
  bool Loaded() const { return haveSeen_; }
  // Every load of the whole file from now on adds one to *counter (the `stats` control's
  // stateReads.wholeLoads; it outlives this object).
  void CountWholeLoadsIn(std::atomic<uint64_t>* counter) { wholeLoads_ = counter; }

  // Under Lock: builds in *view (a fresh HnsState) only what `reads` names, as the file holds it now:
  // the objects looked up in the snapshot's index (snapshot.h) and the journal's changes to them.
  // What that costs does not grow with the number of objects (the journal is bounded, see Save).
  // Unavailable when the file cannot answer that way (a legacy or hand-edited snapshot, `reads.all`):
  // the caller loads everything with Refresh. Failed (with *error naming the file) for damage a
  // full load would report too.
  enum class ViewResult { Served, Unavailable, Failed };
  ViewResult View(const Reads& reads, HnsState* view, std::string* error);

 private:
  std::atomic<uint64_t>* wholeLoads_ = nullptr;
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
  bool ReadAll(std::string* out, bool* missing, std::string* error) const;
  // Replaces `target` by `text` (temporary file, flush, rename). `stamp`, when given, becomes the
  // file's modification time (100 ns ticks since 1970; see SnapshotStamp).
  bool WriteAtomic(const std::string& target, const std::string& text, std::string* error,
                   const uint64_t* stamp = nullptr);
  bool Parse(const std::string& text, HnsState* state, std::string* why, std::string* journalId) const;
  // Snapshot + journal into *state (the file exists and parses, else false with *error).
  bool LoadAll(const std::string& text, HnsState* state, std::string* error);
  // Applies the journal's complete lines from journalOffset_ (or from its start) to *state.
  bool ReadJournal(HnsState* state, bool fromStart, std::string* error);
  // Walks the records of journal text `text` from `pos` (the journal's byte `from` + pos): checks each
  // one's CRC and sequence number (*seq + 1, and advances *seq) and hands it to `take(json, &s, &why)`,
  // which applies it and sets its "S" (false with *why when it cannot). Stops at a torn tail; *end is
  // where the intact records end. False with *error (naming the record) for damage.
  template <class Take>
  bool ScanRecords(const std::string& text, size_t pos, uint64_t from, uint64_t* seq, Take take, size_t* end,
                   std::string* error) const;
  // Reads the snapshot and its journal again from the start (the journal is not the one read so far).
  bool LoadAgain(HnsState* state, std::string* error);
  bool WriteSnapshot(const HnsState& state, std::string* error);
  // Appends the record of `changes` (sequence number, CRC) and makes it durable.
  bool AppendRecord(const HnsState& state, const HnsState::Changes& changes, std::string* error);
  // False (with *error) when the state file is read-only: nothing may change it.
  bool Writable(std::string* error) const;
  // Renames the file to `<path>.corrupt-<UTC time>`; *aside names it.
  bool MoveAside(std::string* aside, std::string* error);
  void RemoveStrayTemps();
  std::string CorruptMessage(const std::string& why) const;

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
  Signature seenSignature_;
  uint64_t tempCounter_ = 0;
  // The journal of the snapshot last read or written: its ID (empty: none valid, the next write
  // rewrites the snapshot), how many bytes of it are applied, and its file identity.
  std::string journalPath_;
  std::string journalId_;
  uint64_t journalOffset_ = 0;
  uint64_t journalIdentity_ = 0;
  uint64_t journalSeq_ = 0;  // the sequence number of the last record applied or written
  uint64_t snapshotBytes_ = 0;
};

}  // namespace sim
