// Tests for collectors/json_stream.cpp: record boundaries in every JSON export shape, recovery
// from damaged input, and the record parser.
#include "collectors/json_stream.h"

#include <gtest/gtest.h>

#include "collect_helpers.h"

namespace attest {
namespace {

struct Scan {
    std::vector<std::string> records;
    std::vector<std::string> problems;  // "line:column: message"
    std::vector<std::uint64_t> lines;
};

Scan scan(std::string_view text) {
    testing::TempFile f(text, ".json");
    auto input = InputFile::open(f.path());
    EXPECT_TRUE(input.ok());
    JsonRecordReader reader(*input, 1024);  // small bound to test oversized records
    Scan s;
    JsonRecord r;
    while (reader.next(r, [&](const JsonStreamProblem& p) {
        s.problems.push_back(std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                             p.message);
    })) {
        s.records.emplace_back(r.text);
        s.lines.push_back(r.line);
    }
    return s;
}

TEST(JsonRecordReader, ArrayElementsConcatenatedObjectsAndNdjson) {
    auto a = scan("\xEF\xBB\xBF[ {\"a\":\"}{]\\\"\"} ,\n {\"b\":[1,{\"c\":2}]}, 3, \"s\" ]");
    ASSERT_EQ(a.records.size(), 4u) << (a.problems.empty() ? "" : a.problems[0]);
    EXPECT_EQ(a.records[0], "{\"a\":\"}{]\\\"\"}");
    EXPECT_EQ(a.records[1], "{\"b\":[1,{\"c\":2}]}");
    EXPECT_EQ(a.records[2], "3");
    EXPECT_EQ(a.records[3], "\"s\"");
    EXPECT_EQ(a.lines[1], 2u);
    EXPECT_TRUE(a.problems.empty());

    auto b = scan("{\n  \"a\": {\n    \"b\": 1\n  }\n}\n{\"c\":2}{\"d\":3}\n[{\"e\":4}]");
    ASSERT_EQ(b.records.size(), 4u);
    EXPECT_EQ(b.lines[1], 6u);
    EXPECT_EQ(b.records[3], "{\"e\":4}");
    EXPECT_TRUE(b.problems.empty());
}

TEST(JsonRecordReader, DamagedInputIsReportedAndSkipped) {
    // A cut NDJSON line, garbage between records, an oversized record, a truncated end.
    std::string big = "{\"x\":\"" + std::string(2000, 'y') + "\"}";
    auto s = scan("{\"a\":1}\n{\"b\":\"cut\n{\"c\":{\"d\":1\n{\"e\":2}\nxyz\n" + big +
                  "\n{\"f\":3}\n{\"g\":");
    ASSERT_EQ(s.records.size(), 3u);
    EXPECT_EQ(s.records[0], "{\"a\":1}");
    EXPECT_EQ(s.records[1], "{\"e\":2}");
    EXPECT_EQ(s.records[2], "{\"f\":3}");
    ASSERT_EQ(s.problems.size(), 5u);
    EXPECT_EQ(s.problems[0].rfind("2:1: record cut short", 0), 0u) << s.problems[0];
    EXPECT_EQ(s.problems[1].rfind("3:1: record not terminated before the next one at line 4", 0),
              0u)
        << s.problems[1];
    EXPECT_EQ(s.problems[2].rfind("5:1: unexpected 'x'", 0), 0u) << s.problems[2];
    EXPECT_EQ(s.problems[3].rfind("6:1: record larger than", 0), 0u) << s.problems[3];
    EXPECT_EQ(s.problems[4].rfind("8:1: record not terminated at end of input", 0), 0u)
        << s.problems[4];
}

TEST(JsonRecordReader, UnclosedTopLevelArrayIsANote) {
    auto s = scan("[{\"a\":1},{\"b\":2}");
    EXPECT_EQ(s.records.size(), 2u);
    ASSERT_EQ(s.problems.size(), 1u);
    EXPECT_NE(s.problems[0].find("array not closed"), std::string::npos);
}

TEST(ParseJsonRecord, ValuesEscapesAndNumbers) {
    Value v;
    std::string e;
    std::size_t off = 0;
    ASSERT_TRUE(parse_json_record(
        R"({"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x","i":-42,"big":12345678901234567890,"d":1.5e2,"t":true,"f":false,"n":null,"a":[],"o":{}})",
        v, e, off))
        << e;
    EXPECT_EQ(v.find("s")->as_string(), "a\"b\\c/d\n\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBDx");
    EXPECT_EQ(v.find("i")->as_int(), -42);
    EXPECT_TRUE(v.find("big")->is_double());
    EXPECT_DOUBLE_EQ(v.find("d")->as_double(), 150.0);
    EXPECT_TRUE(v.find("t")->as_bool());
    EXPECT_TRUE(v.find("n")->is_null());
    EXPECT_TRUE(v.find("a")->is_array());
    // Member order is kept.
    EXPECT_EQ(v.as_object()[0].key, "s");
    EXPECT_EQ(v.as_object()[8].key, "o");
}

TEST(ParseJsonRecord, ErrorsHaveOffsets) {
    struct Case {
        const char* text;
        std::size_t offset;
        const char* reason;
    } cases[] = {
        {R"({"a":tru})", 5, "invalid literal"},
        {R"({"a" 1})", 5, "':'"},
        {R"({"a":1,})", 7, "string key"},
        {R"([1 2])", 3, "',' or ']'"},
        {"{\"a\":\"x\ny\"}", 7, "control character"},
        {R"({"a":"\q"})", 7, "invalid escape"},
        {R"({"a":01})", 6, "',' or '}'"},
        {R"({"a":1} x)", 8, "after the JSON value"},
        {R"({"a":"abc)", 9, "unterminated string"},
        {R"({"a":-})", 5, "invalid value"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        Value v;
        std::string e;
        std::size_t off = 0;
        EXPECT_FALSE(parse_json_record(c.text, v, e, off));
        EXPECT_EQ(off, c.offset);
        EXPECT_NE(e.find(c.reason), std::string::npos) << e;
    }
    std::string deep(100000, '[');
    Value v;
    std::string e;
    std::size_t off = 0;
    EXPECT_FALSE(parse_json_record(deep, v, e, off));
    EXPECT_NE(e.find("too deep"), std::string::npos);
}

// The string scans look at 16 bytes at a time: a quote, escape, control byte or newline at
// every position of a block (and past it) must still be seen, and bytes >= 0x80 never are.
TEST(ParseJsonRecord, StringScanSeesEverySpecialByteAtAnyBlockPosition) {
    for (std::size_t at = 0; at < 40; ++at) {
        SCOPED_TRACE(at);
        std::string pad(at, 'p');
        Value v;
        std::string e;
        std::size_t off = 0;
        std::string text =
            "{\"k\":\"" + pad + "\\\"\xC3\xA9" + pad + "\",\"x\":[1,{\"y\":\"" + pad + "\"}]}";
        ASSERT_TRUE(parse_json_record(text, v, e, off)) << e;
        EXPECT_EQ(v.find("k")->as_string(), pad + "\"\xC3\xA9" + pad);
        EXPECT_EQ(v.find("x")->as_array()[1].find("y")->as_string(), pad);
        ASSERT_EQ(v.as_object().size(), 2u);  // members of nested levels stay in their object
        EXPECT_EQ(v.as_object()[1].key, "x");

        std::string bad = "{\"k\":\"" + pad + "\x01\"}";
        EXPECT_FALSE(parse_json_record(bad, v, e, off));
        EXPECT_EQ(off, 6 + at);
        EXPECT_NE(e.find("control character"), std::string::npos) << e;

        auto s = scan("{\"a\":\"" + pad + "\\\"}\"}\n{\"b\":\"" + pad + "\ncut\"}\n{\"c\":1}\n");
        ASSERT_EQ(s.records.size(), 2u);
        EXPECT_EQ(s.records[0], "{\"a\":\"" + pad + "\\\"}\"}");
        EXPECT_EQ(s.records[1], "{\"c\":1}");
        ASSERT_EQ(s.problems.size(), 2u);  // the cut line, then the rest of it as garbage
        EXPECT_EQ(s.problems[0].rfind("2:1: record cut short", 0), 0u) << s.problems[0];
        EXPECT_EQ(s.problems[1].rfind("3:1: unexpected 'c'", 0), 0u) << s.problems[1];
    }
}

// A record wider than the parser keeps room for (its member stack is released after it), then
// ordinary records again: each parsed whole.
TEST(ParseJsonRecord, WideRecordThenSmallOnes) {
    std::string wide = "{";
    for (int i = 0; i < 20000; ++i)
        wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":[" + std::to_string(i) + "]";
    wide += "}";
    Value v;
    std::string e;
    std::size_t off = 0;
    ASSERT_TRUE(parse_json_record(wide, v, e, off)) << e;
    ASSERT_EQ(v.as_object().size(), 20000u);
    EXPECT_EQ(v.as_object()[19999].value.as_array()[0].as_int(), 19999);
    ASSERT_TRUE(parse_json_record(R"({"a":{"b":[1,{"c":2}]},"d":3})", v, e, off)) << e;
    EXPECT_EQ(v.find("a.b")->as_array()[1].find("c")->as_int(), 2);
    EXPECT_EQ(v.as_object().size(), 2u);
}

TEST(ParseJsonRecord, RecordPositionCountsLines) {
    std::uint64_t line = 0, col = 0;
    record_position("{\n  \"a\": x}", 9, 10, 3, line, col);
    EXPECT_EQ(line, 11u);
    EXPECT_EQ(col, 8u);
}

}  // namespace
}  // namespace attest
