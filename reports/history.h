// History of runs in SQLite: runs, scenario results, expectation / detection verdicts.
// Written by `attest run|check --history DB` (record_run) and `attest report --history DB`;
// read by `attest history` and by the HTML report (diff against the previous run, trend).
//
// Schema version 2 (PRAGMA user_version = 2; a version-1 file is migrated on open):
//   runs(id, run_id UNIQUE, mode, started, finished, lab, pack, attest_version, recorded_at,
//        passed, failed, error, inconclusive, skipped)
//   scenario_results(id, run_ref -> runs, position, guid, name, technique, tactic, target,
//        platform, verdict, reason, cleanup_succeeded, coverage)
//   (version 2 added `coverage`: validated | partial | blind | error | skipped for a test
//   judged on baseline expectations, else NULL; trend and changes read it where set)
//   item_results(id, scenario_ref -> scenario_results, kind 'expectation'|'detection',
//        item_id, description, verdict, passed, required, count, reason)
// Runs are compared only within a scope: the same pack on the same lab (a stock-atomics run
// never "regresses" a T1114 pack run). Coverage is reports/coverage.h's, as everywhere.
// Recording a run id that is already present replaces it (so `attest run --history` followed
// by `attest report --history` on the same results does not count the run twice). Each
// recording is one transaction; all statements are prepared with bound parameters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"
#include "reports/coverage.h"

struct sqlite3;

namespace attest::reports {

constexpr int kHistorySchemaVersion = 2;

struct RunSummary {
    std::string run_id, mode, started, lab, pack;
    std::int64_t passed = 0, failed = 0, error = 0, inconclusive = 0, skipped = 0;
    Coverage coverage() const;
};

// The comparison scope of a run: pack and lab as recorded ('' when absent).
struct RunScope {
    std::string pack, lab;
    bool operator==(const RunScope&) const = default;
    std::string label() const;  // "pack P on lab L" / "pack P (no lab)"
};

struct TechniquePoint {
    std::string run_id, started, technique;
    Coverage coverage;
};

struct ScenarioChange {
    enum class Kind { Regression, NewFailure, Fixed, Changed };
    Kind kind = Kind::Changed;
    std::string guid, name, technique, target, previous, current;
};
const char* change_kind_name(ScenarioChange::Kind kind);

// What the HTML report needs from the history, computed for one run.
struct HistoryView {
    std::vector<RunSummary> runs;       // same scope, oldest first, ending with the current run
    std::optional<RunSummary> previous;  // the run before the current one in the same scope
    std::vector<ScenarioChange> changes;  // current vs previous, regressions first
    // guid|target -> verdict in the previous run, for per-scenario badges.
    std::map<std::string, std::string> previous_verdicts;
};

// Key identifying a scenario across runs: guid (or name when absent) and target.
std::string scenario_key(const std::string& guid, const std::string& name, const std::string& target);

class HistoryDb {
public:
    // Opens (creating when `create`) and migrates the database. Fails on a newer schema.
    static Expected<HistoryDb> open(const std::filesystem::path& path, bool create = true);
    HistoryDb(HistoryDb&&) noexcept;
    HistoryDb& operator=(HistoryDb&&) noexcept;
    ~HistoryDb();

    Expected<void> record(const nlohmann::json& results);

    // Runs oldest first; the last `last` ones when last > 0; only `scope`'s when given. With a
    // technique, the counts are those of that technique (and its sub-techniques) only, and
    // runs without it are left out.
    Expected<std::vector<RunSummary>> runs(int last = 0, const std::string& technique = "",
                                           const std::optional<RunScope>& scope = std::nullopt) const;
    // Every scope with recorded runs, the one with the most recent run last.
    Expected<std::vector<RunScope>> scopes() const;
    // Coverage per technique per run, for the runs returned by runs(last, technique, scope).
    Expected<std::vector<TechniquePoint>> technique_trend(int last = 0, const std::string& technique = "",
                                                          const std::optional<RunScope>& scope = std::nullopt) const;
    // Verdict changes of run `current` against run `previous` (technique filter optional).
    Expected<std::vector<ScenarioChange>> changes(const std::string& previous, const std::string& current,
                                                  const std::string& technique = "") const;
    Expected<HistoryView> view_for(const std::string& run_id, int last = 30) const;

private:
    struct Handle;
    explicit HistoryDb(std::unique_ptr<Handle> handle);
    std::unique_ptr<Handle> m_handle;
};

// Records one results document into the database at db_path (created if needed).
Expected<void> record_run(const std::filesystem::path& db_path, const nlohmann::json& results);

}  // namespace attest::reports
