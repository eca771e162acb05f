#include "harness/sensors.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace attest::run {

namespace {

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string quoted_words(const std::vector<std::string>& ws) {
    std::string out;
    for (const auto& w : ws) out += (out.empty() ? "" : " ") + posix_quote(w);
    return out;
}

// An added rule's removal: -a LIST,ACTION ... -> -d LIST,ACTION ...; -w PATH ... -> -W PATH ...
AuditRule removal_of(AuditRule rule) {
    if (!rule.empty()) rule[0] = rule[0] == "-w" ? "-W" : rule[0] == "-a" ? "-d" : rule[0];
    return rule;
}

Task<Expected<ProcessResult>> run_elevated(Transport& t, const std::string& script,
                                           Elevation elevation, const CancelToken& cancel) {
    auto inv = build_invocation("sh", script, t.target().platform, true, elevation);
    if (!inv) co_return inv.error();
    TargetCommand cmd;
    cmd.argv = std::move(inv->argv);
    cmd.timeout = t.target().timeouts.connect + Millis(30000);
    // Undoing what was provisioned must survive the first two signals.
    cmd.cancel_level = 3;
    co_return co_await t.run(cmd, cancel);
}

// Deletes the loaded rules of each key and prints how many there were: `auditctl -l -k` lists
// them ("No rules" when none), `auditctl -D -k` deletes rules and watches of that key only.
std::string stale_removal_script(const std::vector<AuditRule>& rules) {
    std::set<std::string> keys;
    for (const auto& r : rules)
        if (auto k = audit_rule_key(r); !k.empty()) keys.insert(k);
    std::string script;
    for (const auto& k : keys) {
        std::string q = posix_quote(k);
        script += "n=$(auditctl -l -k " + q +
                  " 2>/dev/null | grep -c -v '^No rules'); if [ \"$n\" -gt 0 ] && auditctl -D -k " +
                  q + " >/dev/null; then echo \"attest-stale $n \"" + q + "; fi\n";
    }
    return script;
}

constexpr const char* kAuditPid =
    "st() { auditctl -s 2>/dev/null | awk '$1 == \"pid\" {print $2}'; }\n";

}  // namespace

AuditCoverage AuditCoverage::parse(const std::string& list) {
    AuditCoverage c;
    std::istringstream in(list);
    for (std::string line; std::getline(in, line);) {
        auto ws = words(line);
        if (ws.size() >= 2 && ws[0] == "-w") c.watches.push_back(ws[1]);
        if (ws.size() < 2 || ws[0] != "-a" || ws[1].rfind("never", 0) == 0 ||
            ws[1].find("never") != std::string::npos)
            continue;
        for (std::size_t i = 2; i + 1 < ws.size(); ++i) {
            if (ws[i] != "-S") continue;
            std::istringstream names(ws[i + 1]);
            for (std::string n; std::getline(names, n, ',');) c.syscalls.insert(n);
        }
    }
    return c;
}

bool AuditCoverage::logs_syscall(const std::string& name) const {
    return syscalls.count(name) > 0 || syscalls.count("all") > 0;
}

bool AuditCoverage::watches_path(std::string_view path) const {
    for (const auto& w : watches) {
        std::string_view dir = w;
        while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
        if (path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir &&
                            (dir == "/" || path[dir.size()] == '/')))
            return true;
    }
    return false;
}

std::string audit_not_logged_reason(const expectations::ExpectationSpec& spec,
                                    const AuditCoverage& coverage) {
    std::istringstream in(spec.query);
    std::string category;
    in >> category;
    auto any_of = [&](std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (coverage.logs_syscall(n)) return true;
        return false;
    };
    if (category == "process" && !any_of({"execve", "execveat"}))
        return "the loaded audit rules log no execve (auditctl -l): process starts are not "
               "collected";
    if (category == "network" && !any_of({"connect", "accept", "accept4", "bind"}))
        return "the loaded audit rules log no connect (auditctl -l): connections are not collected";
    if (category == "file" && coverage.watches.empty() &&
        !any_of({"open", "openat", "openat2", "creat", "rename", "renameat", "unlink", "unlinkat"}))
        return "the loaded audit rules have no watch and no file syscall (auditctl -l): file "
               "events are not collected";
    return {};
}

Expected<std::vector<AuditRule>> read_audit_rules(const std::string& path) {
    std::ifstream in(path);
    if (!in) return make_error(path + ": cannot read the audit rules");
    std::vector<AuditRule> rules;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        auto hash = line.find('#');
        auto ws = words(hash == std::string::npos ? line : line.substr(0, hash));
        if (ws.empty()) continue;
        // Only rules that add something: -D, -e or -b in a lab's file would change the
        // target's audit configuration beyond what can be undone rule by rule.
        if (ws[0] != "-a" && ws[0] != "-w")
            return make_error(path + ":" + std::to_string(number) +
                              ":1: only -a and -w rules can be "
                              "provisioned (and removed again); got '" +
                              ws[0] + "'");
        if (ws.size() < 2)
            return make_error(path + ":" + std::to_string(number) + ":1: incomplete rule");
        rules.push_back(std::move(ws));
    }
    return rules;
}

