// State file persistence: flock/LockFileEx on a sibling lock file; a snapshot written atomically
// (temp file + fsync + rename, MoveFileExW on Windows) plus an append-only journal of changes
// (`<state>.journal`, one CRC-checked record per mutating call, made durable before the call
// returns); the snapshot's stat signature and the journal's identity and length as the cheap
// change check.
#include "state_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include "encoding.h"
#include "snapshot.h"

#ifdef _WIN32
#include <process.h>
#else
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#endif

namespace sim {

namespace {

#ifdef _WIN32
std::wstring Wide(const std::string& utf8) {
  HString w = Utf8ToUtf16(utf8);
  return std::wstring(w.begin(), w.end());
}

std::string LastErrorText(const char* what) {
  return std::string(what) + " failed (Windows error " + std::to_string(GetLastError()) + ")";
}

// The lock covers one byte far beyond the data, so bytes at offset 0 stay
// readable and writable (Windows byte-range locks are mandatory).
OVERLAPPED LockRegion() {
  OVERLAPPED ov;
  std::memset(&ov, 0, sizeof ov);
  ov.Offset = 0;
  ov.OffsetHigh = 1;
  return ov;
}
#else
std::string ErrnoText(const char* what) { return std::string(what) + " failed: " + std::strerror(errno); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What a non-regular file is, for the refusal.
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  return "not a regular file";
}
#endif

// The grace after the caller's deadline before a lock wait gives up: the bridge's watchdog
// reports HCN_TIMEOUT at the deadline itself, and the pool thread is back shortly after.
constexpr std::chrono::milliseconds kLockGrace(250);

// A journal is folded into a new snapshot once it is larger than the snapshot and than the
// minimum, or larger than the maximum whatever the snapshot's size: a read of single objects
// (View) reads the whole journal, so the journal stays bounded.
constexpr uint64_t kCompactMinBytes = uint64_t{256} * 1024;
constexpr uint64_t kCompactMaxBytes = uint64_t{1024} * 1024;

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
#ifdef _WIN32
  gmtime_s(&tm, &now);
#else
  gmtime_r(&now, &tm);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// The journal's records carry a CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) so a record
// torn by a power cut (whose bytes may be garbage or zeros) is told from a complete one.
uint32_t Crc32(const char* data, size_t size) {
  static uint32_t table[256];
  static const bool ready = [] {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)ready;
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// The journal's first line: the ID of the snapshot it belongs to.
std::string JournalHeader(const std::string& id) { return "{\"Journal\":\"" + id + "\"}\n"; }

bool IntactRecord(const std::string& line) {
  const size_t tab = line.rfind('\t');
  return tab != std::string::npos && line.size() - tab == 9 &&
         line.compare(tab + 1, 8, Hex8(Crc32(line.data(), tab))) == 0;
}

// Whether a complete, intact record follows `pos`: if not, a bad record before it is the torn tail
// (a power cut can leave garbage, newlines included, past the last durable record).
bool IntactRecordAfter(const std::string& text, size_t pos) {
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) return false;
    if (IntactRecord(text.substr(pos, nl - pos))) return true;
    pos = nl + 1;
  }
  return false;
}

// What the journal file is: absent, or a regular file with an identity (the same file across
// calls) and a size. Anything else (a symlink, directory, FIFO, device) is refused by the callers.
struct JournalInfo {
  bool exists = false;
  bool regular = false;
  std::string kind;  // for the refusal: "a symlink", "a directory", ...
  uint64_t identity = 0;
  uint64_t size = 0;
};

#ifdef _WIN32
bool InfoOf(HANDLE h, JournalInfo* info) {
  BY_HANDLE_FILE_INFORMATION fi;
  if (!GetFileInformationByHandle(h, &fi)) return false;
  info->exists = true;
  info->regular = (fi.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) == 0;
  info->kind = (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? "a symlink (reparse point)"
               : (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)   ? "a directory"
                                                                     : "";
  info->identity = ((static_cast<uint64_t>(fi.nFileIndexHigh) << 32) | fi.nFileIndexLow) ^
                   (static_cast<uint64_t>(fi.dwVolumeSerialNumber) << 20);
  info->size = (static_cast<uint64_t>(fi.nFileSizeHigh) << 32) | fi.nFileSizeLow;
  return true;
}

// FILE_FLAG_OPEN_REPARSE_POINT: a symlink is opened as itself (and refused), never followed.
HANDLE OpenJournal(const std::string& path, DWORD access) {
  return CreateFileW(Wide(path).c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                     OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS,
                     nullptr);
}

bool Missing(DWORD e) { return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND; }
#else
void InfoOf(const struct stat& st, JournalInfo* info) {
  info->exists = true;
  info->regular = S_ISREG(st.st_mode);
  info->kind = info->regular ? "" : KindOf(st.st_mode);
  info->identity = static_cast<uint64_t>(st.st_ino) ^ (static_cast<uint64_t>(st.st_dev) << 32);
  info->size = static_cast<uint64_t>(st.st_size);
}
#endif

// The journal as it is now, without following a symlink.
bool StatJournal(const std::string& path, JournalInfo* info, std::string* error) {
  *info = JournalInfo();
#ifdef _WIN32
  HANDLE h = OpenJournal(path, 0);
  if (h == INVALID_HANDLE_VALUE) {
    if (Missing(GetLastError())) return true;
    *error = LastErrorText(("opening " + path).c_str());
    return false;
  }
  const bool ok = InfoOf(h, info);
  CloseHandle(h);
  if (!ok) *error = LastErrorText(("reading the attributes of " + path).c_str());
  return ok;
#else
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    *error = ErrnoText(("reading the attributes of " + path).c_str());
    return false;
  }
  InfoOf(st, info);
  return true;
#endif
}

// Reads the journal from byte `from` to its end. A missing journal is not an error (info->exists
// false); a symlink or anything but a regular file is.
// With `headerBytes`, also reads the file's first `headerBytes` bytes into *header (to check, on an
// incremental read, that the journal is still the one of the snapshot).
bool ReadJournalFrom(const std::string& path, uint64_t from, std::string* text, JournalInfo* info, std::string* error,
                     size_t headerBytes = 0, std::string* header = nullptr) {
  text->clear();
  *info = JournalInfo();
  auto refuse = [&]() {
    *error = "the journal " + path + " is " + info->kind + ", not a regular file; refusing to use it";
    return false;
  };
#ifdef _WIN32
  HANDLE h = OpenJournal(path, GENERIC_READ);
  if (h == INVALID_HANDLE_VALUE) {
    if (Missing(GetLastError())) return true;
    *error = LastErrorText(("opening " + path).c_str());
    return false;
  }
  if (!InfoOf(h, info)) {
    *error = LastErrorText(("reading the attributes of " + path).c_str());
    CloseHandle(h);
    return false;
  }
  if (!info->regular) {
    CloseHandle(h);
    return refuse();
  }
  bool ok = true;
  char buf[65536];
  if (headerBytes > 0 && header) {
    header->resize(headerBytes);
    DWORD got = 0;
    ok = ReadFile(h, &(*header)[0], static_cast<DWORD>(headerBytes), &got, nullptr) != 0;
    header->resize(ok ? got : 0);
  }
  LARGE_INTEGER at;
  at.QuadPart = static_cast<LONGLONG>(from);
  ok = ok && SetFilePointerEx(h, at, nullptr, FILE_BEGIN) != 0;
  while (ok) {
    DWORD got = 0;
    if (!ReadFile(h, buf, sizeof buf, &got, nullptr)) ok = false;
    if (!ok || got == 0) break;
    text->append(buf, got);
  }
  if (!ok) *error = LastErrorText(("reading " + path).c_str());
  CloseHandle(h);
  return ok;
#else
  // O_NONBLOCK: a FIFO in place of the journal must not hang the call (it is refused below).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return true;
    if (errno == ELOOP) {
      info->exists = true;
      info->kind = "a symlink";
      return refuse();
    }
    *error = ErrnoText(("opening " + path).c_str());
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *error = ErrnoText(("reading the attributes of " + path).c_str());
    ::close(fd);
    return false;
  }
  InfoOf(st, info);
  if (!info->regular) {
    ::close(fd);
    return refuse();
  }
  if (headerBytes > 0 && header) {
    header->resize(headerBytes);
    const ssize_t got = ::pread(fd, &(*header)[0], headerBytes, 0);
    header->resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  char buf[65536];
  off_t at = static_cast<off_t>(from);
  while (true) {
    const ssize_t got = ::pread(fd, buf, sizeof buf, at);
    if (got < 0) {
      if (errno == EINTR) continue;
      *error = ErrnoText(("reading " + path).c_str());
      ::close(fd);
      return false;
    }
    if (got == 0) break;
    text->append(buf, static_cast<size_t>(got));
    at += got;
  }
  ::close(fd);
  return true;
#endif
}

// Cuts the journal back to `offset` (dropping a torn tail a killed writer left), writes `data`
// there and makes it durable (fdatasync / FlushFileBuffers) before returning. Refuses a journal
// that is no longer the file `identity` or is shorter than `offset` (someone else replaced it).
bool AppendDurably(const std::string& path, uint64_t identity, uint64_t offset, const std::string& data,
                   std::string* error) {
  JournalInfo info;
  auto changed = [&]() {
    *error = "the journal " + path + " changed unexpectedly";
    return false;
  };
#ifdef _WIN32
  HANDLE h = OpenJournal(path, GENERIC_WRITE);
  if (h == INVALID_HANDLE_VALUE) {
    *error = LastErrorText(("opening " + path).c_str());
    return false;
  }
  if (!InfoOf(h, &info) || !info.regular || info.identity != identity || info.size < offset) {
    CloseHandle(h);
    return changed();
  }
  LARGE_INTEGER at;
  at.QuadPart = static_cast<LONGLONG>(offset);
  bool ok = SetFilePointerEx(h, at, nullptr, FILE_BEGIN) != 0 && (info.size == offset || SetEndOfFile(h) != 0);
  size_t done = 0;
  while (ok && done < data.size()) {
    DWORD put = 0;
    const DWORD chunk = static_cast<DWORD>((std::min<size_t>)(data.size() - done, 1u << 20));
    if (!WriteFile(h, data.data() + done, chunk, &put, nullptr)) ok = false;
    done += put;
  }
  if (ok) ok = FlushFileBuffers(h) != 0;
  if (!ok) {
    *error = LastErrorText(("appending to " + path).c_str());
    // Whatever part was written is a torn record: cut it off again (a reader ignores it anyway).
    if (SetFilePointerEx(h, at, nullptr, FILE_BEGIN)) SetEndOfFile(h);
  }
  CloseHandle(h);
  return ok;
#else
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    *error = ErrnoText(("opening " + path).c_str());
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return changed();
  }
  InfoOf(st, &info);
  if (!info.regular || info.identity != identity || info.size < offset) {
    ::close(fd);
    return changed();
  }
  bool ok = info.size == offset || ::ftruncate(fd, static_cast<off_t>(offset)) == 0;
  size_t done = 0;
  while (ok && done < data.size()) {
    const ssize_t put = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (put < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    done += static_cast<size_t>(put);
  }
  // Durable before the call reports success: the record and the file's new size.
#ifdef __APPLE__
  if (ok) ok = ::fsync(fd) == 0;
#else
  if (ok) ok = ::fdatasync(fd) == 0;
#endif
  if (!ok) {
    *error = ErrnoText(("appending to " + path).c_str());
    if (::ftruncate(fd, static_cast<off_t>(offset)) != 0) {
      // Left as a torn tail: readers ignore it and the next writer cuts it.
    }
  }
  ::close(fd);
  return ok;
#endif
}

}  // namespace

