// Process lineage + expectation evaluation over a large audit log (bench/lineage_bench.sh).
//
//   lineage_bench generate LOG RUNS SIZE_MB   writes a raw audit.log of about SIZE_MB and the
//                                             1,000 tests' run facts (RUNS, one per line)
//   lineage_bench evaluate LOG RUNS           one pass of the engine with every test's
//                                             lineage-bound expectations; prints MB/s
//
// The log: one host, pids allocated as the kernel does and wrapping at 32768 (so pids are
// reused, also inside windows), clone + execve records. Tests run two at a time: each test's
// executor (bash, child of sshd) forks children, some of which fork again without exec and
// then exec `tar`; the host's other processes do the same all along. Each test must see its
// own `tar`s and only those: `evaluate` checks the counts against what `generate` wrote.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "telemetry/stream.h"

namespace {

using namespace attest;

constexpr int kTests = 1000;
constexpr std::int64_t kMsPerGroup = 1;             // one audit event per millisecond of host time
constexpr std::int64_t kEpochSeconds = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int kSshd = 500, kCron = 900;

class LogWriter {
public:
    explicit LogWriter(std::FILE* out) : m_out(out) {}

    std::int64_t now_ms() const { return m_ms; }
    std::uint64_t bytes() const { return m_bytes; }

    // As the kernel does: the next free pid, wrapping at 32768 (sshd and cron live forever).
    int next_pid() {
        do m_pid = m_pid >= 32767 ? 300 : m_pid + 1;
        while (m_pid == kSshd || m_pid == kCron);
        return m_pid;
    }

    void clone(int pid, int ppid, int child, const char* comm) {
        group();
        line("SYSCALL",
             "arch=c000003e syscall=56 success=yes exit=%d a0=1200011 a1=0 a2=0 a3=7f0a items=0 "
             "ppid=%d pid=%d auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
             "tty=(none) ses=3 comm=\"%s\" exe=\"/usr/bin/%s\" key=\"proc\"",
             child, ppid, pid, comm, comm);
        line("PROCTITLE", "proctitle=%s", "62617368");
    }

    void exec(int pid, int ppid, const char* prog, const char* arg) {
        group();
        line("SYSCALL",
             "arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=8 items=2 "
             "ppid=%d pid=%d auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
             "tty=(none) ses=3 comm=\"%s\" exe=\"/usr/bin/%s\" key=\"exec\"",
             ppid, pid, prog, prog);
        line("EXECVE", "argc=3 a0=\"%s\" a1=\"-c\" a2=\"%s\"", prog, arg);
        line("CWD", "cwd=\"/root\"");
        line("PATH",
             "item=0 name=\"/usr/bin/%s\" inode=1311 dev=08:01 mode=0100755 ouid=0 ogid=0 "
             "rdev=00:00 "
             "nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
             prog);
        line("PATH",
             "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=1298 dev=08:01 mode=0100755 ouid=0 "
             "ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
             "cap_frootid=0");
        line("PROCTITLE", "proctitle=%s", "7461720063");
    }

private:
    void group() {
        m_ms += kMsPerGroup;
        ++m_serial;
    }
    template <typename... A>
    void line(const char* type, const char* fmt, A... args) {
        char body[768];
        int n = std::snprintf(body, sizeof body, fmt, args...);
        int m = std::fprintf(m_out, "node=lab01 type=%s msg=audit(%lld.%03lld:%llu): %.*s\n", type,
                             static_cast<long long>(kEpochSeconds + m_ms / 1000),
                             static_cast<long long>(m_ms % 1000),
                             static_cast<unsigned long long>(m_serial), n, body);
        m_bytes += static_cast<std::uint64_t>(m);
    }

