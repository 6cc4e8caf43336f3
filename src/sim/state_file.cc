// State file persistence: flock/LockFileEx on a sibling lock file, a generation counter kept in
// that lock file plus the file's stat signature as the cheap change check, and
// temp-file + fsync + rename (MoveFileExW on Windows) for atomic writes.
#include "state_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include "encoding.h"

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

// The lock covers one byte far beyond the data, so the generation bytes at offset 0 stay
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
  bool missing = false;
  std::string text;
  bool ok = ReadAll(&text, &missing, error);
  if (ok && missing) {
    *state = initial;
    ok = Save(*state, error);
  } else if (ok) {
    std::string why;
    HnsState loaded;
    if (Parse(text, &loaded, &why)) {
      *state = std::move(loaded);
      ReadGeneration(&seenGeneration_);
      Stat(&seenSignature_);
      haveSeen_ = true;
    } else if (options.recoverCorrupt) {
      std::string aside;
      ok = MoveAside(&aside, error);
      if (ok) {
        *state = initial;
        ok = Save(*state, error);
      }
    } else {
      *error = CorruptMessage(why);
      ok = false;
    }
  }
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

bool StateFile::ReadGeneration(uint64_t* out) const {
  unsigned char buf[8] = {};
#ifdef _WIN32
  OVERLAPPED ov;
  std::memset(&ov, 0, sizeof ov);
  DWORD got = 0;
  if (!ReadFile(lock_, buf, 8, &got, &ov)) got = 0;
#else
  ssize_t got = ::pread(lockFd_, buf, 8, 0);
#endif
  if (got != 8) {
    *out = 0;
    return false;
  }
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | buf[i];
  *out = v;
  return true;
}

void StateFile::WriteGeneration(uint64_t gen) {
  unsigned char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<unsigned char>(gen >> (8 * i));
#ifdef _WIN32
  OVERLAPPED ov;
  std::memset(&ov, 0, sizeof ov);
  DWORD put = 0;
  WriteFile(lock_, buf, 8, &put, &ov);
#else
  ssize_t put = ::pwrite(lockFd_, buf, 8, 0);
  (void)put;
#endif
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

bool StateFile::WriteAtomic(const std::string& text, std::string* error) {
#ifdef _WIN32
  const std::string temp = path_ + ".tmp." + std::to_string(_getpid()) + "." + std::to_string(++tempCounter_);
  const std::wstring wtemp = Wide(temp);
  HANDLE h = CreateFileW(wtemp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
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
  if (ok) ok = FlushFileBuffers(h) != 0;
  CloseHandle(h);
  if (ok) ok = MoveFileExW(wtemp.c_str(), Wide(path_).c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0;
  if (!ok) {
    *error = LastErrorText(("writing " + path_).c_str());
    DeleteFileW(wtemp.c_str());
    return false;
  }
  return true;
#else
  // The file keeps its mode across rewrites; a new one is the user's only (0600). A file without
  // the owner's write bit is read-only: refused, never replaced behind the user's back.
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
    temp = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++tempCounter_);
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
  if (ok) ok = ::fsync(fd) == 0;
  if (!ok) *error = ErrnoText(("writing " + temp).c_str());
  ::close(fd);
  if (ok && ::rename(temp.c_str(), path_.c_str()) != 0) {
    ok = false;
    *error = ErrnoText(("renaming " + temp).c_str());
  }
  if (!ok) {
    ::unlink(temp.c_str());
    return false;
  }
  // Make the rename itself durable.
  int dir = ::open(DirectoryOf(path_).c_str(), O_RDONLY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
#endif
}

bool StateFile::Refresh(HnsState* state, std::string* error) {
  uint64_t gen = 0;
  ReadGeneration(&gen);
  Signature sig;
  Stat(&sig);
  if (haveSeen_ && gen == seenGeneration_ && sig == seenSignature_) return true;
  std::string text;
  bool missing = false;
  if (!ReadAll(&text, &missing, error)) return false;
  if (missing) {
    // Someone removed the file: HNS starts over from the default topology.
    HnsState fresh;
    fresh.SetDefault();
    *state = fresh;
    return Save(*state, error);
  }
  std::string why;
  HnsState loaded;
  if (!Parse(text, &loaded, &why)) {
    *error = CorruptMessage(why);
    return false;
  }
  *state = std::move(loaded);
  Stat(&sig);
  seenGeneration_ = gen;
  seenSignature_ = sig;
  haveSeen_ = true;
  return true;
}

bool StateFile::Save(const HnsState& state, std::string* error) {
  std::string text = state.ToJson().Dump();
  text.push_back('\n');
  if (!WriteAtomic(text, error)) {
    haveSeen_ = false;
    return false;
  }
  uint64_t gen = 0;
  ReadGeneration(&gen);
  ++gen;
  WriteGeneration(gen);
  seenGeneration_ = gen;
  Stat(&seenSignature_);
  haveSeen_ = true;
  return true;
}

bool StateFile::Parse(const std::string& text, HnsState* state, std::string* why) const {
  Json doc;
  return ParseJson(text, &doc, why) && state->FromJson(doc, why);
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
  haveSeen_ = false;
  *aside = target;
  return true;
}

void StateFile::RemoveStrayTemps() {
  // Under the lock every writer's temporary file is gone (renamed or removed) before it unlocks,
  // so any <state>.tmp.* seen now was left by a killed writer.
#ifndef _WIN32
  const std::string prefix = BaseOf(path_) + ".tmp.";
  DIR* dir = ::opendir(DirectoryOf(path_).c_str());
  if (!dir) return;
  while (struct dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    ::unlinkat(::dirfd(dir), name.c_str(), 0);
  }
  ::closedir(dir);
#endif
}

}  // namespace sim
