// Lineage-bound expectations in the engine, on recorded telemetry: two tests that ran at the
// same time on one host each get exactly the events of their own process tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/diagnostics.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "telemetry/stream.h"

namespace attest::expectations {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kSecond = 1'000'000'000;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::shared_ptr<Event>> read_events(const std::string& path) {
    std::vector<std::shared_ptr<Event>> out;
    struct Collect {
        std::vector<std::shared_ptr<Event>>* out;
        void feed(std::shared_ptr<Event>& e) { out->push_back(e); }
        void restart() { out->clear(); }
    } collect{&out};
    DiagnosticSink sink;
    telemetry::feed(collect, telemetry::Stream::files({path}, {}), sink);
    return out;
}

std::string text_of(const Event& e, std::string_view field) {
    const Value* v = e.find(field);
    if (v == nullptr) return {};
    return v->is_string() ? v->as_string()
           : v->is_int()  ? std::to_string(v->as_int())
                          : std::string();
}

std::int64_t time_of(const Event& e) {
    return timestamp_value_ns(*e.find("@timestamp")).value_or(0);
}

// The reference the tracker is checked against: the parent of every process, from every event
// of the whole recording at once (not streamed), through `self`/`parent` and fork records.
struct Ancestry {
    std::map<std::string, std::string> parent;
    bool descends(std::string id, const std::string& root) const {
        for (int depth = 0; depth < 64; ++depth) {
            if (id == root) return true;
            auto it = parent.find(id);
            if (it == parent.end()) return false;
            id = it->second;
        }
        return false;
    }
};

Ancestry ancestry(const std::vector<std::shared_ptr<Event>>& events, std::string_view self,
                  std::string_view parent) {
    Ancestry a;
    for (const auto& e : events) {
        std::string s = text_of(*e, self), p = text_of(*e, parent);
        if (!s.empty() && !p.empty()) a.parent.emplace(s, p);
        std::string action = text_of(*e, "event.action"), child = text_of(*e, "auditd.data.exit");
        if ((action == "clone" || action == "vfork" || action == "fork") && !child.empty() &&
            child[0] != '-' && child != "0")
            a.parent.emplace(child, s);
    }
    return a;
}

ExpectationSpec lineage_expectation(std::string id, std::string source, std::string query,
                                    bool lineage) {
    ExpectationSpec s;
    s.id = std::move(id);
    s.source = std::move(source);
    s.query = std::move(query);
    s.lineage = lineage;
    s.window = Window{0, 2 * kSecond};
    return s;
}

struct Anchored {
    std::string name, pid, entity_id;
    std::int64_t start = 0, end = 0;
};

// Each run as a scenario with `checks` (the first: every event of its tree, kept as
// evidence, uncapped).
std::vector<ScenarioResult> evaluate(const std::string& path, const std::string& host,
                                     const std::vector<ExpectationSpec>& checks,
                                     const std::vector<Anchored>& runs) {
    EngineOptions options;
    options.max_evidence = 100000;
    Evaluator ev(options);
    for (const auto& r : runs) {
        ScenarioChecks c;
        c.guid = r.name;
        c.expectations = checks;
        RunFacts f;
        f.host = host;
        f.start_ns = r.start;
        f.end_ns = r.end;
        f.anchor = ProcessAnchor{r.pid, r.entity_id};
        ev.add_scenario(c, f);
    }
    DiagnosticSink sink;
    telemetry::feed(ev, telemetry::Stream::files({path}, {}), sink);
    ev.finish();
    return ev.results();
}

// Events the reference puts in the run's tree and window.
std::uint64_t reference_count(const std::vector<std::shared_ptr<Event>>& events,
                              const Ancestry& reference, std::string_view self,
                              const std::string& root, std::int64_t lo, std::int64_t hi) {
    std::uint64_t n = 0;
    for (const auto& e : events) {
        std::int64_t ts = time_of(*e);
        n += ts >= lo && ts <= hi && reference.descends(text_of(*e, self), root);
    }
    return n;
}

