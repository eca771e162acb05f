// Event-query semantics: operators, functions, null rules, field resolution.
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

const char* kProc = R"({"event":{"category":["process"]},"process":{"name":"PowerShell.exe","pid":1234,"args":["-enc","abc"],"command_line":"C:\\Windows\\powershell.exe -enc abc"},"source":{"ip":"10.1.2.3"},"flag":true,"count":"42","my-field":"x"})";

struct Case {
    const char* condition;
    bool expected;
};

class EvalTable : public ::testing::TestWithParam<Case> {};

TEST_P(EvalTable, MatchesAsElasticsearch) {
    EXPECT_EQ(matches(GetParam().condition, kProc), GetParam().expected) << GetParam().condition;
}

INSTANTIATE_TEST_SUITE_P(
    Operators, EvalTable,
    ::testing::Values(
        // == and != are case-sensitive, no wildcards
        Case{"process.name == \"PowerShell.exe\"", true}, Case{"process.name == \"powershell.exe\"", false},
        Case{"process.name == \"Power*\"", false}, Case{"process.name != \"powershell.exe\"", true},
        Case{"process.name != \"PowerShell.exe\"", false},
        // ordering, lexicographic on strings, numeric on numbers
        Case{"process.pid > 1000", true}, Case{"process.pid >= 1234", true}, Case{"process.pid < 1234", false},
        Case{"process.pid <= 1234", true}, Case{"process.name < \"Q\"", true}, Case{"process.name > \"q\"", false},
        Case{"1000 < process.pid", true},
        // numbers vs strings: a numeric string compares as a number
        Case{"count == 42", true}, Case{"count > 40", true}, Case{"process.pid == \"1234\"", true},
        // : is insensitive with * and ?
        Case{"process.name : \"powershell.exe\"", true}, Case{"process.name : \"power*\"", true},
        Case{"process.name : \"powershel?.exe\"", true}, Case{"process.name : \"powershel?.ex\"", false},
        Case{"process.name : (\"cmd.exe\", \"*shell*\")", true}, Case{"process.name : \"cmd*\"", false},
        // like / like~
        Case{"process.name like \"Power*\"", true}, Case{"process.name like \"power*\"", false},
        Case{"process.name like~ \"power*\"", true}, Case{"process.name like (\"a\", \"*.exe\")", true},
        Case{"process.command_line like~ \"c:\\\\windows\\\\*\"", true},
        // regex / regex~ (Lucene, whole string)
        Case{"process.name regex \"Power[A-Za-z]+\\\\.exe\"", true}, Case{"process.name regex \"Power\"", false},
        Case{"process.name regex \"power.*\"", false}, Case{"process.name regex~ \"power.*\"", true},
        Case{"process.name regex \"(cmd|PowerShell)\\\\.exe\"", true}, Case{"process.name regex \"P.{9}\\\\.exe\"", true},
        Case{"process.name regex \"[^P].*\"", false}, Case{"process.name regex \"@\\\\.exe\"", true},
        Case{"process.name regex \"\\\"PowerShell.exe\\\"\"", true},
        // in / not in / in~ / not in~
        Case{"process.name in (\"cmd.exe\", \"PowerShell.exe\")", true}, Case{"process.name in (\"powershell.exe\")", false},
        Case{"process.name in~ (\"powershell.exe\")", true}, Case{"process.name not in (\"cmd.exe\")", true},
        Case{"process.name not in~ (\"POWERSHELL.EXE\")", false}, Case{"process.name in~ (\"power*\")", false},
        Case{"process.pid in (1, 1234)", true}, Case{"process.pid in (\"1234\")", true},
        // boolean logic and precedence
        Case{"true", true}, Case{"false", false}, Case{"not false", true},
        Case{"process.pid == 1 or process.pid == 1234", true}, Case{"process.pid == 1 and process.pid == 1234", false},
        Case{"not process.pid == 1 and process.pid == 1234", true}, Case{"not (process.pid == 1234 or false)", false},
        Case{"flag == true", true}, Case{"flag", true},
        // arrays match if any element does
        Case{"process.args == \"abc\"", true}, Case{"process.args : \"-ENC\"", true}, Case{"process.args != \"abc\"", false},
        Case{"process.args in (\"x\", \"-enc\")", true},
        // backtick field names
        Case{"`my-field` == \"x\"", true},
        // null rules: a predicate on a missing field is false, `not` of it true
        Case{"process.missing == \"x\"", false}, Case{"not process.missing == \"x\"", true},
        Case{"not process.missing in~ (\"outlook.exe\")", true}, Case{"process.missing in~ (\"outlook.exe\")", false},
        Case{"process.missing : \"*\"", false}, Case{"process.missing > 1", false}, Case{"process.missing != \"x\"", true},
        Case{"?process.missing == null", true}, Case{"?process.missing != null", false},
        Case{"process.name != null", true}, Case{"process.name == null", false},
        Case{"length(process.missing) > 0", false}, Case{"not length(process.missing) > 0", true},
        Case{"startsWith(process.missing, \"a\")", false}
    ));

