// Shipping telemetry to Elasticsearch: files normalized exactly as `attest events` prints them
// (the collector registry, then the profile's vocabulary) and indexed with _bulk `create`
// actions, a few MB per request. Items refused with 429 are sent again with the client's
// backoff; other refusals are kept by input position. `attest ship` and a run's `ship:` lab
// option (harness/run_ship.*) both go through here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/expected.h"
#include "net/elastic_client.h"

namespace attest::telemetry {

struct ShipInput {
    std::string path;
    std::string collector;  // a CollectorRegistry name; empty: detected from content
};

struct ShipOptions {
    std::string index;  // one target (a data stream or an index), not a pattern
    Profile profile = Profile::Sysmon;
    std::size_t max_request_bytes = std::size_t(5) << 20;
    CollectorOptions collector;
    std::size_t keep_refusals = 100;  // refusals kept with their reason; the rest are counted
};

struct ShipRefusal {
    std::string file;
    std::uint64_t event = 0;  // 1-based position of the event in its file
    int status = 0;
    std::string reason;
};

struct ShipResult {
    std::uint64_t indexed = 0;
    std::uint64_t refused = 0;
    std::uint64_t requests = 0;             // _bulk requests sent (retries included)
    std::vector<ShipRefusal> refusals;      // the first keep_refusals, in input order
    std::vector<std::string> input_errors;  // files that could not be opened
};

// Ships every input in order. An error is a connection or protocol failure (documents sent
// before it stay indexed); refusals and unreadable inputs are in the result.
Expected<ShipResult> ship_files(net::ElasticClient& client, const std::vector<ShipInput>& inputs,
                                const ShipOptions& options, DiagnosticSink& sink);

}  // namespace attest::telemetry
