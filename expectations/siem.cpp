#include "expectations/siem.h"

#include <cstdio>

#include "core/timeutil.h"

namespace attest::expectations {

// The names are the spec's (../shared/spec/scenarios.md, "Verdicts added for labs, coverage
// and the SIEM"): the two not-fired cases share `not_fired` and differ in `telemetry`, the two
// rule cases share `rule_missing` and differ in `rule_status`.
std::string_view verdict_name(SiemVerdict v) {
    switch (v) {
        case SiemVerdict::FiredInTime:
            return "fired";
        case SiemVerdict::FiredLate:
            return "fired_late";
        case SiemVerdict::FiredAfterCleanup:
            return "fired_after_cleanup";
        case SiemVerdict::NotFiredTelemetryPresent:
        case SiemVerdict::NotFiredTelemetryAbsent:
            return "not_fired";
        case SiemVerdict::RuleNotInstalled:
        case SiemVerdict::RuleDisabled:
            return "rule_missing";
        case SiemVerdict::Error:
            return "error";
    }
    return "?";
}

std::string_view telemetry_presence(SiemVerdict v) {
    if (v == SiemVerdict::NotFiredTelemetryPresent) return "present";
    if (v == SiemVerdict::NotFiredTelemetryAbsent) return "absent";
    return "";
}

namespace {

std::string seconds(std::int64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
    return buf;
}

// The verdict from the alerts found; nullopt when none belongs to the run.
std::optional<SiemResult> from_alerts(const SiemObservation& o,
                                      std::optional<std::int64_t> cleanup_start_ns) {
    const SiemAlert* test = nullptr;
    const SiemAlert* cleanup = nullptr;
    for (const auto& a : o.alerts) {
        bool from_cleanup =
            cleanup_start_ns && a.original_ns && *a.original_ns >= *cleanup_start_ns;
        const SiemAlert*& slot = from_cleanup ? cleanup : test;
        if (slot == nullptr || a.written_ns < slot->written_ns) slot = &a;
    }
    const SiemAlert* chosen = test != nullptr ? test : cleanup;
    if (chosen == nullptr) return std::nullopt;
    SiemResult r;
    r.alert = *chosen;
    if (chosen->original_ns) r.latency_ns = chosen->written_ns - *chosen->original_ns;
    std::string latency = r.latency_ns ? ", alert latency " + seconds(*r.latency_ns) : "";
    if (test == nullptr) {
        r.verdict = SiemVerdict::FiredAfterCleanup;
        r.reason = "the only alert's source event (" + format_iso8601(*chosen->original_ns, 3) +
                   ") is from the cleanup, which started at " +
                   format_iso8601(*cleanup_start_ns, 3);
    } else if (chosen->written_ns <= o.deadline_ns) {
        r.verdict = SiemVerdict::FiredInTime;
        r.reason = "alert written at " + format_iso8601(chosen->written_ns, 3) + latency;
    } else {
        r.verdict = SiemVerdict::FiredLate;
        r.reason = "alert written at " + format_iso8601(chosen->written_ns, 3) + ", " +
                   seconds(chosen->written_ns - o.deadline_ns) + " after the deadline (" +
                   o.deadline_basis + ")" + latency;
    }
    return r;
}

}  // namespace

SiemResult siem_verdict(const SiemObservation& o, const LocalOutcome& local,
                        std::optional<std::int64_t> cleanup_start_ns) {
    SiemResult r;
    if (!o.error.empty()) {
        r.verdict = SiemVerdict::Error;
        r.reason = o.error;
    } else if (o.rule_status == "not_installed") {
        r.verdict = SiemVerdict::RuleNotInstalled;
        r.reason = "the rules API has no rule with this rule_id";
    } else if (o.rule_status == "disabled") {
        r.verdict = SiemVerdict::RuleDisabled;
        r.reason = "the rule is installed but disabled";
    } else if (auto fired = from_alerts(o, cleanup_start_ns)) {
        r = std::move(*fired);
    } else if (local.events_seen > 0) {
        r.verdict = SiemVerdict::NotFiredTelemetryPresent;
        r.reason = "no alert after " + std::to_string(o.polls) + " poll(s), though " +
                   std::to_string(local.events_seen) + " event(s) of the rule's sources are in " +
                   "the window; locally: " + local.reason;
    } else {
        r.verdict = SiemVerdict::NotFiredTelemetryAbsent;
        r.reason = "no alert after " + std::to_string(o.polls) +
                   " poll(s), and no event of the rule's sources in the window";
    }
    r.observation = o;
    bool quiet = r.verdict == SiemVerdict::NotFiredTelemetryPresent ||
                 r.verdict == SiemVerdict::NotFiredTelemetryAbsent ||
                 r.verdict == SiemVerdict::FiredAfterCleanup;
    r.passed = local.expect_fires ? r.verdict == SiemVerdict::FiredInTime : quiet;
    return r;
}

}  // namespace attest::expectations
