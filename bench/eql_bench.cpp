// EQL engine benchmark driver (figures printed by bench/eql_bench.sh).
//
//   eql_bench seed RULE N       the rule over N generated Sysmon-like normalized events held in
//                               memory (generation not timed); prints events/s and hits
//   eql_bench sequence N KEYS   a two-term sequence by host.name / process.entity_id with
//                               maxspan over KEYS live join keys; prints events/s
//   eql_bench keys N            N distinct join keys with maxspan=1s, events made on the fly;
//                               prints RSS before, during and after (flat memory)
//   eql_bench ndjson N FILE     writes N generated events as NDJSON to FILE
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/timeutil.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/rule.h"

using namespace attest;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// CPU time of this thread: the machine may be shared, and wall time then measures the
// neighbours as much as the engine. Both are printed.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::size_t passes_from_env() {
    const char* p = std::getenv("EQL_BENCH_PASSES");
    return p != nullptr && std::atoi(p) > 0 ? static_cast<std::size_t>(std::atoi(p)) : 1;
}

// The events are owned here, so they are fed with their owner (kept ones are shared with the
// matcher, not copied: aliasing pointers into the vector, which the hits keep alive);
// EQL_BENCH_COPY=1 feeds `const Event&` instead (the matcher copies what it keeps).
void feed_all(eql::Matcher& m, const std::shared_ptr<const std::vector<Event>>& events) {
    const char* copy = std::getenv("EQL_BENCH_COPY");
    if (copy != nullptr && *copy == '1') {
        for (const auto& e : *events) m.feed(e);
        return;
    }
    const std::shared_ptr<const void> owner = events;
    for (const auto& e : *events) m.feed(e, owner);
}

long rss_kb() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * 4;
}

