// Results JSON (`attest.results/1`, docs/results-schema.md): rendering of engine results.
// Format only; the caller writes the document where it wants.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "expectations/engine.h"

namespace attest::expectations {

inline constexpr std::string_view kResultsSchema = "attest.results/1";

// One scenario object (guid, name, technique, verdict, reason, arguments with secrets
// masked, expectations, detections). A runner adds execution / prerequisites / cleanup
// members to it with Value::set.
Value scenario_to_json(const ScenarioResult& result);

// The whole document: {"schema", "run", "totals", "scenarios"}. `run` is the caller's run
// object (id, mode, started, finished, lab, pack, attest_version, telemetry).
Value results_document(Value run, std::vector<Value> scenarios);

// A unique run id: "20261122T083000Z-3f2a".
std::string make_run_id(std::int64_t now_ns);

}  // namespace attest::expectations
