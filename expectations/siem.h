// The SIEM's side of a detection (`siem: elastic` in a pack): what a run learned from the
// deployed detection engine (its alerts, the rule's status) and the verdict that follows,
// next to the local engine's. The runner gathers the observation (harness/siem_watch.h); the
// verdict is decided here so that every reader of results.json sees one rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attest::expectations {

// One alert document of the detection's rule about the run's host.
struct SiemAlert {
    std::string id;                           // the alert document's _id
    std::int64_t written_ns = 0;              // @timestamp: when the detection engine wrote it
    std::optional<std::int64_t> original_ns;  // kibana.alert.original_time: the source event
};

// What a run saw of one detection in the SIEM.
struct SiemObservation {
    std::string siem = "elastic";
    std::string error;  // the SIEM could not be asked (configuration, connection, answer)
    // From the rules API when a Kibana URL is given: "enabled", "disabled", "not_installed";
    // empty: not asked.
    std::string rule_status;
    std::int64_t deadline_ns = 0;  // alerts written after it are late
    std::string deadline_basis;    // where the deadline came from (pack, lab, rule schedule)
    int polls = 0;
    std::vector<SiemAlert> alerts;  // in @timestamp order
};

enum class SiemVerdict {
    FiredInTime,
    FiredLate,          // written after the deadline: kept as evidence, not passed
    FiredAfterCleanup,  // only alerts whose source event is from the cleanup
    NotFiredTelemetryPresent,
    NotFiredTelemetryAbsent,
    RuleNotInstalled,
    RuleDisabled,
    Error,
};
std::string_view verdict_name(SiemVerdict v);
// For the not-fired verdicts, whether the rule's sources had events in the window ("present",
// "absent"); "" for the others.
std::string_view telemetry_presence(SiemVerdict v);

struct SiemResult {
    SiemObservation observation;
    SiemVerdict verdict = SiemVerdict::Error;
    bool passed = false;
    std::string reason;
    std::optional<SiemAlert> alert;          // the alert the verdict rests on
    std::optional<std::int64_t> latency_ns;  // alert @timestamp - original_time
};

// What the local engine said about the same detection, as the SIEM verdict needs it.
struct LocalOutcome {
    bool expect_fires = true;
    std::uint64_t events_seen = 0;  // events of the rule's sources in the window
    std::string reason;             // the local verdict's reason (near misses)
};

// Decides the SIEM verdict. `cleanup_start_ns`: alerts whose source event is at or after it
// were raised by the cleanup.
SiemResult siem_verdict(const SiemObservation& observation, const LocalOutcome& local,
                        std::optional<std::int64_t> cleanup_start_ns);

}  // namespace attest::expectations
