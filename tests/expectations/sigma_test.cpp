// Sigma rules: modifiers, escapes, conditions, log sources, fields, load errors, diagnostics
// (shared/spec/sigma.md). Table-driven: each row is a rule fragment and events it must or
// must not match.
#include "expectations/sigma/sigma.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json.h"

namespace attest::sigma {
namespace {

Event ev(const std::string& json) {
    return parse_json_value(json);
}

// A Sysmon process creation (EID 1) whose event_data is `data` (a JSON object body).
Event proc(const std::string& data) {
    return ev(
        R"({"@timestamp":"2026-01-01T00:00:00Z","event":{"dataset":"windows.sysmon_operational","code":"1"},)"
        R"("winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{)" +
        data + "}}}");
}

std::string rule_text(
    const std::string& detection,
    const std::string& logsource = "    product: windows\n    category: process_creation\n") {
    return "title: t\nid: 00000000-0000-0000-0000-000000000001\nlevel: high\nlogsource:\n" +
           logsource + "detection:\n" + detection;
}

std::shared_ptr<const RuleSet> must_parse(const std::string& text) {
    auto set = parse(text, "rule.yml");
    EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message) << "\n" << text;
    if (!set.ok()) return nullptr;
    return std::make_shared<const RuleSet>(std::move(*set));
}

std::size_t hits(const std::shared_ptr<const RuleSet>& set, const std::vector<Event>& events) {
    if (!set) return 0;
    RuleSetMatcher m(set);
    for (const auto& e : events) m.feed(e);
    m.finish();
    return m.hits().size();
}

bool fires(
    const std::string& detection, const Event& e,
    const std::string& logsource = "    product: windows\n    category: process_creation\n") {
    return hits(must_parse(rule_text(detection, logsource)), {e}) > 0;
}

std::string load_error(const std::string& text) {
    auto set = parse(text, "rule.yml");
    return set.ok() ? "<loaded>" : set.error().message;
}

// ------------------------------------------------------------------ modifiers and values

struct ValueRow {
    const char* item;  // one line under `sel:`, e.g. "Image|endswith: '\\cmd.exe'"
    const char* data;  // event_data members
    bool match;
};

class SigmaValues : public ::testing::TestWithParam<ValueRow> {};

TEST_P(SigmaValues, Matches) {
    const auto& r = GetParam();
    std::string det = std::string("    sel:\n        ") + r.item + "\n    condition: sel\n";
    EXPECT_EQ(fires(det, proc(r.data)), r.match) << r.item << " on {" << r.data << "}";
}

// Base64 forms of "Invoke-Mimikatz" computed independently (python base64).
const ValueRow kValueRows[] = {
    // exact, case-insensitive by default; `cased` makes it sensitive
    {"Image: 'C:\\Windows\\System32\\cmd.exe'", R"("Image":"c:\\windows\\system32\\CMD.EXE")",
     true},
    {"Image: 'C:\\Windows\\System32\\cmd.exe'", R"("Image":"C:\\Windows\\System32\\cmd.exe2")",
     false},
    {"Image|cased: 'C:\\Windows\\cmd.exe'", R"("Image":"c:\\windows\\cmd.exe")", false},
    {"Image|cased: 'C:\\Windows\\cmd.exe'", R"("Image":"C:\\Windows\\cmd.exe")", true},
    // position modifiers
    {"Image|endswith: '\\cmd.exe'", R"("Image":"C:\\Windows\\System32\\cmd.exe")", true},
    {"Image|endswith: '\\cmd.exe'", R"("Image":"C:\\Windows\\System32\\xcmd.exe")", false},
    {"Image|startswith: 'C:\\Windows\\'", R"("Image":"C:\\Windows\\System32\\cmd.exe")", true},
    {"Image|startswith: 'C:\\Windows\\'", R"("Image":"D:\\Windows\\cmd.exe")", false},
    {"CommandLine|contains: 'mimikatz'", R"("CommandLine":"run MimiKatz now")", true},
    {"CommandLine|contains: 'mimikatz'", R"("CommandLine":"run mimi katz")", false},
    // lists: OR; with `all`: AND
    {"CommandLine|contains: ['aaa', 'bbb']", R"("CommandLine":"x bbb")", true},
    {"CommandLine|contains|all: ['aaa', 'bbb']", R"("CommandLine":"x bbb")", false},
    {"CommandLine|contains|all: ['aaa', 'bbb']", R"("CommandLine":"bbb aaa")", true},
    // wildcards and escapes
    {"CommandLine: '*mimi*'", R"("CommandLine":"a mimi b")", true},
    {"CommandLine: 'a?c'", R"("CommandLine":"abc")", true},
    {"CommandLine: 'a?c'", R"("CommandLine":"abbc")", false},
    {"CommandLine: 'a\\*c'", R"("CommandLine":"a*c")", true},
    {"CommandLine: 'a\\*c'", R"("CommandLine":"abc")", false},
    {"CommandLine: 'a\\?c'", R"("CommandLine":"a?c")", true},
    {"CommandLine: 'a\\?c'", R"("CommandLine":"abc")", false},
    {"CommandLine: 'a\\\\*'", R"("CommandLine":"a\\xyz")",
     true},  // \\ is one backslash, then a wildcard
    {"CommandLine: 'a\\\\*'", R"("CommandLine":"axyz")", false},
    {"CommandLine: 'C:\\Temp\\x'", R"("CommandLine":"C:\\Temp\\x")",
     true},  // other backslashes literal
    // null and empty
    {"ParentImage: null", R"("Image":"x")", true},
    {"ParentImage: null", R"("ParentImage":"x")", false},
    {"ParentImage: ''", R"("ParentImage":"")", true},
    {"ParentImage: ''", R"("Image":"x")", false},
    {"ParentImage: ['x', null]", R"("Image":"y")", true},
    // numbers compare by value and match their string form
    {"TerminalSessionId: 1", R"("TerminalSessionId":"1")", true},
    {"TerminalSessionId: 1", R"("TerminalSessionId":1)", true},
    {"TerminalSessionId: 1", R"("TerminalSessionId":"10")", false},
    {"TerminalSessionId|gt: 5", R"("TerminalSessionId":"7")", true},
    {"TerminalSessionId|gt: 5", R"("TerminalSessionId":"5")", false},
    {"TerminalSessionId|gte: 5", R"("TerminalSessionId":5)", true},
    {"TerminalSessionId|lt: 5", R"("TerminalSessionId":"4.5")", true},
    {"TerminalSessionId|lte: 5", R"("TerminalSessionId":"6")", false},
    // exists
    {"ParentImage|exists: true", R"("ParentImage":"x")", true},
    {"ParentImage|exists: true", R"("Image":"x")", false},
    {"ParentImage|exists: false", R"("Image":"x")", true},
    // re (unanchored search; i/m/s)
    {"CommandLine|re: '\\s-[^-\\s]{0,20}i'", R"("CommandLine":"ls -li /")", true},
    {"CommandLine|re: '\\s-[^-\\s]{0,20}i'", R"("CommandLine":"ls -l /")", false},
    {"CommandLine|re: '^ls'", R"("CommandLine":"xls")", false},
    {"CommandLine|re: 'LS$'", R"("CommandLine":"xls")", false},
    {"CommandLine|re|i: 'LS$'", R"("CommandLine":"xls")", true},
    {"CommandLine|re: '(?i)LS$'", R"("CommandLine":"xls")", true},
    {"CommandLine|re: 'a.b'", R"("CommandLine":"a\nb")", false},
    {"CommandLine|re|s: 'a.b'", R"("CommandLine":"a\nb")", true},
    {"CommandLine|re|m: '^b'", R"("CommandLine":"a\nb")", true},
    {"CommandLine|re: '^b'", R"("CommandLine":"a\nb")", false},
    {"CommandLine|re: 'a\"b@c#'", R"("CommandLine":"xa\"b@c#")",
     true},  // Lucene-only characters stay literal
    // cidr
    {"DestinationIp|cidr: '10.0.0.0/8'", R"("DestinationIp":"10.2.3.4")", true},
    {"DestinationIp|cidr: '10.0.0.0/8'", R"("DestinationIp":"11.2.3.4")", false},
    {"DestinationIp|cidr: 'fe80::/10'", R"("DestinationIp":"fe80::1")", true},
    // fieldref
    {"Image|fieldref: ParentImage", R"("Image":"A.exe","ParentImage":"a.EXE")", true},
    {"Image|fieldref: ParentImage", R"("Image":"A.exe","ParentImage":"b.exe")", false},
    {"CommandLine|fieldref|contains: Image", R"("Image":"a.exe","CommandLine":"run a.exe now")",
     true},
    {"Image|fieldref|cased: ParentImage", R"("Image":"A.exe","ParentImage":"a.exe")", false},
    // base64 / base64offset / wide / utf16
    {"CommandLine|base64: 'Invoke-Mimikatz'", R"("CommandLine":"SW52b2tlLU1pbWlrYXR6")", true},
    {"CommandLine|base64|contains: 'Invoke-Mimikatz'",
     R"("CommandLine":"x SW52b2tlLU1pbWlrYXR6 y")", true},
    {"CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
     R"("CommandLine":"x SW52b2tlLU1pbWlrYXR6 y")", true},
    // offset 1: base64("a" + value) = "YUludm9rZS1NaW1pa2F0eg=="
    {"CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
     R"("CommandLine":"YUludm9rZS1NaW1pa2F0eg==")", true},
    // offset 2: base64("ab" + value) = "YWJJbnZva2UtTWltaWthdHo="
    {"CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
     R"("CommandLine":"YWJJbnZva2UtTWltaWthdHo=")", true},
    {"CommandLine|base64offset|contains: 'Invoke-Mimikatz'",
     R"("CommandLine":"sw52b2tlLu1pbWlrYXR6")", false},
    // base64(utf16le("ls")) = "bABzAA=="
    {"CommandLine|wide|base64: 'ls'", R"("CommandLine":"bABzAA==")", true},
    {"CommandLine|utf16le|base64: 'ls'", R"("CommandLine":"bABzAA==")", true},
    // base64(utf16be("ls")) = "AGwAcw=="
    {"CommandLine|utf16be|base64: 'ls'", R"("CommandLine":"AGwAcw==")", true},
    // utf16: with BOM, base64("\xff\xfel\0s\0") = "//5sAHMA"
    {"CommandLine|utf16|base64|contains: 'ls'", R"("CommandLine":"x //5sAHMA")", true},
    {"CommandLine|utf16|base64|contains: 'ls'", R"("CommandLine":"x AGwAcw")", true},
    // windash
    {"CommandLine|windash|contains: ' -exec '", R"("CommandLine":"x /exec y")", true},
    {"CommandLine|windash|contains: ' -exec '",
     "\"CommandLine\":\"x \xE2\x80\x93"
     "exec y\"",
     true},
    {"CommandLine|windash|contains: ' -exec '",
     "\"CommandLine\":\"x \xE2\x80\x94"
     "exec y\"",
     true},
    {"CommandLine|windash|contains: ' -exec '",
     "\"CommandLine\":\"x \xE2\x80\x95"
     "exec y\"",
     true},
    {"CommandLine|windash|contains: ' -exec '", R"("CommandLine":"x +exec y")", false},
    {"CommandLine|windash|contains: 'a-b'", R"("CommandLine":"a/b")",
     false},  // not at a word start
    // expand (placeholder table in the test below)
};
INSTANTIATE_TEST_SUITE_P(Table, SigmaValues, ::testing::ValuesIn(kValueRows));

TEST(Sigma, ExpandUsesThePlaceholderTable) {
    std::string text =
        rule_text("    sel:\n        Image|expand: '%sys%\\cmd.exe'\n    condition: sel\n");
    LoadOptions o;
    o.placeholders["sys"] = {"C:\\Windows\\System32", "C:\\Windows\\SysWOW64"};
    auto set = parse(text, "rule.yml", o);
    ASSERT_TRUE(set.ok()) << set.error().message;
    auto shared = std::make_shared<const RuleSet>(std::move(*set));
    EXPECT_EQ(hits(shared, {proc(R"("Image":"C:\\Windows\\SysWOW64\\cmd.exe")")}), 1u);
    EXPECT_EQ(hits(shared, {proc(R"("Image":"C:\\Temp\\cmd.exe")")}), 0u);
    std::string err = load_error(text);
    EXPECT_NE(err.find("rule.yml:9:23: detection.sel.Image|expand: unknown placeholder '%sys%'"),
              std::string::npos)
        << err;
}

TEST(Sigma, ExpandAndWindashMultiplyWithinABound) {
    LoadOptions o;
    o.placeholders["sys"] = {"C:\\Windows\\System32", "C:\\Windows\\SysWOW64"};
    auto rule = [&](const char* mods, const char* prefix, int placeholders) {
        std::string v = prefix;
        for (int i = 0; i < placeholders; ++i) v += "%sys%";
        return rule_text(std::string("    sel:\n        CommandLine|") + mods + ": '" + v +
                         "'\n    condition: sel\n");
    };
    // 2^12 values load; 2^13 do not, and neither do 2^8 values with 5^4 windash variants each.
    EXPECT_TRUE(parse(rule("expand", "", 12), "rule.yml", o).ok());
    EXPECT_TRUE(parse(rule("expand|windash", " -a -b -c -d ", 2), "rule.yml", o).ok());
    for (auto [mods, n] : {std::pair{"expand", 13}, std::pair{"expand|windash", 8}}) {
        auto set = parse(rule(mods, " -a -b -c -d ", n), "rule.yml", o);
        ASSERT_FALSE(set.ok()) << mods;
        EXPECT_NE(set.error().message.find("rule.yml:9:"), std::string::npos)
            << set.error().message;
        EXPECT_NE(set.error().message.find("4096"), std::string::npos) << set.error().message;
    }
}

TEST(Sigma, KeywordsSearchEveryStringOfTheEvent) {
    std::string det =
        "    keywords:\n        - 'mimikatz'\n        - 'sekurlsa'\n    condition: keywords\n";
    EXPECT_TRUE(fires(det, proc(R"("CommandLine":"run SEKURLSA::logonpasswords")")));
    EXPECT_TRUE(fires(det, proc(R"("ParentCommandLine":"x mimikatz.exe")")));
    EXPECT_FALSE(fires(det, proc(R"("CommandLine":"notepad")")));
}

TEST(Sigma, ListOfMapsIsAnOr) {
    std::string det =
        "    sel:\n        - Image|endswith: '\\a.exe'\n        - OriginalFileName: 'b.exe'\n    "
        "condition: sel\n";
    EXPECT_TRUE(fires(det, proc(R"("Image":"C:\\a.exe")")));
    EXPECT_TRUE(fires(det, proc(R"("OriginalFileName":"B.EXE")")));
    EXPECT_FALSE(fires(det, proc(R"("Image":"C:\\b.exe")")));
}

// O365 records keep Parameters folded into an object by name: `contains` sees keys and values.
TEST(Sigma, ObjectValuesMatchByKeyAndValue) {
    Event e = ev(R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"Operation":"Set-Mailbox",)"
                 R"("Parameters":{"ForwardingSmtpAddress":"smtp:x@y.z","Identity":"u"}}}})");
    std::string ls = "    product: m365\n    service: audit\n";
    EXPECT_TRUE(fires(
        "    sel:\n        Parameters|contains: 'ForwardingSmtp'\n    condition: sel\n", e, ls));
    EXPECT_TRUE(
        fires("    sel:\n        Parameters|contains: 'x@y.z'\n    condition: sel\n", e, ls));
    EXPECT_FALSE(
        fires("    sel:\n        Parameters|contains: 'RedirectTo'\n    condition: sel\n", e, ls));
}

