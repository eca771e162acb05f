// attest report / attest history through the real binary: three nightly runs into one
// history database, the second with a regression; the CLI and the HTML both show it.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

struct RunResult {
    int exit_code = -1;
    std::string out;
};

RunResult run_attest(const std::string& args) {
    std::string cmd = std::string(ATTEST_BINARY) + " " + args + " 2>&1";
    RunResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class ReportCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() / ("attest-report-cli-" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

TEST_F(ReportCliTest, ThreeNightlyRunsShowTheRegression) {
    std::string db = (m_dir / "history.sqlite").string();
    for (int n = 1; n <= 3; ++n) {
        auto run_dir = m_dir / ("run" + std::to_string(n));
        std::filesystem::create_directories(run_dir);
        std::ofstream(run_dir / "results.json") << nightly_run(n).dump(2);
        auto r = run_attest("report " + run_dir.string() + " --history " + db);
        ASSERT_EQ(r.exit_code, 0) << r.out;
        EXPECT_NE(r.out.find("report.html"), std::string::npos) << r.out;
        // The input results.json is not rewritten by default.
        EXPECT_EQ(r.out.find("results.json"), std::string::npos) << r.out;
    }

    auto all = run_attest("history --db " + db);
    ASSERT_EQ(all.exit_code, 0) << all.out;
    EXPECT_NE(all.out.find("run-1"), std::string::npos);
    EXPECT_NE(all.out.find("run-3"), std::string::npos);
    // Run 3 fixed g1: no regression in the latest run, one "fixed".
    EXPECT_NE(all.out.find("  regressions in run-3 since run-2: 0"), std::string::npos) << all.out;
    EXPECT_NE(all.out.find("    fixed: T1114.001  scenario g1 [lab-win]: failed -> passed"), std::string::npos) << all.out;
    EXPECT_NE(all.out.find("T1114.001    100% →   0% → 100%"), std::string::npos) << all.out;

    // Looking at the first two runs only shows the regression.
    auto two = run_attest("history --db " + db + " --last 3 --technique T1114.001");
    ASSERT_EQ(two.exit_code, 0) << two.out;
    EXPECT_EQ(two.out.find("T1059"), std::string::npos) << two.out;

    // The HTML of run 2 shows the regression against run 1 and the trend so far.
    std::string html2 = read_file(m_dir / "run2" / "report.html");
    EXPECT_NE(html2.find("Compared with the previous run <code>run-1</code>"), std::string::npos);
    EXPECT_NE(html2.find("<tr class=\"regression\">"), std::string::npos);
    EXPECT_NE(html2.find("1 regressions</span>"), std::string::npos);
    EXPECT_NE(html2.find("<svg class=\"trend\""), std::string::npos);
    std::string html3 = read_file(m_dir / "run3" / "report.html");
    EXPECT_NE(html3.find("Coverage trend (3 runs)"), std::string::npos);
    EXPECT_NE(html3.find("<tr class=\"fixed\">"), std::string::npos);

    // Re-rendering run 2 (now that run 3 exists) still compares it with run 1.
    auto again = run_attest("report " + (m_dir / "run2").string() + " --format html --history " + db);
    ASSERT_EQ(again.exit_code, 0) << again.out;
    EXPECT_NE(read_file(m_dir / "run2" / "report.html").find("<tr class=\"regression\">"), std::string::npos);
}

TEST_F(ReportCliTest, RegressionListedWhenLatestRunRegresses) {
    std::string db = (m_dir / "h.sqlite").string();
    for (int n = 1; n <= 2; ++n) {
        auto file = m_dir / ("r" + std::to_string(n) + ".json");
        std::ofstream(file) << nightly_run(n).dump();
        ASSERT_EQ(run_attest("report " + file.string() + " --out " + (m_dir / "out").string() + " --history " + db).exit_code, 0);
    }
    // A nightly job fails on regressions: exit 1, in text and in JSON.
    auto r = run_attest("history --db " + db);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("pack scenarios/t1114 on lab local\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("regressions in run-2 since run-1: 1\n    T1114.001  scenario g1 [lab-win]: passed -> failed"),
              std::string::npos)
        << r.out;
    auto j = run_attest("history --db " + db + " --json");
    EXPECT_EQ(j.exit_code, 1) << j.out;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["regressions"], 1);
    ASSERT_EQ(doc["scopes"].size(), 1u);
    EXPECT_EQ(doc["scopes"][0]["pack"], "scenarios/t1114");
    EXPECT_EQ(doc["scopes"][0]["changes"][0]["kind"], "regression");
    EXPECT_EQ(doc["scopes"][0]["runs"][1]["coverage"]["percent"], 67);

    // The sequence: a stock-atomics run recorded next is another scope, so it neither
    // "regresses" nor hides the T1114 regression.
    auto stock = nightly_run(3);
    stock["run"]["id"] = "stock-1";
    stock["run"]["pack"] = "atomics";
    stock["scenarios"][0]["verdict"] = "error";
    std::ofstream(m_dir / "stock.json") << stock.dump();
    ASSERT_EQ(run_attest("report " + (m_dir / "stock.json").string() + " --out " + (m_dir / "out").string() + " --history " + db)
                  .exit_code,
              0);
    auto scoped = run_attest("history --db " + db + " --json");
    auto sdoc = nlohmann::json::parse(scoped.out);
    EXPECT_EQ(sdoc["regressions"], 1) << scoped.out;
    ASSERT_EQ(sdoc["scopes"].size(), 2u);
    EXPECT_EQ(sdoc["scopes"][1]["pack"], "atomics");
    EXPECT_TRUE(sdoc["scopes"][1]["changes"].empty()) << scoped.out;
    auto only_stock = run_attest("history --db " + db + " --pack atomics");
    EXPECT_EQ(only_stock.exit_code, 0) << only_stock.out;
    EXPECT_NE(only_stock.out.find("need two runs of this scope"), std::string::npos) << only_stock.out;
}

TEST_F(ReportCliTest, ErrorsAndUsage) {
    auto missing = run_attest("report " + (m_dir / "nope").string());
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.out.find("nope: cannot open results: No such file or directory"), std::string::npos) << missing.out;

    std::ofstream(m_dir / "bad.json") << "{\"schema\": \"attest.results/1\",\n \"run\": }";
    auto bad = run_attest("report " + (m_dir / "bad.json").string());
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.out.find("bad.json: byte "), std::string::npos) << bad.out;

    auto fmt = run_attest("report " + std::string(ATTEST_SOURCE_DIR) + "/tests/data/reports/results-basic.json --format pdf");
    EXPECT_EQ(fmt.exit_code, 2);
    EXPECT_NE(fmt.out.find("unknown report format 'pdf'"), std::string::npos) << fmt.out;

    auto no_db = run_attest("history --db " + (m_dir / "absent.sqlite").string());
    EXPECT_EQ(no_db.exit_code, 2);
    EXPECT_NE(no_db.out.find("no history database"), std::string::npos) << no_db.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir / "absent.sqlite"));

    // Per-report options alone write only those reports.
    auto only = run_attest("report " + std::string(ATTEST_SOURCE_DIR) + "/tests/data/reports/results-basic.json --junit " +
                           (m_dir / "j.xml").string());
    EXPECT_EQ(only.exit_code, 0) << only.out;
    EXPECT_TRUE(std::filesystem::exists(m_dir / "j.xml"));
    EXPECT_FALSE(std::filesystem::exists(std::string(ATTEST_SOURCE_DIR) + "/tests/data/reports/report.html"));
}

}  // namespace
}  // namespace attest::reports
