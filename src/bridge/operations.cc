// HCN call sequences: enumerate, list (enumerate, then open/query/close per ID in chunks that idle
// pool threads share), create,
// query, modify, delete and HNSCall, with hcsshim's error rule (a non-empty ErrorRecord is a failure
// even with S_OK).
#include "operations.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "../hcn/text.h"

namespace bridge {

class Scratch {
 public:
  simdjson::ondemand::parser parser;
  std::string utf8;

  // Converts `text` into the padded buffer simdjson reads in place.
  simdjson::padded_string_view Load(const hcn_char* text) {
    hcn::Utf16ToUtf8(text, &utf8, hcn::LoneSurrogate::Replace);
    utf8.reserve(utf8.size() + simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(utf8.data(), utf8.size(), utf8.capacity());
  }
};

void ScratchDeleter::operator()(Scratch* s) const { delete s; }

ScratchPtr NewScratch() { return ScratchPtr(new Scratch()); }

namespace {

constexpr const char* kHnsCall = "HNSCall";
constexpr const char* kRegister = "HcnRegisterServiceCallback";
constexpr const char* kUnregister = "HcnUnregisterServiceCallback";

const hcn::FamilyFns& Fns(const Job& job, hcn::Family family) {
  return job.api->families[static_cast<int>(family)];
}

const char* Name(hcn::Family family, Verb verb) { return hcn::FunctionName(family, verb); }

// ErrorCode of an ErrorRecord that came with S_OK; E_FAIL when it has none.
HRESULT ErrorCodeOf(const HcnString& record, Scratch& scratch) {
  simdjson::ondemand::document doc;
  uint64_t code = 0;
  if (scratch.parser.iterate(scratch.Load(record.get())).get(doc) == simdjson::SUCCESS &&
      doc["ErrorCode"].get_uint64().get(code) == simdjson::SUCCESS && code != 0 &&
      code <= 0xFFFFFFFFu) {
    return static_cast<HRESULT>(static_cast<uint32_t>(code));
  }
  return hr::kFail;
}

// True when the call succeeded; otherwise records the failure (taking the ErrorRecord).
bool Check(Failure& f, Scratch& scratch, const char* operation, HRESULT result, HcnString& record) {
  if (!hr::Failed(result) && record.Empty()) return true;
  f.kind = ErrorKind::Hresult;
  f.hr = hr::Failed(result) ? result : ErrorCodeOf(record, scratch);
  f.operation = operation;
  if (!record.Empty()) f.record = std::move(record);
  return false;
}

bool IsNotFound(HRESULT result) {
  return result == hr::kNotFound || result == hr::kNetworkNotFound ||
         result == hr::kEndpointNotFound || result == hr::kPolicyNotFound;
}

bool Open(Job& job, Failure& failure, Scratch& scratch, hcn::Family family, const GUID& id,
          HcnObject* object) {
  const char* name = Name(family, kOpen);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  hcn::Handle h = nullptr;
  const HRESULT result = Fns(job, family).Open(&id, &h, record.Out());
  if (!hr::Failed(result)) object->Adopt(h);
  return Check(failure, scratch, name, result, record);
}

bool QueryInto(Job& job, Failure& failure, Scratch& scratch, const HcnObject& object,
               const std::u16string& query, HcnString* properties) {
  const char* name = Name(job.family, kQuery);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family)
                             .Query(object.get(), reinterpret_cast<const hcn_char*>(query.c_str()),
                                    properties->Out(), record.Out());
  if (!Check(failure, scratch, name, result, record)) {
    properties->Reset();
    return false;
  }
  return true;
}

// An enumerate that succeeded with no IDs may hand back a null string, "" or "null" instead of "[]":
// hns.v2.psm1 (microsoft/SDN) guards its ID list against null before ConvertFrom-Json. All mean "none".
bool IsEmptyEnumeration(const hcn_char* text) {
  if (text == nullptr) return true;
  auto blank = [](hcn_char c) { return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n'; };
  const hcn_char* p = text;
  while (blank(*p)) ++p;
  static const char16_t kNull[] = u"null";
  size_t n = 0;
  if (*p != 0 && *p == static_cast<hcn_char>(kNull[0])) {
    while (n < 4 && p[n] == static_cast<hcn_char>(kNull[n])) ++n;
    if (n != 4) return false;
  }
  p += n;
  while (blank(*p)) ++p;
  return *p == 0;
}

// Lists shorter than this stay on their own thread.
constexpr size_t kShareFrom = 16;

void RunEnumerate(Job& job, Scratch& scratch) {
  const char* name = Name(job.family, kEnumerate);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family)
                             .Enumerate(reinterpret_cast<const hcn_char*>(job.text1.c_str()),
                                        job.out.Out(), record.Out());
  if (!Check(job.failure, scratch, name, result, record)) job.out.Reset();
}

void RunList(Job& job, Scratch& scratch, HelperQueue& helpers) {
  RunEnumerate(job, scratch);
  if (job.failure.kind != ErrorKind::None) return;

  std::vector<GUID> ids;
  if (IsEmptyEnumeration(job.out.get())) {
    job.out.Reset();  // an empty list: nothing to open
  } else {
    simdjson::ondemand::document doc;
    simdjson::ondemand::array array;
    bool ok = scratch.parser.iterate(scratch.Load(job.out.get())).get(doc) == simdjson::SUCCESS &&
              doc.get_array().get(array) == simdjson::SUCCESS;
    if (ok) {
      for (auto item : array) {
        std::string_view text;
        GUID id;
        if (item.get_string().get(text) != simdjson::SUCCESS ||
            !hcn::ParseGuid(text.data(), text.size(), &id)) {
          ok = false;
          break;
        }
        ids.push_back(id);
      }
    }
    job.out.Reset();
    if (!ok) {
      job.failure.kind = ErrorKind::Hresult;
      job.failure.hr = hr::kInvalidJson;
      job.failure.operation = Name(job.family, kEnumerate);
      job.failure.message = "returned something other than a JSON array of GUID strings";
      return;
    }
  }

  auto work = std::make_unique<ListWork>();
  const size_t n = ids.size();
  work->ids = std::move(ids);
  work->listed.assign(n, 0);
  job.many.clear();
  job.many.reserve(n);
  for (size_t i = 0; i < n; ++i) job.many.emplace_back(job.api);
  // Chunks small enough that threads finish close together, large enough that the cursor is
  // not touched per ID. A short list is not worth waking anyone. Rounded up, so there are at most
  // 4 chunks per thread: rounding down left a tail (2,000 IDs on 16 threads: 65 chunks of 31, a
  // fifth round of one chunk while 15 threads idle; now 63 of 32, four rounds).
  const int threads = helpers.Threads();
  const bool share = n >= kShareFrom && threads > 1;
  const size_t per_round = static_cast<size_t>(threads) * 4;
  work->chunk = share ? std::clamp<size_t>((n + per_round - 1) / per_round, 1, 64) : n;
  const size_t chunks = share ? (n + work->chunk - 1) / work->chunk : 1;
  job.list = std::move(work);
  // The helpers only take what is left: when every other thread is busy (or stuck), this
  // thread does all of it and nobody waits for anybody.
  if (share) helpers.RequestHelpers(static_cast<int>(std::min<size_t>(chunks - 1, threads - 1)));
  RunListChunks(job, scratch);
}

void RunCreate(Job& job, Scratch& scratch) {
  const hcn::FamilyFns& fns = Fns(job, job.family);
  HcnObject object(fns);
  {
    HcnString record(job.api);
    hcn::Handle h = nullptr;
    const char* name;
    HRESULT result;
    if (job.family == hcn::Family::Endpoint) {
      HcnObject network(Fns(job, hcn::Family::Network));
      if (!Open(job, job.failure, scratch, hcn::Family::Network, job.network, &network)) return;
      name = Name(job.family, kCreateInNetwork);
      job.current.store(name, std::memory_order_relaxed);
      result = fns.CreateInNetwork(network.get(), &job.id,
                                   reinterpret_cast<const hcn_char*>(job.text1.c_str()), &h,
                                   record.Out());
    } else {
      name = Name(job.family, kCreate);
      job.current.store(name, std::memory_order_relaxed);
      result = fns.Create(&job.id, reinterpret_cast<const hcn_char*>(job.text1.c_str()), &h,
                          record.Out());
    }
    if (!hr::Failed(result)) object.Adopt(h);
    if (!Check(job.failure, scratch, name, result, record)) return;
  }
  QueryInto(job, job.failure, scratch, object, job.text2, &job.out);
}

void RunQuery(Job& job, Scratch& scratch) {
  HcnObject object(Fns(job, job.family));
  if (!Open(job, job.failure, scratch, job.family, job.id, &object)) return;
  QueryInto(job, job.failure, scratch, object, job.text1, &job.out);
}

void RunModify(Job& job, Scratch& scratch) {
  const hcn::FamilyFns& fns = Fns(job, job.family);
  HcnObject object(fns);
  if (!Open(job, job.failure, scratch, job.family, job.id, &object)) return;
  const char* name = Name(job.family, kModify);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result =
      fns.Modify(object.get(), reinterpret_cast<const hcn_char*>(job.text1.c_str()), record.Out());
  if (!Check(job.failure, scratch, name, result, record)) return;
  if (!job.text2.empty()) QueryInto(job, job.failure, scratch, object, job.text2, &job.out);
}

void RunRemove(Job& job, Scratch& scratch) {
  const char* name = Name(job.family, kDelete);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family).Delete(&job.id, record.Out());
  Check(job.failure, scratch, name, result, record);
}

void Fail(Job& job, const char* operation, HRESULT result) {
  job.failure.kind = ErrorKind::Hresult;
  job.failure.hr = result;
  job.failure.operation = operation;
}

// A failed call that answered in `job.out` (an ErrorRecord or text): it becomes the failure's record.
void FailWithRecord(Job& job, const char* operation, HRESULT result) {
  Fail(job, operation, result);
  if (!job.out.Empty()) job.failure.record = std::move(job.out);
  job.out.Reset();
}

void RunHnsCall(Job& job) {
  job.current.store(kHnsCall, std::memory_order_relaxed);
  const HRESULT result = job.api->HNSCall(reinterpret_cast<const hcn_char*>(job.text1.c_str()),
                                          reinterpret_cast<const hcn_char*>(job.text2.c_str()),
                                          reinterpret_cast<const hcn_char*>(job.text3.c_str()),
                                          job.out.Out());
  if (hr::Failed(result)) FailWithRecord(job, kHnsCall, result);
}

void RunRegister(Job& job) {
  job.current.store(kRegister, std::memory_order_relaxed);
  hcn::Handle handle = nullptr;
  const HRESULT result = job.api->RegisterServiceCallback(job.registration.callback,
                                                          job.registration.context, &handle);
  if (hr::Failed(result)) {
    Fail(job, kRegister, result);
    return;
  }
  job.registration.handle = handle;
}

void RunUnregister(Job& job) {
  job.current.store(kUnregister, std::memory_order_relaxed);
  Registration& r = job.registration;
  const HRESULT result = job.api->UnregisterServiceCallback(r.handle);
  if (hr::Failed(result)) {
    // Still registered: the NativeContext takes it back (a later unsubscribe retries), or, when
    // nobody does, the job's destructor tries once more.
    Fail(job, kUnregister, result);
    return;
  }
  r.handle = nullptr;
  r.free_context(r.context);
  r.context = nullptr;
}

void RunSimControl(Job& job) {
  static const char* const kSimControl = "HcnSimControl";
  job.current.store(kSimControl, std::memory_order_relaxed);
  const HRESULT result = job.api->SimControl(reinterpret_cast<const hcn_char*>(job.text1.c_str()), job.out.Out());
  if (hr::Failed(result)) FailWithRecord(job, kSimControl, result);
}

void RunSimAttach(Job& job) {
  static const char* const kAttach = "simAttach";
  job.current.store(kAttach, std::memory_order_relaxed);
  if (job.attach_path.empty()) {
    job.attached = sim::NewMemoryInstance(job.sim.get());
    return;
  }
  sim::AttachOptions options;
  options.recoverCorrupt = job.attach_recover;
  std::string error;
  const HRESULT result = sim::AttachFile(job.attach_path, options, &job.attached, &error);
  if (hr::Failed(result)) {
    job.failure.kind = result == hr::kInvalidArg ? ErrorKind::InvalidArgument : ErrorKind::Hresult;
    job.failure.hr = result;
    job.failure.operation = kAttach;
    job.failure.message = error;
  }
}

}  // namespace