// ------------------------------------------------------------------ conditions

struct ConditionRow {
    const char* condition;
    const char* data;
    bool match;
};
class SigmaConditions : public ::testing::TestWithParam<ConditionRow> {};

TEST_P(SigmaConditions, Evaluates) {
    const auto& r = GetParam();
    std::string det =
        "    sel_a:\n        A: 'a'\n    sel_b:\n        B: 'b'\n    filter:\n        C: 'c'\n    "
        "_hidden:\n        D: 'd'\n"
        "    condition: " +
        std::string(r.condition) + "\n";
    EXPECT_EQ(fires(det, proc(r.data)), r.match) << r.condition << " on {" << r.data << "}";
}

const ConditionRow kConditionRows[] = {
    {"sel_a and sel_b", R"("A":"a","B":"b")", true},
    {"sel_a and sel_b", R"("A":"a")", false},
    {"sel_a or sel_b", R"("B":"b")", true},
    {"not sel_a", R"("B":"b")", true},
    {"not sel_a", R"("A":"a")", false},
    {"sel_a and not filter", R"("A":"a","C":"c")", false},
    {"sel_a and not filter", R"("A":"a")", true},
    // precedence: not > and > or
    {"sel_a or sel_b and filter", R"("A":"a")", true},
    {"sel_a or sel_b and filter", R"("B":"b")", false},
    {"(sel_a or sel_b) and filter", R"("A":"a")", false},
    {"(sel_a or sel_b) and filter", R"("A":"a","C":"c")", true},
    {"not sel_a and sel_b", R"("B":"b")", true},
    {"not (sel_a and sel_b)", R"("A":"a","B":"b")", false},
    {"1 of sel_*", R"("B":"b")", true},
    {"all of sel_*", R"("B":"b")", false},
    {"all of sel_*", R"("A":"a","B":"b")", true},
    {"1 of sel*", R"("A":"a")", true},
    {"1 of them", R"("C":"c")", true},
    {"1 of them", R"("D":"d")", false},  // `them` leaves out identifiers starting with _
    {"all of them", R"("A":"a","B":"b","C":"c")", true},
    {"all of them", R"("A":"a","B":"b")", false},
    {"_hidden", R"("D":"d")", true},
    {"all of sel_* and not 1 of filter*", R"("A":"a","B":"b")", true},
};
INSTANTIATE_TEST_SUITE_P(Table, SigmaConditions, ::testing::ValuesIn(kConditionRows));

