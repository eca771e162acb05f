// The sysmon_linux collector: Sysmon for Linux events in syslog, mixed with other lines.
#include <gtest/gtest.h>

#include "tests/collectors/winevent_test_support.h"

namespace attest {
namespace {

using testing::run_collector_on_text;

const char* kSyslog =
    "Mar  4 10:15:02 host1 systemd[1]: Started Session 3 of user alice.\n"
    "Mar  4 10:15:03 host1 sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/>"
    "<EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"
    "<TimeCreated SystemTime=\"2024-03-04T10:15:03.123456789Z\"/><EventRecordID>77</EventRecordID><Correlation/>"
    "<Execution ProcessID=\"812\" ThreadID=\"812\"/><Channel>Linux-Sysmon/Operational</Channel><Computer>host1</Computer>"
    "<Security UserId=\"0\"/></System><EventData><Data Name=\"RuleName\">-</Data><Data Name=\"UtcTime\">2024-03-04 10:15:03.120</Data>"
    "<Data Name=\"ProcessGuid\">{4c4d7c3e-9a1b-65e5-d1c6-55e3b2550000}</Data><Data Name=\"ProcessId\">4242</Data>"
    "<Data Name=\"Image\">/usr/bin/curl</Data><Data Name=\"FileVersion\">-</Data>"
    "<Data Name=\"CommandLine\">curl -s http://example.test/x.sh</Data><Data Name=\"CurrentDirectory\">/tmp</Data>"
    "<Data Name=\"User\">alice</Data><Data Name=\"ParentProcessId\">4000</Data><Data Name=\"ParentImage\">/usr/bin/bash</Data>"
    "<Data Name=\"ParentCommandLine\">bash</Data></EventData></Event>\n"
    "Mar  4 10:15:04 host1 kernel: [ 12.3] something <Event> not sysmon\n"
    "Mar  4 10:15:05 host1 sysmon[812]: <Event><System><Provider Name=\"Linux-Sysmon\"/><EventID>11</EventID>"
    "<Channel>Linux-Sysmon/Operational</Channel><Computer>host1</Computer></System><EventData>"
    "<Data Name=\"UtcTime\">2024-03-04 10:15:05.001</Data><Data Name=\"ProcessId\">4242</Data><Data Name=\"Image\">/usr/bin/curl</Data>"
    "<Data Name=\"TargetFilename\">/tmp/x.sh</Data></EventData></Event>\n"
    "Mar  4 10:15:06 host1 sysmon: <Event><System><EventID>1</Sys\n";

TEST(SysmonLinuxTest, ReadsSysmonLinesAndIgnoresOthers) {
    auto run = run_collector_on_text(kSyslog, "", {});
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.str(0, "attest.source"), "sysmon_linux");
    EXPECT_EQ(run.str(0, "event.dataset"), "sysmon_linux.log");
    EXPECT_EQ(run.str(0, "event.action"), "ProcessCreate");
    EXPECT_EQ(run.str(0, "@timestamp"), "2024-03-04T10:15:03.120Z");
    EXPECT_EQ(run.str(0, "process.name"), "curl");
    EXPECT_EQ(run.str(0, "process.executable"), "/usr/bin/curl");
    EXPECT_EQ(run.events[0].find("process.args")->to_json(), R"(["curl","-s","http://example.test/x.sh"])");
    EXPECT_EQ(run.str(0, "process.parent.name"), "bash");
    EXPECT_EQ(run.str(0, "user.name"), "alice");
    EXPECT_EQ(run.str(0, "winlog.user.identifier"), "0");
    EXPECT_EQ(run.str(0, "host.name"), "host1");
    EXPECT_FALSE(run.has(0, "winlog.event_data.FileVersion"));
    EXPECT_EQ(run.events[0].find("attest.position")->as_int(), 2);
    EXPECT_EQ(run.str(1, "file.path"), "/tmp/x.sh");
    EXPECT_EQ(run.str(1, "file.name"), "x.sh");
    EXPECT_EQ(run.str(1, "file.directory"), "/tmp");
    EXPECT_EQ(run.str(1, "event.action"), "FileCreate");
    EXPECT_EQ(run.stats.ignored, 2u);
    EXPECT_EQ(run.stats.skipped, 1u);
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_EQ(run.diagnostics[0].line, 5u);
    EXPECT_EQ(run.diagnostics[0].column, 31u);  // the '<' after "...sysmon: "
    EXPECT_NE(run.diagnostics[0].message.find("malformed XML"), std::string::npos) << run.diagnostics_text();
}

TEST(SysmonLinuxTest, SniffClaimsSysmonSyslogOnly) {
    const CollectorInfo* info = CollectorRegistry::builtin().find("sysmon_linux");
    ASSERT_NE(info, nullptr);
    EXPECT_GT(info->sniff(kSyslog, "syslog"), 50);
    EXPECT_EQ(info->sniff("Mar  4 10:15:02 host1 systemd[1]: Started.\n", "syslog"), 0);
    EXPECT_EQ(info->sniff("<Event><System/></Event>", "x"), 0);
    // Detection picks sysmon_linux over winevent_xml for syslog.
    const CollectorInfo* best = CollectorRegistry::builtin().detect(kSyslog, "syslog");
    ASSERT_NE(best, nullptr);
    EXPECT_EQ(best->name, "sysmon_linux");
}

}  // namespace
}  // namespace attest
