#include "harness/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace attest::cli {
namespace {

TEST(Cli, ClosestNameFindsTyposOnly) {
    const std::vector<std::string> commands = {"events", "query",    "report", "history",
                                               "check",  "validate", "list",   "run"};
    struct Case {
        const char* word;
        const char* expected;
    };
    for (const auto& c : std::vector<Case>{{"chek", "check"},
                                           {"chekc", "check"},
                                           {"hsitory", "history"},
                                           {"valdiate", "validate"},
                                           {"lst", "list"},
                                           {"runn", "run"},
                                           {"zzzz", ""},
                                           {"deploy", ""},
                                           {"x", ""}})
        EXPECT_EQ(closest_name(c.word, commands), c.expected) << c.word;
    EXPECT_EQ(closest_name("pakc", {"pack", "profile", "out"}), "pack");
}

TEST(Cli, UnknownOptionSuggestsTheDeclaredOne) {
    Options opts;
    opts.option("pack").option("out");
    try {
        opts.parse({"--pakc", "x"});
        FAIL() << "no error";
    } catch (const UsageError& e) {
        EXPECT_EQ(e.message, "unknown option '--pakc' (did you mean --pack?)");
    }
}

TEST(Cli, SingleValueOptionTwiceIsAnErrorRepeatableIsNot) {
    Options opts;
    opts.option("pack").multi("scenario");
    EXPECT_THROW(opts.parse({"--pack", "a", "--pack=b"}), UsageError);
    Options multi;
    multi.multi("scenario");
    multi.parse({"--scenario", "a", "--scenario", "b"});
    EXPECT_EQ(multi.all("scenario"), (std::vector<std::string>{"a", "b"}));
}

TEST(Cli, DefaultOutputLayout) {
    EXPECT_EQ(default_out_dir("check", "20261122T083000Z-3f2a"), "out/check-20261122T083000Z-3f2a");
    EXPECT_EQ(default_out_dir("run", "r1"), "out/run-r1");
}

TEST(Cli, InputFileProblemsNameTheCause) {
    auto dir =
        std::filesystem::temp_directory_path() / ("attest_cli_input_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "empty").flush();
    std::ofstream(dir / "full") << "x";
    EXPECT_EQ(input_file_problem((dir / "absent").string()), "no such file");
    EXPECT_EQ(input_file_problem((dir / "empty").string()), "is empty (0 bytes)");
    EXPECT_EQ(input_file_problem(dir.string()), "is a directory, not a file");
    EXPECT_EQ(input_file_problem((dir / "full").string()), "");
    std::filesystem::remove_all(dir);
}

TEST(Cli, NoColourInPipesOrWithNoColor) {
    FILE* pipe = ::popen("cat >/dev/null", "w");
    ASSERT_NE(pipe, nullptr);
    EXPECT_FALSE(is_interactive(pipe));
    EXPECT_EQ(paint("passed", Colour::Green, pipe), "passed");
    ::pclose(pipe);
}

TEST(Cli, IdenticalDiagnosticsAreCollapsedWithACount) {
    testing::internal::CaptureStderr();
    {
        CollapsingPrinter collapsing(2);
        DiagnosticSink sink(collapsing.printer());
        for (int i = 1; i <= 1499; ++i)
            sink.error("telemetry.json", static_cast<std::uint64_t>(i), 1,
                       "record is not a JSON object");
        sink.error("telemetry.json", 1500, 1, "another problem");
        collapsing.finish();
    }
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("telemetry.json:1:1: record is not a JSON object"), std::string::npos)
        << err;
    EXPECT_NE(err.find("telemetry.json:2:1:"), std::string::npos);
    EXPECT_EQ(err.find("telemetry.json:3:1:"), std::string::npos);
    EXPECT_NE(err.find("telemetry.json:1500:1: another problem"), std::string::npos);
    EXPECT_NE(err.find("... and 1497 more like this (1499 in all): record is not a JSON object"),
              std::string::npos)
        << err;
}

}  // namespace
}  // namespace attest::cli
