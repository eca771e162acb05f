// The expectations engine: given scenario runs (host, execution start/end, input arguments,
// which sources were collected or are late) and the normalized telemetry, decides the
// verdicts of shared/spec/scenarios.md.
//
// One pass: every event is fed once, in timestamp order, to every matcher (expectations and
// detections of every scenario) whose source, host and time window admit it; expectations
// bound to the test's process tree (`lineage`) also need the event's process to descend from
// the run's executor, which one process-lineage tracker answers once per event.
//
//   Evaluator ev(options);
//   ev.add_scenario(checks, facts);          // once per scenario run
//   telemetry::feed(ev, inputs, sink);        // the time-ordered stream (telemetry/stream.h),
//                                             // or ev.feed(event) yourself, in time order
//   ev.finish();
//   for (const ScenarioResult& r : ev.results()) ...   // scenario_to_json(r) for results.json
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/expected.h"
#include "expectations/eql/eql.h"
#include "expectations/siem.h"
#include "expectations/spec.h"

namespace attest::expectations {

// The process the test's executor ran as on the target, as the transport reported it: the
// root of the test's process tree for lineage-bound expectations (telemetry/lineage.h).
struct ProcessAnchor {
    std::string pid;        // empty: unknown
    std::string entity_id;  // Sysmon ProcessGuid when known; else learnt from the pid
};

// What is known about one execution of a scenario.
struct RunFacts {
    std::string host;  // lab host name; empty: unknown (events of any host count)
    std::optional<std::int64_t> start_ns;          // execution start (ns since epoch)
    std::optional<std::int64_t> end_ns;            // execution end
    std::optional<std::int64_t> cleanup_start_ns;  // signals from cleanup never count
    std::map<std::string, std::string> arguments;  // resolved input arguments
    // Sources that were collected; nullopt: inferred (a source with at least one event in the
    // telemetry counts as collected).
    std::optional<std::set<std::string>> collected;
    std::set<std::string> pending;  // sources known to lag whose deadline has not passed
    // Expectation id -> why its sensor is not configured to log it (the loaded audit rules
    // log no such syscall): not_collected with that reason instead of missing.
    std::map<std::string, std::string> not_logged;
    // Set by a runner that already knows the outcome (prerequisites unmet: "error", platform
    // not supported: "skipped"); the engine keeps it and says why.
    std::string preset_verdict;
    std::string preset_reason;
    // What the SIEM said about the detections marked `siem:`, by rule_id (the runner polls
    // it); a detection without an entry has no SIEM verdict.
    std::map<std::string, SiemObservation> siem;
    // The executor's process; none: lineage-bound expectations read every process's events
    // and say so.
    std::optional<ProcessAnchor> anchor;
};

struct EngineOptions {
    // Evaluate every expectation and detection under this vocabulary instead of its own.
    std::optional<Profile> profile_override;
    // The vocabulary the Windows endpoint telemetry was normalized under. Sysmon events are
    // translated to the endpoint vocabulary on the fly for endpoint-profile matchers.
    Profile data_profile = Profile::Sysmon;
    std::size_t max_evidence = 5;
    std::size_t max_near_misses = 5;
    std::size_t max_hits = 1000;  // hits kept per matcher; the count says when capped
    // Field types for every query (`--mapping`); overrides a pack's `mapping:`. Null: the
    // pack's, else ECS types.
    std::shared_ptr<const eql::FieldTypes> types;
    // `--rules` rules (informational detections) are tried only on the events whose values
    // carry their literals (eql/value_index.h); false tries each on every event (same hits).
    bool value_index = true;
};

enum class ExpectationVerdict { Observed, Missing, NotCollected, Pending };
// Error: the rule did not load or compile (the reason says why).
// NotEvaluable: the rule's kind cannot run locally (KQL new_terms, machine learning, ...);
// NotEvaluated: it could, but none of its sources was collected.
enum class DetectionVerdict { Fired, NotFired, NotEvaluated, NotEvaluable, Error };
inline bool was_evaluated(DetectionVerdict v) {
    return v != DetectionVerdict::NotEvaluated && v != DetectionVerdict::NotEvaluable;
}
// Executed: the test ran (the runner saw it start) but its pack declares nothing to check,
// so it has nothing to pass or fail; a nightly job over stock atomics counts it apart.
enum class ScenarioVerdict { Passed, Failed, Error, Inconclusive, Skipped, Executed };
std::string_view verdict_name(ExpectationVerdict v);
std::string_view verdict_name(DetectionVerdict v);
std::string_view verdict_name(ScenarioVerdict v);
std::optional<ScenarioVerdict> parse_scenario_verdict(std::string_view name);

struct ExpectationResult {
    ExpectationSpec spec;
    std::string query;  // after substitution
    ExpectationVerdict verdict = ExpectationVerdict::Missing;
    std::string reason;
    std::uint64_t count = 0;
    bool count_capped = false;
    std::vector<std::shared_ptr<const Event>> evidence;  // capped at max_evidence
    std::uint64_t evidence_omitted = 0;
    std::vector<eql::NearMiss> near_misses;
    std::vector<eql::ClauseCount> clause_counts;
    std::uint64_t events_seen = 0;  // events admitted to its matcher
    // spec.lineage and the run reported its executor: only its process tree was read.
    bool lineage_applied = false;
};

struct DetectionResult {
    DetectionSpec spec;
    Profile evaluated_profile = Profile::Endpoint;
    DetectionVerdict verdict = DetectionVerdict::NotEvaluated;
    bool passed = false;
    bool vocabulary_mismatch = false;
    std::string reason;
    std::uint64_t hits = 0;
    std::vector<std::vector<std::shared_ptr<const Event>>> evidence;  // per hit, capped
    std::vector<eql::NearMiss> near_misses;
    std::vector<eql::ClauseCount> clause_counts;
    std::uint64_t events_seen = 0;
    std::optional<SiemResult> siem;  // the SIEM's verdict beside the local one
};

struct ScenarioResult {
    ScenarioChecks checks;
    RunFacts facts;
    ScenarioVerdict verdict = ScenarioVerdict::Inconclusive;
    std::string reason;
    std::vector<ExpectationResult> expectations;
    std::vector<DetectionResult> detections;
};

class Evaluator {
public:
    explicit Evaluator(EngineOptions options = {});
    ~Evaluator();
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    // Compiles the scenario's queries (after substitution). A query that does not compile
    // or a placeholder that cannot be filled makes that scenario's verdict `error`.
    void add_scenario(const ScenarioChecks& checks, RunFacts facts);
    // Events in timestamp order. The event may be modified (vocabulary translation).
    void feed(Event& event);
    // The same for an owned event: matchers keep it shared instead of copying it. It may be
    // replaced by a translated copy when a matcher already kept the untranslated one.
    void feed(std::shared_ptr<Event>& event);
    // Forgets every event fed and starts again with the same scenarios (the stream starts
    // over when its input turns out to be out of order).
    void restart();
    void finish();
    std::vector<ScenarioResult> results() const;

    std::uint64_t events_fed() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Substitutes #{arg} and {run.host} / {run.start} / {run.end} in an EQL query as string
// literals: inside a string literal the value is escaped into it, elsewhere it becomes a
// quoted literal, so a hostile value can never change the query's structure.
Expected<std::string> substitute_query(std::string_view query,
                                       const std::map<std::string, std::string>& arguments,
                                       const std::map<std::string, std::string>& run_facts);

// The run facts queries may name: run.host, run.start, run.end (ISO 8601), those known.
std::map<std::string, std::string> placeholder_facts(const RunFacts& facts);

// `value` as an EQL string literal, quotes included: the one escaping of values put into
// queries (substitute_query, the baseline expectations' queries).
std::string eql_string_literal(std::string_view value);

// Substitutes the same placeholders in plain text (an expectation's description): values are
// inserted as they are; unknown placeholders are left as written.
std::string substitute_text(std::string_view text,
                            const std::map<std::string, std::string>& arguments,
                            const std::map<std::string, std::string>& run_facts);

// The string literals a query compares event.action with (==, :, in, in~, like, like~).
std::vector<std::string> event_action_literals(std::string_view query);

}  // namespace attest::expectations
