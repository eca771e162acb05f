#include "core/yaml_guard.h"

#include <gtest/gtest.h>

using namespace attest;

// The inputs on which yaml-cpp 0.7 never returns are refused with their position; valid YAML
// with commas in flow collections, quotes and block scalars passes.
TEST(YamlGuard, LeadingCommaOutsideFlowIsRefused) {
    auto h = find_yaml_hazard("    sel:\n,ogsource:");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 2u);
    EXPECT_EQ(h->column, 1u);
    h = find_yaml_hazard(",,,,title: x\nlevel: high\n");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 1u);
    h = find_yaml_hazard("a:\n  b: 1\n  , c\n");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->column, 3u);
}

// YAML allows only printable characters (1.2, 5.1). yaml-cpp 0.7 never returned on this
// input from the Sigma fuzzer (NUL bytes before a `,`): refused at the first control
// character, anywhere in the text.
TEST(YamlGuard, ControlCharactersAreRefusedWithTheirPosition) {
    std::string fuzz("\0\0\0,on: glob   n\x13o\xa1\0\0\0rce:\n ction:\n  - actse", 44);
    auto h = find_yaml_hazard(fuzz);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 1u);
    EXPECT_EQ(h->column, 1u);
    EXPECT_EQ(h->message,
              "control character U+0000 is not allowed in YAML (write it escaped in a "
              "double-quoted string)");
    h = find_yaml_hazard("title: x\ndescription: \"a\x7f\"\n");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 2u);
    EXPECT_EQ(h->column, 16u);
    EXPECT_NE(h->message.find("U+007F"), std::string::npos);
    EXPECT_FALSE(find_yaml_hazard("a:\tb\r\nc: |\n  tab\there\r\n"))
        << "tab, CR and LF are printable";
}

TEST(YamlGuard, ValidDocumentsPass) {
    for (const char* text :
         {"a: [1,\n  , 2]\n", "a: {x: 1\n , y: 2}\n",
          "description: |\n  , starts with a comma\n  ok\nb: 1\n", "d: >-\n    ,folded\nc: 2\n",
          "s: 'it''s\n , quoted'\n", "t: \"a\n , b\"\n", "- x # , comment\n- y\n",
          "title: x\ndetection:\n  sel:\n    Image|endswith: ',exe'\n", "- 'a\n , b'\n",
          "- - [x,\n , y]\n", "k: ['a,\n , b']\n"})
        EXPECT_FALSE(find_yaml_hazard(text).has_value()) << text;
}

// A quote or bracket inside a plain scalar opens nothing, so it cannot hide a later hazard
// (found by the Sigma fuzzer: "ategow-InboxRule'" then a line starting with ',').
TEST(YamlGuard, QuotesAndBracketsInPlainScalarsOpenNothing) {
    for (const char* text : {"a:\n   ategow-InboxRule'\n---\n,logsource:\n", "a: it's\n,b: 1\n",
                             "a: x[1\n,b: 1\n", "a: b{\n,c: 1\n", "k:'v\n,b: 1\n"}) {
        auto h = find_yaml_hazard(text);
        ASSERT_TRUE(h.has_value()) << text;
        EXPECT_EQ(h->column, 1u) << text;
    }
}

// At the top level of a document yaml-cpp 0.7 never returns on a ',' after a node or its
// properties either ("! ,", "'a' ,", "&x ,", found by the Sigma fuzzer); inside a plain
// scalar a ',' is an ordinary character.
TEST(YamlGuard, CommaWhereATokenStartsIsRefused) {
    for (const char* text : {"! ,", "!t,x: 1\n!t ,", "&x ,", "'a' ,", "\"a\" ,", "--- ,",
                             "\t\t!\t\t,\t/\tx'\n\t?\t!", "a: [x] ,", "k: 'a\n b' ,"}) {
        auto h = find_yaml_hazard(text);
        EXPECT_TRUE(h.has_value()) << text;
    }
    for (const char* text : {"a: b ,c\n", "a: x, y\n", "- a,b\n- x, 'y'\n", "k: !t a,b\n",
                             "k: *x\n", "--- # c\na: 1\n", "k: |\n  , a\n  b\n"})
        EXPECT_FALSE(find_yaml_hazard(text).has_value()) << text;
}

// A tag, anchor or alias ends at a flow indicator, so a `,` right after one starts a token:
// yaml-cpp 0.7 never returned on this input from the Sigma fuzzer (`!ac...,,,`). A verbatim
// tag may hold commas.
TEST(YamlGuard, CommaEndingATagOrAnchorIsRefused) {
    std::string fuzz = "!acSSSSSSSSS" + std::string(42, ',') + "SSS8SSSSSSSSSSSSS;" +
                       std::string(21, 'S') + "tanyimtimesme";
    auto h = find_yaml_hazard(fuzz);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 1u);
    EXPECT_EQ(h->column, 13u);
    h = find_yaml_hazard("a: 1\n&anchor,b x\n");
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->line, 2u);
    EXPECT_EQ(h->column, 8u);
    EXPECT_FALSE(find_yaml_hazard("!<tag:yaml.org,2002:str> x\n"));
    EXPECT_FALSE(find_yaml_hazard("a: !!str 1\nb: &x [1, 2]\nc: *x\n"));
}
