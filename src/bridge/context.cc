// NativeContext methods: argument checks on the JS thread, jobs to the pool, batched settlement,
// the service-callback subscription, close() and environment teardown.
#include "context.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "errors.h"
#include "operations.h"
#include "../hcn/text.h"

namespace bridge {

namespace {

constexpr const char* kSimControl = "HcnSimControl";
// How long close() and environment teardown wait for HcnUnregisterServiceCallback: a hung HNS
// must not hang them (or the process exit) for good.
constexpr std::chrono::milliseconds kCloseUnregisterWait(2000);
// The synchronous simControl (private: tests and benches) waits at most this long for a state
// file's lock; the SDK uses simControlAsync on the pool.
constexpr std::chrono::milliseconds kSyncControlWait(10000);

ErrorInfo Info(ErrorKind kind, const char* operation, std::string message) {
  ErrorInfo info;
  info.kind = kind;
  info.operation = operation;
  info.message = std::move(message);
  return info;
}

ErrorInfo ClosedInfo(const char* method) {
  return Info(ErrorKind::Closed, method, std::string(method) + ": the context is closed");
}

ErrorInfo HresultInfo(const char* operation, HRESULT h, const HcnString* record) {
  ErrorInfo info = Info(ErrorKind::Hresult, operation,
                        std::string(operation) + " failed with HRESULT " + HresultText(h));
  info.has_hresult = true;
  info.hr = h;
  info.record = record;
  if (record != nullptr && !record->Empty()) {
    std::string text;
    hcn::Utf16ToUtf8(record->get(), &text, hcn::LoneSurrogate::Replace);
    info.message += " " + text;
  }
  return info;
}

// Reads and checks binding arguments without throwing; the first problem becomes an
// HCN_INVALID_ARGUMENT error naming the method and the argument.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* method)
      : env_(info.Env()), info_(info), method_(method) {}

  bool Family(size_t i, hcn::Family* out) {
    char buffer[16];
    size_t length = 0;
    if (napi_get_value_string_utf8(env_, info_[i], buffer, sizeof buffer, &length) == napi_ok) {
      static const struct {
        const char* name;
        hcn::Family family = hcn::Family::Network;
      } kFamilies[] = {{"loadBalancer", hcn::Family::LoadBalancer},
                       {"endpoint", hcn::Family::Endpoint},
                       {"network", hcn::Family::Network},
                       {"namespace", hcn::Family::Namespace}};
      for (const auto& f : kFamilies) {
        if (std::strlen(f.name) == length && std::memcmp(f.name, buffer, length) == 0) {
          *out = f.family;
          return true;
        }
      }
    }
    return Fail("family must be 'network', 'endpoint', 'loadBalancer' or 'namespace'");
  }

  bool Guid(size_t i, const char* name, GUID* out) {
    // One byte more than a GUID: a longer string shows up as length 37. UTF-8, not Latin-1: V8
    // writes Latin-1 by keeping each UTF-16 unit's low byte, so U+0131 would read as '1'.
    char buffer[38];
    size_t length = 0;
    if (napi_get_value_string_utf8(env_, info_[i], buffer, sizeof buffer, &length) == napi_ok &&
        hcn::ParseGuid(buffer, length, out)) {
      return true;
    }
    return Fail(std::string(name) +
                " must be a GUID string of 36 characters (8-4-4-4-12 hex digits, no braces)");
  }

  // null means GUID_NULL (HNS picks the ID).
  bool NullableGuid(size_t i, const char* name, GUID* out) {
    if (info_[i].IsNull()) {
      std::memset(out, 0, sizeof *out);
      return true;
    }
    return Guid(i, name, out);
  }

  bool Text(size_t i, const char* name, std::u16string* out) {
    napi_value v = info_[i];
    size_t length = 0;
    if (napi_get_value_string_utf16(env_, v, nullptr, 0, &length) != napi_ok) {
      return Fail(std::string(name) + " must be a string");
    }
    out->resize(length);
    napi_get_value_string_utf16(env_, v, out->data(), length + 1, &length);
    // Every text reaches HCN as a C string: a NUL would silently cut it there.
    const size_t nul = out->find(u'\0');
    if (nul != std::u16string::npos) {
      return Fail(std::string(name) + " must not contain a NUL character (found at index " +
                  std::to_string(nul) + "; HCN would cut the text there)");
    }
    return true;
  }

