#include "telemetry/tail.h"

#include <sys/stat.h>

namespace attest::telemetry {

Expected<void> Tail::poll(const std::string& path, const std::string& source, Growth growth,
                          DiagnosticSink& sink) {
    m_last_poll_bytes = 0;
    auto [it, fresh] = m_files.try_emplace(path);
    File& f = it->second;
    if (fresh) {
        m_order.push_back(path);
        f.source = source;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return make_error(path + ": not a readable file");
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (growth == Growth::Rewritten || size < f.offset) {
        f.offset = 0;
        f.events = std::make_shared<std::vector<Event>>();
    }
    if (size == f.offset) return {};
    StreamOptions options = m_options;
    options.source = f.source;
    // The events are only read here; the stream orders them when inputs() are merged.
    auto input = file_input(path, options, f.offset);
    std::string detected;
    std::uint64_t bytes = 0;
    auto collector = input.open(sink, detected, bytes);
    if (!collector) return collector.error();
    f.source = detected;
    Event e;
    while ((*collector)->next(e)) {
        f.events->push_back(std::move(e));
        e = Event();
    }
    // The collector read to the end of what the file held when it was opened.
    f.offset += bytes;
    m_last_poll_bytes = bytes;
    m_total_bytes += bytes;
    return {};
}

std::vector<StreamInput> Tail::inputs() const {
    std::vector<StreamInput> out;
    for (const auto& path : m_order) {
        const File& f = m_files.at(path);
        out.push_back(memory_input(path, f.source, f.events));
    }
    return out;
}

std::uint64_t Tail::events() const {
    std::uint64_t n = 0;
    for (const auto& [path, f] : m_files) n += f.events->size();
    return n;
}

}  // namespace attest::telemetry
