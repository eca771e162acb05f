// Attire JSON, the log format of Invoke-AtomicRedTeam's Attire-ExecutionLogger (imported by
// VECTR). Field names follow that logger: attire-version, execution-data{execution-command,
// execution-id, execution-source, execution-category{name, abbreviation}, target{host, ip,
// path, user}, time-generated}, procedures[]{procedure-name, procedure-description,
// procedure-id{type, id}, mitre-technique-id, order, steps[]{order, time-start, time-stop,
// executor, command, process-id, exit-code, is-timeout, output[]{content, level, type}}}.
// Only executed scenarios (those with an "execution" member) become procedures: Attire logs
// what ran, and `attest check` runs nothing. Attire has no field for a detection outcome, so
// the purple-team result goes where VECTR imports the test case's text: procedure-description
// starts with the telemetry verdict and lists each expectation and detection with its outcome
// and evidence count.
#include <set>

#include "reports/reports.h"
#include "reports/text.h"

namespace attest::reports {

namespace {

using nlohmann::ordered_json;

ordered_json output_entries(const std::string& stdout_text, const std::string& stderr_text) {
    ordered_json out = ordered_json::array();
    if (!stdout_text.empty())
        out.push_back({{"content", valid_utf8(stdout_text)}, {"level", "STDOUT"}, {"type", "console"}});
    if (!stderr_text.empty())
        out.push_back({{"content", valid_utf8(stderr_text)}, {"level", "STDERR"}, {"type", "console"}});
    return out;
}

std::string with_reason(const nlohmann::json& item) {
    std::string reason = text(item, "reason");
    return reason.empty() ? "" : " (" + reason + ")";
}

// The VECTR-visible outcome: verdict, then one line per expectation and detection.
std::string procedure_description(const nlohmann::json& s) {
    std::string out = "attest verdict: " + text(s, "verdict", "error") + with_reason(s);
    if (has(s, "target")) out += "; target " + text(s, "target");
    const auto& exec = member(s, "execution");
    if (has(exec, "exit_code")) out += "; attack step exit code " + std::to_string(integer(exec, "exit_code"));
    for (const auto& e : list(s, "expectations")) {
        out += "\nexpectation " + text(e, "id") + (flag(e, "required", true) ? "" : " (optional)") + ": " +
               text(e, "verdict") + ", " + std::to_string(integer(e, "count")) + " matching event(s)" + with_reason(e);
    }
    for (const auto& d : list(s, "detections")) {
        bool ok = flag(d, "passed", text(d, "verdict") == "fired");
        out += "\ndetection " + text(d, "name", text(d, "rule")) + ": " + text(d, "verdict", "not_evaluated") +
               " (expected " + text(d, "expected", "fires") + ", " + (ok ? "as expected" : "NOT as expected") + "), " +
               std::to_string(integer(d, "hits")) + " hit(s)";
    }
    return out;
}

}  // namespace

std::string render_attire(const nlohmann::json& results, const RenderContext&) {
    const auto& run = member(results, "run");
    const auto& scenarios = list(results, "scenarios");

    // Attire has one target per log; several targets are listed in "host".
    std::set<std::string> hosts;
    std::string platform_user;
    for (const auto& s : scenarios)
        if (has(s, "execution") && has(s, "target")) hosts.insert(text(s, "target"));
    std::string host;
    for (const auto& h : hosts) host += (host.empty() ? "" : ",") + h;
    if (host.empty()) host = text(run, "lab");

    std::string command = "attest " + text(run, "mode", "run");
    if (has(run, "pack")) command += " " + text(run, "pack");

    ordered_json log;
    log["attire-version"] = "1.1";
    log["execution-data"] = {
        {"execution-command", valid_utf8(command)},
        {"execution-id", valid_utf8(text(run, "id"))},
        {"execution-source", "attest"},
        {"execution-category", {{"name", "Atomic Red Team"}, {"abbreviation", "ART"}}},
        {"target", {{"host", valid_utf8(host)}, {"ip", ""}, {"path", ""}, {"user", ""}}},
        {"time-generated", valid_utf8(text(run, "finished", text(run, "started")))}};

    ordered_json procedures = ordered_json::array();
    int order = 0;
    for (const auto& s : scenarios) {
        const auto& exec = member(s, "execution");
        if (!exec.is_object()) continue;
        ordered_json steps = ordered_json::array();
        steps.push_back({{"order", 1},
                         {"time-start", valid_utf8(text(exec, "start"))},
                         {"time-stop", valid_utf8(text(exec, "end"))},
                         {"executor", valid_utf8(text(exec, "executor"))},
                         {"command", valid_utf8(text(exec, "command"))},
                         {"process-id", valid_utf8(text(exec, "process_id"))},
                         {"exit-code", integer(exec, "exit_code", -1)},
                         {"is-timeout", flag(exec, "timed_out")},
                         {"output", output_entries(text(exec, "stdout"), text(exec, "stderr"))}});
        const auto& cleanup = member(s, "cleanup");
        if (flag(cleanup, "ran")) {
            steps.push_back({{"order", 2},
                             {"time-start", valid_utf8(text(cleanup, "start", text(exec, "end")))},
                             {"time-stop", valid_utf8(text(cleanup, "end", text(exec, "end")))},
                             {"executor", valid_utf8(text(cleanup, "executor", text(exec, "executor")))},
                             {"command", valid_utf8(text(cleanup, "command", "(cleanup)"))},
                             {"process-id", valid_utf8(text(cleanup, "process_id"))},
                             {"exit-code", integer(cleanup, "exit_code", -1)},
                             {"is-timeout", flag(cleanup, "timed_out")},
                             {"output", output_entries(text(cleanup, "output"), "")}});
        }
        ordered_json p;
        p["procedure-name"] = valid_utf8(text(s, "name"));
        p["procedure-description"] = valid_utf8(procedure_description(s));
        p["procedure-id"] = {{"type", "guid"}, {"id", valid_utf8(text(s, "guid"))}};
        p["mitre-technique-id"] = valid_utf8(text(s, "technique"));
        p["order"] = ++order;
        p["steps"] = std::move(steps);
        procedures.push_back(std::move(p));
    }
    log["procedures"] = std::move(procedures);
    return dump_json(log, 2) + "\n";
}

}  // namespace attest::reports
