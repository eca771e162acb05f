// The lab's `ship: {elastic: ...}` option: after a scenario's collection, its collected
// telemetry is normalized and indexed into Elasticsearch as `attest ship` does it
// (telemetry/live/elastic_ship.h), one target per source ({dataset} in the index name), so the
// deployed rules see lab activity where no agent ships it. Shipping never fails the run: its
// outcome, refusals and errors included, is recorded in results.json (collection.shipped) and
// shown in the report.
#pragma once

#include <string>
#include <vector>

#include "core/value.h"
#include "harness/lab.h"
#include "harness/transport_process.h"

namespace attest::run {

struct CollectedFile {
    std::string source;     // the source's name (sysmon, auditd, ...)
    std::string collector;  // the collector that reads the file
    std::string path;
};

// The target index of a source: `pattern` with {dataset} replaced by its main dataset.
std::string ship_index(const std::string& pattern, const std::string& source);

// Ships the files (blocking HTTPS, on the blocking pool) and returns collection.shipped:
// [{"source","index","indexed","refused","refusals":[{"event","status","reason"}],"error"}].
Task<Value> ship_collected(const ShipElasticConfig& config, std::vector<CollectedFile> files);

}  // namespace attest::run