// Deterministic pseudo-random numbers (xorshift).
struct Rng {
    std::uint64_t s = 0x9E3779B97F4A7C15ull;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

const char* kProcesses[] = {"svchost.exe", "explorer.exe", "chrome.exe", "powershell.exe", "cmd.exe",
                            "OUTLOOK.EXE", "msedge.exe",   "python.exe", "robocopy.exe",   "notepad.exe"};
const char* kExtensions[] = {"dll", "tmp", "log", "txt", "pst", "ost", "docx", "exe", "json", "msg"};
const char* kFileActions[] = {"creation", "overwrite", "deletion", "rename", "modification"};

// A Sysmon-like normalized event (the ECS shape of attest's sysmon collector, with the
// endpoint-style event.action the seed rule reads).
Event make_event(Rng& rng, std::size_t i, std::int64_t ts_ns, std::size_t hosts, std::size_t processes) {
    Event e = Value::object();
    e.set("@timestamp", Value(format_iso8601(ts_ns)));
    std::size_t kind = rng.below(100);
    std::size_t proc = rng.below(std::size(kProcesses));
    // A process runs on one host, so (host.name, process.entity_id) has `processes` values.
    std::size_t entity = rng.below(processes);
    std::string host = "WS-" + std::to_string(entity % hosts);
    std::string guid = "{" + std::to_string(entity) + "-5f2e-11ee}";
    if (kind < 40) {
        e.set("event.category", Value(Array{Value("process")}));
        e.set("event.type", Value(Array{Value("start")}));
        e.set("event.code", Value("1"));
        e.set("event.action", Value("start"));
    } else if (kind < 70) {
        e.set("event.category", Value(Array{Value("network")}));
        e.set("event.type", Value(Array{Value("connection")}));
        e.set("event.code", Value("3"));
        e.set("destination.ip", Value("10.0." + std::to_string(rng.below(255)) + ".7"));
        e.set("destination.port", Value(443));
    } else if (kind < 95) {
        e.set("event.category", Value(Array{Value("file")}));
        e.set("event.type", Value(Array{Value("creation")}));
        e.set("event.code", Value("11"));
        e.set("event.action", Value(kFileActions[rng.below(std::size(kFileActions))]));
        const char* ext = kExtensions[rng.below(std::size(kExtensions))];
        bool mail_dir = rng.below(100) == 0;
        e.set("file.path", Value(std::string("C:\\Users\\u") + std::to_string(i % 50) +
                                 (mail_dir ? "\\AppData\\Local\\Microsoft\\Outlook\\f." : "\\Documents\\f.") + ext));
        e.set("file.extension", Value(ext));
    } else {
        e.set("event.category", Value(Array{Value("registry")}));
        e.set("event.code", Value("13"));
        e.set("registry.path", Value("HKLM\\Software\\x"));
    }
    e.set("host.name", Value(host));
    e.set("process.name", Value(kProcesses[proc]));
    e.set("process.pid", Value(static_cast<std::int64_t>(1000 + rng.below(60000))));
    e.set("process.entity_id", Value(guid));
    e.set("user.name", Value("user" + std::to_string(rng.below(20))));
    return e;
}

int bench_seed(const std::string& rule_path, std::size_t n) {
    auto rule = eql::load_rule(rule_path);
    if (!rule) {
        std::fprintf(stderr, "%s\n", rule.error().message.c_str());
        return 2;
    }
    auto q = eql::compile_rule(*rule, {});
    if (!q) {
        std::fprintf(stderr, "%s\n", q.error().message.c_str());
        return 2;
    }
    Rng rng;
    long rss0 = rss_kb();
    std::vector<Event> events;
    events.reserve(n);
    std::int64_t ts = 1'767'225'600'000'000'000;
    for (std::size_t i = 0; i < n; ++i) events.push_back(make_event(rng, i, ts += 1'000'000, 50, 2000));
    auto all = std::make_shared<const std::vector<Event>>(std::move(events));
    long rss1 = rss_kb();
    // EQL_BENCH_PASSES=P repeats the timed pass (fresh matcher each time; the last is
    // printed): for profiling the matcher without the generation dominating.
    std::size_t passes = passes_from_env();
    std::optional<eql::Matcher> m;
    double s = 0, c = 0;
    for (std::size_t p = 0; p < passes; ++p) {
        m.emplace(*q);
        auto t0 = std::chrono::steady_clock::now();
        double c0 = thread_cpu_seconds();
        feed_all(*m, all);
        m->finish();
        s = seconds_since(t0);
        c = thread_cpu_seconds() - c0;
    }
    std::printf("seed rule over %zu in-memory events (%.0f MB): wall %.3f s = %.2f M events/s; cpu %.3f s = %.2f M events/s; %zu hits\n",
                n, static_cast<double>(rss1 - rss0) / 1024, s, static_cast<double>(n) / s / 1e6, c,
                static_cast<double>(n) / c / 1e6, m->hits().size());
    return 0;
}

int bench_sequence(std::size_t n, std::size_t keys) {
    auto q = eql::compile("sequence by host.name with maxspan=10m "
                          "[process where event.action == \"start\" and process.name : (\"powershell.exe\", \"cmd.exe\", \"python.exe\")] by process.entity_id "
                          "[file where file.extension in (\"pst\", \"ost\") and event.action != \"deletion\"] by process.entity_id",
                          "bench", {});
    if (!q) {
        std::fprintf(stderr, "%s\n", q.error().message.c_str());
        return 2;
    }
    Rng rng;
    std::vector<Event> events;
    events.reserve(n);
    std::int64_t ts = 1'767'225'600'000'000'000;
    // 1 ms apart: 10 minutes hold 600k events, so every one of the KEYS entity ids stays live.
    for (std::size_t i = 0; i < n; ++i) events.push_back(make_event(rng, i, ts += 1'000'000, 10, keys));
    auto all = std::make_shared<const std::vector<Event>>(std::move(events));
    std::size_t passes = passes_from_env();
    std::optional<eql::Matcher> m;
    double s = 0, c = 0;
    std::size_t live = 0, partials = 0;
    for (std::size_t p = 0; p < passes; ++p) {
        m.emplace(*q);
        auto t0 = std::chrono::steady_clock::now();
        double c0 = thread_cpu_seconds();
        feed_all(*m, all);
        live = m->live_keys();
        partials = m->live_partials();
        m->finish();
        s = seconds_since(t0);
        c = thread_cpu_seconds() - c0;
    }
    std::printf("two-term sequence by host.name/process.entity_id, maxspan=10m, %zu entity ids, %zu events: wall %.3f s = "
                "%.2f M events/s; cpu %.3f s = %.2f M events/s; %zu live keys / %zu pending partial matches at the end, %zu hits\n",
                keys, n, s, static_cast<double>(n) / s / 1e6, c, static_cast<double>(n) / c / 1e6, live, partials, m->hits().size());
    return 0;
}

int bench_keys(std::size_t n) {
    auto q = eql::compile("sequence by process.entity_id with maxspan=1s [process where true] [file where true]", "bench", {});
    if (!q) return 2;
    eql::Matcher m(*q);
    Event e = Value::object();
    e.set("@timestamp", Value(std::int64_t{0}));
    e.set("event.category", Value("process"));
    e.set("process.entity_id", Value("k"));
    Value* ts = e.get("@timestamp");
    Value* key = e.get("process")->get("entity_id");
    long before = rss_kb();
    auto t0 = std::chrono::steady_clock::now();
    double c0 = thread_cpu_seconds();
    for (std::size_t i = 0; i < n; ++i) {
        *ts = Value(static_cast<std::int64_t>(i / 10));  // 10 events per ms: ~10k keys live in 1 s
        *key = Value("{entity-" + std::to_string(i) + "}");
        m.feed(e);
        if (i == n / 4 || i == n / 2 || i == 3 * n / 4)
            std::printf("  after %8zu distinct keys: RSS %6.1f MB, live keys %zu\n", i, rss_kb() / 1024.0, m.live_keys());
    }
    double s = seconds_since(t0), c = thread_cpu_seconds() - c0;
    long after = rss_kb();
    std::size_t live = m.live_keys();
    m.finish();
    std::printf("%zu distinct join keys, maxspan=1s: RSS before %.1f MB, after %.1f MB, live keys at the end %zu; "
                "wall %.2f M events/s, cpu %.2f M events/s (events built on the fly, included)\n",
                n, before / 1024.0, after / 1024.0, live, static_cast<double>(n) / s / 1e6, static_cast<double>(n) / c / 1e6);
    return 0;
}

int write_ndjson(std::size_t n, const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return 2;
    Rng rng;
    std::int64_t ts = 1'767'225'600'000'000'000;
    std::string line;
    for (std::size_t i = 0; i < n; ++i) {
        line.clear();
        make_event(rng, i, ts += 1'000'000, 50, 2000).append_json(line);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), f);
    }
    std::fclose(f);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 3 && a[0] == "seed") return bench_seed(a[1], std::stoul(a[2]));
    if (a.size() == 3 && a[0] == "sequence") return bench_sequence(std::stoul(a[1]), std::stoul(a[2]));
    if (a.size() == 2 && a[0] == "keys") return bench_keys(std::stoul(a[1]));
    if (a.size() == 3 && a[0] == "ndjson") return write_ndjson(std::stoul(a[1]), a[2]);
    std::fprintf(stderr, "usage: eql_bench seed RULE N | sequence N KEYS | keys N | ndjson N FILE\n");
    return 2;
}
