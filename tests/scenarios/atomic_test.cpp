#include "scenarios/atomic.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace attest::scenarios {
namespace {
namespace fs = std::filesystem;

std::string write_temp(const std::string& name, const std::string& text) {
    fs::path dir = fs::temp_directory_path() / ("attest_atomic_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
}

bool has_problem(const Problems& ps, const std::string& code, std::uint64_t line,
                 const std::string& fragment) {
    for (const auto& p : ps.items())
        if (p.code == code && (line == 0 || p.line == line) &&
            p.format().find(fragment) != std::string::npos)
            return true;
    return false;
}

std::string dump(const Problems& ps) {
    std::string out;
    for (const auto& p : ps.items()) out += p.format() + "\n";
    return out;
}

TEST(AtomicTest, StockAtomicsLoadWithoutErrors) {
    std::string dir = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data absent";
    Problems problems;
    auto files = load_atomics_folder(dir, problems);
    EXPECT_EQ(files.size(), 31u);
    std::size_t tests = 0;
    for (const auto& f : files) tests += f.tests.size();
    EXPECT_EQ(tests, 89u);  // 89 auto_generated_guid lines in the 31 files
    EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
    // Every stock test keeps its GUID, executor and platforms.
    for (const auto& f : files)
        for (const auto& t : f.tests) {
            EXPECT_FALSE(t.guid.empty()) << t.name;
            EXPECT_FALSE(t.executor.name.empty()) << t.name;
            EXPECT_FALSE(t.platforms.empty()) << t.name;
        }
}

TEST(AtomicTest, StockT1114001ResolvesPathToAtomicsFolder) {
    std::string path = ATTEST_SOURCE_DIR "/../shared/data/atomics/T1114.001/T1114.001.yaml";
    if (!fs::exists(path)) GTEST_SKIP() << "../shared/data absent";
    Problems problems;
    auto file = load_atomic_file(path, problems);
    ASSERT_TRUE(file);
    ASSERT_FALSE(file->tests.empty());
    const auto& t = file->tests[0];
    EXPECT_EQ(t.guid, "3f1b5096-0139-4736-9b78-19bcb02bb1cb");
    auto r = resolve_test(t, {{"output_file", "C:\\out\\m.csv"}}, "C:\\AtomicRedTeam\\atomics");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_NE(r->command.find("C:\\AtomicRedTeam\\atomics\\T1114.001\\src\\Get-Inbox.ps1"),
              std::string::npos)
        << r->command;
    EXPECT_NE(r->command.find("-file C:\\out\\m.csv"), std::string::npos);
    EXPECT_NE(r->cleanup_command.find("C:\\out\\m.csv"), std::string::npos);
    ASSERT_EQ(r->dependencies.size(), 1u);
    EXPECT_NE(r->dependencies[0].prereq_command.find("C:\\AtomicRedTeam\\atomics\\T1114.001\\src\\Get-Inbox.ps1"),
              std::string::npos);
}

TEST(AtomicTest, SubstitutionHandlesBothTokensAndLeavesUnknownNames) {
    std::map<std::string, std::string> args = {{"a", "1"}, {"dir", "PathToAtomicsFolder\\x"}};
    EXPECT_EQ(substitute_arguments("#{a} #{b} $PathToAtomicsFolder/y #{dir}", args, "/at"),
              "1 #{b} /at/y /at\\x");
    EXPECT_EQ(argument_references("#{a} #{a} #{b_c} #{not valid} #{"),
              (std::vector<std::string>{"a", "b_c"}));
}

TEST(AtomicTest, OverridesAreTypeCheckedAndNamed) {
    Problems problems;
    std::string path = write_temp("types.yaml", R"(attack_technique: T1000
display_name: x
atomic_tests:
- name: typed
  auto_generated_guid: 11111111-2222-3333-4444-555555555555
  supported_platforms: [linux]
  input_arguments:
    count: {description: n, type: integer, default: 3}
    ratio: {description: r, type: Float, default: 0.5}
  executor:
    name: sh
    command: "echo #{count} #{ratio}"
)");
    auto file = load_atomic_file(path, problems);
    ASSERT_TRUE(file);
    EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
    const auto& t = file->tests[0];
    EXPECT_TRUE(resolve_arguments(t, {{"count", "12"}, {"ratio", "2.5"}}));
    auto bad = resolve_arguments(t, {{"count", "12x"}});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("takes an integer"), std::string::npos);
    auto unknown = resolve_arguments(t, {{"nope", "1"}});
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("known: count, ratio"), std::string::npos);
    auto r = resolve_test(t, {{"count", "7"}}, "/atomics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->command, "echo 7 0.5");
    EXPECT_FALSE(parse_argument_override("novalue"));
    auto kv = parse_argument_override("url=http://x/?a=b");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->second, "http://x/?a=b");
}

