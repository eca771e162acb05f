#include "reports/coverage.h"

#include <set>
#include <vector>

#include "core/json.h"
#include "reports/text.h"

namespace attest::reports {
namespace {

struct Tally {
    int required = 0, observed = 0;
    std::vector<std::string> missing;    // descriptions of required ones not observed
    std::set<std::string> unconfigured;  // reasons of not_collected ones
};

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
    return out;
}

std::string verdict_of(const Tally& t) {
    if (t.observed == 0) return "blind";
    return t.observed == t.required ? "validated" : "partial";
}

std::string reason_of(const Tally& t, std::string_view verdict) {
    if (verdict == "validated")
        return std::to_string(t.observed) + " of " + std::to_string(t.required) +
               " baseline expectation(s) observed";
    if (verdict == "partial")
        return std::to_string(t.observed) + " of " + std::to_string(t.required) +
               " observed; not seen: " + join(t.missing, "; ");
    std::vector<std::string> why(t.unconfigured.begin(), t.unconfigured.end());
    if (!t.missing.empty())
        why.insert(why.begin(), "nothing of its process tree was seen (" + t.missing.front() + ")");
    return join(why, "; ");
}

// A baseline expectation the sensor is configured to see counts (observed or missing); one it
// cannot see (not_collected, pending) only explains a blind test.
void tally(Tally& t, const nlohmann::json& e) {
    std::string verdict = text(e, "verdict");
    if (verdict == "observed" || verdict == "missing") {
        ++t.required;
        if (verdict == "observed")
            ++t.observed;
        else
            t.missing.push_back(text(e, "description", text(e, "id")));
    } else {
        t.unconfigured.insert(text(e, "source") + ": " + text(e, "reason", verdict));
    }
}

std::optional<TestCoverage> decide(const nlohmann::json& scenario) {
    Tally all;
    std::map<std::string, Tally> per_source;
    bool any = false;
    for (const auto& e : list(scenario, "expectations")) {
        if (!flag(e, "baseline")) continue;
        any = true;
        tally(all, e);
        tally(per_source[text(e, "source")], e);
    }
    std::string verdict = text(scenario, "verdict", "error");
    bool stopped = verdict == "error" || verdict == "skipped";
    // A stock test (nothing hand-written) that never ran has no baseline yet, but counts.
    bool stock = list(scenario, "expectations").empty() && list(scenario, "detections").empty();
    if (!any && !(stopped && stock)) return std::nullopt;
    TestCoverage c;
    if (stopped) {
        c.verdict = verdict;
        c.reason = text(scenario, "reason");
        return c;
    }
    c.verdict = verdict_of(all);
    c.reason = reason_of(all, c.verdict);
    for (const auto& [source, t] : per_source) c.sensors[source] = verdict_of(t);
    return c;
}

}  // namespace

bool is_measured_verdict(std::string_view verdict) {
    return verdict != "skipped" && verdict != "inconclusive";
}

int coverage_rank(std::string_view verdict) {
    if (verdict == "validated") return 3;
    if (verdict == "partial") return 2;
    if (verdict == "blind") return 1;
    return 0;
}

std::optional<TestCoverage> test_coverage(const nlohmann::json& scenario) {
    const auto& stored = member(scenario, "coverage");
    if (!stored.is_object()) return decide(scenario);
    TestCoverage c;
    c.verdict = text(stored, "verdict", "error");
    c.reason = text(stored, "reason");
    for (const auto& [source, v] : member(stored, "sensors").items())
        if (v.is_string()) c.sensors[source] = v.get<std::string>();
    return c;
}

nlohmann::json test_coverage_json(const TestCoverage& c) {
    nlohmann::json sensors = nlohmann::json::object();
    for (const auto& [source, v] : c.sensors) sensors[source] = v;
    return {{"verdict", c.verdict}, {"reason", c.reason}, {"sensors", sensors}};
}

