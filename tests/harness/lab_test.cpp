#include "harness/lab.h"

#include <gtest/gtest.h>

using namespace attest;
using namespace attest::run;

TEST(Lab, ParsesTargetsSourcesAndTimeouts) {
    const char* text = R"(lab: test
concurrency: 3
timeouts: {execution: 90s, cleanup: 500ms}
targets:
- name: win1
  platform: windows
  transport: ssh
  ssh: {host: 10.0.0.5, port: 22, user: lab, identity_file: /k/id, known_hosts: /k/kh}
  timeouts: {execution: 2m}
  secrets: [LAB_PASSWORD]
  sources:
    sysmon: {channel: Microsoft-Windows-Sysmon/Operational}
    o365: {api: {tenant: t, client_id: c, client_secret_env: O365_SECRET}, latency: 30m}
- name: vm
  platform: linux
  transport: command
  command: {vm: deb, exec: [VBoxManage, guestcontrol, '{vm}', run, --exe, /bin/sh, --, sh, -c, '{command}']}
  sources:
    auditd: {log: /var/log/audit/audit.log, latency: 2s}
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "test.yaml", sink);
    ASSERT_TRUE(lab.ok()) << (sink.collected().empty() ? lab.error().message
                                                       : sink.collected()[0].format());
    EXPECT_EQ(lab->name, "test");
    EXPECT_EQ(lab->concurrency, 3);
    ASSERT_EQ(lab->targets.size(), 2u);
    const auto& win = lab->targets[0];
    EXPECT_EQ(win.platform, Platform::Windows);
    EXPECT_EQ(win.ssh.host, "10.0.0.5");
    EXPECT_EQ(win.timeouts.execution, Millis(120000));
    EXPECT_EQ(win.timeouts.cleanup, Millis(500));  // inherited from the lab
    ASSERT_NE(win.source("o365"), nullptr);
    EXPECT_EQ(win.source("o365")->api->client_secret_env, "O365_SECRET");
    EXPECT_EQ(win.source("o365")->latency, Millis(30 * 60000));
    EXPECT_EQ(lab->targets[1].command.exec[2], "{vm}");
    EXPECT_EQ(lab->targets[1].source("auditd")->log, "/var/log/audit/audit.log");
}

TEST(Lab, ReportsEveryProblemWithPositions) {
    const char* text = R"(lab: bad
targets:
- name: a
  platform: solaris
  transport: telnet
  sources:
    auditd: {log: /x, channel: y}
- name: a
  platform: linux
  transport: ssh
  ssh: {host: h, password: hunter2}
  timeouts: {execution: soon}
  colour: blue
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "bad.yaml", sink);
    ASSERT_FALSE(lab.ok());
    std::vector<std::string> lines;
    for (const auto& d : sink.collected()) lines.push_back(d.format());
    auto has = [&](const std::string& needle) {
        for (const auto& l : lines)
            if (l.find(needle) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has("bad.yaml:4:13: unknown platform 'solaris'"));
    EXPECT_TRUE(has("bad.yaml:5:14: unknown transport 'telnet'"));
    EXPECT_TRUE(has("exactly one of log, channel"));
    EXPECT_TRUE(has("duplicate target name 'a'"));
    EXPECT_TRUE(has("passwords are not supported"));
    EXPECT_TRUE(has("invalid duration 'soon'"));
    EXPECT_TRUE(has("bad.yaml:13:3: unknown key 'colour'"));
    // The secret itself never appears in a message.
    for (const auto& l : lines) EXPECT_EQ(l.find("hunter2"), std::string::npos) << l;
}

TEST(Lab, SyntaxErrorHasAPosition) {
    DiagnosticSink sink;
    auto lab = parse_lab("lab: x\ntargets: [\n", "syntax.yaml", sink);
    ASSERT_FALSE(lab.ok());
    ASSERT_EQ(sink.error_count(), 1u);
    EXPECT_EQ(sink.collected()[0].file, "syntax.yaml");
    EXPECT_GT(sink.collected()[0].line, 0u);
}

TEST(Lab, Durations) {
    EXPECT_EQ(*parse_duration("250ms"), Millis(250));
    EXPECT_EQ(*parse_duration("30"), Millis(30000));
    EXPECT_EQ(*parse_duration("1.5s"), Millis(1500));
    EXPECT_EQ(*parse_duration("2h"), Millis(7200000));
    EXPECT_FALSE(parse_duration("fast").ok());
    EXPECT_FALSE(parse_duration("5 days").ok());
}

