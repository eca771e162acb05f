#include <gtest/gtest.h>

#include "expectations/attack_tactics.h"
#include "expectations/results.h"
#include "reports/coverage.h"
#include "reports/history.h"
#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

const json* find_technique(const json& layer, const std::string& id,
                           const std::string& tactic = "collection") {
    for (const auto& t : layer["techniques"])
        if (t["techniqueID"] == id && t.value("tactic", "") == tactic) return &t;
    return nullptr;
}

TEST(Navigator, LayerHasTheFieldsNavigatorRequires) {
    json layer = json::parse(render_navigator(load_fixture("results-basic.json"), {}));
    EXPECT_EQ(layer["name"], "attest 20261122T083000Z-3f2a");
    EXPECT_EQ(layer["domain"], "enterprise-attack");
    EXPECT_EQ(layer["versions"]["layer"], "4.5");
    EXPECT_TRUE(layer["versions"]["attack"].is_string());
    EXPECT_TRUE(layer["versions"]["navigator"].is_string());
    ASSERT_TRUE(layer["gradient"].is_object());
    EXPECT_EQ(layer["gradient"]["colors"].size(), 3u);
    EXPECT_EQ(layer["gradient"]["minValue"], 0);
    EXPECT_EQ(layer["gradient"]["maxValue"], 100);
    ASSERT_TRUE(layer["legendItems"].is_array());
    for (const auto& item : layer["legendItems"]) {
        EXPECT_TRUE(item["label"].is_string());
        EXPECT_TRUE(item["color"].get<std::string>().starts_with("#"));
    }
    for (const auto& t : layer["techniques"]) {
        EXPECT_TRUE(t["techniqueID"].is_string());
        EXPECT_TRUE(t["enabled"].is_boolean());
        EXPECT_TRUE(t["comment"].is_string());
        if (t.contains("score")) {
            EXPECT_TRUE(t["score"].is_number());
        }
    }
}

TEST(Navigator, ScoresAndColoursPerTechnique) {
    json layer = json::parse(render_navigator(load_fixture("results-basic.json"), {}));
    // T1114.001: one passed, one failed -> 50, partial colour.
    const json* sub1 = find_technique(layer, "T1114.001");
    ASSERT_TRUE(sub1);
    EXPECT_EQ((*sub1)["score"], 50);
    EXPECT_EQ((*sub1)["color"], "#ffe766");
    EXPECT_NE(
        (*sub1)["comment"].get<std::string>().find("failed: Archive mailbox with tar [linux-lab]"),
        std::string::npos);
    // T1114.002: one error (evaluated, not passed), one inconclusive (not evaluated) -> 0.
    const json* sub2 = find_technique(layer, "T1114.002");
    ASSERT_TRUE(sub2);
    EXPECT_EQ((*sub2)["score"], 0);
    EXPECT_EQ((*sub2)["color"], "#ff6666");
    // T1114 (parent) only has a skipped scenario: no score, grey, and it opens its sub-techniques.
    const json* parent = find_technique(layer, "T1114");
    ASSERT_TRUE(parent);
    EXPECT_FALSE(parent->contains("score"));
    EXPECT_EQ((*parent)["color"], "#c8c8c8");
    EXPECT_EQ((*parent)["showSubtechniques"], true);
}

TEST(Navigator, ParentEntryAddedForSubTechniquesAndBadIdsLeftOut) {
    json a = make_scenario("g1", "T1059.001", "passed");
    a["tactic"] = "Execution";
    json b = make_scenario("g2", "<script>", "failed");
    json layer = json::parse(
        render_navigator(make_results("r", "2026-11-22T00:00:00Z", json::array({a, b})), {}));
    const json* sub = find_technique(layer, "T1059.001", "execution");
    ASSERT_TRUE(sub);
    EXPECT_EQ((*sub)["score"], 100);
    EXPECT_EQ((*sub)["color"], "#8ec843");
    const json* parent = find_technique(layer, "T1059", "execution");
    ASSERT_TRUE(parent);
    EXPECT_EQ((*parent)["showSubtechniques"], true);
    EXPECT_EQ(layer["techniques"].size(), 2u);
    EXPECT_NE(layer["description"].get<std::string>().find("Not shown (no ATT&CK technique id): 1"),
              std::string::npos);
}

