#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

const json* find_technique(const json& layer, const std::string& id, const std::string& tactic = "collection") {
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
        if (t.contains("score")) EXPECT_TRUE(t["score"].is_number());
    }
}

TEST(Navigator, ScoresAndColoursPerTechnique) {
    json layer = json::parse(render_navigator(load_fixture("results-basic.json"), {}));
    // T1114.001: one passed, one failed -> 50, partial colour.
    const json* sub1 = find_technique(layer, "T1114.001");
    ASSERT_TRUE(sub1);
    EXPECT_EQ((*sub1)["score"], 50);
    EXPECT_EQ((*sub1)["color"], "#ffe766");
    EXPECT_NE((*sub1)["comment"].get<std::string>().find("failed: Archive mailbox with tar [linux-lab]"), std::string::npos);
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
    json layer = json::parse(render_navigator(make_results("r", "2026-11-22T00:00:00Z", json::array({a, b})), {}));
    const json* sub = find_technique(layer, "T1059.001", "execution");
    ASSERT_TRUE(sub);
    EXPECT_EQ((*sub)["score"], 100);
    EXPECT_EQ((*sub)["color"], "#8ec843");
    const json* parent = find_technique(layer, "T1059", "execution");
    ASSERT_TRUE(parent);
    EXPECT_EQ((*parent)["showSubtechniques"], true);
    EXPECT_EQ(layer["techniques"].size(), 2u);
    EXPECT_NE(layer["description"].get<std::string>().find("Not shown (no ATT&CK technique id): 1"), std::string::npos);
}

}  // namespace
}  // namespace attest::reports
