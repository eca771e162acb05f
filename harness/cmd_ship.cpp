// attest ship: normalize telemetry files like `attest events` and bulk-index them into
// Elasticsearch, so deployed rules see lab activity where no agent ships it.
#include <cstdio>
#include <string>

#include "core/collector.h"
#include "harness/elastic_cli.h"
#include "telemetry/live/elastic_ship.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest ship --elastic URL --index TARGET [--source FORMAT] [--profile P]\n"
    "                   [--max-request-mb N] FILE...\n\n"
    "Normalizes the files to ECS events (as 'attest events' does) and indexes them into TARGET\n"
    "(a data stream such as logs-windows.sysmon_operational-lab, or an index) with _bulk\n"
    "'create' actions, a few MB per request (default 5). Items refused with 429 are sent again\n"
    "with backoff; other refusals are reported on stderr by input position (FILE: event N) and\n"
    "counted. Data streams refuse documents without @timestamp.\n\n"
    "Exit codes: 0 every document indexed, 1 some refused, 2 usage, input or connection error.\n\n";

int run_ship(const std::vector<std::string>& args) {
    Options opts;
    declare_elastic_options(opts).option("index").option("source").option("profile").option(
        "max-request-mb");
    opts.parse(args);
    if (!opts.has("index")) throw UsageError{"--index TARGET is required"};
    if (opts.positionals().empty()) throw UsageError{"no input files"};
    std::string index = *opts.get("index");
    if (index.find_first_of("*,") != std::string::npos)
        throw UsageError{"--index names one target, not a pattern"};
    std::size_t max_bytes = size_option(opts, "max-request-mb", 5) << 20;
    Profile profile = profile_option(opts).value_or(Profile::Sysmon);
    std::string source = source_option(opts);
    auto client = elastic_connect(opts);
    if (!client) {
        std::fprintf(stderr, "attest ship: %s\n", client.error().message.c_str());
        return kExitUsage;
    }

    telemetry::ShipOptions sopts;
    sopts.index = index;
    sopts.profile = profile;
    sopts.max_request_bytes = max_bytes;
    std::vector<telemetry::ShipInput> inputs;
    for (const auto& p : opts.positionals()) inputs.push_back({p, source});
    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    auto shipped = telemetry::ship_files(*client, inputs, sopts, sink);
    if (!shipped) {
        std::fprintf(stderr, "attest ship: %s\n", shipped.error().message.c_str());
        return kExitUsage;
    }
    for (const auto& e : shipped->input_errors) std::fprintf(stderr, "%s\n", e.c_str());
    for (const auto& r : shipped->refusals)
        std::fprintf(stderr, "attest ship: %s: event %llu: refused: HTTP %d %s\n", r.file.c_str(),
                     static_cast<unsigned long long>(r.event), r.status, r.reason.c_str());
    if (shipped->refused > shipped->refusals.size())
        std::fprintf(stderr, "attest ship: %llu more refusals (only the first %zu are listed)\n",
                     static_cast<unsigned long long>(shipped->refused - shipped->refusals.size()),
                     shipped->refusals.size());
    std::fprintf(stderr,
                 "attest ship: %llu documents indexed into %s, %llu refused (%llu bulk requests)\n",
                 static_cast<unsigned long long>(shipped->indexed), index.c_str(),
                 static_cast<unsigned long long>(shipped->refused),
                 static_cast<unsigned long long>(shipped->requests));
    if (!shipped->input_errors.empty()) return kExitUsage;
    return shipped->refused > 0 ? kExitFailed : kExitOk;
}

}  // namespace

Command ship_command() {
    return Command{"ship", "index telemetry files into Elasticsearch (_bulk)",
                   std::string(kHelp) + kElasticConnectionHelp, run_ship};
}

}  // namespace attest::cli