// The issue's bug: every scenario's tactic was "collection". A T1082 scenario, taken through
// the real results writer with the tactics its checks get from the shipped table, lands on
// "discovery" only.
TEST(Navigator, TechniqueGetsItsOwnTacticsNeverCollectionByDefault) {
    expectations::ScenarioResult r;
    r.checks.guid = "g-1082";
    r.checks.name = "System Information Discovery";
    r.checks.technique = "T1082";
    r.checks.tactics = expectations::tactics_for_technique("T1082");
    r.verdict = expectations::ScenarioVerdict::Passed;
    expectations::ScenarioResult unknown = r;
    unknown.checks.guid = "g-unknown";
    unknown.checks.technique = "T1999";
    unknown.checks.tactics = expectations::tactics_for_technique("T1999");
    std::vector<Value> scenarios = {expectations::scenario_to_json(r),
                                    expectations::scenario_to_json(unknown)};
    Value doc = expectations::results_document(Value::object(), std::move(scenarios));
    std::string text;
    doc.append_json(text);
    json layer = json::parse(render_navigator(json::parse(text), {}));
    std::vector<std::string> tactics_1082;
    for (const auto& t : layer["techniques"]) {
        EXPECT_NE(t.value("tactic", ""), "collection") << t.dump();
        if (t["techniqueID"] == "T1082") tactics_1082.push_back(t.value("tactic", ""));
        // Unknown to the table: an entry without a tactic, not a guessed one.
        if (t["techniqueID"] == "T1999") {
            EXPECT_FALSE(t.contains("tactic")) << t.dump();
        }
    }
    EXPECT_EQ(tactics_1082, std::vector<std::string>{"discovery"});
}

TEST(Navigator, ATechniqueWithSeveralTacticsGetsAnEntryForEach) {
    json s = make_scenario("g1", "T1053.005", "passed");
    s.erase("tactic");
    s["tactics"] = {"execution", "persistence", "privilege-escalation"};
    json layer = json::parse(
        render_navigator(make_results("r", "2026-11-22T00:00:00Z", json::array({s})), {}));
    for (const char* tactic : {"execution", "persistence", "privilege-escalation"})
        EXPECT_TRUE(find_technique(layer, "T1053.005", tactic)) << tactic;
    EXPECT_FALSE(find_technique(layer, "T1053.005", "collection"));
}

// Coverage is defined once (reports/coverage.h): the Navigator layer, the JUnit file, the
// Attire log and the history give the same figure for the same run, inconclusive and skipped
// scenarios counted as not measured everywhere.
TEST(Coverage, SameFigureInNavigatorJunitAttireAndHistory) {
    json results = load_fixture("results-basic.json");
    Coverage expected = run_coverage(results);
    ASSERT_GT(expected.measured, 0);
    ASSERT_LT(expected.measured, expected.total)
        << "the fixture must have unmeasured scenarios to tell definitions apart";

    json layer = json::parse(render_navigator(results, {}));
    std::string navigator;
    for (const auto& m : layer["metadata"])
        if (m["name"] == "attest.coverage") navigator = m["value"];
    EXPECT_EQ(navigator, expected.label());

    std::string junit = render_junit(results, {});
    EXPECT_NE(junit.find("name=\"attest.coverage\" value=\"" + expected.label() + "\""),
              std::string::npos)
        << junit;

    // Attire states each procedure's verdict; the same definition over those verdicts.
    json attire = json::parse(render_attire(results, {}));
    Coverage from_attire;
    for (const auto& p : attire["procedures"]) {
        std::string d = p["procedure-description"];
        std::string verdict =
            d.substr(16, d.find_first_of(" ;\n(", 16) - 16);  // after "attest verdict: "
        from_attire.add(verdict);
    }
    Coverage executed;
    for (const auto& s : results["scenarios"])
        if (s.contains("execution")) executed.add(s["verdict"].get<std::string>());
    EXPECT_EQ(from_attire.label(), executed.label());

    auto dir =
        std::filesystem::temp_directory_path() / ("attest-coverage-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(record_run(dir / "h.sqlite", results));
    auto db = HistoryDb::open(dir / "h.sqlite", false);
    ASSERT_TRUE(db);
    auto runs = db->runs();
    ASSERT_TRUE(runs && runs->size() == 1u);
    EXPECT_EQ(runs->front().coverage().label(), expected.label());
    std::filesystem::remove_all(dir);
}

TEST(Coverage, NotMeasuredIsNotZero) {
    Coverage c;
    c.add("skipped");
    c.add("inconclusive");
    EXPECT_FALSE(c.percent());
    EXPECT_EQ(c.label(), "n/a (nothing measured)");
    c.add("passed");
    c.add("failed");
    c.add("no-such-verdict");  // counts as measured, never as passed
    EXPECT_EQ(c.label(), "33% (1 of 3 measured)");
}

}  // namespace
}  // namespace attest::reports
