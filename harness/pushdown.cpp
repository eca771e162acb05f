#include "harness/pushdown.h"

#include <algorithm>

#include "expectations/eql/eql.h"
#include "expectations/eql/rule.h"

namespace attest::cli {
namespace {

using namespace attest::expectations;

constexpr std::size_t kMaxSize = 10000;  // Elasticsearch's default max_result_window

// Why an EQL query's hits cannot stand for the window's; empty when they can.
std::string query_obstacle(const std::string& text) {
    auto q = eql::compile(text, "pushdown", {});
    if (!q) return "it does not compile";
    if (eql::query_kind(**q) == eql::QueryKind::Sample) return "a sample query";
    // Conservative: the word anywhere (even in a string) keeps the query local.
    if (text.find("until") != std::string::npos) return "a sequence with until";
    return "";
}

// The query of a detection Elasticsearch can answer, or why it cannot.
std::string detection_query(const DetectionSpec& d, std::string& why) {
    if (!d.expect_fires) return why = "it must not fire (needs every event)", "";
    if (d.informational) return why = "a --rules rule (which of them fire needs every event)", "";
    if (d.language != "eql") return why = "a " + d.language + " rule", "";
    if (!d.load_error.empty()) return why = "its rule did not load", "";
    if (!d.loaded) return d.query;
    const eql::Rule& r = *d.loaded;
    if (r.language != "eql") return why = "a " + r.language + " rule", "";
    if (!r.filters.empty()) return why = "rule exceptions", "";
    if (r.threshold || !r.new_terms_fields.empty() || (!r.type.empty() && r.type != "eql"))
        return why = "a " + r.type + " rule", "";
    return r.query;
}

// Adds one scenario's queries; false (with `plan.not_possible`) at the first that cannot go.
bool add_scenario(PushdownPlan& plan, const PreparedCheck& prepared) {
    const auto& [checks, facts] = prepared;
    auto fail = [&](const std::string& what, const std::string& why) {
        plan.not_possible = checks.name + ": " + what + ": " + why;
        return false;
    };
    if (!facts.preset_verdict.empty())
        return fail("the run", "verdict already " + facts.preset_verdict);
    auto run_facts = placeholder_facts(facts);
    for (const auto& e : checks.expectations) {
        if (e.lineage) return fail("expectation " + e.id, "bound to the test's process tree");
        auto q = substitute_query(e.query, facts.arguments, run_facts);
        if (!q) return fail("expectation " + e.id, q.error().message);
        if (auto why = query_obstacle(*q); !why.empty()) return fail("expectation " + e.id, why);
        plan.size = std::max<std::size_t>(plan.size, e.min_count);
        plan.queries.push_back(*q);
    }
    for (const auto& d : checks.detections) {
        std::string why;
        std::string q = detection_query(d, why);
        if (why.empty()) why = query_obstacle(q);
        if (!why.empty()) return fail("rule " + d.rule_id, why);
        plan.queries.push_back(q);
    }
    return true;
}

}  // namespace

PushdownPlan plan_pushdown(const std::vector<PreparedCheck>& checks) {
    PushdownPlan plan;
    for (const auto& c : checks)
        if (!add_scenario(plan, c)) return plan;
    if (plan.queries.empty()) plan.not_possible = "no checks to push down";
    if (plan.size > kMaxSize) plan.not_possible = "a min_count above 10,000";
    std::sort(plan.queries.begin(), plan.queries.end());
    plan.queries.erase(std::unique(plan.queries.begin(), plan.queries.end()), plan.queries.end());
    return plan;
}

}  // namespace attest::cli