bool StateFile::Canonical(const std::string& path, std::string* canonical, std::string* error) {
  if (path.empty()) {
    *error = "statePath is empty";
    return false;
  }
  if (path.find('\0') != std::string::npos) {
    *error = "statePath contains a NUL byte";
    return false;
  }
#ifdef _WIN32
  const std::wstring w = Wide(path);
  wchar_t full[MAX_PATH * 4];
  DWORD n = GetFullPathNameW(w.c_str(), static_cast<DWORD>(sizeof full / sizeof full[0]), full, nullptr);
  if (n == 0 || n >= sizeof full / sizeof full[0]) {
    *error = LastErrorText(("resolving " + path).c_str());
    return false;
  }
  const DWORD attrs = GetFileAttributesW(full);
  if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
    *error = "the state file " + path + " is a directory, not a regular file";
    return false;
  }
  std::u16string u(full, full + n);
  std::string utf8;
  if (!Utf16ToUtf8(reinterpret_cast<const hcn_char*>(u.c_str()), &utf8)) utf8 = path;
  *canonical = utf8;
  return true;
#else
  std::string p = path;
  if (p[0] != '/') {
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) {
      *error = ErrnoText("getcwd");
      return false;
    }
    p = std::string(cwd) + "/" + p;
  }
  struct stat st;
  if (::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Followed once: the target is the state file (and what a write replaces).
    char target[PATH_MAX];
    const ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
    if (n < 0) {
      *error = ErrnoText(("reading the symlink " + p).c_str());
      return false;
    }
    target[n] = 0;
    std::string t = target;
    if (t.empty()) {
      *error = "the state file " + path + " is an empty symlink";
      return false;
    }
    if (t[0] != '/') t = DirectoryOf(p) + "/" + t;
    if (::lstat(t.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      *error = "the state file " + path + " is a symlink to another symlink (" + t +
               "); the simulator follows one link: point it at the file itself";
      return false;
    }
    p = t;
  }
  if (::stat(p.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    *error = "the state file " + p + " is " + KindOf(st.st_mode) + ", not a regular file";
    return false;
  }
  const std::string dir = DirectoryOf(p);
  char real[PATH_MAX];
  if (!::realpath(dir.c_str(), real)) {
    *error = errno == ENOENT ? "the folder " + dir + " of the state file does not exist"
                             : ErrnoText(("resolving the folder " + dir).c_str());
    return false;
  }
  struct stat dst;
  if (::stat(real, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
    *error = "the folder " + dir + " of the state file is not a directory";
    return false;
  }
  const std::string base = BaseOf(p);
  if (base.empty() || base == "." || base == "..") {
    *error = "the state file " + path + " names a folder, not a file";
    return false;
  }
  *canonical = (std::string(real) == "/" ? std::string() : std::string(real)) + "/" + base;
  return true;
#endif
}

HRESULT StateFile::Open(const std::string& path, const HnsState& initial, HnsState* state,
                        const OpenOptions& options, std::string* error) {
  Close();
  if (path.empty() || path.find('\0') != std::string::npos) {
    *error = "statePath is empty or contains a NUL byte";
    return hr::kInvalidArg;
  }
  path_ = path;
  lockPath_ = path + ".lock";
  journalPath_ = path + ".journal";
  journalId_.clear();
  journalOffset_ = 0;
#ifdef _WIN32
  lock_ = CreateFileW(Wide(lockPath_).c_str(), GENERIC_READ | GENERIC_WRITE,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (lock_ == INVALID_HANDLE_VALUE) {
    *error = LastErrorText(("opening " + lockPath_).c_str());
    Close();
    return hr::kFail;
  }
#else
  // Never through a symlink (a planted <state>.lock must not make a write land elsewhere), and
  // readable by the user only.
  lockFd_ = ::open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (lockFd_ < 0) {
    *error = errno == ELOOP ? "the lock file " + lockPath_ + " is a symlink; refusing to follow it (remove it)"
                            : ErrnoText(("opening " + lockPath_).c_str());
    Close();
    return errno == EACCES ? hr::kAccessDenied : hr::kFail;
  }
  struct stat st;
  if (::fstat(lockFd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = "the lock file " + lockPath_ + " is not a regular file";
    Close();
    return hr::kFail;
  }
#endif
  active_ = true;
  haveSeen_ = false;
  HRESULT h = Lock(options.hasDeadline, options.deadline, error);
  if (hr::Failed(h)) {
    Close();
    return h;
  }
  RemoveStrayTemps();
  if (!options.recoverCorrupt) {
    // A snapshot with an index is not loaded here: the first call that needs everything loads it
    // (Refresh), and a call that reads a few objects may never need to (View). It is checked as
    // View checks it (its first line, every journal record), so damage there fails the open as a
    // full load would.
    HnsState unused;
    std::string why;
    const ViewResult lazy = View(Reads::Nothing(), &unused, &why);
    if (lazy != ViewResult::Unavailable) {
      Unlock();
      if (lazy == ViewResult::Served) return hr::kOk;
      *error = why;
      Close();
      return hr::kFail;
    }
  }
  bool missing = false;
  std::string text;
  bool ok = ReadAll(&text, &missing, error);
  if (ok && missing) {
    *state = initial;
    ok = WriteSnapshot(*state, error);
  } else if (ok) {
    std::string why;
    if (LoadAll(text, state, &why)) {
      // loaded
    } else if (options.recoverCorrupt) {
      std::string aside;
      ok = MoveAside(&aside, error);
      if (ok) {
        *state = initial;
        ok = WriteSnapshot(*state, error);
      }
    } else {
      *error = why;
      ok = false;
    }
  }
  state->TakeChanges();
  Unlock();
  if (!ok) {
    Close();
    return hr::kFail;
  }
  return hr::kOk;
}

void StateFile::Close() {
  if (locked_) Unlock();
#ifdef _WIN32
  if (lock_ != INVALID_HANDLE_VALUE) CloseHandle(lock_);
  lock_ = INVALID_HANDLE_VALUE;
#else
  if (lockFd_ >= 0) ::close(lockFd_);
  lockFd_ = -1;
#endif
  active_ = false;
  haveSeen_ = false;
  path_.clear();
  lockPath_.clear();
}

HRESULT StateFile::Lock(bool hasDeadline, Clock::time_point deadline, std::string* error) {
  auto timedOut = [&]() {
    *error = "another process holds the state file lock " + lockPath_ +
             " (a stopped or slow hcn?); gave up at the call's deadline";
    return hr::kTimeout;
  };
  std::chrono::milliseconds pause(1);
#ifdef _WIN32
  while (true) {
    OVERLAPPED ov = LockRegion();
    const DWORD flags = LOCKFILE_EXCLUSIVE_LOCK | (hasDeadline ? LOCKFILE_FAIL_IMMEDIATELY : 0);
    if (LockFileEx(lock_, flags, 0, 1, 0, &ov)) break;
    if (!hasDeadline || GetLastError() != ERROR_LOCK_VIOLATION) {
      *error = LastErrorText("LockFileEx");
      return hr::kFail;
    }
    const auto now = Clock::now();
    if (now >= deadline + kLockGrace) return timedOut();
    std::this_thread::sleep_for((std::min)(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline + kLockGrace - now) + std::chrono::milliseconds(1)));
    pause = (std::min)(pause * 2, std::chrono::milliseconds(16));
  }
#else
  while (::flock(lockFd_, hasDeadline ? LOCK_EX | LOCK_NB : LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    if (!hasDeadline || errno != EWOULDBLOCK) {
      *error = ErrnoText("flock");
      return hr::kFail;
    }
    const auto now = Clock::now();
    if (now >= deadline + kLockGrace) return timedOut();
    std::this_thread::sleep_for((std::min)(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline + kLockGrace - now) + std::chrono::milliseconds(1)));
    pause = (std::min)(pause * 2, std::chrono::milliseconds(16));
  }
#endif
  locked_ = true;
  return hr::kOk;
}

void StateFile::Unlock() {
  if (!locked_) return;
#ifdef _WIN32
  OVERLAPPED ov = LockRegion();
  UnlockFileEx(lock_, 0, 1, 0, &ov);
#else
  ::flock(lockFd_, LOCK_UN);
#endif
  locked_ = false;
}

bool StateFile::Stat(Signature* out) const {
  Signature sig;
#ifdef _WIN32
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (GetFileAttributesExW(Wide(path_).c_str(), GetFileExInfoStandard, &data)) {
    sig.exists = true;
    sig.size = (static_cast<uint64_t>(data.nFileSizeHigh) << 32) | data.nFileSizeLow;
    sig.mtime = (static_cast<uint64_t>(data.ftLastWriteTime.dwHighDateTime) << 32) |
                data.ftLastWriteTime.dwLowDateTime;
    sig.identity = (static_cast<uint64_t>(data.ftCreationTime.dwHighDateTime) << 32) |
                   data.ftCreationTime.dwLowDateTime;
  }
#else
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0) {
    sig.exists = true;
    sig.size = static_cast<uint64_t>(st.st_size);
#if defined(__APPLE__)
    sig.mtime = static_cast<uint64_t>(st.st_mtimespec.tv_sec) * 1000000000u + static_cast<uint64_t>(st.st_mtimespec.tv_nsec);
#else
    sig.mtime = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000u + static_cast<uint64_t>(st.st_mtim.tv_nsec);
#endif
    sig.identity = static_cast<uint64_t>(st.st_ino) ^ (static_cast<uint64_t>(st.st_dev) << 32);
  }
#endif
  *out = sig;
  return sig.exists;
}

bool StateFile::ReadAll(std::string* out, bool* missing, std::string* error) const {
  out->clear();
  *missing = false;
#ifdef _WIN32
  HANDLE h = CreateFileW(Wide(path_).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
      *missing = true;
      return true;
    }
    *error = LastErrorText(("opening " + path_).c_str());
    return false;
  }
  char buf[65536];
  DWORD got = 0;
  bool ok = true;
  while (true) {
    if (!ReadFile(h, buf, sizeof buf, &got, nullptr)) {
      ok = false;
      *error = LastErrorText(("reading " + path_).c_str());
      break;
    }
    if (got == 0) break;
    out->append(buf, got);
  }
  CloseHandle(h);
  return ok;
#else
  // O_NONBLOCK: a FIFO put in place of the file must not hang the call (it is refused below).
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *error = errno == ELOOP ? "the state file " + path_ + " became a symlink; open it again by its new path"
                            : ErrnoText(("opening " + path_).c_str());
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = "the state file " + path_ + " is " + (::fstat(fd, &st) == 0 ? KindOf(st.st_mode) : "unreadable") +
             ", not a regular file";
    ::close(fd);
    return false;
  }
  char buf[65536];
  bool ok = true;
  while (true) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      ok = false;
      *error = ErrnoText(("reading " + path_).c_str());
      break;
    }
    if (got == 0) break;
    out->append(buf, static_cast<size_t>(got));
  }
  ::close(fd);
  return ok;
