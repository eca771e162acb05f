#include "expectations/eql/field_types.h"

#include <gtest/gtest.h>

namespace attest::eql {
namespace {

TEST(FieldTypes, EcsTableIsEmbedded) {
    EXPECT_EQ(ecs_field_type("@timestamp"), "date");
    EXPECT_EQ(ecs_field_type("process.name"), "keyword");
    EXPECT_EQ(ecs_field_type("message"), "match_only_text");
    EXPECT_EQ(ecs_field_type("source.ip"), "ip");
    EXPECT_EQ(ecs_field_type("process.pid"), "long");
    EXPECT_EQ(ecs_field_type("process.nme"), "");
    FieldTypes ecs;
    EXPECT_EQ(ecs.lookup("process.command_line.text").type, FieldType::Text);
    EXPECT_EQ(ecs.lookup("process.command_line.text").multi_field_of, "process.command_line");
    EXPECT_EQ(ecs.lookup("winlog.event_data.X").type, FieldType::Unknown);
    EXPECT_TRUE(ecs.index_has("process.name"));
    EXPECT_FALSE(ecs.index_has("winlog.event_data.X"));
}

TEST(FieldTypes, MappingShapesMultiFieldsAliasesAndNullValues) {
    const char* doc = R"({
      "logs-a": {"mappings": {"properties": {
        "agent": {"properties": {"version": {"type": "version"}}},
        "msg": {"type": "keyword", "fields": {"text": {"type": "match_only_text"}}},
        "status": {"type": "keyword", "null_value": "NONE"},
        "who": {"type": "alias", "path": "user.name"},
        "user": {"properties": {"name": {"type": "keyword"}}}
      }}},
      "logs-b": {"mappings": {"properties": {"extra": {"type": "ip"}}}}
    })";
    auto t = FieldTypes::parse_mapping(doc, "m.json");
    ASSERT_TRUE(t.ok()) << t.error().message;
    const FieldTypes& f = **t;
    EXPECT_TRUE(f.has_mapping());
    EXPECT_EQ(f.lookup("agent.version").type, FieldType::Version);
    EXPECT_EQ(f.lookup("msg.text").type, FieldType::Text);
    EXPECT_EQ(f.lookup("msg.text").multi_field_of, "msg");
    EXPECT_EQ(f.lookup("status").null_value, Value("NONE"));
    EXPECT_EQ(f.lookup("who").type, FieldType::Keyword);
    EXPECT_EQ(f.lookup("extra").type, FieldType::Ip);  // indices are merged
    EXPECT_TRUE(f.index_has("agent"));
    EXPECT_FALSE(f.index_has("process.name"));                     // not in this index
    EXPECT_EQ(f.lookup("process.name").type, FieldType::Keyword);  // but still typed by ECS
    EXPECT_TRUE(
        FieldTypes::parse_mapping(R"({"mappings":{"properties":{"a":{"type":"long"}}}})", "m")
            .ok());
    EXPECT_TRUE(FieldTypes::parse_mapping(R"({"properties":{"a":{"type":"long"}}})", "m").ok());
}

TEST(FieldTypes, MappingErrorsNamePositions) {
    auto bad = FieldTypes::parse_mapping("{\n  \"properties\": {,}\n}", "bad.json");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message.rfind("bad.json:2:", 0), 0u) << bad.error().message;
    auto shape = FieldTypes::parse_mapping(R"({"idx": {"settings": {}}})", "s.json");
    ASSERT_FALSE(shape.ok());
    EXPECT_NE(shape.error().message.find("has no 'mappings'"), std::string::npos);
    auto missing = FieldTypes::load_mapping("/nonexistent/mapping.json");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST(FieldTypes, SemanticVersionOrder) {
    struct Case {
        const char *a, *b;
        int expected;
    };
    for (const auto& c : std::vector<Case>{{"1.9.2", "1.10.0", -1},
                                           {"1.10.0", "1.10.0", 0},
                                           {"1.10.0-rc.1", "1.10.0", -1},
                                           {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                                           {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                                           {"1.0.0-2", "1.0.0-10", -1},
                                           {"1.0.0+build.5", "1.0.0", 0},
                                           {"2.0.0", "10.0.0", -1},
                                           {"not-a-version", "9.9.9", 1},
                                           {"abc", "abd", -1}}) {
        EXPECT_EQ(compare_versions(c.a, c.b), c.expected) << c.a << " vs " << c.b;
        EXPECT_EQ(compare_versions(c.b, c.a), -c.expected) << c.b << " vs " << c.a;
    }
}

TEST(FieldTypes, DateValues) {
    EXPECT_EQ(date_value_ns(Value("1970-01-01T00:00:01Z")), 1'000'000'000);
    EXPECT_EQ(date_value_ns(Value("1970-01-02")), 86400LL * 1'000'000'000);
    EXPECT_EQ(date_value_ns(Value(1500)), 1'500'000'000);
    EXPECT_EQ(date_value_ns(Value("1500")), 1'500'000'000);
    EXPECT_EQ(date_value_ns(Value("yesterday")), std::nullopt);
}

}  // namespace
}  // namespace attest::eql
