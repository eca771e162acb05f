// JUnit XML for CI: one <testcase> per scenario x target, classname = technique.
// failed -> <failure>, error -> <error>, skipped -> <skipped>; inconclusive (telemetry not
// collected or still pending) -> <skipped message="inconclusive: ..."> because it is neither a
// pass nor a proven failure (attest's exit code still reports it).
#include <cstdio>
#include <map>

#include "core/timeutil.h"
#include "reports/coverage.h"
#include "reports/reports.h"
#include "reports/text.h"

namespace attest::reports {

namespace {

std::string seconds_between(const std::string& start, const std::string& end) {
    auto a = parse_iso8601_ns(start), b = parse_iso8601_ns(end);
    if (!a || !b || *b < *a) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(*b - *a) / 1e9);
    return buf;
}

void attr(std::string& out, const char* name, const std::string& value) {
    out += ' ';
    out += name;
    out += "=\"";
    append_xml_attr(out, value);
    out += '"';
}

// The unmet expectations and detections, one per line, for the failure body.
std::string failure_details(const nlohmann::json& scenario) {
    std::string lines;
    for (const auto& e : list(scenario, "expectations")) {
        std::string verdict = text(e, "verdict");
        if (verdict == "observed") continue;
        lines += "expectation " + text(e, "id") + " " + verdict;
        if (!flag(e, "required", true)) lines += " (optional)";
        if (has(e, "reason")) lines += ": " + text(e, "reason");
        lines += '\n';
        for (const auto& nm : list(e, "near_misses")) lines += "  near miss, failed clause: " + text(nm, "failed_clause") + '\n';
    }
    for (const auto& d : list(scenario, "detections")) {
        if (detection_passed(d)) continue;
        lines += "detection " + text(d, "name", text(d, "rule")) + " expected " + text(d, "expected", "fires") +
                 ", got " + text(d, "verdict");
        if (has(d, "reason")) lines += ": " + text(d, "reason");
        lines += '\n';
        if (std::string siem = siem_summary(d); !siem.empty())
            lines += "  in " + siem + ": " + text(member(d, "siem"), "reason") + '\n';
    }
    return lines;
}

}  // namespace

std::string render_junit(const nlohmann::json& results, const RenderContext&) {
    const auto& run = member(results, "run");
    const auto& scenarios = list(results, "scenarios");
    std::map<std::string, int> counts;
    for (const auto& s : scenarios) ++counts[text(s, "verdict", "error")];
    int skipped = counts["skipped"] + counts["inconclusive"];
    // Unknown verdicts are written as <error>, so they count as errors.
    int errors = static_cast<int>(scenarios.size()) - counts["passed"] - counts["failed"] - skipped;
    std::string total_time = seconds_between(text(run, "started"), text(run, "finished"));
    std::string suite_name = text(run, "pack", "attest");

    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
    attr(out, "name", "attest " + text(run, "id"));
    attr(out, "tests", std::to_string(scenarios.size()));
    attr(out, "failures", std::to_string(counts["failed"]));
    attr(out, "errors", std::to_string(errors));
    attr(out, "skipped", std::to_string(skipped));
    attr(out, "time", total_time);
    out += ">\n  <testsuite";
    attr(out, "name", suite_name);
    attr(out, "tests", std::to_string(scenarios.size()));
    attr(out, "failures", std::to_string(counts["failed"]));
    attr(out, "errors", std::to_string(errors));
    attr(out, "skipped", std::to_string(skipped));
    attr(out, "time", total_time);
    if (has(run, "started")) attr(out, "timestamp", text(run, "started"));
    if (has(run, "lab")) attr(out, "hostname", text(run, "lab"));
    out += ">\n    <properties>\n";
    for (const char* key : {"id", "mode", "lab", "pack", "attest_version"}) {
        if (!has(run, key)) continue;
        out += "      <property";
        attr(out, "name", std::string("attest.run.") + key);
        attr(out, "value", text(run, key));
        out += "/>\n";
    }
    out += "      <property";
    attr(out, "name", "attest.coverage");
    attr(out, "value", run_coverage(results).label());
    out += "/>\n    </properties>\n";

    for (const auto& s : scenarios) {
        std::string verdict = text(s, "verdict", "error");
        std::string name = text(s, "name", text(s, "guid", "(unnamed scenario)"));
        if (has(s, "target")) name += " [" + text(s, "target") + "]";
        const auto& exec = member(s, "execution");
        out += "    <testcase";
        attr(out, "name", name);
        attr(out, "classname", text(s, "technique", "unknown"));
        attr(out, "time", seconds_between(text(exec, "start"), text(exec, "end")));
        out += ">\n";
        std::string reason = text(s, "reason", verdict);
        if (verdict == "failed") {
            out += "      <failure";
            attr(out, "message", reason);
            attr(out, "type", "failed");
            out += ">";
            append_xml_text(out, failure_details(s));
            out += "</failure>\n";
        } else if (verdict == "error") {
            out += "      <error";
            attr(out, "message", reason);
            attr(out, "type", "error");
            out += ">";
            append_xml_text(out, failure_details(s));
            out += "</error>\n";
        } else if (verdict == "skipped" || verdict == "inconclusive") {
            out += "      <skipped";
            attr(out, "message", verdict == "inconclusive" ? "inconclusive: " + reason : reason);
            out += "/>\n";
        } else if (verdict != "passed") {
            // An unknown verdict from a newer schema is not silently green.
            out += "      <error";
            attr(out, "message", "unknown verdict '" + verdict + "': " + reason);
            attr(out, "type", "unknown");
            out += "/>\n";
        }
        std::string stdout_text = text(exec, "stdout"), stderr_text = text(exec, "stderr");
        if (!stdout_text.empty()) {
            out += "      <system-out>";
            append_xml_text(out, stdout_text);
            out += "</system-out>\n";
        }
        if (!stderr_text.empty()) {
            out += "      <system-err>";
            append_xml_text(out, stderr_text);
            out += "</system-err>\n";
        }
        out += "    </testcase>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

}  // namespace attest::reports
