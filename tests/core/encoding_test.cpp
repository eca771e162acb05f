#include "core/encoding.h"

#include <gtest/gtest.h>

using namespace attest;

TEST(Encoding, Base64RoundTripAndInvalidInput) {
    for (std::string s : {"", "a", "ab", "abc", "abcd", "\x01\xff\x80"}) {
        auto d = base64_decode(base64_encode(s));
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(*d, s);
    }
    EXPECT_EQ(base64_encode(std::string("A\0", 2)), "QQA=");
    EXPECT_FALSE(base64_decode("ab!c").ok());
}

TEST(Encoding, Utf16LittleEndianBothWays) {
    // An invalid byte becomes U+FFFD (FD FF in UTF-16LE), the next byte is kept.
    EXPECT_EQ(utf8_to_utf16le("\xC3" "A"), std::string("\xFD\xFF" "A\0", 4));
    for (std::string s : {"", "whoami", "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x98\x80 emoji"})
        EXPECT_EQ(utf16le_to_utf8(utf8_to_utf16le(s)), s);
    // A lone high surrogate and an odd trailing byte.
    EXPECT_EQ(utf16le_to_utf8(std::string("\x00\xD8" "A\0" "B", 5)), "\xEF\xBF\xBD" "A");
}
