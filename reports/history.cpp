#include "reports/history.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include "core/timeutil.h"
#include "reports/text.h"

namespace attest::reports {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  mode TEXT, started TEXT, finished TEXT, lab TEXT, pack TEXT, attest_version TEXT,
  recorded_at TEXT NOT NULL,
  passed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
  error INTEGER NOT NULL DEFAULT 0, inconclusive INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS scenario_results(
  id INTEGER PRIMARY KEY,
  run_ref INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  guid TEXT, name TEXT, technique TEXT, tactic TEXT, target TEXT, platform TEXT,
  verdict TEXT NOT NULL, reason TEXT, cleanup_succeeded INTEGER, coverage TEXT);
CREATE INDEX IF NOT EXISTS scenario_results_run ON scenario_results(run_ref);
CREATE INDEX IF NOT EXISTS scenario_results_technique ON scenario_results(technique);
CREATE TABLE IF NOT EXISTS item_results(
  id INTEGER PRIMARY KEY,
  scenario_ref INTEGER NOT NULL REFERENCES scenario_results(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK(kind IN ('expectation', 'detection')),
  item_id TEXT, description TEXT, verdict TEXT, passed INTEGER, required INTEGER,
  count INTEGER, reason TEXT);
CREATE INDEX IF NOT EXISTS item_results_scenario ON item_results(scenario_ref);
)sql";

// Version 1 -> 2: the coverage verdict of tests judged on baseline expectations.
const char* kMigrateTo2 = "ALTER TABLE scenario_results ADD COLUMN coverage TEXT;";

// Matches a technique and its sub-techniques; ?N is NULL or '' for "all".
const char* kTechniqueFilter =
    "(?1 IS NULL OR ?1 = '' OR s.technique = ?1 OR s.technique LIKE ?1 || '.%')";

class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) : m_db(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK)
            m_stmt = nullptr;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return m_stmt != nullptr; }
    std::string error() const { return sqlite3_errmsg(m_db); }
    void bind(int i, const std::string& s) {
        sqlite3_bind_text(m_stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind_null(int i) { sqlite3_bind_null(m_stmt, i); }
    void bind_opt_text(int i, const nlohmann::json& parent, const char* key) {
        const auto& m = member(parent, key);
        if (m.is_null())
            bind_null(i);
        else
            bind(i, valid_utf8(display(m)));
    }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(m_stmt); }
    void reset() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    std::string column_text(int i) const {
        const unsigned char* t = sqlite3_column_text(m_stmt, i);
        return t ? reinterpret_cast<const char*>(t) : "";
    }
    std::int64_t column_int(int i) const { return sqlite3_column_int64(m_stmt, i); }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

std::string now_iso() {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return format_iso8601(ns);
}

// A test judged on its baseline compares by coverage verdict: validated is its passed, blind
// its failed ("validated yesterday, blind today" is a regression).
bool is_passing(const std::string& verdict) {
    return verdict == "passed" || verdict == "validated";
}
bool is_failing(const std::string& verdict) {
    return verdict == "failed" || verdict == "error" || verdict == "blind";
}

}  // namespace

const char* change_kind_name(ScenarioChange::Kind kind) {
    switch (kind) {
        case ScenarioChange::Kind::Regression:
            return "regression";
        case ScenarioChange::Kind::NewFailure:
            return "new failure";
        case ScenarioChange::Kind::Fixed:
            return "fixed";
        case ScenarioChange::Kind::Changed:
            return "changed";
    }
    return "changed";
}

Coverage RunSummary::coverage() const {
    Coverage c;
    c.add("passed", passed);
    c.add("failed", failed);
    c.add("error", error);
    c.add("inconclusive", inconclusive);
    c.add("skipped", skipped);
    return c;
}

std::string RunScope::label() const {
    return "pack " + (pack.empty() ? std::string("(none)") : pack) +
           (lab.empty() ? " (no lab)" : " on lab " + lab);
}

std::string scenario_key(const std::string& guid, const std::string& name,
                         const std::string& target) {
    return (guid.empty() ? "name:" + name : guid) + "|" + target;
}

struct HistoryDb::Handle {
    sqlite3* db = nullptr;
    std::string path;
    ~Handle() { sqlite3_close(db); }