#endif
}

bool StateFile::WriteAtomic(const std::string& target, const std::string& text, std::string* error, const uint64_t* stamp) {
#ifdef _WIN32
  std::string temp;
  std::wstring wtemp;
  HANDLE h = INVALID_HANDLE_VALUE;
  for (int attempt = 0; attempt < 16 && h == INVALID_HANDLE_VALUE; ++attempt) {
    temp = target + ".tmp." + std::to_string(_getpid()) + "." + std::to_string(++tempCounter_);
    wtemp = Wide(temp);
    // CREATE_NEW + FILE_FLAG_OPEN_REPARSE_POINT (the POSIX side's O_EXCL | O_NOFOLLOW): anything
    // planted under the temporary name, a symlink included, makes this name fail; it is never
    // written through.
    h = CreateFileW(wtemp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    if (h == INVALID_HANDLE_VALUE && GetLastError() != ERROR_FILE_EXISTS && GetLastError() != ERROR_ALREADY_EXISTS) break;
  }
  if (h == INVALID_HANDLE_VALUE) {
    *error = LastErrorText(("creating " + temp).c_str());
    return false;
  }
  size_t done = 0;
  bool ok = true;
  while (done < text.size()) {
    DWORD put = 0;
    DWORD chunk = static_cast<DWORD>(std::min<size_t>(text.size() - done, 1u << 20));
    if (!WriteFile(h, text.data() + done, chunk, &put, nullptr)) {
      ok = false;
      break;
    }
    done += put;
  }
  if (ok && stamp) {
    const uint64_t t = *stamp + kFiletimeEpoch;
    FILETIME ft;
    ft.dwLowDateTime = static_cast<DWORD>(t & 0xFFFFFFFFu);
    ft.dwHighDateTime = static_cast<DWORD>(t >> 32);
    // Best effort: a file whose time could not be set is still valid, only always loaded whole.
    SetFileTime(h, nullptr, nullptr, &ft);
  }
  if (ok) ok = FlushFileBuffers(h) != 0;
  CloseHandle(h);
  if (ok) ok = MoveFileExW(wtemp.c_str(), Wide(target).c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0;
  if (!ok) {
    *error = LastErrorText(("writing " + target).c_str());
    DeleteFileW(wtemp.c_str());
    return false;
  }
  return true;
#else
  // The file keeps its mode across rewrites; a new one is the user's only (0600). A file without
  // the owner's write bit is read-only: refused, never replaced behind the user's back.
  // The journal takes the state file's mode too.
  mode_t mode = 0600;
  struct stat current;
  if (::lstat(path_.c_str(), &current) == 0) {
    if (!S_ISREG(current.st_mode)) {
      *error = "the state file " + path_ + " is " + KindOf(current.st_mode) + ", not a regular file";
      return false;
    }
    mode = current.st_mode & 07777;
    if ((mode & S_IWUSR) == 0) {
      *error = "the state file " + path_ + " is read-only; make it writable (chmod u+w) to change the simulated HNS";
      return false;
    }
  }
  RemoveStrayTemps();
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    temp = target + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++tempCounter_);
    // O_EXCL | O_NOFOLLOW: never writes through something planted under the temporary name.
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    *error = ErrnoText(("creating " + temp).c_str());
    return false;
  }
  if (::fchmod(fd, mode) != 0) {
    *error = ErrnoText(("setting the mode of " + temp).c_str());
    ::close(fd);
    ::unlink(temp.c_str());
    return false;
  }
  size_t done = 0;
  bool ok = true;
  while (done < text.size()) {
    ssize_t put = ::write(fd, text.data() + done, text.size() - done);
    if (put < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    done += static_cast<size_t>(put);
  }
  if (ok && stamp) {
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = static_cast<time_t>(*stamp / 10000000u);
    times[1].tv_nsec = static_cast<long>(*stamp % 10000000u) * 100;
    // Best effort: a file whose time could not be set is still valid, only always loaded whole.
    (void)::futimens(fd, times);
  }
  if (ok) ok = ::fsync(fd) == 0;
  if (!ok) *error = ErrnoText(("writing " + temp).c_str());
  ::close(fd);
  if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
    ok = false;
    *error = ErrnoText(("renaming " + temp).c_str());
  }
  if (!ok) {
    ::unlink(temp.c_str());
    return false;
  }
  // Make the rename itself durable.
  int dir = ::open(DirectoryOf(target).c_str(), O_RDONLY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
#endif
}

bool StateFile::Refresh(HnsState* state, std::string* error) {
  Signature sig;
  Stat(&sig);
  bool ok = true;
  if (haveSeen_ && sig == seenSignature_) {
    // Same snapshot: at most new journal records to apply (another process appended).
    if (journalId_.empty()) return true;
    JournalInfo info;
    std::string why;
    if (StatJournal(journalPath_, &info, &why) && info.regular && info.identity == journalIdentity_ &&
        info.size >= journalOffset_) {
      // Even with no new bytes the header is read: a rewritten snapshot and journal often get the
      // inode numbers of the old ones (ext4), and with the same size and a coarse mtime the stat
      // signature alone cannot tell the generations apart; the header's JournalId can.
      ok = ReadJournal(state, false, error);
      state->TakeChanges();
      if (!ok) haveSeen_ = false;
      return ok;
    }
    // The journal was replaced or cut: read everything again.
  }
  std::string text;
  bool missing = false;
  if (!ReadAll(&text, &missing, error)) return false;
  if (missing) {
    // Someone removed the file: HNS starts over from the default topology.
    HnsState fresh;
    fresh.SetDefault();
    *state = fresh;
    state->TakeChanges();
    return WriteSnapshot(*state, error);
  }
  ok = LoadAll(text, state, error);
  state->TakeChanges();
  return ok;
}

bool StateFile::LoadAll(const std::string& text, HnsState* state, std::string* error) {
  if (wholeLoads_) ++*wholeLoads_;
  std::string why, id;
  HnsState loaded;
  if (!Parse(text, &loaded, &why, &id)) {
    *error = CorruptMessage(why);
    haveSeen_ = false;
    return false;
  }
  snapshotBytes_ = text.size();
  journalId_ = id;
  journalOffset_ = 0;
  journalIdentity_ = 0;
  if (!journalId_.empty() && !ReadJournal(&loaded, true, error)) {
    haveSeen_ = false;
    return false;
  }
  *state = std::move(loaded);
  Stat(&seenSignature_);
  haveSeen_ = true;
  return true;
}

bool StateFile::ReadJournal(HnsState* state, bool fromStart, std::string* error) {
  const uint64_t from = fromStart ? 0 : journalOffset_;
  std::string text;
  std::string header;
  const std::string expected = JournalHeader(journalId_);
  JournalInfo info;
  if (!ReadJournalFrom(journalPath_, from, &text, &info, error, fromStart ? 0 : expected.size(), &header)) {
    *error = CorruptMessage(*error);
    return false;
  }
  if (!info.exists) {
    if (fromStart) {
      // The snapshot was written but its journal not yet (a writer killed in between): nothing
      // was appended to it, the snapshot is the state; the next write starts the journal.
      journalId_.clear();
      return true;
    }
    return LoadAgain(state, error);
  }
  size_t pos = 0;
  if (fromStart) {
    // The header names the snapshot the journal belongs to. The journal of an older snapshot (a
    // compaction killed after renaming the new snapshot and before renaming its journal) holds
    // only records the new snapshot already contains: ignored, replaced by the next write.
    const size_t nl = text.find('\n');
    Json header;
    std::string why;
    if (nl == std::string::npos || !ParseJson(text.substr(0, nl), &header, &why) || !header.IsObject() ||
        header.StringAt("Journal").empty()) {
      // The header is written atomically with the file (temp + rename): a bad one is damage.
      *error = CorruptMessage("the journal " + journalPath_ + " has no valid header");
      return false;
    }
    if (header.StringAt("Journal") != journalId_) {
      journalId_.clear();
      return true;
    }
    pos = nl + 1;
    journalIdentity_ = info.identity;
    journalSeq_ = 0;
  } else if (info.identity != journalIdentity_ || header != expected) {
    // Not the journal read so far (replaced, or rewritten in place): read everything again.
    return LoadAgain(state, error);
  }
  size_t end = pos;
  auto take = [&](const std::string& json, uint64_t* seq, std::string* why) {
    Json rec;
    if (!ParseJson(json, &rec, why) || !rec.IsObject() || !rec.Find("S") || !rec.Find("S")->GetUint64(seq)) {
      if (why->empty()) *why = "out of sequence";
      return false;
    }
    return state->ApplyRecord(rec, why);
  };
  if (!ScanRecords(text, pos, from, &journalSeq_, take, &end, error)) return false;
  pos = end;
  journalOffset_ = from + pos;
  return true;
}

bool StateFile::LoadAgain(HnsState* state, std::string* error) {
  std::string text;
  bool missing = false;
  if (!ReadAll(&text, &missing, error)) return false;
  if (missing) {
    *error = "the state file " + path_ + " disappeared";
    return false;
  }
  return LoadAll(text, state, error);
}

// Each record is `<JSON>\t<crc32>\n` with "S" = the previous record's + 1. The last record may be
// torn (no newline, or a CRC that does not match: a writer killed mid-append, or a power cut before
// its fdatasync): it is ignored, never half-applied, and the next writer cuts it off. A bad record
// followed by more is damage and reported.
template <class Take>
bool StateFile::ScanRecords(const std::string& text, size_t pos, uint64_t from, uint64_t* seq, Take take, size_t* end,
                            std::string* error) const {
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // torn tail
    const std::string line = text.substr(pos, nl - pos);
    const size_t tab = line.rfind('\t');
    const bool intact = IntactRecord(line);
    if (!intact && !IntactRecordAfter(text, nl + 1)) break;  // torn tail
    const std::string where = "the journal " + journalPath_ + ", record at byte " + std::to_string(from + pos);
    if (!intact) {
      *error = CorruptMessage(where + ": checksum mismatch");
      return false;
    }
    std::string why;
    uint64_t s = 0;
    if (!take(line.substr(0, tab), &s, &why) || s != *seq + 1) {
      *error = CorruptMessage(where + (why.empty() ? ": out of sequence" : ": " + why));
      return false;
    }
    *seq = s;
    pos = nl + 1;
  }
  *end = pos;
  return true;
}

