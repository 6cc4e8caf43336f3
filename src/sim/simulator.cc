// The process-wide simulator: argument checks at the C boundary, handles, string accounting,
// faults, notifications, and the per-call lock/refresh/save cycle.
#include "simulator.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "encoding.h"
#include "sim_vfp.h"

#ifdef HCN_SIM_COTASKMEM
#include <objbase.h>
#endif

namespace sim {

namespace {

const char* const kFamilySingular[hcn::kFamilyCount] = {"Network", "Endpoint", "LoadBalancer", "Namespace"};
const char* const kFamilyPlural[hcn::kFamilyCount] = {"Networks", "Endpoints", "LoadBalancers", "Namespaces"};

enum Verb { kEnumerate = 0, kCreate = 1, kOpen = 3, kModify = 4, kQuery = 5, kDelete = 6, kClose = 7 };

const char* const kHnsCall = "HNSCall";
const char* const kRegister = "HcnRegisterServiceCallback";
const char* const kUnregister = "HcnUnregisterServiceCallback";

bool KnownOperation(const std::string& op) {
  if (op == "*" || op == kHnsCall || op == kRegister || op == kUnregister) return true;
  for (int f = 0; f < hcn::kFamilyCount; ++f)
    for (int v : {kEnumerate, kCreate, kOpen, kModify, kQuery, kDelete, kClose})
      if (Simulator::OperationName(static_cast<Family>(f), v) == op) return true;
  return false;
}

std::string GuidText(const GUID* id) { return GuidToString(*id); }

}  // namespace

std::string Simulator::OperationName(Family f, int verb) {
  const int i = static_cast<int>(f);
  switch (verb) {
    case kEnumerate: return std::string("HcnEnumerate") + kFamilyPlural[i];
    case kCreate:
    case 2: return std::string("HcnCreate") + kFamilySingular[i];
    case kOpen: return std::string("HcnOpen") + kFamilySingular[i];
    case kModify: return std::string("HcnModify") + kFamilySingular[i];
    case kQuery: return std::string("HcnQuery") + kFamilySingular[i] + "Properties";
    case kDelete: return std::string("HcnDelete") + kFamilySingular[i];
    case kClose: return std::string("HcnClose") + kFamilySingular[i];
    default: return "";
  }
}

namespace {

// The instance and deadline bound to this thread (sim::Bind).
thread_local Simulator* tlInstance = nullptr;
thread_local bool tlHasDeadline = false;
thread_local std::chrono::steady_clock::time_point tlDeadline;

// Strings handed out, by any instance: freed on whatever thread the caller frees them.
struct StringRegistry {
  std::mutex mu;
  std::unordered_set<void*> live;
};
StringRegistry& Strings() {
  static StringRegistry* registry = new StringRegistry();  // never destroyed: threads may outlive main()
  return *registry;
}

// File-backed instances by canonical path; an entry expires with the last context of its instance.
struct Registry {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<Simulator>> byPath;
};
Registry& Files() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

Instance DefaultInstance() {
  // Created on first use and never destroyed: callbacks and worker threads may outlive main().
  static Instance* instance = new Instance(std::make_shared<Simulator>());
  return *instance;
}

Instance NewMemoryInstance(const Simulator* from) { return std::make_shared<Simulator>(from); }

HRESULT AttachFile(const std::string& path, const AttachOptions& options, Instance* out, std::string* error) {
  std::string canonical;
  if (!StateFile::Canonical(path, &canonical, error)) return hr::kInvalidArg;
  Instance instance;
  bool fresh = false;
  {
    Registry& r = Files();
    std::lock_guard<std::mutex> lock(r.mu);
    for (auto it = r.byPath.begin(); it != r.byPath.end();) it = it->second.expired() ? r.byPath.erase(it) : std::next(it);
    auto found = r.byPath.find(canonical);
    if (found != r.byPath.end()) instance = found->second.lock();
    if (!instance) {
      instance = std::make_shared<Simulator>();
      fresh = true;
      r.byPath[canonical] = instance;
    }
  }
  // Loading (or checking) the file waits for its lock: outside the registry's mutex.
  const HRESULT h = fresh ? instance->OpenFile(canonical, options, error) : instance->CheckFile(options, error);
  if (hr::Failed(h)) {
    if (fresh) {
      Registry& r = Files();
      std::lock_guard<std::mutex> lock(r.mu);
      auto found = r.byPath.find(canonical);
      if (found != r.byPath.end() && found->second.lock() == instance) r.byPath.erase(found);
    }
    return h;
  }
  *out = std::move(instance);
  return hr::kOk;
}

Bind::Bind(Simulator* instance)
    : savedInstance_(tlInstance), savedHasDeadline_(tlHasDeadline), savedDeadline_(tlDeadline) {
  tlInstance = instance;
  tlHasDeadline = false;
}

Bind::Bind(Simulator* instance, Clock::time_point deadline)
    : savedInstance_(tlInstance), savedHasDeadline_(tlHasDeadline), savedDeadline_(tlDeadline) {
  tlInstance = instance;
  tlHasDeadline = true;
  tlDeadline = deadline;
}

Bind::~Bind() {
  tlInstance = savedInstance_;
  tlHasDeadline = savedHasDeadline_;
  tlDeadline = savedDeadline_;
}

Simulator& Simulator::Current() { return tlInstance != nullptr ? *tlInstance : *DefaultInstance(); }

bool Simulator::BoundDeadline(std::chrono::steady_clock::time_point* deadline) {
  if (!tlHasDeadline) return false;
  *deadline = tlDeadline;
  return true;
}

Simulator::Simulator(const Simulator* from) {
  if (from == nullptr) {
    state_.SetDefault();
    return;
  }
  Simulator* source = const_cast<Simulator*>(from);
  std::lock_guard<std::mutex> lock(source->stateMu_);
  std::string error;
  // A file-backed instance may not have loaded its file yet (StateFile::View): the copy is of what
  // the file holds now.
  if (source->LoadWhole(&error)) {
    state_ = source->state_;
  } else {
    state_.SetDefault();
  }
}

bool Simulator::LoadWhole(std::string* error) {
  if (!file_) return true;
  std::chrono::steady_clock::time_point deadline;
  const bool hasDeadline = BoundDeadline(&deadline);
  const HRESULT h = file_->Lock(hasDeadline, deadline, error);
  if (hr::Failed(h)) return false;
  const bool loaded = file_->Refresh(&state_, error);
  file_->Unlock();
  return loaded;
}

HRESULT Simulator::OpenFile(const std::string& canonicalPath, const AttachOptions& options, std::string* error) {
  std::lock_guard<std::mutex> lock(stateMu_);
  HnsState initial;
  initial.SetDefault();
  HnsState loaded;
  StateFile::OpenOptions o;
  o.recoverCorrupt = options.recoverCorrupt;
  std::chrono::steady_clock::time_point deadline;
  o.hasDeadline = BoundDeadline(&deadline);
  o.deadline = deadline;
  auto file = std::make_unique<StateFile>();
  file->CountWholeLoadsIn(&stateWholeLoads_);
  const HRESULT h = file->Open(canonicalPath, initial, &loaded, o, error);
  if (hr::Failed(h)) return h;
  file_ = std::move(file);
  sharedPath_ = canonicalPath;
  state_ = std::move(loaded);
  return hr::kOk;
}

HRESULT Simulator::CheckFile(const AttachOptions& options, std::string* error) {
  (void)options;
  Outcome o = WithState([](HnsState&) { return Outcome(); });
  if (o.ok()) return hr::kOk;
  *error = o.error;
  return o.hr;
}

// ---------------------------------------------------------------------------------------------
// Strings

hcn_char* Simulator::AllocString(const std::string& utf8) {
  HString w = Utf8ToUtf16(utf8);
  const size_t bytes = (w.size() + 1) * sizeof(hcn_char);
#ifdef HCN_SIM_COTASKMEM
  hcn_char* p = static_cast<hcn_char*>(CoTaskMemAlloc(bytes));
  if (!p) return nullptr;
#else
  hcn_char* p = static_cast<hcn_char*>(std::malloc(bytes));
  if (!p) return nullptr;
  {
    StringRegistry& r = Strings();
    std::lock_guard<std::mutex> lock(r.mu);
    r.live.insert(p);
  }
#endif
  std::memcpy(p, w.data(), w.size() * sizeof(hcn_char));
  p[w.size()] = 0;
  return p;
}

void Simulator::FreeString(void* p) {
  if (!p) return;
#ifdef HCN_SIM_COTASKMEM
  CoTaskMemFree(p);
#else
  {
    StringRegistry& r = Strings();
    std::lock_guard<std::mutex> lock(r.mu);
    // A pointer the simulator did not hand out (or freed twice) is ignored, never freed.
    if (r.live.erase(p) == 0) return;
  }
  std::free(p);
#endif
}

size_t Simulator::LiveStrings() {
  StringRegistry& r = Strings();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.live.size();
}

void Simulator::SetError(hcn_char** errorRecord, HRESULT h, const std::string& text) {
  if (errorRecord) *errorRecord = AllocString(ErrorRecordJson(h, text));
}

HRESULT Simulator::Finish(const Outcome& o, hcn_char** errorRecord) {
  if (!o.ok()) SetError(errorRecord, o.hr, o.error);
  return o.hr;
}

// ---------------------------------------------------------------------------------------------
// Faults

bool Simulator::Enter(const std::string& op, Failure* fault) {
  uint64_t sleepMs = 0;
  {
    std::lock_guard<std::mutex> lock(faultMu_);
    ++calls_[op];
    auto it = latencyMs_.find(op);
    if (it == latencyMs_.end()) it = latencyMs_.find("*");
    if (it != latencyMs_.end()) sleepMs = it->second;
  }
  if (sleepMs) std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
  std::unique_lock<std::mutex> lock(faultMu_);
  while (hang_.count(op) || hang_.count("*")) {
    const uint64_t gen = releaseGeneration_;
    ++hungNow_;
    faultCv_.wait(lock, [&] { return releaseGeneration_ != gen; });
    --hungNow_;
  }
  for (const std::string& key : {op, std::string("*")}) {
    auto it = failNext_.find(key);
    if (it == failNext_.end() || it->second.count == 0) continue;
    *fault = it->second;
    if (fault->message.empty()) {
      // S_OK without an ErrorCode reads as E_FAIL in hcsshim (and the bridge): say so.
      fault->message = HresultText(fault->hr != hr::kOk ? fault->hr
                                   : fault->hasCode       ? static_cast<HRESULT>(fault->code)
                                                          : hr::kFail);
    }
    if (--it->second.count == 0) failNext_.erase(it);
    return false;
  }
  return true;
}

bool Simulator::TakeAnswer(const std::string& op, Answer* answer) {
  std::lock_guard<std::mutex> lock(faultMu_);
  auto it = answerNext_.find(op);
  if (it == answerNext_.end() || it->second.count == 0) return false;
  *answer = it->second;
  if (--it->second.count == 0) answerNext_.erase(it);
  return true;
}

HRESULT Simulator::Fail(const Failure& fault, hcn_char** errorRecord) {
  if (hr::Failed(fault.hr)) {
    SetError(errorRecord, fault.hr, fault.message);
  } else if (errorRecord) {
    std::string record = "{\"Success\":false,\"Error\":";
    AppendJsonString(fault.message + " ", &record);
    if (fault.hasCode) record += ",\"ErrorCode\":" + std::to_string(fault.code);
    *errorRecord = AllocString(record + "}");
  }
  return fault.hr;
}

template <class Body>
Outcome Simulator::WithState(const Reads& reads, Body body) {
  std::lock_guard<std::mutex> lock(stateMu_);
  std::string error;
  if (file_) {
    std::chrono::steady_clock::time_point deadline;
    const bool hasDeadline = BoundDeadline(&deadline);
    const HRESULT h = file_->Lock(hasDeadline, deadline, &error);
    if (hr::Failed(h)) return Outcome::FailText(h, "simulator state file: " + error);
    if (!reads.all && !file_->Loaded()) {
      HnsState view;
      const StateFile::ViewResult r = file_->View(reads, &view, &error);
      if (r != StateFile::ViewResult::Unavailable) {
        if (r == StateFile::ViewResult::Served) ++stateViews_;
        Outcome o = r == StateFile::ViewResult::Served ? body(view)
                                                       : Outcome::FailText(hr::kFail, "simulator state file: " + error);
        file_->Unlock();
        return o;
      }
    }
    if (!file_->Refresh(&state_, &error)) {
      file_->Unlock();
      return Outcome::FailText(hr::kFail, "simulator state file: " + error);
    }
  }
  Outcome o = body(state_);
  const HnsState::Changes changes = state_.TakeChanges();
  if (file_) {
    if (o.mutated && !file_->Save(state_, changes, &error)) {
      file_->Invalidate();
      o = Outcome::FailText(hr::kFail, "simulator state file: " + error);
    }
    file_->Unlock();
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Handles

hcn::Handle Simulator::NewHandle(Family f, const std::string& id) {
  std::lock_guard<std::mutex> lock(handleMu_);
  const uintptr_t h = nextHandle_;
  nextHandle_ += 8;
  handles_[h] = HandleEntry{f, id, true};
  return reinterpret_cast<hcn::Handle>(h);
}

bool Simulator::LookupHandle(Family f, hcn::Handle h, std::string* id, HRESULT* error) {
  std::lock_guard<std::mutex> lock(handleMu_);
  auto it = handles_.find(reinterpret_cast<uintptr_t>(h));
  if (it == handles_.end() || it->second.family != f || !it->second.valid) {
    *error = hr::kHandle;
    return false;
  }
  *id = it->second.id;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The HCN functions

HRESULT Simulator::Enumerate(Family f, const hcn_char* query, hcn_char** ids, hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  if (ids) *ids = nullptr;
  Failure fault;
  if (!Enter(OperationName(f, kEnumerate), &fault)) return Fail(fault, errorRecord);
  if (!ids) return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  Answer answer;
  if (TakeAnswer(OperationName(f, kEnumerate), &answer)) {
    if (!answer.isNull) *ids = AllocString(answer.text);
    return hr::kOk;
  }
  std::string q;
  if (!Utf16ToUtf8(query, &q)) {
    return Finish(Outcome::Fail(hr::kInvalidJson, "(the query is not valid UTF-16)"), errorRecord);
  }
  Outcome o = WithState([&](HnsState& s) { return s.Enumerate(f, q); });
  if (o.ok()) *ids = AllocString(o.output);
  return Finish(o, errorRecord);
}

HRESULT Simulator::Create(Family f, hcn::Handle network, const GUID* id, const hcn_char* settings,
                          hcn::Handle* object, hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  if (object) *object = nullptr;
  Failure fault;
  if (!Enter(OperationName(f, kCreate), &fault)) return Fail(fault, errorRecord);
  if (!object || !id || !settings)
    return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  std::string networkId;
  if (f == Family::Endpoint) {
    HRESULT bad;
    if (!LookupHandle(Family::Network, network, &networkId, &bad))
      return SetError(errorRecord, bad, HresultText(bad) + " (the network handle)"), bad;
  }
  std::string text;
  if (!Utf16ToUtf8(settings, &text))
    return Finish(Outcome::Fail(hr::kInvalidJson, "(the settings are not valid UTF-16)"), errorRecord);
  const std::string wanted = IsNullGuid(*id) ? std::string() : GuidText(id);
  Outcome o = WithState([&](HnsState& s) { return s.Create(f, wanted, text, networkId); });
  if (o.ok()) {
    *object = NewHandle(f, o.output);
    std::vector<Event> events;
    for (const Notice& n : o.notices) events.push_back(Event{n.type, hr::kOk, n.data});
    Post(std::move(events));
  }
  return Finish(o, errorRecord);
}

HRESULT Simulator::Open(Family f, const GUID* id, hcn::Handle* object, hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  if (object) *object = nullptr;
  Failure fault;
  if (!Enter(OperationName(f, kOpen), &fault)) return Fail(fault, errorRecord);
  if (!object || !id) return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  const std::string wanted = GuidText(id);
  Outcome o = WithState(Reads::Object(f, wanted, false), [&](HnsState& s) { return s.CheckExists(f, wanted); });
  if (o.ok()) *object = NewHandle(f, wanted);
  return Finish(o, errorRecord);
}

HRESULT Simulator::Modify(Family f, hcn::Handle object, const hcn_char* settings, hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  Failure fault;
  const std::string operation = OperationName(f, kModify);
  if (!Enter(operation, &fault)) return Fail(fault, errorRecord);
  HRESULT h;
  std::string id;
  if (!LookupHandle(f, object, &id, &h)) return SetError(errorRecord, h, HresultText(h)), h;
  if (!settings) return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  {
    // ignoreNext: S_OK and nothing changed (HNS 15.4's ModifyLoadBalancer, kubernetes#131466).
    std::lock_guard<std::mutex> lock(faultMu_);
    auto it = ignoreNext_.find(operation);
    if (it != ignoreNext_.end()) {
      if (--it->second == 0) ignoreNext_.erase(it);
      return hr::kOk;
    }
  }
  std::string text;
  if (!Utf16ToUtf8(settings, &text))
    return Finish(Outcome::Fail(hr::kInvalidJson, "(the settings are not valid UTF-16)"), errorRecord);
  Outcome o = WithState([&](HnsState& s) { return s.Modify(f, id, text); });
  return Finish(o, errorRecord);
}

HRESULT Simulator::Query(Family f, hcn::Handle object, const hcn_char* query, hcn_char** properties,
                         hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  if (properties) *properties = nullptr;
  Failure fault;
  if (!Enter(OperationName(f, kQuery), &fault)) return Fail(fault, errorRecord);
  HRESULT h;
  std::string id;
  if (!LookupHandle(f, object, &id, &h)) return SetError(errorRecord, h, HresultText(h)), h;
  if (!properties) return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  std::string q;
  if (!Utf16ToUtf8(query, &q))
    return Finish(Outcome::Fail(hr::kInvalidJson, "(the query is not valid UTF-16)"), errorRecord);
  Outcome o = WithState(Reads::Object(f, id, true), [&](HnsState& s) { return s.Query(f, id, q); });
  if (o.ok()) *properties = AllocString(o.output);
  return Finish(o, errorRecord);
}

HRESULT Simulator::Delete(Family f, const GUID* id, hcn_char** errorRecord) {
  if (errorRecord) *errorRecord = nullptr;
  Failure fault;
  if (!Enter(OperationName(f, kDelete), &fault)) return Fail(fault, errorRecord);
  if (!id) return SetError(errorRecord, hr::kPointer, HresultText(hr::kPointer)), hr::kPointer;
  const std::string wanted = GuidText(id);
  Outcome o = WithState([&](HnsState& s) { return s.Delete(f, wanted); });
  if (o.ok()) {
    std::vector<Event> events;
    for (const Notice& n : o.notices) events.push_back(Event{n.type, hr::kOk, n.data});
    Post(std::move(events));
  }
  return Finish(o, errorRecord);
}

HRESULT Simulator::Close(Family f, hcn::Handle object) {
  Failure fault;
  if (!Enter(OperationName(f, kClose), &fault)) return fault.hr;
  std::lock_guard<std::mutex> lock(handleMu_);
  auto it = handles_.find(reinterpret_cast<uintptr_t>(object));
  if (it == handles_.end() || it->second.family != f) return hr::kHandle;
  handles_.erase(it);
  return hr::kOk;
}

HRESULT Simulator::HnsCall(const hcn_char* method, const hcn_char* path, const hcn_char* request,
                           hcn_char** response) {
  if (response) *response = nullptr;
  Failure fault;
  // HNSCall has no ErrorRecord: an injected failure is the HRESULT alone (no response string), and
  // an injected S_OK failure is HNS v1's own failure shape, a {"Success":false} envelope.
  if (!Enter(kHnsCall, &fault)) {
    if (fault.hr == hr::kOk && response) {
      std::string envelope = "{\"Success\":false,\"Error\":";
      AppendJsonString(fault.message, &envelope);
      *response = AllocString(envelope + "}");
    }
    return fault.hr;
  }
  if (!response) return hr::kPointer;
  if (!method || !path) return hr::kInvalidArg;
  std::string m, p, r;
  if (!Utf16ToUtf8(method, &m) || !Utf16ToUtf8(path, &p) || !Utf16ToUtf8(request, &r)) return hr::kInvalidArg;
  Outcome o = WithState(HnsState::HnsCallReads(m, p), [&](HnsState& s) { return s.HnsCall(m, p, r); });
  if (!o.ok()) return o.hr;
  *response = AllocString(o.output);
  return hr::kOk;
}

// ---------------------------------------------------------------------------------------------
// Service callbacks

HRESULT Simulator::RegisterCallback(hcn::NotificationCallback callback, void* context, hcn::Handle* handle) {
  if (handle) *handle = nullptr;
  Failure fault;
  if (!Enter(kRegister, &fault)) return fault.hr;
  if (!handle) return hr::kPointer;
  if (!callback) return hr::kInvalidArg;
  uintptr_t value;
  {
    std::lock_guard<std::mutex> lock(handleMu_);
    value = nextHandle_;
    nextHandle_ += 8;
  }
  {
    std::lock_guard<std::mutex> lock(callbackMu_);
    callbacks_[value] = Callback{callback, context};
  }
  *handle = reinterpret_cast<hcn::Handle>(value);
  return hr::kOk;
}

HRESULT Simulator::UnregisterCallback(hcn::Handle handle) {
  Failure fault;
  if (!Enter(kUnregister, &fault)) return fault.hr;
  const uintptr_t value = reinterpret_cast<uintptr_t>(handle);
  std::unique_lock<std::mutex> lock(callbackMu_);
  if (callbacks_.erase(value) == 0) return hr::kHandle;
  // No callback may run after this returns: wait out an invocation in progress, unless it is the
  // caller itself (a callback unregistering itself from inside the notification).
  if (delivering_ && std::this_thread::get_id() == deliveryThread_) return hr::kOk;
  callbackCv_.wait(lock, [&] { return inFlight_ != value; });
  return hr::kOk;
}

void Simulator::Post(std::vector<Event> events) {
  if (events.empty()) return;
  std::lock_guard<std::mutex> lock(callbackMu_);
  if (callbacks_.empty()) return;
  for (Event& e : events) events_.push_back(std::move(e));
  if (!delivering_) {
    delivering_ = true;
    // The thread holds the instance while it delivers, and is bound to it: a callback that
    // unregisters itself from inside the notification reaches this instance.
    std::thread([self = shared_from_this()] {
      Bind bind(self.get());
      self->DeliverLoop();
    }).detach();
  }
}

void Simulator::DeliverLoop() {
  std::unique_lock<std::mutex> lock(callbackMu_);
  deliveryThread_ = std::this_thread::get_id();
  while (!events_.empty()) {
    Event e = std::move(events_.front());
    events_.pop_front();
    const HString data = Utf8ToUtf16(e.data);
    std::vector<uintptr_t> targets;
    for (const auto& kv : callbacks_) targets.push_back(kv.first);
    for (uintptr_t target : targets) {
      auto it = callbacks_.find(target);
      if (it == callbacks_.end()) continue;  // unregistered meanwhile
      const Callback cb = it->second;
      inFlight_ = target;
      lock.unlock();
      cb.fn(e.type, cb.context, e.status, e.data.empty() ? nullptr : data.c_str());
      lock.lock();
      inFlight_ = 0;
      callbackCv_.notify_all();
    }
  }
  delivering_ = false;
  deliveryThread_ = std::thread::id();
}

// ---------------------------------------------------------------------------------------------
// Control protocol (see README "Control protocol")

HRESULT Simulator::Control(const hcn_char* request, hcn_char** response) {
  if (response) *response = nullptr;
  if (!response) return hr::kPointer;
  std::string text;
  bool ok = false;
  std::string out;
  if (!request || !Utf16ToUtf8(request, &text)) {
    out = "{\"ok\":false,\"error\":\"the request is not valid UTF-16 text\"}";
  } else {
    out = ControlOp(text, &ok);
  }
  *response = AllocString(out);
  return ok ? hr::kOk : hr::kInvalidArg;
}

namespace {

std::string Refusal(const std::string& why) {
  std::string out = "{\"ok\":false,\"error\":";
  AppendJsonString(why, &out);
  out += "}";
  return out;
}

bool ReadOperation(const Json& req, std::string* op, std::string* error) {
  const Json* v = req.Find("operation");
  if (!v || !v->IsString()) {
    *error = "\"operation\" must be an HCN export name (e.g. HcnCreateLoadBalancer) or \"*\"";
    return false;
  }
  if (!KnownOperation(v->AsString())) {
    *error = "unknown operation \"" + v->AsString() + "\"";
    return false;
  }
  *op = v->AsString();
  return true;
}

// A fault's optional "count": how many calls it applies to (1 when absent; 0 disarms it).
bool ReadCount(const Json& req, uint64_t* n, std::string* error) {
  *n = 1;
  const Json* count = req.Find("count");
  if (count && !count->GetUint64(n)) {
    *error = "\"count\" must be a non-negative integer";
    return false;
  }
  return true;
}

// Arms `fault` for `operation`, or disarms it when its count is 0.
template <typename Fault>
void Arm(std::map<std::string, Fault>* faults, const std::string& operation, uint64_t n, Fault fault) {
  if (n == 0) {
    faults->erase(operation);
  } else {
    (*faults)[operation] = std::move(fault);
  }
}

}  // namespace

std::string Simulator::ControlOp(const std::string& text, bool* ok) {
  *ok = false;
  Json req;
  std::string why;
  if (!ParseJson(text, &req, &why) || !req.IsObject()) return Refusal("the request is not a JSON object: " + why);
  const std::string op = req.StringAt("op");

  if (op == "reset") {
    std::vector<std::string> missing;
    RestoreExports(&missing);
    {
      std::lock_guard<std::mutex> lock(faultMu_);
      failNext_.clear();
      answerNext_.clear();
      ignoreNext_.clear();
      latencyMs_.clear();
      hang_.clear();
      calls_.clear();
      ++releaseGeneration_;
      faultCv_.notify_all();
    }
    Outcome o = WithState([](HnsState& s) {
      s.SetDefault();
      Outcome r;
      r.mutated = true;
      return r;
    });
    if (!o.ok()) return Refusal(o.error);
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "configure") {
    const Json* path = req.Find("statePath");
    if (!path || !(path->IsNull() || path->IsString()))
      return Refusal("\"statePath\" must be a file path or null");
    std::lock_guard<std::mutex> lock(stateMu_);
    if (!sharedPath_.empty())
      return Refusal("this simulated HNS is the one of the state file " + sharedPath_ +
                     ", shared by every client that opened it; open a client on the other file instead");
    if (path->IsNull()) {
      // Back to memory, keeping what the file holds (loaded whole: an open may have loaded nothing).
      std::string error;
      if (!LoadWhole(&error)) return Refusal(error);
      file_.reset();
      *ok = true;
      return "{\"ok\":true,\"statePath\":null}";
    }
    std::string canonical, error;
    if (!StateFile::Canonical(path->AsString(), &canonical, &error)) return Refusal(error);
    HnsState initial;
    initial.SetDefault();
    HnsState loaded;
    StateFile::OpenOptions options;
    std::chrono::steady_clock::time_point deadline;
    options.hasDeadline = BoundDeadline(&deadline);
    options.deadline = deadline;
    // Opened aside and swapped in only when it worked: a failed configure changes nothing.
    auto file = std::make_unique<StateFile>();
    file->CountWholeLoadsIn(&stateWholeLoads_);
    if (hr::Failed(file->Open(canonical, initial, &loaded, options, &error))) return Refusal(error);
    file_ = std::move(file);
    state_ = std::move(loaded);
    *ok = true;
    std::string out = "{\"ok\":true,\"statePath\":";
    AppendJsonString(path->AsString(), &out);
    return out + "}";
  }

  if (op == "status" || op == "dump") {
    std::string body;
    Outcome o = WithState([&](HnsState& s) {
      if (op == "dump") {
        body = s.ToJson().Dump();
      } else {
        body = "\"version\":{\"Major\":" + std::to_string(s.version.major) + ",\"Minor\":" +
               std::to_string(s.version.minor) + "},\"counts\":{\"networks\":" +
               std::to_string(s.Count(Family::Network)) + ",\"endpoints\":" +
               std::to_string(s.Count(Family::Endpoint)) + ",\"loadBalancers\":" +
               std::to_string(s.Count(Family::LoadBalancer)) + ",\"namespaces\":" +
               std::to_string(s.Count(Family::Namespace)) + "}";
      }
      return Outcome();
    });
    if (!o.ok()) return Refusal(o.error);
    *ok = true;
    if (op == "dump") return "{\"ok\":true,\"state\":" + body + "}";
    std::string path;
    {
      std::lock_guard<std::mutex> lock(stateMu_);
      if (file_) {
        AppendJsonString(file_->path(), &path);
      } else {
        path = "null";
      }
    }
    return "{\"ok\":true," + body + ",\"statePath\":" + path + "}";
  }

  if (op == "vfp" || op == "vfpRemoveRule") {
    std::string body;
    bool accepted = false;
    Outcome o = WithState([&](HnsState& s) {
      Outcome r;
      body = VfpControl(s, op, req, &accepted, &r.mutated);
      return r;
    });
    if (!o.ok()) return Refusal(o.error);
    *ok = accepted;
    return body;
  }

  if (op == "setVersion") {
    int64_t major = -1, minor = -1;
    const Json* a = req.Find("major");
    const Json* b = req.Find("minor");
    if (!a || !b || !a->GetInt64(&major) || !b->GetInt64(&minor) || major < 0 || minor < 0 || major > 65535 ||
        minor > 65535)
      return Refusal("\"major\" and \"minor\" must be integers 0-65535");
    Outcome o = WithState([&](HnsState& s) {
      s.version.major = static_cast<int>(major);
      s.version.minor = static_cast<int>(minor);
      Outcome r;
      r.mutated = true;
      return r;
    });
    if (!o.ok()) return Refusal(o.error);
    *ok = true;
    return "{\"ok\":true,\"version\":{\"Major\":" + std::to_string(major) + ",\"Minor\":" + std::to_string(minor) + "}}";
  }

  if (op == "failNext") {
    std::string operation, error;
    if (!ReadOperation(req, &operation, &error)) return Refusal(error);
    uint64_t n = 1, code = 0;
    if (!ReadCount(req, &n, &error)) return Refusal(error);
    const Json* hres = req.Find("hresult");
    if (!hres || !hres->GetUint64(&code) || code > 0xFFFFFFFFu || (code != 0 && code < 0x80000000u))
      return Refusal("\"hresult\" must be a failure HRESULT as an unsigned number (0x80000000-0xFFFFFFFF), "
                     "or 0 for S_OK with an ErrorRecord");
    const Json* msg = req.Find("message");
    if (msg && !msg->IsNull() && !msg->IsString()) return Refusal("\"message\" must be a string");
    Failure failure{n, static_cast<HRESULT>(static_cast<uint32_t>(code)),
                    msg && msg->IsString() ? msg->AsString() : std::string()};
    const Json* errorCode = req.Find("errorCode");
    if (errorCode && !errorCode->IsNull()) {
      uint64_t value = 0;
      if (code != 0) return Refusal("\"errorCode\" goes with \"hresult\":0 only (a failure HRESULT is the ErrorCode)");
      if (operation == kHnsCall) return Refusal("\"errorCode\" does not apply to HNSCall: its {\"Success\":false} envelope has none");
      if (!errorCode->GetUint64(&value) || value > 0xFFFFFFFFu)
        return Refusal("\"errorCode\" must be an HRESULT as an unsigned number (0-0xFFFFFFFF)");
      failure.hasCode = true;
      failure.code = static_cast<uint32_t>(value);
    }
    if (code == 0 && (operation == "*" || operation == kRegister || operation == kUnregister ||
                      operation.compare(0, 8, "HcnClose") == 0))
      return Refusal("\"hresult\":0 (S_OK with an ErrorRecord) needs an operation that returns an ErrorRecord "
                     "or HNSCall; " + operation + " has neither");
    std::lock_guard<std::mutex> lock(faultMu_);
    Arm(&failNext_, operation, n, std::move(failure));
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "ignoreNext") {
    // HNS 15.4 answered S_OK to ModifyLoadBalancer and kept the old backends (kubernetes#131466):
    // what a client's read-back after a modify has to catch.
    std::string operation, error;
    if (!ReadOperation(req, &operation, &error)) return Refusal(error);
    if (operation.compare(0, 9, "HcnModify") != 0)
      return Refusal("\"ignoreNext\" applies to the HcnModify* operations only");
    uint64_t n = 1;
    if (!ReadCount(req, &n, &error)) return Refusal(error);
    std::lock_guard<std::mutex> lock(faultMu_);
    Arm(&ignoreNext_, operation, n, n);
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "answerNext") {
    // Test hook for what clients must survive: an enumerate that succeeds with a null, empty or
    // "null" ID list (hns.v2.psm1 guards against it). Not a model of HNS: see the README.
    std::string operation, error;
    if (!ReadOperation(req, &operation, &error)) return Refusal(error);
    if (operation.compare(0, 12, "HcnEnumerate") != 0)
      return Refusal("\"answerNext\" applies to the HcnEnumerate* operations only");
    uint64_t n = 1;
    if (!ReadCount(req, &n, &error)) return Refusal(error);
    const Json* output = req.Find("output");
    if (!output || !(output->IsNull() || output->IsString()))
      return Refusal("\"output\" must be a string or null (a null output string)");
    Answer answer{n, output->IsNull(), output->IsString() ? output->AsString() : std::string()};
    std::lock_guard<std::mutex> lock(faultMu_);
    Arm(&answerNext_, operation, n, std::move(answer));
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "latency") {
    std::string operation, error;
    if (!ReadOperation(req, &operation, &error)) return Refusal(error);
    const Json* ms = req.Find("ms");
    uint64_t value = 0;
    if (!ms || !ms->GetUint64(&value) || value > 600000) return Refusal("\"ms\" must be an integer 0-600000");
    std::lock_guard<std::mutex> lock(faultMu_);
    if (value == 0) {
      latencyMs_.erase(operation);
    } else {
      latencyMs_[operation] = value;
    }
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "hang") {
    std::string operation, error;
    if (!ReadOperation(req, &operation, &error)) return Refusal(error);
    std::lock_guard<std::mutex> lock(faultMu_);
    hang_.insert(operation);
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "release") {
    std::lock_guard<std::mutex> lock(faultMu_);
    const uint64_t released = hungNow_;
    hang_.clear();
    ++releaseGeneration_;
    faultCv_.notify_all();
    *ok = true;
    return "{\"ok\":true,\"released\":" + std::to_string(released) + "}";
  }

  if (op == "restart") {
    const Json* keep = req.Find("keepState");
    if (keep && !keep->IsBool()) return Refusal("\"keepState\" must be true or false");
    const bool keepState = !keep || keep->AsBool();
    if (!keepState) {
      Outcome o = WithState([](HnsState& s) {
        s.SetDefaultTopology();
        Outcome r;
        r.mutated = true;
        return r;
      });
      if (!o.ok()) return Refusal(o.error);
      std::lock_guard<std::mutex> lock(handleMu_);
      for (auto& kv : handles_) kv.second.valid = false;
    }
    Post({Event{notify::kServiceDisconnect, hr::kOk, std::string()}});
    *ok = true;
    return "{\"ok\":true}";
  }

  if (op == "removeExport" || op == "restoreExports") {
    std::vector<std::string> missing;
    if (op == "restoreExports") {
      RestoreExports(&missing);
    } else {
      const Json* name = req.Find("name");
      if (!name || !name->IsString()) return Refusal("\"name\" must be an HCN export name (e.g. HcnModifyLoadBalancer)");
      std::string error;
      if (!RemoveExport(name->AsString(), &missing, &error)) return Refusal(error);
    }
    std::string out = "{\"ok\":true,\"missing\":[";
    for (size_t i = 0; i < missing.size(); ++i) {
      if (i) out += ",";
      AppendJsonString(missing[i], &out);
    }
    *ok = true;
    return out + "]}";
  }

  if (op == "stats") {
    std::string out = "{\"ok\":true";
    {
      std::lock_guard<std::mutex> lock(handleMu_);
      out += ",\"liveHandles\":" + std::to_string(handles_.size());
    }
#ifdef HCN_SIM_COTASKMEM
    out += ",\"liveStrings\":null";
#else
    out += ",\"liveStrings\":" + std::to_string(LiveStrings());
#endif
    out += ",\"stateReads\":{\"views\":" + std::to_string(stateViews_.load()) +
           ",\"wholeLoads\":" + std::to_string(stateWholeLoads_.load()) + "}";
    {
      std::lock_guard<std::mutex> lock(callbackMu_);
      out += ",\"liveCallbacks\":" + std::to_string(callbacks_.size());
    }
    std::lock_guard<std::mutex> lock(faultMu_);
    out += ",\"hung\":" + std::to_string(hungNow_) + ",\"calls\":{";
    bool first = true;
    for (const auto& kv : calls_) {
      if (!first) out += ",";
      first = false;
      AppendJsonString(kv.first, &out);
      out += ":" + std::to_string(kv.second);
    }
    out += "}}";
    *ok = true;
    return out;
  }

  return Refusal(op.empty() ? "\"op\" is missing" : "unknown op \"" + op + "\"");
}

}  // namespace sim