    Error fail(const std::string& what) const {
        return make_error(path + ": " + what + ": " + sqlite3_errmsg(db));
    }
    Expected<void> exec(const char* sql) const {
        char* msg = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            std::string why = msg ? msg : "unknown error";
            sqlite3_free(msg);
            return make_error(path + ": " + why);
        }
        return {};
    }
};

HistoryDb::HistoryDb(std::unique_ptr<Handle> handle) : m_handle(std::move(handle)) {}
HistoryDb::HistoryDb(HistoryDb&&) noexcept = default;
HistoryDb& HistoryDb::operator=(HistoryDb&&) noexcept = default;
HistoryDb::~HistoryDb() = default;

Expected<HistoryDb> HistoryDb::open(const std::filesystem::path& path, bool create) {
    auto handle = std::make_unique<Handle>();
    handle->path = path.string();
    if (create && path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(handle->path.c_str(), &handle->db, flags, nullptr) != SQLITE_OK) {
        std::string why = handle->db ? sqlite3_errmsg(handle->db) : "out of memory";
        return make_error(handle->path + ": cannot open history database: " + why);
    }
    // Nightly jobs may record while someone reads; wait for the lock instead of failing.
    sqlite3_busy_timeout(handle->db, 5000);
    if (auto r = handle->exec("PRAGMA foreign_keys = ON"); !r) return r.error();

    Statement version(handle->db, "PRAGMA user_version");
    if (!version.ok() || version.step() != SQLITE_ROW)
        return make_error(handle->path +
                          ": not an SQLite database or unreadable: " + version.error());
    std::int64_t v = version.column_int(0);
    if (v > kHistorySchemaVersion)
        return make_error(handle->path + ": history schema version " + std::to_string(v) +
                          " is newer than this attest supports (" +
                          std::to_string(kHistorySchemaVersion) + ")");
    if (v < kHistorySchemaVersion) {
        // Version 0 is a fresh file; migrations from later versions go here, in order.
        if (auto r = handle->exec("BEGIN IMMEDIATE"); !r) return r.error();
        if (auto r = handle->exec(v == 1 ? kMigrateTo2 : kSchema); !r) {
            handle->exec("ROLLBACK");
            return r.error();
        }
        std::string set = "PRAGMA user_version = " + std::to_string(kHistorySchemaVersion);
        if (auto r = handle->exec(set.c_str()); !r) {
            handle->exec("ROLLBACK");
            return r.error();
        }
        if (auto r = handle->exec("COMMIT"); !r) return r.error();
    }
    return HistoryDb(std::move(handle));
}

namespace {

// The run's row; totals are recounted from the scenarios when the document lacks them.
bool insert_run(Statement& add_run, const std::string& run_id, const nlohmann::json& results) {
    const auto& run = member(results, "run");
    std::map<std::string, std::int64_t> counted;
    for (const auto& s : list(results, "scenarios")) ++counted[text(s, "verdict", "error")];
    const auto& totals = member(results, "totals");
    auto total = [&](const char* verdict) {
        return totals.is_object() ? integer(totals, verdict, counted[verdict]) : counted[verdict];
    };
    add_run.bind(1, run_id);
    add_run.bind_opt_text(2, run, "mode");
    add_run.bind_opt_text(3, run, "started");
    add_run.bind_opt_text(4, run, "finished");
    add_run.bind_opt_text(5, run, "lab");
    add_run.bind_opt_text(6, run, "pack");
    add_run.bind_opt_text(7, run, "attest_version");
    add_run.bind(8, now_iso());
    add_run.bind(9, total("passed"));
    add_run.bind(10, total("failed"));
    add_run.bind(11, total("error"));
    add_run.bind(12, total("inconclusive"));
    add_run.bind(13, total("skipped"));
    return add_run.step() == SQLITE_DONE;
}

bool insert_scenario(Statement& add_scenario, std::int64_t run_ref, std::int64_t position,
                     const nlohmann::json& s) {
    add_scenario.reset();
    add_scenario.bind(1, run_ref);
    add_scenario.bind(2, position);
    add_scenario.bind_opt_text(3, s, "guid");
    add_scenario.bind_opt_text(4, s, "name");
    add_scenario.bind_opt_text(5, s, "technique");
    add_scenario.bind_opt_text(6, s, "tactic");
    add_scenario.bind_opt_text(7, s, "target");
    add_scenario.bind_opt_text(8, s, "platform");
    add_scenario.bind(9, valid_utf8(text(s, "verdict", "error")));
    add_scenario.bind_opt_text(10, s, "reason");
    const auto& cleanup = member(s, "cleanup");
    if (member(cleanup, "succeeded").is_boolean())
        add_scenario.bind(11, std::int64_t{flag(cleanup, "succeeded")});
    else
        add_scenario.bind_null(11);
    if (auto c = test_coverage(s))
        add_scenario.bind(12, valid_utf8(c->verdict));
    else
        add_scenario.bind_null(12);
    return add_scenario.step() == SQLITE_DONE;
}

// The expectations or detections of one scenario.
bool insert_items(Statement& add_item, std::int64_t scenario_ref, const nlohmann::json& s,
                  const char* array, const std::string& kind, const char* id_key) {
    const bool detection = kind == "detection";
    for (const auto& item : list(s, array)) {
        add_item.reset();
        add_item.bind(1, scenario_ref);
        add_item.bind(2, kind);
        add_item.bind_opt_text(3, item, id_key);
        add_item.bind_opt_text(4, item, detection ? "name" : "description");
        add_item.bind_opt_text(5, item, "verdict");
        std::string verdict = text(item, "verdict");
        bool passed = detection ? flag(item, "passed", verdict == "fired") : verdict == "observed";
        add_item.bind(6, std::int64_t{passed});
        add_item.bind(7, std::int64_t{flag(item, "required", true)});
        add_item.bind(8, integer(item, detection ? "hits" : "count"));
        add_item.bind_opt_text(9, item, "reason");
        if (add_item.step() != SQLITE_DONE) return false;
    }
    return true;
}

}  // namespace

