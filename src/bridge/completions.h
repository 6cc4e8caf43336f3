// The way back to the JS thread: workers, the watchdog and HCN's notification threads append to a
// mutex-protected queue, and one thread-safe-function call per wake-up drains all of it, so a burst
// of completions costs one loop wake-up instead of one each.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "job.h"

namespace bridge {

struct Completion {
  enum class Kind : uint8_t { Done, Timeout, Notification };
  Kind kind = Kind::Done;
  JobPtr job;                       // Done, Timeout
  const char* operation = nullptr;  // Timeout: the HCN export that was running, null if queued
  DWORD type = 0;                   // Notification
  uint32_t status = 0;
  bool has_data = false;
  std::u16string data;
};

// Receives drained batches on the JS thread.
class CompletionSink {
 public:
  virtual void Deliver(napi_env env, std::vector<Completion>& batch) = 0;

 protected:
  ~CompletionSink() = default;
};

class Completions {
 public:
  // On the JS thread. The thread-safe function starts unreferenced: an idle context never keeps
  // the event loop alive.
  static std::shared_ptr<Completions> Create(napi_env env, CompletionSink* sink);
  ~Completions();

  // Any thread. Dropped once closed.
  void Post(Completion&& item);

  // JS thread: keep the loop alive while calls are pending.
  void Ref(napi_env env);
  void Unref(napi_env env);

  // JS thread: no more deliveries; pending items are dropped. Idempotent.
  void Close();

 private:
  Completions() = default;
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  static void Finalize(napi_env env, void* finalize_data, void* finalize_hint);

  std::mutex mu_;
  std::vector<Completion> items_;
  bool scheduled_ = false;
  bool closed_ = false;
  napi_threadsafe_function tsfn_ = nullptr;

  // JS thread only.
  CompletionSink* sink_ = nullptr;
  std::vector<Completion> draining_;
  bool released_ = false;
};

}  // namespace bridge