    std::FILE* m_out;
    std::int64_t m_ms = 0;
    std::uint64_t m_serial = 1000;
    int m_pid = 300;
    std::uint64_t m_bytes = 0;
};

struct Run {
    int executor = 0;
    std::int64_t start_ms = 0, end_ms = 0;
    int tars = 0;
    std::vector<std::pair<int, int>> live;  // (pid, ppid) of its processes that may fork
};

// One step of a test's tree: fork a child; half fork once more without exec; exec tar or sh.
void grow(LogWriter& w, Run& r, std::mt19937_64& rng) {
    auto [parent, grandparent] = r.live[rng() % r.live.size()];
    int child = w.next_pid();
    w.clone(parent, grandparent, child, "bash");
    if (rng() % 2 == 0) {
        int grandchild = w.next_pid();
        w.clone(child, parent, grandchild, "bash");
        parent = child;
        child = grandchild;
    }
    bool tar = rng() % 3 == 0;
    w.exec(child, parent, tar ? "tar" : "sh", tar ? "tar -czf /tmp/a.tgz /etc" : "sh -c id");
    r.tars += tar;
    if (!tar && r.live.size() < 16) r.live.emplace_back(child, parent);
}

// The host's own activity: a daemon forking workers that exec tar and sh too.
void noise(LogWriter& w, std::mt19937_64& rng) {
    int child = w.next_pid();
    w.clone(kCron, 1, child, "cron");
    w.exec(child, kCron, rng() % 3 == 0 ? "tar" : "sh", "tar -czf /var/backups/b.tgz /etc");
}

int generate(const char* log_path, const char* runs_path, std::uint64_t size_mb) {
    std::FILE* out = std::fopen(log_path, "w");
    if (!out) return std::perror(log_path), 1;
    std::vector<char> buf(1 << 20);
    std::setvbuf(out, buf.data(), _IOFBF, buf.size());
    LogWriter w(out);
    std::mt19937_64 rng(17);
    const std::uint64_t target = size_mb * 1000 * 1000;
    // Test i starts at slot i and lasts 1.5 slots: two tests overlap at almost every moment.
    const std::uint64_t slot_bytes = target / (kTests + 1);
    std::vector<Run> runs;
    std::vector<std::size_t> active;
    while (w.bytes() < target) {
        std::size_t due = static_cast<std::size_t>(w.bytes() / slot_bytes);
        if (runs.size() < static_cast<std::size_t>(kTests) && runs.size() <= due) {
            Run r;
            r.executor = w.next_pid();
            r.start_ms = w.now_ms() + 1;
            w.clone(kSshd, 1, r.executor, "sshd");
            w.exec(r.executor, kSshd, "bash", "bash -c atomic");
            r.live.emplace_back(r.executor, kSshd);
            runs.push_back(std::move(r));
            active.push_back(runs.size() - 1);
        }
        for (std::size_t k = 0; k < active.size();) {
            Run& r = runs[active[k]];
            std::uint64_t ends_at = static_cast<std::uint64_t>((active[k] + 1.5) * slot_bytes);
            if (w.bytes() >= ends_at) {
                r.end_ms = w.now_ms();
                active.erase(active.begin() + static_cast<std::ptrdiff_t>(k));
                continue;
            }
            if (rng() % 8 == 0) grow(w, r, rng);
            ++k;
        }
        noise(w, rng);
    }
    for (std::size_t k : active) runs[k].end_ms = w.now_ms();
    std::fclose(out);
    std::ofstream rf(runs_path);
    for (const auto& r : runs)
        rf << r.executor << ' ' << r.start_ms << ' ' << r.end_ms << ' ' << r.tars << '\n';
    std::cout << "generated " << w.bytes() / 1000000 << " MB, " << runs.size() << " tests\n";
    return 0;
}

double cpu_seconds(int who) {
    rusage ru{};
    getrusage(who, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

expectations::ExpectationSpec expectation(const char* id, const char* query) {
    expectations::ExpectationSpec s;
    s.id = id;
    s.source = "auditd";
    s.query = query;
    s.lineage = true;
    s.window = expectations::Window{0, 0};
    return s;
}

int evaluate(const char* log_path, const char* runs_path) {
    std::ifstream rf(runs_path);
    std::vector<Run> runs;
    for (Run r; rf >> r.executor >> r.start_ms >> r.end_ms >> r.tars;) runs.push_back(r);
    expectations::Evaluator ev;  // default caps: 1,000 hits per matcher
    for (std::size_t i = 0; i < runs.size(); ++i) {
        expectations::ScenarioChecks c;
        c.guid = "test-" + std::to_string(i);
        c.expectations = {
            expectation("executor",
                        R"(process where event.action == "executed" and process.name == "bash")"),
            expectation("tar",
                        R"(process where event.action == "executed" and process.name == "tar")"),
        };
        expectations::RunFacts f;
        f.host = "lab01";
        f.start_ns = (kEpochSeconds * 1000 + runs[i].start_ms) * 1'000'000;
        f.end_ns = (kEpochSeconds * 1000 + runs[i].end_ms) * 1'000'000;
        f.anchor = expectations::ProcessAnchor{std::to_string(runs[i].executor), {}};
        ev.add_scenario(c, f);
    }
    DiagnosticSink sink;
    auto t0 = std::chrono::steady_clock::now();
    double thread0 = cpu_seconds(RUSAGE_THREAD), process0 = cpu_seconds(RUSAGE_SELF);
    auto stats = telemetry::feed(ev, telemetry::Stream::files({log_path}, {}), sink);
    ev.finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The stream parses the file on its own thread (PrefetchingInput); this thread merges,
    // tracks the lineage and evaluates: their CPU seconds apart say which side bounds the speed.
    double evaluating = cpu_seconds(RUSAGE_THREAD) - thread0;
    double parsing = cpu_seconds(RUSAGE_SELF) - process0 - evaluating;
    std::size_t wrong = 0;
    auto results = ev.results();
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& e = results[i].expectations;
        if (e[0].count != 1 || e[1].count != static_cast<std::uint64_t>(runs[i].tars)) {
            if (wrong++ < 3)
                std::cerr << results[i].checks.guid << ": executor " << e[0].count
                          << " (want 1), tar " << e[1].count << " (want " << runs[i].tars << ")\n";
        }
    }
    std::ifstream size_probe(log_path, std::ios::ate | std::ios::binary);
    double mb = static_cast<double>(size_probe.tellg()) / 1e6;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf(
        "%.0f MB, %llu events, %zu tests: %.1f s, %.1f MB/s, peak RSS %.0f MB, %zu test(s) wrong\n",
        mb, static_cast<unsigned long long>(stats.events), runs.size(), secs, mb / secs,
        static_cast<double>(ru.ru_maxrss) / 1024.0, wrong);
    std::printf(
        "  lineage + evaluation thread: %.1f CPU s, %.0f MB per CPU second; auditd parsing "
        "(collector thread): %.1f CPU s, %.0f MB per CPU second\n",
        evaluating, mb / evaluating, parsing, mb / parsing);
    return wrong == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "generate" && argc == 5) return generate(argv[2], argv[3], std::stoull(argv[4]));
    if (mode == "evaluate" && argc == 4) return evaluate(argv[2], argv[3]);
    std::cerr << "usage: lineage_bench generate LOG RUNS SIZE_MB | evaluate LOG RUNS\n";
    return 2;
}