namespace {

// The "S" of a record as the writer puts it, last: `...,"S":<digits>}`. False for any other shape
// (the caller then parses the record).
bool TrailingSequence(const std::string& json, uint64_t* seq) {
  const size_t at = json.rfind(",\"S\":");
  if (at == std::string::npos || json.empty() || json.back() != '}') return false;
  const size_t first = at + 5, last = json.size() - 1;
  if (first == last || last - first > 19) return false;
  uint64_t v = 0;
  for (size_t i = first; i < last; ++i) {
    if (json[i] < '0' || json[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(json[i] - '0');
  }
  *seq = v;
  return true;
}

// Whether `text` holds `needle` (ASCII, compared without case).
bool ContainsNoCase(const std::string& text, const std::string& needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
           return (a >= 'a' && a <= 'z' ? a - 32 : a) == (b >= 'a' && b <= 'z' ? b - 32 : b);
         }) != text.end();
}

}  // namespace

StateFile::ViewResult StateFile::View(const Reads& reads, HnsState* view, std::string* error) {
  if (reads.all) return ViewResult::Unavailable;
  SnapshotReader snapshot;
  if (!snapshot.Open(path_)) return ViewResult::Unavailable;
  HnsState v;
  v.version = snapshot.version;
  v.nextNamespaceId = snapshot.nextNamespaceId;
  v.vfpRemoved = snapshot.vfpRemoved;
  for (const auto& o : reads.objects) {
    Json object;
    bool found = false;
    if (!snapshot.Lookup(o.first, o.second, &object, &found)) return ViewResult::Unavailable;
    if (found && !v.Find(o.first, o.second)) v.Adopt(o.first, std::move(object));
  }
  for (int f = 0; f < hcn::kFamilyCount; ++f) {
    if (!reads.families[f]) continue;
    std::vector<Json> all;
    if (!snapshot.ReadFamily(static_cast<Family>(f), &all)) return ViewResult::Unavailable;
    for (Json& o : all)
      if (!v.Find(static_cast<Family>(f), o.StringAt("ID"))) v.Adopt(static_cast<Family>(f), std::move(o));
  }
  snapshot.Close();

  // The journal's changes. A record is parsed only when it may change what the view holds (it names
  // one of the IDs, or holds an entry of a family read whole), and the last one (the version,
  // namespace counter and removed VFP rules are written whole in each): a record changes the
  // objects its entries name and nothing else. The others are checked (CRC, sequence) and skipped.
  std::string text;
  JournalInfo info;
  if (!ReadJournalFrom(journalPath_, 0, &text, &info, error)) {
    *error = CorruptMessage(*error);
    return ViewResult::Failed;
  }
  if (!info.exists) return *view = std::move(v), ViewResult::Served;
  const size_t nl = text.find('\n');
  Json header;
  std::string why;
  if (nl == std::string::npos || !ParseJson(text.substr(0, nl), &header, &why) || !header.IsObject() ||
      header.StringAt("Journal").empty()) {
    *error = CorruptMessage("the journal " + journalPath_ + " has no valid header");
    return ViewResult::Failed;
  }
  if (header.StringAt("Journal") != snapshot.journalId) return *view = std::move(v), ViewResult::Served;
  std::vector<std::string> markers;
  for (const auto& o : reads.objects) markers.push_back(o.second);
  for (int f = 0; f < hcn::kFamilyCount; ++f)
    if (reads.families[f]) markers.push_back("[" + std::to_string(f) + ",");
  // One pass checks every record and keeps the ones to parse; they are applied in order afterwards.
  std::vector<std::string> picked;
  std::string last;
  bool lastPicked = false;
  auto take = [&](const std::string& json, uint64_t* seq, std::string* w) {
    bool relevant = false;
    for (size_t i = 0; i < markers.size() && !relevant; ++i) relevant = ContainsNoCase(json, markers[i]);
    if (relevant) picked.push_back(json);
    last = json;
    lastPicked = relevant;
    if (TrailingSequence(json, seq)) return true;
    Json rec;
    return ParseJson(json, &rec, w) && rec.IsObject() && rec.Find("S") && rec.Find("S")->GetUint64(seq);
  };
  uint64_t seq = 0;
  size_t end = nl + 1;
  if (!ScanRecords(text, nl + 1, 0, &seq, take, &end, error)) return ViewResult::Failed;
  if (!last.empty() && !lastPicked) picked.push_back(last);
  for (const std::string& json : picked) {
    Json rec;
    if (!ParseJson(json, &rec, &why) || !v.ApplyRecord(rec, &why)) {
      *error = CorruptMessage("the journal " + journalPath_ + ": " + why);
      return ViewResult::Failed;
    }
  }
  v.TakeChanges();
  *view = std::move(v);
  return ViewResult::Served;
}