TEST(Sigma, ConditionListMeansOr) {
    std::string det =
        "    sel_a:\n        A: 'a'\n    sel_b:\n        B: 'b'\n    condition:\n        - sel_a\n "
        "       - sel_b\n";
    EXPECT_TRUE(fires(det, proc(R"("B":"b")")));
    EXPECT_FALSE(fires(det, proc(R"("C":"c")")));
}

// ------------------------------------------------------------------ load errors

struct ErrorRow {
    const char* text;
    const char* expected;  // substring of the message
};
class SigmaErrors : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(SigmaErrors, NamePositionAndKeyPath) {
    std::string err = load_error(GetParam().text);
    EXPECT_NE(err.find(GetParam().expected), std::string::npos) << err;
}

const ErrorRow kErrorRows[] = {
    {"title: t\ndetection:\n    sel:\n        Image|re|contains: 'x'\n    condition: sel\n",
     "rule.yml:4:9: detection.sel.Image|re|contains: contradictory modifiers 're' and 'contains'"},
    {"title: t\ndetection:\n    sel:\n        Ip|cidr|startswith: '10.0.0.0/8'\n    condition: "
     "sel\n",
     "rule.yml:4:9: detection.sel.Ip|cidr|startswith: contradictory modifiers 'cidr' and "
     "'startswith'"},
    {"title: t\ndetection:\n    sel:\n        Image|contains|endswith: 'x'\n    condition: sel\n",
     "rule.yml:4:9: detection.sel.Image|contains|endswith: contradictory modifiers 'contains' and "
     "'endswith'"},
    {"title: t\ndetection:\n    sel:\n        Image|gt|lt: 3\n    condition: sel\n",
     "contradictory modifiers 'gt' and 'lt'"},
    {"title: t\ndetection:\n    sel:\n        Image|base64|base64offset: 'x'\n    condition: sel\n",
     "contradictory modifiers 'base64' and 'base64offset'"},
    {"title: t\ndetection:\n    sel:\n        Image|exists|contains: true\n    condition: sel\n",
     "contradictory modifiers 'exists' and 'contains'"},
    {"title: t\ndetection:\n    sel:\n        Image|i: 'x'\n    condition: sel\n",
     "modifier 'i' applies to 're' and must follow it"},
    {"title: t\ndetection:\n    sel:\n        Image|startwith: 'x'\n    condition: sel\n",
     "rule.yml:4:9: detection.sel.Image|startwith: unknown modifier 'startwith'"},
    {"title: t\ndetection:\n    sel:\n        Image|re: '(?=x)'\n    condition: sel\n",
     "rule.yml:4:19: detection.sel.Image|re: invalid regular expression: lookaround"},
    {"title: t\ndetection:\n    sel:\n        Ip|cidr: '10.0.0.0/99'\n    condition: sel\n",
     "invalid CIDR network '10.0.0.0/99'"},
    {"title: t\ndetection:\n    sel:\n        N|gte: abc\n    condition: sel\n",
     "'gte' takes a number, not 'abc'"},
    {"title: t\ndetection:\n    sel:\n        N|exists: maybe\n    condition: sel\n",
     "'exists' takes true or false"},
    {"title: t\ndetection:\n    sel:\n        Image: 'x'\n    condition: sel and filter\n",
     "rule.yml:5:24: detection.condition: unknown search identifier 'filter' (not in detection)"},
    {"title: t\ndetection:\n    sel:\n        Image: 'x'\n    condition: 1 of filter_*\n",
     "rule.yml:5:21: detection.condition: no search identifier matches 'filter_*'"},
    {"title: t\ndetection:\n    sel:\n        Image: 'x'\n    condition: sel | count(Image) by "
     "Host > 5\n",
     "rule.yml:5:20: detection.condition: the aggregation form ('| count() ...') is not supported"},
    {"title: t\ndetection:\n    sel:\n        Image: 'x'\n    condition: (sel\n", "expected ')'"},
    {"title: t\ndetection:\n    sel:\n        Image: 'x'\n",
     "rule.yml:3:5: detection.condition: missing 'condition'"},
    {"id: x\ndetection:\n    sel:\n        Image: 'x'\n    condition: sel\n",
     "rule.yml:1:1: title: missing 'title'"},
    {"title: t\nlevel: severe\ndetection:\n    sel:\n        Image: 'x'\n    condition: sel\n",
     "rule.yml:2:8: level: level 'severe'"},
    {"title: t\ndetection:\n    sel:\n        Image:\n            a: b\n    condition: sel\n",
     "detection.sel.Image: a field's value is a value or a list of values, not a map"},
    {"title: t\ndetection:\n    sel:\n        Image: [\n", "rule.yml:5:1: YAML syntax error"},
    {"title: t\ndetection: [1]\n", "'detection' is a map"},
    {"title: c\ncorrelation:\n    type: event_count\n    rules: [nope]\n    timespan: 5m\n    "
     "condition: {gte: 2}\n",
     "rule.yml:4:13: correlation.rules: no rule named or with id 'nope'"},
    {"title: c\ncorrelation:\n    type: bogus\n    rules: [a]\n    timespan: 5m\n",
     "correlation type 'bogus'"},
    {"title: c\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: often\n    "
     "condition: {gte: 2}\n",
     "correlation.timespan: 'timespan' is a duration"},
};
INSTANTIATE_TEST_SUITE_P(Table, SigmaErrors, ::testing::ValuesIn(kErrorRows));

