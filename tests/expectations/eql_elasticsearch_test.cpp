// EQL as Elasticsearch parses and plans it: function names in any case, white space before
// '(', sequences in completion order, `?field` planning, date and version comparisons.
#include <gtest/gtest.h>

#include "expectations/eql/field_types.h"
#include "expectations/eql/functions.h"
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

std::string case_variant(const std::string& name, int which) {
    std::string out = name;
    for (std::size_t i = 0; i < out.size(); ++i) {
        char c = out[i];
        if (which == 0)
            out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (which == 1)
            out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        else
            out[i] = static_cast<char>(i % 2 ? std::toupper(static_cast<unsigned char>(c))
                                             : std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// A valid call for each function of the table, with the name as a placeholder.
std::string sample_call(const detail::FunctionInfo& f, const std::string& name) {
    std::string args;
    switch (f.id) {
        case detail::Function::CidrMatch:
            args = "a, \"10.0.0.0/8\"";
            break;
        case detail::Function::Between:
            args = "a, \"x\", \"y\"";
            break;
        default:
            for (std::size_t i = 0; i < f.min_args; ++i) args += (i ? ", a" : "a");
    }
    return name + "(" + args + ")";
}

TEST(EqlElasticsearch, EveryFunctionNameInAnyCase) {
    for (const auto& f : detail::function_table()) {
        for (int which = 0; which < 3; ++which) {
            std::string name = case_variant(f.name, which);
            std::string q = "process where " + sample_call(f, name) + " != null";
            EXPECT_EQ(compile_error(q), "<compiled>") << q;
            if (f.has_insensitive) {
                std::string qi = "process where " + sample_call(f, name + "~") + " != null";
                EXPECT_EQ(compile_error(qi), "<compiled>") << qi;
            }
        }
    }
}

TEST(EqlElasticsearch, FunctionNameCaseDoesNotChangeTheResult) {
    auto e =
        R"({"event":{"category":"process"},"process":{"name":"PowerShell.exe","ip":"10.1.2.3"}})";
    EXPECT_TRUE(matches("STARTSWITH(process.name, \"Power\")", e));
    EXPECT_FALSE(
        matches("startswith(process.name, \"power\")", e));  // the comparison stays sensitive
    EXPECT_TRUE(matches("startswith~(process.name, \"power\")", e));
    EXPECT_TRUE(matches("cidrmatch(process.ip, \"10.0.0.0/8\")", e));
    EXPECT_TRUE(matches("stringcontains(process.name, \"Shell\")", e));
    EXPECT_TRUE(matches("EndsWith~(process.name, \".EXE\")", e));
}

TEST(EqlElasticsearch, WhiteSpaceBeforeTheParenthesis) {
    auto e = R"({"process":{"name":"cmd.exe"}})";
    EXPECT_TRUE(matches("endsWith (process.name, \".exe\")", e));
    EXPECT_TRUE(matches("endswith~\n  (process.name, \".EXE\")", e));
    EXPECT_TRUE(matches("length\t(process.name) == 7", e));
    // A keyword is still a keyword: `in (` is the operator, `not (` negation.
    EXPECT_TRUE(matches("process.name in (\"cmd.exe\")", e));
    EXPECT_TRUE(matches("not (process.name == \"x\")", e));
}

TEST(EqlElasticsearch, SequencesComeInCompletionOrder) {
    // Key h1 starts first (1) but completes last (4); h2 starts at 2 and completes at 3.
    std::vector<Event> events = {
        tev(1, "process", R"("h":"h1","s":"a")"),
        tev(2, "process", R"("h":"h2","s":"a")"),
        tev(3, "process", R"("h":"h2","s":"b")"),
        tev(4, "process", R"("h":"h1","s":"b")"),
    };
    EXPECT_EQ(run("sequence by h [process where s == \"a\"] [process where s == \"b\"]", events),
              "[2,3] [1,4]");
}

TEST(EqlElasticsearch, CompletionOrderWithMissingEventsAndOneTerm) {
    std::vector<Event> events = {
        tev(1, "process", R"("h":"h1","s":"a")"),
        tev(2, "process", R"("h":"h2","s":"a")"),
        tev(3, "process", R"("h":"h2","s":"b")"),
        tev(5, "process", R"("h":"h1","s":"b")"),
    };
    EXPECT_EQ(
        run("sequence by h with maxspan=1m [process where s == \"a\"] [process where s == \"b\"] "
            "![process where s == \"z\"]",
            events),
        "[2,3,_] [1,5,_]");
    EXPECT_EQ(run("sequence [process where s == \"a\"]", events), "[1] [2]");
}

TEST(EqlElasticsearch, OptionalFieldsTheIndexDoesNotHaveAreNull) {
    auto mapping = FieldTypes::parse_mapping(
        R"({"properties":{"process":{"properties":{"name":{"type":"keyword"}}}}})", "m.json");
    ASSERT_TRUE(mapping.ok()) << mapping.error().message;
    QueryOptions o;
    o.types = *mapping;
    std::vector<Event> events = {tev(1, "process", R"("process":{"name":"a"})")};
    // Two fields the index does not have: null == null.
    EXPECT_EQ(run("process where ?x == ?y", events, o), "1");
    EXPECT_EQ(run("process where ?x != ?y", events, o), "");
    EXPECT_EQ(run("process where ?nothing == null", events, o), "1");
    // A planned-away field stays null even when an event carries it.
    EXPECT_EQ(run("process where ?x == null", {tev(2, "process", R"("x":"v")")}, o), "2");
    // Without a mapping the index is unknown: ?x is read from each event.
    EXPECT_EQ(run("process where ?x == ?y", events), "1");
    EXPECT_EQ(run("process where ?x == ?y", {tev(3, "process", R"("x":"v")")}), "");
    EXPECT_EQ(run("process where ?x == ?y", {tev(4, "process", R"("x":"v","y":"v")")}), "4");
    // A field compared with a field is still refused when both are not optional.
    EXPECT_NE(compile_error("process where x == y").find("comparisons against fields"),
              std::string::npos);
}

TEST(EqlElasticsearch, TimestampAndDateFieldsCompareAsDates) {
    std::vector<Event> events = {
        ev(R"({"id":1,"@timestamp":"2026-01-01T00:00:00.000Z","event":{"category":"process","created":"2026-01-01T10:00:00+02:00"}})"),
        ev(R"({"id":2,"@timestamp":1767225660000,"event":{"category":"process","created":"2026-01-01T09:00:00Z"}})"),
    };
    // Formats differ ("...00.000Z" vs "...00Z", epoch ms): compared as instants.
    EXPECT_EQ(run("process where @timestamp >= \"2026-01-01T00:00:00Z\"", events), "1 2");
    EXPECT_EQ(run("process where @timestamp > \"2026-01-01T00:00:30Z\"", events), "2");
    EXPECT_EQ(run("process where @timestamp == \"2026-01-01T00:00:00Z\"", events), "1");
    // event.created is a date in ECS: 10:00+02:00 is 08:00Z, before 09:00Z.
    EXPECT_EQ(run("process where event.created < \"2026-01-01T08:30:00Z\"", events), "1");
    EXPECT_EQ(run("process where event.created != \"2026-01-01T08:00:00Z\"", events), "2");
}

TEST(EqlElasticsearch, VersionFieldsOrderSemantically) {
    auto mapping = FieldTypes::parse_mapping(
        R"({"idx":{"mappings":{"properties":{"agent":{"properties":{"version":{"type":"version"}}}}}}})",
        "m.json");
    ASSERT_TRUE(mapping.ok()) << mapping.error().message;
    QueryOptions o;
    o.types = *mapping;
    std::vector<Event> events = {
        tev(1, "process", R"("agent":{"version":"1.9.2"})"),
        tev(2, "process", R"("agent":{"version":"1.10.0"})"),
        tev(3, "process", R"("agent":{"version":"1.10.0-rc.1"})"),
        tev(4, "process", R"("agent":{"version":"2.0.0"})"),
    };
    EXPECT_EQ(run("process where agent.version >= \"1.10.0\"", events, o), "2 4");
    EXPECT_EQ(run("process where agent.version < \"1.10.0\"", events, o), "1 3");
    // Without the mapping (a keyword in ECS) the order is by bytes: "1.10.0" < "1.9.2".
    EXPECT_EQ(run("process where agent.version >= \"1.10.0\"", events), "1 2 3 4");
    EXPECT_EQ(run("process where agent.version < \"1.9\"", events), "2 3");
}

TEST(EqlElasticsearch, NullValueFromTheMapping) {
    auto mapping = FieldTypes::parse_mapping(
        R"({"properties":{"status":{"type":"keyword","null_value":"NONE"}}})", "m.json");
    ASSERT_TRUE(mapping.ok()) << mapping.error().message;
    QueryOptions o;
    o.types = *mapping;
    std::vector<Event> events = {tev(1, "process", R"("status":null)"), tev(2, "process"),
                                 tev(3, "process", R"("status":"ok")")};
    EXPECT_EQ(run("process where status == \"NONE\"", events, o), "1 2");
    EXPECT_EQ(run("process where status == \"NONE\"", events), "");
}

}  // namespace
}  // namespace attest::eql::test
