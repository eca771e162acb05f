// Test helpers for the collector tests: temporary input files and collecting a whole input.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/collector.h"

namespace attest::testing {

struct Collected {
    bool opened = false;
    std::string open_error;
    std::vector<Event> events;
    std::vector<Diagnostic> diagnostics;
    CollectorStats stats;

    std::string diagnostics_text() const {
        std::string s;
        for (const auto& d : diagnostics) s += d.format() + "\n";
        return s;
    }
};

// A file under /tmp removed when the object dies.
class TempFile {
public:
    explicit TempFile(std::string_view content, std::string_view suffix = ".txt") {
        char tmpl[] = "/tmp/attest_collectors_XXXXXX";
        int fd = mkstemp(tmpl);
        m_path = std::string(tmpl) + std::string(suffix);
        close(fd);
        std::rename(tmpl, m_path.c_str());
        std::ofstream(m_path, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    ~TempFile() { std::remove(m_path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

inline Collected collect_file(const std::string& path, std::string_view source,
                              CollectorOptions options = {}) {
    Collected c;
    DiagnosticSink sink;
    auto collector = CollectorRegistry::builtin().open(path, source, options, sink);
    if (!collector) {
        c.open_error = collector.error().message;
        return c;
    }
    c.opened = true;
    Event e;
    while ((*collector)->next(e)) c.events.push_back(e);
    c.stats = (*collector)->stats();
    c.diagnostics = sink.collected();
    return c;
}

inline Collected collect_text(std::string_view content, std::string_view source,
                              std::string_view suffix = ".txt", CollectorOptions options = {}) {
    TempFile f(content, suffix);
    return collect_file(f.path(), source, options);
}

inline std::string str_at(const Event& e, std::string_view path) {
    const Value* v = e.find(path);
    if (v == nullptr) return "<absent>";
    if (v->is_string()) return v->as_string();
    return v->to_json();
}

inline std::string shared_data(std::string_view rel) {
    return std::string(ATTEST_SOURCE_DIR) + "/../shared/data/" + std::string(rel);
}

inline bool shared_data_present() {
    return access((std::string(ATTEST_SOURCE_DIR) + "/../shared/data").c_str(), R_OK) == 0;
}

}  // namespace attest::testing
