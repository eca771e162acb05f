#include <filesystem>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "reports/history.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

class HistoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() /
                ("attest-history-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        m_db = m_dir / "history.sqlite";
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir, m_db;
};

TEST_F(HistoryTest, ThreeRunsWithARegressionInTheSecond) {
    for (int n = 1; n <= 3; ++n) ASSERT_TRUE(record_run(m_db, nightly_run(n))) << n;
    auto db = HistoryDb::open(m_db, false);
    ASSERT_TRUE(db) << db.error().message;

    auto runs = db->runs();
    ASSERT_TRUE(runs);
    ASSERT_EQ(runs->size(), 3u);
    EXPECT_EQ((*runs)[0].run_id, "run-1");
    EXPECT_EQ((*runs)[1].run_id, "run-2");
    EXPECT_EQ((*runs)[1].passed, 2);
    EXPECT_EQ((*runs)[1].failed, 1);
    EXPECT_EQ((*runs)[2].passed, 3);

    auto changes = db->changes("run-1", "run-2");
    ASSERT_TRUE(changes);
    ASSERT_EQ(changes->size(), 2u);
    EXPECT_EQ((*changes)[0].kind, ScenarioChange::Kind::Regression);  // regressions first
    EXPECT_EQ((*changes)[0].guid, "g1");
    EXPECT_EQ((*changes)[0].previous, "passed");
    EXPECT_EQ((*changes)[0].current, "failed");
    EXPECT_EQ((*changes)[1].kind, ScenarioChange::Kind::Fixed);
    EXPECT_EQ((*changes)[1].guid, "g3");

    auto view = db->view_for("run-2");
    ASSERT_TRUE(view);
    ASSERT_TRUE(view->previous);
    EXPECT_EQ(view->previous->run_id, "run-1");
    EXPECT_EQ(view->runs.size(), 2u);  // up to and including run-2
    EXPECT_EQ(view->previous_verdicts.at(scenario_key("g1", "scenario g1", "lab-win")), "passed");

    auto trend = db->technique_trend(0, "T1114");
    ASSERT_TRUE(trend);
    ASSERT_EQ(trend->size(), 6u);  // T1114.001 and T1114.002 in three runs
    EXPECT_EQ((*trend)[0].technique, "T1114.001");
    EXPECT_DOUBLE_EQ((*trend)[0].coverage.percent().value(), 100.0);
    EXPECT_EQ((*trend)[2].run_id, "run-2");
    EXPECT_EQ((*trend)[2].technique, "T1114.001");
    EXPECT_DOUBLE_EQ((*trend)[2].coverage.percent().value(), 0.0);

    auto filtered = db->runs(2, "T1059");
    ASSERT_TRUE(filtered);
    ASSERT_EQ(filtered->size(), 2u);
    EXPECT_EQ((*filtered)[0].run_id, "run-2");
    EXPECT_EQ((*filtered)[0].passed + (*filtered)[0].failed, 1);
}

// The sequence: a T1114 pack run, then a stock-atomics run into the same database.
// Different packs are different scopes: no "coverage 0% -> 22%", no "absent -> error".
TEST_F(HistoryTest, RunsAreComparedOnlyWithinTheSamePackAndLab) {
    ASSERT_TRUE(record_run(m_db, nightly_run(1)));
    json stock = make_results("stock-1", "2026-11-23T08:30:00Z",
                              json::array({make_scenario("a1", "T1005", "error"), make_scenario("a2", "T1082", "passed")}));
    stock["run"]["pack"] = "atomics";
    ASSERT_TRUE(record_run(m_db, stock));
    auto db = HistoryDb::open(m_db, false);
    ASSERT_TRUE(db);
    auto view = db->view_for("stock-1");
    ASSERT_TRUE(view) << view.error().message;
    EXPECT_FALSE(view->previous) << "a run of another pack is not the previous run";
    EXPECT_TRUE(view->changes.empty());
    ASSERT_EQ(view->runs.size(), 1u);
    auto scopes = db->scopes();
    ASSERT_TRUE(scopes);
    ASSERT_EQ(scopes->size(), 2u);
    EXPECT_EQ(scopes->back().pack, "atomics");  // the most recent last
    // Another lab is another scope too; the same pack and lab compare.
    json other_lab = nightly_run(2);
    other_lab["run"]["lab"] = "qemu";
    ASSERT_TRUE(record_run(m_db, other_lab));
    EXPECT_FALSE(db->view_for("run-2")->previous);
    json same = nightly_run(3);
    ASSERT_TRUE(record_run(m_db, same));
    auto third = db->view_for("run-3");
    ASSERT_TRUE(third && third->previous);
    EXPECT_EQ(third->previous->run_id, "run-1");
    auto scoped = db->runs(0, "", RunScope{"scenarios/t1114", "local"});
    ASSERT_TRUE(scoped);
    EXPECT_EQ(scoped->size(), 2u);
}

TEST_F(HistoryTest, RecordingTheSameRunAgainReplacesIt) {
    ASSERT_TRUE(record_run(m_db, nightly_run(1)));
    json again = nightly_run(1);
    again["scenarios"][0]["verdict"] = "error";
    ASSERT_TRUE(record_run(m_db, again));
    auto db = HistoryDb::open(m_db);
    auto runs = db->runs();
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ((*runs)[0].error, 1);
    // No orphaned rows from the first recording.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(m_db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM scenario_results", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM item_results", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), kHistorySchemaVersion);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

TEST_F(HistoryTest, HostileStringsAreStoredAsData) {
    json r = nightly_run(1);
    r["run"]["id"] = "x'); DROP TABLE runs; --";
    r["scenarios"][0]["name"] = "'; DELETE FROM scenario_results; --";
    ASSERT_TRUE(record_run(m_db, r));
    auto db = HistoryDb::open(m_db);
    auto runs = db->runs();
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ((*runs)[0].run_id, "x'); DROP TABLE runs; --");
    EXPECT_EQ((*runs)[0].passed, 2);
}

TEST_F(HistoryTest, Errors) {
    json no_id = nightly_run(1);
    no_id["run"].erase("id");
    auto r = record_run(m_db, no_id);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no run.id"), std::string::npos);

    // Opening without create does not invent a database.
    auto missing = HistoryDb::open(m_dir / "absent.sqlite", false);
    EXPECT_FALSE(missing);

    // A file that is not SQLite.
    std::filesystem::path junk = m_dir / "junk.sqlite";
    { std::ofstream(junk) << "this is not a database, just text that is long enough to be a header"; }
    auto bad = HistoryDb::open(junk);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find(junk.string()), std::string::npos);

    // A newer schema is refused rather than misread.
    ASSERT_TRUE(record_run(m_db, nightly_run(1)));
    sqlite3* raw = nullptr;
    sqlite3_open(m_db.c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    auto newer = HistoryDb::open(m_db);
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
}

TEST_F(HistoryTest, ViewOfUnrecordedRunIsAnError) {
    ASSERT_TRUE(record_run(m_db, nightly_run(1)));
    auto db = HistoryDb::open(m_db);
    EXPECT_FALSE(db->view_for("nope"));
    auto first = db->view_for("run-1");
    ASSERT_TRUE(first);
    EXPECT_FALSE(first->previous);
    EXPECT_TRUE(first->changes.empty());
}

}  // namespace
}  // namespace attest::reports
