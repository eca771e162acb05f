// What a scenario is expected to leave behind: expectations (telemetry that must appear) and
// detections (rules that must or must not fire). Loaded from a pack's expectations.yaml by
// scenarios/pack.h; evaluated by expectations/engine.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/collector.h"

namespace attest::eql {
struct Rule;
class FieldTypes;
}  // namespace attest::eql

namespace attest::expectations {

// Where a spec was written, for messages.
struct SpecPosition {
    std::string file;
    std::uint64_t line = 0;
    std::uint64_t column = 0;
};

// Time bounds relative to the execution: [start - before, end + after].
struct Window {
    std::int64_t before_ns = 0;
    std::int64_t after_ns = 0;
};

struct ExpectationSpec {
    std::string id;
    std::string description;
    std::string source;  // sources.h name: sysmon, powershell, o365, mde, auditd, ...
    // EQL (event query or sequence). May hold #{arg} and {run.host} / {run.start} /
    // {run.end} placeholders, substituted as EQL string literals before compiling.
    std::string query;
    std::uint64_t min_count = 1;
    bool required = true;
    // Only events of the test's process tree count (telemetry/lineage.h): those whose process
    // is the executor the transport reported, or descends from it, on the run's host.
    bool lineage = false;
    std::optional<Window> window;    // none: the pack default (or unbounded)
    std::optional<Profile> profile;  // vocabulary the query is written for (default sysmon)
    SpecPosition position;
    SpecPosition query_position;  // of the query's YAML scalar (its indicator for | and >)
    // Derived from the command text (scenarios/baseline.h), not written in a pack: the
    // coverage verdict (validated / partial / blind) is decided on these.
    bool baseline = false;
};

struct DetectionSpec {
    std::string rule;     // path relative to the pack, e.g. rules/t1114_email_collection.eql
    std::string rule_id;  // stable id (defaults to the rule file's stem)
    std::string name;     // human name (defaults to rule_id)
    // The rule's text as read from the file: EQL (unless `loaded` says otherwise), or the
    // Sigma YAML.
    std::string query;
    // Sigma: the other files of the rule's folder that define its correlation's inputs (path,
    // text), read with `query` (sigma::read_with_inputs).
    std::vector<std::pair<std::string, std::string>> sigma_inputs;
    std::string language = "eql";   // eql | sigma (KQL rules say so in `loaded`)
    std::string level;              // Sigma: informational .. critical
    std::vector<std::string> tags;  // Sigma: attack.t1114.003, attack.collection, ...
    // Sigma: the logsource when no collected source can supply it (the rule is then
    // not_collected, not not_fired).
    std::string unsupplied_logsource;
    // The rule as loaded from its file (language, type, filters, threshold); null: `query` is
    // bare EQL (tests, hand-built specs).
    std::shared_ptr<const eql::Rule> loaded;
    // Why the rule file did not load; set, the detection's verdict is `error` with this reason.
    std::string load_error;
    Profile profile = Profile::Endpoint;
    // The rule names both Elastic Defend and Sysmon/Windows indices: evaluated under the
    // vocabulary of the data collected (EngineOptions::data_profile), not a fixed one.
    bool profile_from_data = false;
    bool expect_fires = true;  // expected: fires | does_not_fire
    // A rule of `--rules DIR`, evaluated beside the pack's detections: whether it fires is
    // information, never part of the verdict (results list it only when it fired).
    bool informational = false;
    std::vector<std::string> sources;  // sources it reads; empty: every source
    std::optional<Window> window;
    // `siem: elastic`: after execution the run also asks the SIEM whether the deployed rule
    // (`rule_id`) raised its alert, by `siem_deadline_ns` after the execution end (pack
    // `deadline:`; default: the lab's, else the rule's interval + look-back).
    std::string siem;
    std::optional<std::int64_t> siem_deadline_ns;
    SpecPosition position;
};

struct ScenarioChecks {
    std::string guid;
    std::string name;
    std::string technique;
    // ATT&CK tactic short names: the pack's `tactics:` for the scenario, else the technique's
    // from the shipped table (attack_tactics.h); empty when neither knows.
    std::vector<std::string> tactics;
    std::vector<std::string> platforms;
    std::vector<std::string> secrets;  // argument names whose values are masked
    std::vector<std::string> risks;    // risk names the pack declares (scenarios/risk.h)
    // `success:`: a command run on the target after execution whose exit status says whether
    // the attack step itself succeeded (0: it did). Shown beside the verdict, never part of
    // it. Empty command: none.
    std::string success_command;   // #{arg} substituted at run time
    std::string success_executor;  // empty: the test's executor
    // Derive baseline expectations from the command text (expectations/baseline.h): always for
    // a test the pack does not cover, beside the hand-written ones when the pack says
    // `baseline: true` (at the top or for the scenario).
    bool baseline = false;
    std::vector<ExpectationSpec> expectations;
    std::vector<DetectionSpec> detections;
    // The pack's index mapping (`mapping:`), giving field types to its queries; null: ECS.
    std::shared_ptr<const eql::FieldTypes> mapping;
};

// Whether an argument name is a secret: listed in `secrets`, or named like one
// (password, passwd, secret, token, api_key, apikey, access_key, credential).
bool is_secret_argument(const ScenarioChecks& checks, std::string_view name);

}  // namespace attest::expectations
