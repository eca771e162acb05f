#include "scenarios/baseline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "expectations/engine.h"
#include "telemetry/stream.h"

using namespace attest;
using namespace attest::scenarios;

namespace {

std::vector<BaselineSensor> sensors(std::vector<std::string> names, std::string watched = "") {
    std::vector<BaselineSensor> out;
    for (auto& n : names) {
        BaselineSensor s{n, nullptr};
        if (!watched.empty())
            s.logs_writes_to = [watched](std::string_view p) { return p.rfind(watched, 0) == 0; };
        out.push_back(std::move(s));
    }
    return out;
}

struct Case {
    const char* executor;
    const char* command;
    std::vector<std::string> sources;
    std::string watched;                             // prefix a file rule covers; "": none
    std::vector<std::vector<std::string>> expected;  // {id, query}
};

const Case kCases[] = {
    {"sh",
     "tar czf /tmp/c-aud/x.tgz spool | curl -T - http://127.0.0.1/ && echo ok",
     {"auditd"},
     "",
     {{"baseline.auditd.executor.sh",
       R"(process where event.type == "start" and process.name == "sh")"},
      {"baseline.auditd.exec.tar",
       R"(process where event.type == "start" and process.name == "tar")"},
      {"baseline.auditd.exec.curl",
       R"(process where event.type == "start" and process.name == "curl")"}}},
    // A file rule covering the written path adds a file expectation; one not covering it does not.
    {"bash",
     "echo x > /tmp/c-aud/out.txt; echo y > /var/tmp/other; cat /tmp/c-aud/out.txt",
     {"auditd"},
     "/tmp/c-aud/",
     {{"baseline.auditd.executor.bash",
       R"(process where event.type == "start" and process.name == "bash")"},
      {"baseline.auditd.exec.cat",
       R"(process where event.type == "start" and process.name == "cat")"},
      {"baseline.auditd.file._tmp_c-aud_out.txt",
       R"(file where file.path == "/tmp/c-aud/out.txt")"}}},
    // auditd's process.name is the kernel's 15-byte comm; a quote in a name stays a literal.
    {"sh",
     "/opt/tools/a-very-long-program-name --x; \"/tmp/we\\\"ird\"",
     {"auditd"},
     "",
     {{"baseline.auditd.executor.sh",
       R"(process where event.type == "start" and process.name == "sh")"},
      {"baseline.auditd.exec.a-very-long-program-name",
       R"(process where event.type == "start" and process.name == "a-very-long-pro")"},
      {"baseline.auditd.exec.we_ird",
       R"(process where event.type == "start" and process.name == "we\"ird")"}}},
    // Windows: PowerShell runs every executor; a cmdlet is no process; names compare caselessly.
    {"powershell",
     "Get-Process | Out-Null; & \"C:\\Tools\\PsExec.exe\" -accepteula; whoami /all",
     {"sysmon", "auditd"},
     "",
     {{"baseline.sysmon.executor.powershell.exe",
       R"(process where event.type == "start" and process.name : "powershell.exe")"},
      {"baseline.sysmon.exec.psexec.exe",
       R"(process where event.type == "start" and process.name : "psexec.exe")"},
      {"baseline.sysmon.exec.whoami.exe",
       R"(process where event.type == "start" and process.name : "whoami.exe")"}}},
    {"command_prompt",
     "net user admin /domain & reg query HKLM\\SAM > C:\\Temp\\sam.txt & echo x > C:\\Other\\y.txt",
     {"sysmon"},
     "C:\\Temp",
     {{"baseline.sysmon.executor.powershell.exe",
       R"(process where event.type == "start" and process.name : "powershell.exe")"},
      {"baseline.sysmon.executor.cmd.exe",
       R"(process where event.type == "start" and process.name : "cmd.exe")"},
      {"baseline.sysmon.exec.net.exe",
       R"(process where event.type == "start" and process.name : "net.exe")"},
      {"baseline.sysmon.exec.reg.exe",
       R"(process where event.type == "start" and process.name : "reg.exe")"},
      {"baseline.sysmon.file.C__Temp_sam.txt", R"(file where file.path : "C:\\Temp\\sam.txt")"}}},
    // A program the command writes itself may be a script without `#!` that the shell runs in
    // its own process (T1027-1): not derived.
    {"sh",
     "cat /tmp/enc | base64 -d > /tmp/art.sh; chmod +x /tmp/art.sh; /tmp/art.sh",
     {"auditd"},
     "",
     {{"baseline.auditd.executor.sh",
       R"(process where event.type == "start" and process.name == "sh")"},
      {"baseline.auditd.exec.cat",
       R"(process where event.type == "start" and process.name == "cat")"},
      {"baseline.auditd.exec.base64",
       R"(process where event.type == "start" and process.name == "base64")"},
      {"baseline.auditd.exec.chmod",
       R"(process where event.type == "start" and process.name == "chmod")"}}},
    // No process sensor, or a manual test: nothing to derive.
    {"sh", "id", {"o365"}, "", {}},
    {"manual", "do it by hand", {"auditd"}, "", {}},
};

}  // namespace

TEST(Baseline, DerivedExpectations) {
    for (const auto& c : kCases) {
        SCOPED_TRACE(c.command);
        auto specs = derive_baseline(c.executor, c.command, sensors(c.sources, c.watched));
        std::vector<std::vector<std::string>> got;
        for (const auto& s : specs) {
            got.push_back({s.id, s.query});
            EXPECT_TRUE(s.baseline);
            EXPECT_TRUE(s.lineage);
            EXPECT_TRUE(s.required);
            // Every derived query compiles in the engine that evaluates it.
            auto compiled = eql::compile(s.query, s.id, {});
            EXPECT_TRUE(compiled) << s.query << ": " << (compiled ? "" : compiled.error().message);
        }
        EXPECT_EQ(got, c.expected);
    }
}

TEST(Baseline, DescriptionSaysSensorWhatAndWhere) {
    auto specs = derive_baseline("sh", "tar cf /tmp/a.tar /etc", sensors({"auditd"}));
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[1].description, "auditd: execve of `tar` under the executor's process tree");
    EXPECT_EQ(specs[1].source, "auditd");
}

// The derived expectations over a recorded guest audit log (tar | gzip through sh, curl):
// the programs it ran are observed with evidence; one it did not run is missing with near
// misses showing what auditd did record.
TEST(Baseline, EvaluatedOverRecordedAuditLog) {
    auto specs = derive_baseline(
        "sh", "tar czf /tmp/c-aud/x.tgz -C /tmp/c-aud spool; curl http://127.0.0.1/; wget -q x",
        sensors({"auditd"}));
    expectations::ScenarioChecks checks;
    checks.guid = "g";
    checks.expectations = specs;
    expectations::RunFacts facts;
    facts.start_ns = 1795336820000000000;
    facts.end_ns = 1795336821000000000;
    facts.collected = std::set<std::string>{"auditd"};
    expectations::Evaluator ev;
    ev.add_scenario(checks, facts);
    DiagnosticSink sink;
    telemetry::feed(
        ev,
        {telemetry::file_input(ATTEST_SOURCE_DIR "/tests/data/auditd/debian12_enriched.log", {})},
        sink);
    ev.finish();
    auto r = ev.results().front();
    // The scenario verdict is not theirs to decide: the coverage verdict is (reports/coverage.h).
    EXPECT_EQ(r.verdict, expectations::ScenarioVerdict::Executed) << r.reason;
    ASSERT_EQ(r.expectations.size(), 4u);
    std::map<std::string, expectations::ExpectationVerdict> verdicts;
    for (const auto& e : r.expectations) verdicts[e.spec.id] = e.verdict;
    using V = expectations::ExpectationVerdict;
    EXPECT_EQ(verdicts["baseline.auditd.executor.sh"], V::Observed);
    EXPECT_EQ(verdicts["baseline.auditd.exec.tar"], V::Observed);
    EXPECT_EQ(verdicts["baseline.auditd.exec.curl"], V::Observed);
    EXPECT_EQ(verdicts["baseline.auditd.exec.wget"], V::Missing);
    const auto& wget = r.expectations[3];
    EXPECT_FALSE(wget.evidence.size());
    ASSERT_FALSE(wget.near_misses.empty()) << wget.reason;
    ASSERT_TRUE(wget.near_misses.front().event);
    const Value* name = wget.near_misses.front().event->find("process.name");
    ASSERT_TRUE(name && name->is_string());
    EXPECT_NE(name->as_string(), "wget");
    EXPECT_FALSE(r.expectations[1].evidence.empty());
}