TEST(Sigma, ErrorsShowTheLineAndACaret) {
    std::string err = load_error(
        "title: t\ndetection:\n    sel:\n        Image|re|contains: 'x'\n    condition: sel\n");
    EXPECT_NE(err.find("\n        Image|re|contains: 'x'\n        ^"), std::string::npos) << err;
}

TEST(Sigma, EveryProblemIsReported) {
    std::string err = load_error(
        "title: t\ndetection:\n    a:\n        X|bad: 'x'\n    b:\n        Y|re|cidr: 'y'\n    "
        "condition: a or b\n");
    EXPECT_NE(err.find("rule.yml:4:9"), std::string::npos) << err;
    EXPECT_NE(err.find("rule.yml:6:9"), std::string::npos) << err;
}

// ------------------------------------------------------------------ log sources and fields

struct LogSourceRow {
    const char* logsource;  // YAML lines under logsource:
    const char* event;      // an event it selects
    const char* other;      // an event it does not select
    const char* sources;    // attest sources, comma-joined ("" none)
};
class SigmaLogSources : public ::testing::TestWithParam<LogSourceRow> {};

TEST_P(SigmaLogSources, SelectEvents) {
    const auto& r = GetParam();
    auto set =
        must_parse(rule_text("    sel:\n        Marker: 'yes'\n    condition: sel\n", r.logsource));
    ASSERT_TRUE(set);
    std::string joined;
    for (const auto& s : set->rules[0].sources) joined += (joined.empty() ? "" : ",") + s;
    EXPECT_EQ(joined, r.sources) << r.logsource;
    EXPECT_EQ(set->rules[0].supplied, !std::string(r.sources).empty());
    if (*r.event) {
        EXPECT_EQ(hits(set, {ev(r.event)}), 1u) << r.logsource << r.event;
    }
    EXPECT_EQ(hits(set, {ev(r.other)}), 0u) << r.logsource << r.other;
}

