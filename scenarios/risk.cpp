#include "scenarios/risk.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <functional>

#include "core/text.h"

namespace attest::scenarios {
namespace {

struct RiskInfo {
    Risk risk;
    std::string_view name;
    bool destructive;
};

constexpr std::array kRisks = {
    RiskInfo{Risk::Reboot, "reboot", true},
    RiskInfo{Risk::SecurityTampering, "security-tampering", true},
    RiskInfo{Risk::MassDeletion, "mass-deletion", true},
    RiskInfo{Risk::DiskFormat, "disk-format", true},
    RiskInfo{Risk::AccountChange, "account-change", false},
    RiskInfo{Risk::NetworkEgress, "network-egress", false},
    RiskInfo{Risk::Persistence, "persistence", false},
};

// A program's arguments, lower-cased, for matching.
struct Call {
    const ProgramUse& use;
    std::vector<std::string> args;

    bool has(std::string_view arg) const {
        return std::find(args.begin(), args.end(), arg) != args.end();
    }
    bool has_prefix(std::string_view prefix) const {
        return std::any_of(args.begin(), args.end(),
                           [&](const std::string& a) { return a.rfind(prefix, 0) == 0; });
    }
    bool mentions(std::string_view part) const {
        return std::any_of(args.begin(), args.end(),
                           [&](const std::string& a) { return a.find(part) != std::string::npos; });
    }
    bool has_any(std::initializer_list<std::string_view> set) const {
        return std::any_of(set.begin(), set.end(), [&](std::string_view s) { return has(s); });
    }
};

// One rule: a program or cmdlet (lower-case name) and what its arguments must show.
struct Rule {
    Risk risk;
    std::vector<std::string_view> names;
    std::function<bool(const Call&)> when;  // empty: always
};

bool recursive_rm_of_broad_path(const Call& c) {
    bool recursive =
        c.has_any({"-r", "-rf", "-fr", "-R", "--recursive"}) ||
        std::any_of(c.args.begin(), c.args.end(), [](const std::string& a) {
            return a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('r') != std::string::npos;
        });
    return recursive &&
           (c.has_any({"/", "/*", "~", "~/", "*", "/home", "/etc", "/usr", "/var", "/boot"}) ||
            c.has("--no-preserve-root"));
}

const std::vector<Rule>& rules() {
    static const std::vector<Rule> table = {
        {Risk::Reboot,
         {"reboot", "halt", "poweroff", "reboot.exe", "restart-computer", "stop-computer"},
         {}},
        {Risk::Reboot,
         {"shutdown", "shutdown.exe"},
         [](const Call& c) { return !c.has("/a") && !c.has("-c"); }},
        {Risk::Reboot,
         {"init", "telinit"},
         [](const Call& c) {
             return c.has_any({"0", "6"});
         }},
        {Risk::Reboot,
         {"systemctl"},
         [](const Call& c) {
             return c.has_any({"reboot", "poweroff", "halt", "kexec"});
         }},
        {Risk::SecurityTampering,
         {"iptables", "ip6tables"},
         [](const Call& c) {
             return c.has_any({"-f", "--flush", "-x", "-p"});
         }},
        {Risk::SecurityTampering, {"nft"}, [](const Call& c) { return c.has("flush"); }},
        {Risk::SecurityTampering,
         {"ufw"},
         [](const Call& c) {
             return c.has_any({"disable", "reset"});
         }},
        {Risk::SecurityTampering,
         {"setenforce"},
         [](const Call& c) {
             return c.has_any({"0", "permissive"});
         }},
        {Risk::SecurityTampering,
         {"auditctl"},
         [](const Call& c) { return c.has("-d") || (c.has("-e") && c.has("0")); }},
        {Risk::SecurityTampering,
         {"systemctl", "service"},
         [](const Call& c) {
             return c.has_any({"stop", "disable", "mask"}) &&
                    (c.mentions("audit") || c.mentions("firewall") || c.mentions("apparmor") ||
                     c.mentions("falcon") || c.mentions("defender") || c.mentions("sysmon") ||
                     c.mentions("osquery") || c.mentions("syslog"));
         }},
        {Risk::SecurityTampering,
         {"netsh.exe"},
         [](const Call& c) {
             return (c.mentions("firewall") && (c.has("off") || c.has("disable"))) ||
                    c.has("delete");
         }},
        {Risk::SecurityTampering,
         {"wevtutil.exe"},
         [](const Call& c) {
             return c.has_any({"cl", "clear-log", "sl"});
         }},
        {Risk::SecurityTampering,
         {"auditpol.exe"},
         [](const Call& c) {
             return c.has_any({"/clear", "/remove"}) || c.mentions("disable");
         }},
        {Risk::SecurityTampering,
         {"bcdedit.exe"},
         [](const Call& c) { return c.has("/set") || c.has("/deletevalue"); }},
        {Risk::SecurityTampering,
         {"fltmc.exe"},
         [](const Call& c) {
             return c.has_any({"unload", "detach"});
         }},
        {Risk::SecurityTampering,
         {"sc.exe"},
         [](const Call& c) {
             return c.has_any({"stop", "config", "delete"}) &&
                    (c.mentions("windefend") || c.mentions("sense") || c.mentions("sysmon") ||
                     c.mentions("eventlog") || c.mentions("mpssvc"));
         }},
        {Risk::SecurityTampering,
         {"set-mppreference"},
         [](const Call& c) { return c.has_prefix("-disable"); }},
        {Risk::SecurityTampering,
         {"add-mppreference"},
         [](const Call& c) { return c.has_prefix("-exclusion"); }},
        {Risk::SecurityTampering,
         {"set-netfirewallprofile"},
         [](const Call& c) { return c.mentions("false"); }},
        {Risk::SecurityTampering,
         {"clear-eventlog", "remove-eventlog", "uninstall-windowsfeature"},
         {}},
        {Risk::MassDeletion, {"rm"}, recursive_rm_of_broad_path},
        {Risk::MassDeletion,
         {"vssadmin.exe", "wbadmin.exe"},
         [](const Call& c) { return c.has("delete") || c.has("resize"); }},
        {Risk::MassDeletion,
         {"wmic.exe"},
         [](const Call& c) { return c.has("shadowcopy") && c.has("delete"); }},
        {Risk::MassDeletion, {"cipher.exe"}, [](const Call& c) { return c.has_prefix("/w"); }},
        {Risk::MassDeletion, {"shred", "srm"}, {}},
        {Risk::MassDeletion,
         {"find"},
         [](const Call& c) {
             return c.has("-delete") && c.has_any({"/", "/home", "~"});
         }},
        {Risk::DiskFormat,
         {"wipefs", "fdisk", "sfdisk", "parted", "sgdisk", "diskpart.exe", "format.com",
          "format-volume", "clear-disk", "initialize-disk"},
         {}},
        {Risk::DiskFormat,
         {"dd"},
         [](const Call& c) { return c.has_prefix("of=/dev/") && !c.has("of=/dev/null"); }},
        {Risk::AccountChange,
         {"useradd", "userdel", "usermod", "adduser", "deluser", "passwd", "chpasswd", "groupadd",
          "groupdel", "groupmod", "gpasswd", "sysadminctl", "chage"},
         {}},
        {Risk::AccountChange,
         {"dscl"},
         [](const Call& c) {
             return c.has_any({"-create", "-delete", "-passwd", "-append"});
         }},
        {Risk::AccountChange,
         {"net.exe", "net1.exe"},
         [](const Call& c) {
             return (c.has("user") || c.has("localgroup") || c.has("group")) &&
                    (c.has("/add") || c.has("/delete") || c.args.size() >= 3);
         }},
        {Risk::AccountChange,
         {"new-localuser", "remove-localuser", "set-localuser", "disable-localuser",
          "add-localgroupmember", "remove-localgroupmember", "set-adaccountpassword",
          "add-adgroupmember", "remove-adgroupmember", "new-aduser", "remove-aduser",
          "disable-adaccount"},
         {}},
        {Risk::Persistence,
         {"crontab", "at", "at.exe", "new-service", "register-scheduledtask", "new-scheduledtask",
          "new-scheduledtaskaction", "register-wmievent", "set-wmiinstance"},
         [](const Call& c) { return !c.has("-l") && !c.has("/query"); }},
        {Risk::Persistence, {"systemctl"}, [](const Call& c) { return c.has("enable"); }},
        {Risk::Persistence,
         {"schtasks.exe"},
         [](const Call& c) { return c.has("/create") || c.has("/change"); }},
        {Risk::Persistence, {"sc.exe"}, [](const Call& c) { return c.has("create"); }},
        {Risk::Persistence,
         {"reg.exe", "set-itemproperty", "new-itemproperty"},
         [](const Call& c) {
             return !c.has("query") &&
                    (c.mentions("currentversion\\run") || c.mentions("winlogon") ||
                     c.mentions("image file execution options") || c.mentions("control\\lsa") ||
                     c.mentions("currentcontrolset\\services"));
         }},
        {Risk::Persistence,
         {"netsh.exe"},
         [](const Call& c) { return c.has("add") && c.has("helper"); }},
    };
    return table;
}

// Written paths that make a test persistent whatever program wrote them.
bool persistent_path(std::string_view path) {
    std::string p = ascii_lowercase(path);
    for (std::string_view part :
         {"/etc/cron", "/var/spool/cron", "/etc/systemd/system", "/etc/init.d", "/etc/rc.local",
          "/etc/profile", ".bashrc", ".bash_profile", ".profile", ".zshrc", "authorized_keys",
          "/etc/ld.so.preload", "\\start menu\\programs\\startup", "launchagents", "launchdaemons"})
        if (p.find(part) != std::string::npos) return true;
    return false;
}

bool loopback_host(std::string_view host) {
    std::string h = ascii_lowercase(host);
    return h.empty() || h == "localhost" || h.rfind("127.", 0) == 0 || h == "[::1]" || h == "::1" ||
           h == "0.0.0.0" || h.find("#{") != std::string::npos;
}

// The host of the first URL in `text` that points beyond loopback, or "".
std::string egress_url(std::string_view text) {
    for (std::size_t at = text.find("://"); at != std::string_view::npos;
         at = text.find("://", at + 3)) {
        std::size_t begin = at + 3;
        std::size_t end = begin;
        while (end < text.size() && !std::strchr("/:?#\"' \t\r\n)`;|&", text[end])) ++end;
        if (text.substr(begin, 1) == "[") end = std::min(text.find(']', begin) + 1, text.size());
        std::string_view host = text.substr(begin, end - begin);
        if (at >= 4 && ascii_lowercase(text.substr(at - 4, 4)) == "file") continue;
        if (!loopback_host(host)) return std::string(host);
    }
    return {};
}

// A network tool given a host beyond loopback (`nc 10.0.0.5 4444`, `ssh user@host`,
// `Resolve-DnsName x.example.com`).
bool network_tool_egress(const ProgramUse& use) {
    static constexpr std::array<std::string_view, 17> tools = {"nc",
                                                               "ncat",
                                                               "netcat",
                                                               "ssh",
                                                               "scp",
                                                               "sftp",
                                                               "ftp",
                                                               "telnet",
                                                               "ping",
                                                               "ping.exe",
                                                               "nslookup",
                                                               "nslookup.exe",
                                                               "dig",
                                                               "host",
                                                               "resolve-dnsname",
                                                               "test-netconnection",
                                                               "send-mailmessage"};
    if (std::find(tools.begin(), tools.end(), use.name) == tools.end()) return false;
    for (const std::string& a : use.args) {
        if (a.empty() || a[0] == '-' || a[0] == '/' || a.find("#{") != std::string::npos) continue;
        std::string_view host = a;
        if (std::size_t at = host.rfind('@'); at != std::string_view::npos)
            host.remove_prefix(at + 1);
        if (std::size_t colon = host.find(':');
            colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos)
            host = host.substr(0, colon);
        bool hostlike =
            host.find('.') != std::string_view::npos || host.find(':') != std::string_view::npos;
        if (hostlike && !loopback_host(host)) return true;
    }
    return false;
}

std::string describe(const ProgramUse& use) {
    std::string out = "`" + use.program;
    for (const std::string& a : use.args) {
        if (out.size() > 60) {
            out += " ...";
            break;
        }
        out += " " + a;
    }
    return out + "` (line " + std::to_string(use.line) + ")";
}

void add(std::vector<RiskTag>& tags, Risk risk, std::string reason) {
    for (const RiskTag& t : tags)
        if (t.risk == risk) return;
    tags.push_back({risk, std::move(reason)});
}

void match_rules(const std::vector<ProgramUse>& uses, std::vector<RiskTag>& tags) {
    for (const ProgramUse& use : uses) {
        Call call{use, {}};
        for (const std::string& a : use.args) call.args.push_back(ascii_lowercase(a));
        for (const Rule& rule : rules()) {
            if (std::find(rule.names.begin(), rule.names.end(), use.name) == rule.names.end())
                continue;
            if (!rule.when || rule.when(call)) add(tags, rule.risk, describe(use));
        }
    }
}

}  // namespace

std::string_view risk_name(Risk risk) {
    for (const RiskInfo& r : kRisks)
        if (r.risk == risk) return r.name;
    return "unknown";
}

std::optional<Risk> parse_risk(std::string_view name) {
    std::string n = ascii_lowercase(name);
    for (const RiskInfo& r : kRisks)
        if (r.name == n) return r.risk;
    return std::nullopt;
}

bool is_destructive(Risk risk) {
    for (const RiskInfo& r : kRisks)
        if (r.risk == risk) return r.destructive;
    return false;
}

std::string risk_names() {
    std::string out;
    for (const RiskInfo& r : kRisks) out += (out.empty() ? "" : ", ") + std::string(r.name);
    return out;
}

std::vector<RiskTag> derive_risks(const CommandAnalysis& analysis, std::string_view text) {
    std::vector<RiskTag> tags;
    match_rules(analysis.programs, tags);
    match_rules(analysis.cmdlets, tags);
    for (const std::string& path : analysis.written_paths)
        if (persistent_path(path)) add(tags, Risk::Persistence, "writes `" + path + "`");
    if (std::string host = egress_url(text); !host.empty())
        add(tags, Risk::NetworkEgress, "a URL to `" + host + "`");
    for (const auto* uses : {&analysis.programs, &analysis.cmdlets})
        for (const ProgramUse& use : *uses)
            if (network_tool_egress(use)) add(tags, Risk::NetworkEgress, describe(use));
    std::sort(tags.begin(), tags.end(),
              [](const RiskTag& a, const RiskTag& b) { return a.risk < b.risk; });
    return tags;
}

}  // namespace attest::scenarios
