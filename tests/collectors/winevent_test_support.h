// Test helpers for the Windows event collectors (header-only: tests/support/*.cpp is linked
// into every folder's tests, and these need the collectors library).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/collector.h"

namespace attest::testing {

struct CollectorRun {
    std::vector<Event> events;
    CollectorStats stats;
    std::vector<Diagnostic> diagnostics;

    // The string at a dotted path of event i ("" when absent or not a string).
    std::string str(std::size_t i, std::string_view p) const {
        if (i >= events.size()) return {};
        const Value* v = events[i].find(p);
        return v != nullptr && v->is_string() ? v->as_string() : std::string();
    }
    bool has(std::size_t i, std::string_view p) const { return i < events.size() && events[i].find(p) != nullptr; }
    std::string diagnostics_text() const {
        std::string s;
        for (const auto& d : diagnostics) s += d.format() + "\n";
        return s;
    }
};

inline CollectorRun run_collector_on_file(const std::string& path, std::string_view source,
                                          const CollectorOptions& options = {}) {
    CollectorRun run;
    DiagnosticSink sink;
    auto collector = CollectorRegistry::builtin().open(path, source, options, sink);
    if (!collector) throw std::runtime_error(collector.error().message);
    Event e;
    while ((*collector)->next(e)) run.events.push_back(e);
    run.stats = (*collector)->stats();
    run.diagnostics = sink.collected();
    return run;
}

// Writes `bytes` to a temporary file named /tmp/attest-test-*.xml and runs the collector on it.
inline CollectorRun run_collector_on_text(std::string_view bytes, std::string_view source,
                                          const CollectorOptions& options = {}) {
    char path[] = "/tmp/attest-test-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    std::size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    CollectorOptions opts = options;
    if (opts.origin.empty()) opts.origin = "test.xml";
    CollectorRun run;
    try {
        run = run_collector_on_file(path, source, opts);
    } catch (...) {
        std::remove(path);
        throw;
    }
    std::remove(path);
    return run;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace attest::testing
