#include "expectations/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/diagnostics.h"
#include "core/timeutil.h"
#include "expectations/eql/rule.h"
#include "telemetry/stream.h"

namespace attest::expectations {
namespace {

Event sysmon_event(const char* code, const char* time, const char* host,
                   std::initializer_list<std::pair<const char*, Value>> fields) {
    Event e = Value::object();
    e.set("@timestamp", Value(time));
    e.set("event.code", Value(code));
    e.set("event.dataset", Value("windows.sysmon_operational"));
    e.set("host.name", Value(host));
    std::string cat = std::string(code) == "11" ? "file" : std::string(code) == "3" ? "network" : "process";
    e.set("event.category", Value(Array{Value(cat)}));
    for (const auto& [k, v] : fields) e.set(k, v);
    return e;
}

ExpectationSpec expectation(const char* id, const char* source, const char* query,
                            bool required = true) {
    ExpectationSpec e;
    e.id = id;
    e.source = source;
    e.query = query;
    e.required = required;
    return e;
}

TEST(SubstituteQuery, HostileValuesStayInsideTheirLiteral) {
    std::map<std::string, std::string> args = {{"name", "a\" or true or \"b"}, {"dir", "C:\\x"}};
    auto in_string = substitute_query(R"(process where process.name == "#{name}")", args, {});
    ASSERT_TRUE(in_string) << in_string.error().message;
    EXPECT_EQ(*in_string, R"(process where process.name == "a\" or true or \"b")");
    auto bare = substitute_query("process where process.name == #{name}", args, {});
    ASSERT_TRUE(bare);
    EXPECT_EQ(*bare, R"(process where process.name == "a\" or true or \"b")");
    auto path = substitute_query(R"(file where file.path : "#{dir}\\*")", args, {});
    ASSERT_TRUE(path);
    EXPECT_EQ(*path, R"(file where file.path : "C:\\x\\*")");
    auto ctl = substitute_query(R"(any where a == "#{v}")", {{"v", "l1\nl2\x01"}}, {});
    ASSERT_TRUE(ctl);
    EXPECT_EQ(*ctl, R"(any where a == "l1\nl2\u{1}")");
    // Comments are left alone; run facts are substituted the same way.
    auto facts = substitute_query("// #{name}\nany where host.name == {run.host}", args,
                                  {{"run.host", "WS1"}});
    ASSERT_TRUE(facts);
    EXPECT_EQ(*facts, "// #{name}\nany where host.name == \"WS1\"");
}

TEST(SubstituteQuery, UnknownPlaceholdersAndRawStringQuotesAreErrors) {
    auto unknown = substitute_query("any where a == #{x} and b == {run.start}", {}, {});
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("#{x} is not an input argument"), std::string::npos);
    EXPECT_NE(unknown.error().message.find("{run.start} is not known"), std::string::npos);
    auto raw = substitute_query(R"(any where a == """#{x}""")", {{"x", "a\"b"}}, {});
    ASSERT_FALSE(raw);
    auto raw_ok = substitute_query(R"(any where a == """#{x}""")", {{"x", "a\\b"}}, {});
    ASSERT_TRUE(raw_ok);
    EXPECT_EQ(*raw_ok, R"(any where a == """a\b""")");
}

TEST(SubstituteQuery, InjectionDoesNotChangeWhatMatches) {
    auto q = substitute_query("process where process.name == #{name}",
                              {{"name", "x\" or process.name != \"x"}}, {});
    ASSERT_TRUE(q);
    auto compiled = eql::compile(*q, "q", {});
    ASSERT_TRUE(compiled) << compiled.error().message;
    eql::Matcher m(*compiled);
    Event e = sysmon_event("1", "2026-01-01T00:00:00.000Z", "H", {{"process.name", Value("cmd.exe")}});
    m.feed(e);
    m.finish();
    EXPECT_TRUE(m.hits().empty());
}

TEST(EventActionLiterals, FindsComparedLiteralsOnly) {
    EXPECT_EQ(event_action_literals(R"(file where event.action in ("creation", "overwrite") and x == 1)"),
              (std::vector<std::string>{"creation", "overwrite"}));
    EXPECT_EQ(event_action_literals(R"(any where event.action == "start" or event.action : "end")"),
              (std::vector<std::string>{"start", "end"}));
    EXPECT_EQ(event_action_literals(R"(any where event.action in~ ("load"))"),
              (std::vector<std::string>{"load"}));
    EXPECT_TRUE(event_action_literals(R"(any where not event.action == "x" and event.actions == "y")").empty());
}

class EngineTest : public ::testing::Test {
protected:
    ScenarioChecks checks() {
        ScenarioChecks c;
        c.guid = "g";
        c.name = "n";
        c.expectations.push_back(expectation("ps", "sysmon",
            R"(process where event.code == "1" and process.name : "powershell.exe" and process.command_line : "*Copy-Item*")"));
        c.expectations.push_back(expectation("o365", "o365", R"(any where event.action == "New-InboxRule")", false));
        return c;
    }
    std::vector<Event> events() {
        return {
            sysmon_event("1", "2026-01-01T10:00:00.000Z", "WS1",
                         {{"process.name", Value("powershell.exe")}, {"process.command_line", Value("powershell Get-ChildItem")}}),
            sysmon_event("1", "2026-01-01T10:00:01.000Z", "WS1",
                         {{"process.name", Value("powershell.exe")}, {"process.command_line", Value("powershell Copy-Item a b")}}),
            sysmon_event("1", "2026-01-01T10:00:02.000Z", "OTHER",
                         {{"process.name", Value("powershell.exe")}, {"process.command_line", Value("powershell Copy-Item c d")}}),
        };
    }
    ScenarioResult run(ScenarioChecks c, RunFacts f, std::vector<Event> evs, EngineOptions o = {}) {
        Evaluator ev(o);
        ev.add_scenario(c, f);
        for (auto& e : evs) ev.feed(e);
        ev.finish();
        return ev.results().front();
    }
};

TEST_F(EngineTest, ObservedWithEvidenceAndOptionalNotCollected) {
    auto r = run(checks(), {}, events());
    ASSERT_EQ(r.expectations.size(), 2u);
    EXPECT_EQ(r.expectations[0].verdict, ExpectationVerdict::Observed);
    EXPECT_EQ(r.expectations[0].count, 2u);
    EXPECT_EQ(r.expectations[0].evidence.size(), 2u);
    EXPECT_EQ(r.expectations[1].verdict, ExpectationVerdict::NotCollected);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Passed) << r.reason;
}

// Writes `content` to a fresh file in the temp directory and returns its path.
std::filesystem::path temp_file(const std::string& stem, const std::string& content) {
    auto path = std::filesystem::temp_directory_path() / (stem + "-" + std::to_string(::getpid()) + ".xml");
    std::ofstream(path) << content;
    return path;
}

// Windows Security log XML through the real collector: an expectation with `source: security`
// sees its events (the collector tags them with the dataset the source maps to).
TEST(EngineSources, SecurityExpectationSeesSecurityChannelEvents) {
    auto path = temp_file("attest-security",
                          R"(<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>)"
                          R"(<Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4799</EventID>)"
                          R"(<TimeCreated SystemTime="2023-01-24T11:52:02.155029100Z"/><Channel>Security</Channel>)"
                          R"(<Computer>ws1.corp.example</Computer></System><EventData>)"
                          R"(<Data Name="TargetUserName">Administrators</Data>)"
                          R"(<Data Name="CallerProcessName">C:\Windows\System32\net1.exe</Data></EventData></Event></Events>)");
    ScenarioChecks c;
    c.guid = "g";
    c.expectations.push_back(expectation("sec-4799", "security",
                                         R"(any where event.code == "4799" and winlog.event_data.TargetUserName == "Administrators")"));
    RunFacts f;
    f.host = "ws1";
    DiagnosticSink sink;
    Evaluator ev;
    ev.add_scenario(c, f);
    telemetry::feed(ev, telemetry::Stream::files({path.string()}, {}), sink);
    ev.finish();
    auto r = ev.results().front();
    std::filesystem::remove(path);
    ASSERT_EQ(r.expectations.size(), 1u);
    EXPECT_EQ(r.expectations[0].verdict, ExpectationVerdict::Observed) << r.expectations[0].reason;
    EXPECT_EQ(r.expectations[0].count, 1u);
}

// A record without a time is still read, and counted as untimed (a bounded window cannot admit it).
TEST(EngineSources, UntimedEventsAreCounted) {
    auto path = temp_file("attest-untimed",
                          R"(<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>)"
                          R"(<Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4799</EventID>)"
                          R"(<TimeCreated SystemTime="2023-01-24T11:52:02.155029100Z"/><Channel>Security</Channel></System></Event>)"
                          R"(<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>)"
                          R"(<Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4798</EventID>)"
                          R"(<Channel>Security</Channel></System></Event></Events>)");
    Evaluator ev;
    DiagnosticSink sink;
    auto stats = telemetry::feed(ev, telemetry::Stream::files({path.string()}, {}), sink);
    std::filesystem::remove(path);
    EXPECT_EQ(stats.events, 2u);
    EXPECT_EQ(stats.untimed, 1u);
}

TEST_F(EngineTest, HostAndWindowBoundTheEvidence) {
    RunFacts f;
    f.host = "ws1";
    auto r = run(checks(), f, events());
    EXPECT_EQ(r.expectations[0].count, 1u);  // OTHER's event does not count
    f.start_ns = parse_iso8601_ns("2026-01-01T10:00:01.500Z");
    f.end_ns = parse_iso8601_ns("2026-01-01T10:00:03.000Z");
    r = run(checks(), f, events());
    EXPECT_EQ(r.expectations[0].verdict, ExpectationVerdict::Missing);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Failed);
    EXPECT_EQ(r.expectations[0].reason, "no sysmon event in the time window");
}

// The run's host and the events' host.name name one machine however each is spelled: short
// or fully qualified, upper or lower case, in both directions.
TEST_F(EngineTest, HostBindingAcceptsShortAndQualifiedNamesBothWays) {
    const std::tuple<const char*, const char*, std::uint64_t> table[] = {
        {"server002.lab.local", "SERVER002", 1},
        {"SERVER002", "server002.lab.local", 1},
        {"server002", "Server002", 1},
        {"server002.lab.local", "server002.other.local", 0},
        {"server002", "server0021", 0},
    };
    for (const auto& [run_host, event_host, want] : table) {
        RunFacts f;
        f.host = run_host;
        auto r = run(checks(), f,
                     {sysmon_event("1", "2026-01-01T10:00:01.000Z", event_host,
                                   {{"process.name", Value("powershell.exe")},
                                    {"process.command_line", Value("powershell Copy-Item a b")}})});
        EXPECT_EQ(r.expectations[0].count, want) << run_host << " vs " << event_host;
    }
}

// An endpoint-profile expectation over sysmon-profile data reads the source table's
// translation (telemetry/sources/sysmon.cpp): an accepted connection is connection_accepted.
TEST_F(EngineTest, EndpointMatchersSeeTheSourceTablesVocabulary) {
    ScenarioChecks c;
    c.guid = "g";
    auto ex =
        expectation("accept", "sysmon", R"(network where event.action == "connection_accepted")");
    ex.profile = Profile::Endpoint;
    c.expectations.push_back(ex);
    auto sysmon_view =
        expectation("raw", "sysmon", R"(network where event.action == "NetworkConnect")");
    c.expectations.push_back(sysmon_view);
    auto r = run(c, {},
                 {sysmon_event("3", "2026-01-01T10:00:01.000Z", "WS1",
                               {{"event.action", Value("NetworkConnect")},
                                {"winlog.event_data.Initiated", Value("false")}})});
    EXPECT_EQ(r.expectations[0].count, 1u) << r.expectations[0].reason;
    EXPECT_EQ(r.expectations[1].count, 1u) << r.expectations[1].reason;
}

TEST_F(EngineTest, MissingNamesTheNearMissClause) {
    auto evs = events();
    evs.erase(evs.begin() + 1, evs.end());
    auto r = run(checks(), {}, evs);
    const auto& e = r.expectations[0];
    EXPECT_EQ(e.verdict, ExpectationVerdict::Missing);
    ASSERT_FALSE(e.near_misses.empty());
    EXPECT_EQ(e.near_misses[0].failed_clause, R"(process.command_line : "*Copy-Item*")");
    EXPECT_NE(e.reason.find("Copy-Item"), std::string::npos) << e.reason;
    EXPECT_EQ(r.verdict, ScenarioVerdict::Failed);
    EXPECT_NE(r.reason.find("ps missing"), std::string::npos);
}

TEST_F(EngineTest, MinCountPendingAndCollectedFromFacts) {
    auto c = checks();
    c.expectations[0].min_count = 3;
    c.expectations[1].required = true;
    RunFacts f;
    f.collected = std::set<std::string>{"sysmon", "o365"};
    f.pending = {"o365"};
    auto r = run(c, f, events());
    EXPECT_EQ(r.expectations[0].verdict, ExpectationVerdict::Missing);
    EXPECT_EQ(r.expectations[0].reason, "2 matching event(s), 3 required");
    EXPECT_EQ(r.expectations[1].verdict, ExpectationVerdict::Pending);
    c.expectations[0].min_count = 2;
    r = run(c, f, events());
    EXPECT_EQ(r.verdict, ScenarioVerdict::Inconclusive);
    EXPECT_NE(r.reason.find("o365 pending"), std::string::npos);
}

TEST_F(EngineTest, PresetVerdictAndBadQueryIsError) {
    RunFacts f;
    f.preset_verdict = "skipped";
    f.preset_reason = "platform linux not supported by the target";
    auto r = run(checks(), f, events());
    EXPECT_EQ(r.verdict, ScenarioVerdict::Skipped);
    auto c = checks();
    c.expectations[0].query = "process where (";
    r = run(c, {}, events());
    EXPECT_EQ(r.verdict, ScenarioVerdict::Error);
    EXPECT_NE(r.reason.find("expectation ps"), std::string::npos);
    c = checks();
    c.expectations[0].query = "process where host.name == {run.host}";
    r = run(c, {}, events());
    EXPECT_EQ(r.verdict, ScenarioVerdict::Error);
    EXPECT_NE(r.reason.find("{run.host}"), std::string::npos);
}

class DetectionTest : public EngineTest {
protected:
    ScenarioChecks with_rule(Profile p, bool fires = true) {
        ScenarioChecks c;
        c.guid = "g";
        DetectionSpec d;
        d.rule = "rules/r.eql";
        d.rule_id = "r";
        d.query = R"(file where event.action in ("creation", "overwrite") and file.extension == "pst")";
        d.profile = p;
        d.expect_fires = fires;
        c.detections.push_back(d);
        return c;
    }
    std::vector<Event> file_events() {
        return {sysmon_event("11", "2026-01-01T10:00:00.000Z", "WS1",
                             {{"event.action", Value("File created (rule: FileCreate)")},
                              {"file.extension", Value("pst")}})};
    }
};

TEST_F(DetectionTest, EndpointRuleFiresOnTranslatedSysmon) {
    auto r = run(with_rule(Profile::Endpoint), {}, file_events());
    ASSERT_EQ(r.detections.size(), 1u);
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::Fired);
    EXPECT_EQ(r.detections[0].hits, 1u);
    EXPECT_TRUE(r.detections[0].passed);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Passed);
}

TEST_F(DetectionTest, UnderSysmonProfileItIsAVocabularyMismatch) {
    EngineOptions o;
    o.profile_override = Profile::Sysmon;
    auto r = run(with_rule(Profile::Endpoint), {}, file_events(), o);
    const auto& d = r.detections[0];
    EXPECT_EQ(d.verdict, DetectionVerdict::NotFired);
    EXPECT_TRUE(d.vocabulary_mismatch);
    EXPECT_NE(d.reason.find("vocabulary mismatch"), std::string::npos);
    EXPECT_NE(d.reason.find("creation, overwrite"), std::string::npos);
    EXPECT_NE(d.reason.find("File created (rule: FileCreate)"), std::string::npos);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Failed);
}

TEST_F(DetectionTest, DoesNotFireExpectationAndPlainNotFired) {
    auto evs = file_events();
    evs[0].set("file.extension", Value("txt"));
    auto r = run(with_rule(Profile::Endpoint, false), {}, evs);
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::NotFired);
    EXPECT_FALSE(r.detections[0].vocabulary_mismatch);
    EXPECT_TRUE(r.detections[0].passed);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Passed);
    r = run(with_rule(Profile::Endpoint, true), {}, evs);
    EXPECT_FALSE(r.detections[0].passed);
    EXPECT_NE(r.detections[0].reason.find("file.extension"), std::string::npos) << r.detections[0].reason;
}

TEST_F(DetectionTest, ARuleThatDoesNotLoadIsAnErrorWithTheLoadError) {
    auto c = with_rule(Profile::Endpoint);
    c.detections[0].query.clear();
    c.detections[0].load_error = "rule file cannot be read: rules/r.toml:3:9: unterminated string";
    auto r = run(c, {}, file_events());
    ASSERT_EQ(r.detections.size(), 1u);
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::Error);
    EXPECT_EQ(verdict_name(r.detections[0].verdict), "error");
    EXPECT_EQ(r.detections[0].reason, c.detections[0].load_error);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Error);
    EXPECT_NE(r.reason.find("unterminated string"), std::string::npos) << r.reason;
}

TEST_F(DetectionTest, ARuleThatDoesNotCompileIsAnErrorWithTheCompileError) {
    auto c = with_rule(Profile::Endpoint);
    c.detections[0].query = "file where (";
    auto r = run(c, {}, file_events());
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::Error);
    EXPECT_NE(r.detections[0].reason.find("rules/r.eql:1:"), std::string::npos) << r.detections[0].reason;
}

TEST_F(DetectionTest, KqlRulesRunAndUnsupportedTypesSayWhy) {
    auto c = with_rule(Profile::Endpoint);
    auto kql = std::make_shared<eql::Rule>();
    kql->path = "rules/k.toml";
    kql->language = "kuery";
    kql->type = "query";
    kql->query = "file.extension : pst and event.action : (creation or overwrite)";
    c.detections[0].loaded = kql;
    auto r = run(c, {}, file_events());
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::Fired) << r.detections[0].reason;
    auto nt = std::make_shared<eql::Rule>(*kql);
    nt->type = "new_terms";
    c.detections[0].loaded = nt;
    r = run(c, {}, file_events());
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::NotEvaluable);
    EXPECT_EQ(r.detections[0].reason.rfind("not locally evaluable: new_terms rule", 0), 0u) << r.detections[0].reason;
    EXPECT_EQ(r.verdict, ScenarioVerdict::Inconclusive);
}

TEST_F(DetectionTest, ARuleForBothVocabulariesUsesTheDataOne) {
    auto c = with_rule(Profile::Endpoint);
    c.detections[0].profile_from_data = true;  // the data is Sysmon: no translation
    c.detections[0].query = R"x(file where event.action == "File created (rule: FileCreate)")x";
    auto r = run(c, {}, file_events());
    EXPECT_EQ(r.detections[0].evaluated_profile, Profile::Sysmon);
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::Fired) << r.detections[0].reason;
}

// A field the rule names that no event carried is said in the not-fired reason, with the
// nearest known name: EQL and KQL against ECS and the source tables, Sigma against its field
// table and the native names.
TEST_F(DetectionTest, NotFiredNamesAFieldNoEventHasAndTheNearestOne) {
    struct Case {
        const char* language;
        const char* rule;
        const char* note;
    };
    const Case cases[] = {
        {"eql", R"(file where file.extenson == "pst")",
         "; `file.extenson`: no event has this field; did you mean `file.extension`?"},
        {"kuery", "file.extension : pst and file.nme : x",
         "; `file.nme`: no event has this field; did you mean `file.name`?"},
        {"sigma",
         "title: t\nlogsource:\n    product: windows\n    category: file_event\ndetection:\n"
         "    sel:\n        TargetFilenme|endswith: '.pst'\n    condition: sel\n",
         "; `TargetFilenme`: no event has this field; did you mean `TargetFilename`?"},
        {"eql", R"(file where file.extension == "doc" and zzzzzz.qqq == "x")",
         "; `zzzzzz.qqq`: no event has this field"},  // nothing close: no suggestion
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.rule);
        auto checks = with_rule(Profile::Sysmon);
        DetectionSpec& d = checks.detections[0];
        d.query = c.rule;
        if (std::string(c.language) == "sigma") d.language = "sigma";
        if (std::string(c.language) == "kuery") {
            auto kql = std::make_shared<eql::Rule>();
            kql->path = "rules/k.toml";
            kql->language = "kuery";
            kql->type = "query";
            kql->query = c.rule;
            d.loaded = kql;
        }
        auto r = run(checks, {}, file_events());
        ASSERT_EQ(r.detections[0].verdict, DetectionVerdict::NotFired) << r.detections[0].reason;
        const std::string& reason = r.detections[0].reason;
        ASSERT_GE(reason.size(), std::strlen(c.note)) << reason;
        EXPECT_EQ(reason.substr(reason.size() - std::strlen(c.note)), c.note) << reason;
    }
    // A field the events carry is not named.
    auto r = run(with_rule(Profile::Sysmon), {}, file_events());
    EXPECT_EQ(r.detections[0].reason.find("no event has this field"), std::string::npos)
        << r.detections[0].reason;
}

TEST_F(DetectionTest, NoSourceCollectedIsNotEvaluated) {
    auto c = with_rule(Profile::Endpoint);
    c.detections[0].sources = {"mde"};
    auto r = run(c, {}, file_events());
    EXPECT_EQ(r.detections[0].verdict, DetectionVerdict::NotEvaluated);
    EXPECT_EQ(r.verdict, ScenarioVerdict::Inconclusive);
}

}  // namespace
}  // namespace attest::expectations
