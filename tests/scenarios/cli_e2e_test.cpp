// attest validate / list / check through the binary: exit codes, output and results.json.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json.h"

namespace {
namespace fs = std::filesystem;

struct Run {
    int status = -1;
    std::string out;
};

Run run(const std::string& args) {
    Run r;
    std::string cmd = std::string(ATTEST_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string src(const std::string& rel) { return std::string(ATTEST_SOURCE_DIR) + "/" + rel; }

attest::Value read_json(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return attest::parse_json_value(ss.str());
}

TEST(CliE2e, ValidateShippedPackAndBrokenPack) {
    auto ok = run("validate " + src("scenarios/t1114"));
    EXPECT_EQ(ok.status, 0) << ok.out;
    EXPECT_NE(ok.out.find("6 test(s), 23 expectation(s), 4 detection(s): 0 error(s), 0 warning(s)"), std::string::npos) << ok.out;
    auto bad = run("validate " + src("tests/data/packs/broken"));
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.out.find("expectations.yaml:13:26: error E105"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("T1114.001.yaml:15:14: error E005"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("18 error(s), 1 warning(s)"), std::string::npos) << bad.out;
    EXPECT_EQ(run("validate /nonexistent").status, 2);
}

TEST(CliE2e, ListShowsOneRowPerTest) {
    auto r = run("list --pack " + src("scenarios/t1114"));
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("23df3cbb-43ee-4bd5-a013-21ce438ed77f  T1114.001    windows              4     1  Copy Outlook PST/OST"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("8b986d4a-4577-4d17-a4e8-404b81b0d4d0  T1114.003"), std::string::npos);
}

TEST(CliE2e, CheckWritesResultsAndExitCodes) {
    fs::path out = fs::temp_directory_path() / ("attest_cli_check_" + std::to_string(::getpid()));
    auto r = run("check --pack " + src("scenarios/t1114") +
                 " --scenario 23df3cbb-43ee-4bd5-a013-21ce438ed77f --telemetry " +
                 src("tests/data/t1114/synthetic_s1_sysmon.xml") + " --out " + out.string());
    EXPECT_EQ(r.status, 0) << r.out;
    auto doc = read_json((out / "results.json").string());
    EXPECT_EQ(doc.find("schema")->as_string(), "attest.results/1");
    EXPECT_EQ(doc.find("totals.passed")->as_int(), 1);
    const auto& s = doc.find("scenarios")->as_array().at(0);
    EXPECT_EQ(s.find("verdict")->as_string(), "passed");
    EXPECT_EQ(s.find("detections")->as_array().at(0).find("verdict")->as_string(), "fired");

    // Run info whose window closes before the staged copies: the EID 11 goes missing.
    fs::path info = out / "run-info.json";
    std::ofstream(info) << R"({"host": "ATTEST-WIN10", "scenarios": [{"guid": "23df3cbb-43ee-4bd5-a013-21ce438ed77f",
        "start": "2026-11-20T10:00:00.900Z", "end": "2026-11-20T10:00:01.100Z", "cleanup_start": "2026-11-20T10:00:01.500Z"}]})";
    auto f = run("check --pack " + src("scenarios/t1114") + " --run-info " + info.string() +
                 " --telemetry " + src("tests/data/t1114/synthetic_s1_sysmon.xml") + " --out " + out.string());
    EXPECT_EQ(f.status, 1) << f.out;
    EXPECT_NE(f.out.find("expectation t1-sysmon-11-staged [missing]"), std::string::npos) << f.out;
    // Under the sysmon profile the seed rule reports the vocabulary mismatch.
    auto v = run("check --pack " + src("scenarios/t1114") + " --profile sysmon --scenario 23df3cbb-43ee-4bd5-a013-21ce438ed77f --telemetry " +
                 src("tests/data/t1114/synthetic_s1_sysmon.xml") + " --out " + out.string());
    EXPECT_EQ(v.status, 1);
    EXPECT_NE(v.out.find("vocabulary mismatch"), std::string::npos) << v.out;
    // Input errors: exit 2.
    EXPECT_EQ(run("check --pack " + src("scenarios/t1114") + " --telemetry /nonexistent.xml --out " + out.string()).status, 2);
    EXPECT_EQ(run("check --pack " + src("tests/data/packs/broken") + " --telemetry " + src("tests/data/t1114/synthetic_s1_sysmon.xml")).status, 2);
    EXPECT_EQ(run("check --pack " + src("scenarios/t1114") + " --arg nosuch=1 --telemetry " + src("tests/data/t1114/synthetic_s1_sysmon.xml")).status, 2);
    fs::remove_all(out);
}

}  // namespace
