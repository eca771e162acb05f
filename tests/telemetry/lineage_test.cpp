#include "telemetry/lineage.h"

#include <gtest/gtest.h>

#include "telemetry/sources.h"

namespace attest::telemetry {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::size_t kNone = LineageTracker::kNone;

// An auditd-shaped event: pid / ppid on a host.
Event audit(std::int64_t pid, std::int64_t ppid, std::string_view host = "web01") {
    Event e = Value::object();
    e.set("event.dataset", Value("auditd.log"));
    e.set("host.name", Value(std::string(host)));
    e.set("process.pid", Value(pid));
    if (ppid != 0) e.set("process.parent.pid", Value(ppid));
    return e;
}

// A Sysmon-shaped event: ProcessGuid / ParentProcessGuid (and the pid).
Event sysmon(std::string_view guid, std::string_view parent, std::int64_t pid = 0) {
    Event e = Value::object();
    e.set("event.dataset", Value("windows.sysmon_operational"));
    e.set("host.name", Value("WS01.lab.local"));
    e.set("process.entity_id", Value(std::string(guid)));
    if (!parent.empty()) e.set("process.parent.entity_id", Value(std::string(parent)));
    if (pid != 0) e.set("process.pid", Value(pid));
    return e;
}

struct Step {
    std::int64_t at;  // seconds
    Event event;
    std::size_t want;  // anchor index or kNone
    const char* why;
};

void run(LineageTracker& t, const std::vector<Step>& steps) {
    for (const auto& s : steps) {
        const SourceSpec* source = nullptr;
        if (const Value* d = s.event.find("event.dataset"))
            source = source_of_dataset(d->as_string());
        EXPECT_EQ(t.observe(s.event, s.at * kSecond, source), s.want) << s.why;
    }
}

TEST(Lineage, AuditdTreesOfTwoInterleavedTestsStayApart) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    auto b = t.add_anchor({"B", "web01", "200", "", 12 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 1), a, "A's executor"},
               {12, audit(101, 100), a, "A's child"},
               {13, audit(200, 1), b, "B's executor"},
               {13, audit(201, 200), b, "B's child"},
               {14, audit(102, 101), a, "A's grandchild"},
               {14, audit(202, 201), b, "B's grandchild"},
               {15, audit(300, 1), kNone, "a process of neither"},
               {15, audit(101, 100), a, "A's child again"},
           });
}

TEST(Lineage, ChildSeenBeforeItsParentExecutorIsOwned) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               // The executor never logged its own exec: its child's exec is the first event.
               {11, audit(101, 100), a, "child of the anchor pid"},
               {12, audit(100, 7), a, "the executor itself, later"},
               {13, audit(102, 101), a, "grandchild"},
           });
}

TEST(Lineage, PidReuseOutsideTheTreeDoesNotInheritOwnership) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 7), a, "executor, parent 7"},
               {12, audit(101, 100), a, "child"},
               {13, audit(101, 555), kNone, "pid 101 reused by a child of 555"},
               {14, audit(101, 555), kNone, "still the stranger"},
               {15, audit(100, 9), kNone, "the executor's pid reused under another parent"},
               {16, audit(150, 100), kNone, "a child of the stranger holding pid 100"},
               {17, audit(101, 100), kNone, "the executor's pid is no longer the tree's"},
           });
}

TEST(Lineage, PidReusedInsideTheTreeStaysOwned) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 7), a, "executor"},
               {12, audit(101, 100), a, "child"},
               {13, audit(102, 101), a, "grandchild"},
               {14, audit(102, 100), a, "pid 102 reused by another child of the executor"},
           });
}

Event audit_fork(std::int64_t pid, std::int64_t ppid, std::string_view action,
                 std::string_view exit) {
    Event e = audit(pid, ppid);
    e.set("event.action", Value(std::string(action)));
    e.set("auditd.data.exit", Value(std::string(exit)));
    return e;
}