Job::~Job() {
  Registration& r = registration;
  if (r.adopted) return;
  if (r.handle != nullptr) {
    const hcn::Api* const table = api;
    const Registration ended = r;
    const sim::Instance instance = sim;  // the simulated HNS it was registered with
    std::thread([table, ended, instance] {
      sim::Bind bind(instance.get());
      // When HCN refuses, it may still call back: the context is then never freed (its
      // completion queue drops whatever arrives once the NativeContext is closed).
      if (!hr::Failed(table->UnregisterServiceCallback(ended.handle))) {
        ended.free_context(ended.context);
      }
    }).detach();
  } else if (op == Op::Register && r.context != nullptr) {
    r.free_context(r.context);  // never registered: HCN never saw it
  }
}

const char* MissingFunction(const hcn::Api* api, Op op, hcn::Family family, bool needs_query) {
  const hcn::FamilyFns& f = api->families[static_cast<int>(family)];
  switch (op) {
    case Op::Enumerate:
      if (f.Enumerate == nullptr) return Name(family, kEnumerate);
      return nullptr;
    case Op::List:
      if (f.Enumerate == nullptr) return Name(family, kEnumerate);
      break;
    case Op::Create:
      if (family == hcn::Family::Endpoint) {
        const hcn::FamilyFns& n = api->families[static_cast<int>(hcn::Family::Network)];
        if (n.Open == nullptr) return Name(hcn::Family::Network, kOpen);
        if (n.Close == nullptr) return Name(hcn::Family::Network, kClose);
        if (f.CreateInNetwork == nullptr) return Name(family, kCreateInNetwork);
      } else if (f.Create == nullptr) {
        return Name(family, kCreate);
      }
      if (f.Query == nullptr) return Name(family, kQuery);
      if (f.Close == nullptr) return Name(family, kClose);
      return nullptr;
    case Op::Query:
    case Op::Modify:
      break;
    case Op::Remove:
      if (f.Delete == nullptr) return Name(family, kDelete);
      return nullptr;
    case Op::HnsCall:
      if (api->HNSCall == nullptr) return kHnsCall;
      return nullptr;
    case Op::Register:
      // A registration that cannot be ended is never made.
      if (api->RegisterServiceCallback == nullptr) return kRegister;
      if (api->UnregisterServiceCallback == nullptr) return kUnregister;
      return nullptr;
    case Op::Unregister:
      if (api->UnregisterServiceCallback == nullptr) return kUnregister;
      return nullptr;
    case Op::SimControl:
      if (api->SimControl == nullptr) return "HcnSimControl";
      return nullptr;
    case Op::SimAttach:
      return nullptr;
  }
  // Open (+ Modify) + Query + Close.
  if (f.Open == nullptr) return Name(family, kOpen);
  if (op == Op::Modify && f.Modify == nullptr) return Name(family, kModify);
  if (needs_query && f.Query == nullptr) return Name(family, kQuery);
  if (f.Close == nullptr) return Name(family, kClose);
  return nullptr;
}

