#include "telemetry/tail.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace attest::telemetry {
namespace {

namespace fs = std::filesystem;

// One audit event (a SYSCALL record and its end marker) with serial `n`.
std::string audit_event(int n) {
    std::string stamp = "msg=audit(" + std::to_string(1795336820 + n) + ".000:" + std::to_string(n) + "):";
        "msg=audit(1795336820." + std::to_string(100 + n) + ":" + std::to_string(n) + "):";
    return "node=vm type=SYSCALL " + stamp +
           " arch=c000003e syscall=257 success=yes exit=3 items=1 ppid=9692 pid=" +
           std::to_string(1000 + n) +
           " auid=1000 uid=0 gid=0 euid=0 comm=\"touch\" exe=\"/usr/bin/touch\" key=\"k\"\n"
           "node=vm type=EOE " +
           stamp + "\n";
}

class TailTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/attest_tail_XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        m_log = (m_dir / "audit.log").string();
    }
    void TearDown() override { fs::remove_all(m_dir); }
    void append(const std::string& text) {
        std::ofstream(m_log, std::ios::binary | std::ios::app) << text;
    }
    std::vector<std::int64_t> pids(const Tail& tail) {
        DiagnosticSink sink;
        std::vector<std::int64_t> out;
        feed_pids(tail, sink, out);
        return out;
    }
    static void feed_pids(const Tail& tail, DiagnosticSink& sink, std::vector<std::int64_t>& out) {
        Stream s(tail.inputs(), sink);
        s.run(
            [&](std::shared_ptr<Event>& e) {
                const Value* pid = e->find("process.pid");
                out.push_back(pid && pid->is_int() ? pid->as_int() : -1);
            },
            [&] { out.clear(); });
    }

    fs::path m_dir;
    std::string m_log;
};

// The acceptance test of incremental collection polls: the tenth poll of a growing audit log
// reads only the bytes appended since the ninth, and the stream still sees every event.
TEST_F(TailTest, TenthPollOfAGrowingAuditLogReadsOnlyTheNewBytes) {
    Tail tail;
    DiagnosticSink sink;
    std::uint64_t total = 0;
    for (int poll = 1; poll <= 10; ++poll) {
        std::string added;
        for (int k = 0; k < poll; ++k)
            added += audit_event(poll * 100 + k);  // a little more each time
        append(added);
        total += added.size();
        ASSERT_TRUE(tail.poll(m_log, "auditd", Tail::Growth::Appends, sink));
        EXPECT_EQ(tail.last_poll_bytes(), added.size()) << "poll " << poll;
        EXPECT_EQ(tail.total_bytes(), total);
    }
    EXPECT_EQ(sink.error_count(), 0u);
    EXPECT_EQ(tail.events(), 55u);  // 1 + 2 + ... + 10
    auto seen = pids(tail);
    ASSERT_EQ(seen.size(), 55u);
    EXPECT_EQ(seen.front(), 1000 + 100);
    EXPECT_EQ(seen.back(), 1000 + 1009);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

    // A poll with nothing new reads nothing.
    ASSERT_TRUE(tail.poll(m_log, "auditd", Tail::Growth::Appends, sink));
    EXPECT_EQ(tail.last_poll_bytes(), 0u);
    EXPECT_EQ(tail.events(), 55u);
}

// A log that shrank was rotated: it is read again from its start, and what it held before is
// forgotten with it.
TEST_F(TailTest, ARotatedLogIsReadFromItsStart) {
    Tail tail;
    DiagnosticSink sink;
    append(audit_event(1) + audit_event(2) + audit_event(3));
    ASSERT_TRUE(tail.poll(m_log, "", Tail::Growth::Appends, sink));  // detected from content
    fs::remove(m_log);
    append(audit_event(4));
    ASSERT_TRUE(tail.poll(m_log, "", Tail::Growth::Appends, sink));
    EXPECT_EQ(tail.last_poll_bytes(), audit_event(4).size());
    EXPECT_EQ(pids(tail), (std::vector<std::int64_t>{1004}));
}

// A file fetched whole each time (an O365 export) is read whole each time.
TEST_F(TailTest, RewrittenFilesAreReadWhole) {
    Tail tail;
    DiagnosticSink sink;
    append(audit_event(1));
    ASSERT_TRUE(tail.poll(m_log, "auditd", Tail::Growth::Rewritten, sink));
    append(audit_event(2));
    ASSERT_TRUE(tail.poll(m_log, "auditd", Tail::Growth::Rewritten, sink));
    EXPECT_EQ(tail.last_poll_bytes(), audit_event(1).size() + audit_event(2).size());
    EXPECT_EQ(pids(tail), (std::vector<std::int64_t>{1001, 1002}));
}

TEST_F(TailTest, AMissingFileIsAnError) {
    Tail tail;
    DiagnosticSink sink;
    auto r = tail.poll((m_dir / "nope.log").string(), "auditd", Tail::Growth::Appends, sink);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("nope.log"), std::string::npos);
}

}  // namespace
}  // namespace attest::telemetry
