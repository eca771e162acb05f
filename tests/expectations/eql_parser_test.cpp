// Syntax and semantic errors: each names rule.eql:line:column, shows the line and a caret.
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

struct ErrorCase {
    const char* query;
    const char* position;  // "line:column"
    const char* message;   // substring of the reason
    const char* caret;     // the expected caret line ("    ^")
};

class EqlErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(EqlErrors, ReportPositionLineAndCaret) {
    const ErrorCase& c = GetParam();
    std::string err = compile_error(c.query);
    std::string head = std::string("rule.eql:") + c.position + ": ";
    EXPECT_EQ(err.rfind(head, 0), 0u) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    // Three lines: message, source line, caret.
    auto first_nl = err.find('\n');
    ASSERT_NE(first_nl, std::string::npos) << err;
    auto second_nl = err.find('\n', first_nl + 1);
    ASSERT_NE(second_nl, std::string::npos) << err;
    std::string caret = err.substr(second_nl + 1, err.find('\n', second_nl + 1) - second_nl - 1);
    EXPECT_EQ(caret, c.caret) << err;
}

INSTANTIATE_TEST_SUITE_P(
    All, EqlErrors,
    ::testing::Values(
        ErrorCase{"process where foo(a)", "1:15", "unknown function 'foo'", "              ^"},
        ErrorCase{"process where startswith(a)", "1:15", "takes 2 arguments", "              ^"},
        ErrorCase{"process where length(a, b)", "1:15", "takes 1 argument, found 2", "              ^"},
        ErrorCase{"process where endsWith(a)", "1:15", "takes 2 arguments, found 1", "              ^"},
        ErrorCase{"process where concat~(a)", "1:15", "no case-insensitive form", "              ^"},
        ErrorCase{"process where a = 1", "1:17", "use '==' to compare, not '='", "                ^"},
        ErrorCase{"process where a == 'x'", "1:20", "single quotes", "                   ^"},
        ErrorCase{"sequence\n  [a where true] by x\n  [b where true]", "3:3", "inconsistent number of join keys", "  ^"},
        ErrorCase{"sequence with maxspan=5 [a where true] [b where true]", "1:23", "maxspan needs a time unit", "                      ^"},
        ErrorCase{"sequence with maxspan=5x [a where true] [b where true]", "1:24", "unknown time unit 'x'", "                       ^"},
        ErrorCase{"sequence [a where true] ![b where true]", "1:25", "needs the sequence to have 'with maxspan", "                        ^"},
        ErrorCase{"join [a where true] [b where true]", "1:1", "'join' is not supported", "^"},
        ErrorCase{"process where child of [a where true]", "1:15", "'child of' relationships are not supported", "              ^"},
        ErrorCase{"process where descendant of [a where true]", "1:15", "'descendant of'", "              ^"},
        ErrorCase{"process where true | count", "1:22", "pipe 'count' is not supported", "                     ^"},
        ErrorCase{"process where true | unique a", "1:22", "pipe 'unique' is not supported", "                     ^"},
        ErrorCase{"process where true | filter a == 1", "1:22", "pipe 'filter' is not supported", "                     ^"},
        ErrorCase{"process where true | sort a", "1:22", "pipe 'sort' is not supported", "                     ^"},
        ErrorCase{"process where arrayContains(a, \"x\")", "1:15", "endgame", "              ^"},
        ErrorCase{"process where a == b", "1:15", "comparisons against fields are not supported", "              ^"},
        ErrorCase{"process where a in (b)", "1:21", "takes literal values only", "                    ^"},
        ErrorCase{"process where (a == 1", "1:22", "expected ')'", "                     ^"},
        ErrorCase{"sequence [a where true] [b where true", "1:38", "expected ']'", "                                     ^"},
        ErrorCase{"process where a == \"x", "1:20", "unterminated string", "                   ^"},
        ErrorCase{"process where a regex \"[a\"", "1:23", "invalid regular expression", "                      ^"},
        ErrorCase{"sequence [a where true] with runs=0 [b where true]", "1:25", "runs must be between 1 and 100", "                        ^"},
        ErrorCase{"sample by h [a where true]", "1:13", "a sample takes 2 to 5 filters", "            ^"},
        ErrorCase{"process where cidrMatch(ip, \"10.0.0.0/33\")", "1:29", "invalid CIDR", "                            ^"},
        ErrorCase{"process where a == \"\\q\"", "1:21", "invalid escape", "                    ^"},
        ErrorCase{"process where", "1:14", "expected a value", "             ^"},
        ErrorCase{"sequence with maxspan=5m by h [a where true]", "1:26", "before 'with maxspan'", "                         ^"}
    ));

TEST(EqlErrorsExtra, AllSemanticProblemsAreReported) {
    std::string err = compile_error("process where foo(a) and bar(b)");
    EXPECT_NE(err.find("1:15: unknown function 'foo'"), std::string::npos) << err;
    EXPECT_NE(err.find("1:26: unknown function 'bar'"), std::string::npos) << err;
}

TEST(EqlErrorsExtra, DeepNestingFailsCleanly) {
    std::string q = "process where " + std::string(100000, '(') + "true" + std::string(100000, ')');
    EXPECT_NE(compile_error(q).find("nested too deeply"), std::string::npos);
    std::string nots = "process where ";
    for (int i = 0; i < 100000; ++i) nots += "not ";
    nots += "true";
    EXPECT_NE(compile_error(nots).find("nested too deeply"), std::string::npos);
    std::string sum = "process where a == 1";
    for (int i = 0; i < 100000; ++i) sum += " + 1";
    EXPECT_NE(compile_error(sum).find("nested too deeply"), std::string::npos);
}

TEST(EqlErrorsExtra, LongAndOrChainsAreFine) {
    std::string q = "process where a == 0";
    for (int i = 1; i < 20000; ++i) q += (i % 2 ? " or a == " : " and b == ") + std::to_string(i);
    auto r = compile(q, "q", {});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message.substr(0, 300));
}

TEST(EqlErrorsExtra, AcceptedForms) {
    for (const char* q : {"process where true", "any where true", "\"process\" where true",
                          "sequence by a, b with maxspan=2h [x where true] by c [y where true] by d until [z where true] by e",
                          "sequence [x where true] with runs=100", "sample by a [x where true] [y where true]",
                          "process where a : 1", "process where a == -1.5e3 // comment\n and /* c */ b == true",
                          "process where ?a.b.`c-d` != null | head 5 | tail 2"}) {
        auto r = compile(q, "q", {});
        EXPECT_TRUE(r.ok()) << q << "\n" << (r.ok() ? "" : r.error().message);
    }
}

}  // namespace
}  // namespace attest::eql::test
