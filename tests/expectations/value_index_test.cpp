// The value index of --rules rules (expectations/eql/value_index.h): which queries it files,
// which events make them candidates, and a model test: many random EQL, KQL and Sigma rules
// over random events give the same results with the index as when every rule tries every
// event.
#include "expectations/eql/value_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "expectations/eql/rule.h"
#include "expectations/kql/kql.h"
#include "expectations/sigma/sigma.h"

namespace attest::expectations {
namespace {

std::shared_ptr<const eql::Query> eql_query(const std::string& text) {
    auto q = eql::compile(text, "t.eql", {});
    EXPECT_TRUE(q) << text << ": " << (q ? "" : q.error().message);
    return q ? *q : nullptr;
}

std::shared_ptr<const eql::Query> kql_query(const std::string& text) {
    eql::Rule r;
    r.path = "t.toml";
    r.language = "kuery";
    r.type = "query";
    r.query = text;
    auto q = kql::compile_rule(r, {});
    EXPECT_TRUE(q) << text << ": " << (q ? "" : q.error().message);
    return q ? *q : nullptr;
}

std::shared_ptr<const eql::Query> sigma_query(const std::string& detection) {
    std::string text =
        "title: t\nlogsource:\n    product: windows\n    category: process_creation\n"
        "detection:\n" +
        detection;
    auto set = sigma::parse(text, "t.yml");
    EXPECT_TRUE(set) << text << ": " << (set ? "" : set.error().message);
    if (!set) return nullptr;
    auto rule = sigma::single_rule(*set, "t.yml");
    return rule ? (*rule)->query : nullptr;
}

Event process_event(const std::string& name, const std::string& executable) {
    Event e = parse_json_value(
        R"({"@timestamp":"2026-01-01T10:00:00Z","event":{"dataset":"windows.sysmon_operational",)"
        R"("code":"1","category":["process"],"type":["start"]},"winlog":{"channel":)"
        R"("Microsoft-Windows-Sysmon/Operational","event_id":1},"host":{"name":"ws1"}})");
    e.set("process.name", Value(name));
    e.set("process.executable", Value(executable));
    return e;
}

struct IndexCase {
    const char* what;
    std::shared_ptr<const eql::Query> (*compile)(const std::string&);
    const char* rule;
    bool indexed;
    const char* name;        // the event's process.name
    const char* executable;  // and process.executable
    bool candidate;
};

TEST(ValueIndex, FilesLiteralTestsAndFindsTheirEvents) {
    const IndexCase cases[] = {
        {"eql ==", eql_query, R"(process where process.name == "cmd.exe")", true, "cmd.exe", "x",
         true},
        {"eql == other case", eql_query, R"(process where process.name == "cmd.exe")", true,
         "CMD.EXE", "x", true},
        {"eql == other value", eql_query, R"(process where process.name == "cmd.exe")", true,
         "net.exe", "x", false},
        {"eql in~", eql_query, R"(process where process.name in~ ("a.exe", "net.exe"))", true,
         "NET.exe", "x", true},
        {"eql suffix", eql_query, R"(process where process.executable : "*\\net.exe")", true, "n",
         "C:\\W\\NET.EXE", true},
        {"eql suffix miss", eql_query, R"(process where process.executable : "*\\net.exe")", true,
         "n", "C:\\W\\net1.exe", false},
        {"eql prefix", eql_query, R"(process where process.executable : "C:\\Temp\\*")", true, "n",
         "c:\\temp\\x", true},
        {"eql or: every side", eql_query,
         R"(process where process.name == "a" or process.executable : "*b")", true, "z", "xb",
         true},
        {"eql and: the longest literal", eql_query,
         R"(process where process.name == "a" and process.executable == "long-value")", true, "a",
         "other", false},
        {"eql only the category", eql_query, R"(process where process.pid > 4)", true, "a", "b",
         true},
        {"eql contains: category key", eql_query, R"(process where process.name : "*md*")", true,
         "cmd", "b", true},
        {"eql any + negation", eql_query, R"(any where not process.name == "a")", false, "a", "b",
         false},
        {"eql number literal", eql_query, R"(any where process.name == "1")", false, "1", "b",
         false},
        {"eql sequence", eql_query,
         R"(sequence [process where process.name == "a"] [process where process.name == "b"])",
         false, "a", "b", false},
        {"kql exact", kql_query, R"(process.name: "cmd.exe")", true, "cmd.exe", "x", true},
        {"kql wildcard", kql_query, R"(process.executable: *\\cmd.exe)", true, "c",
         "C:\\w\\cmd.exe", true},
        {"kql or", kql_query, R"(process.name: (a or b))", true, "b", "x", true},
        {"kql or miss", kql_query, R"(process.name: (a or b))", true, "c", "x", false},
        {"kql negation", kql_query, R"(not process.name: a)", false, "c", "x", false},
        {"sigma endswith list", sigma_query,
         "    sel:\n        Image|endswith:\n            - '\\net.exe'\n            - "
         "'\\net1.exe'\n    condition: sel\n",
         true, "n", "C:\\W\\Net1.exe", true},
        {"sigma endswith miss", sigma_query,
         "    sel:\n        Image|endswith: '\\net.exe'\n    condition: sel\n", true, "n",
         "C:\\W\\cmd.exe", false},
        {"sigma contains only: the logsource's dataset", sigma_query,
         "    sel:\n        CommandLine|contains: 'x'\n    condition: sel\n", true, "n", "x", true},
        {"a coarse field loses to a telling one", eql_query,
         R"(process where event.dataset == "windows.sysmon_operational" and process.name == "a")",
         true, "b", "x", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        auto q = c.compile(c.rule);
        ASSERT_TRUE(q);
        eql::ValueIndex index;
        ASSERT_EQ(index.add(7, *q), c.indexed);
        if (!c.indexed) continue;
        const auto& ids = index.candidates(process_event(c.name, c.executable));
        EXPECT_EQ(std::count(ids.begin(), ids.end(), 7u), c.candidate ? 1 : 0);
    }
}

// ------------------------------------------------------------------ the model test

const std::vector<std::string> kNames = {"cmd.exe", "net.exe", "net1.exe", "powershell.exe",
                                         "reg.exe", "a",       "",         "Rundll32.EXE"};
const std::vector<std::string> kDirs = {"C:\\Windows\\System32\\", "C:\\Temp\\", "c:\\users\\x\\",
                                        "/usr/bin/"};

struct Gen {
    std::mt19937 rng;
    std::size_t pick(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    }
    bool coin() { return pick(2) == 0; }
    std::string name() {
        std::string n = kNames[pick(kNames.size())];
        if (coin())
            for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return n;
    }
    std::string path() { return kDirs[pick(kDirs.size())] + name(); }

    Event event(int i) {
        Event e = process_event(name(), path());
        if (pick(4) == 0) e.set("event.category", Value("file"));  // another category
        if (pick(5) == 0) {                                        // an array of values
            Array names;
            names.push_back(Value(name()));
            names.push_back(Value(name()));
            e.set("process.parent.name", Value(std::move(names)));
        } else if (coin()) {
            e.set("process.parent.name", Value(name()));
        }
        if (pick(6) == 0) e.set("process.name", Value(std::int64_t{1}));  // a number
        e.set("@timestamp", Value("2026-01-01T10:00:" + std::string(i < 10 ? "0" : "") +
                                  std::to_string(i % 60) + "Z"));
        return e;
    }

    std::string quoted(const std::string& s) {
        std::string out = "\"";
        for (char c : s) out += c == '\\' ? std::string("\\\\") : std::string(1, c);
        return out + "\"";
    }
    std::string eql_atom() {
        const char* fields[] = {"process.name", "process.parent.name", "process.executable"};
        std::string f = fields[pick(3)];
        switch (pick(7)) {
            case 0:
                return f + " == " + quoted(name());
            case 1:
                return f + " : " + quoted("*\\" + name());
            case 2:
                return f + " : " + quoted(kDirs[pick(kDirs.size())] + "*");
            case 3:
                return f + " in~ (" + quoted(name()) + ", " + quoted(name()) + ")";
            case 4:
                return f + " : " + quoted("*" + name() + "*");
            case 5:
                return f + " != " + quoted(name());
            default:
                return f + " like~ " + quoted("*" + name());
        }
    }
    std::string eql_expr(int depth) {
        if (depth == 0 || pick(3) == 0) return (pick(8) == 0 ? "not " : "") + eql_atom();
        return "(" + eql_expr(depth - 1) + (coin() ? " and " : " or ") + eql_expr(depth - 1) + ")";
    }
    std::string eql_rule() {
        return std::string(pick(5) == 0 ? "any" : "process") + " where " + eql_expr(2);
    }

    std::string kql_atom() {
        const char* fields[] = {"process.name", "process.parent.name", "process.executable"};
        std::string f = fields[pick(3)];
        std::string n = name();
        if (n.empty()) n = "a";
        switch (pick(4)) {
            case 0:
                return f + ": " + quoted(n);
            case 1:
                return f + ": *" + n;
            case 2:
                return f + ": (" + quoted(n) + " or " + quoted(name()) + ")";
            default:
                return f + ": *" + n + "*";
        }
    }
    std::string kql_rule() {
        std::string q = kql_atom();
        for (std::size_t i = pick(3); i > 0; --i)
            q = (pick(6) == 0 ? "not " : "") + kql_atom() + (coin() ? " and " : " or ") + q;
        return q;
    }

    std::string sigma_rule() {
        const char* fields[] = {"Image", "ParentImage", "OriginalFileName"};
        const char* mods[] = {"|endswith", "|startswith", "", "|contains"};
        std::string out;
        for (int s = 0; s < 2; ++s) {
            out += "    sel" + std::to_string(s) + ":\n        " + fields[pick(3)] + mods[pick(4)] +
                   ":\n";
            for (std::size_t v = 1 + pick(3); v > 0; --v) {
                std::string value = coin() ? name() : path();
                std::string escaped;
                for (char c : value) escaped += c == '\'' ? std::string("''") : std::string(1, c);
                out += "            - '" + escaped + "'\n";
            }
        }
        const char* conditions[] = {"sel0", "sel0 and sel1", "sel0 or sel1", "sel0 and not sel1",
                                    "1 of sel*"};
        return out + "    condition: " + conditions[pick(5)] + "\n";
    }

    DetectionSpec detection(std::size_t i) {
        DetectionSpec d;
        d.rule = "rules/r" + std::to_string(i);
        d.informational = true;
        d.profile = coin() ? Profile::Sysmon : Profile::Endpoint;
        switch (pick(3)) {
            case 0:
                d.query = eql_rule();
                break;
            case 1: {
                auto r = std::make_shared<eql::Rule>();
                r->path = d.rule + ".toml";
                r->language = "kuery";
                r->type = "query";
                r->query = kql_rule();
                d.query = r->query;
                d.loaded = std::move(r);
                break;
            }
            default:
                d.language = "sigma";
                d.rule += ".yml";
                d.query =
                    "title: r\nlogsource:\n    product: windows\n    category: "
                    "process_creation\ndetection:\n" +
                    sigma_rule();
        }
        return d;
    }
};

std::vector<ScenarioResult> evaluate(const ScenarioChecks& checks, const std::vector<Event>& events,
                                     bool value_index) {
    EngineOptions options;
    options.value_index = value_index;
    options.max_evidence = 1000;
    Evaluator ev(options);
    ev.add_scenario(checks, {});
    RunFacts windowed;  // a second scenario with a window and a host: other admissions
    windowed.host = "ws1";
    windowed.start_ns = parse_iso8601_ns("2026-01-01T10:00:10Z");
    windowed.end_ns = parse_iso8601_ns("2026-01-01T10:00:40Z");
    ev.add_scenario(checks, windowed);
    for (Event e : events) ev.feed(e);
    ev.finish();
    return ev.results();
}

std::vector<std::string> evidence_of(const DetectionResult& d) {
    std::vector<std::string> out;
    for (const auto& hit : d.evidence)
        for (const auto& e : hit) {
            std::string json;
            if (e) e->append_json(json);
            out.push_back(json);
        }
    return out;
}

TEST(ValueIndex, SameResultsAsTryingEveryRule) {
    std::size_t indexed = 0, fired = 0, total = 0;
    for (unsigned seed = 1; seed <= 8; ++seed) {
        Gen g{std::mt19937(seed)};
        ScenarioChecks checks;
        checks.guid = "g";
        for (std::size_t i = 0; i < 150; ++i) checks.detections.push_back(g.detection(i));
        std::vector<Event> events;
        for (int i = 0; i < 300; ++i) events.push_back(g.event(i));

        auto with = evaluate(checks, events, true);
        auto without = evaluate(checks, events, false);
        ASSERT_EQ(with.size(), without.size());
        for (std::size_t s = 0; s < with.size(); ++s) {
            for (std::size_t i = 0; i < checks.detections.size(); ++i) {
                const auto& a = with[s].detections[i];
                const auto& b = without[s].detections[i];
                SCOPED_TRACE("seed " + std::to_string(seed) + ": " + checks.detections[i].query);
                ASSERT_EQ(a.verdict, b.verdict) << a.reason << " / " << b.reason;
                EXPECT_EQ(a.hits, b.hits);
                EXPECT_EQ(a.events_seen, b.events_seen);
                EXPECT_EQ(evidence_of(a), evidence_of(b));
                fired += a.verdict == DetectionVerdict::Fired;
                ++total;
            }
        }
        for (const auto& d : checks.detections) {
            std::shared_ptr<const eql::Query> q;
            if (d.language == "sigma") {
                auto set = sigma::parse(d.query, d.rule);
                ASSERT_TRUE(set) << set.error().message;
                q = (*sigma::single_rule(*set, d.rule))->query;
            } else {
                q = d.loaded ? *kql::compile_rule(*d.loaded, {})
                             : *eql::compile(d.query, d.rule, {});
            }
            eql::ValueIndex index;
            indexed += index.add(0, *q);
        }
    }
    // The comparison means something only when both outcomes occur and most rules are indexed.
    EXPECT_GT(fired, total / 10);
    EXPECT_LT(fired, total * 9 / 10);
    EXPECT_GT(indexed, 8 * 150 / 2);
}

}  // namespace
}  // namespace attest::expectations
