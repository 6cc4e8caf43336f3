// The way back to the JS thread: workers, the watchdog and HCN's notification threads append to a
// mutex-protected queue, and the JS thread takes the queue's items in deliveries, so a burst of
// completions costs one loop wake-up instead of one each.
//
// Each delivery is bounded (at most kMaxPerDelivery completions and kDeliverySlice of native
// settling; whichever comes first), and after a delivery the next one waits for the event loop to
// turn (a setImmediate, not another thread-safe-function call, which Node would run in the same
// macrotask). So timers and I/O of the host process run between deliveries however fast the pool
// completes calls: the longest the SDK holds the loop per turn is one delivery plus the promise
// continuations it resolved (at most kMaxPerDelivery of them).
#pragma once

#include <node_api.h>

#include <chrono>
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

// Receives the drained completions one at a time on the JS thread.
class CompletionSink {
 public:
  virtual void Deliver(napi_env env, Completion& item) = 0;

 protected:
  ~CompletionSink() = default;
};

class Completions : public std::enable_shared_from_this<Completions> {
 public:
  // At most this many completions are settled per delivery (one loop turn).
  static constexpr size_t kMaxPerDelivery = 16;
  // And a delivery stops settling once it has run this long (checked after each completion).
  static constexpr std::chrono::microseconds kDeliverySlice{1000};

  // On the JS thread. The thread-safe function starts unreferenced: an idle context never keeps
  // the event loop alive. `set_immediate`: Node's setImmediate, as it was when the addon loaded
  // (fake timers installed later do not stop deliveries).
  static std::shared_ptr<Completions> Create(napi_env env, CompletionSink* sink,
                                             napi_value set_immediate);
  ~Completions();

  // Any thread. Dropped once closed.
  void Post(Completion&& item);

  // JS thread: keep the loop alive while calls are pending.
  void Ref(napi_env env);
  void Unref(napi_env env);

  // JS thread: no more deliveries; pending items are dropped. Idempotent. `teardown`: the
  // environment is going away and will run no more JS (a scheduled continuation never runs).
  void Close(napi_env env, bool teardown);

  // Deliveries so far and the largest number of completions one of them settled (stats()).
  uint64_t Deliveries() const { return deliveries_; }
  size_t LargestDelivery() const { return largest_; }

 private:
  Completions() = default;
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  static void Finalize(napi_env env, void* finalize_data, void* finalize_hint);
  static napi_value OnImmediate(napi_env env, napi_callback_info info);
  // JS thread: settles up to one delivery's worth; then either schedules the next delivery after
  // the loop turns or, with nothing left, goes back to waiting for the thread-safe function.
  void Drain(napi_env env);
  void ScheduleImmediate(napi_env env);
  void DropRefs(napi_env env);

  std::mutex mu_;
  std::vector<Completion> items_;
  // A delivery is due or running: the thread-safe function is called or a continuation is
  // scheduled. Post() only wakes the JS thread when this is false.
  bool scheduled_ = false;
  bool closed_ = false;
  napi_threadsafe_function tsfn_ = nullptr;

  // JS thread only.
  CompletionSink* sink_ = nullptr;
  std::vector<Completion> draining_;
  size_t draining_pos_ = 0;
  bool released_ = false;
  napi_ref set_immediate_ = nullptr;  // globalThis.setImmediate
  napi_ref on_immediate_ = nullptr;   // the native continuation it is given
  // Held while a continuation is scheduled: it runs after the loop turns, perhaps after Close().
  std::shared_ptr<Completions> self_while_scheduled_;
  uint64_t deliveries_ = 0;
  size_t largest_ = 0;
};

}  // namespace bridge
