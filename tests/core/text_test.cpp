#include "core/text.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

TEST(Text, CaseInsensitiveCompareFoldsAsciiLettersOnly) {
    struct Case {
        const char* a;
        const char* b;
        bool equal;
    } cases[] = {
        {"SERVER002", "server002", true},
        {"True", "true", true},
        {"a", "ab", false},
        {"", "", true},
        {"\xc3\x89", "\xc3\xa9", false},  // É and é: not ASCII
        {"[", "{", false},
        {"@", "`", false},  // neighbours of the letter ranges
    };
    for (const auto& c : cases) EXPECT_EQ(iequals(c.a, c.b), c.equal) << c.a << " / " << c.b;
    EXPECT_EQ(ascii_lowercase("CmD.EXE \xc3\x89"), "cmd.exe \xc3\x89");
}

}  // namespace
}  // namespace attest
