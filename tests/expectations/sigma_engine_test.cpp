// Sigma rules as pack detections in the verdict engine: fired / not_fired with near misses,
// and not_evaluated (not_collected) for a logsource no collector supplies.
#include <gtest/gtest.h>

#include "core/json.h"
#include "expectations/engine.h"

namespace attest::expectations {
namespace {

const char* kRule =
    "title: Inbox rule via PowerShell\nid: 04580eed-e1d6-426b-a570-f6e64a4577f7\nlevel: medium\n"
    "tags:\n    - attack.t1114.003\nlogsource:\n    product: windows\n    category: ps_script\n"
    "detection:\n    selection_cmdlet:\n        ScriptBlockText|contains: 'New-InboxRule'\n"
    "    selection_params:\n        ScriptBlockText|contains: 'DeleteMessage'\n    condition: all "
    "of selection_*\n";

DetectionSpec sigma_spec(const std::string& path, const std::string& text) {
    DetectionSpec d;
    d.rule = path;
    d.language = "sigma";
    d.query = text;
    d.profile = Profile::Sysmon;
    return d;
}

ScenarioResult evaluate(DetectionSpec d, std::vector<Event> events) {
    ScenarioChecks c;
    c.guid = "g";
    c.detections.push_back(std::move(d));
    Evaluator ev;
    ev.add_scenario(c, {});
    for (auto& e : events) ev.feed(e);
    ev.finish();
    return ev.results().at(0);
}

DetectionResult detect(const std::string& rule, const std::string& script) {
    DetectionSpec d = sigma_spec("rules/r.yml", rule);
    d.sources = {"powershell"};
    Event e = parse_json_value(
        R"({"@timestamp":"2026-01-01T10:00:00Z","event":{"dataset":"windows.powershell_operational","code":"4104"},)"
        R"("host":{"name":"ws1"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_id":4104,)"
        R"("event_data":{"ScriptBlockText":")" +
        script + R"("}}})");
    return evaluate(d, {e}).detections.at(0);
}

TEST(SigmaDetection, FiresAndNamesTheMissingItem) {
    auto hit = detect(kRule, "New-InboxRule -Name x -DeleteMessage $true");
    EXPECT_EQ(hit.verdict, DetectionVerdict::Fired) << hit.reason;
    auto miss = detect(kRule, "New-InboxRule -Name x -MarkAsRead $true");
    EXPECT_EQ(miss.verdict, DetectionVerdict::NotFired);
    EXPECT_EQ(miss.reason,
              "no event met selection_params: ScriptBlockText|contains: DeleteMessage");
    ASSERT_EQ(miss.near_misses.size(), 1u);
}

TEST(SigmaDetection, UnsuppliedLogsourceIsNotCollected) {
    DetectionSpec d = sigma_spec(
        "rules/mac.yml",
        "title: mac\nlogsource:\n    product: macos\n    category: process_creation\n"
        "detection:\n    sel:\n        Image|endswith: '/launchctl'\n    condition: sel\n");
    d.unsupplied_logsource = "product=macos category=process_creation";
    const auto r = evaluate(d, {}).detections.at(0);
    EXPECT_EQ(r.verdict, DetectionVerdict::NotEvaluated);
    EXPECT_EQ(r.reason,
              "not_collected: no source attest reads supplies the Sigma logsource product=macos "
              "category=process_creation");
}

TEST(SigmaDetection, LoadErrorMakesTheScenarioAnError) {
    const auto r = evaluate(
        sigma_spec(
            "rules/bad.yml",
            "title: bad\ndetection:\n    sel:\n        Image|re|contains: x\n    condition: sel\n"),
        {});
    EXPECT_EQ(r.verdict, ScenarioVerdict::Error);
    EXPECT_NE(r.reason.find(
                  "rules/bad.yml:4:9: detection.sel.Image|re|contains: contradictory modifiers"),
              std::string::npos)
        << r.reason;
}

}  // namespace
}  // namespace attest::expectations