Expected<void> HistoryDb::record(const nlohmann::json& results) {
    sqlite3* db = m_handle->db;
    std::string run_id = valid_utf8(text(member(results, "run"), "id"));
    if (run_id.empty())
        return make_error(m_handle->path + ": results have no run.id; cannot record the run");

    if (auto r = m_handle->exec("BEGIN IMMEDIATE"); !r) return r.error();
    auto rollback = [&](Error e) -> Expected<void> {
        m_handle->exec("ROLLBACK");
        return e;
    };

    Statement drop(db, "DELETE FROM runs WHERE run_id = ?1");
    if (!drop.ok()) return rollback(m_handle->fail("prepare"));
    drop.bind(1, run_id);
    if (drop.step() != SQLITE_DONE) return rollback(m_handle->fail("delete previous recording"));

    Statement add_run(
        db,
        "INSERT INTO runs(run_id, mode, started, finished, lab, pack, attest_version, "
        "recorded_at, passed, failed, error, inconclusive, skipped) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    Statement add_scenario(
        db,
        "INSERT INTO scenario_results(run_ref, position, guid, name, technique, tactic, "
        "target, platform, verdict, reason, cleanup_succeeded, coverage) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    Statement add_item(
        db,
        "INSERT INTO item_results(scenario_ref, kind, item_id, description, verdict, passed, "
        "required, count, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!add_run.ok() || !add_scenario.ok() || !add_item.ok())
        return rollback(m_handle->fail("prepare"));

    if (!insert_run(add_run, run_id, results)) return rollback(m_handle->fail("insert run"));
    std::int64_t run_ref = sqlite3_last_insert_rowid(db);
    std::int64_t position = 0;
    for (const auto& s : list(results, "scenarios")) {
        if (!insert_scenario(add_scenario, run_ref, position++, s))
            return rollback(m_handle->fail("insert scenario result"));
        std::int64_t scenario_ref = sqlite3_last_insert_rowid(db);
        if (!insert_items(add_item, scenario_ref, s, "expectations", "expectation", "id") ||
            !insert_items(add_item, scenario_ref, s, "detections", "detection", "rule"))
            return rollback(m_handle->fail("insert verdict"));
    }
    if (auto r = m_handle->exec("COMMIT"); !r) return rollback(r.error());
    return {};
}

Expected<std::vector<RunSummary>> HistoryDb::runs(int last, const std::string& technique,
                                                  const std::optional<RunScope>& scope) const {
    // Counts come from the scenario rows so that a technique filter gives its own totals.
    std::string sql =
        "SELECT * FROM (SELECT r.run_id, COALESCE(r.mode,''), COALESCE(r.started,''), "
        "COALESCE(r.lab,''), "
        "COALESCE(r.pack,''), "
        "SUM(s.verdict = 'passed'), SUM(s.verdict = 'failed'), SUM(s.verdict = 'error'), "
        "SUM(s.verdict = 'inconclusive'), SUM(s.verdict = 'skipped'), r.id AS rid, "
        "COALESCE(r.started,'') AS rstarted, "
        "r.passed + r.failed + r.error + r.inconclusive + r.skipped AS declared, "
        "r.passed, r.failed, r.error, r.inconclusive, r.skipped, COUNT(s.id) AS scenarios "
        "FROM runs r LEFT JOIN scenario_results s ON s.run_ref = r.id AND " +
        std::string(kTechniqueFilter) +
        " WHERE (?3 IS NULL OR (COALESCE(r.pack,'') = ?3 AND COALESCE(r.lab,'') = ?4))"
        " GROUP BY r.id HAVING (?1 IS NULL OR ?1 = '' OR COUNT(s.id) > 0) "
        "ORDER BY rstarted DESC, rid DESC LIMIT ?2) ORDER BY rstarted, rid";
    Statement q(m_handle->db, sql);
    if (!q.ok()) return m_handle->fail("query runs");
    q.bind(1, technique);
    q.bind(2, std::int64_t{last > 0 ? last : -1});
    if (scope) {
        q.bind(3, scope->pack);
        q.bind(4, scope->lab);
    }
    std::vector<RunSummary> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        RunSummary r;
        r.run_id = q.column_text(0);
        r.mode = q.column_text(1);
        r.started = q.column_text(2);
        r.lab = q.column_text(3);
        r.pack = q.column_text(4);
        bool use_declared = technique.empty() && q.column_int(18) == 0;
        // A run recorded with totals but no scenario list keeps its declared totals.
        int base = use_declared ? 13 : 5;
        r.passed = q.column_int(base);
        r.failed = q.column_int(base + 1);
        r.error = q.column_int(base + 2);
        r.inconclusive = q.column_int(base + 3);
        r.skipped = q.column_int(base + 4);
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return m_handle->fail("query runs");
    return out;
}

Expected<std::vector<RunScope>> HistoryDb::scopes() const {
    Statement q(m_handle->db,
                "SELECT COALESCE(pack,''), COALESCE(lab,''), MAX(COALESCE(started,'')) AS latest, "
                "MAX(id) AS rid "
                "FROM runs GROUP BY COALESCE(pack,''), COALESCE(lab,'') ORDER BY latest, rid");
    if (!q.ok()) return m_handle->fail("query scopes");
    std::vector<RunScope> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.column_text(0), q.column_text(1)});
    if (rc != SQLITE_DONE) return m_handle->fail("query scopes");
    return out;
}

