// The HCN call sequences behind each asynchronous binding method. They run on a pool thread,
// free every returned string and close every handle on every path, and leave the outcome in the Job.
#pragma once

#include <memory>

#include "job.h"

namespace bridge {

// Per-thread parser state (simdjson parser, conversion buffer), reused across calls.
class Scratch;
struct ScratchDeleter {
  void operator()(Scratch* s) const;
};
using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
ScratchPtr NewScratch();

// The first export `op` needs that the table lacks, or null when all are present. Checked before
// anything is sent, so a half-done sequence (created but not queryable) cannot happen.
const char* MissingFunction(const hcn::Api* api, Op op, hcn::Family family, bool needs_query);

// What a running job may ask of its pool: a list lends chunks of its IDs to idle threads.
class HelperQueue {
 public:
  virtual int Threads() const = 0;
  // Queues up to `count` helper tasks for the job; each runs RunListChunks if the job is still
  // running and has IDs left when a thread takes it. Never waits for them.
  virtual void RequestHelpers(int count) = 0;

 protected:
  ~HelperQueue() = default;
};

void RunJob(Job& job, Scratch& scratch, HelperQueue& helpers);

// A helper's share of a list: chunks from the shared cursor until none are left, the list failed,
// or it was written off.
void RunListChunks(Job& job, Scratch& scratch);

// True when a helper of this list would find no IDs left to take.
bool ListDrained(const Job& job);

// Run by the last thread out of a job that finished in time: a list keeps the objects it found,
// in enumerate order (or none, when it failed).
void FinishJob(Job& job);

}  // namespace bridge