#define SYSMON(code, extra)                                             \
    R"({"event":{"dataset":"windows.sysmon_operational","code":")" code \
    R"("},"winlog":{"event_data":{"Marker":"yes")" extra "}}}"
#define CHANNEL(ch, code)                                         \
    R"({"event":{"code":")" code R"("},"winlog":{"channel":")" ch \
    R"(","event_data":{"Marker":"yes"}}})"

const LogSourceRow kLogSourceRows[] = {
    {"    product: windows\n    category: process_creation\n", SYSMON("1", ""), SYSMON("3", ""),
     "sysmon,security,mde"},
    {"    product: windows\n    category: process_creation\n",
     R"({"event":{"dataset":"windows.security","code":"4688"},"winlog":{"event_data":{"Marker":"yes"}}})",
     SYSMON("11", ""), "sysmon,security,mde"},
    {"    product: windows\n    category: file_event\n", SYSMON("11", ""), SYSMON("1", ""),
     "sysmon"},
    {"    product: windows\n    category: image_load\n", SYSMON("7", ""), SYSMON("1", ""),
     "sysmon"},
    {"    product: windows\n    category: network_connection\n", SYSMON("3", ""), SYSMON("22", ""),
     "sysmon"},
    {"    product: windows\n    category: dns_query\n", SYSMON("22", ""), SYSMON("3", ""),
     "sysmon"},
    {"    product: windows\n    category: registry_event\n", SYSMON("14", ""), SYSMON("1", ""),
     "sysmon"},
    {"    product: windows\n    category: registry_add\n", SYSMON("12", ""), SYSMON("13", ""),
     "sysmon"},
    {"    product: windows\n    category: registry_set\n", SYSMON("13", ""), SYSMON("12", ""),
     "sysmon"},
    {"    product: windows\n    category: registry_delete\n",
     SYSMON("12", R"(,"EventType":"DeleteValue")"), SYSMON("12", R"(,"EventType":"CreateKey")"),
     "sysmon"},
    {"    product: windows\n    category: process_access\n", SYSMON("10", ""), SYSMON("8", ""),
     "sysmon"},
    {"    product: windows\n    category: create_remote_thread\n", SYSMON("8", ""),
     SYSMON("10", ""), "sysmon"},
    {"    product: windows\n    category: driver_load\n", SYSMON("6", ""), SYSMON("7", ""),
     "sysmon"},
    {"    product: windows\n    category: file_delete\n", SYSMON("26", ""), SYSMON("11", ""),
     "sysmon"},
    {"    product: windows\n    category: pipe_created\n", SYSMON("18", ""), SYSMON("19", ""),
     "sysmon"},
    {"    product: windows\n    category: ps_script\n",
     CHANNEL("Microsoft-Windows-PowerShell/Operational", "4104"),
     CHANNEL("Microsoft-Windows-PowerShell/Operational", "4103"), "powershell"},
    {"    product: windows\n    category: ps_module\n",
     CHANNEL("Microsoft-Windows-PowerShell/Operational", "4103"),
     CHANNEL("Microsoft-Windows-PowerShell/Operational", "4104"), "powershell"},
    {"    product: windows\n    category: ps_classic_start\n", CHANNEL("Windows PowerShell", "400"),
     CHANNEL("Windows PowerShell", "403"), "powershell"},
    {"    product: windows\n    service: security\n", CHANNEL("Security", "4624"),
     CHANNEL("System", "7045"), "security"},
    {"    product: windows\n    service: system\n", CHANNEL("System", "7045"),
     CHANNEL("Security", "4624"), "security"},
    {"    product: windows\n    service: sysmon\n", SYSMON("1", ""), CHANNEL("Security", "4624"),
     "sysmon"},
    {"    product: linux\n    category: process_creation\n",
     R"({"event":{"dataset":"sysmon_linux.log","code":"1"},"winlog":{"event_data":{"Marker":"yes"}}})",
     R"({"event":{"dataset":"sysmon_linux.log","code":"3"},"winlog":{"event_data":{"Marker":"yes"}}})",
     "sysmon_linux,auditd"},
    {"    product: linux\n    service: auditd\n",
     R"({"event":{"dataset":"auditd.log"},"Marker":"yes"})",
     R"({"event":{"dataset":"sysmon_linux.log"},"Marker":"yes"})", "auditd"},
    {"    product: m365\n    service: audit\n",
     R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"Marker":"yes"}}})", SYSMON("1", ""),
     "o365"},
    {"    product: m365\n    service: threat_management\n",
     R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"Marker":"yes"}}})", SYSMON("1", ""),
     "o365"},
    {"    product: azure\n    service: riskdetection\n",
     R"({"event":{"dataset":"azure.identity_protection"},"Marker":"yes"})", SYSMON("1", ""),
     "o365"},
    {"    product: gcp\n    service: google_workspace.login\n",
     R"({"event":{"dataset":"google_workspace.login"},"Marker":"yes"})", SYSMON("1", ""), ""},
    {"    product: macos\n    category: process_creation\n", "", SYSMON("1", ""),
     ""},  // no row: selects nothing
};
INSTANTIATE_TEST_SUITE_P(Table, SigmaLogSources, ::testing::ValuesIn(kLogSourceRows));

