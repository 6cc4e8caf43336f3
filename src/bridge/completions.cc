// Batched completion delivery through one Node-API thread-safe function per context.
#include "completions.h"

#include <utility>

namespace bridge {

std::shared_ptr<Completions> Completions::Create(napi_env env, CompletionSink* sink) {
  std::shared_ptr<Completions> self(new Completions());
  self->sink_ = sink;
  napi_value name;
  napi_create_string_utf8(env, "hcn-sdk:completions", NAPI_AUTO_LENGTH, &name);
  // The TSFN keeps the queue alive until Node finalizes it, so a late CallJs never sees freed memory.
  auto* keep = new std::shared_ptr<Completions>(self);
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, keep, Finalize, self.get(),
                                      CallJs, &self->tsfn_) != napi_ok) {
    delete keep;
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

void Completions::Close() {
  std::vector<Completion> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped.swap(items_);
  }
  sink_ = nullptr;
  if (!released_) {
    released_ = true;
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
  }
}

void Completions::CallJs(napi_env env, napi_value, void* context, void*) {
  if (env == nullptr) return;  // the function is being torn down
  auto* self = static_cast<Completions*>(context);
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    self->draining_.swap(self->items_);
    self->scheduled_ = false;
  }
  if (self->sink_ != nullptr) self->sink_->Deliver(env, self->draining_);
  // clear() keeps the capacity: steady state drains allocate nothing.
  self->draining_.clear();
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
