// State file persistence: flock/LockFileEx on a sibling lock file, a generation counter kept in
// that lock file plus the file's stat signature as the cheap change check, and
// temp-file + fsync + rename (MoveFileExW on Windows) for atomic writes.
#include "state_file.h"

#include <algorithm>
#include <cstring>

#include "encoding.h"

#ifdef _WIN32
#include <process.h>
#else
#include <fcntl.h>
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
#endif

}  // namespace

bool StateFile::Open(const std::string& path, const HnsState& initial, HnsState* state, std::string* error) {
  Close();
  if (path.empty()) {
    *error = "statePath is empty";
    return false;
  }
  path_ = path;
  lockPath_ = path + ".lock";
#ifdef _WIN32
  lock_ = CreateFileW(Wide(lockPath_).c_str(), GENERIC_READ | GENERIC_WRITE,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                      FILE_ATTRIBUTE_NORMAL, nullptr);
  if (lock_ == INVALID_HANDLE_VALUE) {
    *error = LastErrorText(("opening " + lockPath_).c_str());
    return false;
  }
#else
  lockFd_ = ::open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lockFd_ < 0) {
    *error = ErrnoText(("opening " + lockPath_).c_str());
    return false;
  }
#endif
  active_ = true;
  haveSeen_ = false;
  if (!Lock(error)) {
    Close();
    return false;
  }
  bool missing = false;
  std::string text;
  bool ok = ReadAll(&text, &missing, error);
  if (ok && missing) {
    *state = initial;
    ok = Save(*state, error);
  } else if (ok) {
    ok = Refresh(state, error);
  }
  Unlock();
  if (!ok) Close();
  return ok;
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

bool StateFile::Lock(std::string* error) {
#ifdef _WIN32
  OVERLAPPED ov = LockRegion();
  if (!LockFileEx(lock_, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov)) {
    *error = LastErrorText("LockFileEx");
    return false;
  }
#else
  while (::flock(lockFd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    *error = ErrnoText("flock");
    return false;
  }
#endif
  locked_ = true;
  return true;
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
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *error = ErrnoText(("opening " + path_).c_str());
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
  const std::string temp = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++tempCounter_);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    *error = ErrnoText(("creating " + temp).c_str());
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
  Json doc;
  std::string why;
  HnsState loaded;
  if (!ParseJson(text, &doc, &why) || !loaded.FromJson(doc, &why)) {
    *error = "the state file " + path_ + " is not valid: " + why;
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

}  // namespace sim
