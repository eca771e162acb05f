#include "harness/sensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
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

namespace {

// A target whose `auditctl` is a script over a rules file: the real local transport runs
// what apply() and undo() send, and the file is the kernel's rule list as `auditctl -l` prints
// it (`-k KEY` of an -a rule shown as `-F key=KEY`).
class ScriptedAuditTarget {
public:
    ScriptedAuditTarget()
        : m_dir(std::filesystem::temp_directory_path() /
                ("attest-sensors-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(m_dir);
        std::ofstream(m_dir / "auditctl") << R"(#!/bin/sh
state=")" + rules_path() + R"("
touch "$state"
canon() { echo "$*" | sed 's/^\(-a .*\) -k \([^ ]*\)$/\1 -F key=\2/'; }
case "$1" in
-s) printf 'enabled 1\npid 4242\n' ;;
-e) ;;
-l) if [ "$2" = -k ]; then grep -e " key=$3\$" -e " -k $3\$" "$state" || echo 'No rules'
    else [ -s "$state" ] && cat "$state" || echo 'No rules'; fi ;;
-D) if [ "$2" = -k ]; then grep -v -e " key=$3\$" -e " -k $3\$" "$state" >"$state.new"
    else : >"$state.new"; fi; mv "$state.new" "$state" ;;
-a|-w) r=$(canon "$@"); grep -qxF -- "$r" "$state" && { echo 'Error sending add rule data request (Rule exists)' >&2; exit 1; }
    echo "$r" >>"$state" ;;
-d|-W) op=-a; [ "$1" = -W ] && op=-w; shift; r=$(canon "$op" "$@")
    grep -qxF -- "$r" "$state" || exit 1; grep -vxF -- "$r" "$state" >"$state.new"; mv "$state.new" "$state" ;;
esac
)";
        std::filesystem::permissions(m_dir / "auditctl", std::filesystem::perms::owner_all);
        m_old_path = std::getenv("PATH");
        ::setenv("PATH", (m_dir.string() + ":" + m_old_path).c_str(), 1);
        m_target.name = "scripted";
        m_target.transport = "local";
        m_target.timeouts.connect = std::chrono::seconds(5);
        auto created = TransportRegistry::builtin().create(m_target);
        if (created.ok()) m_transport = std::move(*created);
    }
    ~ScriptedAuditTarget() {
        ::setenv("PATH", m_old_path.c_str(), 1);
        std::filesystem::remove_all(m_dir);
    }
    std::string rules_path() const { return (m_dir / "rules").string(); }
    void load(const std::string& rules) { std::ofstream(rules_path()) << rules; }
    std::string loaded() const {
        std::ifstream in(rules_path());
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    Transport& transport() { return *m_transport; }
    bool ready() const { return m_transport != nullptr; }

private:
    std::filesystem::path m_dir;
    std::string m_old_path;
    TargetConfig m_target;
    std::unique_ptr<Transport> m_transport;
};

}  // namespace

// A killed run left its rules (and one of an older rules file with the same key) loaded: the
// next preflight deletes every rule with attest's keys before loading, says so, and at the end
// removes what it added, leaving the rules of others alone.
TEST(Sensors, PreflightRemovesLeftoverRulesWithAttestsKeys) {
    ScriptedAuditTarget target;
    ASSERT_TRUE(target.ready());
    const std::string others = "-w /etc/shadow -p wa -k admin_shadow\n";
    target.load(others +
                "-a always,exit -F arch=b64 -S execve -F key=attest_exec\n"
                "-a always,exit -F arch=b64 -S openat -F key=attest_exec\n"
                "-w /var/mail -p r -k attest_mail_spool\n");
    std::vector<AuditRule> rules = {
        {"-a", "always,exit", "-F", "arch=b64", "-S", "execve", "-k", "attest_exec"},
        {"-a", "always,exit", "-F", "arch=b32", "-S", "execve", "-F", "key=attest_exec"},
        {"-w", "/var/mail", "-p", "r", "-k", "attest_mail_spool"},
    };
    AuditProvision audit;
    CancelToken cancel;
    auto applied =
        run_blocking(audit.apply(target.transport(), rules, false, Elevation::None, cancel));
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    ASSERT_EQ(audit.stale().size(), 2u);
    EXPECT_EQ(audit.stale()[0].key, "attest_exec");
    EXPECT_EQ(audit.stale()[0].count, 2);
    EXPECT_EQ(audit.stale()[1].key, "attest_mail_spool");
    EXPECT_EQ(audit.stale()[1].count, 1);
    EXPECT_EQ(audit.stale_note(),
              "removed 3 leftover audit rule(s) keyed attest_exec, attest_mail_spool (loaded by a "
              "run that did not finish)");
    // All three are ours now (none was "already loaded"), the stale openat rule is gone.
    EXPECT_EQ(audit.added().size(), 3u);
    EXPECT_EQ(target.loaded(), others +
                                   "-a always,exit -F arch=b64 -S execve -F key=attest_exec\n"
                                   "-a always,exit -F arch=b32 -S execve -F key=attest_exec\n"
                                   "-w /var/mail -p r -k attest_mail_spool\n");
    auto undone = run_blocking(audit.undo(target.transport(), Elevation::None, cancel));
    EXPECT_EQ(undone, "removed 3 audit rule(s)");
    EXPECT_EQ(target.loaded(), others);

    // A clean target: nothing is called leftover.
    AuditProvision again;
    ASSERT_TRUE(
        run_blocking(again.apply(target.transport(), rules, false, Elevation::None, cancel)).ok());
    EXPECT_TRUE(again.stale().empty());
    EXPECT_EQ(again.stale_note(), "");
    run_blocking(again.undo(target.transport(), Elevation::None, cancel));
    EXPECT_EQ(target.loaded(), others);
}

TEST(Sensors, RuleKeyIsTheDashKOrTheKeyField) {
    EXPECT_EQ(audit_rule_key({"-w", "/x", "-p", "r", "-k", "k1"}), "k1");
    EXPECT_EQ(audit_rule_key({"-a", "always,exit", "-S", "execve", "-F", "key=k2"}), "k2");
    EXPECT_EQ(audit_rule_key({"-a", "always,exit", "-S", "execve"}), "");
    EXPECT_EQ(audit_rule_key({"-a", "always,exit", "-k"}), "");
}