TEST(LineageRecorded, AuditdTwoInterleavedTestsEachGetExactlyTheirOwnEvents) {
    const fs::path dir = fs::path(ATTEST_SOURCE_DIR) / "tests/data/lineage";
    const std::string log = (dir / "auditd_two_trees.log").string();
    Value info = parse_json_value(read_text(dir / "auditd_two_trees.json"));
    std::vector<Anchored> runs;
    for (const auto& a : info.find("anchors")->as_array())
        runs.push_back({a.find("name")->as_string(), a.find("executor_pid")->as_string(), "",
                        *parse_iso8601_ns(a.find("start")->as_string()),
                        *parse_iso8601_ns(a.find("end")->as_string())});
    ASSERT_EQ(runs.size(), 2u);
    ASSERT_LT(runs[1].start, runs[0].end) << "the recording's two tests must overlap in time";

    auto events = read_events(log);
    ASSERT_GT(events.size(), 50u);
    Ancestry reference = ancestry(events, "process.pid", "process.parent.pid");
    auto results = evaluate(
        log, info.find("host")->as_string(),
        {lineage_expectation("tree", "auditd", "any where true", true),
         lineage_expectation("uname", "auditd", R"(any where process.name == "uname")", true),
         lineage_expectation("uname-any-process", "auditd", R"(any where process.name == "uname")",
                             false)},
        runs);
    ASSERT_EQ(results.size(), 2u);

    std::multiset<std::string> programs[2];
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& tree = results[i].expectations[0];
        ASSERT_TRUE(tree.lineage_applied);
        std::uint64_t want = reference_count(events, reference, "process.pid", runs[i].pid,
                                             runs[i].start, runs[i].end + 2 * kSecond);
        EXPECT_GE(want, 20u) << runs[i].name;
        EXPECT_EQ(tree.count, want) << runs[i].name;
        EXPECT_EQ(tree.evidence.size(), want) << runs[i].name;
        for (const auto& e : tree.evidence) {
            EXPECT_TRUE(reference.descends(text_of(*e, "process.pid"), runs[i].pid))
                << runs[i].name << " took " << text_of(*e, "process.name") << " pid "
                << text_of(*e, "process.pid");
            if (text_of(*e, "event.action") == "executed")
                programs[i].insert(text_of(*e, "process.name"));
        }
        EXPECT_EQ(results[i].expectations[1].count, 1u) << runs[i].name << ": its own uname only";
        EXPECT_EQ(results[i].expectations[2].count, 2u)
            << runs[i].name << ": without lineage, both unames";
    }
    // Both tests ran the same script: the same programs, none of the recorder's or the host's.
    EXPECT_EQ(programs[0], programs[1]);
    for (const char* p : {"bash", "ls", "id", "sh", "uname", "cat", "head", "env", "sleep"})
        EXPECT_EQ(programs[0].count(p) > 0, true) << p;
    for (const char* p : {"date", "true", "auditctl"}) EXPECT_EQ(programs[0].count(p), 0u) << p;
}

// A run that reported no executor: the expectation reads every process and says so.
TEST(LineageRecorded, WithoutAnExecutorPidLineageIsNotAppliedAndTheReasonSaysSo) {
    const fs::path dir = fs::path(ATTEST_SOURCE_DIR) / "tests/data/lineage";
    Value info = parse_json_value(read_text(dir / "auditd_two_trees.json"));
    const Value& a = info.find("anchors")->as_array()[0];
    Anchored run{"A", "", "", *parse_iso8601_ns(a.find("start")->as_string()),
                 *parse_iso8601_ns(a.find("end")->as_string())};
    auto results = evaluate(
        (dir / "auditd_two_trees.log").string(), info.find("host")->as_string(),
        {lineage_expectation("uname", "auditd", R"(any where process.name == "uname")", true),
         lineage_expectation("absent", "auditd", R"(any where process.name == "nope")", true)},
        {run, {"ghost", "999999", "", run.start, run.end}});
    ASSERT_EQ(results.size(), 2u);
    // An executor that left no event: nothing of its tree was seen (a blind sensor).
    EXPECT_TRUE(results[1].expectations[0].lineage_applied);
    EXPECT_EQ(results[1].expectations[0].reason,
              "no auditd event of the test's process tree in the time window");
    const auto& e = results[0].expectations;
    EXPECT_FALSE(e[0].lineage_applied);
    EXPECT_EQ(e[0].count, 2u) << "both tests' uname: no tree to bound it";
    EXPECT_EQ(
        e[0].reason,
        "2 matching event(s) (process lineage not applied: the run reported no executor process)");
    EXPECT_EQ(e[1].verdict, ExpectationVerdict::Missing);
    EXPECT_NE(e[1].reason.find("(process lineage not applied"), std::string::npos) << e[1].reason;
}