void Coverage::add(std::string_view verdict, std::int64_t count) {
    total += count;
    if (int rank = coverage_rank(verdict); rank > 0) {
        measured += count;
        (rank == 3 ? validated : rank == 2 ? partial : blind) += count;
        if (rank == 3) passed += count;
        if (best.empty() || rank > coverage_rank(best)) best = std::string(verdict);
        if (worst.empty() || rank < coverage_rank(worst)) worst = std::string(verdict);
        return;
    }
    if (!is_measured_verdict(verdict)) return;
    measured += count;
    if (verdict == "passed") passed += count;
}

void Coverage::add_scenario(const nlohmann::json& scenario) {
    auto c = test_coverage(scenario);
    add(c ? c->verdict : text(scenario, "verdict", "error"));
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
    for (const auto& s : list(results, "scenarios")) c.add_scenario(s);
    return c;
}

std::map<std::string, Coverage> technique_coverage(const nlohmann::json& results) {
    std::map<std::string, Coverage> out;
    for (const auto& s : list(results, "scenarios")) out[text(s, "technique")].add_scenario(s);
    return out;
}

nlohmann::json coverage_summary(const nlohmann::json& results) {
    std::map<std::string, std::int64_t> counts = {
        {"validated", 0}, {"partial", 0}, {"blind", 0}, {"error", 0}, {"skipped", 0}};
    std::map<std::string, Coverage> techniques;
    for (const auto& s : list(results, "scenarios")) {
        auto c = test_coverage(s);
        if (!c) continue;
        ++counts[c->verdict];
        techniques[text(s, "technique")].add_scenario(s);
    }
    nlohmann::json per_technique = nlohmann::json::object();
    for (const auto& [id, c] : techniques)
        per_technique[id] = {
            {"best", c.best.empty() ? nlohmann::json() : nlohmann::json(c.best)},
            {"worst", c.worst.empty() ? nlohmann::json() : nlohmann::json(c.worst)},
            {"validated", c.validated},
            {"tests", c.total}};
    nlohmann::json out = nlohmann::json(counts);
    out["techniques"] = std::move(per_technique);
    return out;
}

std::string coverage_summary_text(const nlohmann::json& results) {
    nlohmann::json summary = coverage_summary(results);
    if (member(summary, "techniques").empty()) return {};
    std::string out = "coverage: " + std::to_string(integer(summary, "validated")) +
                      " validated, " + std::to_string(integer(summary, "partial")) + " partial, " +
                      std::to_string(integer(summary, "blind")) + " blind, " +
                      std::to_string(integer(summary, "error")) + " error, " +
                      std::to_string(integer(summary, "skipped")) + " skipped\n";
    for (const auto& [id, t] : summary["techniques"].items()) {
        std::string best = t["best"].is_string() ? t["best"].get<std::string>() : "-";
        std::string worst = t["worst"].is_string() ? t["worst"].get<std::string>() : "-";
        out += "  " + id + "  best " + best + ", worst " + worst + " (" +
               std::to_string(integer(t, "validated")) + " of " +
               std::to_string(integer(t, "tests")) + " validated)\n";
    }
    return out;
}

void attach_coverage(Value& scenario) {
    if (auto c = decide(value_to_json<nlohmann::json>(scenario)))
        scenario.set_key("coverage", value_from_json(test_coverage_json(*c)));
}

void attach_coverage_summary(Value& document) {
    // Only what the summary reads: technique, verdict and the scenario's stored coverage.
    nlohmann::json light = {{"scenarios", nlohmann::json::array()}};
    if (const Value* scenarios = document.get("scenarios"); scenarios && scenarios->is_array())
        for (const Value& s : scenarios->as_array()) {
            nlohmann::json one = nlohmann::json::object();
            for (const char* key : {"technique", "verdict", "coverage"})
                if (const Value* v = s.get(key)) one[key] = value_to_json<nlohmann::json>(*v);
            light["scenarios"].push_back(std::move(one));
        }
    document.set_key("coverage", value_from_json(coverage_summary(light)));
}

}  // namespace attest::reports