INSTANTIATE_TEST_SUITE_P(
    Functions, EvalTable,
    ::testing::Values(
        Case{"add(process.pid, 1) == 1235", true}, Case{"subtract(process.pid, 34) == 1200", true},
        Case{"multiply(process.pid, 2) == 2468", true}, Case{"divide(process.pid, 1000) == 1", true},
        Case{"divide(7, 2) == 3", true}, Case{"divide(-7, 2) == -3", true}, Case{"divide(7.0, 2) == 3.5", true},
        Case{"modulo(process.pid, 10) == 4", true}, Case{"process.pid / 10 == 123", true},
        Case{"process.pid + 1 == 1235", true}, Case{"process.pid * 2 - 1 == 2467", true}, Case{"-process.pid == -1234", true},
        Case{"between(process.command_line, \"\\\\\", \".exe\") == \"Windows\\\\powershell\"", true},
        Case{"between(process.command_line, \"\\\\\", \"\\\\\", true) == \"Windows\"", true},
        Case{"between(\"welcome to event query language\", \" \", \" \") == \"to\"", true},
        Case{"between(\"welcome to event query language\", \" \", \" \", true) == \"to event query\"", true},
        Case{"between~(\"aXbXc\", \"x\", \"x\") == \"b\"", true}, Case{"between(\"aXbXc\", \"x\", \"x\") == \"\"", true},
        Case{"cidrMatch(source.ip, \"10.0.0.0/8\")", true}, Case{"cidrMatch(source.ip, \"192.168.0.0/16\", \"10.1.2.0/24\")", true},
        Case{"cidrMatch(source.ip, \"192.168.0.0/16\")", false}, Case{"cidrMatch(\"::1\", \"::/120\")", true},
        Case{"concat(process.name, \"-\", process.pid) == \"PowerShell.exe-1234\"", true},
        Case{"concat(process.name, process.missing) == null", true},
        Case{"endsWith(process.name, \".exe\")", true}, Case{"endsWith(process.name, \".EXE\")", false},
        Case{"endsWith~(process.name, \".EXE\")", true}, Case{"startsWith(process.name, \"Power\")", true},
        Case{"startsWith(process.name, \"power\")", false}, Case{"startsWith~(process.name, \"power\")", true},
        Case{"stringContains(process.name, \"Shell\")", true}, Case{"stringContains(process.name, \"shell\")", false},
        Case{"stringContains~(process.name, \"shell\")", true},
        Case{"indexOf(process.name, \"Shell\") == 5", true}, Case{"indexOf(process.name, \"e\", 4) == 7", true},
        Case{"indexOf~(process.name, \"shell\") == 5", true}, Case{"indexOf(process.name, \"zzz\") == null", true},
        Case{"length(process.name) == 14", true}, Case{"length(\"\") == 0", true},
        Case{"number(count) == 42", true}, Case{"number(\"0x1A\") == 26", true}, Case{"number(\"ff\", 16) == 255", true},
        Case{"number(\"1.5\") == 1.5", true}, Case{"number(\"abc\") == 1", false},
        Case{"string(process.pid) == \"1234\"", true}, Case{"string(flag) == \"true\"", true},
        Case{"substring(process.name, 0, 5) == \"Power\"", true}, Case{"substring(process.name, -4) == \".exe\"", true},
        Case{"substring(process.name, 5, -4) == \"Shell\"", true}, Case{"substring(process.name, 20) == \"\"", true}
    ));

