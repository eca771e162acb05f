// Local child processes with a deadline: each child runs in its own process group so that a
// timeout or a cancellation kills the whole tree it started, not just the direct child.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.h"

namespace attest::run {

// Cancellation shared by every running process of a run. Level 1 (first SIGINT/SIGTERM)
// stops attack and collection steps; level 2 (second signal) also stops cleanup.
struct CancelToken {
    std::atomic<int> level{0};
    bool at_least(int l) const { return level.load(std::memory_order_relaxed) >= l; }
};

struct ProcessRequest {
    std::vector<std::string> argv;         // argv[0] is looked up in PATH
    std::string stdin_data;                // written to the child's stdin, then closed
    std::chrono::milliseconds timeout{0};  // 0: no deadline
    const CancelToken* cancel = nullptr;   // polled while the child runs
    int cancel_level = 1;                  // cancel when cancel->level >= this
    std::size_t output_limit = 1 << 20;    // bytes kept per stream (the rest is counted)
};

struct ProcessResult {
    int exit_code = -1;        // exit status, or 128+signal when killed by a signal
    bool timed_out = false;
    bool cancelled = false;
    std::string stdout_text;
    std::string stderr_text;
    std::uint64_t dropped_bytes = 0;  // output beyond output_limit
    std::int64_t start_ns = 0;        // wall clock, ns since epoch
    std::int64_t end_ns = 0;
    bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
};

// Runs the process to completion (or deadline / cancellation, then kills its process group:
// SIGTERM, a grace period, SIGKILL). Fails only when the process cannot be started.
Expected<ProcessResult> run_process(const ProcessRequest& request);

std::int64_t now_ns();

}  // namespace attest::run
