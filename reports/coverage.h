// Coverage, defined once for every output (Navigator score, JUnit property, Attire description,
// history trend, HTML header): of the scenarios whose telemetry was measured, the share that
// passed. "Measured" is every verdict except skipped and inconclusive (the telemetry was not
// there to judge); an unknown verdict from a newer schema counts as measured and not passed,
// so it never makes coverage look better.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace attest::reports {

bool is_measured_verdict(std::string_view verdict);

struct Coverage {
    std::int64_t passed = 0, measured = 0, total = 0;

    void add(std::string_view verdict, std::int64_t count = 1);
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

}  // namespace attest::reports