// Elasticsearch indexes strings as Java does: length, indexOf and substring count UTF-16 code
// units, so a character outside the BMP counts 2 and an accented letter 1 (2 bytes in UTF-8).
TEST(EqlEval, StringFunctionsCountUtf16Units) {
    const char* e = R"({"event":{"category":["file"]},"file":{"name":"r\u00e9sum\u00e9-\ud83d\ude00.pst"}})";
    EXPECT_TRUE(matches("length(file.name) == 13", e));
    EXPECT_TRUE(matches("indexOf(file.name, \"-\") == 6", e));
    EXPECT_TRUE(matches("indexOf(file.name, \".pst\") == 9", e));
    EXPECT_TRUE(matches(R"(indexOf(file.name, "\u{e9}", 2) == 5)", e));
    EXPECT_TRUE(matches(R"(substring(file.name, 0, 6) == "r\u{e9}sum\u{e9}")", e));
    EXPECT_TRUE(matches("substring(file.name, -4) == \".pst\"", e));
    EXPECT_TRUE(matches(R"(substring(file.name, 7, 9) == "\u{1F600}")", e));
    // An offset inside the surrogate pair does not split the character.
    EXPECT_TRUE(matches("substring(file.name, 8) == \".pst\"", e));
    // Java: a start past the end finds nothing, except the empty string at the end.
    EXPECT_TRUE(matches("indexOf(file.name, \"p\", 40) == null", e));
    EXPECT_TRUE(matches("indexOf(file.name, \"\", 40) == 13", e));
    EXPECT_TRUE(matches("indexOf(file.name, \"r\", -3) == 0", e));
}

// Case-insensitive operators fold ASCII letters only, as the case_insensitive term, wildcard
// and regexp queries Elasticsearch compiles them to ("ASCII case insensitive").
TEST(EqlEval, CaseInsensitiveOperatorsFoldAsciiOnly) {
    const char* e = R"({"event":{"category":["file"]},"file":{"name":"\u00c9XCEL.exe"}})";
    EXPECT_TRUE(matches(R"(file.name : "\u{c9}xcel.EXE")", e));
    EXPECT_FALSE(matches(R"(file.name : "\u{e9}xcel.exe")", e));
    EXPECT_TRUE(matches(R"(file.name in~ ("\u{c9}XCEL.EXE"))", e));
    EXPECT_FALSE(matches(R"(file.name in~ ("\u{e9}xcel.exe"))", e));
    EXPECT_TRUE(matches(R"(file.name like~ "\u{c9}x*")", e));
    EXPECT_FALSE(matches(R"(file.name like~ "\u{e9}x*")", e));
    EXPECT_TRUE(matches(R"(file.name regex~ "\u{c9}x.*")", e));
    EXPECT_FALSE(matches(R"(file.name regex~ "\u{e9}x.*")", e));
    EXPECT_TRUE(matches(R"(startsWith~(file.name, "\u{c9}x"))", e));
    EXPECT_FALSE(matches(R"(startsWith~(file.name, "\u{e9}x"))", e));
}

TEST(EqlEval, CategoryFilterAndAny) {
    std::vector<Event> events = {tev(1, "process"), tev(2, "file"), ev(R"({"id":3})"),
                                 ev(R"({"id":4,"event":{"category":["network","process"]}})")};
    EXPECT_EQ(run("process where true", events), "1 4");
    EXPECT_EQ(run("any where true", events), "1 2 3 4");
    EXPECT_EQ(run("\"file\" where true", events), "2");
    EXPECT_EQ(run("file where id == 2", events), "2");
}

TEST(EqlEval, CustomCategoryField) {
    QueryOptions o;
    o.category_field = "kind";
    EXPECT_EQ(run("x where true", {ev(R"({"id":1,"kind":"x"})"), ev(R"({"id":2,"kind":"y"})")}, o), "1");
}

