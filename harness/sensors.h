// Sensors a lab provisions itself, through the target's transport (no wrapper script):
// for auditd, the rules the lab names (`rules: PATH`, or `rules: pack` for the pack's
// lab/auditd.rules) are loaded at preflight with auditctl (sudo -n on a target whose user is
// not root), the daemon is started first when the lab says `start: true`, and at the end of
// the run exactly the rules attest added are removed and the daemon it started is stopped.
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

class AuditProvision {
public:
    // Starts auditd when asked and needed, loads `rules` (those already loaded are left
    // alone: not ours to remove).
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

private:
    std::vector<AuditRule> m_added;
    std::string m_started_pid;
    bool m_was_disabled = false;  // auditing was off (auditctl -e 0) before apply()
    bool m_applied = false;
};

}  // namespace attest::run
