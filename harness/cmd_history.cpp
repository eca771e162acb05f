// attest history: runs recorded in the history database, coverage trend per technique and
// regressions (scenarios that passed in the previous run and fail now).
#include <cstdio>
#include <map>

#include "harness/cli.h"
#include "reports/history.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest history [--db DB] [--technique T] [--last N]\n\n"
    "Lists the runs recorded in the history database (by `attest run|check|report --history DB`),\n"
    "the coverage trend per technique (share of evaluated scenarios that passed, per run) and\n"
    "the regressions of the latest run: scenarios that passed in the run before and now fail.\n\n"
    "options:\n"
    "  --db DB         history database (default: attest-history.sqlite)\n"
    "  --technique T   only this technique and its sub-techniques (T1114 includes T1114.001)\n"
    "  --last N        only the last N runs (default 10)\n\n"
    "Exit codes: 0 ok, 2 usage error or a database that cannot be read.\n";

std::string percent(double v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%3.0f%%", v);
    return buf;
}

int run_history(const std::vector<std::string>& args) {
    Options opts;
    opts.option("db").option("technique").option("last");
    opts.parse(args);
    if (!opts.positionals().empty()) throw UsageError{"unexpected argument '" + opts.positionals()[0] + "'"};
    std::string db_path = opts.get_or("db", "attest-history.sqlite");
    std::string technique = opts.get_or("technique", "");
    int last = 10;
    if (auto l = opts.get("last")) {
        try {
            last = std::stoi(*l);
            if (last < 1) throw std::invalid_argument("");
        } catch (...) {
            throw UsageError{"--last takes a positive number"};
        }
    }
    std::error_code ec;
    if (!std::filesystem::exists(db_path, ec)) {
        std::fprintf(stderr, "attest history: %s: no history database (record runs with --history %s)\n",
                     db_path.c_str(), db_path.c_str());
        return kExitUsage;
    }
    auto db = reports::HistoryDb::open(db_path, false);
    if (!db) {
        std::fprintf(stderr, "attest history: %s\n", db.error().message.c_str());
        return kExitUsage;
    }
    auto runs = db->runs(last, technique);
    if (!runs) {
        std::fprintf(stderr, "attest history: %s\n", runs.error().message.c_str());
        return kExitUsage;
    }
    if (runs->empty()) {
        std::printf("no runs recorded%s\n", technique.empty() ? "" : (" for " + technique).c_str());
        return kExitOk;
    }

    std::printf("runs%s (oldest first):\n", technique.empty() ? "" : (" for " + technique).c_str());
    std::printf("  %-3s %-32s %-24s %-6s %6s %6s %5s %7s %7s %8s\n", "#", "run", "started", "mode", "passed",
                "failed", "error", "inconcl", "skipped", "coverage");
    int n = 0;
    for (const auto& r : *runs)
        std::printf("  %-3d %-32s %-24s %-6s %6lld %6lld %5lld %7lld %7lld %8s\n", ++n, r.run_id.c_str(),
                    r.started.c_str(), r.mode.c_str(), static_cast<long long>(r.passed),
                    static_cast<long long>(r.failed), static_cast<long long>(r.error),
                    static_cast<long long>(r.inconclusive), static_cast<long long>(r.skipped),
                    percent(r.coverage()).c_str());

    auto trend = db->technique_trend(last, technique);
    if (!trend) {
        std::fprintf(stderr, "attest history: %s\n", trend.error().message.c_str());
        return kExitUsage;
    }
    // technique -> run index -> point
    std::map<std::string, std::map<std::string, const reports::TechniquePoint*>> by_technique;
    for (const auto& p : *trend) by_technique[p.technique][p.run_id] = &p;
    std::printf("\ncoverage trend per technique (runs #1..#%d; '-' not run, 'n/a' nothing evaluated):\n", n);
    for (const auto& [tech, points] : by_technique) {
        std::string line;
        for (const auto& r : *runs) {
            auto it = points.find(r.run_id);
            std::string cell = it == points.end() ? "   -" : it->second->evaluated == 0 ? " n/a" : percent(it->second->coverage());
            line += (line.empty() ? "" : " → ") + cell;
        }
        std::printf("  %-12s %s\n", tech.empty() ? "(none)" : tech.c_str(), line.c_str());
    }

    if (runs->size() < 2) {
        std::printf("\nregressions: need two runs to compare\n");
        return kExitOk;
    }
    const auto& previous = (*runs)[runs->size() - 2];
    const auto& current = runs->back();
    auto changes = db->changes(previous.run_id, current.run_id, technique);
    if (!changes) {
        std::fprintf(stderr, "attest history: %s\n", changes.error().message.c_str());
        return kExitUsage;
    }
    int regressions = 0;
    std::string lines;
    for (const auto& c : *changes) {
        if (c.kind != reports::ScenarioChange::Kind::Regression) continue;
        ++regressions;
        lines += "  " + c.technique + "  " + (c.name.empty() ? c.guid : c.name) + " [" + c.target + "]: " + c.previous +
                 " -> " + c.current + "\n";
    }
    std::printf("\nregressions in %s since %s: %d\n%s", current.run_id.c_str(), previous.run_id.c_str(), regressions,
                lines.c_str());
    std::string other;
    for (const auto& c : *changes) {
        if (c.kind == reports::ScenarioChange::Kind::Regression) continue;
        other += "  " + std::string(reports::change_kind_name(c.kind)) + ": " + c.technique + "  " +
                 (c.name.empty() ? c.guid : c.name) + " [" + c.target + "]: " + (c.previous.empty() ? "absent" : c.previous) +
                 " -> " + c.current + "\n";
    }
    if (!other.empty()) std::printf("other changes:\n%s", other.c_str());
    return kExitOk;
}

}  // namespace

Command history_command() {
    return Command{"history", "list recorded runs, coverage trend per technique and regressions", kHelp, run_history};
}

}  // namespace attest::cli