// Real Sysmon records of an Atomic Red Team session (OTRF's Panache dataset in
// ../shared/data/evtx): the atomic runner's PowerShell (pid 3912) and services.exe, which
// started the test's service binaries and Windows services, ran at the same time on
// MSEDGEWIN10. Anchored as two tests (the runner by its pid, services.exe by its
// ProcessGuid), each gets exactly its own tree's events.
TEST(LineageRecorded, SysmonTwoInterleavedTreesEachGetExactlyTheirOwnEvents) {
    const fs::path evtx =
        fs::path(ATTEST_SOURCE_DIR) /
        "../shared/data/evtx/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.evtx";
    if (!fs::exists(evtx)) GTEST_SKIP() << "../shared/data is absent (" << evtx << ")";
    const std::string runner_guid = "{747F3D96-D6F7-5D31-0000-00104ACE2500}";
    const std::string services_guid = "{747F3D96-D4A4-5D31-0000-00100F520000}";
    std::vector<Anchored> runs = {
        {"runner", "3912", "", *parse_iso8601_ns("2019-07-19T14:43:00Z"),
         *parse_iso8601_ns("2019-07-19T14:58:00Z")},
        {"services", "", services_guid, *parse_iso8601_ns("2019-07-19T14:44:00Z"),
         *parse_iso8601_ns("2019-07-19T14:58:00Z")},
    };
    auto events = read_events(evtx.string());
    Ancestry reference = ancestry(events, "process.entity_id", "process.parent.entity_id");
    auto results = evaluate(
        evtx.string(), "msedgewin10",
        {lineage_expectation("tree", "sysmon", "any where true", true),
         lineage_expectation(
             "service-binary", "sysmon",
             R"(process where event.code == "1" and process.name == "AtomicService.exe")", true),
         lineage_expectation("every-process", "sysmon", "any where true", false)},
        runs);
    ASSERT_EQ(results.size(), 2u);
    const std::string roots[2] = {runner_guid, services_guid};
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& tree = results[i].expectations[0];
        ASSERT_TRUE(tree.lineage_applied);
        std::uint64_t want = reference_count(events, reference, "process.entity_id", roots[i],
                                             runs[i].start, runs[i].end + 2 * kSecond);
        EXPECT_EQ(tree.count, want) << runs[i].name;
        for (const auto& e : tree.evidence)
            EXPECT_TRUE(reference.descends(text_of(*e, "process.entity_id"), roots[i]))
                << runs[i].name << " took " << text_of(*e, "process.name");
        EXPECT_LT(tree.count, results[i].expectations[2].count)
            << "lineage must leave other processes out";
    }
    EXPECT_GE(results[0].expectations[0].count, 400u) << "the runner's tree: hundreds of processes";
    EXPECT_GE(results[1].expectations[0].count, 10u) << "services.exe's tree";
    // The test's service binary was started by services.exe, not by the runner's tree.
    EXPECT_EQ(results[0].expectations[1].count, 0u);
    EXPECT_EQ(results[1].expectations[1].count, 2u);
}

// Each source's events are checked as late as its lineage declares
// (ProcessIdentity::late_ns): a process's event dated before the event that ties it to a tree
// counts when the tie comes within that delay. auditd dates records at syscall entry, so a
// tie can only come a tick late (equal timestamps written in another order) and its delay is
// 1 s; Sysmon dates connections seconds before their process's creation (10 s).
TEST(LineageDelay, EachSourceIsCheckedAsLateAsItsLineageDeclares) {
    constexpr std::int64_t t0 = 1767225600 * kSecond;
    auto base = [&](double at, const char* dataset, const char* name) {
        Event e = Value::object();
        e.set("@timestamp", Value(format_iso8601(t0 + std::int64_t(at * kSecond), 3)));
        e.set("event.dataset", Value(dataset));
        e.set("event.category", Value("process"));
        e.set("host.name", Value("lab01"));
        e.set("process.name", Value(name));
        return e;
    };
    auto audit = [&](double at, int pid, int ppid, const char* name) {
        Event e = base(at, "auditd.log", name);
        e.set("process.pid", Value(pid));
        e.set("process.parent.pid", Value(ppid));
        return e;
    };
    auto fork = [&](double at, int pid, int ppid, int child) {
        Event e = audit(at, pid, ppid, "bash");
        e.set("event.action", Value("clone"));
        e.set("auditd.data.exit", Value(std::to_string(child)));
        return e;
    };
    auto sysmon = [&](double at, const char* guid, const char* parent) {
        Event e = base(at, "windows.sysmon_operational", "net.exe");
        e.set("process.entity_id", Value(guid));
        if (*parent) e.set("process.parent.entity_id", Value(parent));
        return e;
    };
    ScenarioChecks c;
    c.guid = "t";
    c.expectations = {
        lineage_expectation("tar", "auditd", R"(process where process.name == "tar")", true),
        lineage_expectation("net", "sysmon", R"(any where process.name == "net.exe")", true)};
    for (auto& x : c.expectations) x.window = Window{0, 0};
    RunFacts f;
    f.host = "lab01";
    f.start_ns = t0 + 10 * kSecond;
    f.end_ns = t0 + 40 * kSecond;
    f.anchor = ProcessAnchor{"100", "{ROOT}"};
    Evaluator ev;
    ev.add_scenario(c, f);
    std::vector<Event> events = {
        audit(11.0, 300, 200, "tar"),  // before its parent's fork, in the same tick: counted
        fork(11.0, 200, 100, 300),
        audit(12.0, 301, 201, "tar"),  // its parent's fork is 2 s later: past auditd's 1 s
        audit(13.5, 999, 1, "cron"),
        fork(14.0, 201, 100, 301),
        sysmon(15.0, "{B}", ""),  // a connection 5 s before its process's creation: counted
        sysmon(20.0, "{B}", "{ROOT}"),
        audit(39.0, 998, 1, "cron"),
    };
    for (auto& e : events) ev.feed(e);
    ev.finish();
    auto r = ev.results();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].expectations[0].count, 1u) << "only the tar whose tree was known in time";
    EXPECT_EQ(r[0].expectations[1].count, 2u) << "the connection and the creation";
}

}  // namespace
}  // namespace attest::expectations