void RunListChunks(Job& job, Scratch& scratch) {
  ListWork& work = *job.list;
  const size_t n = work.ids.size();
  const hcn::FamilyFns& fns = Fns(job, job.family);
  for (;;) {
    const size_t begin = work.cursor.fetch_add(work.chunk, std::memory_order_relaxed);
    if (begin >= n) return;
    const size_t end = std::min(n, begin + work.chunk);
    for (size_t i = begin; i < end; ++i) {
      if (job.abandoned.load(std::memory_order_relaxed) ||
          work.failed.load(std::memory_order_relaxed)) {
        return;
      }
      HcnObject object(fns);
      Failure failure;
      if (Open(job, failure, scratch, job.family, work.ids[i], &object) &&
          QueryInto(job, failure, scratch, object, job.text2, &job.many[i])) {
        work.listed[i] = 1;
        continue;
      }
      // Deleted between enumerate and open (or query): not an error for a listing.
      if (failure.kind == ErrorKind::Hresult && IsNotFound(failure.hr)) continue;
      if (!work.failed.exchange(true, std::memory_order_acq_rel)) job.failure = std::move(failure);
      return;
    }
  }
}

bool ListDrained(const Job& job) {
  return job.list == nullptr ||
         job.list->cursor.load(std::memory_order_relaxed) >= job.list->ids.size() ||
         job.list->failed.load(std::memory_order_relaxed);
}

