// `attest run --plan`: what a run would do, decided exactly as the runner decides it, with
// nothing started on any target: per selected test and target, the substituted commands, the
// executor and elevation, the sensors its expectations read, its risk tags, and whether it
// would run or be skipped (platform, safety rails) with the reason.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/lab.h"
#include "scenarios/pack.h"
#include "scenarios/risk.h"

namespace attest::run {

struct PlanOptions {
    std::vector<std::string> targets;              // empty: every target of the lab
    std::map<std::string, std::string> arguments;  // --arg overrides
    bool allow_destructive = false;
    std::vector<std::string> exclude_risks;  // risk names, or "destructive"
};

struct PlanEntry {
    const scenarios::AtomicTest* test = nullptr;
    const TargetConfig* target = nullptr;  // nullptr: no selected target supports the test
    std::string command, cleanup_command;
    std::vector<scenarios::Dependency> dependencies;
    std::string error;                 // the arguments could not be resolved
    std::vector<std::string> sensors;  // sources its expectations read ("auditd")
    std::size_t detections = 0;
    std::vector<scenarios::RiskTag> risks;
    std::string skip_reason;  // empty: it would run
};

// "T1114.001 #2 Name (guid)": a test as the plan and the run's report-only modes name it
// (numbered as Invoke-AtomicTest counts).
std::string test_label(const scenarios::AtomicTest& test);

// Why a test would not run on a target (platform, safety rails), or "" when it would. The
// runner and the plan both decide through this one function.
std::string placement_refusal(const Lab& lab, const TargetConfig& target, const scenarios::Pack& pack,
                              const scenarios::AtomicTest& test, const PlanOptions& options);

std::vector<PlanEntry> build_plan(const Lab& lab, const scenarios::Pack& pack,
                                  const std::vector<const scenarios::AtomicTest*>& tests,
                                  const PlanOptions& options);

// The plan as text for a terminal or a file.
std::string render_plan(const Lab& lab, const std::vector<PlanEntry>& plan);

}  // namespace attest::run
