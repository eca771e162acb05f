// attest history: runs recorded in the history database, per scope (the same pack on the same
// lab): coverage trend per technique and the regressions of the scope's latest run against the
// run before it. Exits 1 when any scope's latest run has regressions, so a nightly job can fail
// on them.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/cli.h"
#include "reports/history.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest history [--db DB] [--pack P] [--lab L] [--technique T] [--last N] [--json]\n\n"
    "Lists the runs recorded in the history database (by `attest run|check|report --history DB`)\n"
    "per scope: runs of the same pack on the same lab are compared with each other, never with\n"
    "another pack's or lab's. For each scope: its runs, the coverage trend per technique (share\n"
    "of measured scenarios -- not skipped or inconclusive -- that passed, per run) and the\n"
    "regressions of its latest run: scenarios that passed in the run before and now fail.\n\n"
    "options:\n"
    "  --db DB         history database (default: attest-history.sqlite)\n"
    "  --pack P        only the scope(s) of this pack (as recorded in run.pack)\n"
    "  --lab L         only the scope(s) of this lab\n"
    "  --technique T   only this technique and its sub-techniques (T1114 includes T1114.001)\n"
    "  --last N        only the last N runs of each scope (default 10)\n"
    "  --json          the same as one JSON document on stdout\n\n"
    "Exit codes: 0 ok, 1 a scope's latest run has regressions, 2 usage error or a database that\n"
    "cannot be read.\n";

using nlohmann::ordered_json;

std::string percent(const reports::Coverage& c) {
    auto r = c.rounded();
    if (!r) return " n/a";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%3d%%", *r);
    return buf;
}

ordered_json coverage_json(const reports::Coverage& c) {
    ordered_json j = {{"passed", c.passed}, {"measured", c.measured}, {"total", c.total}};
    if (auto r = c.rounded())
        j["percent"] = *r;
    else
        j["percent"] = nullptr;
    return j;
}

struct ScopeReport {
    reports::RunScope scope;
    std::vector<reports::RunSummary> runs;
    std::vector<reports::TechniquePoint> trend;
    std::vector<reports::ScenarioChange> changes;  // latest vs the run before it
    int regressions = 0;
};

template <class T>
T must(Expected<T> value) {
    if (!value) throw std::runtime_error(value.error().message);
    return std::move(*value);
}

ScopeReport load_scope(const reports::HistoryDb& db, const reports::RunScope& scope, int last,
                       const std::string& technique) {
    ScopeReport r{scope,
                  must(db.runs(last, technique, scope)),
                  must(db.technique_trend(last, technique, scope)),
                  {},
                  0};
    if (r.runs.size() >= 2)
        r.changes =
            must(db.changes(r.runs[r.runs.size() - 2].run_id, r.runs.back().run_id, technique));
    for (const auto& c : r.changes)
        r.regressions += c.kind == reports::ScenarioChange::Kind::Regression;
    return r;
}

std::string change_line(const reports::ScenarioChange& c) {
    return c.technique + "  " + (c.name.empty() ? c.guid : c.name) + " [" + c.target +
           "]: " + (c.previous.empty() ? "absent" : c.previous) + " -> " + c.current;
}

void print_scope(const ScopeReport& s) {
    std::printf("%s\n", s.scope.label().c_str());
    std::printf("  %-3s %-32s %-24s %-6s %6s %6s %5s %7s %7s %8s\n", "#", "run", "started", "mode",
                "passed", "failed", "error", "inconcl", "skipped", "coverage");
    int n = 0;
    for (const auto& r : s.runs)
        std::printf("  %-3d %-32s %-24s %-6s %6lld %6lld %5lld %7lld %7lld %8s\n", ++n,
                    r.run_id.c_str(), r.started.c_str(), r.mode.c_str(),
                    static_cast<long long>(r.passed), static_cast<long long>(r.failed),
                    static_cast<long long>(r.error), static_cast<long long>(r.inconclusive),
                    static_cast<long long>(r.skipped), percent(r.coverage()).c_str());
    std::map<std::string, std::map<std::string, const reports::TechniquePoint*>> by_technique;
    for (const auto& p : s.trend) by_technique[p.technique][p.run_id] = &p;
    std::printf(
        "  coverage trend per technique (runs #1..#%d; '-' not run, 'n/a' nothing measured):\n", n);
    for (const auto& [tech, points] : by_technique) {
        std::string line;
        for (const auto& r : s.runs) {
            auto it = points.find(r.run_id);
            line += (line.empty() ? "" : " → ") +
                    (it == points.end() ? std::string("   -") : percent(it->second->coverage));
        }
        std::printf("    %-12s %s\n", tech.empty() ? "(none)" : tech.c_str(), line.c_str());
    }
    if (s.runs.size() < 2) {
        std::printf("  regressions: need two runs of this scope to compare\n\n");
        return;
    }
    std::printf("  regressions in %s since %s: %d\n", s.runs.back().run_id.c_str(),
                s.runs[s.runs.size() - 2].run_id.c_str(), s.regressions);
    for (const auto& c : s.changes)
        if (c.kind == reports::ScenarioChange::Kind::Regression)
            std::printf("    %s\n", change_line(c).c_str());
    bool header = false;
    for (const auto& c : s.changes) {
        if (c.kind == reports::ScenarioChange::Kind::Regression) continue;
        if (!header) std::printf("  other changes:\n");
        header = true;
        std::printf("    %s: %s\n", reports::change_kind_name(c.kind), change_line(c).c_str());
    }
    std::printf("\n");
}

