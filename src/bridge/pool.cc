// Worker threads, the deadline watchdog and the written-off-thread accounting of a context.
#include "pool.h"

#include <algorithm>
#include <utility>

#include "operations.h"

namespace bridge {

std::shared_ptr<Pool> Pool::Start(int threads, std::shared_ptr<Completions> sink) {
  std::shared_ptr<Pool> pool(new Pool(threads, std::move(sink)));
  // Each thread owns a reference: a detached thread still inside HCN keeps the state it uses.
  for (int i = 0; i < threads; ++i) {
    pool->threads_.emplace_back([self = pool, i] { self->WorkerMain(i); });
  }
  pool->watchdog_ = std::thread([self = pool] { self->WatchdogMain(); });
  return pool;
}

Pool::Pool(int threads, std::shared_ptr<Completions> sink)
    : size_(threads), sink_(std::move(sink)), states_(threads, ThreadState::Idle) {}

Pool::~Pool() = default;

Pool::Admit Pool::Submit(JobPtr job) {
  bool wake_worker, wake_watchdog;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Admit::Closed;
    if (stuck_ == size_) return Admit::Busy;
    job->state = Job::State::Queued;
    job->deadline_pos = deadlines_.emplace(job->deadline, job);
    wake_watchdog = job->deadline < watch_until_;
    if (wake_watchdog) watch_until_ = job->deadline;
    queue_.push_back(Entry{std::move(job), false});
    ++queued_;
    // One wake-up in flight at a time; a woken worker wakes the next if work is left (below), so
    // a burst of short calls does not wake every thread only for most of them to find nothing.
    wake_worker = waiting_ > 0 && waking_ == 0;
    if (wake_worker) ++waking_;
  }
  if (wake_worker) work_cv_.notify_one();
  if (wake_watchdog) watch_cv_.notify_one();
  return Admit::Accepted;
}

Pool::Stats Pool::GetStats() {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  if (closed_) return s;
  s.threads = size_ - stuck_;
  s.busy = busy_;
  s.stuck = stuck_;
  s.queued = queued_;
  return s;
}

class Pool::Helpers final : public HelperQueue {
 public:
  Helpers(Pool& pool, const JobPtr& job) : pool_(pool), job_(job) {}
  int Threads() const override { return pool_.size_; }
  void RequestHelpers(int count) override { pool_.AddHelpers(job_, count); }

 private:
  Pool& pool_;
  const JobPtr& job_;
};

void Pool::AddHelpers(const JobPtr& job, int count) {
  int wake = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || job->state != Job::State::Running) return;
    count = (std::min)(count, size_ - 1);
    for (int i = 0; i < count; ++i) queue_.push_back(Entry{job, true});
    // Wake the idle threads at once: each helper is only worth something if it starts soon.
    wake = (std::max)(0, (std::min)(count, waiting_ - waking_));
    waking_ += wake;
  }
  for (int i = 0; i < wake; ++i) work_cv_.notify_one();
}

