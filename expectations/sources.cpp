#include "expectations/sources.h"

namespace attest::expectations {

const std::vector<SourceInfo>& source_table() {
    static const std::vector<SourceInfo> table = {
        {"sysmon", "windows.sysmon_operational", "Sysmon for Windows (XML / EVTX)", true, false},
        {"powershell", "windows.powershell_operational",
         "PowerShell Operational log (4103 / 4104)", true, false},
        {"security", "windows.security", "Windows Security log", true, false},
        {"o365", "o365.audit", "Microsoft 365 unified audit log", false, true},
        {"mde", "m365_defender.event", "Microsoft Defender for Endpoint advanced hunting", true,
         true},
        {"auditd", "auditd.log", "Linux audit (auditd)", true, false},
        {"sysmon_linux", "sysmon_linux.log", "Sysmon for Linux (syslog)", true, false},
    };
    return table;
}

const SourceInfo* find_source(std::string_view name) {
    for (const auto& s : source_table())
        if (s.name == name) return &s;
    return nullptr;
}

const SourceInfo* source_of_dataset(std::string_view dataset) {
    for (const auto& s : source_table())
        if (s.dataset == dataset) return &s;
    return nullptr;
}

std::string source_names() {
    std::string out;
    for (const auto& s : source_table()) {
        if (!out.empty()) out += ", ";
        out += s.name;
    }
    return out;
}

}  // namespace attest::expectations
