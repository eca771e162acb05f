// What a Windows target's Sysmon is configured to log, read at preflight from the active
// configuration as `Sysmon64 -c` prints it (header switches such as "Network connection:
// disabled", then one " - EventType  onmatch: include|exclude" line per rule group with its
// filters indented under it, or "No rules installed" for the default configuration). An
// expectation whose event IDs the configuration cannot log is not_collected with the reason,
// never missing (RunFacts.not_logged, as for auditd's loaded rules in sensors.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "expectations/spec.h"

namespace attest::run {

struct SysmonCoverage {
    bool known = false;              // a configuration was read
    std::map<int, std::string> off;  // event ID -> why the configuration does not log it

    static SysmonCoverage parse(std::string_view sysmon_c_output);
};

// The Sysmon event IDs a query names (event.code == "11", event.code in ("1", "7"), ...), or,
// for a query that names none, those its event category stands for (library: 7, registry:
// 12-14); empty when neither tells.
std::vector<int> sysmon_event_ids(std::string_view query);

// Why `spec` (a sysmon expectation) cannot be logged under `coverage`: every event ID it can
// match is off. Empty when it can be, or nobody knows.
std::string sysmon_not_logged_reason(const expectations::ExpectationSpec& spec,
                                     const SysmonCoverage& coverage);

// PowerShell that prints the active configuration of the installed Sysmon service (Sysmon64
// or Sysmon, in %SystemRoot%); exits 3 when there is none.
extern const char* const kSysmonConfigScript;

}  // namespace attest::run
