// Bounded completion delivery: a thread-safe function wakes the JS thread from idle, and while
// completions keep coming each further delivery runs from a setImmediate, after the loop turned.
#include "completions.h"

#include <algorithm>
#include <utility>

namespace bridge {

std::shared_ptr<Completions> Completions::Create(napi_env env, CompletionSink* sink,
                                                 napi_value set_immediate) {
  std::shared_ptr<Completions> self(new Completions());
  self->sink_ = sink;
  napi_value on_immediate;
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, set_immediate, &type) != napi_ok || type != napi_function ||
      // The raw pointer is safe: the continuation is only scheduled while self_while_scheduled_
      // holds the object.
      napi_create_function(env, "hcn-sdk:deliver", NAPI_AUTO_LENGTH, OnImmediate, self.get(),
                           &on_immediate) != napi_ok ||
      napi_create_reference(env, set_immediate, 1, &self->set_immediate_) != napi_ok ||
      napi_create_reference(env, on_immediate, 1, &self->on_immediate_) != napi_ok) {
    self->DropRefs(env);
    return nullptr;
  }
  napi_value name;
  napi_create_string_utf8(env, "hcn-sdk:completions", NAPI_AUTO_LENGTH, &name);
  // The TSFN keeps the queue alive until Node finalizes it, so a late CallJs never sees freed memory.
  auto* keep = new std::shared_ptr<Completions>(self);
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, keep, Finalize, self.get(),
                                      CallJs, &self->tsfn_) != napi_ok) {
    delete keep;
    self->DropRefs(env);
    return nullptr;
  }
  napi_unref_threadsafe_function(env, self->tsfn_);
  return self;
}

Completions::~Completions() = default;

void Completions::Post(Completion&& item) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  items_.push_back(std::move(item));
  if (!scheduled_) {
    scheduled_ = true;
    // Under the lock: Close() cannot release the function between the check and the call.
    if (napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking) != napi_ok) {
      closed_ = true;
    }
  }
}

void Completions::Ref(napi_env env) {
  if (!released_) napi_ref_threadsafe_function(env, tsfn_);
}

void Completions::Unref(napi_env env) {
  if (!released_) napi_unref_threadsafe_function(env, tsfn_);
}

void Completions::DropRefs(napi_env env) {
  if (set_immediate_ != nullptr) napi_delete_reference(env, set_immediate_);
  if (on_immediate_ != nullptr) napi_delete_reference(env, on_immediate_);
  set_immediate_ = nullptr;
  on_immediate_ = nullptr;
}

void Completions::Close(napi_env env, bool teardown) {
  std::vector<Completion> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped.swap(items_);
  }
  sink_ = nullptr;  // a delivery under way (Close from a listener) stops at its next item
  if (!released_) {
    released_ = true;
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
  }
  DropRefs(env);
  // A scheduled continuation still runs (and finds nothing) unless no JS will run again.
  if (teardown) self_while_scheduled_.reset();
}

void Completions::CallJs(napi_env env, napi_value, void* context, void*) {
  if (env == nullptr) return;  // the function is being torn down
  static_cast<Completions*>(context)->Drain(env);
}

napi_value Completions::OnImmediate(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  auto* self = static_cast<Completions*>(data);
  // Keeps the object alive to the end of this call, even when Drain schedules the next one.
  std::shared_ptr<Completions> keep = std::move(self->self_while_scheduled_);
  if (keep) self->Drain(env);
  return nullptr;
}

void Completions::Drain(napi_env env) {
  const auto start = std::chrono::steady_clock::now();
  size_t n = 0;
  for (;;) {
    if (sink_ == nullptr) {  // closed: nothing is delivered any more
      draining_.clear();
      draining_pos_ = 0;
      return;
    }
    if (draining_pos_ >= draining_.size()) {
      // clear() keeps the capacity: steady state deliveries allocate nothing.
      draining_.clear();
      draining_pos_ = 0;
      std::lock_guard<std::mutex> lock(mu_);
      draining_.swap(items_);
      if (draining_.empty()) {
        if (n > 0) break;
        // Idle: the next Post() wakes the JS thread through the thread-safe function again.
        scheduled_ = false;
        return;
      }
    }
    if (n == kMaxPerDelivery || (n > 0 && std::chrono::steady_clock::now() - start >= kDeliverySlice)) {
      break;
    }
    Completion item = std::move(draining_[draining_pos_++]);
    sink_->Deliver(env, item);
    ++n;
  }
  ++deliveries_;
  largest_ = (std::max)(largest_, n);
  // Whatever is left, or arrives while the continuations of this delivery run, is delivered after
  // the loop turns. scheduled_ stays true meanwhile, so Post() does not call the thread-safe
  // function (Node would run that call within this same macrotask).
  ScheduleImmediate(env);
}

void Completions::ScheduleImmediate(napi_env env) {
  napi_value fn, cb, global, result;
  if (set_immediate_ != nullptr && on_immediate_ != nullptr &&
      napi_get_reference_value(env, set_immediate_, &fn) == napi_ok &&
      napi_get_reference_value(env, on_immediate_, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_call_function(env, global, fn, 1, &cb, &result) == napi_ok) {
    self_while_scheduled_ = shared_from_this();
    return;
  }
  // setImmediate refused (the environment is stopping, or it was replaced by something that
  // throws): fall back to waking through the thread-safe function.
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  if (napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking) != napi_ok) closed_ = true;
}

void Completions::Finalize(napi_env, void* finalize_data, void*) {
  auto* keep = static_cast<std::shared_ptr<Completions>*>(finalize_data);
  // Node may finalize it first at environment teardown; never touch the handle again.
  (*keep)->released_ = true;
  (*keep)->sink_ = nullptr;
  {
    std::lock_guard<std::mutex> lock((*keep)->mu_);
    (*keep)->closed_ = true;
    (*keep)->items_.clear();
  }
  delete keep;
}

}  // namespace bridge
