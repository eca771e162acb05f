// The expectations engine: given scenario runs (host, execution start/end, input arguments,
// which sources were collected or are late) and the normalized telemetry, decides the
// verdicts of shared/spec/scenarios.md.
//
// One pass: every event is fed once, in timestamp order, to every matcher (expectations and
// detections of every scenario) whose source, host and time window admit it.
//
//   Evaluator ev(options);
//   ev.add_scenario(checks, facts);          // once per scenario run
//   feed_telemetry(ev, files, sink);          // or ev.feed(event) yourself, in time order
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
#include "expectations/spec.h"

namespace attest::expectations {

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
    // Set by a runner that already knows the outcome (prerequisites unmet: "error", platform
    // not supported: "skipped"); the engine keeps it and says why.
    std::string preset_verdict;
    std::string preset_reason;
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
};

enum class ExpectationVerdict { Observed, Missing, NotCollected, Pending };
// Error: the rule did not load or compile (the reason says why).
enum class DetectionVerdict { Fired, NotFired, NotEvaluated, Error };
enum class ScenarioVerdict { Passed, Failed, Error, Inconclusive, Skipped };
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
    void finish();
    std::vector<ScenarioResult> results() const;

    std::uint64_t events_fed() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

struct TelemetryStats {
    std::uint64_t files = 0;
    std::uint64_t events = 0;
    std::uint64_t bytes = 0;
    std::uint64_t skipped_records = 0;
    std::uint64_t out_of_order = 0;  // events older than one already fed (beyond the buffer)
    // Events without a usable @timestamp: fed where they were read, but outside every bounded
    // window (they cannot be placed in one).
    std::uint64_t untimed = 0;
    std::vector<std::string> unreadable;  // "path: reason"
};

struct TelemetryOptions {
    std::string source;  // force a collector; empty: detect per file
    Profile profile = Profile::Sysmon;
    unsigned threads = 0;
    // Events held per file to put slightly out-of-order records back in order.
    std::size_t reorder_window = 4096;
};

// Reads telemetry files through CollectorRegistry::builtin() and feeds the evaluator once,
// merged across files by @timestamp. Unreadable files are listed, the others still read.
TelemetryStats feed_telemetry(Evaluator& evaluator, const std::vector<std::string>& files,
                              DiagnosticSink& sink, const TelemetryOptions& options = {});

// One scenario over telemetry files: the short form for the runner.
ScenarioResult evaluate_scenario(const ScenarioChecks& checks, const RunFacts& facts,
                                 const std::vector<std::string>& telemetry_files,
                                 DiagnosticSink& sink, const EngineOptions& options = {});

// Substitutes #{arg} and {run.host} / {run.start} / {run.end} in an EQL query as string
// literals: inside a string literal the value is escaped into it, elsewhere it becomes a
// quoted literal, so a hostile value can never change the query's structure.
Expected<std::string> substitute_query(std::string_view query,
                                       const std::map<std::string, std::string>& arguments,
                                       const std::map<std::string, std::string>& run_facts);

// Substitutes the same placeholders in plain text (an expectation's description): values are
// inserted as they are; unknown placeholders are left as written.
std::string substitute_text(std::string_view text, const std::map<std::string, std::string>& arguments,
                            const std::map<std::string, std::string>& run_facts);

// The string literals a query compares event.action with (==, :, in, in~, like, like~).
std::vector<std::string> event_action_literals(std::string_view query);

// Rewrites a Sysmon-profile event's event.action (and library event.category) to the Elastic
// Defend (endpoint) vocabulary. Events of other datasets are left alone.
void translate_sysmon_to_endpoint(Event& event);

}  // namespace attest::expectations
