// Tests for collectors/auditd.cpp: line parsing, value decoding, serial grouping, ECS mapping.
#include "collectors/auditd.h"

#include <gtest/gtest.h>

#include "collect_helpers.h"

namespace attest {
namespace {

using testing::collect_file;
using testing::collect_text;
using testing::str_at;

const std::string kDataDir = std::string(ATTEST_SOURCE_DIR) + "/tests/data/auditd/";

TEST(AuditdLine, ParsesNodeTypeTimeSerialFieldsAndEnriched) {
    auditd::AuditRecord r;
    std::string error;
    std::size_t col = 0;
    std::string line =
        "node=web01 type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 "
        "success=yes comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\x1d"
        "ARCH=x86_64 UID=\"root\"";
    ASSERT_TRUE(auditd::parse_audit_line(line, r, error, col)) << error;
    EXPECT_EQ(r.node, "web01");
    EXPECT_EQ(r.type, "SYSCALL");
    EXPECT_EQ(r.serial, 4567u);
    EXPECT_EQ(r.time_ns, 1700000000123000000LL);
    ASSERT_NE(r.find("comm"), nullptr);
    EXPECT_EQ(r.find("comm")->value, "cat");
    EXPECT_TRUE(r.find("comm")->quoted);
    EXPECT_FALSE(auditd::field_value(*r.find("key")).has_value());
    ASSERT_EQ(r.enriched.size(), 2u);
    EXPECT_EQ(r.enriched[1].key, "UID");
    EXPECT_EQ(r.enriched[1].value, "root");
}

TEST(AuditdLine, UserMessagesFlattenTheNestedMsg) {
    auditd::AuditRecord r;
    std::string error;
    std::size_t col = 0;
    ASSERT_TRUE(
        auditd::parse_audit_line("type=USER_LOGIN msg=audit(1700000000.000:9): pid=1 uid=0 "
                                 "msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" res=failed'",
                                 r, error, col));
    ASSERT_NE(r.find("acct"), nullptr);
    EXPECT_EQ(r.find("acct")->value, "bob");
    EXPECT_EQ(r.find("res")->value, "failed");
}

TEST(AuditdLine, ErrorsCarryAColumn) {
    struct Case {
        const char* line;
        std::size_t column;
        const char* reason;
    } cases[] = {
        {"hello world", 1, "type="},
        {"type=SYSCALL msg=audit(1700000000.000): a=b", 24, "serial"},
        {"type=SYSCALL msg=audit(1700000000.000:12", 24, "unterminated"},
        {"node=x type=SYSCALL foo", 21, "msg=audit("},
        {"type=SYSCALL msg=audit(05/29/2023 12:00:00.000:5): a=b", 24, "ausearch --raw"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        auditd::AuditRecord r;
        std::string error;
        std::size_t col = 0;
        EXPECT_FALSE(auditd::parse_audit_line(c.line, r, error, col));
        EXPECT_EQ(col, c.column);
        EXPECT_NE(error.find(c.reason), std::string::npos) << error;
    }
}

TEST(AuditdValues, HexAndSockaddrDecoding) {
    EXPECT_EQ(auditd::decode_hex("2F746D70").value(), "/tmp");
    EXPECT_FALSE(auditd::decode_hex("2F7").has_value());
    EXPECT_FALSE(auditd::decode_hex("ZZ").has_value());

    auto in4 = auditd::decode_saddr("02001F907F0000010000000000000000");
    ASSERT_TRUE(in4);
    EXPECT_EQ(in4->family, "inet");
    EXPECT_EQ(in4->ip, "127.0.0.1");
    EXPECT_EQ(in4->port, 8080);

    auto in6 = auditd::decode_saddr("0A0001BB000000000000000000000000000000000000000100000000");
    ASSERT_TRUE(in6);
    EXPECT_EQ(in6->family, "inet6");
    EXPECT_EQ(in6->ip, "::1");
    EXPECT_EQ(in6->port, 443);

    auto local = auditd::decode_saddr("01002F7661722F72756E2F6E7363642F736F636B65740000");
    ASSERT_TRUE(local);
    EXPECT_EQ(local->family, "local");
    EXPECT_EQ(local->path, "/var/run/nscd/socket");

    auto abstract_sock = auditd::decode_saddr("0100006162630000");
    ASSERT_TRUE(abstract_sock);
    EXPECT_EQ(abstract_sock->path, "@abc");

    EXPECT_FALSE(auditd::decode_saddr("0200"));  // inet, too short
    EXPECT_FALSE(auditd::decode_saddr("not hex"));
    EXPECT_EQ(auditd::decode_saddr("10000000")->family, "netlink");
}

TEST(AuditdValues, SyscallNames) {
    EXPECT_EQ(auditd::syscall_name("c000003e", "59"), "execve");
    EXPECT_EQ(auditd::syscall_name("c000003e", "42"), "connect");
    EXPECT_EQ(auditd::syscall_name("c00000b7", "56"), "openat");
    EXPECT_EQ(auditd::syscall_name("c000003e", "9999"), "9999");
}

// An exec with hex-encoded, split and plain arguments, interleaved with another serial's
// records, no EOE anywhere (as this machine's auditd writes).
constexpr std::string_view kInterleaved =
    "type=SYSCALL msg=audit(1700000000.100:200): arch=c000003e syscall=59 success=yes exit=0 "
    "items=2 ppid=10 pid=20 auid=1000 uid=1000 gid=1000 euid=1000 comm=\"tar\" "
    "exe=\"/usr/bin/tar\" key=\"exec\"\n"
    "type=SYSCALL msg=audit(1700000000.101:201): arch=c000003e syscall=257 success=yes exit=3 "
    "a0=ffffff9c items=2 ppid=1 pid=30 uid=0 comm=\"touch\" exe=\"/usr/bin/touch\" key=\"mail\"\n"
    "type=EXECVE msg=audit(1700000000.100:200): argc=4 a0=\"tar\" a1=\"czf\" "
    "a2=2F746D702F6F75742066696C652E74677A a3_len=8 a3[0]=2F74 a3[1]=6D7020\n"
    "type=CWD msg=audit(1700000000.101:201): cwd=\"/var/mail\"\n"
    "type=CWD msg=audit(1700000000.100:200): cwd=\"/home/u\"\n"
    "type=PATH msg=audit(1700000000.101:201): item=0 name=\"/var/mail/\" nametype=PARENT\n"
    "type=PATH msg=audit(1700000000.101:201): item=1 name=6E6577206D61696C nametype=CREATE\n"
    "type=PATH msg=audit(1700000000.100:200): item=0 name=\"/usr/bin/tar\" nametype=NORMAL\n"
    "type=PATH msg=audit(1700000000.100:200): item=1 name=(null) nametype=NORMAL\n"
    "type=PROCTITLE msg=audit(1700000000.101:201): proctitle=746F756368006E6577206D61696C\n"
    "type=PROCTITLE msg=audit(1700000000.100:200): proctitle=74617200637A66\n";

TEST(AuditdGrouping, InterleavedSerialsBecomeOneEventEach) {
    auto c = collect_text(kInterleaved, "", ".log");
    ASSERT_TRUE(c.opened) << c.open_error;
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    EXPECT_TRUE(c.diagnostics.empty()) << c.diagnostics_text();
    const Event& exec = c.events[0];
    EXPECT_EQ(str_at(exec, "attest.source"), "auditd");
    EXPECT_EQ(str_at(exec, "event.sequence"), "200");
    EXPECT_EQ(str_at(exec, "@timestamp"), "2023-11-14T22:13:20.100Z");
    EXPECT_EQ(str_at(exec, "event.action"), "executed");
    EXPECT_EQ(str_at(exec, "event.category"), R"(["process"])");
    EXPECT_EQ(str_at(exec, "process.executable"), "/usr/bin/tar");
    EXPECT_EQ(str_at(exec, "process.name"), "tar");
    EXPECT_EQ(str_at(exec, "process.pid"), "20");
    EXPECT_EQ(str_at(exec, "process.parent.pid"), "10");
    EXPECT_EQ(str_at(exec, "process.args"), R"(["tar","czf","/tmp/out file.tgz","/tmp "])");
    EXPECT_EQ(str_at(exec, "process.command_line"), "tar czf /tmp/out file.tgz /tmp ");
    EXPECT_EQ(str_at(exec, "process.working_directory"), "/home/u");
    EXPECT_EQ(str_at(exec, "process.title"), "tar czf");
    EXPECT_EQ(str_at(exec, "user.id"), "1000");
    EXPECT_EQ(str_at(exec, "user.audit.id"), "1000");
    EXPECT_EQ(str_at(exec, "tags"), R"(["exec"])");
    EXPECT_EQ(str_at(exec, "auditd.data.syscall"), "execve");
    EXPECT_EQ(exec.find("auditd.incomplete"), nullptr);

    const Event& create = c.events[1];
    EXPECT_EQ(str_at(create, "event.action"), "creation");
    EXPECT_EQ(str_at(create, "event.category"), R"(["file"])");
    EXPECT_EQ(str_at(create, "file.path"), "/var/mail/new mail");
    EXPECT_EQ(str_at(create, "file.name"), "new mail");
    EXPECT_EQ(str_at(create, "file.directory"), "/var/mail");
    EXPECT_EQ(str_at(create, "tags"), R"(["mail"])");
    EXPECT_EQ(str_at(create, "process.title"), "touch new mail");
}

TEST(AuditdGrouping, SplitArgumentsInAnyOrderRepeatedAndMissing) {
    // a1: parts out of order, part 1 written twice (the last wins); a01 is not a1; a2: part 1
    // missing (stops at part 0); a3: a whole value wins over parts; a4: (null) then a later
    // record's value; a5: no part 0 (empty); a9: beyond argc.
    auto c = collect_text(
        "type=SYSCALL msg=audit(1700000000.100:200): arch=c000003e syscall=59 success=yes exit=0 "
        "items=0 ppid=1 pid=77 uid=0 comm=\"x\" exe=\"/bin/x\"\n"
        "type=EXECVE msg=audit(1700000000.100:200): argc=6 a0=\"x\" a01=\"bad\" a1_len=8 "
        "a1[1]=6D7020 a1[0]=2F74 a1[1]=6D7021 "
        "a2[0]=41 a2_len=2 a2[2]=43 a3=\"w\" a3_len=3 a3[0]=44 a5[1]=45 a5_len=2 a4=(null) "
        "a9=\"beyond\"\n"
        "type=EXECVE msg=audit(1700000000.100:200): a4=\"late\"\n"
        "type=PROCTITLE msg=audit(1700000000.100:200): proctitle=78\n",
        "", ".log");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    EXPECT_EQ(str_at(c.events[0], "process.args"), R"(["x","/tmp!","A","w","late",""])");
    EXPECT_EQ(str_at(c.events[0], "process.args_count"), "6");
    EXPECT_EQ(str_at(c.events[0], "process.command_line"), "x /tmp! A w late ");
}

TEST(AuditdLine, ReusedRecordKeepsNoFieldsOfTheLineBefore) {
    auditd::AuditRecord r;
    std::string error;
    std::size_t col = 0;
    ASSERT_TRUE(
        auditd::parse_audit_line("type=SYSCALL msg=audit(1.0:1): a=1 b=\"two\" c=3\x1d"
                                 "A=\"x\" B=\"y\"",
                                 r, error, col));
    ASSERT_TRUE(
        auditd::parse_audit_line("node=n type=CWD msg=audit(1.0:2): cwd=2F", r, error, col));
    EXPECT_EQ(r.node, "n");
    EXPECT_EQ(r.kind, auditd::RecordKind::cwd);
    ASSERT_EQ(r.fields.size(), 1u);
    EXPECT_EQ(r.fields[0].key, "cwd");
    EXPECT_FALSE(r.fields[0].quoted);
    EXPECT_TRUE(r.enriched.empty());
    EXPECT_FALSE(auditd::parse_audit_line("type=X", r, error, col));
    EXPECT_TRUE(r.fields.empty());
}

TEST(AuditdGrouping, IncompleteGroupAtEndOfFileIsEmittedAndFlagged) {
    std::string text =
        "type=SYSCALL msg=audit(1700000000.000:5): arch=c000003e syscall=257 success=yes items=1 "
        "pid=7 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"mail\"\n"
        "type=CWD msg=audit(1700000000.000:5): cwd=\"/\"\n";
    auto c = collect_text(text, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 1u);
    EXPECT_EQ(str_at(c.events[0], "auditd.incomplete"), "true");
    EXPECT_EQ(str_at(c.events[0], "process.executable"), "/usr/bin/cat");
}

TEST(AuditdGrouping, EoeClosesAGroupAndStandaloneRecordsAreNotIncomplete) {
    std::string text =
        "type=SYSCALL msg=audit(1700000000.000:5): arch=c000003e syscall=2 success=no exit=-13 "
        "items=1 pid=7 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"mail\"\n"
        "type=PATH msg=audit(1700000000.000:5): item=0 name=\"/var/mail/bob\" nametype=NORMAL\n"
        "type=EOE msg=audit(1700000000.000:5): \n"
        "type=USER_LOGIN msg=audit(1700000001.000:6): pid=1 uid=0 msg='op=login acct=\"bob\" "
        "res=failed'\n";
    auto c = collect_text(text, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 2u);
    EXPECT_EQ(c.events[0].find("auditd.incomplete"), nullptr);
    EXPECT_EQ(str_at(c.events[0], "event.action"), "opened-file");
    EXPECT_EQ(str_at(c.events[0], "event.outcome"), "failure");
    EXPECT_EQ(str_at(c.events[0], "file.path"), "/var/mail/bob");
    EXPECT_EQ(str_at(c.events[1], "event.action"), "user_login");
    EXPECT_EQ(str_at(c.events[1], "event.outcome"), "failure");
    EXPECT_EQ(c.events[1].find("auditd.incomplete"), nullptr);
}

TEST(AuditdGrouping, ManyOpenGroupsStayBoundedAndInOrder) {
    // 5000 serials whose SYSCALL never completes (no PROCTITLE): each is closed by the
    // 64-newer-groups rule; output order is the order of first appearance.
    std::string text;
    for (int i = 1; i <= 5000; ++i)
        text += "type=SYSCALL msg=audit(1700000000.000:" + std::to_string(i) +
                "): arch=c000003e syscall=257 items=0 pid=" + std::to_string(i) + " uid=0\n";
    auto c = collect_text(text, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 5000u);
    for (int i = 0; i < 5000; i += 997)
        EXPECT_EQ(str_at(c.events[i], "event.sequence"), std::to_string(i + 1));
}

TEST(AuditdNetwork, ConnectWithInetSockaddr) {
    std::string text =
        "node=lab1 type=SYSCALL msg=audit(1700000000.500:77): arch=c000003e syscall=42 success=yes "
        "exit=0 items=0 ppid=1 pid=99 uid=0 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\"\n"
        "node=lab1 type=SOCKADDR msg=audit(1700000000.500:77): "
        "saddr=02001F907F0000010000000000000000\n"
        "node=lab1 type=PROCTITLE msg=audit(1700000000.500:77): proctitle=6375726C\n";
    auto c = collect_text(text, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 1u);
    const Event& e = c.events[0];
    EXPECT_EQ(str_at(e, "host.name"), "lab1");
    EXPECT_EQ(str_at(e, "event.category"), R"(["network"])");
    EXPECT_EQ(str_at(e, "event.action"), "connected-to");
    EXPECT_EQ(str_at(e, "destination.ip"), "127.0.0.1");
    EXPECT_EQ(str_at(e, "destination.port"), "8080");
    EXPECT_EQ(str_at(e, "auditd.data.socket.family"), "inet");
}

TEST(AuditdEntityId, StableAcrossTheImageAndNewAfterAnotherExec) {
    std::string exec1 =
        "type=SYSCALL msg=audit(1.0:10): arch=c000003e syscall=59 success=yes items=0 ppid=1 "
        "pid=50 uid=0 exe=\"/bin/sh\"\n"
        "type=EXECVE msg=audit(1.0:10): argc=1 a0=\"sh\"\n"
        "type=PROCTITLE msg=audit(1.0:10): proctitle=7368\n";
    std::string open1 =
        "type=SYSCALL msg=audit(1.1:11): arch=c000003e syscall=2 success=yes items=1 ppid=1 pid=50 "
        "uid=0 exe=\"/bin/sh\"\n"
        "type=PATH msg=audit(1.1:11): item=0 name=\"/etc/passwd\" nametype=NORMAL\n"
        "type=PROCTITLE msg=audit(1.1:11): proctitle=7368\n";
    std::string exec2 =
        "type=SYSCALL msg=audit(1.2:12): arch=c000003e syscall=59 success=yes items=0 ppid=1 "
        "pid=50 uid=0 exe=\"/bin/cat\"\n"
        "type=EXECVE msg=audit(1.2:12): argc=1 a0=\"cat\"\n"
        "type=PROCTITLE msg=audit(1.2:12): proctitle=636174\n";
    std::string child =
        "type=SYSCALL msg=audit(1.3:13): arch=c000003e syscall=59 success=yes items=0 ppid=50 "
        "pid=51 uid=0 exe=\"/bin/ls\"\n"
        "type=EXECVE msg=audit(1.3:13): argc=1 a0=\"ls\"\n"
        "type=PROCTITLE msg=audit(1.3:13): proctitle=6C73\n";
    auto c = collect_text(exec1 + open1 + exec2 + child, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 4u);
    std::string id1 = str_at(c.events[0], "process.entity_id");
    EXPECT_EQ(id1.size(), 16u);
    EXPECT_EQ(str_at(c.events[1], "process.entity_id"), id1);
    std::string id2 = str_at(c.events[2], "process.entity_id");
    EXPECT_NE(id2, id1);
    EXPECT_EQ(str_at(c.events[3], "process.parent.entity_id"), id2);
}

TEST(AuditdErrors, BadLinesAreReportedSkippedAndCounted) {
    std::string text =
        "garbage here\n"
        "type=SYSCALL msg=audit(1700000000.000): no serial\n" +
        std::string("type=SYSCALL msg=audit(1700000000.000:1): a=") + std::string(2u << 20, 'x') +
        "\n----\ntime->Tue Nov 14 22:13:20 2023\n" +
        "type=DAEMON_START msg=audit(1700000000.000:2): op=start res=success\n";
    auto c = collect_text(text, "auditd", ".log");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    ASSERT_EQ(c.diagnostics.size(), 3u) << c.diagnostics_text();
    EXPECT_EQ(c.diagnostics[0].line, 1u);
    EXPECT_EQ(c.diagnostics[1].line, 2u);
    EXPECT_EQ(c.diagnostics[1].column, 24u);
    EXPECT_NE(c.diagnostics[1].message.find("serial"), std::string::npos);
    EXPECT_EQ(c.diagnostics[2].line, 3u);
    EXPECT_NE(c.diagnostics[2].message.find("longer than"), std::string::npos);
    EXPECT_EQ(c.stats.skipped, 3u);
}

TEST(AuditdRealLog, DebianEnrichedRecording) {
    // Recorded on Debian 12 (auditd 3.0.9, log_format=ENRICHED, name_format=HOSTNAME): touch of a
    // file with a space in a watched dir, tar of the dir, curl to a closed port.
    auto c = collect_file(kDataDir + "debian12_enriched.log", "");
    ASSERT_TRUE(c.opened) << c.open_error;
    EXPECT_TRUE(c.diagnostics.empty()) << c.diagnostics_text();
    ASSERT_EQ(c.events.size(), 13u);
    const Event& touch = c.events[0];
    EXPECT_EQ(str_at(touch, "event.action"), "creation");
    EXPECT_EQ(str_at(touch, "file.path"), "/tmp/c-aud/spool/new file");
    EXPECT_EQ(str_at(touch, "host.name"), "vm");
    EXPECT_EQ(str_at(touch, "user.name"), "root");
    int execs = 0, connects = 0;
    for (const auto& e : c.events) {
        if (str_at(e, "event.action") == "executed") ++execs;
        if (str_at(e, "event.action") == "connected-to") {
            ++connects;
            EXPECT_EQ(str_at(e, "destination.address"), "/var/run/nscd/socket");
        }
        EXPECT_EQ(e.find("auditd.incomplete"), nullptr) << e.to_json();
    }
    EXPECT_EQ(execs, 4);
    EXPECT_EQ(connects, 6);
}

// Events are written over dead ones given back (Collector::recycle, core/value_writer.h): the
// result must equal events built from nothing, whatever the dead event held. Each event is
// given back out of order after a few others, with foreign values among them (another shape,
// not an object at all), over every recorded log of the tests, with and without the original.
TEST(AuditdRecycle, EventsWrittenOverDeadOnesEqualFreshOnes) {
    const std::string data = std::string(ATTEST_SOURCE_DIR) + "/tests/data/";
    Value odd = Value::object();
    odd.set("process.args", Value("not an array"));
    odd.set("auditd.paths", Value::array());
    odd.set("event.type", Value(7));
    for (const char* file : {"auditd/debian12_enriched.log", "lineage/auditd_two_trees.log",
                             "t1114/recorded_l1_auditd.log", "t1114/recorded_l2_auditd.log"})
        for (bool original : {false, true}) {
            CollectorOptions options;
            options.include_original = original;
            std::vector<std::string> fresh;
            for (const auto& e : collect_file(data + file, "auditd", options).events)
                fresh.push_back(e.to_json());
            DiagnosticSink sink;
            auto c = CollectorRegistry::builtin().open(data + file, "auditd", options, sink);
            ASSERT_TRUE(c) << file;
            std::vector<std::string> reused;
            std::vector<Event> held;
            std::size_t turn = 0;
            while (true) {
                Event e;
                if (!(*c)->next(e)) break;
                reused.push_back(e.to_json());
                held.push_back(std::move(e));
                if (++turn % 5 == 0) (*c)->recycle(turn % 10 == 0 ? Value(odd) : Value("x"));
                if (held.size() < 4) continue;
                std::size_t pick = (turn * 7) % held.size();  // not the order they came in
                (*c)->recycle(std::move(held[pick]));
                held.erase(held.begin() + static_cast<std::ptrdiff_t>(pick));
            }
            ASSERT_GT(fresh.size(), 3u) << file;
            ASSERT_EQ(reused.size(), fresh.size()) << file;
            for (std::size_t i = 0; i < fresh.size(); ++i)
                ASSERT_EQ(reused[i], fresh[i]) << file << " event " << i;
        }
}

TEST(AuditdSniff, RecognizesAuditLogsOnly) {
    EXPECT_GE(auditd::sniff_auditd("type=DAEMON_START msg=audit(1.2:3): op=start\n", "x"), 60);
    EXPECT_GE(auditd::sniff_auditd("node=a type=SYSCALL msg=audit(1.2:3): a=b\n", "x"), 60);
    EXPECT_GE(auditd::sniff_auditd("----\ntime->Tue\ntype=SYSCALL msg=audit(1.2:3): a=b\n", "x"),
              60);
    EXPECT_EQ(auditd::sniff_auditd("{\"type\":\"x\"}\n", "x"), 0);
    EXPECT_EQ(auditd::sniff_auditd("Nov 1 sysmon: <Event>", "x"), 0);
}

}  // namespace
}  // namespace attest
