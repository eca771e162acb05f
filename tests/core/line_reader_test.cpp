#include "core/line_reader.h"

#include <gtest/gtest.h>

#include "core/diagnostics.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace attest {
namespace {

std::string write_temp(const std::string& content) {
    auto path = std::filesystem::temp_directory_path() /
                ("attest_lr_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
}

std::vector<std::string> read_all(const std::string& path, std::size_t chunk, std::size_t max_line,
                                  std::vector<bool>* too_long = nullptr) {
    auto f = InputFile::open(path);
    EXPECT_TRUE(f.ok());
    LineReader r(*f, chunk, max_line);
    std::vector<std::string> lines;
    std::string_view line;
    while (r.next(line)) {
        lines.emplace_back(line);
        if (too_long) too_long->push_back(r.too_long());
    }
    return lines;
}

TEST(LineReader, SplitsLinesAcrossTinyChunksAndStripsCr) {
    auto p = write_temp("alpha\r\nbeta\n\ngamma-without-newline");
    for (std::size_t chunk : {1, 2, 3, 7, 1024}) {
        auto lines = read_all(p, chunk, 1 << 20);
        EXPECT_EQ(lines, (std::vector<std::string>{"alpha", "beta", "", "gamma-without-newline"}))
            << "chunk " << chunk;
    }
    std::filesystem::remove(p);
}

TEST(LineReader, TruncatesOverlongLinesAndGoesOn) {
    std::string big(100000, 'x');
    auto p = write_temp("a\n" + big + "\nb\n");
    std::vector<bool> flags;
    auto lines = read_all(p, 4096, 1000, &flags);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "a");
    EXPECT_EQ(lines[1].size(), 1000u);
    EXPECT_TRUE(flags[1]);
    EXPECT_EQ(lines[2], "b");
    EXPECT_FALSE(flags[2]);
    std::filesystem::remove(p);
}

TEST(LineReader, ReportsLineNumbersAndOffsets) {
    auto p = write_temp("one\ntwo\nthree\n");
    auto f = InputFile::open(p);
    ASSERT_TRUE(f.ok());
    LineReader r(*f, 2);
    std::string_view line;
    ASSERT_TRUE(r.next(line));
    ASSERT_TRUE(r.next(line));
    EXPECT_EQ(line, "two");
    EXPECT_EQ(r.line_number(), 2u);
    EXPECT_EQ(r.line_offset(), 4u);
    std::filesystem::remove(p);
}

TEST(InputFile, MissingFileAndDirectoryAreClearErrors) {
    auto a = InputFile::open("/nonexistent/file.xml");
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("/nonexistent/file.xml"), std::string::npos);
    auto b = InputFile::open("/tmp");
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().message.find("directory"), std::string::npos);
}

TEST(Diagnostics, FormatsPositionsAndCaret) {
    Diagnostic d;
    d.file = "rule.eql";
    d.line = 3;
    d.column = 17;
    d.message = "expected ']'";
    EXPECT_EQ(d.format(), "rule.eql:3:17: expected ']'");
    Diagnostic b;
    b.file = "x.evtx";
    b.offset = 4096;
    b.has_offset = true;
    b.message = "bad chunk CRC";
    EXPECT_EQ(b.format(), "x.evtx: byte 4096: bad chunk CRC");
    EXPECT_EQ(caret_line("abc def", 5), "    ^");
    std::uint64_t line, col;
    offset_to_line_column("ab\ncd\nef", 7, line, col);
    EXPECT_EQ(line, 3u);
    EXPECT_EQ(col, 2u);
}

}  // namespace
}  // namespace attest