TEST(Lab, BuiltInLocalLabLoads) {
    DiagnosticSink sink;
    auto lab = load_lab(ATTEST_SOURCE_DIR "/labs/local.yaml", sink);
    ASSERT_TRUE(lab.ok()) << lab.error().message;
    ASSERT_FALSE(lab->targets.empty());
    EXPECT_EQ(lab->targets[0].transport, "local");
    EXPECT_EQ(lab->targets[0].platform, Platform::Linux);
}

TEST(Lab, ExampleLabsLoad) {
    for (const char* name : {"ssh-linux.yaml", "ssh-windows.yaml", "command-hypervisors.yaml"}) {
        DiagnosticSink sink;
        auto lab = load_lab(std::string(ATTEST_SOURCE_DIR "/labs/examples/") + name, sink);
        std::string problems;
        for (const auto& d : sink.collected()) problems += d.format() + "\n";
        EXPECT_TRUE(lab.ok()) << name << "\n" << problems;
    }
}

TEST(Lab, CommandUploadNeedsADestination) {
    const char* text = R"(lab: up
targets:
- name: vm
  platform: linux
  transport: command
  command: {vm: deb, exec: [guest, '{command}'], upload: [guest-copy, '{local_path}']}
)";
    DiagnosticSink sink;
    ASSERT_FALSE(parse_lab(text, "up.yaml", sink).ok());
    ASSERT_EQ(sink.error_count(), 1u);
    EXPECT_NE(sink.collected()[0].format().find("{remote_path}"), std::string::npos);
    DiagnosticSink ok_sink;
    std::string good = text;
    good.replace(good.find("'{local_path}']"), 15, "'{local_path}', '{remote_path}']");
    auto lab = parse_lab(good, "up.yaml", ok_sink);
    ASSERT_TRUE(lab.ok()) << (ok_sink.collected().empty() ? "" : ok_sink.collected()[0].format());
    EXPECT_EQ(lab->targets[0].command.upload.back(), "{remote_path}");
}

// Source names, their read methods and defaults come from the source table.
TEST(Lab, SourcesFollowTheSourceTable) {
    const char* text = R"(lab: t
targets:
- name: win
  platform: windows
  sources:
    sysmon: {latency: 5s}
    mde: {channel: Microsoft-Windows-Sysmon/Operational}
    winlogbeat: {file: x.ndjson}
- name: lin
  platform: linux
  sources:
    auditd: {}
    sysmon_linux: {log: /var/log/syslog}
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "t.yaml", sink);
    ASSERT_FALSE(lab.ok());
    std::string all;
    for (const auto& d : sink.collected()) all += d.format() + "\n";
    EXPECT_NE(
        all.find("t.yaml:7:10: source 'mde' is not read from a channel (it takes: file, elastic)"),
        std::string::npos)
        << all;
    EXPECT_NE(all.find("t.yaml:8:5: unknown source 'winlogbeat' (known: sysmon, powershell, "),
              std::string::npos)
        << all;
    EXPECT_EQ(sink.collected().size(), 2u) << all;

    DiagnosticSink ok_sink;
    auto good = parse_lab(
        "lab: t\ntargets:\n- name: win\n  platform: windows\n  sources:\n    sysmon: {latency: "
        "5s}\n"
        "- name: lin\n  platform: linux\n  sources:\n    auditd: {}\n",
        "t.yaml", ok_sink);
    ASSERT_TRUE(good.ok()) << (ok_sink.collected().empty() ? "" : ok_sink.collected()[0].format());
    EXPECT_EQ(good->targets[0].source("sysmon")->channel, "Microsoft-Windows-Sysmon/Operational");
    EXPECT_EQ(good->targets[1].source("auditd")->log, "/var/log/audit/audit.log");
}

TEST(Lab, QemuTargetDefaultsToSshAndProvisionsAuditd) {
    const char* text = R"(lab: vms
targets:
- name: vm1
  platform: linux
  qemu: {image: images/debian12, memory: 1024M, cpus: 2, snapshot: base, keep_running: true,
         accel: tcg, append: "quiet"}
  readiness: "true"
  sources:
    auditd: {log: /var/log/audit/audit.log, rules: pack, start: true}
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "labs/vms.yaml", sink);
    ASSERT_TRUE(lab.ok()) << (sink.collected().empty() ? lab.error().message : sink.collected()[0].format());
    EXPECT_EQ(lab->dir, "labs");
    const auto& t = lab->targets[0];
    EXPECT_EQ(t.transport, "ssh");
    ASSERT_TRUE(t.qemu.has_value());
    EXPECT_EQ(t.qemu->image, "images/debian12");
    EXPECT_EQ(t.qemu->memory_mb, 1024);
    EXPECT_EQ(t.qemu->cpus, 2);
    EXPECT_EQ(t.qemu->snapshot, "base");
    EXPECT_TRUE(t.qemu->keep_running);
    EXPECT_EQ(t.qemu->accel, "tcg");
    EXPECT_EQ(t.source("auditd")->rules, "pack");
    EXPECT_TRUE(t.source("auditd")->start);
}

