// The `elastic` acquisition: a scenario's telemetry window read back from Elasticsearch, for
// labs whose agents already ship there. The documents are ECS already, so each hit's _source
// takes the path an ECS NDJSON file takes through `attest events` (the ndjson collector's
// decoding, then the profile's vocabulary; the source is inferred from event.dataset the same
// way). Paging is a point in time + search_after sorted on @timestamp (net::HitPager), one page
// in memory at a time, so a window of any size streams into the one time-ordered stream.
//
//   lab file:  sources: {sysmon: {elastic: {url, index, host_field, ca_file | ca_fingerprint}}}
//   commands:  attest check --elastic URL --index PATTERN --from ISO --to ISO
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/expected.h"
#include "net/elastic_client.h"
#include "telemetry/stream.h"

namespace attest::telemetry {

// Where a source's documents live (the lab's `elastic:` of a source, or the command line).
// Credentials come from the environment (net::ElasticConfig's variables), never from here.
struct ElasticSource {
    net::ElasticConfig connection;
    std::string index;  // index pattern(s), comma-separated
    std::string host_field = "host.name";
    std::string host;  // only documents whose host_field is this (a lab: the target's host)
    std::size_t page_size = 1000;
};

// One window of it: ISO-8601 bounds, inclusive; either may be empty (open).
struct ElasticWindow {
    std::string from;
    std::string to;
};

// The Query DSL of a window: a bool filter of the @timestamp range and the host term.
nlohmann::ordered_json elastic_window_query(const ElasticSource& source,
                                            const ElasticWindow& window);

// A collector over the window's documents, oldest first; connection and paging errors are
// reported to `sink` under `origin` and end the events.
Expected<std::unique_ptr<Collector>> open_elastic_window(const ElasticSource& source,
                                                         const ElasticWindow& window,
                                                         const std::string& origin,
                                                         DiagnosticSink& sink);

// The window as an input of the stream (collector "ndjson", the profile's vocabulary applied).
StreamInput elastic_window_input(const ElasticSource& source, const ElasticWindow& window,
                                 const StreamOptions& options);

// Writes the window's _source documents to `path` as NDJSON (what live collection hands the
// ndjson collector); returns how many.
Expected<std::uint64_t> write_elastic_window(const ElasticSource& source,
                                             const ElasticWindow& window, const std::string& path);

// Pushdown: the window's documents that EQL `queries` match, asked of Elasticsearch
// (_eql/search with the window's filter, at most `size` hits or sequences per query), each
// document once (by index and id), oldest first.
Expected<std::shared_ptr<std::vector<Event>>> elastic_matched_documents(
    const ElasticSource& source, const ElasticWindow& window,
    const std::vector<std::string>& queries, std::size_t size);

// Documents already fetched as an input of the stream, read as the window is (collector
// "ndjson", the profile's vocabulary applied).
StreamInput elastic_documents_input(std::string name,
                                    std::shared_ptr<const std::vector<Event>> documents,
                                    const StreamOptions& options);

// "https://host:9200 logs-*": how the window names itself in statistics and messages.
std::string elastic_origin(const ElasticSource& source);

}  // namespace attest::telemetry