bool StateFile::WriteSnapshot(const HnsState& state, std::string* error) {
  // A new journal for this snapshot: its ID ties the two together.
  const std::string id = NewGuidString();
  const uint64_t stamp = SnapshotStamp();
  const std::string text = SnapshotText(state, id, stamp);
  if (!WriteAtomic(path_, text, error, &stamp)) {
    haveSeen_ = false;
    return false;
  }
  snapshotBytes_ = text.size();
  journalId_.clear();
  journalOffset_ = 0;
  journalSeq_ = 0;
  // Snapshot first, then its (empty) journal: a crash in between leaves the new snapshot with the
  // old journal, whose header names the old snapshot, so it is ignored (nothing applied twice).
  const std::string header = JournalHeader(id);
  JournalInfo info;
  std::string why;
  if (WriteAtomic(journalPath_, header, &why) && StatJournal(journalPath_, &info, &why) && info.regular) {
    journalId_ = id;
    journalOffset_ = header.size();
    journalIdentity_ = info.identity;
  }
  // Else the snapshot holds everything; without a journal the next write rewrites it again.
  Stat(&seenSignature_);
  haveSeen_ = true;
  return true;
}

bool StateFile::AppendRecord(const HnsState& state, const HnsState::Changes& changes, std::string* error) {
  if (!Writable(error)) return false;
  Json rec = state.RecordOf(changes);
  rec.Set("S", Json::Uint(journalSeq_ + 1));
  std::string line = rec.Dump();
  line += "\t" + Hex8(Crc32(line.data(), line.size())) + "\n";
  if (!AppendDurably(journalPath_, journalIdentity_, journalOffset_, line, error)) return false;
  journalOffset_ += line.size();
  ++journalSeq_;
  return true;
}