void FinishJob(Job& job) {
  if (job.op != Op::List) return;
  if (job.failure.kind != ErrorKind::None || job.list == nullptr) {
    job.many.clear();
  } else {
    const std::vector<uint8_t>& listed = job.list->listed;
    size_t kept = 0;
    for (size_t i = 0; i < job.many.size(); ++i) {
      if (!listed[i]) continue;
      if (kept != i) job.many[kept] = std::move(job.many[i]);
      ++kept;
    }
    job.many.erase(job.many.begin() + static_cast<std::ptrdiff_t>(kept), job.many.end());
  }
  job.list.reset();
}

void RunJob(Job& job, Scratch& scratch, HelperQueue& helpers) {
  switch (job.op) {
    case Op::Enumerate:
      RunEnumerate(job, scratch);
      break;
    case Op::List:
      RunList(job, scratch, helpers);
      // Helpers may still be inside HCN: keep naming what runs for a timeout.
      return;
    case Op::Create:
      RunCreate(job, scratch);
      break;
    case Op::Query:
      RunQuery(job, scratch);
      break;
    case Op::Modify:
      RunModify(job, scratch);
      break;
    case Op::Remove:
      RunRemove(job, scratch);
      break;
    case Op::HnsCall:
      RunHnsCall(job);
      break;
    case Op::Register:
      RunRegister(job);
      break;
    case Op::Unregister:
      RunUnregister(job);
      break;
    case Op::SimControl:
      RunSimControl(job);
      break;
    case Op::SimAttach:
      RunSimAttach(job);
      break;
  }
  job.current.store(nullptr, std::memory_order_relaxed);
}

}  // namespace bridge
