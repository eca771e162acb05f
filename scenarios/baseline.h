// Baseline expectations: what any working process sensor must show when an atomic runs,
// derived from its executor and substituted command text (scenarios/command_text.h), for a
// test no pack covers (or beside the hand-written ones when the pack says `baseline: true`).
//
// Per process sensor the lab collects (auditd, sysmon, sysmon_linux): the executor process
// itself, each external program the command starts, and each file it names as a written path
// when the sensor has a file rule covering that path. Each is an ordinary ExpectationSpec
// (EQL through the same engine, values quoted by eql_string_literal), marked `baseline` and
// `lineage` (only the test's process tree counts). Whether the sensor is configured to log a
// process start is the runner's question (RunFacts::not_logged: not_collected with the
// reason); the coverage verdict over these is reports/coverage.h's. It lives in scenarios/,
// not expectations/, because it reads the command-text analysis (scenarios already depends on
// expectations; the other way round would be a cycle).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "expectations/spec.h"
#include "scenarios/command_text.h"

namespace attest::scenarios {

// One sensor of the lab as the baseline sees it.
struct BaselineSensor {
    std::string source;  // a source name: auditd, sysmon, sysmon_linux (others derive nothing)
    // Whether a file rule of the sensor covers writes to `path` (an audit watch on it or a
    // parent directory, a Sysmon FileCreate include); null: it logs no file writes, and no
    // file expectation is derived.
    std::function<bool(std::string_view path)> logs_writes_to;
};

// The sources a baseline can be derived for (those that record process starts).
bool is_baseline_source(std::string_view source);

// The baseline expectations of one test: `executor` is the atomic's executor name (sh, bash,
// powershell, command_prompt), `command` its command text after #{argument} substitution.
// Empty for an executor attest cannot analyze (manual) or when no sensor records processes.
std::vector<expectations::ExpectationSpec> derive_baseline(
    std::string_view executor, std::string_view command,
    const std::vector<BaselineSensor>& sensors);

// Every source a baseline can be derived for, in the order of the sensor table.
std::vector<std::string> baseline_sources();

// The step `attest run` and `attest check` share: when `checks` ask for a baseline (a test
// no pack covers, or the pack says `baseline: true`), appends the test's derived expectations.
void add_baseline(expectations::ScenarioChecks& checks, std::string_view executor,
                  std::string_view command, const std::vector<BaselineSensor>& sensors);

}  // namespace attest::scenarios
