#include "harness/sensors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace attest;
using namespace attest::run;

namespace {

// auditctl -l as it prints the T1114 pack's rules.
const char* kPackRules =
    "-a always,exit -F arch=b64 -S execve -F key=attest_exec\n"
    "-a always,exit -F arch=b32 -S execve -F key=attest_exec\n"
    "-w /var/mail -p r -k attest_mail_spool\n"
    "-a always,exit -F arch=b64 -S connect -F success=1 -F key=attest_connect\n";

expectations::ExpectationSpec spec(const std::string& query) {
    expectations::ExpectationSpec s;
    s.id = "x";
    s.source = "auditd";
    s.query = query;
    return s;
}

}  // namespace

TEST(Sensors, AuditCoverageReadsSyscallsAndWatches) {
    auto c = AuditCoverage::parse(std::string(kPackRules) +
                                  "-a never,exit -F arch=b64 -S openat\n"
                                  "-a always,exit -F arch=b64 -S open,openat,creat -F key=f\n");
    EXPECT_TRUE(c.logs_syscall("execve"));
    EXPECT_TRUE(c.logs_syscall("connect"));
    EXPECT_TRUE(c.logs_syscall("creat"));  // a comma list
    EXPECT_TRUE(c.logs_syscall("openat"));
    EXPECT_FALSE(c.logs_syscall("unlink"));
    ASSERT_EQ(c.watches.size(), 1u);
    EXPECT_EQ(c.watches[0], "/var/mail");
    EXPECT_TRUE(AuditCoverage::parse("-a always,exit -S all -F key=k\n").logs_syscall("ptrace"));
    EXPECT_FALSE(AuditCoverage::parse("-a never,exit -S all\n").logs_syscall("ptrace"));
    EXPECT_TRUE(AuditCoverage::parse("No rules\n").syscalls.empty());
}

// A baseline file expectation is derived only for a path a watch covers: the watched path
// itself or one below a watched directory, never a sibling sharing a prefix.
TEST(Sensors, WatchesCoverThePathOrADirectoryAboveIt) {
    auto c = AuditCoverage::parse("-w /tmp/attest/ -p wa -k w\n-w /etc/passwd -p wa -k p\n");
    struct Case {
        const char* path;
        bool watched;
    };
    for (const Case& k :
         {Case{"/tmp/attest/out.txt", true}, Case{"/tmp/attest/a/b", true},
          Case{"/tmp/attest", true}, Case{"/tmp/attestx/out.txt", false}, Case{"/etc/passwd", true},
          Case{"/etc/passwd-", false}, Case{"/etc/shadow", false}})
        EXPECT_EQ(c.watches_path(k.path), k.watched) << k.path;
    EXPECT_TRUE(AuditCoverage::parse("-w / -p wa\n").watches_path("/anything"));
    EXPECT_FALSE(AuditCoverage::parse("No rules\n").watches_path("/tmp/x"));
}

TEST(Sensors, ExpectationsTheRulesCannotLogAreNamed) {
    struct Case {
        const char* rules;
        const char* query;
        const char* reason;  // empty: loggable
    };
    const Case cases[] = {
        {kPackRules, "process where process.name == \"tar\"", ""},
        {kPackRules, "network where destination.ip == \"127.0.0.1\"", ""},
        {kPackRules, "file where file.path : \"/var/mail/*\"", ""},
        {"-w /etc/passwd -p wa -k p\n", "process where process.name == \"tar\"", "no execve"},
        {"-w /etc/passwd -p wa -k p\n", "network where destination.port == 80", "no connect"},
        {"-a always,exit -F arch=b64 -S execve -k e\n", "file where true",
         "no watch and no file syscall"},
        {"-a always,exit -F arch=b64 -S execve -k e\n",
         "sequence [process where true] [file where true]", ""},
    };
    for (const auto& c : cases) {
        std::string why = audit_not_logged_reason(spec(c.query), AuditCoverage::parse(c.rules));
        if (std::string(c.reason).empty())
            EXPECT_EQ(why, "") << c.query;
        else
            EXPECT_NE(why.find(c.reason), std::string::npos) << c.query << ": " << why;
    }
}

TEST(Sensors, RulesFileKeepsOnlyRulesThatCanBeRemovedAgain) {
    auto rules = read_audit_rules(ATTEST_SOURCE_DIR "/scenarios/t1114/lab/auditd.rules");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    ASSERT_FALSE(rules->empty());
    EXPECT_EQ((*rules)[0], (AuditRule{"-a", "always,exit", "-F", "arch=b64", "-S", "execve", "-k",
                                      "attest_exec"}));

    std::string path =
        (std::filesystem::temp_directory_path() / "attest-sensors-test.rules").string();
    {
        std::ofstream out(path);
        out << "# comment\n\n-w /tmp/x -p r -k k  # trailing comment\n-D\n";
    }
    auto bad = read_audit_rules(path);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find(path + ":4:1: only -a and -w rules"), std::string::npos)
        << bad.error().message;
    std::filesystem::remove(path);
    EXPECT_FALSE(read_audit_rules("/nonexistent/attest.rules").ok());
}
