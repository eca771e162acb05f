#include "expectations/rule_fields.h"

#include <gtest/gtest.h>

using namespace attest;

namespace {

eql::Rule rule(const std::string& language, const std::string& query) {
    eql::Rule r;
    r.language = language;
    r.query = query;
    r.query_line = 10;  // the query starts at line 10, column 3 of its file
    r.query_column = 3;
    return r;
}

std::vector<std::string> names(const std::vector<rules::FieldRef>& refs) {
    std::vector<std::string> out;
    for (const auto& r : refs) out.push_back(r.name);
    return out;
}

}  // namespace

TEST(RuleFields, FieldsOfEqlAndKqlQueries) {
    struct Case {
        const char* language;
        const char* query;
        std::vector<std::string> fields;
    };
    const Case cases[] = {
        {"eql",
         R"(process where process.name == "x" and ?process.nme : "y*")",
         {"process.name", "process.nme"}},
        {"eql",
         R"(sequence by host.name [file where file.path : "a"] by process.entity_id [network where true])",
         {"host.name", "file.path", "process.entity_id"}},
        {"eql",
         R"(any where startsWith(process.executable, "C:") and length(user.name) > 3)",
         {"process.executable", "user.name"}},
        {"kuery",
         R"(event.category:process and host.os.type:windows and not process.name:(a or b))",
         {"event.category", "host.os.type", "process.name"}},
        {"kuery",
         R"(process.parent:{ name:"x" and executable:*y } and event.code >= 4)",
         {"process.parent.name", "process.parent.executable", "event.code"}},
        {"eql", "process where (", {}},  // does not parse: its error is reported elsewhere
        {"esql", "from logs-* | where x == 1", {}},
    };
    for (const Case& c : cases)
        EXPECT_EQ(names(rules::query_fields(rule(c.language, c.query))), c.fields) << c.query;
}

TEST(RuleFields, PositionsPointIntoTheRuleFile) {
    auto refs = rules::query_fields(rule("eql", "process where\n  process.nme == \"x\""));
    ASSERT_EQ(refs.size(), 1u);
    EXPECT_EQ(refs[0].line, 11u);
    EXPECT_EQ(refs[0].column, 3u);
}

TEST(RuleFields, KnownFields) {
    struct Case {
        const char* field;
        bool known;
    };
    const Case cases[] = {
        {"process.name", true},                      // ECS
        {"process.command_line.text", true},         // a multi-field of an ECS field
        {"process.parent", true},                    // an object with known members
        {"winlog.event_data.TargetFilename", true},  // a source's native field
        {"host.os.type", true},
        {"process.*", true},  // KQL wildcard
        {"process.nme", false},
        {"proces.name", false},
    };
    for (const Case& c : cases) EXPECT_EQ(rules::known_field(c.field, nullptr), c.known) << c.field;
}
