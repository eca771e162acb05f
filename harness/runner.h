// The live lifecycle of `attest run`: per scenario and target,
//   revert snapshot -> readiness -> preflight sources -> prerequisites (get, re-check) ->
//   mark sources -> execute (deadline kills the tree) -> collect (poll until every required
//   expectation is observed or the deadline) -> close the telemetry window -> evaluate ->
//   cleanup (always: after errors, timeouts and the first SIGINT/SIGTERM) -> journal.
// Every scenario is a coroutine (boost::asio::awaitable) on one io_context thread: child
// exits, pipes, deadlines and polling are asynchronous waits, so many targets progress at
// once (lab `concurrency` of them), scenarios on one target one after another (target
// `concurrency` > 1 allows more). Blocking steps run on a small pool (blocking_pool()).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/value.h"
#include "expectations/engine.h"
#include "harness/journal.h"
#include "harness/lab.h"
#include "harness/transport.h"
#include "scenarios/pack.h"
#include "telemetry/stream.h"

namespace attest::run {

enum class Verbosity { Quiet, Normal, Verbose };

// What `attest run` does with each selected test, as Invoke-AtomicTest's switches do.
enum class Mode {
    Run,           // the whole lifecycle
    CheckPrereqs,  // --check-prereqs: only the prerequisite checks (report only)
    Cleanup,       // --cleanup: only the cleanup commands
};

struct RunOptions {
    Mode mode = Mode::Run;
    std::vector<std::string> scenarios;  // GUIDs or names; empty: all of the pack
    std::vector<std::string> targets;    // target names; empty: all of the lab
    std::map<std::string, std::string> arguments;  // --arg overrides
    bool get_prereqs = false;
    // Safety rails (harness/safety.h): run destructive tests on targets without a snapshot
    // revert; skip tests with these risks ("destructive" names every destructive one).
    bool allow_destructive = false;
    std::vector<std::string> exclude_risks;
    std::string out_dir;
    std::string run_id;      // empty: a fresh one (the CLI passes the id its out/run-<id>/ names)
    std::string record_dir;  // keep fetched telemetry + run-info.json here
    Verbosity verbosity = Verbosity::Normal;
    Millis poll_interval{1000};
    // SIGINT/SIGTERM raise `cancel` one level per signal while the run lasts (1: stop and
    // clean up; 2: abort cleanup too), through a boost::asio::signal_set.
    bool handle_signals = false;
    // Progress lines; default: stderr.
    std::function<void(const std::string&)> progress;
    // Called after each scenario record is journaled, from any thread: records so far, and
    // how many the run will have (0 until the placement is done).
    std::function<void(std::size_t finished, std::size_t total)> on_finished;
};

struct RunSummary {
    int passed = 0, failed = 0, error = 0, inconclusive = 0, skipped = 0, executed = 0;
    bool interrupted = false;
    std::string results_path;
    // Mode::CheckPrereqs / Mode::Cleanup: one record per test and target (no journal is
    // written): guid, test (its label), target, outcome, reason, prerequisites or cleanup.
    std::vector<Value> records;
};

// Runs the selected scenarios of `pack` on the selected targets of `lab`. Errors: nothing
// to run (unknown scenario or target names), output directory not writable.
Expected<RunSummary> run_pack(const Lab& lab, const scenarios::Pack& pack,
                              const RunOptions& options, CancelToken& cancel);

// Re-evaluates the pending expectations of a finished run (OUT_DIR/results.json) with the
// telemetry recorded by --record, fetching lagging sources (o365) again. Rewrites
// results.json (mode "recheck") and returns the new summary.
Expected<RunSummary> recheck_run(const std::string& out_dir, const std::string& lab_path,
                                 const std::string& pack_path,
                                 std::function<void(const std::string&)> progress);

// One scenario over telemetry inputs, read through the time-ordered stream
// (telemetry/stream.h); shared by the run, its collection polls and recheck.
expectations::ScenarioResult evaluate_scenario(const expectations::ScenarioChecks& checks,
                                               const expectations::RunFacts& facts,
                                               std::vector<telemetry::StreamInput> inputs,
                                               DiagnosticSink& sink);

}  // namespace attest::run
