#include "collectors/windows_args.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

struct ArgsCase {
    const char* command_line;
    std::vector<std::string> expected;
};

// Expected values follow the documented CommandLineToArgvW behaviour (and Wine's tests of it).
TEST(WindowsArgsTest, SplitsLikeCommandLineToArgvW) {
    const ArgsCase cases[] = {
        {"", {}},
        {"   ", {}},
        {"cmd.exe", {"cmd.exe"}},
        {"cmd.exe  /C  dir", {"cmd.exe", "/C", "dir"}},
        {"a\tb", {"a", "b"}},
        {R"("C:\Program Files\a.exe" x)", {R"(C:\Program Files\a.exe)", "x"}},
        // argv[0]: backslashes are literal and a quote ends it wherever it is.
        {R"(C:\dir\a.exe\ x)", {R"(C:\dir\a.exe\)", "x"}},
        {R"("C:\a b\"x y)", {R"(C:\a b\)", "x", "y"}},
        {R"(p "a b" c)", {"p", "a b", "c"}},
        {R"(p a\\\b)", {"p", R"(a\\\b)"}},          // backslashes not before a quote: literal
        {R"(p a\"b)", {"p", R"(a"b)"}},             // 1 backslash + quote: literal quote
        {R"(p a\\"b c")", {"p", R"(a\b c)"}},       // 2 backslashes + quote: one \, quote toggles
        {R"(p a\\\"b)", {"p", R"(a\"b)"}},          // 3 backslashes + quote: \ and literal quote
        {R"(p "a\\" b)", {"p", R"(a\)", "b"}},
        {R"(p "")", {"p", ""}},                      // an empty quoted argument
        {R"(p "" x)", {"p", "", "x"}},
        {R"(p """a""")", {"p", R"("a")"}},          // triple quotes give a literal quote
        {R"(p "a""b")", {"p", R"(a"b)"}},
        {"p a   ", {"p", "a"}},                      // trailing blanks add nothing
        {R"(rundll32.exe javascript:"\..\mshtml,RunHTMLApplication ";alert())",
         {"rundll32.exe", R"(javascript:\..\mshtml,RunHTMLApplication ;alert())"}},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(split_windows_command_line(c.command_line), c.expected) << "command line: " << c.command_line;
    }
}

TEST(WindowsArgsTest, SplitsLinuxCommandLinesOnBlanks) {
    EXPECT_EQ(split_on_blanks("/bin/sh -c  id"), (std::vector<std::string>{"/bin/sh", "-c", "id"}));
    EXPECT_TRUE(split_on_blanks("  ").empty());
}

}  // namespace
}  // namespace attest
