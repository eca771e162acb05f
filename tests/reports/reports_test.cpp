#include "reports/reports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

class WriteReportsTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() /
                ("attest-reports-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string read(const std::filesystem::path& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::filesystem::path m_dir;
};

TEST_F(WriteReportsTest, WritesEveryRegisteredReportAtomically) {
    auto written = write_all_reports(load_fixture("results-basic.json"), m_dir / "out", {});
    ASSERT_TRUE(written) << written.error().message;
    ASSERT_EQ(written->files.size(), ReportWriterRegistry::builtin().all().size());
    for (const char* f : {"report.html", "results.json", "junit.xml", "navigator.json", "attire.json"})
        EXPECT_TRUE(std::filesystem::is_regular_file(m_dir / "out" / f)) << f;
    // No temporary files left behind.
    for (const auto& entry : std::filesystem::directory_iterator(m_dir / "out"))
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    EXPECT_EQ(json::parse(read(m_dir / "out" / "results.json")), load_fixture("results-basic.json"));
}

TEST_F(WriteReportsTest, SelectedFormatsAndPaths) {
    ReportOptions options;
    options.formats = {"junit", "html"};
    options.paths["junit"] = "ci/TEST-attest.xml";
    auto written = write_all_reports(load_fixture("results-basic.json"), m_dir, options);
    ASSERT_TRUE(written) << written.error().message;
    ASSERT_EQ(written->files.size(), 2u);
    EXPECT_TRUE(std::filesystem::is_regular_file(m_dir / "ci" / "TEST-attest.xml"));
    EXPECT_TRUE(std::filesystem::is_regular_file(m_dir / "report.html"));
    EXPECT_FALSE(std::filesystem::exists(m_dir / "navigator.json"));
}

TEST_F(WriteReportsTest, UnknownFormatsAreAllReported) {
    ReportOptions options;
    options.formats = {"pdf", "html", "docx"};
    auto written = write_all_reports(load_fixture("results-basic.json"), m_dir, options);
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("unknown report format 'pdf'"), std::string::npos);
    EXPECT_NE(written.error().message.find("unknown report format 'docx'"), std::string::npos);
    EXPECT_NE(written.error().message.find("known: html, json, junit, navigator, attire"), std::string::npos);
}

TEST_F(WriteReportsTest, HistoryIsRecordedAndShownInTheHtml) {
    ReportOptions options;
    options.formats = {"html"};
    options.history_db = m_dir / "history.sqlite";
    for (int n = 1; n <= 2; ++n) {
        auto written = write_all_reports(nightly_run(n), m_dir / ("run" + std::to_string(n)), options);
        ASSERT_TRUE(written) << written.error().message;
    }
    std::string html = read(m_dir / "run2" / "report.html");
    EXPECT_NE(html.find("Compared with the previous run <code>run-1</code>"), std::string::npos);
    EXPECT_NE(html.find("<tr class=\"regression\">"), std::string::npos);
    EXPECT_NE(read(m_dir / "run1" / "report.html").find("First recorded run"), std::string::npos);
}

TEST_F(WriteReportsTest, UnwritableDirectoryIsAnError) {
    std::filesystem::create_directories(m_dir);
    std::ofstream(m_dir / "file") << "x";
    auto written = write_all_reports(load_fixture("results-basic.json"), m_dir / "file" / "sub", {});
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("file/sub"), std::string::npos) << written.error().message;
}

TEST_F(WriteReportsTest, LoadResultsReportsPositionsAndSchema) {
    std::filesystem::create_directories(m_dir);
    auto ok = load_results(std::string(ATTEST_SOURCE_DIR) + "/tests/data/reports/results-basic.json");
    ASSERT_TRUE(ok) << ok.error().message;

    std::ofstream(m_dir / "broken.json") << "{\"schema\": \"attest.results/1\", \"run\": {,}}";
    auto broken = load_results(m_dir / "broken.json");
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().message.find("broken.json: byte 40: "), std::string::npos) << broken.error().message;

    std::ofstream(m_dir / "other.json") << "{\"schema\": \"something/2\"}";
    auto other = load_results(m_dir / "other.json");
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("not an attest results document"), std::string::npos);

    std::ofstream(m_dir / "newer.json") << "{\"schema\": \"attest.results/2\"}";
    EXPECT_NE(load_results(m_dir / "newer.json").error().message.find("unsupported results schema"), std::string::npos);

    // A directory means its results.json.
    std::filesystem::create_directories(m_dir / "run");
    EXPECT_NE(load_results(m_dir / "run").error().message.find("run/results.json: cannot open"), std::string::npos);
}

TEST_F(WriteReportsTest, SinkReplacesExistingFileWhole) {
    std::filesystem::create_directories(m_dir);
    ASSERT_TRUE(write_file_atomic(m_dir / "a.txt", "first version, longer"));
    ASSERT_TRUE(write_file_atomic(m_dir / "a.txt", "second"));
    EXPECT_EQ(read(m_dir / "a.txt"), "second");
}

}  // namespace
}  // namespace attest::reports
