// The FormatVersion 3 snapshot: its writer and the reader of single objects (see snapshot.h).
//
// Layout (every line but the last ends with "\n"):
//   {"Format":"hcn-sdk-simulator-state","FormatVersion":3,"Version":{..},"NextNamespaceId":n,
//    "VfpRemovedRules":[..],"JournalId":"<id>","Layout":"<64 hex digits>",          <- line 1
//   "Networks":[                     one member line per family, then its objects,
//   {"ID":"..",..},                  one per line, "," or "]," after each
//   {"ID":"..",..}],
//   ...
//   "Index":[                        then the index: fixed-width entries sorted by key,
//   "<f><ID><offset><length>",       f the family digit, ID upper case (36), offset (12 hex) and
//   "<f><ID><offset><length>"]}      length (8 hex) of the object's text in the file
// Layout holds, in 16 hex digits each: the byte offset of the first index entry, the number of
// entries, the file's size and the file's modification time in 100 ns ticks since 1970, which
// the writer sets (futimens / SetFileTime). A file whose size or time differs was changed by
// something other than a writer of this format (an editor, a copy): it is loaded whole, so even
// an edit that keeps every offset (two IDs swapped) is seen.
#include "snapshot.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "encoding.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#endif

namespace sim {

namespace {

const char* const kFamilyMembers[hcn::kFamilyCount] = {"Networks", "Endpoints", "LoadBalancers", "Namespaces"};
constexpr size_t kIdChars = 36;
constexpr size_t kKeyChars = 1 + kIdChars;
constexpr size_t kOffsetDigits = 12;
constexpr size_t kLengthDigits = 8;
// "\"" key offset length "\"" ("," or "]") "\n"
constexpr size_t kEntryWidth = 1 + kKeyChars + kOffsetDigits + kLengthDigits + 1 + 1 + 1;
constexpr size_t kLayoutDigits = 64;
const char kLayoutMember[] = "\"Layout\":\"";

void AppendHex(uint64_t v, size_t digits, std::string* out) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", static_cast<int>(digits), static_cast<unsigned long long>(v));
  out->append(buf);
}

bool ParseHex(const char* p, size_t digits, uint64_t* out) {
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = p[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// An index key: the family digit and the ID in upper case; empty when the ID is not a plain GUID.
std::string KeyOf(Family f, const std::string& id) {
  std::string canonical;
  if (id.size() != kIdChars || !CanonicalGuid(id, &canonical)) return std::string();
  return std::string(1, static_cast<char>('0' + static_cast<int>(f))) + ToUpperAscii(id);
}

#ifdef _WIN32
std::wstring WidePath(const std::string& utf8) {
  HString w = Utf8ToUtf16(utf8);
  return std::wstring(w.begin(), w.end());
}
#endif

}  // namespace

uint64_t SnapshotStamp() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const uint64_t ticks = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() / 100);
  return ticks - uint64_t{20000000};
}