TEST(Lab, QemuTargetProblemsHavePositions) {
    struct Case {
        const char* yaml;
        const char* message;
    };
    const Case cases[] = {
        {"  qemu: {memory: 64M}\n", "vm.yaml:4:9: qemu.image (the directory scripts/lab-image.sh made) is required"},
        {"  qemu: {image: i, memory: lots}\n", "vm.yaml:4:28: qemu.memory must be a size in MiB"},
        {"  qemu: {image: i, accel: hvf}\n", "vm.yaml:4:27: qemu.accel must be auto, kvm or tcg"},
        {"  qemu: {image: i, disk: x}\n", "vm.yaml:4:20: unknown key 'disk' in qemu"},
        {"  transport: local\n  qemu: {image: i}\n", "a qemu target is reached through ssh"},
        {"  qemu: {image: i}\n  revert: [virsh, snapshot-revert, x, clean]\n", "revert: templates are for other hypervisors"},
        {"  qemu: {image: i}\n  concurrency: 2\n", "one scenario at a time"},
        {"  qemu: {image: i}\n  sources:\n    sysmon: {log: /x, rules: r}\n", "provisioned for auditd only"},
    };
    for (const auto& c : cases) {
        std::string text = std::string("lab: vm\ntargets:\n- name: vm1\n") + c.yaml + "  platform: linux\n";
        DiagnosticSink sink;
        auto lab = parse_lab(text, "vm.yaml", sink);
        EXPECT_FALSE(lab.ok()) << c.yaml;
        std::string all;
        for (const auto& d : sink.collected()) all += d.format() + "\n";
        EXPECT_NE(all.find(c.message), std::string::npos) << c.yaml << "\n" << all;
    }
}

TEST(Lab, BuiltInQemuLabLoads) {
    DiagnosticSink sink;
    auto lab = load_lab(ATTEST_SOURCE_DIR "/labs/qemu.yaml", sink);
    ASSERT_TRUE(lab.ok());
    ASSERT_EQ(lab->targets.size(), 1u);
    EXPECT_EQ(lab->targets[0].name, "vm1");
    EXPECT_TRUE(lab->targets[0].qemu.has_value());
    EXPECT_EQ(lab->targets[0].source("auditd")->rules, "pack");
}

TEST(Lab, SiemElasticSection) {
    const char* text = R"(lab: siem
siem:
  elastic: {url: https://es:9200, kibana: https://kb:5601, ca_fingerprint: "AB:CD",
            poll_interval: 15s, max_polls: 12, deadline: 10m, late_grace: 2m}
targets:
- name: win1
  platform: windows
  transport: local
  host: WIN1.lab.local
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "siem.yaml", sink);
    ASSERT_TRUE(lab.ok()) << (sink.collected().empty() ? lab.error().message
                                                       : sink.collected()[0].format());
    ASSERT_TRUE(lab->siem_elastic.has_value());
    const auto& c = *lab->siem_elastic;
    EXPECT_EQ(c.url, "https://es:9200");
    EXPECT_EQ(c.kibana, "https://kb:5601");
    EXPECT_EQ(c.ca_fingerprint, "AB:CD");
    EXPECT_EQ(c.alerts_index, ".alerts-security.alerts-default");
    EXPECT_EQ(c.host_field, "host.name");
    EXPECT_EQ(c.poll_interval, Millis(15000));
    EXPECT_EQ(c.max_polls, 12);
    EXPECT_EQ(c.deadline, Millis(600000));
    EXPECT_EQ(c.late_grace, Millis(120000));
    EXPECT_EQ(lab->targets[0].host, "WIN1.lab.local");
}

