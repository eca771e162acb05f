// Shared by the collector fuzzers: the fuzz input written to a memfd and read as a file by a
// collector under given options, every event serialized (so rendering bugs surface under the
// sanitizers). Nothing is kept between inputs.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/collector.h"

namespace attest::fuzz {

// Calls visit(read) once with a function that reads the bytes through collector `source`
// under `options` (the file stays open for the whole visit).
inline void collect_as_file(const std::uint8_t* data, std::size_t size,
                            const std::function<void(const std::function<void(const char*, const CollectorOptions&)>&)>& visit) {
    int fd = memfd_create("attest_fuzz", 0);
    if (fd < 0) return;
    if (write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    DiagnosticSink sink;
    sink.set_keep_limit(16);
    visit([&](const char* source, const CollectorOptions& options) {
        auto collector = CollectorRegistry::builtin().open(path, source, options, sink);
        if (!collector) return;
        Event e;
        std::string out;
        while ((*collector)->next(e)) {
            out.clear();
            e.append_json(out);
        }
    });
    close(fd);
}

}  // namespace attest::fuzz
