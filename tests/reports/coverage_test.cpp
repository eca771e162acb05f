#include "reports/coverage.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "reports/history.h"
#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using nlohmann::json;

// A baseline expectation as results.json carries it.
json baseline(const std::string& id, const std::string& source, const std::string& verdict,
              const std::string& reason = "") {
    return {{"id", id},         {"description", source + ": execve of `" + id + "`"},
            {"source", source}, {"required", true},
            {"baseline", true}, {"verdict", verdict},
            {"reason", reason}};
}

json scenario(const std::string& guid, const std::string& technique, const std::string& verdict,
              json expectations) {
    return {{"guid", guid},
            {"name", "test " + guid},
            {"technique", technique},
            {"verdict", verdict},
            {"reason", verdict == "error" ? "prerequisites not met" : ""},
            {"expectations", std::move(expectations)},
            {"detections", json::array()}};
}

const char* kNoExecve =
    "the loaded audit rules log no execve (auditctl -l): process starts are not collected";

struct Case {
    const char* name;
    json scenario;
    std::optional<std::string> verdict;  // nullopt: no coverage verdict
    std::string reason_part;
    std::map<std::string, std::string> sensors;
};

std::vector<Case> cases() {
    return {
        {"every configured one observed",
         scenario("a", "T1", "executed",
                  {baseline("sh", "auditd", "observed"), baseline("cat", "auditd", "observed")}),
         "validated",
         "2 of 2 baseline expectation(s) observed",
         {{"auditd", "validated"}}},
        {"some observed",
         scenario("b", "T1", "executed",
                  {baseline("sh", "auditd", "observed"), baseline("wget", "auditd", "missing")}),
         "partial",
         "not seen: auditd: execve of `wget`",
         {{"auditd", "partial"}}},
        {"none observed though collected",
         scenario("c", "T1", "executed", {baseline("sh", "auditd", "missing")}),
         "blind",
         "nothing of its process tree was seen",
         {{"auditd", "blind"}}},
        {"the sensor logs no process start",
         scenario("d", "T1", "executed",
                  {baseline("sh", "auditd", "not_collected", kNoExecve),
                   baseline("id", "auditd", "not_collected", kNoExecve)}),
         "blind",
         std::string("auditd: ") + kNoExecve,
         {{"auditd", "blind"}}},
        // An unconfigured sensor does not make a test partial: only what can be seen counts.
        {"one sensor of two unconfigured",
         scenario("e", "T1", "executed",
                  {baseline("sh", "auditd", "observed"),
                   baseline("sh", "sysmon_linux", "not_collected",
                            "source 'sysmon_linux' was not collected")}),
         "validated",
         "1 of 1",
         {{"auditd", "validated"}, {"sysmon_linux", "blind"}}},
        {"error before execution",
         scenario("f", "T1", "error", {baseline("sh", "auditd", "not_collected", kNoExecve)}),
         "error",
         "prerequisites not met",
         {}},
        {"a stock test skipped before anything was derived",
         scenario("h", "T1", "skipped", json::array()),
         "skipped",
         "",
         {}},
        {"a stock test that ran without a process sensor",
         scenario("i", "T1", "executed", json::array()),
         std::nullopt,
         "",
         {}},
        {"hand-written expectations only",
         scenario("g", "T1", "passed", {{{"id", "x"}, {"verdict", "observed"}}}),
         std::nullopt,
         "",
         {}},
    };
}

TEST(Coverage, TestVerdicts) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        auto got = test_coverage(c.scenario);
        ASSERT_EQ(got.has_value(), c.verdict.has_value());
        if (!got) continue;
        EXPECT_EQ(got->verdict, *c.verdict);
        EXPECT_NE(got->reason.find(c.reason_part), std::string::npos) << got->reason;
        EXPECT_EQ(got->sensors, c.sensors);
        // The stored form reads back the same.
        json stored = c.scenario;
        stored["coverage"] = test_coverage_json(*got);
        stored["expectations"] = json::array();
        auto again = test_coverage(stored);
        ASSERT_TRUE(again);
        EXPECT_EQ(again->verdict, got->verdict);
        EXPECT_EQ(again->reason, got->reason);
    }
}