ordered_json scope_json(const ScopeReport& s) {
    ordered_json runs = ordered_json::array();
    for (const auto& r : s.runs)
        runs.push_back({{"run_id", r.run_id},
                        {"started", r.started},
                        {"mode", r.mode},
                        {"totals",
                         {{"passed", r.passed},
                          {"failed", r.failed},
                          {"error", r.error},
                          {"inconclusive", r.inconclusive},
                          {"skipped", r.skipped}}},
                        {"coverage", coverage_json(r.coverage())}});
    ordered_json techniques = ordered_json::object();
    for (const auto& p : s.trend)
        techniques[p.technique].push_back(
            {{"run_id", p.run_id}, {"coverage", coverage_json(p.coverage)}});
    ordered_json changes = ordered_json::array();
    for (const auto& c : s.changes)
        changes.push_back(
            {{"kind", reports::change_kind_name(c.kind)},
             {"guid", c.guid},
             {"name", c.name},
             {"technique", c.technique},
             {"target", c.target},
             {"previous", c.previous.empty() ? ordered_json() : ordered_json(c.previous)},
             {"current", c.current}});
    return {{"pack", s.scope.pack},         {"lab", s.scope.lab},
            {"runs", std::move(runs)},      {"techniques", std::move(techniques)},
            {"regressions", s.regressions}, {"changes", std::move(changes)}};
}

int parse_last(const Options& opts) {
    auto l = opts.get("last");
    if (!l) return 10;
    try {
        int last = std::stoi(*l);
        if (last >= 1) return last;
    } catch (...) {
    }
    throw UsageError{"--last takes a positive number, not '" + *l + "'"};
}

int run_history(const std::vector<std::string>& args) {
    Options opts;
    opts.option("db").option("pack").option("lab").option("technique").option("last").flag("json");
    opts.parse(args);
    if (!opts.positionals().empty())
        throw UsageError{"unexpected argument '" + opts.positionals()[0] + "'"};
    std::string db_path = opts.get_or("db", "attest-history.sqlite");
    std::string technique = opts.get_or("technique", "");
    int last = parse_last(opts);
    std::error_code ec;
    if (!std::filesystem::exists(db_path, ec)) {
        std::fprintf(stderr,
                     "attest history: %s: no history database (record runs with --history %s)\n",
                     db_path.c_str(), db_path.c_str());
        return kExitUsage;
    }
    auto db = reports::HistoryDb::open(db_path, false);
    if (!db) {
        std::fprintf(stderr, "attest history: %s\n", db.error().message.c_str());
        return kExitUsage;
    }
    std::vector<ScopeReport> reports;
    for (const auto& scope : must(db->scopes())) {
        if ((opts.has("pack") && scope.pack != *opts.get("pack")) ||
            (opts.has("lab") && scope.lab != *opts.get("lab")))
            continue;
        auto r = load_scope(*db, scope, last, technique);
        if (!r.runs.empty()) reports.push_back(std::move(r));
    }
    int regressions = 0;
    for (const auto& r : reports) regressions += r.regressions;
    if (opts.has("json")) {
        ordered_json doc = {{"database", db_path},
                            {"technique", technique},
                            {"regressions", regressions},
                            {"scopes", ordered_json::array()}};
        for (const auto& r : reports) doc["scopes"].push_back(scope_json(r));
        std::printf("%s\n",
                    doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else if (reports.empty()) {
        std::printf("no runs recorded%s\n", technique.empty() ? "" : (" for " + technique).c_str());
    } else {
        for (const auto& r : reports) print_scope(r);
        std::printf("%d regression(s) in total\n", regressions);
    }
    return regressions > 0 ? kExitFailed : kExitOk;
}

}  // namespace

Command history_command() {
    return Command{"history", "runs per pack and lab: coverage trend per technique and regressions",
                   kHelp, run_history};
}

}  // namespace attest::cli
