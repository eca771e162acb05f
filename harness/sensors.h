// Sensors a lab provisions itself, through the target's transport (no wrapper script):
// for auditd, the rules the lab names (`rules: PATH`, or `rules: pack` for the pack's
// lab/auditd.rules) are loaded at preflight with auditctl (sudo -n on a target whose user is
// not root), the daemon is started first when the lab says `start: true`, and at the end of
// the run exactly the rules attest added are removed and the daemon it started is stopped.
// A crashed or killed run leaves its rules loaded, and the next one would see events tagged
// with stale keys: before loading, preflight deletes every loaded rule that carries a key of
// the rules it is about to add (auditctl -D -k KEY) and says so.
// Preflight also reads what the loaded rules log (auditctl -l): an expectation whose
// syscall no rule logs is not_collected with that reason, never missing.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/expected.h"
#include "expectations/spec.h"
#include "harness/lab.h"
#include "harness/transport.h"

namespace attest::run {

// What loaded audit rules log, from `auditctl -l`.
struct AuditCoverage {
    std::set<std::string> syscalls;    // -S names of always,exit rules ("all" for -S all)
    std::vector<std::string> watches;  // -w paths
    static AuditCoverage parse(const std::string& auditctl_list);
    bool logs_syscall(const std::string& name) const;
    // A watch on `path` itself or on a directory above it.
    bool watches_path(std::string_view path) const;
};

// Why `spec` (an auditd expectation) cannot be logged under `coverage`; empty when it can.
// The event category of its query decides: process -> execve, network -> connect, file ->
// a watch or an open/openat rule.
std::string audit_not_logged_reason(const expectations::ExpectationSpec& spec,
                                    const AuditCoverage& coverage);

// One audit rule as auditctl's arguments, e.g. {"-w", "/var/mail", "-p", "r", "-k", "spool"}.
using AuditRule = std::vector<std::string>;

// The rules of a rules file (comments and blank lines dropped). Errors name file:line.
Expected<std::vector<AuditRule>> read_audit_rules(const std::string& path);

// The key of a rule (`-k KEY` or `-F key=KEY`); empty when it has none.
std::string audit_rule_key(const AuditRule& rule);

// Loaded rules that preflight deleted because they carried one of attest's keys.
struct StaleAuditRules {
    std::string key;
    int count = 0;
};

class AuditProvision {
public:
    // Starts auditd when asked and needed, deletes loaded rules carrying the keys of `rules`
    // (left by a run that did not finish), then loads `rules` (those loaded by someone else
    // without our keys are left alone: not ours to remove).
    Task<Expected<void>> apply(Transport& transport, const std::vector<AuditRule>& rules,
                               bool start, Elevation elevation, const CancelToken& cancel);
    // Removes the rules apply() added (newest first), turns auditing off again if it was, and
    // stops the daemon it started.
    // Returns a line saying what was undone.
    Task<std::string> undo(Transport& transport, Elevation elevation, const CancelToken& cancel);
    // A snapshot revert took the target back to before apply(): nothing is left to undo.
    void forget() {
        m_added.clear();
        m_started_pid.clear();
        m_was_disabled = false;
        m_applied = false;
    }
    bool applied() const { return m_applied; }
    const std::vector<AuditRule>& added() const { return m_added; }
    const std::string& started_pid() const { return m_started_pid; }
    const std::vector<StaleAuditRules>& stale() const { return m_stale; }
    // "removed 2 leftover audit rule(s) keyed attest_exec (a run that did not finish)", or empty.
    std::string stale_note() const;

private:
    std::vector<AuditRule> m_added;
    std::vector<StaleAuditRules> m_stale;
    std::string m_started_pid;
    bool m_was_disabled = false;  // auditing was off (auditctl -e 0) before apply()
    bool m_applied = false;
};

}  // namespace attest::run