// Field names as SigmaHQ writes them, with the ECS mapping as the fallback.
TEST(Sigma, FieldsFallBackToEcs) {
    std::string det =
        "    sel:\n        Image|endswith: '\\cmd.exe'\n        ParentImage|endswith: "
        "'\\explorer.exe'\n    condition: sel\n";
    Event ecs = ev(
        R"({"event":{"dataset":"windows.sysmon_operational","code":"1"},)"
        R"("process":{"executable":"C:\\Windows\\cmd.exe","parent":{"executable":"C:\\Windows\\explorer.exe"}}})");
    EXPECT_TRUE(fires(det, ecs));
    // Security 4688 names them NewProcessName / ParentProcessName.
    Event sec = ev(
        R"({"event":{"dataset":"windows.security","code":"4688"},"winlog":{"event_data":)"
        R"({"NewProcessName":"C:\\Windows\\cmd.exe","ParentProcessName":"C:\\Windows\\explorer.exe"}}})");
    EXPECT_TRUE(fires(det, sec));
    EXPECT_TRUE(fires("    sel:\n        EventID: 4688\n    condition: sel\n", sec));
}

// ------------------------------------------------------------------ documents

TEST(Sigma, MetadataIsKept) {
    auto set = must_parse(
        "title: Mail\nid: abc\nstatus: test\nlevel: medium\ntags:\n    - attack.collection\n    - "
        "attack.t1114.003\n"
        "custom_key: kept\nlogsource:\n    product: windows\n    category: ps_script\ndetection:\n "
        "   s:\n        X: y\n"
        "    condition: s\n");
    ASSERT_TRUE(set);
    const Rule& r = set->rules[0];
    EXPECT_EQ(r.title, "Mail");
    EXPECT_EQ(r.level, "medium");
    EXPECT_EQ(r.tags, (std::vector<std::string>{"attack.collection", "attack.t1114.003"}));
    EXPECT_EQ(r.techniques, (std::vector<std::string>{"T1114.003"}));
    EXPECT_EQ(r.logsource.category, "ps_script");
}

