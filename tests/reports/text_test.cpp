#include "reports/text.h"

#include <gtest/gtest.h>

namespace attest::reports {
namespace {

struct EscapeCase {
    std::string input, html_text, html_attr, xml_text, xml_attr;
};

TEST(Escape, TableOfContexts) {
    const EscapeCase cases[] = {
        {"plain", "plain", "plain", "plain", "plain"},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;",
         "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"\"><img src=x onerror='a'>", "\"&gt;&lt;img src=x onerror='a'&gt;", "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;",
         "\"&gt;&lt;img src=x onerror='a'&gt;", "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;"},
        {"a&b`c", "a&amp;b`c", "a&amp;b&#96;c", "a&amp;b`c", "a&amp;b`c"},
        {"tab\tnl\ncr\r", "tab\tnl\ncr\r", "tab\tnl\ncr\r", "tab\tnl\ncr&#13;", "tab&#9;nl&#10;cr&#13;"},
        {std::string("nul\0esc\x1b" "del\x7f", 12), "nul\\x00esc\\x1bdel\\x7f", "nul\\x00esc\\x1bdel\\x7f",
         "nul\\x00esc\\x1bdel\\x7f", "nul\\x00esc\\x1bdel\\x7f"},
        {"bad\xff\xfe utf8 \xc3", "bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD", "bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD",
         "bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD", "bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD"},
        {"overlong \xc0\xbc", "overlong \xEF\xBF\xBD\xEF\xBF\xBD", "overlong \xEF\xBF\xBD\xEF\xBF\xBD",
         "overlong \xEF\xBF\xBD\xEF\xBF\xBD", "overlong \xEF\xBF\xBD\xEF\xBF\xBD"},
        {"nonchar \xEF\xBF\xBF", "nonchar \\uffff", "nonchar \\uffff", "nonchar \\uffff", "nonchar \\uffff"},
        {"caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93",
         "caf\xC3\xA9 \xE2\x9C\x93"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(html_text(c.input), c.html_text) << c.input;
        EXPECT_EQ(html_attr(c.input), c.html_attr) << c.input;
        std::string xt, xa;
        append_xml_text(xt, c.input);
        append_xml_attr(xa, c.input);
        EXPECT_EQ(xt, c.xml_text) << c.input;
        EXPECT_EQ(xa, c.xml_attr) << c.input;
    }
}

TEST(Escape, JsonForScriptHasNoMarkupCharacters) {
    nlohmann::json j = {{"name", "</script><!-- & \xE2\x80\xA8 \xE2\x80\xA9 >"}, {"bad", "\xff"}};
    std::string s = json_for_script(j);
    EXPECT_EQ(s.find('<'), std::string::npos);
    EXPECT_EQ(s.find('>'), std::string::npos);
    EXPECT_EQ(s.find('&'), std::string::npos);
    EXPECT_EQ(s.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(s.find("\xE2\x80\xA9"), std::string::npos);
    // Still the same data once parsed.
    auto back = nlohmann::json::parse(s);
    EXPECT_EQ(back["name"], "</script><!-- & \xE2\x80\xA8 \xE2\x80\xA9 >");
    EXPECT_EQ(back["bad"], "\xEF\xBF\xBD");
}

TEST(Escape, CutKeepsUtf8Boundaries) {
    std::size_t rest = 0;
    std::string s = "ab\xC3\xA9" "cd";  // 'é' occupies bytes 2..3
    EXPECT_EQ(cut_utf8(s, 3, rest), "ab");
    EXPECT_EQ(rest, 4u);
    EXPECT_EQ(cut_utf8(s, 4, rest), "ab\xC3\xA9");
    EXPECT_EQ(rest, 2u);
    EXPECT_EQ(cut_utf8(s, 100, rest), s);
    EXPECT_EQ(rest, 0u);
}

TEST(TolerantRead, MissingAndMistypedMembersFallBack) {
    nlohmann::json j = {{"s", "x"}, {"n", 5}, {"f", 2.9}, {"b", true}, {"arr", {1, 2}}, {"obj", {{"k", 1}}}};
    EXPECT_EQ(text(j, "s"), "x");
    EXPECT_EQ(text(j, "n"), "5");
    EXPECT_EQ(text(j, "missing", "fb"), "fb");
    EXPECT_EQ(text(j, "obj", "fb"), "fb");
    EXPECT_EQ(integer(j, "n"), 5);
    EXPECT_EQ(integer(j, "f"), 2);
    EXPECT_EQ(integer(j, "s", -1), -1);
    EXPECT_TRUE(flag(j, "b"));
    EXPECT_FALSE(flag(j, "s"));
    EXPECT_EQ(list(j, "arr").size(), 2u);
    EXPECT_TRUE(list(j, "obj").empty());
    EXPECT_TRUE(list(nlohmann::json("not an object"), "arr").empty());
    EXPECT_EQ(text(nlohmann::json::array(), "s", "fb"), "fb");
}

}  // namespace
}  // namespace attest::reports
