// The report of `attest run --check-prereqs` and `attest run --cleanup`: one line per test and
// target (as Invoke-AtomicTest prints them), the unmet prerequisites under it, a count, and
// the exit status the outcomes give.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "harness/runner.h"

namespace attest::cli {

// The report of the records run_pack returned in a report-only mode, for `stream` (colour on a
// terminal only).
std::string render_mode_report(run::Mode mode, const std::vector<Value>& records, FILE* stream);

// 0 every prerequisite met / every cleanup succeeded (skipped tests and tests without a
// cleanup count as neither), 1 some unmet / failed, 2 some could not be checked or run.
int mode_exit_code(const std::vector<Value>& records);

}  // namespace attest::cli