TEST(Sigma, GlobalDocumentGivesDefaults) {
    auto set = must_parse(
        "action: global\ntitle: g\nlevel: high\ndetection:\n    filter:\n        User: 'SYSTEM'\n  "
        "  condition: sel and not filter\n"
        "---\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    "
        "sel:\n        Image: 'a.exe'\n"
        "---\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    "
        "sel:\n        Image: 'b.exe'\n");
    ASSERT_TRUE(set);
    ASSERT_EQ(set->rules.size(), 2u);
    EXPECT_EQ(set->rules[1].title, "g");
    EXPECT_EQ(set->rules[1].level, "high");
    EXPECT_EQ(hits(set, {proc(R"("Image":"b.exe")"), proc(R"("Image":"a.exe","User":"SYSTEM")"),
                         proc(R"("Image":"a.exe")")}),
              2u);
}

// ------------------------------------------------------------------ diagnostics

TEST(Sigma, NearMissesNameTheFailedItem) {
    auto set =
        must_parse(rule_text("    selection:\n        Image|endswith: '\\powershell.exe'\n        "
                             "CommandLine|contains: 'New-InboxRule'\n"
                             "    condition: selection\n"));
    ASSERT_TRUE(set);
    RuleSetMatcher m(set, MatcherOptions{.collect_diagnostics = true});
    m.feed(proc(R"("Image":"C:\\x\\powershell.exe","CommandLine":"Get-Mailbox")"));
    m.finish();
    EXPECT_TRUE(m.hits().empty());
    auto d = m.diagnostics();
    ASSERT_EQ(d.size(), 1u);
    const auto& diag = d[0].second;
    EXPECT_EQ(diag.category_events, 1u);
    ASSERT_EQ(diag.clauses.size(), 2u);
    EXPECT_EQ(diag.clauses[0].clause, "selection: Image|endswith: \\powershell.exe");
    EXPECT_EQ(diag.clauses[0].satisfied, 1u);
    EXPECT_EQ(diag.clauses[1].satisfied, 0u);
    ASSERT_EQ(diag.near_misses.size(), 1u);
    EXPECT_EQ(diag.near_misses[0].failed_clause, "selection: CommandLine|contains: New-InboxRule");
}

}  // namespace
}  // namespace attest::sigma
