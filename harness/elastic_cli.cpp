#include "harness/elastic_cli.h"

#include <cstdio>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/eql/rule.h"

namespace attest::cli {

using ojson = nlohmann::ordered_json;

const char* const kElasticConnectionHelp =
    "connection:\n"
    "  --elastic URL             https://host:9200 (a path prefix is kept)\n"
    "  --ca-file FILE            trust this CA (PEM) besides the system store\n"
    "  --ca-fingerprint HEX      trust only a chain holding a certificate with this SHA-256\n"
    "                            fingerprint (what Elasticsearch prints at first start)\n"
    "  --timeout SECONDS         per request (default 60)\n"
    "credentials (environment only): ATTEST_ELASTIC_API_KEY (the encoded API key), or\n"
    "ATTEST_ELASTIC_USERNAME and ATTEST_ELASTIC_PASSWORD. They are never printed.\n"
    "429/502/503/504 answers are retried with exponential backoff (6 tries, 2 minutes at most).\n";

bool elastic_requested(const std::vector<std::string>& args) {
    for (const auto& a : args) {
        if (a == "--") return false;
        if (a == "--elastic" || a.rfind("--elastic=", 0) == 0) return true;
    }
    return false;
}

Options& declare_elastic_options(Options& opts) {
    return opts.option("elastic").option("ca-file").option("ca-fingerprint").option("timeout");
}

net::ElasticConfig elastic_config(const Options& opts) {
    net::ElasticConfig c;
    c.url = opts.get_or("elastic", "");
    c.trust.ca_file = opts.get_or("ca-file", "");
    c.trust.fingerprint = opts.get_or("ca-fingerprint", "");
    if (auto t = opts.get("timeout")) {
        try {
            long long s = std::stoll(*t);
            if (s <= 0) throw std::invalid_argument("");
            c.timeout = std::chrono::seconds(s);
        } catch (...) {
            throw UsageError{"--timeout takes a positive number of seconds"};
        }
    }
    return c;
}

Expected<net::ElasticClient> elastic_connect(const Options& opts) {
    if (!opts.has("elastic")) throw UsageError{"--elastic URL is required"};
    if (opts.has("ca-file") && opts.has("ca-fingerprint"))
        throw UsageError{"give --ca-file or --ca-fingerprint, not both"};
    return net::ElasticClient::connect(elastic_config(opts));
}

Options& declare_elastic_window_options(Options& opts) {
    return declare_elastic_options(opts)
        .option("index")
        .option("from")
        .option("to")
        .option("host")
        .option("host-field")
        .option("page-size");
}

ElasticWindowOptions elastic_window_options(const Options& opts) {
    if (!opts.has("elastic")) throw UsageError{"--elastic URL is required"};
    if (!opts.has("index")) throw UsageError{"--index PATTERN is required"};
    if (opts.has("ca-file") && opts.has("ca-fingerprint"))
        throw UsageError{"give --ca-file or --ca-fingerprint, not both"};
    ElasticWindowOptions w;
    w.source.connection = elastic_config(opts);
    w.source.index = *opts.get("index");
    w.source.host_field = opts.get_or("host-field", "host.name");
    w.source.host = opts.get_or("host", "");
    w.source.page_size = size_option(opts, "page-size", 1000);
    w.window.from = iso_option(opts, "from");
    w.window.to = iso_option(opts, "to");
    return w;
}

const char* const kElasticWindowHelp =
    "  --index PATTERN           index pattern(s) of the documents (comma-separated)\n"
    "  --from ISO, --to ISO      the @timestamp window (inclusive; either may be left open)\n"
    "  --host NAME               only documents of this host (--host-field, default host.name)\n"
    "  --page-size N             documents per search_after page (default 1000)\n";

std::string iso_option(const Options& opts, const std::string& name) {
    auto v = opts.get(name);
    if (!v) return "";
    auto ns = parse_iso8601_ns(*v);
    if (!ns) throw UsageError{"--" + name + " '" + *v + "' is not an ISO-8601 date"};
    return format_iso8601(*ns, 3);
}

std::size_t size_option(const Options& opts, const std::string& name, std::size_t fallback) {
    auto s = opts.get(name);
    if (!s) return fallback;
    try {
        long long n = std::stoll(*s);
        if (n <= 0 || n > 1000000) throw std::invalid_argument("");
        return static_cast<std::size_t>(n);
    } catch (...) {
        throw UsageError{"--" + name + " takes a number from 1 to 1000000"};
    }
}

const char* const kElasticQueryHelp =
    "usage: attest query --elastic URL --index PATTERN (--eql QUERY | --rule FILE)\n"
    "                    [--from ISO --to ISO] [--size N] [--event-category-field F]\n"
    "                    [--timestamp-field F] [--tiebreaker-field F]\n\n"
    "Runs the EQL query in Elasticsearch (_eql/search) over PATTERN, restricted to the\n"
    "timestamp range given, polling an async search until it completes, and prints the hits as\n"
    "the local 'attest query' does, with the stored _source documents.\n"
    "--size bounds the hits (events or sequences; default 1000, EQL has no paging).\n"
    "--index defaults to the rule's index patterns.\n";

namespace {

// The NDJSON line of one EQL hit, the local `attest query` shape.
void append_hit(std::string& out, const ojson& hit, bool sequence) {
    out += '{';
    if (sequence) {
        out += "\"join_keys\":";
        value_from_json(hit.value("join_keys", ojson::array())).append_json(out);
        out += ',';
    }
    out += "\"events\":[";
    const ojson& events = sequence ? hit.at("events") : ojson::array({hit});
    bool first = true;
    for (const auto& e : events) {
        if (!first) out += ',';
        first = false;
        if (e.value("missing", false))
            out += "{\"missing\":true}";
        else
            value_from_json(e.at("_source")).append_json(out);
    }
    out += "]}\n";
}

struct EqlRequest {
    std::string index;
    ojson body;
};

EqlRequest eql_request(const Options& opts) {
    EqlRequest r;
    std::string query;
    if (auto text = opts.get("eql")) {
        query = *text;
    } else {
        auto rule = eql::load_rule(*opts.get("rule"));
        if (!rule) throw UsageError{rule.error().message};
        if (rule->language != "eql")
            throw UsageError{*opts.get("rule") + ": a " + rule->language +
                             " rule; --elastic runs EQL rules"};
        query = rule->query;
        for (const auto& i : rule->index) r.index += (r.index.empty() ? "" : ",") + i;
    }
    r.index = opts.get_or("index", r.index);
    if (r.index.empty()) throw UsageError{"--index PATTERN is required (the rule names no index)"};
    std::string ts_field = opts.get_or("timestamp-field", "@timestamp");
    r.body = ojson{{"query", query}, {"size", size_option(opts, "size", 1000)}};
    std::string from = iso_option(opts, "from"), to = iso_option(opts, "to");
    if (!from.empty() || !to.empty()) r.body["filter"] = net::time_range_filter(ts_field, from, to);
    if (auto f = opts.get("event-category-field")) r.body["event_category_field"] = *f;
    if (opts.has("timestamp-field")) r.body["timestamp_field"] = ts_field;
    if (auto f = opts.get("tiebreaker-field")) r.body["tiebreaker_field"] = *f;
    r.body["wait_for_completion_timeout"] = "2s";
    return r;
}

}  // namespace

int run_elastic_query(const std::vector<std::string>& args) {
    Options opts;
    declare_elastic_options(opts)
        .option("index")
        .option("eql")
        .option("rule")
        .option("from")
        .option("to")
        .option("size")
        .option("event-category-field")
        .option("timestamp-field")
        .option("tiebreaker-field");
    opts.parse(args);
    if (opts.has("eql") == opts.has("rule"))
        throw UsageError{"give exactly one of --eql QUERY or --rule FILE"};
    if (!opts.positionals().empty()) throw UsageError{"--elastic takes no input files"};
    EqlRequest req = eql_request(opts);
    auto client = elastic_connect(opts);
    if (!client) {
        std::fprintf(stderr, "attest query: %s\n", client.error().message.c_str());
        return kExitUsage;
    }
    auto answer = client->eql_search(req.index, req.body, std::chrono::minutes(10));
    if (!answer) {
        std::fprintf(stderr, "attest query: %s\n", answer.error().message.c_str());
        return kExitUsage;
    }
    const ojson& hits = (*answer)["hits"];
    bool sequence = hits.contains("sequences");
    const ojson& list = sequence ? hits["sequences"] : hits.value("events", ojson::array());
    std::string out;
    try {
        for (const auto& hit : list) append_hit(out, hit, sequence);
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "attest query: malformed _eql/search hit: %s\n", e.what());
        return kExitUsage;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (answer->value("is_partial", false) || answer->value("timed_out", false))
        std::fprintf(stderr, "attest query: warning: Elasticsearch reports partial results\n");
    return list.empty() ? kExitFailed : kExitOk;
}

Expected<std::uint64_t> print_sources(net::ElasticClient& client, const std::string& index,
                                      const ojson& query, std::size_t page_size) {
    std::string out;
    std::uint64_t printed = 0;
    auto n = client.export_hits(index, query, page_size, [&](Value& hit) {
        const Value* source = hit.is_object() ? hit.get("_source") : nullptr;
        if (source == nullptr) return true;
        ++printed;
        source->append_json(out);
        out += '\n';
        if (out.size() >= (1 << 20)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
        return true;
    });
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (!n) return n.error();
    return printed;
}

const char* const kElasticEventsHelp =
    "usage: attest events --elastic URL --index PATTERN [--from ISO] [--to ISO]\n"
    "                     [--host NAME] [--host-field F] [--page-size N]\n\n"
    "Exports the documents of PATTERN in the time window (and of one host), oldest first, as\n"
    "NDJSON _source documents: a point in time, then search_after pages (default 1000).\n";

int run_elastic_events(const std::vector<std::string>& args) {
    Options opts;
    declare_elastic_window_options(opts);
    opts.parse(args);
    if (!opts.positionals().empty()) throw UsageError{"--elastic takes no input files"};
    auto w = elastic_window_options(opts);
    auto client = net::ElasticClient::connect(w.source.connection);
    if (!client) {
        std::fprintf(stderr, "attest events: %s\n", client.error().message.c_str());
        return kExitUsage;
    }
    auto n = print_sources(*client, w.source.index,
                           telemetry::elastic_window_query(w.source, w.window), w.source.page_size);
    if (!n) {
        std::fprintf(stderr, "attest events: %s\n", n.error().message.c_str());
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace attest::cli
