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

void RunJob(Job& job, Scratch& scratch);

}  // namespace bridge
