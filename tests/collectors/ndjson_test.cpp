// Tests for collectors/ndjson.cpp: normalized events passed through as read, bad lines
// reported at line and column and skipped.
#include <gtest/gtest.h>

#include "collect_helpers.h"

namespace attest {
namespace {

using testing::collect_text;

TEST(Ndjson, ObjectsKeptAsReadWithMemberOrderAndIntegerWidth) {
    auto c = collect_text(
        "{\"@timestamp\":\"2024-03-01T06:58:40.721Z\",\"b\":1,\"a\":{\"big\":9223372036854775807,"
        "\"neg\":-9223372036854775808,\"over\":18446744073709551616,\"d\":1.5}}\r\n"
        "\n"
        "  {\"@timestamp\":\"2024-03-01T06:58:41Z\",\"s\":\"\\u00e9\\n\"}\n",
        "ndjson", ".ndjson");
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    EXPECT_TRUE(c.diagnostics.empty()) << c.diagnostics_text();
    const Event& e = c.events[0];
    EXPECT_EQ(e.as_object()[1].key, "b");
    EXPECT_EQ(e.as_object()[2].key, "a");
    EXPECT_EQ(e.find("a.big")->as_int(), INT64_MAX);
    EXPECT_EQ(e.find("a.neg")->as_int(), INT64_MIN);
    EXPECT_TRUE(e.find("a.over")->is_double());  // beyond 64 bits: a number still
    EXPECT_DOUBLE_EQ(e.find("a.d")->as_double(), 1.5);
    EXPECT_EQ(c.events[1].find("s")->as_string(), "\xC3\xA9\n");
}

TEST(Ndjson, BadLinesReportedAtLineAndColumnThenSkipped) {
    struct Case {
        const char* line;
        std::uint64_t column;
        const char* message;
    } cases[] = {
        {"{\"a\":tru}", 6, "invalid JSON: invalid literal"},
        {"{\"a\":1", 7, "invalid JSON: unexpected end of input in an object"},
        {"{\"a\":\"x\"} y", 11, "invalid JSON: unexpected text after the JSON value"},
        {"[1,2]", 1, "not a JSON object"},
    };
    for (const auto& k : cases) {
        SCOPED_TRACE(k.line);
        std::string text = std::string("{\"ok\":1}\n") + k.line + "\n{\"ok\":2}\n";
        auto c = collect_text(text, "ndjson", ".ndjson");
        ASSERT_EQ(c.events.size(), 2u);
        ASSERT_EQ(c.diagnostics.size(), 1u);
        EXPECT_EQ(c.diagnostics[0].line, 2u);
        EXPECT_EQ(c.diagnostics[0].column, k.column);
        EXPECT_NE(c.diagnostics[0].message.find(k.message), std::string::npos)
            << c.diagnostics[0].message;
        EXPECT_EQ(c.stats.skipped, 1u);
    }
}

}  // namespace
}  // namespace attest
