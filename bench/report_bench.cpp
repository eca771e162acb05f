// Report rendering benchmark: a results document of N scenarios x M expectations (default
// 500 x 10), realistic evidence (observed expectations carry 5 ECS events and 20 more
// omitted by the engine; missing ones carry 3 near misses), rendered by every writer.
// Prints time and size per format; exits 1 if the HTML misses its budget (1 s, 10 MB).
// usage: report_bench [SCENARIOS] [EXPECTATIONS] [OUT_DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/atomic_file.h"
#include "reports/reports.h"

using nlohmann::json;

namespace {

json make_event(int scenario, int expectation, int k) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-11-22T08:%02d:%02d.%03dZ", scenario % 60, (expectation * 5 + k) % 60, k * 37 % 1000);
    return {{"@timestamp", ts},
            {"event", {{"code", "1"}, {"action", "Process Create (rule: ProcessCreate)"}, {"kind", "event"},
                       {"category", {"process"}}, {"type", {"start"}}, {"dataset", "windows.sysmon_operational"}}},
            {"host", {{"name", "WIN10-LAB-" + std::to_string(scenario % 4)}, {"os", {{"family", "windows"}}}}},
            {"user", {{"name", "labuser"}, {"domain", "LAB"}}},
            {"process", {{"pid", 4000 + k}, {"entity_id", "{8d1c7e2a-1111-2222-3333-" + std::to_string(100000 + scenario) + "}"},
                         {"executable", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"},
                         {"command_line", "powershell.exe -NoProfile -ExecutionPolicy Bypass -Command \"Copy-Item $env:LOCALAPPDATA\\Microsoft\\Outlook\\*.ost C:\\Users\\Public\\stage" + std::to_string(k) + "\""},
                         {"parent", {{"executable", "C:\\Windows\\System32\\cmd.exe"}, {"pid", 3000}}},
                         {"hash", {{"sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}}},
            {"winlog", {{"channel", "Microsoft-Windows-Sysmon/Operational"}, {"record_id", 100000 + k}, {"event_id", 1}}},
            {"attest", {{"source", "sysmon_xml"}, {"origin", "telemetry/sysmon-" + std::to_string(scenario) + ".xml"},
                        {"position", "line " + std::to_string(100 + k * 40)}}}};
}

json make_results(int scenarios, int expectations) {
    json doc = {{"schema", "attest.results/1"},
                {"run", {{"id", "bench-run"}, {"mode", "run"}, {"started", "2026-11-22T08:00:00.000Z"},
                         {"finished", "2026-11-22T09:00:00.000Z"}, {"lab", "bench"}, {"pack", "scenarios/bench"}}},
                {"scenarios", json::array()}};
    int passed = 0, failed = 0;
    for (int s = 0; s < scenarios; ++s) {
        bool ok = s % 4 != 0;
        json sc = {{"guid", "guid-" + std::to_string(s)}, {"name", "Bench scenario " + std::to_string(s) + ": collect local email"},
                   {"technique", s % 2 ? "T1114.001" : "T1059.001"}, {"tactic", s % 2 ? "collection" : "execution"},
                   {"target", "win10-lab"}, {"platform", "windows"}, {"verdict", ok ? "passed" : "failed"},
                   {"execution", {{"executor", "powershell"}, {"command", "Copy-Item $env:LOCALAPPDATA\\Microsoft\\Outlook\\*.ost C:\\stage"},
                                  {"start", "2026-11-22T08:00:00.000Z"}, {"end", "2026-11-22T08:00:05.000Z"}, {"exit_code", 0},
                                  {"timed_out", false}, {"stdout", "copied 1 file"}, {"stderr", ""}}},
                   {"cleanup", {{"ran", true}, {"succeeded", true}, {"exit_code", 0}, {"output", "removed"}}},
                   {"expectations", json::array()}, {"detections", json::array()}};
        if (!ok) sc["reason"] = "required expectation missing";
        for (int e = 0; e < expectations; ++e) {
            bool observed = ok || e % 3 != 0;
            json ex = {{"id", "exp-" + std::to_string(s) + "-" + std::to_string(e)}, {"description", "PowerShell copies the OST file"},
                       {"source", "sysmon"}, {"query", "process where process.name == \"powershell.exe\" and process.command_line : \"*ost*\""},
                       {"min_count", 1}, {"required", true}, {"verdict", observed ? "observed" : "missing"},
                       {"count", observed ? 25 : 0}, {"evidence", json::array()}, {"evidence_omitted", observed ? 20 : 0}};
            if (observed) {
                for (int k = 0; k < 5; ++k) ex["evidence"].push_back(make_event(s, e, k));
            } else {
                ex["reason"] = "no event matched; 3 near misses";
                ex["near_misses"] = json::array();
                for (int k = 0; k < 3; ++k)
                    ex["near_misses"].push_back({{"failed_clause", "process.command_line : \"*ost*\""}, {"event", make_event(s, e, k)}});
            }
            sc["expectations"].push_back(std::move(ex));
        }
        (ok ? passed : failed)++;
        doc["scenarios"].push_back(std::move(sc));
    }
    doc["totals"] = {{"passed", passed}, {"failed", failed}, {"error", 0}, {"inconclusive", 0}, {"skipped", 0}};
    return doc;
}

}  // namespace

int main(int argc, char** argv) {
    int scenarios = argc > 1 ? std::atoi(argv[1]) : 500;
    int expectations = argc > 2 ? std::atoi(argv[2]) : 10;
    std::filesystem::path out_dir = argc > 3 ? argv[3] : "/tmp/attest-report-bench";
    using Clock = std::chrono::steady_clock;

    auto t0 = Clock::now();
    json results = make_results(scenarios, expectations);
    double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf("input: %d scenarios x %d expectations, results JSON %.1f MB (built in %.0f ms)\n", scenarios, expectations,
                static_cast<double>(results.dump().size()) / 1e6, build_ms);

    attest::reports::ReportOptions options;
    attest::reports::RenderContext context{&options, nullptr};
    bool ok = true;
    for (const auto& w : attest::reports::ReportWriterRegistry::builtin().all()) {
        // Best of 3 to keep noise from other processes out of the figure.
        double best = 1e99;
        std::string doc;
        for (int i = 0; i < 3; ++i) {
            auto t = Clock::now();
            doc = w.render(results, context);
            best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t).count());
        }
        auto t = Clock::now();
        auto written = attest::write_file_atomic(out_dir / w.default_file, doc);
        double write_ms = std::chrono::duration<double, std::milli>(Clock::now() - t).count();
        if (!written) {
            std::fprintf(stderr, "%s\n", written.error().message.c_str());
            return 2;
        }
        std::printf("%-10s render %8.1f ms  write %6.1f ms  size %8.2f MB\n", w.name.c_str(), best, write_ms,
                    static_cast<double>(doc.size()) / 1e6);
        if (w.name == "html" && (best > 1000 || doc.size() > 10'000'000)) {
            std::printf("html over budget (1 s, 10 MB)\n");
            ok = false;
        }
    }
    std::printf("files in %s\n", out_dir.string().c_str());
    return ok ? 0 : 1;
}
