// The built-in local lab with no wrapper: attest itself starts auditd when needed, loads the
// pack's audit rules, and afterwards leaves the audit configuration as it found it.
#include <gtest/gtest.h>

#include "e2e_support.h"

using namespace attest::test;
namespace run = attest::run;

namespace {

std::string auditctl(const std::vector<std::string>& args) {
    run::ProcessRequest r;
    r.argv = {"auditctl"};
    r.argv.insert(r.argv.end(), args.begin(), args.end());
    auto p = run::run_process(r);
    return p ? p->stdout_text : std::string();
}

}  // namespace

TEST(LocalLab, PackPassesWithNoWrapperAndLeavesNoRulesBehind) {
    if (::geteuid() != 0 || ::access("/usr/sbin/auditctl", X_OK) != 0)
        GTEST_SKIP() << "needs root and auditd (scripts/install-deps.sh)";
    const std::string rules_before = auditctl({"-l"});
    const std::string status_before = auditctl({"-s"});
    TempDir tmp("local-lab");
    std::string out = tmp.path + "/out";
    auto r = run_attest(
        {"run", "--lab", std::string(ATTEST_SOURCE_DIR) + "/labs/local.yaml", "--pack",
         std::string(ATTEST_SOURCE_DIR) + "/scenarios/t1114", "--get-prereqs", "--out", out},
        out, std::chrono::minutes(10));
    ASSERT_TRUE(r.results.is_object()) << r.err;
    for (const char* guid :
         {"b457d68d-ff7e-4351-b3cd-1fc92091a1d5", "6e2eb287-1d3a-4a59-b596-d62977b78693"}) {
        const auto* s = find_scenario(r.results, "local", guid);
        ASSERT_NE(s, nullptr) << guid;
        EXPECT_EQ((*s)["verdict"], "passed") << s->dump(2).substr(0, 3000) << "\n" << r.err;
    }
    EXPECT_EQ(auditctl({"-l"}), rules_before);
    // Enabled flag and daemon as before (the pid line is 0 again when attest started it).
    auto line = [](const std::string& status, const std::string& key) {
        std::istringstream in(status);
        for (std::string l; std::getline(in, l);)
            if (l.rfind(key + " ", 0) == 0) return l;
        return std::string();
    };
    EXPECT_EQ(line(auditctl({"-s"}), "enabled"), line(status_before, "enabled"));
    if (line(status_before, "pid") == "pid 0") {
        EXPECT_EQ(line(auditctl({"-s"}), "pid"), "pid 0");
    }
}
