// KQL (shared/spec/kql.md): every syntax rule and every type rule, table-driven.
#include "expectations/kql/kql.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/eql/field_types.h"

namespace attest::kql {
namespace {

using eql::Matcher;
using eql::QueryOptions;

// A mapping with one field of each type, for the type rules.
const char* kMapping = R"({"logs": {"mappings": {"properties": {
  "kw": {"type": "keyword"},
  "txt": {"type": "match_only_text"},
  "ip": {"type": "ip"},
  "n": {"type": "long"},
  "d": {"type": "date"},
  "v": {"type": "version"},
  "b": {"type": "boolean"},
  "msg": {"type": "keyword", "fields": {"text": {"type": "text"}}},
  "items": {"type": "nested", "properties": {"name": {"type": "keyword"}, "size": {"type": "long"}}}
}}}})";

QueryOptions typed() {
    QueryOptions o;
    auto types = eql::FieldTypes::parse_mapping(kMapping, "mapping.json");
    EXPECT_TRUE(types.ok()) << (types.ok() ? "" : types.error().message);
    if (types.ok()) o.types = *types;
    o.now_ns = *parse_iso8601_ns("2026-01-01T12:00:00Z");
    return o;
}

bool kql_matches(const std::string& query, const std::string& event_json,
                 const QueryOptions& o = typed()) {
    auto q = kql::compile(query, "q.kql", o);
    EXPECT_TRUE(q.ok()) << query << ": " << (q.ok() ? "" : q.error().message);
    if (!q.ok()) return false;
    Matcher m(*q);
    m.feed(parse_json_value(event_json));
    m.finish();
    return m.hits().size() == 1;
}

struct MatchCase {
    const char* query;
    const char* event;
    bool expected;
};

class KqlMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(KqlMatch, Evaluates) {
    const auto& c = GetParam();
    EXPECT_EQ(kql_matches(c.query, c.event), c.expected) << c.query << " on " << c.event;
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, KqlMatch,
    ::testing::Values(
        // field : value, any-of lists, exists
        MatchCase{"kw : a", R"({"kw":"a"})", true}, MatchCase{"kw:a", R"({"kw":"b"})", false},
        MatchCase{"kw : (a or b or c)", R"({"kw":"c"})", true},
        MatchCase{"kw : (a or b)", R"({"kw":"d"})", false},
        MatchCase{"kw : (a and b)", R"({"kw":["a","b"]})", true},
        MatchCase{"kw : (a and not b)", R"({"kw":["a","b"]})", false},
        MatchCase{"kw : *", R"({"kw":"anything"})", true},
        MatchCase{"kw : *", R"({"other":1})", false},
        // boolean operators in any case, precedence: not > and > or
        MatchCase{"kw : a AND n : 1", R"({"kw":"a","n":1})", true},
        MatchCase{"kw : a Or kw : b", R"({"kw":"b"})", true},
        MatchCase{"NOT kw : a", R"({"kw":"b"})", true},
        MatchCase{"kw : x or kw : a and n : 2", R"({"kw":"a","n":1})", false},
        MatchCase{"kw : x or kw : a and n : 2", R"({"kw":"x","n":1})", true},
        MatchCase{"(kw : x or kw : a) and n : 2", R"({"kw":"x","n":1})", false},
        MatchCase{"not kw : a and n : 1", R"({"kw":"b","n":1})", true},
        MatchCase{"not (kw : a and n : 1)", R"({"kw":"a","n":2})", true},
        // quoted values: escapes, keywords are text inside quotes
        MatchCase{"kw : \"a \\\"b\\\" \\\\c\"", R"({"kw":"a \"b\" \\c"})", true},
        MatchCase{"kw : \"x or y\"", R"({"kw":"x or y"})", true},
        MatchCase{"kw : \"a*\"", R"({"kw":"a*"})", true},
        MatchCase{"kw : \"a*\"", R"({"kw":"abc"})", false},
        // unquoted escapes and wildcards (whole string, case-sensitive on keyword)
        MatchCase{"kw : a\\:b\\(c\\)", R"j({"kw":"a:b(c)"})j", true},
        MatchCase{"kw : a\\ b", R"({"kw":"a b"})", true},
        MatchCase{"kw : a\\*", R"({"kw":"a*"})", true},
        MatchCase{"kw : a\\*", R"({"kw":"ab"})", false},
        MatchCase{"kw : a*", R"({"kw":"abc"})", true},
        MatchCase{"kw : *b*", R"({"kw":"abc"})", true},
        MatchCase{"kw : A*", R"({"kw":"abc"})", false},
        MatchCase{"kw : a?c", R"({"kw":"abc"})", false},  // `?` is not a KQL wildcard
        MatchCase{"kw : a?c", R"({"kw":"a?c"})", true},
        // several unquoted words: one value
        MatchCase{"kw : hello world", R"({"kw":"hello world"})", true},
        MatchCase{"kw : hello world", R"({"kw":"hello"})", false},
        // bare value: every field
        MatchCase{"needle", R"({"kw":"needle"})", true},
        MatchCase{"needle", R"({"a":{"b":["x","needle"]}})", true},
        MatchCase{"needle", R"({"kw":"haystack"})", false},
        // wildcard field names
        MatchCase{"process.*.name : x.exe", R"({"process":{"parent":{"name":"x.exe"}}})", true},
        MatchCase{"process.*.name : x.exe", R"({"process":{"name":"x.exe"}})", false},
        MatchCase{"*.name : x.exe", R"({"file":{"name":"x.exe"}})", true},
        // nested: both conditions on the same element
        MatchCase{"items : { name : a and size > 5 }",
                  R"({"items":[{"name":"a","size":1},{"name":"b","size":9}]})", false},
        MatchCase{"items : { name : a and size > 5 }",
                  R"({"items":[{"name":"b","size":1},{"name":"a","size":9}]})", true},
        MatchCase{"items : { name : a }", R"({"items":{"name":"a"}})", true},
        // arrays: any value; a missing field: false, and `not` of it true
        MatchCase{"kw : b", R"({"kw":["a","b"]})", true}, MatchCase{"kw : a", R"({})", false},
        MatchCase{"not kw : a", R"({})", true}));

