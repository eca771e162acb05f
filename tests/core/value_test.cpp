#include "core/value.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace attest {
namespace {

TEST(Value, SetCreatesNestedObjectsAndFindResolvesThem) {
    Event e = Value::object();
    e.set("process.parent.name", "cmd.exe");
    e.set("process.name", "powershell.exe");
    ASSERT_NE(e.find("process.parent.name"), nullptr);
    EXPECT_EQ(e.find("process.parent.name")->as_string(), "cmd.exe");
    EXPECT_EQ(e.find("process.name")->as_string(), "powershell.exe");
    EXPECT_EQ(e.find("process.parent.pid"), nullptr);
    EXPECT_EQ(e.find("process.nam"), nullptr);
    EXPECT_EQ(e.find("process.name.x"), nullptr);
}

TEST(Value, FindResolvesFlatDottedKeysAndMixes) {
    Value e = parse_json_value(R"({"winlog.event_data":{"Image":"a"},"process":{"parent.name":"b"},"x.y.z":1})");
    EXPECT_EQ(e.find("winlog.event_data.Image")->as_string(), "a");
    EXPECT_EQ(e.find("process.parent.name")->as_string(), "b");
    EXPECT_EQ(e.find("x.y.z")->as_int(), 1);
    EXPECT_EQ(e.find("x.y"), nullptr);
}

TEST(Value, FindBacktracksWhenAPrefixLeadsNowhere) {
    Value e = parse_json_value(R"({"a":{"b":1},"a.b":{"c":2}})");
    EXPECT_EQ(e.find("a.b.c")->as_int(), 2);
    EXPECT_EQ(e.find("a.b")->as_int(), 1);
}

TEST(Value, ForEachAtDescendsArraysOfObjects) {
    Value e = parse_json_value(R"({"dns":{"answers":[{"data":"1.1.1.1"},{"data":"2.2.2.2"}]}})");
    std::vector<std::string> seen;
    e.for_each_at("dns.answers.data", [&](const Value& v) { seen.push_back(v.as_string()); });
    EXPECT_EQ(seen, (std::vector<std::string>{"1.1.1.1", "2.2.2.2"}));
}

TEST(Value, JsonOutputEscapesControlAndInvalidUtf8) {
    Value v = Value::object();
    v.set_key("s", std::string("a\"b\\c\n\x01<\xff>\xc3\xa9", 12));
    EXPECT_EQ(v.to_json(), "{\"s\":\"a\\\"b\\\\c\\n\\u0001<\xEF\xBF\xBD>\xc3\xa9\"}");
}

TEST(Value, JsonRoundTripKeepsOrderAndTypes) {
    std::string text = R"({"b":1,"a":[true,null,2.5,"x"],"c":{"z":-3}})";
    EXPECT_EQ(parse_json_value(text).to_json(), text);
}

TEST(Value, EraseRemovesNestedAndFlat) {
    Value e = Value::object();
    e.set("a.b", 1);
    e.set_key("c.d", 2);
    EXPECT_TRUE(e.erase("a.b"));
    EXPECT_TRUE(e.erase("c.d"));
    EXPECT_FALSE(e.erase("a.b"));
    EXPECT_EQ(e.find("a.b"), nullptr);
}

TEST(Value, EqualityComparesNumbersByValue) {
    EXPECT_EQ(Value(1), Value(1.0));
    EXPECT_NE(Value("1"), Value(1));
    EXPECT_EQ(parse_json_value(R"({"a":1,"b":2})"), parse_json_value(R"({"b":2,"a":1})"));
}

}  // namespace
}  // namespace attest
