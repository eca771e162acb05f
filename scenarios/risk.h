// Risk tags: what running a test could do to the lab target, derived from its substituted
// commands (scenarios/command_text.h) and platform, plus what a pack declares. A lab says
// which risks it allows; a target that cannot revert to a snapshot refuses destructive ones.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/command_text.h"

namespace attest::scenarios {

enum class Risk {
    Reboot,             // reboot, shutdown, halt
    SecurityTampering,  // firewall flush/disable, audit or AV disabled, logs cleared
    MassDeletion,       // recursive deletes of broad paths, shadow copies deleted
    DiskFormat,         // mkfs, dd to a device, diskpart, Format-Volume
    AccountChange,      // users or groups added, removed, passwords changed
    NetworkEgress,      // traffic to a host beyond loopback
    Persistence,        // cron, services, scheduled tasks, Run keys, shell profiles
};

std::string_view risk_name(Risk risk);  // "reboot", "security-tampering", ...
std::optional<Risk> parse_risk(std::string_view name);
// "destructive" names the risks a target must be able to undo by a snapshot revert.
bool is_destructive(Risk risk);
// Every risk name, for messages ("reboot, security-tampering, ...").
std::string risk_names();

struct RiskTag {
    Risk risk;
    std::string reason;  // what gave it: "`shutdown -r now` (line 2)", "declared by the pack"
};

// The risks of one command text (already analyzed), each with its first reason, in the
// order of the Risk enum.
std::vector<RiskTag> derive_risks(const CommandAnalysis& analysis, std::string_view text);

}  // namespace attest::scenarios