json run_of(const std::vector<std::pair<std::string, std::string>>& technique_and_state) {
    json scenarios = json::array();
    int n = 0;
    for (const auto& [technique, state] : technique_and_state) {
        std::string guid = "g" + std::to_string(n++);
        if (state == "validated")
            scenarios.push_back(
                scenario(guid, technique, "executed", {baseline("sh", "auditd", "observed")}));
        else if (state == "partial")
            scenarios.push_back(scenario(
                guid, technique, "executed",
                {baseline("sh", "auditd", "observed"), baseline("id", "auditd", "missing")}));
        else if (state == "blind")
            scenarios.push_back(
                scenario(guid, technique, "executed", {baseline("sh", "auditd", "missing")}));
        else
            scenarios.push_back(
                scenario(guid, technique, state, {baseline("sh", "auditd", "not_collected")}));
    }
    return {{"run", {{"id", "r"}}}, {"scenarios", scenarios}};
}

TEST(Coverage, PerTechniqueBestAndWorst) {
    json results = run_of({{"T1201", "validated"},
                           {"T1201", "blind"},
                           {"T1201", "partial"},
                           {"T1027", "validated"},
                           {"T1497.001", "skipped"}});
    json summary = coverage_summary(results);
    EXPECT_EQ(summary["validated"], 2);
    EXPECT_EQ(summary["partial"], 1);
    EXPECT_EQ(summary["blind"], 1);
    EXPECT_EQ(summary["skipped"], 1);
    EXPECT_EQ(summary["techniques"]["T1201"]["best"], "validated");
    EXPECT_EQ(summary["techniques"]["T1201"]["worst"], "blind");
    EXPECT_EQ(summary["techniques"]["T1201"]["validated"], 1);
    EXPECT_EQ(summary["techniques"]["T1201"]["tests"], 3);
    EXPECT_EQ(summary["techniques"]["T1027"]["worst"], "validated");
    EXPECT_TRUE(summary["techniques"]["T1497.001"]["best"].is_null());

    // The one coverage: validated counts as passed, skipped is not measured.
    Coverage run = run_coverage(results);
    EXPECT_EQ(run.passed, 2);
    EXPECT_EQ(run.measured, 4);
    EXPECT_EQ(run.label(), "50% (2 of 4 measured)");

    std::string text = coverage_summary_text(results);
    EXPECT_NE(text.find("coverage: 2 validated, 1 partial, 1 blind, 0 error, 1 skipped"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("T1201  best validated, worst blind (1 of 3 validated)"), std::string::npos)
        << text;
    EXPECT_EQ(coverage_summary_text(json{{"scenarios", json::array()}}), "");
}

// Navigator: score = the share of the technique's tests validated.
TEST(Coverage, NavigatorScoreIsFractionValidated) {
    json results = run_of(
        {{"T1201", "validated"}, {"T1201", "blind"}, {"T1201", "partial"}, {"T1201", "validated"}});
    json layer = json::parse(render_navigator(results, {}));
    ASSERT_FALSE(layer["techniques"].empty());
    EXPECT_EQ(layer["techniques"][0]["score"], 50);
    EXPECT_NE(layer["techniques"][0]["comment"].get<std::string>().find("blind: test g1"),
              std::string::npos);
}

// HTML: the technique x sensor matrix, every name escaped (technique ids and sensor names come
// from files an attacker may have written).
TEST(Coverage, HtmlTechniqueBySensorMatrix) {
    json results = run_of({{"T1201", "validated"}, {"T1201", "blind"}, {"<b>T9</b>", "partial"}});
    results["scenarios"][1]["expectations"][0]["source"] = "sysmon_linux";
    std::string html = render_html(results, {});
    auto at = html.find("<section class=\"card\" id=\"coverage\">");
    ASSERT_NE(at, std::string::npos);
    std::string card = html.substr(at, html.find("</section>", at) - at);
    EXPECT_NE(card.find("<th>auditd</th><th>sysmon_linux</th>"), std::string::npos) << card;
    EXPECT_NE(card.find("1 validated"), std::string::npos);
    EXPECT_NE(card.find("1 blind"), std::string::npos);
    EXPECT_NE(card.find("&lt;b&gt;T9&lt;/b&gt;"), std::string::npos);
    EXPECT_EQ(card.find("<b>T9"), std::string::npos);
    // The best and worst of T1201, and the scenario rows carry the verdict with its reason.
    EXPECT_NE(card.find("validated</span> <span class=\"badge v-failed\">blind"), std::string::npos)
        << card;
    EXPECT_NE(html.find("title=\"nothing of its process tree was seen"), std::string::npos);
    // A run without baseline expectations has no such card.
    EXPECT_EQ(render_html(json{{"run", {{"id", "r"}}}, {"scenarios", json::array()}}, {})
                  .find("id=\"coverage\""),
              std::string::npos);
}

// History: a test validated in one run and blind in the next is a regression.
TEST(Coverage, ValidatedThenBlindIsARegression) {
    auto dir = std::filesystem::temp_directory_path() /
               ("attest-coverage-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto db_path = dir / "history.sqlite";
    json first = run_of({{"T1201", "validated"}, {"T1027", "validated"}});
    json second = run_of({{"T1201", "blind"}, {"T1027", "validated"}});
    first["run"] = {{"id", "night-1"},
                    {"started", "2026-12-01T00:00:00Z"},
                    {"pack", "atomics"},
                    {"lab", "qemu"}};
    second["run"] = {{"id", "night-2"},
                     {"started", "2026-12-02T00:00:00Z"},
                     {"pack", "atomics"},
                     {"lab", "qemu"}};
    ASSERT_TRUE(record_run(db_path, first));
    ASSERT_TRUE(record_run(db_path, second));
    auto db = HistoryDb::open(db_path, false);
    ASSERT_TRUE(db);
    auto changes = db->changes("night-1", "night-2");
    ASSERT_TRUE(changes);
    ASSERT_EQ(changes->size(), 1u);
    EXPECT_EQ((*changes)[0].kind, ScenarioChange::Kind::Regression);
    EXPECT_EQ((*changes)[0].previous, "validated");
    EXPECT_EQ((*changes)[0].current, "blind");
    auto trend = db->technique_trend(0, "T1201");
    ASSERT_TRUE(trend);
    ASSERT_EQ(trend->size(), 2u);
    EXPECT_EQ((*trend)[0].coverage.rounded(), 100);
    EXPECT_EQ((*trend)[1].coverage.rounded(), 0);
    std::filesystem::remove_all(dir);
}

// A version-1 history file gains the coverage column on open and keeps its runs.
TEST(Coverage, HistoryVersionOneIsMigrated) {
    auto dir = std::filesystem::temp_directory_path() /
               ("attest-coverage-v1-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto db_path = dir / "history.sqlite";
    {
        auto db = HistoryDb::open(db_path);
        ASSERT_TRUE(db);
        json old = run_of({{"T1201", "passed"}});
        old["run"] = {{"id", "old"}, {"started", "2026-11-01T00:00:00Z"}};
        ASSERT_TRUE(db->record(old));
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &raw), SQLITE_OK);
    // Back to version 1: the table as it was (SQLite >= 3.35 drops a column).
    ASSERT_EQ(sqlite3_exec(
                  raw, "ALTER TABLE scenario_results DROP COLUMN coverage; PRAGMA user_version = 1",
                  nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    auto db = HistoryDb::open(db_path);
    ASSERT_TRUE(db) << db.error().message;
    json now = run_of({{"T1201", "blind"}});
    now["run"] = {{"id", "new"}, {"started", "2026-11-02T00:00:00Z"}};
    ASSERT_TRUE(db->record(now));
    auto changes = db->changes("old", "new");
    ASSERT_TRUE(changes);
    ASSERT_EQ(changes->size(), 1u);
    EXPECT_EQ((*changes)[0].previous, "passed");
    EXPECT_EQ((*changes)[0].current, "blind");
    EXPECT_EQ((*changes)[0].kind, ScenarioChange::Kind::Regression);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace attest::reports