std::string SnapshotText(const HnsState& state, const std::string& journalId, uint64_t stamp) {
  std::string text = "{\"Format\":\"hcn-sdk-simulator-state\",\"FormatVersion\":3,\"Version\":{\"Major\":" +
                     std::to_string(state.version.major) + ",\"Minor\":" + std::to_string(state.version.minor) +
                     "},\"NextNamespaceId\":" + std::to_string(state.nextNamespaceId) + ",\"VfpRemovedRules\":[";
  bool first = true;
  for (const std::string& k : state.vfpRemoved) {
    if (!first) text.push_back(',');
    first = false;
    AppendJsonString(k, &text);
  }
  text += "],\"JournalId\":";
  AppendJsonString(journalId, &text);
  text += ",";
  const size_t layoutAt = text.size() + sizeof kLayoutMember - 1;
  text += kLayoutMember + std::string(kLayoutDigits, '0') + "\",\n";

  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> entries;
  bool indexable = true;
  for (int f = 0; f < hcn::kFamilyCount; ++f) {
    text += "\"";
    text += kFamilyMembers[f];
    text += "\":[";
    const std::vector<const Json*> objects = state.Objects(static_cast<Family>(f));
    for (size_t i = 0; i < objects.size(); ++i) {
      text.push_back('\n');
      const uint64_t offset = text.size();
      objects[i]->DumpTo(&text);
      const std::string key = KeyOf(static_cast<Family>(f), objects[i]->StringAt("ID"));
      // The object's text must start with its ID for a reader to check it found the right one.
      const bool idFirst = !objects[i]->Members().empty() && objects[i]->Members().front().first == "ID";
      if (key.empty() || !idFirst) indexable = false;
      entries.push_back({key, {offset, text.size() - offset}});
      if (i + 1 < objects.size()) text.push_back(',');
    }
    text += "],\n";
  }
  std::sort(entries.begin(), entries.end());
  for (size_t i = 1; i < entries.size() && indexable; ++i)
    if (entries[i].first == entries[i - 1].first) indexable = false;
  for (const auto& e : entries)
    if (e.second.first >= (uint64_t{1} << (4 * kOffsetDigits)) || e.second.second >= (uint64_t{1} << (4 * kLengthDigits)))
      indexable = false;
  text += "\"Index\":[";
  if (!indexable) entries.clear();
  const uint64_t indexStart = text.size() + 1;
  for (size_t i = 0; i < entries.size(); ++i) {
    text += "\n\"" + entries[i].first;
    AppendHex(entries[i].second.first, kOffsetDigits, &text);
    AppendHex(entries[i].second.second, kLengthDigits, &text);
    text += i + 1 < entries.size() ? "\"," : "\"]";
  }
  if (entries.empty()) text += "]";
  text += "}\n";
  if (indexable) {
    std::string layout;
    AppendHex(indexStart, 16, &layout);
    AppendHex(entries.size(), 16, &layout);
    AppendHex(text.size(), 16, &layout);
    AppendHex(stamp, 16, &layout);
    text.replace(layoutAt, kLayoutDigits, layout);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Reader

void SnapshotReader::Close() {
#ifdef _WIN32
  if (file_ != INVALID_HANDLE_VALUE) CloseHandle(file_);
  file_ = INVALID_HANDLE_VALUE;
#else
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
#endif
}

bool SnapshotReader::ReadAt(uint64_t offset, size_t length, std::string* out) const {
  out->resize(length);
  size_t done = 0;
  while (done < length) {
#ifdef _WIN32
    OVERLAPPED ov;
    std::memset(&ov, 0, sizeof ov);
    const uint64_t at = offset + done;
    ov.Offset = static_cast<DWORD>(at & 0xFFFFFFFFu);
    ov.OffsetHigh = static_cast<DWORD>(at >> 32);
    DWORD got = 0;
    const DWORD chunk = static_cast<DWORD>((std::min<size_t>)(length - done, 1u << 20));
    if (!ReadFile(file_, &(*out)[done], chunk, &got, &ov) || got == 0) return false;
    done += got;
#else
    const ssize_t got = ::pread(fd_, &(*out)[done], length - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
#endif
  }
  return true;
}

bool SnapshotReader::Open(const std::string& path) {
  Close();
#ifdef _WIN32
  file_ = CreateFileW(WidePath(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (file_ == INVALID_HANDLE_VALUE) return false;
  BY_HANDLE_FILE_INFORMATION fi;
  if (!GetFileInformationByHandle(file_, &fi) ||
      (fi.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) != 0)
    return false;
  size_ = (static_cast<uint64_t>(fi.nFileSizeHigh) << 32) | fi.nFileSizeLow;
  const uint64_t modified =
      ((static_cast<uint64_t>(fi.ftLastWriteTime.dwHighDateTime) << 32) | fi.ftLastWriteTime.dwLowDateTime) - kFiletimeEpoch;
#else
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd_ < 0) return false;
  struct stat st;
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  size_ = static_cast<uint64_t>(st.st_size);
#if defined(__APPLE__)
  const struct timespec& mt = st.st_mtimespec;
#else
  const struct timespec& mt = st.st_mtim;
#endif
  // A time that is not a whole number of ticks was not set by a writer of this format.
  if (mt.tv_sec < 0 || mt.tv_nsec % 100 != 0) return false;
  const uint64_t modified = static_cast<uint64_t>(mt.tv_sec) * 10000000u + static_cast<uint64_t>(mt.tv_nsec) / 100;
#endif
  // The first line: the document's opening and its scalar members, ending with Layout and ",".
  std::string line;
  uint64_t at = 0;
  size_t nl = std::string::npos;
  while (nl == std::string::npos) {
    const size_t chunk = static_cast<size_t>((std::min<uint64_t>)(4096, size_ - at));
    if (chunk == 0) return false;
    std::string part;
    if (!ReadAt(at, chunk, &part)) return false;
    line += part;
    at += chunk;
    nl = line.find('\n');
  }
  line.resize(nl);
  if (line.size() < 2 || line.compare(line.size() - 2, 2, "\",") != 0) return false;
  line.back() = '}';
  Json head;
  std::string why;
  if (!ParseJson(line, &head, &why) || !head.IsObject() || head.StringAt("Format") != "hcn-sdk-simulator-state" ||
      head.IntAt("FormatVersion") != 3)
    return false;
  const std::string layout = head.StringAt("Layout");
  uint64_t total = 0;
  uint64_t stamp = 0;
  if (layout.size() != kLayoutDigits || !ParseHex(layout.data(), 16, &indexStart_) ||
      !ParseHex(layout.data() + 16, 16, &count_) || !ParseHex(layout.data() + 32, 16, &total) ||
      !ParseHex(layout.data() + 48, 16, &stamp) || stamp != modified || total != size_ ||
      total == 0 || indexStart_ + count_ * kEntryWidth > size_)
    return false;
  const Json* v = head.Find("Version");
  if (!v || !v->IsObject()) return false;
  version.major = static_cast<int>(v->IntAt("Major"));
  version.minor = static_cast<int>(v->IntAt("Minor"));
  const Json* n = head.Find("NextNamespaceId");
  if (!n || !n->GetUint64(&nextNamespaceId)) return false;
  vfpRemoved.clear();
  const Json* removed = head.Find("VfpRemovedRules");
  if (removed && removed->IsArray())
    for (const Json& k : removed->Items())
      if (k.IsString()) vfpRemoved.insert(k.AsString());
  journalId = head.StringAt("JournalId");
  return !journalId.empty();
}

bool SnapshotReader::EntryAt(uint64_t k, Entry* out) const {
  std::string text;
  if (k >= count_ || !ReadAt(indexStart_ + k * kEntryWidth, kEntryWidth, &text)) return false;
  const char sep = text[kEntryWidth - 2];
  if (text[0] != '"' || text[kEntryWidth - 3] != '"' || (sep != ',' && sep != ']') ||
      (sep == ']') != (k + 1 == count_) || text[kEntryWidth - 1] != (k + 1 == count_ ? '}' : '\n'))
    return false;
  out->key = text.substr(1, kKeyChars);
  return ParseHex(&text[1 + kKeyChars], kOffsetDigits, &out->offset) &&
         ParseHex(&text[1 + kKeyChars + kOffsetDigits], kLengthDigits, &out->length);
}

bool SnapshotReader::LowerBound(const std::string& key, uint64_t* k) const {
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    Entry e;
    if (!EntryAt(mid, &e)) return false;
    if (e.key < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *k = lo;
  return true;
}

bool SnapshotReader::ReadObject(const Entry& e, Json* out) const {
  std::string text;
  std::string why;
  if (e.length < 2 || e.offset + e.length > indexStart_ || !ReadAt(e.offset, static_cast<size_t>(e.length), &text))
    return false;
  // The entry must point at exactly one object whose ID is the entry's (else the file was edited).
  if (text.front() != '{' || text.back() != '}' || !ParseJson(text, out, &why) || !out->IsObject()) return false;
  return !out->Members().empty() && out->Members().front().first == "ID" &&
         KeyOf(static_cast<Family>(e.key[0] - '0'), out->StringAt("ID")) == e.key;
}

bool SnapshotReader::Lookup(Family f, const std::string& id, Json* out, bool* found) {
  *found = false;
  const std::string key = KeyOf(f, id);
  // An ID that is not a plain GUID cannot be in the index (the writer leaves the index out then).
  if (key.empty()) return true;
  uint64_t k = 0;
  if (!LowerBound(key, &k)) return false;
  if (k == count_) return true;
  Entry e;
  if (!EntryAt(k, &e)) return false;
  if (e.key != key) return true;
  if (!ReadObject(e, out)) return false;
  *found = true;
  return true;
}

bool SnapshotReader::ReadFamily(Family f, std::vector<Json>* out) {
  out->clear();
  const std::string prefix(1, static_cast<char>('0' + static_cast<int>(f)));
  uint64_t k = 0;
  if (!LowerBound(prefix, &k)) return false;
  for (; k < count_; ++k) {
    Entry e;
    if (!EntryAt(k, &e)) return false;
    if (e.key[0] != prefix[0]) break;
    Json o;
    if (!ReadObject(e, &o)) return false;
    out->push_back(std::move(o));
  }
  return true;
}

}  // namespace sim
