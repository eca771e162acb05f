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

struct TableRead {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::uint64_t> lines;
    std::vector<CsvProblem> problems;
};

TableRead read_table(std::string_view text, CsvTable::Rename rename = {}) {
    testing::TempFile f(text, ".csv");
    auto input = InputFile::open(f.path());
    EXPECT_TRUE(input.ok());
    CsvTable table(*input, std::move(rename));
    TableRead r;
    auto problem = [&](const CsvProblem& p) { r.problems.push_back(p); };
    while (table.next(problem)) {
        r.rows.push_back(table.fields());
        r.lines.push_back(table.line());
    }
    r.header = table.header();
    return r;
}

// Rows whose field count is not the header's, each reported at the line where the row starts
// and the field number where it departs from the header.
struct FieldCountCase {
    const char* name;
    std::string text;
    std::size_t rows;            // rows read
    std::uint64_t line, column;  // of the one problem
    const char* message;
};

class CsvTableFieldCount : public ::testing::TestWithParam<FieldCountCase> {};

TEST_P(CsvTableFieldCount, ReportedWithLineAndColumnThenSkipped) {
    const auto& c = GetParam();
    auto r = read_table(c.text);
    EXPECT_EQ(r.rows.size(), c.rows);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].line, c.line);
    EXPECT_EQ(r.problems[0].column, c.column);
    EXPECT_NE(r.problems[0].message.find(c.message), std::string::npos) << r.problems[0].message;
    for (const auto& row : r.rows) EXPECT_EQ(row.size(), r.header.size());
}

INSTANTIATE_TEST_SUITE_P(
    Rows, CsvTableFieldCount,
    ::testing::Values(
        FieldCountCase{"too_few", "a,b,c\n1,2,3\n1,2\n4,5,6\n", 2, 3, 3,
                       "row has 2 fields, the header 3"},
        FieldCountCase{"too_many", "a,b\n1,2,3,4\n5,6\n", 1, 2, 3,
                       "row has 4 fields, the header 2"},
        // A row spanning lines is reported where it starts.
        FieldCountCase{"multiline_row", "a,b\n\"x\ny\",2,3\n5,6\n", 1, 2, 3, "row has 3 fields"},
        // A broken quote swallows the next row: one row of the wrong width, read past.
        FieldCountCase{"broken_quote", "a,b,c\n1,\"2,3\n4,5\",6,7\n8,9,0\n", 1, 2, 4,
                       "(broken quote?); row skipped"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CsvTable, HeaderAfterTypeLineColumnsByNameRenamed) {
    auto strip_utc = [](std::string_view h) { return std::string(h.substr(0, h.find(" [UTC]"))); };
    std::string text =
        "\xEF\xBB\xBF#TYPE Deserialized.Microsoft.Exchange.Data\r\n"
        "\"TimeGenerated [UTC]\",\"AuditData\"\r\n"
        "\"2024-01-01\",\"{\"\"a\"\":1}\"\r\n";
    testing::TempFile f(text, ".csv");
    auto input = InputFile::open(f.path());
    ASSERT_TRUE(input.ok());
    CsvTable table(*input, strip_utc);
    std::vector<CsvProblem> problems;
    auto problem = [&](const CsvProblem& p) { problems.push_back(p); };
    ASSERT_TRUE(table.read_header(problem));
    EXPECT_EQ(table.header(), (std::vector<std::string>{"TimeGenerated", "AuditData"}));
    EXPECT_EQ(table.line(), 2u);
    EXPECT_EQ(table.column("auditdata"), 1);  // names compare without case
    EXPECT_EQ(table.column("TimeGenerated"), 0);
    EXPECT_EQ(table.column("Missing"), -1);
    ASSERT_TRUE(table.next(problem));
    EXPECT_EQ(table.fields()[1], "{\"a\":1}");
    EXPECT_EQ(table.line(), 3u);
    EXPECT_FALSE(table.next(problem));
    EXPECT_TRUE(problems.empty());
}

TEST(CsvTable, EmptyInputHasNoHeader) {
    auto r = read_table("");
    EXPECT_TRUE(r.header.empty());
    EXPECT_TRUE(r.rows.empty());
    EXPECT_TRUE(r.problems.empty());
}

}  // namespace
}  // namespace attest