Expected<std::vector<TechniquePoint>> HistoryDb::technique_trend(
    int last, const std::string& technique, const std::optional<RunScope>& scope) const {
    auto selected = runs(last, technique, scope);
    if (!selected) return selected.error();
    // Counts per verdict; coverage.h decides what they mean.
    std::string sql =
        "SELECT r.run_id, COALESCE(r.started,''), COALESCE(s.technique,''), COALESCE(s.coverage, "
        "s.verdict) AS v, "
        "COUNT(*) FROM scenario_results s JOIN runs r ON s.run_ref = r.id WHERE r.run_id = ?2 "
        "AND " +
        std::string(kTechniqueFilter) + " GROUP BY s.technique, v ORDER BY s.technique";
    Statement q(m_handle->db, sql);
    if (!q.ok()) return m_handle->fail("query trend");
    std::vector<TechniquePoint> out;
    for (const auto& run : *selected) {
        q.reset();
        q.bind(1, technique);
        q.bind(2, run.run_id);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
            std::string tech = q.column_text(2);
            if (out.empty() || out.back().run_id != run.run_id || out.back().technique != tech)
                out.push_back({q.column_text(0), q.column_text(1), tech, {}});
            out.back().coverage.add(q.column_text(3), q.column_int(4));
        }
        if (rc != SQLITE_DONE) return m_handle->fail("query trend");
    }
    return out;
}

