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

// A shell command line, stdout and stderr together (through a pipe: never a terminal).
Run run_shell(const std::string& command) {
    Run r;
    std::string cmd = command + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

Run run(const std::string& args) { return run_shell(std::string(ATTEST_BINARY) + " " + args); }

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
    EXPECT_NE(bad.out.find("19 error(s), 1 warning(s)"), std::string::npos) << bad.out;
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

namespace {

// CLI conventions (issue 15): did-you-mean, single-value options, list filters, --scenario
// forms, no result-looking output from failed input, progress only on a terminal.
TEST(CliConventions, DidYouMeanForCommandsAndOptions) {
    auto cmd = run("chek --pack x");
    EXPECT_EQ(cmd.status, 2);
    EXPECT_NE(cmd.out.find("unknown command 'chek' (did you mean 'check'?)"), std::string::npos) << cmd.out;
    EXPECT_EQ(cmd.out.find("commands:"), std::string::npos) << "no full help dump: " << cmd.out;
    auto opt = run("list --pakc " + src("scenarios/t1114"));
    EXPECT_EQ(opt.status, 2);
    EXPECT_NE(opt.out.find("unknown option '--pakc' (did you mean --pack?)"), std::string::npos) << opt.out;
    auto far = run("list --zzzzzz 1");
    EXPECT_EQ(far.out.find("did you mean"), std::string::npos) << far.out;
}

TEST(CliConventions, RepeatedSingleValueOptionIsAnError) {
    auto r = run("list --pack " + src("scenarios/t1114") + " --pack " + src("scenarios/t1114"));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("option --pack given twice"), std::string::npos) << r.out;
}

TEST(CliConventions, ListFiltersByTechniqueAndPlatform) {
    auto all = run("list --pack " + src("scenarios/t1114"));
    auto sub = run("list --pack " + src("scenarios/t1114") + " T1114.003");
    ASSERT_EQ(sub.status, 0) << sub.out;
    EXPECT_NE(sub.out.find("8b986d4a-4577-4d17-a4e8-404b81b0d4d0  T1114.003"), std::string::npos) << sub.out;
    EXPECT_EQ(sub.out.find("T1114.001"), std::string::npos) << sub.out;
    EXPECT_NE(sub.out.find("tests match the filters"), std::string::npos);
    // A parent technique takes its sub-techniques; platforms compare case-insensitively.
    auto parent = run("list --pack " + src("scenarios/t1114") + " --technique t1114");
    EXPECT_EQ(parent.out.find("match the filters"), std::string::npos) << parent.out;
    auto linux_only = run("list " + src("scenarios/t1114") + " --platform LINUX");
    EXPECT_EQ(linux_only.out.find("  windows  "), std::string::npos) << linux_only.out;
    EXPECT_NE(linux_only.out.find("linux"), std::string::npos) << linux_only.out;
    EXPECT_LT(linux_only.out.size(), all.out.size());
}

// --test selects as `attest run --test` does: number within the technique, name, GUID.
TEST(CliConventions, ListSelectsATestByNumberNameOrGuid) {
    auto second = run("list --pack " + src("scenarios/t1114") + " T1114.001 --test 2");
    ASSERT_EQ(second.status, 0) << second.out;
    EXPECT_NE(second.out.find("f61b02b5-7753-40d9-a500-a03d6b3667fe  T1114.001"), std::string::npos) << second.out;
    EXPECT_EQ(second.out.find("23df3cbb-43ee-4bd5-a013-21ce438ed77f"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("1 of "), std::string::npos) << second.out;
    auto by_guid = run("list --pack " + src("scenarios/t1114") + " --test 23df3cbb");
    EXPECT_NE(by_guid.out.find("23df3cbb-43ee-4bd5-a013-21ce438ed77f  T1114.001"), std::string::npos) << by_guid.out;
    auto none = run("list --pack " + src("scenarios/t1114") + " T1114.001 --test 99");
    EXPECT_EQ(none.status, 2);
    EXPECT_NE(none.out.find("no test '99'"), std::string::npos) << none.out;
}

TEST(CliConventions, ScenarioByGuidPrefixNumberOrAnyCaseName) {
    fs::path out = fs::temp_directory_path() / ("attest_cli_select_" + std::to_string(::getpid()));
    std::string base = "check --pack " + src("scenarios/t1114") + " --telemetry " +
                       src("tests/data/t1114/synthetic_s1_sysmon.xml") + " --out " + out.string() + " --scenario ";
    for (const char* key : {"23df3cbb", "T1114.001-1", "'copy outlook pst/ost FILES via powershell to a staging directory'"}) {
        auto r = run(base + key);
        EXPECT_EQ(r.status, 0) << key << ": " << r.out;
        EXPECT_NE(r.out.find("23df3cbb-43ee-4bd5-a013-21ce438ed77f"), std::string::npos) << key;
    }
    auto none = run(base + "ffffffff");
    EXPECT_EQ(none.status, 2);
    EXPECT_NE(none.out.find("no test 'ffffffff'"), std::string::npos) << none.out;
    fs::remove_all(out);
}

TEST(CliConventions, CheckWithMissingOrEmptyTelemetryWritesNoReport) {
    fs::path out = fs::temp_directory_path() / ("attest_cli_missing_" + std::to_string(::getpid()));
    fs::remove_all(out);
    auto r = run("check --pack " + src("scenarios/t1114") + " --telemetry /nonexistent.xml --out " + out.string());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("telemetry /nonexistent.xml: no such file"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out / "report.html"));
    EXPECT_FALSE(fs::exists(out / "results.json"));
    fs::create_directories(out);
    std::ofstream(out / "empty.xml").flush();
    auto e = run("check --pack " + src("scenarios/t1114") + " --telemetry " + (out / "empty.xml").string() + " --out " +
                 out.string());
    EXPECT_EQ(e.status, 2);
    EXPECT_NE(e.out.find("empty.xml: is empty (0 bytes)"), std::string::npos) << e.out;
    EXPECT_FALSE(fs::exists(out / "report.html"));
    fs::remove_all(out);
}

TEST(CliConventions, ProgressAndColourOnATerminalOnly) {
    if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "util-linux 'script' is not installed";
    fs::path out = fs::temp_directory_path() / ("attest_cli_progress_" + std::to_string(::getpid()));
    std::string check = std::string(ATTEST_BINARY) + " check --pack " + src("scenarios/t1114") + " --telemetry " +
                        src("tests/data/t1114/synthetic_s1_sysmon.xml") + " --out " + out.string();
    // Under a pseudo-terminal (script): the progress line and coloured verdicts.
    auto tty = run_shell("script -qec \"env -u NO_COLOR ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " + check + "\" /dev/null");
    EXPECT_NE(tty.out.find("reading telemetry:"), std::string::npos) << tty.out;
    EXPECT_NE(tty.out.find("\x1b[32mpassed"), std::string::npos) << tty.out;
    // The same in a pipe, and on a terminal with NO_COLOR: neither.
    auto pipe = run_shell("env -u NO_COLOR ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " + check);
    EXPECT_EQ(pipe.out.find("reading telemetry"), std::string::npos) << pipe.out;
    EXPECT_EQ(pipe.out.find('\x1b'), std::string::npos) << pipe.out;
    auto no_colour = run_shell("script -qec \"env NO_COLOR=1 ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " + check + "\" /dev/null");
    EXPECT_EQ(no_colour.out.find("reading telemetry"), std::string::npos) << no_colour.out;
    EXPECT_EQ(no_colour.out.find('\x1b'), std::string::npos) << no_colour.out;
    fs::remove_all(out);
}

TEST(CliConventions, ValidateRecognisesFilesByContent) {
    auto lab = run("validate " + src("labs/examples/ssh-linux.yaml"));
    EXPECT_NE(lab.out.find("lab file"), std::string::npos) << lab.out;
    auto expectations = run("validate " + src("scenarios/t1114/expectations.yaml"));
    EXPECT_EQ(expectations.status, 0) << expectations.out;
    EXPECT_NE(expectations.out.find("expectation(s)"), std::string::npos) << expectations.out;
    fs::path dir = fs::temp_directory_path() / ("attest_cli_validate_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "rule.eql") << "process where process.name == \"x\" and\n";
    auto rule = run("validate " + (dir / "rule.eql").string());
    EXPECT_EQ(rule.status, 1) << rule.out;
    EXPECT_NE(rule.out.find("1 rule file(s): 1 error(s)"), std::string::npos) << rule.out;
    std::ofstream(dir / "empty.yaml").flush();
    auto empty = run("validate " + (dir / "empty.yaml").string());
    EXPECT_EQ(empty.status, 2);
    EXPECT_NE(empty.out.find("is empty (0 bytes)"), std::string::npos) << empty.out;
    fs::remove_all(dir);
}

}  // namespace
