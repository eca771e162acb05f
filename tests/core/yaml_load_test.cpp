#include "core/yaml_load.h"

#include <gtest/gtest.h>

using namespace attest;

namespace {

// The inputs on which `YAML::LoadAll` (yaml-cpp 0.7) never returns, each found by a fuzzer:
// the Sigma fuzzer in CI and a differential run of random short documents against the
// library. Each ends a document before a token that cannot start a node.
const char* const kStuck[] = {"    sel:\n,ogsource:",
                              ",,,,title: x\nlevel: high\n",
                              "! ,",
                              "!t,x: 1\n!t ,",
                              "&x ,",
                              "'a' ,",
                              "\"a\" ,",
                              "--- ,",
                              "a: [x] ,",
                              "k: 'a\n b' ,",
                              "!a,b",
                              "&a:,",
                              "!a b\n? c",
                              "[a \"],-= .a<[#",
                              "{:'*},-|.:@,",
                              "!\"{\",=",
                              "[\nb=%\n\">.>],",
                              "&-:\"\"\n,,]!',",
                              "\t\t!\t\t,\t/\tx'\n\t?\t!"};

}  // namespace

TEST(YamlLoad, DocumentsThatNeverEndInYamlCppAreErrorsAtTheirToken) {
    for (const char* text : kStuck) {
        YamlDocuments yaml = load_yaml(text);
        ASSERT_TRUE(yaml.error.has_value()) << text;
        EXPECT_TRUE(yaml.documents.empty()) << text;
        EXPECT_GE(yaml.error->line, 1u) << text;
        EXPECT_GE(yaml.error->column, 1u) << text;
    }
    YamlDocuments yaml = load_yaml("    sel:\n,ogsource:");
    EXPECT_EQ(yaml.error->line, 2u);
    EXPECT_EQ(yaml.error->column, 1u);
    EXPECT_EQ(yaml.error->message, "',' cannot start a value here");
    yaml = load_yaml("!a b\n? c");
    EXPECT_EQ(yaml.error->line, 2u);
    EXPECT_EQ(yaml.error->message, "'?' cannot start a value here");
    // 106 bytes from the CI Sigma fuzz run: a tag ends at a flow indicator.
    std::string fuzz = "!acSSSSSSSSS" + std::string(42, ',') + "SSS8SSSSSSSSSSSSS;" +
                       std::string(21, 'S') + "tanyimtimesme";
    yaml = load_yaml(fuzz);
    ASSERT_TRUE(yaml.error.has_value());
    EXPECT_EQ(yaml.error->line, 1u);
    EXPECT_EQ(yaml.error->column, 13u);
}

// YAML allows only printable characters (1.2, 5.1). yaml-cpp 0.7 never returned on this
// input from the Sigma fuzzer (NUL bytes before a `,`): refused at the first control
// character, anywhere in the text.
TEST(YamlLoad, ControlCharactersAreRefusedWithTheirPosition) {
    std::string fuzz("\0\0\0,on: glob   n\x13o\xa1\0\0\0rce:\n ction:\n  - actse", 44);
    YamlDocuments yaml = load_yaml(fuzz);
    ASSERT_TRUE(yaml.error.has_value());
    EXPECT_EQ(yaml.error->line, 1u);
    EXPECT_EQ(yaml.error->column, 1u);
    EXPECT_EQ(yaml.error->message,
              "control character U+0000 is not allowed in YAML (write it escaped in a "
              "double-quoted string)");
    yaml = load_yaml("title: x\ndescription: \"a\x7f\"\n");
    ASSERT_TRUE(yaml.error.has_value());
    EXPECT_EQ(yaml.error->line, 2u);
    EXPECT_EQ(yaml.error->column, 16u);
    EXPECT_NE(yaml.error->message.find("U+007F"), std::string::npos);
    yaml = load_yaml("a:\tb\r\nc: |\n  tab\there\r\n");
    EXPECT_FALSE(yaml.error.has_value()) << "tab, CR and LF are printable";
    EXPECT_EQ(yaml.documents.at(0)["c"].as<std::string>(), "tab\there\n");
}

TEST(YamlLoad, ValidDocumentsLoadWithTheirCommas) {
    for (const char* text :
         {"a: [1,\n  , 2]\n", "a: {x: 1\n , y: 2}\n",
          "description: |\n  , starts with a comma\n  ok\nb: 1\n", "d: >-\n    ,folded\nc: 2\n",
          "s: 'it''s\n , quoted'\n", "t: \"a\n , b\"\n", "- x # , comment\n- y\n",
          "title: x\ndetection:\n  sel:\n    Image|endswith: ',exe'\n", "- 'a\n , b'\n",
          "- - [x,\n , y]\n", "k: ['a,\n , b']\n", "a: b ,c\n", "a: x, y\n", "- a,b\n- x, 'y'\n",
          "k: !t a,b\n", "--- # c\na: 1\n", "k: |\n  , a\n  b\n", "!<tag:yaml.org,2002:str> x\n",
          "a: !!str 1\nb: &x [1, 2]\nc: *x\n"}) {
        YamlDocuments yaml = load_yaml(text);
        EXPECT_FALSE(yaml.error.has_value()) << text << ": " << yaml.error->message;
        EXPECT_EQ(yaml.documents.size(), 1u) << text;
    }
    YamlDocuments yaml = load_yaml("a: b ,c\n");
    EXPECT_EQ(yaml.documents.at(0)["a"].as<std::string>(), "b ,c");
}

TEST(YamlLoad, EveryDocumentIsReadAndSyntaxErrorsCarryTheirPosition) {
    YamlDocuments yaml = load_yaml("a: 1\n---\nb: 2\n---\n");
    ASSERT_FALSE(yaml.error.has_value());
    ASSERT_GE(yaml.documents.size(), 2u);
    EXPECT_EQ(yaml.documents[1]["b"].as<int>(), 2);
    EXPECT_TRUE(load_yaml("").documents.empty());
    yaml = load_yaml("a: [1, 2\nb: 3\n");
    ASSERT_TRUE(yaml.error.has_value());
    EXPECT_GE(yaml.error->line, 1u);
    EXPECT_FALSE(yaml.error->message.empty());
}

// A file that holds one document does not drop a second one silently; an empty trailing
// document (a closing '---') is not one.
TEST(YamlLoad, OneDocumentFilesRefuseASecond) {
    YamlDocuments yaml = load_one_yaml("a: 1\n---\nb: 2\n");
    ASSERT_TRUE(yaml.error.has_value());
    EXPECT_EQ(yaml.error->line, 3u);
    EXPECT_EQ(yaml.error->column, 1u);
    EXPECT_NE(yaml.error->message.find("a second YAML document"), std::string::npos);
    yaml = load_one_yaml("a: 1\n---\n");
    EXPECT_FALSE(yaml.error.has_value());
    EXPECT_EQ(yaml.documents.at(0)["a"].as<int>(), 1);
}