TEST(EqlEval, FieldPathsNestedFlatAndMixed) {
    EXPECT_TRUE(matches("process.parent.name == \"a\"", R"({"process":{"parent":{"name":"a"}}})"));
    EXPECT_TRUE(matches("process.parent.name == \"a\"", R"({"process.parent.name":"a"})"));
    EXPECT_TRUE(matches("process.parent.name == \"a\"", R"({"process":{"parent.name":"a"}})"));
    EXPECT_TRUE(matches("dns.answers.data == \"1.2.3.4\"", R"({"dns":{"answers":[{"data":"5.6.7.8"},{"data":"1.2.3.4"}]}})"));
    EXPECT_FALSE(matches("dns.answers.data == \"9.9.9.9\"", R"({"dns":{"answers":[{"data":"5.6.7.8"}]}})"));
}

TEST(EqlEval, StringEscapesAndRawStrings) {
    EXPECT_TRUE(matches(R"(a == "x\ty")", "{\"a\":\"x\\ty\"}"));
    EXPECT_TRUE(matches(R"(a == "q\"q")", R"({"a":"q\"q"})"));
    EXPECT_TRUE(matches(R"(a == "\u{e9}")", R"({"a":"é"})"));
    EXPECT_TRUE(matches(R"(a == """C:\Windows\"x""")", R"({"a":"C:\\Windows\\\"x"})"));
    // Backslash in a wildcard pattern is a literal character.
    EXPECT_TRUE(matches(R"(a : "C:\\Win*")", R"({"a":"c:\\windows"})"));
    EXPECT_TRUE(matches(R"(a like """C:\*""")", R"({"a":"C:\\x"})"));
}

TEST(EqlEval, InsensitiveInIsLiteral) {
    EXPECT_FALSE(matches(R"(a in~ ("1*"))", R"({"a":"123"})"));
    EXPECT_TRUE(matches(R"(a in~ ("1*"))", R"({"a":"1*"})"));
}

TEST(EqlEval, HeadAndTailPipes) {
    std::vector<Event> events;
    for (int i = 1; i <= 6; ++i) events.push_back(tev(i, "process"));
    EXPECT_EQ(run("process where true | head 2", events), "1 2");
    EXPECT_EQ(run("process where true | tail 2", events), "5 6");
    EXPECT_EQ(run("process where true | tail 4 | head 2", events), "3 4");
    EXPECT_EQ(run("process where true | head 0", events), "");
}

TEST(EqlEval, RegexIsLinearOnHostileInput) {
    std::string a(20000, 'a');
    EXPECT_FALSE(matches(R"(s regex "(a*)*b")", "{\"s\":\"" + a + "\"}"));
    EXPECT_TRUE(matches(R"(s regex "(a|aa)*")", "{\"s\":\"" + a + "\"}"));
}

TEST(EqlEval, DiagnosticsNameTheFailedClause) {
    auto q = must_compile("process where process.name == \"cmd.exe\" and process.pid > 10 and user.name == \"bob\"");
    MatcherOptions mo;
    mo.collect_diagnostics = true;
    Matcher m(q, mo);
    m.feed(ev(R"({"event":{"category":"process"},"process":{"name":"cmd.exe","pid":5},"user":{"name":"bob"}})"));
    m.feed(ev(R"({"event":{"category":"process"},"process":{"name":"x.exe","pid":50},"user":{"name":"eve"}})"));
    m.feed(ev(R"({"event":{"category":"file"}})"));
    m.finish();
    ASSERT_TRUE(m.hits().empty());
    const auto& d = m.diagnostics();
    EXPECT_EQ(d.category_events, 2u);
    ASSERT_EQ(d.clauses.size(), 3u);
    EXPECT_EQ(d.clauses[0].clause, "process.name == \"cmd.exe\"");
    EXPECT_EQ(d.clauses[0].satisfied, 1u);
    EXPECT_EQ(d.clauses[1].satisfied, 1u);
    EXPECT_EQ(d.clauses[2].satisfied, 1u);
    ASSERT_EQ(d.near_misses.size(), 1u);
    EXPECT_EQ(d.near_misses[0].failed_clause, "process.pid > 10");
}

}  // namespace
}  // namespace attest::eql::test
