// Coverage, defined once for every output (Navigator score, JUnit property, Attire description,
// history trend, HTML header, terminal summary, results.json).
//
// A scenario's own telemetry verdict: of the scenarios whose telemetry was measured, the share
// that passed. "Measured" is every verdict except skipped and inconclusive (the telemetry was
// not there to judge); an unknown verdict from a newer schema counts as measured and not
// passed, so it never makes coverage look better.
//
// The coverage verdict of a test with baseline expectations (scenarios/baseline.h), beside
// error and skipped:
//   validated  every baseline expectation its sensors are configured to see was observed;
//   partial    some were;
//   blind      the test executed and none was: nothing of its process tree was seen (the
//              reason says why: the sensor's configuration logs no process start, or the
//              events never came).
// Such a test counts as passed when validated (so the Navigator score is the share validated).
// Per technique: the best and the worst of its tests.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/value.h"

namespace attest::reports {

bool is_measured_verdict(std::string_view verdict);

// One test's coverage verdict (validated | partial | blind | error | skipped), with the reason,
// overall and per sensor (source name -> verdict).
struct TestCoverage {
    std::string verdict;
    std::string reason;
    std::map<std::string, std::string> sensors;
};

// The coverage verdict of a results.json scenario: the stored `coverage` when present, else
// decided from its baseline expectations; nullopt when it has none (a test judged by
// hand-written expectations only).
std::optional<TestCoverage> test_coverage(const nlohmann::json& scenario);
// The stored form, {"verdict", "reason", "sensors"}, as results.json carries it.
nlohmann::json test_coverage_json(const TestCoverage& c);
// Order of coverage verdicts, best first; 0 for error / skipped (no telemetry judged).
int coverage_rank(std::string_view verdict);

struct Coverage {
    std::int64_t passed = 0, measured = 0, total = 0;
    // Tests judged on baseline expectations, by coverage verdict.
    std::int64_t validated = 0, partial = 0, blind = 0;
    std::string best, worst;  // coverage verdicts (validated > partial > blind)

    // A scenario verdict, or a coverage verdict (validated counts as passed).
    void add(std::string_view verdict, std::int64_t count = 1);
    // A results.json scenario: its coverage verdict when it has one, else its verdict.
    void add_scenario(const nlohmann::json& scenario);
    // 0..100, or nullopt when nothing was measured ("not measured" is not 0%).
    std::optional<double> percent() const;
    // The percentage rounded half up, as every output prints it; nullopt when unmeasured.
    std::optional<int> rounded() const;
    // "67% (2 of 3 measured)" or "n/a (nothing measured)".
    std::string label() const;
};

// Whole-run coverage and coverage per technique id of a results document.
Coverage run_coverage(const nlohmann::json& results);
std::map<std::string, Coverage> technique_coverage(const nlohmann::json& results);
// results.json's top-level `coverage`: counts per coverage verdict and, per technique, the best
// and worst verdict of its tests.
nlohmann::json coverage_summary(const nlohmann::json& results);
// What the writers of results.json call: `coverage` on a scenario that has baseline
// expectations, and the top-level summary on the document.
void attach_coverage(Value& scenario);
void attach_coverage_summary(Value& document);
// The terminal lines of that summary (empty when no test had baseline expectations).
std::string coverage_summary_text(const nlohmann::json& results);

}  // namespace attest::reports
