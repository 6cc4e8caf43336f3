// The context's own bounded pool of native threads (never libuv's), with a watchdog that enforces
// each call's deadline: a call past it is rejected with HCN_TIMEOUT and its thread written off until
// the HCN call returns; when every thread is written off, new calls are refused (HCN_BUSY).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "completions.h"
#include "job.h"

namespace bridge {

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  struct Stats {
    int threads = 0;
    int busy = 0;
    int stuck = 0;
    int queued = 0;
  };
  enum class Admit { Accepted, Busy, Closed };

  static std::shared_ptr<Pool> Start(int threads, std::shared_ptr<Completions> sink);
  ~Pool();

  // JS thread. On Accepted the job is queued; its outcome arrives through the completions.
  Admit Submit(JobPtr job);
  Stats GetStats();
  int Size() const { return size_; }

  // JS thread: cancels queued and running calls (their outcome is discarded), joins idle threads
  // and detaches the ones inside an HCN call; they clean up after themselves when it returns.
  void Shutdown();

 private:
  enum class ThreadState : uint8_t { Idle, Busy, Stuck };
  // A queued call, or a helper for a running list (not a call of its own: it has no deadline
  // entry, is not counted as queued, and is dropped when taken if the list needs no more help).
  struct Entry {
    JobPtr job;
    bool helper = false;
  };
  class Helpers;

  Pool(int threads, std::shared_ptr<Completions> sink);
  void WorkerMain(int index);
  void WatchdogMain();
  void AddHelpers(const JobPtr& job, int count);

  const int size_;
  const std::shared_ptr<Completions> sink_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable watch_cv_;
  std::deque<Entry> queue_;  // may hold expired jobs and idle helpers, skipped when popped
  std::multimap<Clock::time_point, JobPtr> deadlines_;  // queued and running calls
  std::vector<ThreadState> states_;
  // When the watchdog wakes next by itself: a new deadline after it needs no wake-up call.
  Clock::time_point watch_until_ = (Clock::time_point::max)();
  int waiting_ = 0;  // workers blocked on work_cv_
  int waking_ = 0;   // notified workers that have not woken yet
  int queued_ = 0;   // live (not expired) jobs in queue_
  int busy_ = 0;
  int stuck_ = 0;
  bool closed_ = false;

  std::vector<std::thread> threads_;
  std::thread watchdog_;
};

}  // namespace bridge