TEST(Lineage, ForkRecordsOwnChildrenThatNeverExec) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 7), a, "executor"},
               // A subshell forked without exec: only its fork record names it.
               {12, audit_fork(100, 7, "clone", "130"), a, "the executor's clone"},
               {13, audit(131, 130), a, "the subshell's child"},
               {13, audit_fork(100, 7, "clone", "-11"), a, "a failed clone names no child"},
               {14, audit_fork(500, 1, "clone", "501"), kNone, "a stranger's clone"},
               {15, audit(502, 501), kNone, "the stranger's grandchild"},
               {15, audit_fork(131, 130, "execve", "0"), a, "not a fork action"},
           });
    EXPECT_EQ(t.live_processes(), 3u) << "100, 130, 131: no entry for a failed fork or an exec";
}

TEST(Lineage, UnknownParentsAndMissingIdsOwnNothing) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    Event no_pid = audit(0, 0);
    no_pid.set("process.pid", Value());  // null: no process identity
    Event text_pid = audit(100, 7);
    text_pid.set("process.pid", Value("100"));  // written as text: the same process
    run(t, {
               {11, audit(400, 399), kNone, "parent never seen"},
               {11, no_pid, kNone, "no pid"},
               {12, text_pid, a, "pid as a string"},
               {13, audit(101, 0), kNone, "no ppid and not known"},
               {14, audit(101, 100), a, "now its parent is known"},
               {15, audit(101, 0), a, "a record without ppid of a known process"},
           });
}

TEST(Lineage, HostMismatchOwnsNothing) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 7, "db01"), kNone, "same pid on another host"},
               {12, audit(101, 100, "db01"), kNone, "its child on that host"},
               {13, audit(100, 7, "WEB01.lab.local"), a, "the lab host, as an FQDN"},
               {14, audit(101, 100, "WEB01.lab.local"), a, "child on the lab host"},
               {15, audit(101, 100, "db01"), kNone, "the other host's pid 101 is still not ours"},
           });
}

TEST(Lineage, OneTestOnManyHostsOwnsEachHostsTreeAlone) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 60 * kSecond});
    auto b = t.add_anchor({"A", "db01", "100", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, audit(100, 7, "web01"), a, "web01's executor"},
               {11, audit(100, 7, "db01"), b, "db01's executor, same pid"},
               {12, audit(101, 100, "db01"), b, "db01's child"},
               {12, audit(101, 100, "web01"), a, "web01's child"},
           });
}

TEST(Lineage, TheSameExecutorPidInTwoOpenWindowsGoesToTheNewerTest) {
    // After a snapshot revert the next test's executor can get the previous one's pid.
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 30 * kSecond});
    auto b = t.add_anchor({"B", "web01", "100", "", 20 * kSecond, 40 * kSecond});
    run(t, {
               {11, audit(100, 7), a, "A's executor"},
               {12, audit(101, 100), a, "A's child"},
               {21, audit(100, 8), b, "B's executor, same pid, another parent"},
               {22, audit(102, 100), b, "B's child"},
               // (pid 100 now is B's executor: A's executor exited, so a ppid of 100 is B's.)
               {23, audit(101, 0), a, "A's child, in a record without ppid, is still A's"},
           });
}

TEST(Lineage, WindowEdgesAreInclusiveAndTablesExpire) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 20 * kSecond});
    run(t, {
               {9, audit(100, 7), kNone, "before the start: the pid is someone else's"},
               {10, audit(100, 7), a, "at the start"},
               {15, audit(101, 100), a, "child"},
               {20, audit(102, 101), a, "at the end"},
           });
    EXPECT_EQ(t.live_processes(), 3u);
    run(t, {{21, audit(103, 102), kNone, "after the end"}});
    EXPECT_EQ(t.live_processes(), 0u) << "an anchor's processes are forgotten with its window";
}

TEST(Lineage, UntimedEventsOrUnknownSourcesOwnNothing) {
    LineageTracker t;
    t.add_anchor({"A", "web01", "100", "", 10 * kSecond, 20 * kSecond});
    Event e = audit(100, 7);
    EXPECT_EQ(t.observe(e, INT64_MIN, source_of_dataset("auditd.log")), kNone);
    EXPECT_EQ(t.observe(e, 11 * kSecond, nullptr), kNone);
    EXPECT_EQ(t.observe(e, 11 * kSecond, find_source("o365")), kNone) << "o365 declares no lineage";
}

