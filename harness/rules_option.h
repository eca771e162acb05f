// `--rules DIR`, shared by `attest check` and `attest run`: every rule in DIR (EQL, KQL,
// Sigma) evaluated over each scenario's window beside the pack's own detections, in the same
// pass over the events; the rules that fired are reported, never counted as failures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expectations/engine.h"
#include "harness/cli.h"
#include "scenarios/pack.h"

namespace attest::cli {

// Loads the rules of every --rules DIR into `pack.extra_detections`. A rule file that does
// not load is a warning naming it (the others still run); a DIR that does not exist is an
// error ("attest COMMAND: ...", false).
bool load_rules_option(const Options& opts, std::string_view command, scenarios::Pack& pack);

// "other rules that fired: NAME (N hits), ..." for a scenario's informational detections;
// empty when none fired.
std::string fired_rules_line(const std::vector<expectations::DetectionResult>& detections);

}  // namespace attest::cli
