// attest ship: normalize telemetry files like `attest events` and bulk-index them into
// Elasticsearch, so deployed rules see lab activity where no agent ships it.
#include <cstdio>
#include <string>
#include <thread>

#include "core/collector.h"
#include "core/json_buffer.h"
#include "harness/elastic_cli.h"
#include "telemetry/open.h"

namespace attest::cli {
namespace {

using ojson = nlohmann::ordered_json;

const char* kHelp =
    "usage: attest ship --elastic URL --index TARGET [--source FORMAT] [--profile P]\n"
    "                   [--max-request-mb N] FILE...\n\n"
    "Normalizes the files to ECS events (as 'attest events' does) and indexes them into TARGET\n"
    "(a data stream such as logs-windows.sysmon_operational-lab, or an index) with _bulk\n"
    "'create' actions, a few MB per request (default 5). Items refused with 429 are sent again\n"
    "with backoff; other refusals are reported on stderr by input position (FILE: event N) and\n"
    "counted. Data streams refuse documents without @timestamp.\n\n"
    "Exit codes: 0 every document indexed, 1 some refused, 2 usage, input or connection error.\n\n";

// Where a document came from, to report a refusal by input position.
struct Origin {
    std::size_t file;
    std::uint64_t event;  // 1-based within the file
};

// One _bulk request being built: NDJSON (action line + document per item) and, per item, its
// offset in the body and its origin.
struct Batch {
    JsonBuffer body;  // reused: its capacity stays at the request size
    std::vector<std::size_t> offsets;
    std::vector<Origin> origins;
    std::size_t size() const { return offsets.size(); }
    std::string_view item(std::size_t i) const {
        std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : body.size();
        return body.view().substr(offsets[i], end - offsets[i]);
    }
    void clear() {
        body.clear();
        offsets.clear();
        origins.clear();
    }
};

class Shipper {
public:
    Shipper(net::ElasticClient& client, const std::vector<std::string>& paths)
        : m_client(client), m_paths(paths) {}

    // Sends the batch; 429 items again (bounded by the client's retry policy). False on a
    // connection or protocol error (already printed).
    bool send(const Batch& batch) {
        std::string again_body;  // the items refused with 429, sent again
        std::string_view body = batch.body.view();
        std::vector<std::size_t> items(batch.size());
        for (std::size_t i = 0; i < items.size(); ++i) items[i] = i;
        const auto& policy = m_client.retry();
        for (int round = 1; !items.empty(); ++round) {
            auto rejected = m_client.bulk(body, items.size());
            if (!rejected) {
                std::fprintf(stderr, "attest ship: %s\n", rejected.error().message.c_str());
                return false;
            }
            std::vector<std::size_t> again;
            for (const auto& r : *rejected) {
                if (r.status == 429 && round < policy.max_attempts)
                    again.push_back(items[r.item]);
                else
                    report(batch.origins[items[r.item]], r);
            }
            m_indexed += items.size() - rejected->size();
            if (again.empty()) break;
            std::this_thread::sleep_for(policy.backoff(round, ""));
            again_body.clear();
            for (std::size_t i : again) again_body += batch.item(i);
            body = again_body;
            items = std::move(again);
        }
        return true;
    }
    std::uint64_t indexed() const { return m_indexed; }
    std::uint64_t rejected() const { return m_rejected; }

private:
    void report(const Origin& o, const net::BulkRejection& r) {
        if (++m_rejected <= 100)
            std::fprintf(stderr, "attest ship: %s: event %llu: refused: HTTP %d %s\n",
                         m_paths[o.file].c_str(), static_cast<unsigned long long>(o.event),
                         r.status, r.reason.c_str());
        else if (m_rejected == 101)
            std::fprintf(stderr,
                         "attest ship: more refusals follow; only their count is printed\n");
    }

    net::ElasticClient& m_client;
    const std::vector<std::string>& m_paths;
    std::uint64_t m_indexed = 0, m_rejected = 0;
};

Profile profile_option(const Options& opts) {
    if (auto p = opts.get("profile")) {
        auto prof = parse_profile(*p);
        if (!prof) throw UsageError{prof.error().message};
        return *prof;
    }
    return Profile::Sysmon;
}

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
    CollectorOptions copts;
    Profile profile = profile_option(opts);
    std::string source = opts.get_or("source", "");
    const auto& registry = CollectorRegistry::builtin();
    if (!source.empty() && registry.find(source) == nullptr)
        throw UsageError{"unknown source '" + source + "' (known: " + registry.names() + ")"};
    auto client = elastic_connect(opts);
    if (!client) {
        std::fprintf(stderr, "attest ship: %s\n", client.error().message.c_str());
        return kExitUsage;
    }

    const std::string action = "{\"create\":{\"_index\":" + ojson(index).dump() + "}}\n";
    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    const auto& paths = opts.positionals();
    Shipper shipper(*client, paths);
    Batch batch;
    bool input_error = false;
    for (std::size_t f = 0; f < paths.size(); ++f) {
        auto collector = telemetry::open_telemetry(paths[f], source, copts, profile, sink);
        if (!collector) {
            std::fprintf(stderr, "%s\n", collector.error().message.c_str());
            input_error = true;
            continue;
        }
        Event e;
        std::uint64_t n = 0;
        while ((*collector)->next(e)) {
            batch.offsets.push_back(batch.body.size());
            batch.origins.push_back(Origin{f, ++n});
            batch.body.append(action);
            e.append_json(batch.body);
            batch.body.push_back('\n');
            if (batch.body.size() < max_bytes) continue;
            if (!shipper.send(batch)) return kExitUsage;
            batch.clear();
        }
    }
    if (batch.size() > 0 && !shipper.send(batch)) return kExitUsage;
    std::fprintf(stderr,
                 "attest ship: %llu documents indexed into %s, %llu refused (%llu bulk requests)\n",
                 static_cast<unsigned long long>(shipper.indexed()), index.c_str(),
                 static_cast<unsigned long long>(shipper.rejected()),
                 static_cast<unsigned long long>(client->requests()));
    if (input_error) return kExitUsage;
    return shipper.rejected() > 0 ? kExitFailed : kExitOk;
}

}  // namespace

Command ship_command() {
    return Command{"ship", "index telemetry files into Elasticsearch (_bulk)",
                   std::string(kHelp) + kElasticConnectionHelp, run_ship};
}

}  // namespace attest::cli
