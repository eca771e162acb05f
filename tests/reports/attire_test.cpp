#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

template <class Json>
std::vector<std::string> keys(const Json& j) {
    std::vector<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
    return out;
}

using Keys = std::vector<std::string>;

TEST(Attire, FieldNamesFollowTheAttireFormat) {
    // ordered_json keeps the writer's member order, which follows the Attire logger's.
    auto log = nlohmann::ordered_json::parse(render_attire(load_fixture("results-basic.json"), {}));
    EXPECT_EQ(keys(log), (Keys{"attire-version", "execution-data", "procedures"}));
    const auto& data = log["execution-data"];
    EXPECT_EQ(keys(data), (Keys{"execution-command", "execution-id", "execution-source", "execution-category", "target",
                                "time-generated"}));
    EXPECT_EQ(keys(data["execution-category"]), (Keys{"name", "abbreviation"}));
    EXPECT_EQ(keys(data["target"]), (Keys{"host", "ip", "path", "user"}));
    EXPECT_EQ(data["execution-id"], "20261122T083000Z-3f2a");
    EXPECT_EQ(data["execution-category"]["abbreviation"], "ART");
    EXPECT_EQ(data["time-generated"], "2026-11-22T08:31:10.000Z");

    // Only the two executed scenarios become procedures.
    ASSERT_EQ(log["procedures"].size(), 2u);
    const auto& p = log["procedures"][0];
    EXPECT_EQ(keys(p), (Keys{"procedure-name", "procedure-description", "procedure-id", "mitre-technique-id", "order", "steps"}));
    EXPECT_EQ(keys(p["procedure-id"]), (Keys{"type", "id"}));
    EXPECT_EQ(p["procedure-id"]["type"], "guid");
    EXPECT_EQ(p["procedure-id"]["id"], "a1b2c3d4-0001");
    EXPECT_EQ(p["mitre-technique-id"], "T1114.001");
    EXPECT_EQ(p["order"], 1);
    ASSERT_EQ(p["steps"].size(), 2u);  // execution + cleanup
    const auto& step = p["steps"][0];
    EXPECT_EQ(keys(step), (Keys{"order", "time-start", "time-stop", "executor", "command", "process-id", "exit-code",
                                "is-timeout", "output"}));
    EXPECT_EQ(step["executor"], "powershell");
    EXPECT_EQ(step["exit-code"], 0);
    EXPECT_EQ(step["is-timeout"], false);
    EXPECT_EQ(step["process-id"], "4242");
    ASSERT_EQ(step["output"].size(), 1u);
    EXPECT_EQ(keys(step["output"][0]), (Keys{"content", "level", "type"}));
    EXPECT_EQ(step["output"][0]["content"], "copied 1 file");
    EXPECT_EQ(step["output"][0]["level"], "STDOUT");

    const auto& failed = log["procedures"][1];
    EXPECT_EQ(failed["order"], 2);
    EXPECT_NE(failed["procedure-description"].get<std::string>().find("attest verdict: failed"), std::string::npos);
    EXPECT_EQ(failed["steps"][0]["output"][0]["level"], "STDERR");
    EXPECT_EQ(failed["steps"][1]["exit-code"], 1);
}

TEST(Attire, InvalidUtf8InOutputStillGivesValidJson) {
    json s = make_scenario("g1", "T1059.001", "passed");
    s["execution"]["stdout"] = "bytes \xff\xfe end";
    std::string out = render_attire(make_results("r", "2026-11-22T00:00:00Z", json::array({s})), {});
    auto log = json::parse(out);  // throws on invalid UTF-8
    EXPECT_EQ(log["procedures"][0]["steps"][0]["output"][0]["content"], "bytes \xEF\xBF\xBD\xEF\xBF\xBD end");
}

// The purple-team result reaches VECTR: procedure-description (imported as the test case's
// description) carries the verdict, each expectation and each detection with its outcome and
// evidence count; an empty reason leaves no "()".
TEST(Attire, DescriptionCarriesDetectionOutcomesAndEvidence) {
    auto log = json::parse(render_attire(load_fixture("results-basic.json"), {}));
    std::string passed = log["procedures"][0]["procedure-description"];
    EXPECT_TRUE(passed.starts_with("attest verdict: passed")) << passed;
    EXPECT_EQ(passed.find("()"), std::string::npos) << passed;
    EXPECT_NE(passed.find("matching event(s)"), std::string::npos) << passed;
    EXPECT_NE(passed.find("detection "), std::string::npos) << passed;
    EXPECT_NE(passed.find("fired (expected fires, as expected), 1 hit(s)"), std::string::npos) << passed;
    std::string failed = log["procedures"][1]["procedure-description"];
    EXPECT_NE(failed.find("not_fired (expected fires, NOT as expected)"), std::string::npos) << failed;
    EXPECT_NE(failed.find("(optional): missing"), std::string::npos) << failed;

    json bare = make_scenario("g1", "T1059.001", "passed");
    bare.erase("reason");
    auto one = json::parse(render_attire(make_results("r", "2026-11-22T00:00:00Z", json::array({bare})), {}));
    EXPECT_EQ(one["procedures"][0]["procedure-description"].get<std::string>().find("()"), std::string::npos);
}

}  // namespace
}  // namespace attest::reports