Expected<std::vector<ScenarioChange>> HistoryDb::changes(const std::string& previous,
                                                         const std::string& current,
                                                         const std::string& technique) const {
    std::string sql =
        "SELECT COALESCE(s.guid,''), COALESCE(s.name,''), COALESCE(s.technique,''), "
        "COALESCE(s.target,''), "
        "COALESCE(s.coverage, s.verdict) FROM scenario_results s JOIN runs r ON s.run_ref = r.id "
        "WHERE r.run_id = ?2 AND " +
        std::string(kTechniqueFilter) + " ORDER BY s.position";
    Statement q(m_handle->db, sql);
    if (!q.ok()) return m_handle->fail("query changes");
    struct Row {
        std::string guid, name, technique, target, verdict;
    };
    auto load = [&](const std::string& run_id, std::vector<Row>& rows) -> bool {
        q.reset();
        q.bind(1, technique);
        q.bind(2, run_id);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            rows.push_back({q.column_text(0), q.column_text(1), q.column_text(2), q.column_text(3),
                            q.column_text(4)});
        return rc == SQLITE_DONE;
    };
    std::vector<Row> before, now;
    if (!load(previous, before) || !load(current, now)) return m_handle->fail("query changes");
    std::map<std::string, std::string> before_verdict;
    for (const auto& r : before) before_verdict[scenario_key(r.guid, r.name, r.target)] = r.verdict;

    std::vector<ScenarioChange> out;
    for (const auto& r : now) {
        auto it = before_verdict.find(scenario_key(r.guid, r.name, r.target));
        ScenarioChange c{
            ScenarioChange::Kind::Changed, r.guid, r.name, r.technique, r.target, "", r.verdict};
        if (it == before_verdict.end()) {
            if (!is_failing(r.verdict)) continue;
            c.kind = ScenarioChange::Kind::NewFailure;
        } else {
            c.previous = it->second;
            if (c.previous == c.current) continue;
            if (is_passing(c.previous) && is_failing(c.current))
                c.kind = ScenarioChange::Kind::Regression;
            else if (is_passing(c.current))
                c.kind = ScenarioChange::Kind::Fixed;
            else if (is_failing(c.current) && !is_failing(c.previous))
                c.kind = ScenarioChange::Kind::NewFailure;
        }
        out.push_back(std::move(c));
    }
    std::stable_sort(out.begin(), out.end(), [](const ScenarioChange& a, const ScenarioChange& b) {
        return a.kind < b.kind;
    });
    return out;
}

Expected<HistoryView> HistoryDb::view_for(const std::string& run_id, int last) const {
    auto everything = runs(0);
    if (!everything) return everything.error();
    auto found = std::find_if(everything->begin(), everything->end(),
                              [&](const RunSummary& r) { return r.run_id == run_id; });
    if (found == everything->end())
        return make_error(m_handle->path + ": run " + run_id + " is not recorded");
    auto all = runs(0, "", RunScope{found->pack, found->lab});
    if (!all) return all.error();
    HistoryView view;
    auto it = std::find_if(all->begin(), all->end(),
                           [&](const RunSummary& r) { return r.run_id == run_id; });
    auto end = it + 1;
    auto begin = (last > 0 && end - all->begin() > last) ? end - last : all->begin();
    view.runs.assign(begin, end);
    if (it != all->begin()) {
        view.previous = *(it - 1);
        auto diff = changes(view.previous->run_id, run_id);
        if (!diff) return diff.error();
        view.changes = std::move(*diff);

        Statement q(m_handle->db,
                    "SELECT COALESCE(s.guid,''), COALESCE(s.name,''), COALESCE(s.target,''), "
                    "s.verdict FROM "
                    "scenario_results s JOIN runs r ON s.run_ref = r.id WHERE r.run_id = ?1");
        if (!q.ok()) return m_handle->fail("query previous run");
        q.bind(1, view.previous->run_id);
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            view.previous_verdicts[scenario_key(q.column_text(0), q.column_text(1),
                                                q.column_text(2))] = q.column_text(3);
        if (rc != SQLITE_DONE) return m_handle->fail("query previous run");
    }
    return view;
}

Expected<void> record_run(const std::filesystem::path& db_path, const nlohmann::json& results) {
    auto db = HistoryDb::open(db_path);
    if (!db) return db.error();
    return db->record(results);
}

}  // namespace attest::reports
