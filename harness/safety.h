// Safety rails: which tests a lab lets run on a target. A test's risks come from its
// substituted command and cleanup (scenarios/risk.h) plus what its pack declares; the lab's
// `allow_risks` and `deny_tests` decide, and a target that cannot revert to a clean snapshot
// refuses destructive risks unless the user passes --allow-destructive. A refusal becomes a
// `skipped` verdict with its reason, and the plan shows it before anything runs.
#pragma once

#include <string>
#include <vector>

#include "harness/lab.h"
#include "scenarios/atomic.h"
#include "scenarios/risk.h"

namespace attest::run {

// The risks of a resolved test: derived from its command and cleanup command, then the
// names `declared` by the pack (reason "declared by the pack").
std::vector<scenarios::RiskTag> test_risks(const scenarios::ResolvedTest& test,
                                           const std::vector<std::string>& declared);

// Why `test` may not run on `target` of `lab`; empty when it may.
std::string refusal(const Lab& lab, const TargetConfig& target, const scenarios::AtomicTest& test,
                    const std::vector<scenarios::RiskTag>& risks, bool allow_destructive);

}  // namespace attest::run
