// NativeContext of ts/native.ts: one open connection to a backend (the real HCN table or the
// simulator's), its thread pool, its completion queue and its notification subscription.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "completions.h"
#include "job.h"
#include "pool.h"

namespace bridge {

// What open() validated, handed to the constructor (which JS cannot reach directly with it).
struct OpenRequest {
  const hcn::Api* api = nullptr;
  const char* backend = nullptr;
  int threads = 4;
  sim::Instance sim;  // the embedded simulator's instance (null for the real HCN)
};

// Per-environment (main thread or worker_thread) addon state, owned by Node-API instance data.
struct AddonData {
  Napi::FunctionReference context_class;
  Napi::FunctionReference set_immediate;  // globalThis.setImmediate when the addon loaded
  OpenRequest next;
  bool armed = false;  // open() is constructing a Context with `next`
};

class Context : public Napi::ObjectWrap<Context>, public CompletionSink {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Context(const Napi::CallbackInfo& info);
  ~Context();

  void Deliver(napi_env env, Completion& item) override;

 private:
  Napi::Value Enumerate(const Napi::CallbackInfo& info);
  Napi::Value List(const Napi::CallbackInfo& info);
  Napi::Value Create(const Napi::CallbackInfo& info);
  Napi::Value Query(const Napi::CallbackInfo& info);
  Napi::Value Modify(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value HnsCall(const Napi::CallbackInfo& info);
  Napi::Value SimControl(const Napi::CallbackInfo& info);
  Napi::Value SimControlAsync(const Napi::CallbackInfo& info);
  Napi::Value SimAttach(const Napi::CallbackInfo& info);
  Napi::Value Subscribe(const Napi::CallbackInfo& info);
  Napi::Value Unsubscribe(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetBackend(const Napi::CallbackInfo& info);
  Napi::Value GetHasSimControl(const Napi::CallbackInfo& info);

  // Queues the job and returns its promise (or a promise already rejected).
  napi_value Submit(napi_env env, JobPtr job, uint32_t timeout_ms);
  void Settle(napi_env env, Job& job, bool resolve, napi_value value);
  void AddPending(napi_env env, const JobPtr& job);
  void RemovePending(napi_env env, Job& job);

  // Closing: unregisters the service callback, waiting for HCN at most kCloseUnregisterWait.
  void DropSubscription();
  // A subscribe()/unsubscribe() job reached the JS thread (done, or timed out when !done).
  void EndRegistrationCall(napi_env env, Job& job, bool done);
  bool IsPending(const JobPtr& job) const;
  static napi_value RejectRegistrationBusy(napi_env env, const char* method);
  enum class CloseMode { Api, Finalize, Teardown };
  void Shutdown(napi_env env, CloseMode mode);
  static void OnEnvCleanup(void* arg);
  static void CALLBACK OnNotification(DWORD type, void* context, HRESULT status,
                                      const hcn_char* data);

  const hcn::Api* api_ = nullptr;
  const char* backend_ = "";
  // The embedded simulator's instance every call of this context goes to (sim::Bind around each
  // HCN call); replaced by a successful simAttach.
  sim::Instance sim_;
  napi_env env_ = nullptr;
  std::shared_ptr<Completions> completions_;
  std::shared_ptr<Pool> pool_;
  std::vector<JobPtr> pending_;
  double completed_ = 0;
  bool closed_ = true;
  bool hook_added_ = false;
  bool subscribed_ = false;

  Napi::FunctionReference listener_;
  Napi::FunctionReference pending_listener_;  // the listener of a subscribe() still registering
  bool registration_busy_ = false;            // a subscribe() or unsubscribe() job is pending
  hcn::Handle callback_handle_ = nullptr;
  std::shared_ptr<Completions>* callback_context_ = nullptr;
};

}  // namespace bridge