bool StateFile::Save(const HnsState& state, const HnsState::Changes& changes, std::string* error) {
  // Compaction: once the journal outgrows the snapshot (and at least 256 KiB), or 1 MiB, the next
  // write folds it into a new snapshot. A load reads at most the snapshot and 1 MiB of journal; a
  // write is O(1) amortised up to a 1 MiB snapshot, and beyond it rewrites the snapshot once per
  // 1 MiB of records (about 2,500 creates).
  const bool full = changes.all || journalId_.empty() ||
                    journalOffset_ > (std::max<uint64_t>)(kCompactMinBytes, (std::min<uint64_t>)(snapshotBytes_, kCompactMaxBytes));
  if (!full) {
    if (AppendRecord(state, changes, error)) return true;
    if (!Writable(error)) return false;
    // The journal could not be appended to (replaced, full disk, ...): a new snapshot with a new
    // journal holds this change instead.
    error->clear();
  }
  return WriteSnapshot(state, error);
}

bool StateFile::Writable(std::string* error) const {
#ifndef _WIN32
  struct stat current;
  if (::lstat(path_.c_str(), &current) == 0 && S_ISREG(current.st_mode) && (current.st_mode & S_IWUSR) == 0) {
    *error = "the state file " + path_ + " is read-only; make it writable (chmod u+w) to change the simulated HNS";
    return false;
  }
#else
  (void)error;
#endif
  return true;
}

