// The command-line side of the Elasticsearch client: the connection options every --elastic
// command shares, and the --elastic paths of `attest query` and `attest events` (kept here so
// those commands only branch to them).
#pragma once

#include <string>
#include <vector>

#include "harness/cli.h"
#include "net/elastic_client.h"
#include "telemetry/live/elastic_window.h"

namespace attest::cli {

// True when the arguments ask for the Elasticsearch path (--elastic URL / --elastic=URL).
bool elastic_requested(const std::vector<std::string>& args);

// --elastic URL, --ca-file FILE, --ca-fingerprint HEX, --timeout SECONDS.
Options& declare_elastic_options(Options& opts);
net::ElasticConfig elastic_config(const Options& opts);
Expected<net::ElasticClient> elastic_connect(const Options& opts);

// A window of documents (`attest events --elastic`, `attest check --elastic`): the connection
// options plus --index PATTERN, --from/--to ISO, --host NAME, --host-field F, --page-size N.
Options& declare_elastic_window_options(Options& opts);
struct ElasticWindowOptions {
    telemetry::ElasticSource source;
    telemetry::ElasticWindow window;
};
ElasticWindowOptions elastic_window_options(const Options& opts);
extern const char* const kElasticWindowHelp;

// An ISO-8601 option value, normalized to UTC milliseconds ("" when absent); usage error when
// it is not a date.
std::string iso_option(const Options& opts, const std::string& name);

// Exports the matching documents of `index` (point in time + search_after) and prints their
// _source as NDJSON; returns how many were printed.
Expected<std::uint64_t> print_sources(net::ElasticClient& client, const std::string& index,
                                      const nlohmann::ordered_json& query, std::size_t page_size);

// A count option from 1 to 1000000, or `fallback` when absent.
std::size_t size_option(const Options& opts, const std::string& name, std::size_t fallback);

// The help paragraph about connection options and credentials, shared by the commands.
extern const char* const kElasticConnectionHelp;
// The --elastic forms of `attest query` and `attest events`, appended to their help.
extern const char* const kElasticQueryHelp;
extern const char* const kElasticEventsHelp;

int run_elastic_query(const std::vector<std::string>& args);
int run_elastic_events(const std::vector<std::string>& args);

}  // namespace attest::cli
