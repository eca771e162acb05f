// The SIEM verdict of a detection (expectations/siem.h): one row per outcome the run can
// meet, and the scenario verdict the engine derives from it.
#include "expectations/siem.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "core/value.h"
#include "expectations/engine.h"
#include "expectations/results.h"

namespace attest::expectations {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kEnd = 1'800'000'000 * kS;  // execution end
constexpr std::int64_t kCleanup = kEnd + 10 * kS;

SiemAlert alert(std::int64_t written, std::optional<std::int64_t> original) {
    return SiemAlert{"a-" + std::to_string(written), written, original};
}

struct Row {
    const char* name;
    SiemObservation obs;
    LocalOutcome local;
    SiemVerdict verdict;
    bool passed;
    std::optional<std::int64_t> latency_ns;
};

SiemObservation obs(std::vector<SiemAlert> alerts, std::string status = "",
                    std::string error = "") {
    SiemObservation o;
    o.deadline_ns = kEnd + 60 * kS;
    o.deadline_basis = "test";
    o.polls = 4;
    o.alerts = std::move(alerts);
    o.rule_status = std::move(status);
    o.error = std::move(error);
    return o;
}

TEST(SiemVerdictTest, EachOutcome) {
    const LocalOutcome fires{true, 12, "1 hit(s)"};
    const LocalOutcome quiet{false, 12, "no event met x"};
    const LocalOutcome nothing{true, 0, "no event reached the rule"};
    const Row rows[] = {
        {"in time", obs({alert(kEnd + 30 * kS, kEnd - kS)}), fires, SiemVerdict::FiredInTime, true,
         31 * kS},
        {"at the deadline", obs({alert(kEnd + 60 * kS, kEnd)}), fires, SiemVerdict::FiredInTime,
         true, 60 * kS},
        {"late", obs({alert(kEnd + 61 * kS, kEnd)}), fires, SiemVerdict::FiredLate, false, 61 * kS},
        // The earliest alert of the run decides; one raised by the cleanup is not the run's.
        {"run's alert before cleanup's",
         obs({alert(kEnd + 50 * kS, kCleanup), alert(kEnd + 55 * kS, kEnd)}), fires,
         SiemVerdict::FiredInTime, true, 55 * kS},
        {"after cleanup", obs({alert(kEnd + 20 * kS, kCleanup + kS)}), fires,
         SiemVerdict::FiredAfterCleanup, false, 9 * kS},
        {"after cleanup, expected quiet", obs({alert(kEnd + 20 * kS, kCleanup)}), quiet,
         SiemVerdict::FiredAfterCleanup, true, 10 * kS},
        {"not fired, telemetry present", obs({}), fires, SiemVerdict::NotFiredTelemetryPresent,
         false, std::nullopt},
        {"not fired, as expected", obs({}), quiet, SiemVerdict::NotFiredTelemetryPresent, true,
         std::nullopt},
        {"fired, expected quiet", obs({alert(kEnd + kS, kEnd)}), quiet, SiemVerdict::FiredInTime,
         false, kS},
        {"not fired, telemetry absent", obs({}), nothing, SiemVerdict::NotFiredTelemetryAbsent,
         false, std::nullopt},
        {"not installed", obs({}, "not_installed"), fires, SiemVerdict::RuleNotInstalled, false,
         std::nullopt},
        {"disabled", obs({alert(kEnd + kS, kEnd)}, "disabled"), fires, SiemVerdict::RuleDisabled,
         false, std::nullopt},
        {"error", obs({}, "", "HTTP 401 security_exception: no"), fires, SiemVerdict::Error, false,
         std::nullopt},
    };
    for (const auto& row : rows) {
        SiemResult r = siem_verdict(row.obs, row.local, kCleanup);
        EXPECT_EQ(r.verdict, row.verdict) << row.name << ": " << verdict_name(r.verdict) << " "
                                          << telemetry_presence(r.verdict) << ": " << r.reason;
        EXPECT_EQ(r.passed, row.passed) << row.name;
        EXPECT_EQ(r.latency_ns, row.latency_ns) << row.name;
        EXPECT_FALSE(r.reason.empty()) << row.name;
    }
}

TEST(SiemVerdictTest, ReasonsSayWhy) {
    auto r = siem_verdict(obs({}), LocalOutcome{true, 3, "no event met process.args == \"x\""},
                          kCleanup);
    EXPECT_NE(r.reason.find("3 event(s)"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("process.args"), std::string::npos) << r.reason;
    r = siem_verdict(obs({alert(kEnd + 61 * kS, kEnd)}), LocalOutcome{}, kCleanup);
    EXPECT_NE(r.reason.find("1.0 s after the deadline (test)"), std::string::npos) << r.reason;
}

// The engine applies the observation to the detection of that rule_id and fails the scenario
// when the SIEM did not behave as expected, even though the local engine did.
TEST(SiemVerdictTest, EngineAndResults) {
    ScenarioChecks checks;
    checks.guid = "g";
    DetectionSpec d;
    d.rule = "r.eql";
    d.rule_id = "r1";
    d.query = "process where process.name == \"curl\"";
    d.profile = Profile::Sysmon;
    d.siem = "elastic";
    checks.detections.push_back(d);
    RunFacts facts;
    facts.start_ns = kEnd - kS;
    facts.end_ns = kEnd;
    facts.cleanup_start_ns = kCleanup;
    facts.collected = std::set<std::string>{"sysmon_linux"};
    facts.siem["r1"] = obs({alert(kEnd + 61 * kS, kEnd)});
    Evaluator ev;
    ev.add_scenario(checks, facts);
    Event e = parse_json_value(
        R"({"@timestamp":"2027-01-15T08:00:00.000Z","event":{"dataset":"sysmon_linux.log","category":["process"]},"process":{"name":"curl"}})");
    e.set("@timestamp", Value(format_iso8601(kEnd - kS / 2)));
    ev.feed(e);
    ev.finish();
    auto r = ev.results().front();
    ASSERT_EQ(r.detections.size(), 1u);
    EXPECT_EQ(verdict_name(r.detections[0].verdict), "fired");
    ASSERT_TRUE(r.detections[0].siem);
    EXPECT_EQ(verdict_name(r.verdict), "failed");
    EXPECT_EQ(r.reason, "r1 in elastic: fired_late");
    Value v = scenario_to_json(r);
    const Value* siem = v.find("detections")->as_array()[0].find("siem");
    ASSERT_NE(siem, nullptr);
    EXPECT_EQ(siem->find("verdict")->as_string(), "fired_late");
    EXPECT_EQ(siem->find("latency_seconds")->as_double(), 61.0);
    EXPECT_EQ(siem->find("alert.original_time")->as_string(), format_iso8601(kEnd, 3));
}

}  // namespace
// The names results.json carries are the spec's (../shared/spec/scenarios.md).
TEST(SiemVerdict, NamesAreTheSpecsVocabulary) {
    struct Row {
        SiemVerdict v;
        const char* name;
        const char* telemetry;
    };
    for (const Row& row :
         {Row{SiemVerdict::FiredInTime, "fired", ""}, Row{SiemVerdict::FiredLate, "fired_late", ""},
          Row{SiemVerdict::FiredAfterCleanup, "fired_after_cleanup", ""},
          Row{SiemVerdict::NotFiredTelemetryPresent, "not_fired", "present"},
          Row{SiemVerdict::NotFiredTelemetryAbsent, "not_fired", "absent"},
          Row{SiemVerdict::RuleNotInstalled, "rule_missing", ""},
          Row{SiemVerdict::RuleDisabled, "rule_missing", ""},
          Row{SiemVerdict::Error, "error", ""}}) {
        EXPECT_EQ(verdict_name(row.v), row.name);
        EXPECT_EQ(telemetry_presence(row.v), row.telemetry) << row.name;
    }
}

}  // namespace attest::expectations
