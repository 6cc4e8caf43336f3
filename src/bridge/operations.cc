// HCN call sequences: enumerate, list (enumerate + open/query/close per ID on one thread), create,
// query, modify, delete and HNSCall, with hcsshim's error rule (a non-empty ErrorRecord is a failure
// even with S_OK).
#include "operations.h"

#include <simdjson.h>

#include <string>
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
bool Check(Job& job, Scratch& scratch, const char* operation, HRESULT result, HcnString& record) {
  if (!hr::Failed(result) && record.Empty()) return true;
  Failure& f = job.failure;
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

bool Open(Job& job, Scratch& scratch, hcn::Family family, const GUID& id, HcnObject* object) {
  const char* name = Name(family, kOpen);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  hcn::Handle h = nullptr;
  const HRESULT result = Fns(job, family).Open(&id, &h, record.Out());
  if (!hr::Failed(result)) object->Adopt(h);
  return Check(job, scratch, name, result, record);
}

bool QueryInto(Job& job, Scratch& scratch, const HcnObject& object, const std::u16string& query,
               HcnString* properties) {
  const char* name = Name(job.family, kQuery);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family)
                             .Query(object.get(), reinterpret_cast<const hcn_char*>(query.c_str()),
                                    properties->Out(), record.Out());
  if (!Check(job, scratch, name, result, record)) {
    properties->Reset();
    return false;
  }
  return true;
}

void RunEnumerate(Job& job, Scratch& scratch) {
  const char* name = Name(job.family, kEnumerate);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family)
                             .Enumerate(reinterpret_cast<const hcn_char*>(job.text1.c_str()),
                                        job.out.Out(), record.Out());
  if (!Check(job, scratch, name, result, record)) job.out.Reset();
}

void RunList(Job& job, Scratch& scratch) {
  RunEnumerate(job, scratch);
  if (job.failure.kind != ErrorKind::None) return;

  std::vector<GUID> ids;
  {
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

  const hcn::FamilyFns& fns = Fns(job, job.family);
  job.many.reserve(ids.size());
  for (const GUID& id : ids) {
    if (job.abandoned.load(std::memory_order_relaxed)) return;
    HcnObject object(fns);
    HcnString properties(job.api);
    if (!Open(job, scratch, job.family, id, &object) ||
        !QueryInto(job, scratch, object, job.text2, &properties)) {
      // Deleted between enumerate and open (or query): not an error for a listing.
      if (job.failure.kind == ErrorKind::Hresult && IsNotFound(job.failure.hr)) {
        job.failure = Failure();
        job.failure.record = HcnString(job.api);
        continue;
      }
      job.many.clear();
      return;
    }
    job.many.push_back(std::move(properties));
  }
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
      if (!Open(job, scratch, hcn::Family::Network, job.network, &network)) return;
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
    if (!Check(job, scratch, name, result, record)) return;
  }
  QueryInto(job, scratch, object, job.text2, &job.out);
}

void RunQuery(Job& job, Scratch& scratch) {
  HcnObject object(Fns(job, job.family));
  if (!Open(job, scratch, job.family, job.id, &object)) return;
  QueryInto(job, scratch, object, job.text1, &job.out);
}

void RunModify(Job& job, Scratch& scratch) {
  const hcn::FamilyFns& fns = Fns(job, job.family);
  HcnObject object(fns);
  if (!Open(job, scratch, job.family, job.id, &object)) return;
  const char* name = Name(job.family, kModify);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result =
      fns.Modify(object.get(), reinterpret_cast<const hcn_char*>(job.text1.c_str()), record.Out());
  if (!Check(job, scratch, name, result, record)) return;
  if (!job.text2.empty()) QueryInto(job, scratch, object, job.text2, &job.out);
}

void RunRemove(Job& job, Scratch& scratch) {
  const char* name = Name(job.family, kDelete);
  job.current.store(name, std::memory_order_relaxed);
  HcnString record(job.api);
  const HRESULT result = Fns(job, job.family).Delete(&job.id, record.Out());
  Check(job, scratch, name, result, record);
}

void RunHnsCall(Job& job) {
  job.current.store(kHnsCall, std::memory_order_relaxed);
  const HRESULT result = job.api->HNSCall(reinterpret_cast<const hcn_char*>(job.text1.c_str()),
                                          reinterpret_cast<const hcn_char*>(job.text2.c_str()),
                                          reinterpret_cast<const hcn_char*>(job.text3.c_str()),
                                          job.out.Out());
  if (hr::Failed(result)) {
    job.failure.kind = ErrorKind::Hresult;
    job.failure.hr = result;
    job.failure.operation = kHnsCall;
    if (!job.out.Empty()) job.failure.record = std::move(job.out);
    job.out.Reset();
  }
}

}  // namespace

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
  }
  // Open (+ Modify) + Query + Close.
  if (f.Open == nullptr) return Name(family, kOpen);
  if (op == Op::Modify && f.Modify == nullptr) return Name(family, kModify);
  if (needs_query && f.Query == nullptr) return Name(family, kQuery);
  if (f.Close == nullptr) return Name(family, kClose);
  return nullptr;
}

void RunJob(Job& job, Scratch& scratch) {
  switch (job.op) {
    case Op::Enumerate:
      RunEnumerate(job, scratch);
      break;
    case Op::List:
      RunList(job, scratch);
      break;
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
  }
  job.current.store(nullptr, std::memory_order_relaxed);
}

}  // namespace bridge
