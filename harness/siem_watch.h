// Detections checked in the SIEM (`siem: elastic` in a pack): after a scenario's execution the
// run asks Elastic Security whether the deployed rule raised its alert for the target's host,
// polling the alerts index until the alert appears or the deadline (plus the lab's late grace)
// passes, and asks Kibana's rules API whether the rule is installed and enabled. The verdict
// is decided by the expectations engine (expectations/siem.h) from what is gathered here.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "expectations/engine.h"
#include "harness/lab.h"
#include "harness/transport_process.h"

namespace attest::run {

struct SiemWatch {
    const SiemElasticConfig* config = nullptr;  // null: the lab configures no SIEM
    std::string host;                           // the target's name in the SIEM
    std::int64_t start_ns = 0;                  // execution start: alerts from its window on
    std::int64_t end_ns = 0;                    // execution end: deadlines count from it
    std::optional<std::int64_t> cleanup_start_ns;
    // Progress lines (never carrying credentials).
    std::function<void(const std::string&)> progress;
};

// Observations for the detections of `checks` marked `siem:`, by rule_id (empty when none
// is). Polls are bounded by the lab's max_polls and deadline + late_grace, and stop at the
// first cancellation level.
Task<std::map<std::string, expectations::SiemObservation>> watch_siem(
    const expectations::ScenarioChecks& checks, const SiemWatch& watch, const CancelToken& cancel);

// The query of a rule's alerts about one host written from `from` on (Query DSL): what
// `attest alerts` and the run both send.
nlohmann::ordered_json alert_query(const std::string& rule_id, const std::string& from,
                                   const std::string& to, const std::string& host_field,
                                   const std::string& host);

}  // namespace attest::run