TEST(Lineage, SysmonFollowsProcessGuids) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "ws01", "", "{A-ROOT}", 10 * kSecond, 60 * kSecond});
    auto b = t.add_anchor({"B", "ws01", "", "{B-ROOT}", 10 * kSecond, 60 * kSecond});
    run(t, {
               {11, sysmon("{A-1}", "{A-ROOT}"), a, "A's child before A's own event"},
               {11, sysmon("{B-ROOT}", "{SSHD}"), b, "B's executor"},
               {12, sysmon("{B-1}", "{B-ROOT}"), b, "B's child"},
               {12, sysmon("{A-2}", "{A-1}"), a, "A's grandchild"},
               {13, sysmon("{A-1}", ""), a, "A's child: an event without its parent"},
               {13, sysmon("{C-1}", "{SSHD}"), kNone, "a sibling of the executors"},
           });
}

TEST(Lineage, SysmonAnchorKnownByPidLearnsItsGuid) {
    LineageTracker t;
    auto a = t.add_anchor({"A", "ws01", "4242", "", 10 * kSecond, 60 * kSecond});
    run(t, {
               {9, sysmon("{OLD}", "{X}", 4242), kNone, "pid 4242 before the window"},
               {11, sysmon("{A-ROOT}", "{SSHD}", 4242), a, "the executor, by its pid"},
               {12, sysmon("{A-1}", "{A-ROOT}", 77), a, "its child, by guid"},
               {13, sysmon("{OTHER}", "{SSHD}", 4242), kNone, "a later process with pid 4242"},
           });
}

TEST(EventFacts, TakeTimeSourceHostAndTheIdsTheSourceFollows) {
    Event a = audit(4242, 4200);
    a.set("@timestamp", Value("2026-01-01T00:00:01.500Z"));
    EventFacts f = EventFacts::of(a);
    EXPECT_EQ(f.ts, 1767225601500000000);
    ASSERT_NE(f.source, nullptr);
    EXPECT_EQ(f.source->name, "auditd");
    ASSERT_TRUE(f.host);
    EXPECT_EQ(*f.host, "web01");
    EXPECT_EQ(f.self, "4242") << "an integer pid is written in decimal";
    EXPECT_EQ(f.parent, "4200");
    EXPECT_EQ(f.pid, "") << "auditd follows pids: no separate pid";

    Event s = sysmon("{A-1}", "{A-ROOT}", 77);
    s.set("@timestamp", Value(std::int64_t{1767225601500}));  // epoch milliseconds
    f = EventFacts::of(s);
    EXPECT_EQ(f.ts, 1767225601500000000);
    EXPECT_EQ(f.source->name, "sysmon");
    EXPECT_EQ(f.self, "{A-1}");
    EXPECT_EQ(f.parent, "{A-ROOT}");
    EXPECT_EQ(f.pid, "77") << "the pid binds an anchor known only by its pid";
}

TEST(EventFacts, WhatIsMissingOrUnusableIsLeftEmpty) {
    Event e = Value::object();
    e.set("@timestamp", Value("yesterday"));
    e.set("host.name", Value(7));
    e.set("process.pid", Value(1.5));
    EventFacts f = EventFacts::of(e);
    EXPECT_EQ(f.ts, EventFacts::kUntimed);
    EXPECT_EQ(f.source, nullptr);
    EXPECT_FALSE(f.host) << "a host name that is not a string names no host";
    EXPECT_EQ(f.self, "");

    e.set("event.dataset", Value("auditd.log"));
    f = EventFacts::of(e);
    EXPECT_EQ(f.self, "") << "a pid written as a fraction identifies nothing";
    EXPECT_EQ(f.source, find_source("auditd"));
    EXPECT_EQ(EventFacts::of(e, nullptr).source, nullptr);
}

}  // namespace
}  // namespace attest::telemetry
