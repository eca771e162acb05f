// attest events: normalize telemetry files to ECS and print NDJSON (or a summary).
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include "core/collector.h"
#include "harness/cli.h"
#include "telemetry/open.h"
#include "harness/elastic_cli.h"

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

int run_events(const std::vector<std::string>& args) {
    if (elastic_requested(args)) return run_elastic_events(args);
    Options opts;
    opts.option("source").option("profile").flag("original").option("threads").flag("summary");
    opts.parse(args);
    if (opts.positionals().empty()) throw UsageError{"no input files"};

    CollectorOptions copts;
    Profile profile = Profile::Sysmon;
    if (auto p = opts.get("profile")) {
        auto prof = parse_profile(*p);
        if (!prof) throw UsageError{prof.error().message};
        profile = *prof;
    }
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
    std::string source = opts.get_or("source", "");
    const auto& registry = CollectorRegistry::builtin();
    if (!source.empty() && registry.find(source) == nullptr)
        throw UsageError{"unknown source '" + source + "' (known: " + registry.names() + ")"};

    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    StdoutWriter out;
    bool summary = opts.has("summary");
    bool unreadable = false;
    std::uint64_t total_events = 0, total_skipped = 0;
    std::map<std::string, std::uint64_t> by_kind;

    for (const auto& path : opts.positionals()) {
        auto collector = telemetry::open_telemetry(path, source, copts, profile, sink);
        if (!collector) {
            std::fprintf(stderr, "%s\n", collector.error().message.c_str());
            unreadable = true;
            continue;
        }
        Event ev;
        std::uint64_t n = 0;
        while ((*collector)->next(ev)) {
            ++n;
            if (summary) {
                std::string key;
                if (const Value* d = ev.find("event.dataset"); d && d->is_string()) key = d->as_string();
                key += " ";
                if (const Value* c = ev.find("event.code"); c && c->is_string()) key += c->as_string();
                ++by_kind[key];
            } else {
                ev.append_json(out.buffer());
                out.buffer().push_back('\n');
                out.maybe_flush();
            }
        }
        const auto& st = (*collector)->stats();
        total_events += n;
        total_skipped += st.skipped;
        if (summary) {
            out.flush();
            std::printf("%s: %llu events", path.c_str(), static_cast<unsigned long long>(n));
            if (st.skipped) std::printf(", %llu bad records skipped", static_cast<unsigned long long>(st.skipped));
            if (st.ignored) std::printf(", %llu lines ignored", static_cast<unsigned long long>(st.ignored));
            std::printf("\n");
        }
    }
    out.flush();
    if (summary) {
        std::printf("\n%-40s %10s\n", "dataset / event.code", "events");
        for (const auto& [k, v] : by_kind)
            std::printf("%-40s %10llu\n", k.c_str(), static_cast<unsigned long long>(v));
        std::printf("%-40s %10llu\n", "total", static_cast<unsigned long long>(total_events));
    }
    std::fflush(stdout);
    if (total_skipped > 0 || sink.error_count() > 0)
        std::fprintf(stderr, "attest events: %llu events, %llu bad records skipped (%zu errors reported)\n",
                     static_cast<unsigned long long>(total_events),
                     static_cast<unsigned long long>(total_skipped), sink.error_count());
    return unreadable ? kExitUsage : kExitOk;
}

}  // namespace

Command events_command() {
    return Command{"events", "normalize telemetry files to ECS events (NDJSON)",
                   std::string(kHelp) + "\n" + kElasticEventsHelp + "\n" + kElasticConnectionHelp, run_events};
}

}  // namespace attest::cli
