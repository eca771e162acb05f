#include "expectations/attack_tactics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace attest::expectations {
namespace {

using Tactics = std::vector<std::string>;

TEST(AttackTactics, TechniquesAndSubTechniques) {
    struct Case {
        const char* technique;
        Tactics tactics;
    };
    for (const auto& c : std::vector<Case>{
             {"T1082", {"discovery"}},
             {"T1114", {"collection"}},
             {"T1114.001", {"collection"}},  // sub-technique: the parent's tactics
             {"T1053.005", {"execution", "persistence", "privilege-escalation"}},
             {"T1078",
              {"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
             {"T1999", {}},  // unknown: no tactic rather than a guessed one
             {"", {}},
             {"T10", {}},
         })
        EXPECT_EQ(tactics_for_technique(c.technique), c.tactics) << c.technique;
}

TEST(AttackTactics, CommittedTableIsSortedAndUsesKnownTacticNames) {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/expectations/attack_tactics.inc");
    ASSERT_TRUE(in);
    std::string line, previous;
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        if (line.starts_with("//")) continue;
        auto q1 = line.find('"'), q2 = line.find('"', q1 + 1), q3 = line.find('"', q2 + 1),
             q4 = line.find('"', q3 + 1);
        ASSERT_NE(q4, std::string::npos) << line;
        std::string technique = line.substr(q1 + 1, q2 - q1 - 1);
        EXPECT_LT(previous, technique) << "the table is looked up by binary search";
        previous = technique;
        std::stringstream tactics(line.substr(q3 + 1, q4 - q3 - 1));
        for (std::string t; std::getline(tactics, t, ',');) EXPECT_TRUE(is_tactic_name(t)) << line;
        ++rows;
    }
    EXPECT_GT(rows, 150u);
}

// The regeneration script reads a local STIX bundle: kill-chain order, revoked and deprecated
// techniques left out, non-ATT&CK external ids ignored.
TEST(AttackTactics, ScriptRegeneratesTheTableFromStix) {
    if (std::system("command -v python3 >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "python3 is not installed";
    std::string cmd = "python3 " + std::string(ATTEST_SOURCE_DIR) + "/scripts/attack_tactics.py " +
                      ATTEST_SOURCE_DIR + "/tests/data/attack/mini-enterprise-attack.json";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ASSERT_EQ(::pclose(p), 0) << out;
    std::string rows;
    std::stringstream ss(out);
    for (std::string line; std::getline(ss, line);)
        if (!line.starts_with("//")) rows += line + "\n";
    EXPECT_EQ(rows,
              "{\"T1053.005\", \"execution,persistence,privilege-escalation\"},\n{\"T1082\", "
              "\"discovery\"},\n");
}

}  // namespace
}  // namespace attest::expectations