INSTANTIATE_TEST_SUITE_P(
    Types, KqlMatch,
    ::testing::Values(
        // keyword: exact, case-sensitive (rules list case variants themselves)
        MatchCase{"kw : \"POWERSHELL.EXE\"", R"({"kw":"powershell.exe"})", false},
        MatchCase{"kw : (\"powershell.exe\" or \"POWERSHELL.EXE\")", R"({"kw":"POWERSHELL.EXE"})",
                  true},
        MatchCase{"kw : 4104", R"({"kw":4104})", true},
        // unknown (not mapped, not ECS): read as keyword
        MatchCase{"winlog.channel : Security", R"({"winlog":{"channel":"security"}})", false},
        // text: analyzed (lower-cased, split on non-word characters)
        MatchCase{"txt : mailbox", R"({"txt":"New-Mailbox -Name x"})", true},
        MatchCase{"txt : MAILBOX", R"({"txt":"new-mailbox"})", true},
        MatchCase{"txt : \"new mailbox\"", R"({"txt":"New-Mailbox"})",
                  true},  // phrase: adjacent tokens
        MatchCase{"txt : \"mailbox new\"", R"({"txt":"New-Mailbox"})", false},  // in order
        MatchCase{"txt : \"new x\"", R"({"txt":"New-Mailbox x"})", false},      // adjacent
        MatchCase{"txt : export zzz", R"({"txt":"New-MailboxExportRequest"})", false},
        MatchCase{"txt : new zzz", R"({"txt":"New-MailboxExportRequest"})",
                  true},  // any token (match, OR)
        MatchCase{"txt : mailbox*", R"({"txt":"New-MailboxExportRequest"})",
                  true},  // wildcard within a token
        MatchCase{"txt : *export*", R"({"txt":"New-MailboxExportRequest -Mailbox x"})", true},
        MatchCase{"txt : new*export", R"({"txt":"New-MailboxExportRequest"})",
                  false},  // not across tokens
        MatchCase{"txt : \"Interop.Outlook\"", R"({"txt":"[Microsoft.Office.Interop.Outlook]::x"})",
                  false},
        MatchCase{"txt : \"Microsoft.Office.Interop.Outlook\"",
                  R"({"txt":"New-Object Microsoft.Office.Interop.Outlook"})", true},
        MatchCase{"msg.text : hello", R"({"msg":"Hello, world"})",
                  true},  // a multi-field reads its parent
        MatchCase{"msg : hello", R"({"msg":"Hello, world"})", false},
        // ip: CIDR and exact, v4 and v6
        MatchCase{"ip : 10.0.0.0/8", R"({"ip":"10.1.2.3"})", true},
        MatchCase{"ip : 10.0.0.0/8", R"({"ip":"11.1.2.3"})", false},
        MatchCase{"ip : \"10.1.2.3\"", R"({"ip":"10.1.2.3"})", true},
        MatchCase{"ip : \"2001:db8::/32\"", R"({"ip":"2001:db8::1"})", true},
        // numbers
        MatchCase{"n : 5", R"({"n":5})", true}, MatchCase{"n : 5", R"({"n":"5"})", true},
        MatchCase{"n > 5", R"({"n":10})", true}, MatchCase{"n >= 5", R"({"n":5})", true},
        MatchCase{"n < 5", R"({"n":10})", false}, MatchCase{"n <= 10", R"({"n":[20, 10]})", true},
        // dates: ISO and date math relative to the evaluation time (12:00Z)
        MatchCase{"d >= \"2026-01-01T11:55:00Z\"", R"({"d":"2026-01-01T11:58:00.000Z"})", true},
        MatchCase{"d >= now-5m", R"({"d":"2026-01-01T11:58:00Z"})", true},
        MatchCase{"d >= now-5m", R"({"d":"2026-01-01T11:50:00Z"})", false},
        MatchCase{"d < now-1h/h", R"({"d":"2026-01-01T10:59:00Z"})", true},
        MatchCase{"d : 2026-01-01", R"({"d":"2026-01-01T23:00:00Z"})", true},
        MatchCase{"d : 2026-01-01", R"({"d":"2026-01-02T00:00:00Z"})", false},
        MatchCase{"d <= 2026-01-01", R"({"d":"2026-01-01T23:00:00Z"})", true},
        MatchCase{"@timestamp > now-1d", R"({"@timestamp":1767268800000})", true},
        // versions order semantically
        MatchCase{"v > 1.9.0", R"({"v":"1.10.0"})", true},
        MatchCase{"v < 1.10.0", R"({"v":"1.10.0-beta"})", true},
        // booleans
        MatchCase{"b : true", R"({"b":true})", true},
        MatchCase{"b : false", R"({"b":true})", false}));