bool StateFile::Parse(const std::string& text, HnsState* state, std::string* why, std::string* journalId) const {
  Json doc;
  if (!ParseJson(text, &doc, why) || !state->FromJson(doc, why)) return false;
  if (journalId) *journalId = doc.IntAt("FormatVersion") >= 2 ? doc.StringAt("JournalId") : std::string();
  return true;
}

std::string StateFile::CorruptMessage(const std::string& why) const {
  return "the state file " + path_ + " is not valid: " + why +
         ". Nothing was changed; to start over, `hcn sim reset --force --state " + path_ +
         "` moves it aside (" + path_ + ".corrupt-<time>) and writes a fresh one";
}

bool StateFile::MoveAside(std::string* aside, std::string* error) {
  std::string target = path_ + ".corrupt-" + UtcStamp();
  for (int n = 2; n < 100; ++n) {
#ifdef _WIN32
    if (GetFileAttributesW(Wide(target).c_str()) == INVALID_FILE_ATTRIBUTES) break;
#else
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0) break;
#endif
    target = path_ + ".corrupt-" + UtcStamp() + "-" + std::to_string(n);
  }
#ifdef _WIN32
  if (!MoveFileExW(Wide(path_).c_str(), Wide(target).c_str(), MOVEFILE_WRITE_THROUGH)) {
    *error = LastErrorText(("moving " + path_ + " aside").c_str());
    return false;
  }
