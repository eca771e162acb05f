#include "core/collector.h"

namespace attest {

std::string_view profile_name(Profile p) {
    return p == Profile::Endpoint ? "endpoint" : "sysmon";
}

Expected<Profile> parse_profile(std::string_view name) {
    if (name == "sysmon") return Profile::Sysmon;
    if (name == "endpoint") return Profile::Endpoint;
    return make_error("unknown profile '" + std::string(name) + "' (expected sysmon or endpoint)");
}

void CollectorRegistry::add(CollectorInfo info) {
    for (auto& c : m_collectors)
        if (c.name == info.name) {
            c = std::move(info);
            return;
        }
    m_collectors.push_back(std::move(info));
}

const CollectorInfo* CollectorRegistry::find(std::string_view name) const {
    for (const auto& c : m_collectors)
        if (c.name == name) return &c;
    return nullptr;
}

const CollectorInfo* CollectorRegistry::detect(std::string_view head, std::string_view path) const {
    const CollectorInfo* best = nullptr;
    int best_score = 0;
    for (const auto& c : m_collectors) {
        if (!c.sniff) continue;
        int s = c.sniff(head, path);
        if (s > best_score) {
            best = &c;
            best_score = s;
        }
    }
    return best;
}

std::string CollectorRegistry::names() const {
    std::string s;
    for (const auto& c : m_collectors) {
        if (!s.empty()) s += ", ";
        s += c.name;
    }
    return s;
}

Expected<std::unique_ptr<Collector>> CollectorRegistry::open(const std::string& path,
                                                             std::string_view source,
                                                             const CollectorOptions& options,
                                                             DiagnosticSink& sink) const {
    auto file = InputFile::open(path);
    if (!file) return file.error();
    const CollectorInfo* info = nullptr;
    if (!source.empty()) {
        info = find(source);
        if (info == nullptr)
            return make_error("unknown source '" + std::string(source) + "' (known: " + names() +
                              ")");
    } else {
        info = detect(file->head(), path);
        if (info == nullptr)
            return make_error(path + ": cannot tell the format from its content; use --source (" +
                              names() + ")");
    }
    CollectorOptions opts = options;
    if (opts.origin.empty()) opts.origin = file->path();
    return info->create(std::move(*file), opts, sink);
}

void set_provenance(Event& e, std::string_view source, std::string_view origin, Value position) {
    Value& a = e.set_key("attest", Value::object());
    a.set_key("source", Value(source));
    a.set_key("origin", Value(origin));
    a.set_key("position", std::move(position));
}

void put_provenance(ObjectWriter& event, std::string_view source, std::string_view origin,
                    Value position) {
    ObjectWriter a(event.put("attest"));
    a.put("source", source);
    a.put("origin", origin);
    a.put("position") = std::move(position);
}

}  // namespace attest