TEST(Kql, EcsTypesWithoutAMapping) {
    QueryOptions o;  // ECS: message is match_only_text, process.name keyword
    EXPECT_TRUE(kql_matches("message : failed", R"({"message":"Logon FAILED for x"})", o));
    EXPECT_FALSE(kql_matches("process.name : POWERSHELL.EXE",
                             R"({"process":{"name":"powershell.exe"}})", o));
    EXPECT_TRUE(kql_matches("source.ip : 192.168.0.0/16", R"({"source":{"ip":"192.168.4.4"}})", o));
    // The Windows integration's script block text is analyzed although ECS does not define it.
    EXPECT_TRUE(kql_matches("process.command_line.text : mailbox",
                            R"({"process":{"command_line":"X -Mailbox y"}})", o));
    EXPECT_TRUE(kql_matches("powershell.file.script_block_text : \"Get-Mailbox\"",
                            R"({"powershell":{"file":{"script_block_text":"get-mailbox | x"}}})",
                            o));
}

struct ErrorCase {
    const char* query;
    const char* position;  // "line:column"
    const char* message;
};

class KqlErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(KqlErrors, NamePositionAndCaret) {
    const auto& c = GetParam();
    auto q = kql::compile(c.query, "rule.kql", typed());
    ASSERT_FALSE(q.ok()) << c.query;
    const std::string& err = q.error().message;
    EXPECT_EQ(err.rfind(std::string("rule.kql:") + c.position + ": ", 0), 0u) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_NE(err.find('^'), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(
    All, KqlErrors,
    ::testing::Values(ErrorCase{"", "1:1", "empty"},
                      ErrorCase{"kw : ", "1:6", "expected a value after ':'"},
                      ErrorCase{"kw : (a or b", "1:13", "expected ')'"},
                      ErrorCase{"kw : \"abc", "1:6", "unterminated quoted value"},
                      ErrorCase{"kw : a b : c", "1:10",
                                "expected 'and', 'or' or the end of the query, found ':'"},
                      ErrorCase{"my field : c", "1:1", "cannot contain spaces"},
                      ErrorCase{"kw : a )", "1:8", "expected 'and', 'or' or the end"},
                      ErrorCase{"kw : a and", "1:11", "expected a field, a value or '('"},
                      ErrorCase{"items : { name : a", "1:19", "expected '}'"},
                      ErrorCase{"kw : a\\qb", "1:7", "is not an escape"},
                      ErrorCase{"n : abc", "1:5", "is not a number"},
                      ErrorCase{"ip : 999.1.1.1", "1:6", "not an IP address"},
                      ErrorCase{"d > yesterday", "1:5", "is not a date"},
                      ErrorCase{"d > now-1M", "1:5", "months and years"},
                      ErrorCase{"n > 1*", "1:5", "no wildcard"},
                      ErrorCase{"kw : a and\n  n : x", "2:7", "is not a number"}));

TEST(Kql, DepthIsCapped) {
    std::string deep(5000, '(');
    auto q = kql::compile(deep + "kw : a" + std::string(5000, ')'), "deep.kql", typed());
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.error().message.find("nested too deeply"), std::string::npos);
    std::string nots;
    for (int i = 0; i < 5000; ++i) nots += "not ";
    EXPECT_FALSE(kql::compile(nots + "kw : a", "deep.kql", typed()).ok());
}

TEST(Kql, ClauseCountsAndNearMissesLikeEql) {
    auto q = kql::compile("kw : a and n : 1 and txt : hello", "q.kql", typed());
    ASSERT_TRUE(q.ok()) << q.error().message;
    eql::MatcherOptions mo;
    mo.collect_diagnostics = true;
    Matcher m(*q, mo);
    m.feed(parse_json_value(R"({"kw":"a","n":1,"txt":"bye"})"));
    m.feed(parse_json_value(R"({"kw":"a","n":2,"txt":"bye"})"));
    m.finish();
    EXPECT_TRUE(m.hits().empty());
    const auto& d = m.diagnostics();
    ASSERT_EQ(d.clauses.size(), 3u);
    EXPECT_EQ(d.clauses[0].clause, "kw : a");
    EXPECT_EQ(d.clauses[0].satisfied, 2u);
    EXPECT_EQ(d.clauses[1].clause, "n : 1");
    EXPECT_EQ(d.clauses[1].satisfied, 1u);
    EXPECT_EQ(d.clauses[2].satisfied, 0u);
    ASSERT_EQ(d.near_misses.size(), 1u);
    EXPECT_EQ(d.near_misses[0].failed_clause, "txt : hello");
}

TEST(Kql, Analyzer) {
    EXPECT_EQ(analyze("New-MailboxExportRequest -Mailbox 'x' -FilePath \\\\srv\\c$\\a.pst"),
              (std::vector<std::string>{"new", "mailboxexportrequest", "mailbox", "x", "filepath",
                                        "srv", "c", "a.pst"}));
    EXPECT_EQ(analyze("don't stop_me 1.5"), (std::vector<std::string>{"don't", "stop_me", "1.5"}));
    EXPECT_TRUE(analyze(" -- ").empty());
}

}  // namespace
}  // namespace attest::kql
