#include "reports/coverage.h"

#include "reports/text.h"

namespace attest::reports {

bool is_measured_verdict(std::string_view verdict) {
    return verdict != "skipped" && verdict != "inconclusive";
}

void Coverage::add(std::string_view verdict, std::int64_t count) {
    total += count;
    if (!is_measured_verdict(verdict)) return;
    measured += count;
    if (verdict == "passed") passed += count;
}

std::optional<double> Coverage::percent() const {
    if (measured == 0) return std::nullopt;
    return 100.0 * static_cast<double>(passed) / static_cast<double>(measured);
}

std::optional<int> Coverage::rounded() const {
    auto p = percent();
    if (!p) return std::nullopt;
    return static_cast<int>(*p + 0.5);
}

std::string Coverage::label() const {
    auto r = rounded();
    if (!r) return "n/a (nothing measured)";
    return std::to_string(*r) + "% (" + std::to_string(passed) + " of " + std::to_string(measured) +
           " measured)";
}

Coverage run_coverage(const nlohmann::json& results) {
    Coverage c;
    for (const auto& s : list(results, "scenarios")) c.add(text(s, "verdict", "error"));
    return c;
}

std::map<std::string, Coverage> technique_coverage(const nlohmann::json& results) {
    std::map<std::string, Coverage> out;
    for (const auto& s : list(results, "scenarios"))
        out[text(s, "technique")].add(text(s, "verdict", "error"));
    return out;
}

}  // namespace attest::reports