#else
  if (::rename(path_.c_str(), target.c_str()) != 0) {
    *error = ErrnoText(("moving " + path_ + " aside to " + target).c_str());
    return false;
  }
#endif
  // The journal goes aside with it (same name + `.journal`): it belongs to the moved snapshot.
  JournalInfo info;
  std::string why;
  if (StatJournal(journalPath_, &info, &why) && info.exists) {
    const std::string journalAside = target + ".journal";
#ifdef _WIN32
    MoveFileExW(Wide(journalPath_).c_str(), Wide(journalAside).c_str(), MOVEFILE_WRITE_THROUGH);
#else
    ::rename(journalPath_.c_str(), journalAside.c_str());
#endif
  }
  journalId_.clear();
  haveSeen_ = false;
  *aside = target;
  return true;
}

void StateFile::RemoveStrayTemps() {
  // Under the lock every writer's temporary file is gone (renamed or removed) before it unlocks,
  // so any <state>.tmp.* seen now was left by a killed writer.
#ifndef _WIN32
  const std::string prefix = BaseOf(path_) + ".tmp.";
  const std::string journalPrefix = BaseOf(path_) + ".journal.tmp.";
  DIR* dir = ::opendir(DirectoryOf(path_).c_str());
  if (!dir) return;
  while (struct dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0 && name.compare(0, journalPrefix.size(), journalPrefix) != 0) continue;
    ::unlinkat(::dirfd(dir), name.c_str(), 0);
  }
  ::closedir(dir);
#endif
}

}  // namespace sim
