// Tests for collectors/csv.cpp: RFC 4180 fields and streaming records.
#include "collectors/csv.h"

#include <gtest/gtest.h>

#include "collect_helpers.h"

namespace attest {
namespace {

std::vector<std::string> split(std::string_view rec) {
    std::vector<std::string> f;
    f.resize(CsvReader::split(rec, f));
    return f;
}

TEST(CsvSplit, Fields) {
    using V = std::vector<std::string>;
    EXPECT_EQ(split("a,b,c"), (V{"a", "b", "c"}));
    EXPECT_EQ(split("\"a,b\",\"c\"\"d\",e"), (V{"a,b", "c\"d", "e"}));
    EXPECT_EQ(split("\"{\"\"k\"\":\"\"v\"\"}\""), (V{"{\"k\":\"v\"}"}));
    EXPECT_EQ(split("a,,"), (V{"a", "", ""}));
    EXPECT_EQ(split(""), (V{""}));
    EXPECT_EQ(split("\"line1\r\nline2\",x"), (V{"line1\r\nline2", "x"}));
    EXPECT_EQ(split("\"a\"b,c"), (V{"ab", "c"}));  // lenient: text after the closing quote kept
    EXPECT_EQ(split("\"open"), (V{"open"}));
}

struct Read {
    std::vector<std::vector<std::string>> records;
    std::vector<std::uint64_t> lines;
    std::vector<CsvProblem> problems;
};

Read read(std::string_view text, std::size_t max_record = 1 << 20) {
    testing::TempFile f(text, ".csv");
    auto input = InputFile::open(f.path());
    EXPECT_TRUE(input.ok());
    CsvReader reader(*input, max_record);
    Read r;
    std::vector<std::string> fields;
    std::size_t n = 0;
    while (reader.next(fields, n, [&](const CsvProblem& p) { r.problems.push_back(p); })) {
        r.records.emplace_back(fields.begin(), fields.begin() + static_cast<long>(n));
        r.lines.push_back(reader.line());
    }
    return r;
}

TEST(CsvReader, RecordsSpanLinesInsideQuotesWithCrlfAndBom) {
    auto r = read("\xEF\xBB\xBF\"h1\",\"h2\"\r\n\"a\r\nb\",\"c\"\r\n\r\nd,e");
    ASSERT_EQ(r.records.size(), 3u);
    EXPECT_EQ(r.records[0][0], "h1");
    EXPECT_EQ(r.records[1][0], "a\r\nb");
    EXPECT_EQ(r.lines[1], 2u);
    EXPECT_EQ(r.records[2][1], "e");
    EXPECT_EQ(r.lines[2], 5u);
    EXPECT_TRUE(r.problems.empty());
}

TEST(CsvReader, BrokenQuoteAtEndAndOversizedRecords) {
    auto r = read("a,b\n\"x,y\nz,w\n");
    ASSERT_EQ(r.records.size(), 1u);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].line, 2u);
    EXPECT_NE(r.problems[0].message.find("never closed"), std::string::npos);

    std::string big = "\"" + std::string(3000, 'q') + "\n" + std::string(3000, 'q') + "\"\n";
    auto o = read("a,b\n" + big + "c,d\n", 1024);
    ASSERT_EQ(o.records.size(), 2u);
    EXPECT_EQ(o.records[1][0], "c");
    ASSERT_EQ(o.problems.size(), 1u);
    EXPECT_EQ(o.problems[0].line, 2u);
}

}  // namespace
}  // namespace attest
