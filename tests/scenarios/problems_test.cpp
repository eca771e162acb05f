#include "scenarios/problems.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace attest::scenarios {
namespace {

// The code table is the one declaration: names unique, severity from the letter, and
// docs/packs.md lists exactly the same codes with the same meaning.
TEST(ProblemCodes, TableMatchesTheDocumentation) {
    std::map<std::string, std::string> documented;
    std::ifstream docs(ATTEST_SOURCE_DIR "/docs/packs.md");
    ASSERT_TRUE(docs);
    std::regex row(R"(^\| ([EW]\d{3}) \| (.*) \|$)");
    for (std::string line; std::getline(docs, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        std::string text = m[2];
        text.erase(std::remove(text.begin(), text.end(), '`'), text.end());
        documented[m[1]] = text;
    }
    std::set<std::string> names;
    for (const auto& c : problem_codes()) {
        std::string name(c.name);
        EXPECT_TRUE(names.insert(name).second) << name << " twice";
        EXPECT_EQ(c.severity, name[0] == 'E' ? Severity::Error : Severity::Warning) << name;
        EXPECT_EQ(&code_info(c.code), &c) << name;
        ASSERT_TRUE(documented.count(name)) << name << " is not in docs/packs.md";
        EXPECT_EQ(documented[name], c.summary) << name;
    }
    EXPECT_EQ(names.size(), documented.size());
}

TEST(ProblemCodes, SeverityComesFromTheCode) {
    Problems ps;
    ps.add(Code::W008, "a.yaml", 3, 5, "test 'x'", "unknown key 'comand' (ignored)");
    ps.add(Code::E003, "a.yaml", 1, 1, "", "bad technique");
    ASSERT_EQ(ps.items().size(), 2u);
    EXPECT_EQ(ps.items()[0].severity, Severity::Warning);
    EXPECT_EQ(ps.items()[0].format(),
              "a.yaml:3:5: warning W008: test 'x': unknown key 'comand' (ignored)");
    EXPECT_EQ(ps.error_count(), 1u);
    EXPECT_EQ(ps.warning_count(), 1u);
}

}  // namespace
}  // namespace attest::scenarios