TEST(AtomicTest, CrossChecksReportEveryProblemWithPositions) {
    Problems problems;
    std::string path = write_temp("broken.yaml", R"(attack_technique: T11x4
display_name: broken
colour: blue
atomic_tests:
- name: undeclared and unused
  auto_generated_guid: not-a-guid
  supported_platforms: [linux, plan9]
  input_arguments:
    used: {description: u, type: string, default: a}
    unused: {description: v, type: string, default: b}
    count: {description: c, type: integer, default: many}
    kind: {description: k, type: blob, default: x}
  executor:
    name: zsh
    command: |
      sudo cat #{used} #{missing} #{kind} #{count}
- name: second
  auto_generated_guid: 11111111-2222-3333-4444-555555555555
  supported_platforms: [windows]
  executor:
    name: manual
)");
    auto file = load_atomic_file(path, problems);
    ASSERT_TRUE(file);
    EXPECT_TRUE(has_problem(problems, "E003", 1, "T11x4")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "W008", 3, "colour")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E010", 6, "not-a-guid")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "W012", 7, "plan9")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "W006", 10, "'unused'")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E017", 11, "many")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E016", 12, "blob")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E004", 14, "zsh")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E005", 15, "#{missing}")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E007", 0, "sudo")) << dump(problems);
    EXPECT_TRUE(has_problem(problems, "E013", 21, "steps")) << dump(problems);
    // Context names the test.
    EXPECT_TRUE(has_problem(problems, "E005", 15, "test 'undeclared and unused'"));
    EXPECT_EQ(problems.error_count(), 8u) << dump(problems);
}

TEST(AtomicTest, YamlSyntaxErrorHasPosition) {
    Problems problems;
    std::string path = write_temp("syntax.yaml", "attack_technique: T1000\natomic_tests:\n  - name: [unclosed\n");
    EXPECT_FALSE(load_atomic_file(path, problems));
    ASSERT_EQ(problems.items().size(), 1u);
    EXPECT_EQ(problems.items()[0].code, "E001");
    EXPECT_GT(problems.items()[0].line, 0u);
}

TEST(AtomicTest, SudoNeedsElevationOnlyOnUnixPlatforms) {
    Problems problems;
    std::string path = write_temp("sudo.yaml", R"(attack_technique: T1000
display_name: x
atomic_tests:
- name: elevated
  auto_generated_guid: 11111111-2222-3333-4444-555555555551
  supported_platforms: [linux]
  executor: {name: bash, elevation_required: true, command: sudo id}
- name: pseudo is not sudo
  auto_generated_guid: 11111111-2222-3333-4444-555555555552
  supported_platforms: [macos]
  executor: {name: sh, command: echo pseudo-terminal}
- name: windows
  auto_generated_guid: 11111111-2222-3333-4444-555555555553
  supported_platforms: [windows]
  executor: {name: command_prompt, command: sudo whoami}
)");
    ASSERT_TRUE(load_atomic_file(path, problems));
    EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
}

}  // namespace
}  // namespace attest::scenarios