std::string audit_rule_key(const AuditRule& rule) {
    for (std::size_t i = 0; i + 1 < rule.size(); ++i) {
        if (rule[i] == "-k") return rule[i + 1];
        if (rule[i] == "-F" && rule[i + 1].rfind("key=", 0) == 0) return rule[i + 1].substr(4);
    }
    return {};
}

std::string AuditProvision::stale_note() const {
    if (m_stale.empty()) return {};
    int count = 0;
    std::string keys;
    for (const auto& s : m_stale) {
        count += s.count;
        keys += (keys.empty() ? "" : ", ") + s.key;
    }
    return "removed " + std::to_string(count) + " leftover audit rule(s) keyed " + keys +
           " (loaded by a run that did not finish)";
}

Task<Expected<void>> AuditProvision::apply(Transport& t, const std::vector<AuditRule>& rules,
                                           bool start, Elevation elevation,
                                           const CancelToken& cancel) {
    // The enabled flag as found, before a daemon started here turns auditing on.
    std::string script =
        std::string(kAuditPid) +
        "echo \"attest-enabled $(auditctl -s | awk '$1 == \"enabled\" {print $2}')\"\n"
        "pid=$(st)\nif [ -z \"$pid\" ] || [ \"$pid\" = 0 ]; then\n";
    if (start)
        script +=
            "  if [ -d /run/systemd/system ]; then systemctl start auditd >&2; "
            "else mkdir -p /var/log/audit && auditd >&2; fi\n"
            "  i=0; while pid=$(st); [ -z \"$pid\" ] || [ \"$pid\" = 0 ]; do i=$((i+1)); "
            "[ $i -ge 100 ] && { echo 'auditd did not start' >&2; exit 3; }; sleep 0.1; done\n"
            "  echo \"attest-started $pid\"\n";
    else
        script +=
            "  echo 'auditd is not running (the lab starts it with start: true)' >&2; exit 3\n";
    script += "fi\nauditctl -e 1 >/dev/null || exit 3\n" + stale_removal_script(rules);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const AuditRule& ws = rules[i];
        // A watch needs its path to exist.
        if (ws.size() >= 2 && ws[0] == "-w")
            script += "[ -e " + posix_quote(ws[1]) + " ] || mkdir -p " + posix_quote(ws[1]) + "\n";
        script += "if auditctl " + quoted_words(ws) + " >/dev/null 2>&1; then echo 'attest-added " +
                  std::to_string(i) + "'; fi\n";
    }

    auto r = co_await run_elevated(t, script, elevation, cancel);
    if (!r) co_return r.error();
    if (!r->ok())
        co_return make_error("auditd provisioning failed (exit code " +
                             std::to_string(r->exit_code) + "): " + r->stderr_text.substr(0, 300));
    m_applied = true;
    m_stale.clear();
    std::istringstream out(r->stdout_text);
    for (std::string line; std::getline(out, line);) {
        if (line.rfind("attest-started ", 0) == 0)
            m_started_pid = line.substr(15);
        else if (line == "attest-enabled 0")
            m_was_disabled = true;
        else if (line.rfind("attest-stale ", 0) == 0) {
            auto ws = words(line);
            int n = 0;
            if (ws.size() == 3 &&
                std::from_chars(ws[1].data(), ws[1].data() + ws[1].size(), n).ec == std::errc{})
                m_stale.push_back({ws[2], n});
        } else if (line.rfind("attest-added ", 0) == 0) {
            std::size_t i = std::stoul(line.substr(13));
            if (i < rules.size()) m_added.push_back(rules[i]);
        }
    }
    co_return Expected<void>{};
}

Task<std::string> AuditProvision::undo(Transport& t, Elevation elevation,
                                       const CancelToken& cancel) {
    if (!m_applied || (m_added.empty() && m_started_pid.empty() && !m_was_disabled))
        co_return std::string();
    std::string script;
    for (auto it = m_added.rbegin(); it != m_added.rend(); ++it)
        script += "auditctl " + quoted_words(removal_of(*it)) + " >/dev/null 2>&1 || echo " +
                  posix_quote("could not remove: " + quoted_words(*it)) + " >&2\n";
    if (m_was_disabled) script += "auditctl -e 0 >/dev/null\n";
    if (!m_started_pid.empty())
        script += "kill " + m_started_pid + " && i=0; while kill -0 " + m_started_pid +
                  " 2>/dev/null && [ $i -lt 50 ]; do i=$((i+1)); sleep 0.1; done\n";
    auto r = co_await run_elevated(t, script, elevation, cancel);
    std::string what =
        "removed " + std::to_string(m_added.size()) + " audit rule(s)" +
        (m_was_disabled ? ", auditing disabled again" : "") +
        (m_started_pid.empty() ? "" : ", stopped auditd (pid " + m_started_pid + ")");
    if (!r)
        what = "could not undo the audit provisioning: " + r.error().message;
    else if (!r->ok() || !r->stderr_text.empty())
        what += "; " + r->stderr_text.substr(0, 300);
    forget();
    co_return what;
}

}  // namespace attest::run