  bool Timeout(size_t i, uint32_t* out) {
    double ms = 0;
    if (napi_get_value_double(env_, info_[i], &ms) == napi_ok && ms >= 1 &&
        ms <= 2147483647.0 && std::floor(ms) == ms) {
      *out = static_cast<uint32_t>(ms);
      return true;
    }
    return Fail("timeoutMs must be a positive integer (milliseconds, at most 2147483647)");
  }

  napi_value Reject() { return RejectedPromise(env_, error_); }
  void Throw() { ThrowError(env_, error_); }

 private:
  bool Fail(std::string why) {
    error_ = Info(ErrorKind::InvalidArgument, method_, std::string(method_) + ": " + why);
    return false;
  }

  napi_env env_;
  const Napi::CallbackInfo& info_;
  const char* method_;
  ErrorInfo error_;
};

napi_value StringValue(napi_env env, const HcnString& s) {
  napi_value v;
  if (s.get() == nullptr) {
    napi_create_string_utf8(env, "", 0, &v);
  } else {
    napi_create_string_utf16(env, s.u16(), NAPI_AUTO_LENGTH, &v);
  }
  return v;
}

napi_value ResultValue(napi_env env, const Job& job) {
  napi_value v;
  switch (job.op) {
    case Op::List: {
      napi_create_array_with_length(env, job.many.size(), &v);
      for (size_t i = 0; i < job.many.size(); ++i) {
        napi_set_element(env, v, static_cast<uint32_t>(i), StringValue(env, job.many[i]));
      }
      return v;
    }
    case Op::Remove:
    case Op::Register:
    case Op::Unregister:
    case Op::SimAttach:
      napi_get_undefined(env, &v);
      return v;
    default:
      return StringValue(env, job.out);
  }
}

}  // namespace

Napi::Function Context::Define(Napi::Env env) {
  return DefineClass(env, "NativeContext",
                     {
                         InstanceMethod<&Context::Enumerate>("enumerate"),
                         InstanceMethod<&Context::List>("list"),
                         InstanceMethod<&Context::Create>("create"),
                         InstanceMethod<&Context::Query>("query"),
                         InstanceMethod<&Context::Modify>("modify"),
                         InstanceMethod<&Context::Remove>("remove"),
                         InstanceMethod<&Context::HnsCall>("hnsCall"),
                         InstanceMethod<&Context::SimControl>("simControl"),
                         InstanceMethod<&Context::SimControlAsync>("simControlAsync"),
                         InstanceMethod<&Context::SimAttach>("simAttach"),
                         InstanceMethod<&Context::Subscribe>("subscribe"),
                         InstanceMethod<&Context::Unsubscribe>("unsubscribe"),
                         InstanceMethod<&Context::Stats>("stats"),
                         InstanceMethod<&Context::Close>("close"),
                         InstanceAccessor<&Context::GetBackend>("backend"),
                         InstanceAccessor<&Context::GetHasSimControl>("hasSimControl"),
                     });
}

