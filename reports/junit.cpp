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
        for (const auto& nm : list(e, "near_misses"))
            lines += "  near miss, failed clause: " + text(nm, "failed_clause") + '\n';
    }
    for (const auto& d : list(scenario, "detections")) {
        if (detection_passed(d)) continue;
        lines += "detection " + text(d, "name", text(d, "rule")) + " expected " +
                 text(d, "expected", "fires") + ", got " + text(d, "verdict");
        if (has(d, "reason")) lines += ": " + text(d, "reason");
        lines += '\n';
        if (std::string siem = siem_summary(d); !siem.empty())
            lines += "  in " + siem + ": " + text(member(d, "siem"), "reason") + '\n';
    }
    return lines;
}

// The counts of a suite (and of the document): tests, failures, errors, skipped, time.
struct Totals {
    std::size_t tests = 0;
    int failed = 0, errors = 0, skipped = 0;
    std::string time;
};

Totals totals_of(const nlohmann::json& run, const nlohmann::json& scenarios) {
    std::map<std::string, int> counts;
    for (const auto& s : scenarios) ++counts[text(s, "verdict", "error")];
    Totals t;
    t.tests = scenarios.size();
    t.failed = counts["failed"];
    t.skipped = counts["skipped"] + counts["inconclusive"];
    // Unknown verdicts are written as <error>, so they count as errors.
    t.errors = static_cast<int>(scenarios.size()) - counts["passed"] - t.failed - t.skipped;
    t.time = seconds_between(text(run, "started"), text(run, "finished"));
    return t;
}

void totals_attrs(std::string& out, const Totals& t) {
    attr(out, "tests", std::to_string(t.tests));
    attr(out, "failures", std::to_string(t.failed));
    attr(out, "errors", std::to_string(t.errors));
    attr(out, "skipped", std::to_string(t.skipped));
    attr(out, "time", t.time);
}

void property(std::string& out, const std::string& name, const std::string& value) {
    out += "      <property";
    attr(out, "name", name);
    attr(out, "value", value);
    out += "/>\n";
}

// <failure>, <error> or <skipped> for a scenario that did not pass; nothing when it did.
void verdict_element(std::string& out, const nlohmann::json& s, const std::string& verdict) {
    std::string reason = text(s, "reason", verdict);
    auto with_details = [&](const char* element) {
        out += std::string("      <") + element;
        attr(out, "message", reason);
        attr(out, "type", verdict);
        out += ">";
        append_xml_text(out, failure_details(s));
        out += std::string("</") + element + ">\n";
    };
    if (verdict == "failed") {
        with_details("failure");
    } else if (verdict == "error") {
        with_details("error");
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
}

void output_element(std::string& out, const char* element, const std::string& text_value) {
    if (text_value.empty()) return;
    out += std::string("      <") + element + ">";
    append_xml_text(out, text_value);
    out += std::string("</") + element + ">\n";
}

void testcase(std::string& out, const nlohmann::json& s) {
    std::string verdict = text(s, "verdict", "error");
    std::string name = text(s, "name", text(s, "guid", "(unnamed scenario)"));
    if (has(s, "target")) name += " [" + text(s, "target") + "]";
    const auto& exec = member(s, "execution");
    out += "    <testcase";
    attr(out, "name", name);
    attr(out, "classname", text(s, "technique", "unknown"));
    attr(out, "time", seconds_between(text(exec, "start"), text(exec, "end")));
    out += ">\n";
    verdict_element(out, s, verdict);
    output_element(out, "system-out", text(exec, "stdout"));
    output_element(out, "system-err", text(exec, "stderr"));
    out += "    </testcase>\n";
}

}  // namespace

std::string render_junit(const nlohmann::json& results, const RenderContext&) {
    const auto& run = member(results, "run");
    const auto& scenarios = list(results, "scenarios");
    Totals totals = totals_of(run, scenarios);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
    attr(out, "name", "attest " + text(run, "id"));
    totals_attrs(out, totals);
    out += ">\n  <testsuite";
    attr(out, "name", text(run, "pack", "attest"));
    totals_attrs(out, totals);
    if (has(run, "started")) attr(out, "timestamp", text(run, "started"));
    if (has(run, "lab")) attr(out, "hostname", text(run, "lab"));
    out += ">\n    <properties>\n";
    for (const char* key : {"id", "mode", "lab", "pack", "attest_version"})
        if (has(run, key)) property(out, std::string("attest.run.") + key, text(run, key));
    property(out, "attest.coverage", run_coverage(results).label());
    out += "    </properties>\n";
    for (const auto& s : scenarios) testcase(out, s);
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

}  // namespace attest::reports