void Pool::WorkerMain(int index) {
  ScratchPtr scratch = NewScratch();
  const uint64_t bit = uint64_t{1} << index;
  // A finished call's completion is handed over after the next job is taken, so taking work
  // and finishing work share one critical section.
  Completion done;
  done.kind = Completion::Kind::Done;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!closed_ && queue_.empty()) {
      if (done.job) {
        lock.unlock();
        sink_->Post(std::move(done));
        done = Completion();
        lock.lock();
        continue;  // the queue may have filled meanwhile
      }
      ++waiting_;
      work_cv_.wait(lock);
      --waiting_;
      if (waking_ > 0) --waking_;
    }
    if (closed_) break;
    const bool helper = queue_.front().helper;
    JobPtr job = std::move(queue_.front().job);
    queue_.pop_front();
    if (helper) {
      // Only while the list runs and has IDs left; otherwise the list's own thread has it covered.
      if (job->state != Job::State::Running || ListDrained(*job)) continue;
    } else {
      if (job->state != Job::State::Queued) continue;  // expired while queued
      --queued_;
      job->state = Job::State::Running;
    }
    const bool wake_next = !queue_.empty() && waiting_ > 0 && waking_ == 0;
    if (wake_next) ++waking_;
    job->workers |= bit;
    ++job->active;
    states_[index] = ThreadState::Busy;
    ++busy_;
    lock.unlock();
    if (wake_next) work_cv_.notify_one();
    if (done.job) {
      sink_->Post(std::move(done));
      done = Completion();
    }

    {
      // The simulator instance of the job's context (no-op for the real HCN), and its deadline
      // for waits inside the simulator (a state file's lock).
      sim::Bind bind(job->sim.get(), job->deadline);
      if (helper) {
        RunListChunks(*job, *scratch);
      } else {
        Helpers helpers(*this, job);
        RunJob(*job, *scratch, helpers);
      }
    }

    lock.lock();
    job->workers &= ~bit;
    const bool last = --job->active == 0;
    const Job::State state = job->state;
    if (state == Job::State::Running) {
      --busy_;
      if (last) {
        job->state = Job::State::Finished;
        deadlines_.erase(job->deadline_pos);
      }
    } else if (state == Job::State::Expired) {
      --stuck_;  // the written-off thread rejoins
    }
    states_[index] = ThreadState::Idle;
    if (!last) {
      // Another thread is still in this job and finishes it.
      job.reset();
    } else if (state == Job::State::Running) {
      if (job->op == Op::List) {
        lock.unlock();
        FinishJob(*job);
        lock.lock();
      }
      done.kind = Completion::Kind::Done;
      done.job = std::move(job);
    } else {
      // Nobody waits for this outcome any more: free its strings here and now.
      lock.unlock();
      job->out.Reset();
      job->many.clear();
      job->list.reset();
      job->failure.record.Reset();
      job.reset();
      lock.lock();
    }
  }
  lock.unlock();
  // Closed: whatever finished last is not delivered (the completions are closed too).
}

void Pool::WatchdogMain() {
  std::vector<Completion> expired;
  std::unique_lock<std::mutex> lock(mu_);
  while (!closed_) {
    if (deadlines_.empty()) {
      watch_until_ = (Clock::time_point::max)();
      watch_cv_.wait(lock);
      continue;
    }
    const Clock::time_point now = Clock::now();
    if (deadlines_.begin()->first > now) {
      // Calls that finish do not wake the watchdog; it finds out when it wakes at this time.
      watch_until_ = deadlines_.begin()->first;
      watch_cv_.wait_until(lock, watch_until_);
      continue;
    }
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      JobPtr job = std::move(deadlines_.begin()->second);
      deadlines_.erase(deadlines_.begin());
      Completion timeout;
      timeout.kind = Completion::Kind::Timeout;
      if (job->state == Job::State::Queued) {
        --queued_;  // left in queue_, skipped when popped
      } else {
        // Running: every thread in it (a list's helpers too) is written off until its HCN call
        // returns.
        timeout.operation = job->current.load(std::memory_order_relaxed);
        for (int i = 0; i < size_; ++i) {
          if ((job->workers >> i) & 1u) {
            states_[i] = ThreadState::Stuck;
            --busy_;
            ++stuck_;
          }
        }
      }
      job->state = Job::State::Expired;
      job->abandoned.store(true, std::memory_order_relaxed);
      timeout.job = std::move(job);
      expired.push_back(std::move(timeout));
    }
    lock.unlock();
    for (Completion& c : expired) sink_->Post(std::move(c));
    expired.clear();
    lock.lock();
  }
}

void Pool::Shutdown() {
  std::vector<bool> joinable(size_, false);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    for (auto& entry : deadlines_) {
      entry.second->state = Job::State::Cancelled;
      entry.second->abandoned.store(true, std::memory_order_relaxed);
    }
    deadlines_.clear();
    queue_.clear();
    queued_ = 0;
    for (int i = 0; i < size_; ++i) joinable[i] = states_[i] == ThreadState::Idle;
  }
  work_cv_.notify_all();
  watch_cv_.notify_all();
  watchdog_.join();
  for (int i = 0; i < size_; ++i) {
    if (joinable[i]) {
      threads_[i].join();
    } else {
      threads_[i].detach();
    }
  }
}

}  // namespace bridge