TEST(Lab, SiemElasticProblems) {
    const char* text = R"(lab: siem
siem:
  elastic: {kibana: https://kb, api_key: c2VjcmV0LWtleQ==, ca_file: a, ca_fingerprint: b,
            max_polls: 0, colour: red}
targets:
- name: a
  platform: linux
  transport: local
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "siem.yaml", sink);
    ASSERT_FALSE(lab.ok());
    std::string all;
    for (const auto& d : sink.collected()) all += d.format() + "\n";
    EXPECT_NE(all.find("siem.yaml:3:12: siem.elastic.url"), std::string::npos) << all;
    EXPECT_NE(all.find("secrets are never written in lab files"), std::string::npos) << all;
    EXPECT_NE(all.find("ca_file or ca_fingerprint, not both"), std::string::npos) << all;
    EXPECT_NE(all.find("max_polls must be between 1"), std::string::npos) << all;
    EXPECT_NE(all.find("unknown key 'colour'"), std::string::npos) << all;
    EXPECT_EQ(all.find("c2VjcmV0LWtleQ=="), std::string::npos) << all;
}

TEST(Lab, ASourceReadBackFromElasticsearch) {
    const char* text = R"(lab: es
targets:
- name: win10
  platform: windows
  host: WIN10.lab.local
  sources:
    sysmon: {elastic: {url: "https://es.lab:9200", index: "logs-windows.sysmon_operational-*",
             ca_fingerprint: "AB:CD", page_size: 500}, latency: 2m}
    powershell: {elastic: {url: "https://es.lab:9200", index: "logs-windows.powershell*"}}
)";
    DiagnosticSink sink;
    auto lab = parse_lab(text, "es.yaml", sink);
    ASSERT_TRUE(lab.ok()) << (sink.collected().empty() ? "" : sink.collected()[0].format());
    const SourceConfig* sysmon = lab->targets[0].source("sysmon");
    ASSERT_NE(sysmon, nullptr);
    ASSERT_TRUE(sysmon->elastic.has_value());
    EXPECT_EQ(sysmon->acquisition(), telemetry::Acquisition::Elasticsearch);
    EXPECT_TRUE(sysmon->channel.empty());  // not the table's default channel as well
    EXPECT_EQ(sysmon->elastic->connection.url, "https://es.lab:9200");
    EXPECT_EQ(sysmon->elastic->index, "logs-windows.sysmon_operational-*");
    EXPECT_EQ(sysmon->elastic->connection.trust.fingerprint, "AB:CD");
    EXPECT_EQ(sysmon->elastic->page_size, 500u);
    EXPECT_EQ(sysmon->elastic->host, "WIN10.lab.local");  // the target's host in the SIEM
    EXPECT_EQ(sysmon->elastic->host_field, "host.name");
    EXPECT_EQ(sysmon->latency, Millis(120000));
    EXPECT_EQ(lab->targets[0].source("powershell")->elastic->host, "WIN10.lab.local");
}

TEST(Lab, ElasticSourceProblemsHavePositions) {
    struct Case {
        const char* source;
        const char* expected;
    } cases[] = {
        {"{elastic: {index: logs-*}}",
         "es.yaml:6:23: sysmon.elastic.url (Elasticsearch's https URL) is required"},
        {"{elastic: {url: \"http://es:9200\", index: x}}", "es.yaml:6:29: sysmon.elastic.url"},
        {"{elastic: {url: \"https://es:9200\"}}", "es.yaml:6:23: sysmon.elastic.index"},
        {"{elastic: {url: \"https://es:9200\", index: x, api_key: s3cr3t}}",
         "es.yaml:6:67: secrets are never written in lab files"},
        {"{elastic: {url: \"https://es:9200\", index: x, indx: y}}",
         "es.yaml:6:58: unknown key 'indx' in sysmon.elastic"},
        {"{elastic: {url: \"https://es:9200\", index: x}, channel: C}",
         "exactly one of log, channel, file, api or elastic"},
        {"{elastic: {url: \"https://es:9200\", index: x, ca_file: a, ca_fingerprint: b}}",
         "give ca_file or ca_fingerprint, not both"},
    };
    for (const auto& c : cases) {
        std::string text = std::string(
                               "lab: es\ntargets:\n- name: w\n  platform: windows\n"
                               "  sources:\n    sysmon: ") +
                           c.source + "\n";
        DiagnosticSink sink;
        ASSERT_FALSE(parse_lab(text, "es.yaml", sink).ok()) << c.source;
        std::string all;
        for (const auto& d : sink.collected()) all += d.format() + "\n";
        EXPECT_NE(all.find(c.expected), std::string::npos) << all;
        EXPECT_EQ(all.find("s3cr3t"), std::string::npos) << all;
    }
}
