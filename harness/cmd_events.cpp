// attest events: normalize telemetry files to ECS and print NDJSON (or a summary).
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "core/collector.h"
#include "harness/cli.h"
#include "harness/elastic_cli.h"
#include "telemetry/open.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest events [--source FORMAT] [--profile sysmon|endpoint] [--original]\n"
    "                     [--threads N] [--summary] FILE...\n\n"
    "Reads telemetry files (format detected from content unless --source is given) and prints\n"
    "one normalized ECS event per line (NDJSON), in input order. FILE may be '-' for stdin.\n\n"
    "options:\n"
    "  --source FORMAT   force the input format (attest sources: the formats per source)\n"
    "  --profile P       ECS vocabulary for Windows endpoint data: sysmon (default) or endpoint\n"
    "  --original        keep the raw record in event.original\n"
    "  --threads N       decoding threads for formats that can use them (default: all cores)\n"
    "  --summary         print counts per file, dataset and event code instead of events\n\n"
    "Bad records are reported on stderr as file:line:column: reason, skipped and counted.\n"
    "Exit codes: 0 ok (even with skipped records), 2 usage error or a file that cannot be read.\n";

class StdoutWriter {
public:
    ~StdoutWriter() { flush(); }
    JsonBuffer& buffer() { return m_buf; }
    void maybe_flush() {
        if (m_buf.size() >= (1 << 20)) flush();
    }
    void flush() {
        if (!m_buf.empty()) std::fwrite(m_buf.data(), 1, m_buf.size(), stdout);
        m_buf.clear();
    }

private:
    JsonBuffer m_buf;
};

CollectorOptions collector_options_of(const Options& opts) {
    CollectorOptions copts;
    copts.include_original = opts.has("original");
    if (auto t = opts.get("threads")) {
        try {
            int n = std::stoi(*t);
            if (n < 1) throw std::invalid_argument("");
            copts.threads = static_cast<unsigned>(n);
        } catch (...) {
            throw UsageError{"--threads takes a positive number"};
        }
    }
    return copts;
}

// Per file, then per dataset and event.code, the events read (--summary).
class Summary {
public:
    void count(const Event& ev) {
        std::string key;
        if (const Value* d = ev.find("event.dataset"); d && d->is_string()) key = d->as_string();
        key += " ";
        if (const Value* c = ev.find("event.code"); c && c->is_string()) key += c->as_string();
        ++m_by_kind[key];
    }
    static void print_file(const std::string& path, std::uint64_t n, const CollectorStats& st) {
        std::printf("%s: %llu events", path.c_str(), static_cast<unsigned long long>(n));
        if (st.skipped)
            std::printf(", %llu bad records skipped", static_cast<unsigned long long>(st.skipped));
        if (st.ignored)
            std::printf(", %llu lines ignored", static_cast<unsigned long long>(st.ignored));
        std::printf("\n");
    }
    void print_kinds(std::uint64_t total) const {
        std::printf("\n%-40s %10s\n", "dataset / event.code", "events");
        for (const auto& [k, v] : m_by_kind)
            std::printf("%-40s %10llu\n", k.c_str(), static_cast<unsigned long long>(v));
        std::printf("%-40s %10llu\n", "total", static_cast<unsigned long long>(total));
    }

private:
    std::map<std::string, std::uint64_t> m_by_kind;
};

int run_events(const std::vector<std::string>& args) {
    if (elastic_requested(args)) return run_elastic_events(args);
    Options opts;
    opts.option("source").option("profile").flag("original").option("threads").flag("summary");
    opts.parse(args);
    if (opts.positionals().empty()) throw UsageError{"no input files"};
    Profile profile = profile_option(opts).value_or(Profile::Sysmon);
    CollectorOptions copts = collector_options_of(opts);
    std::string source = source_option(opts);

    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    StdoutWriter out;
    const bool summary = opts.has("summary");
    Summary kinds;
    bool unreadable = false;
    std::uint64_t total_events = 0, total_skipped = 0;
    for (const auto& path : opts.positionals()) {
        auto collector = telemetry::open_telemetry(path, source, copts, profile, sink);
        if (!collector) {
            std::fprintf(stderr, "%s\n", collector.error().message.c_str());
            unreadable = true;
            continue;
        }
        Event ev;
        std::uint64_t n = 0;
        for (; (*collector)->next(ev); ++n) {
            if (summary) {
                kinds.count(ev);
                continue;
            }
            ev.append_json(out.buffer());
            out.buffer().push_back('\n');
            out.maybe_flush();
        }
        total_events += n;
        total_skipped += (*collector)->stats().skipped;
        if (summary) {
            out.flush();
            Summary::print_file(path, n, (*collector)->stats());
        }
    }
    out.flush();
    if (summary) kinds.print_kinds(total_events);
    std::fflush(stdout);
    if (total_skipped > 0 || sink.error_count() > 0)
        std::fprintf(stderr,
                     "attest events: %llu events, %llu bad records skipped (%zu errors "
                     "reported)\n",
                     static_cast<unsigned long long>(total_events),
                     static_cast<unsigned long long>(total_skipped), sink.error_count());
    return unreadable ? kExitUsage : kExitOk;
}

}  // namespace

Command events_command() {
    return Command{"events", "normalize telemetry files to ECS events (NDJSON)",
                   std::string(kHelp) + "\n" + kElasticEventsHelp + "\n" + kElasticConnectionHelp,
                   run_events};
}

}  // namespace attest::cli
