// Builds attest.results/1 documents for the report tests (see docs/results-schema.md).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace attest::reports::testing {

using nlohmann::json;

inline json load_fixture(const std::string& name) {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/tests/data/reports/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

inline json make_event(const std::string& timestamp, const std::string& command_line) {
    return {{"@timestamp", timestamp},
            {"event", {{"code", "1"}, {"action", "ProcessCreate"}}},
            {"process", {{"command_line", command_line}, {"executable", "C:\\Windows\\System32\\cmd.exe"}}},
            {"attest", {{"source", "sysmon_xml"}, {"origin", "telemetry/sysmon.xml"}, {"position", "line 12"}}}};
}

inline json make_expectation(const std::string& id, const std::string& verdict, int evidence = 0) {
    json e = {{"id", id},         {"description", "expectation " + id}, {"source", "sysmon"},
              {"query", "process where process.name == \"cmd.exe\""},
              {"min_count", 1},   {"required", true},
              {"verdict", verdict}, {"count", evidence}, {"evidence", json::array()}, {"evidence_omitted", 0}};
    for (int i = 0; i < evidence; ++i)
        e["evidence"].push_back(make_event("2026-11-22T08:30:0" + std::to_string(i % 10) + ".000Z", "cmd.exe /c " + id));
    if (verdict == "missing") {
        e["reason"] = "no event matched";
        e["near_misses"] = json::array({{{"failed_clause", "process.name == \"cmd.exe\""},
                                         {"event", make_event("2026-11-22T08:30:01.000Z", "powershell.exe")}}});
    }
    return e;
}

inline json make_scenario(const std::string& guid, const std::string& technique, const std::string& verdict,
                          const std::string& target = "lab-win") {
    json s = {{"guid", guid},
              {"name", "scenario " + guid},
              {"technique", technique},
              {"tactic", "collection"},
              {"target", target},
              {"platform", "windows"},
              {"verdict", verdict},
              {"execution",
               {{"executor", "powershell"},
                {"command", "Get-ChildItem"},
                {"start", "2026-11-22T08:30:00.000Z"},
                {"end", "2026-11-22T08:30:05.000Z"},
                {"exit_code", 0},
                {"timed_out", false},
                {"stdout", "ok"},
                {"stderr", ""}}},
              {"cleanup", {{"ran", true}, {"succeeded", true}, {"exit_code", 0}, {"output", "cleaned"}}},
              {"expectations", json::array()},
              {"detections", json::array()}};
    if (verdict != "passed") s["reason"] = "reason for " + verdict + " of " + guid;
    s["expectations"].push_back(make_expectation(guid + "-e1", verdict == "passed" ? "observed" : "missing",
                                                 verdict == "passed" ? 1 : 0));
    return s;
}

inline json make_results(const std::string& run_id, const std::string& started, const json& scenarios) {
    json totals = {{"passed", 0}, {"failed", 0}, {"error", 0}, {"inconclusive", 0}, {"skipped", 0}};
    for (const auto& s : scenarios) totals[s["verdict"].get<std::string>()] = totals[s["verdict"].get<std::string>()].get<int>() + 1;
    return {{"schema", "attest.results/1"},
            {"run",
             {{"id", run_id},
              {"mode", "run"},
              {"started", started},
              {"finished", started},
              {"lab", "local"},
              {"pack", "scenarios/t1114"},
              {"attest_version", "0.1.0"}}},
            {"totals", totals},
            {"scenarios", scenarios}};
}

// Three nightly runs: the second regresses scenario g1 (passed -> failed), the third fixes it.
inline json nightly_run(int n) {
    std::string v1 = n == 2 ? "failed" : "passed";
    json scenarios = json::array({make_scenario("g1", "T1114.001", v1), make_scenario("g2", "T1114.002", "passed"),
                                  make_scenario("g3", "T1059.001", n == 1 ? "failed" : "passed")});
    return make_results("run-" + std::to_string(n), "2026-11-2" + std::to_string(n) + "T02:00:00.000Z", scenarios);
}

}  // namespace attest::reports::testing