Context::Context(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Context>(info) {
  env_ = info.Env();
  AddonData* data = info.Env().GetInstanceData<AddonData>();
  if (data == nullptr || !data->armed) {
    ThrowError(env_, Info(ErrorKind::InvalidArgument, "open",
                          "NativeContext is created by open(options), not with new"));
    return;
  }
  const OpenRequest request = data->next;
  data->armed = false;
  api_ = request.api;
  backend_ = request.backend;
  sim_ = request.sim;
  completions_ = data->set_immediate.IsEmpty()
                     ? nullptr
                     : Completions::Create(env_, this, data->set_immediate.Value());
  if (!completions_) {
    Napi::Error::New(info.Env(), "hcn-sdk: cannot create the completion channel")
        .ThrowAsJavaScriptException();
    return;
  }
  pool_ = Pool::Start(request.threads, completions_);
  // Added after the thread-safe function: cleanup hooks run in reverse order, so this one runs
  // before Node tears the function down.
  if (napi_add_env_cleanup_hook(env_, OnEnvCleanup, this) == napi_ok) hook_added_ = true;
  closed_ = false;
}

Context::~Context() {
  if (!closed_) Shutdown(env_, CloseMode::Finalize);
  if (hook_added_) {
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
    hook_added_ = false;
  }
}

void Context::OnEnvCleanup(void* arg) {
  auto* self = static_cast<Context*>(arg);
  self->hook_added_ = false;
  self->Shutdown(self->env_, CloseMode::Teardown);
}

napi_value Context::Submit(napi_env env, JobPtr job, uint32_t timeout_ms) {
  if (closed_) return RejectedPromise(env, ClosedInfo(job->method));
  const bool needs_query = job->op != Op::Modify || !job->text2.empty();
  if (const char* missing = MissingFunction(api_, job->op, job->family, needs_query)) {
    ErrorInfo info = Info(ErrorKind::NotAvailable, missing,
                          std::string(missing) +
                              " is not exported by this HCN backend (the host's HNS lacks it); "
                              "nothing was sent");
    info.missing = missing;
    return RejectedPromise(env, info);
  }
  job->timeout_ms = timeout_ms;
  job->deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  job->sim = sim_;
  napi_value promise;
  napi_create_promise(env, &job->deferred, &promise);
  switch (pool_->Submit(job)) {
    case Pool::Admit::Accepted:
      AddPending(env, job);
      break;
    case Pool::Admit::Busy: {
      const std::string n = std::to_string(pool_->Size());
      napi_reject_deferred(
          env, job->deferred,
          MakeError(env, Info(ErrorKind::Busy, job->method,
                              std::string(job->method) + ": all " + n +
                                  " pool threads are stuck in HCN calls that passed their "
                                  "deadline; nothing was sent")));
      break;
    }
    case Pool::Admit::Closed:
      napi_reject_deferred(env, job->deferred, MakeError(env, ClosedInfo(job->method)));
      break;
  }
  return promise;
}

void Context::AddPending(napi_env env, const JobPtr& job) {
  job->pending_index = pending_.size();
  pending_.push_back(job);
  if (pending_.size() == 1) {
    // A pending call keeps the loop (and this object) alive; an idle context keeps nothing alive.
    completions_->Ref(env);
    Ref();
  }
}

void Context::RemovePending(napi_env env, Job& job) {
  const size_t i = job.pending_index;
  if (i >= pending_.size() || pending_[i].get() != &job) return;
  if (i + 1 != pending_.size()) {
    pending_[i] = std::move(pending_.back());
    pending_[i]->pending_index = i;
  }
  pending_.pop_back();
  if (pending_.empty()) {
    completions_->Unref(env);
    Unref();
  }
}

void Context::Settle(napi_env env, Job& job, bool resolve, napi_value value) {
  job.settled = true;
  ++completed_;
  if (resolve) {
    napi_resolve_deferred(env, job.deferred, value);
  } else {
    napi_reject_deferred(env, job.deferred, value);
  }
  job.deferred = nullptr;
  RemovePending(env, job);  // may drop the last reference to the job
}

void Context::Deliver(napi_env env, Completion& c) {
  {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    if (c.kind == Completion::Kind::Notification) {
      if (!closed_ && subscribed_ && !listener_.IsEmpty()) {
        napi_value argv[3], result;
        napi_create_uint32(env, c.type, &argv[0]);
        napi_create_uint32(env, c.status, &argv[1]);
        if (c.has_data) {
          napi_create_string_utf16(env, c.data.data(), c.data.size(), &argv[2]);
        } else {
          napi_get_null(env, &argv[2]);
        }
        napi_value fn = listener_.Value();
        napi_value undefined;
        napi_get_undefined(env, &undefined);
        if (napi_call_function(env, undefined, fn, 3, argv, &result) != napi_ok) {
          // A throwing listener is the application's uncaught exception; the rest of the batch
          // is still delivered.
          bool pending = false;
          napi_is_exception_pending(env, &pending);
          if (pending) {
            napi_value error;
            napi_get_and_clear_last_exception(env, &error);
            napi_fatal_exception(env, error);
          }
        }
      }
    } else {
      JobPtr job = std::move(c.job);
      if (!job->settled && (job->op == Op::Register || job->op == Op::Unregister)) {
        EndRegistrationCall(env, *job, c.kind == Completion::Kind::Done);
      }
      if (!job->settled) {
        if (c.kind == Completion::Kind::Timeout) {
          const std::string ms = std::to_string(job->timeout_ms);
          ErrorInfo info;
          info.kind = ErrorKind::Timeout;
          if (c.operation != nullptr) {
            info.operation = c.operation;
            info.message = std::string(c.operation) + " (" + job->method +
                           ") did not return within " + ms +
                           " ms; its pool thread is written off until it does, and what it did "
                           "in HNS is unknown";
          } else {
            info.operation = job->method;
            info.message = std::string(job->method) + " waited " + ms +
                           " ms for a pool thread and was never sent to HNS";
          }
          Settle(env, *job, false, MakeError(env, info));
        } else if (job->failure.kind == ErrorKind::None) {
          // This context's calls go to the instance it attached to from now on.
          if (job->op == Op::SimAttach && job->attached && !closed_) sim_ = job->attached;
          job->attached.reset();
          Settle(env, *job, true, ResultValue(env, *job));
        } else {
          Settle(env, *job, false, MakeJobError(env, *job));
        }
      }
      if (c.kind == Completion::Kind::Done) {
        // Copied into JS (or unwanted): free the HCN strings before any continuation runs.
        job->out.Reset();
        job->many.clear();
        job->failure.record.Reset();
      }
    }
    napi_close_handle_scope(env, scope);
  }
}

Napi::Value Context::Enumerate(const Napi::CallbackInfo& info) {
  Args args(info, "enumerate");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::Enumerate, family, "enumerate");
  uint32_t timeout = 0;
  if (!args.Text(1, "query", &job->text1) || !args.Timeout(2, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::List(const Napi::CallbackInfo& info) {
  Args args(info, "list");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::List, family, "list");
  uint32_t timeout = 0;
  if (!args.Text(1, "query", &job->text1) || !args.Text(2, "propertiesQuery", &job->text2) ||
      !args.Timeout(3, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::Create(const Napi::CallbackInfo& info) {
  Args args(info, "create");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::Create, family, "create");
  uint32_t timeout = 0;
  if (!args.NullableGuid(1, "id", &job->id) || !args.Text(2, "settings", &job->text1) ||
      !args.Text(3, "propertiesQuery", &job->text2) || !args.Timeout(4, &timeout) ||
      (family == hcn::Family::Endpoint && !args.Guid(5, "networkId", &job->network))) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::Query(const Napi::CallbackInfo& info) {
  Args args(info, "query");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::Query, family, "query");
  uint32_t timeout = 0;
  if (!args.Guid(1, "id", &job->id) || !args.Text(2, "query", &job->text1) ||
      !args.Timeout(3, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::Modify(const Napi::CallbackInfo& info) {
  Args args(info, "modify");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::Modify, family, "modify");
  uint32_t timeout = 0;
  if (!args.Guid(1, "id", &job->id) || !args.Text(2, "settings", &job->text1) ||
      !args.Text(3, "propertiesQuery", &job->text2) || !args.Timeout(4, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::Remove(const Napi::CallbackInfo& info) {
  Args args(info, "remove");
  hcn::Family family = hcn::Family::Network;
  if (!args.Family(0, &family)) return Napi::Value(info.Env(), args.Reject());
  auto job = std::make_shared<Job>(api_, Op::Remove, family, "remove");
  uint32_t timeout = 0;
  if (!args.Guid(1, "id", &job->id) || !args.Timeout(2, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::HnsCall(const Napi::CallbackInfo& info) {
  Args args(info, "hnsCall");
  auto job = std::make_shared<Job>(api_, Op::HnsCall, hcn::Family::Network, "hnsCall");
  uint32_t timeout = 0;
  if (!args.Text(0, "method", &job->text1) || !args.Text(1, "path", &job->text2) ||
      !args.Text(2, "request", &job->text3) || !args.Timeout(3, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::SimControl(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (api_ == nullptr || api_->SimControl == nullptr) {
    ErrorInfo e = Info(ErrorKind::NotAvailable, "simControl",
                       "simControl needs the HNS simulator; this backend is the real HNS");
    e.missing = kSimControl;
    ThrowError(env, e);
    return Napi::Value();
  }
  Args args(info, "simControl");
  std::u16string request;
  if (!args.Text(0, "request", &request)) {
    args.Throw();
    return Napi::Value();
  }
  if (closed_) {
    ThrowError(env, ClosedInfo("simControl"));
    return Napi::Value();
  }
  HcnString response(api_);
  HRESULT h;
  {
    // On the JS thread (private, for tests and benches): bounded, never waits out a stuck lock.
    sim::Bind bind(sim_.get(), Clock::now() + kSyncControlWait);
    h = api_->SimControl(reinterpret_cast<const hcn_char*>(request.c_str()), response.Out());
  }
  if (hr::Failed(h)) {
    ThrowError(env, HresultInfo(kSimControl, h, &response));
    return Napi::Value();
  }
  return Napi::Value(env, StringValue(env, response));
}

namespace {

void FreeCallbackContext(void* context) {
  delete static_cast<std::shared_ptr<Completions>*>(context);
}

}  // namespace

bool Context::IsPending(const JobPtr& job) const {
  return job->pending_index < pending_.size() && pending_[job->pending_index] == job;
}

napi_value Context::RejectRegistrationBusy(napi_env env, const char* method) {
  return RejectedPromise(
      env, Info(ErrorKind::InvalidArgument, method,
                std::string(method) +
                    ": a subscribe() or unsubscribe() of this context is still running; wait for "
                    "it first"));
}

Napi::Value Context::SimControlAsync(const Napi::CallbackInfo& info) {
  if (api_ == nullptr || api_->SimControl == nullptr) {
    ErrorInfo e = Info(ErrorKind::NotAvailable, "simControl",
                       "simControl needs the HNS simulator; this backend is the real HNS");
    e.missing = kSimControl;
    return Napi::Value(info.Env(), RejectedPromise(info.Env(), e));
  }
  Args args(info, "simControl");
  auto job = std::make_shared<Job>(api_, Op::SimControl, hcn::Family::Network, "simControl");
  uint32_t timeout;
  if (!args.Text(0, "request", &job->text1) || !args.Timeout(1, &timeout)) {
    return Napi::Value(info.Env(), args.Reject());
  }
  return Napi::Value(info.Env(), Submit(info.Env(), std::move(job), timeout));
}

Napi::Value Context::SimAttach(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (!sim_) {
    ErrorInfo e = Info(ErrorKind::NotAvailable, "simAttach",
                       "simAttach needs the embedded HNS simulator; this backend has none");
    return Napi::Value(env, RejectedPromise(env, e));
  }
  Args args(info, "simAttach");
  auto job = std::make_shared<Job>(api_, Op::SimAttach, hcn::Family::Network, "simAttach");
  std::u16string path;
  uint32_t timeout;
  if (!info[0].IsNull() && !args.Text(0, "statePath", &path)) return Napi::Value(env, args.Reject());
  if (!args.Timeout(2, &timeout)) return Napi::Value(env, args.Reject());
  if (path.find(u'\0') != std::u16string::npos) {
    return Napi::Value(env, RejectedPromise(env, Info(ErrorKind::InvalidArgument, "simAttach",
                                                      "simAttach: statePath contains a NUL byte")));
  }
  if (!info[0].IsNull() && path.empty()) {
    return Napi::Value(env, RejectedPromise(env, Info(ErrorKind::InvalidArgument, "simAttach",
                                                      "simAttach: statePath must be a non-empty string or null")));
  }
  if (subscribed_ || registration_busy_) {
    return Napi::Value(env, RejectedPromise(env, Info(ErrorKind::InvalidArgument, "simAttach",
                                                      "simAttach: unsubscribe first (the service callback is "
                                                      "registered with the current simulated HNS)")));
  }
  std::string utf8;
  hcn::Utf16ToUtf8(reinterpret_cast<const hcn_char*>(path.c_str()), &utf8, hcn::LoneSurrogate::Replace);
  job->attach_path = utf8;
  job->attach_recover = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  return Napi::Value(env, Submit(env, std::move(job), timeout));
}

// A promise already resolved with undefined (nothing to wait for).
static napi_value ResolvedPromise(napi_env env) {
  napi_deferred deferred;
  napi_value promise, undefined;
  napi_create_promise(env, &deferred, &promise);
  napi_get_undefined(env, &undefined);
  napi_resolve_deferred(env, deferred, undefined);
  return promise;
}

Napi::Value Context::Subscribe(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (!info[0].IsFunction()) {
    return Napi::Value(env, RejectedPromise(env, Info(ErrorKind::InvalidArgument, "subscribe",
                                                      "subscribe: listener must be a function")));
  }
  Args args(info, "subscribe");
  uint32_t timeout = 0;
  if (!args.Timeout(1, &timeout)) return Napi::Value(env, args.Reject());
  if (closed_) return Napi::Value(env, RejectedPromise(env, ClosedInfo("subscribe")));
  if (registration_busy_) return Napi::Value(env, RejectRegistrationBusy(env, "subscribe"));
  if (subscribed_) {
    // Already registered: only the listener changes.
    listener_ = Napi::Persistent(info[0].As<Napi::Function>());
    return Napi::Value(env, ResolvedPromise(env));
  }
  auto job = std::make_shared<Job>(api_, Op::Register, hcn::Family::Network, "subscribe");
  // HCN calls back on its own threads with this pointer; it lives until the registration ends.
  job->registration.callback = OnNotification;
  job->registration.context = new std::shared_ptr<Completions>(completions_);
  job->registration.free_context = FreeCallbackContext;
  napi_value promise = Submit(env, job, timeout);
  if (IsPending(job)) {
    registration_busy_ = true;
    pending_listener_ = Napi::Persistent(info[0].As<Napi::Function>());
  }
  return Napi::Value(env, promise);
}

Napi::Value Context::Unsubscribe(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  Args args(info, "unsubscribe");
  uint32_t timeout = 0;
  if (!args.Timeout(0, &timeout)) return Napi::Value(env, args.Reject());
  if (registration_busy_) return Napi::Value(env, RejectRegistrationBusy(env, "unsubscribe"));
  if (!subscribed_ || closed_) return Napi::Value(env, ResolvedPromise(env));
  auto job = std::make_shared<Job>(api_, Op::Unregister, hcn::Family::Network, "unsubscribe");
  job->registration.callback = OnNotification;
  job->registration.context = callback_context_;
  job->registration.free_context = FreeCallbackContext;
  job->registration.handle = callback_handle_;
  napi_value promise = Submit(env, job, timeout);
  if (IsPending(job)) {
    // The job owns the registration now; notifications stop reaching the listener at once (it is
    // kept aside in case HCN refuses and the registration comes back).
    registration_busy_ = true;
    callback_handle_ = nullptr;
    callback_context_ = nullptr;
    subscribed_ = false;
    pending_listener_ = std::move(listener_);
    Unref();  // the reference Subscribe took
  } else {
    // Refused (every thread stuck): still subscribed, and the job must not end it when dropped.
    job->registration.handle = nullptr;
    job->registration.context = nullptr;
  }
  return Napi::Value(env, promise);
}

void Context::EndRegistrationCall(napi_env env, Job& job, bool done) {
  registration_busy_ = false;
  Napi::FunctionReference listener = std::move(pending_listener_);
  if (!done || closed_) return;
  if (job.op == Op::Register) {
    if (job.failure.kind != ErrorKind::None) return;
  } else if (job.failure.kind != ErrorKind::Hresult || job.registration.handle == nullptr) {
    return;  // unregistered (or unknown): nothing comes back
  }
  // Registered in time, or HCN refused to unregister: the context owns the registration (again).
  job.registration.adopted = true;
  callback_handle_ = job.registration.handle;
  callback_context_ = static_cast<std::shared_ptr<Completions>*>(job.registration.context);
  listener_ = std::move(listener);
  subscribed_ = true;
  Ref();  // the listener stays reachable while subscribed (this does not hold the loop open)
  (void)env;
}

namespace {

// Closing: HcnUnregisterServiceCallback runs on its own thread and is waited for at most
// kCloseUnregisterWait. If it is still inside HCN then, that thread frees the callback context
// when the call succeeds; *gave_up says the caller must not.
HRESULT UnregisterForClose(const hcn::Api* api, const sim::Instance& instance, hcn::Handle handle,
                           std::shared_ptr<Completions>* context, bool* gave_up) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool abandoned = false;
    HRESULT hr = hr::kOk;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, api, instance, handle, context] {
    sim::Bind bind(instance.get());
    const HRESULT h = api->UnregisterServiceCallback(handle);
    std::lock_guard<std::mutex> lock(shared->mu);
    shared->done = true;
    shared->hr = h;
    if (shared->abandoned && !hr::Failed(h)) delete context;
    shared->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(shared->mu);
  *gave_up = !shared->cv.wait_for(lock, kCloseUnregisterWait, [&] { return shared->done; });
  if (*gave_up) {
    shared->abandoned = true;
    return hr::kTimeout;
  }
  return shared->hr;
}

}  // namespace

void Context::DropSubscription() {
  if (!subscribed_) return;
  bool gave_up = false;
  const HRESULT h = UnregisterForClose(api_, sim_, callback_handle_, callback_context_, &gave_up);
  if (gave_up) {
    // Still inside HCN: the unregistering thread owns the callback context now.
  } else if (hr::Failed(h)) {
    // Closing anyway: HCN may still call back, so the callback context is never freed (its
    // completion queue is closed and drops whatever arrives).
  } else {
    delete callback_context_;
  }
  callback_context_ = nullptr;
  callback_handle_ = nullptr;
  subscribed_ = false;
  listener_.Reset();
}

void CALLBACK Context::OnNotification(DWORD type, void* context, HRESULT status,
                                      const hcn_char* data) {
  auto* completions = static_cast<std::shared_ptr<Completions>*>(context);
  Completion c;
  c.kind = Completion::Kind::Notification;
  c.type = type;
  c.status = static_cast<uint32_t>(status);
  if (data != nullptr) {
    c.has_data = true;
    c.data.assign(reinterpret_cast<const char16_t*>(data));
  }
  (*completions)->Post(std::move(c));
}

Napi::Value Context::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Pool::Stats s;
  if (!closed_) s = pool_->GetStats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", Napi::Number::New(env, s.threads));
  o.Set("busy", Napi::Number::New(env, s.busy));
  o.Set("stuck", Napi::Number::New(env, s.stuck));
  o.Set("queued", Napi::Number::New(env, s.queued));
  o.Set("completed", Napi::Number::New(env, completed_));
  o.Set("deliveries", Napi::Number::New(env, static_cast<double>(completions_->Deliveries())));
  o.Set("largestDelivery", Napi::Number::New(env, static_cast<double>(completions_->LargestDelivery())));
  return o;
}

Napi::Value Context::Close(const Napi::CallbackInfo& info) {
  Shutdown(info.Env(), CloseMode::Api);
  return info.Env().Undefined();
}

void Context::Shutdown(napi_env env, CloseMode mode) {
  if (closed_) return;
  closed_ = true;
  const bool was_subscribed = subscribed_;
  DropSubscription();
  pending_listener_.Reset();
  registration_busy_ = false;
  // A closed context no longer holds its simulated HNS (running jobs hold their own reference):
  // the instance of a state file ends with the last open context on it.
  sim_.reset();
  completions_->Close(env, mode == CloseMode::Teardown);
  pool_->Shutdown();
  std::vector<JobPtr> pending;
  pending.swap(pending_);
  if (mode == CloseMode::Api) {
    for (const JobPtr& job : pending) {
      job->settled = true;
      ++completed_;
      napi_reject_deferred(env, job->deferred, MakeError(env, ClosedInfo(job->method)));
      job->deferred = nullptr;
    }
    // Once the environment is going away (teardown, finalizer) nothing is rejected: there is no
    // JS left to observe it, and the references die with the environment.
    if (!pending.empty()) Unref();
    if (was_subscribed) Unref();
  }
  if (hook_added_ && mode != CloseMode::Teardown) {
    napi_remove_env_cleanup_hook(env, OnEnvCleanup, this);
    hook_added_ = false;
  }
}

Napi::Value Context::GetBackend(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), backend_);
}

Napi::Value Context::GetHasSimControl(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), api_ != nullptr && api_->SimControl != nullptr);
}

}  // namespace bridge
