#include "collectors/record_dedupe.h"

#include <functional>

namespace attest {
namespace {

// The standard library's string hash (word at a time): a key is a whole exported row, so a
// byte-at-a-time hash was an eighth of the OTRF collector's time. Keys live in one process only.
std::uint64_t key_hash(std::string_view s) {
    return std::hash<std::string_view>{}(s);
}

void append_lower(std::string& out, std::string_view s) {
    for (char c : s) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
}

std::string_view string_at(const Event& e, std::string_view path) {
    const Value* v = e.find(path);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

}  // namespace

bool RecordDeduper::seen_from_another(std::string_view key, std::uint32_t origin) {
    std::uint64_t h = key_hash(key);
    auto [it, inserted] = m_origin.try_emplace(h, origin);
    m_last_present = !inserted;
    if (!inserted) return it->second != origin;
    m_order.push_back(h);
    if (m_order.size() > m_capacity) {
        m_origin.erase(m_order.front());
        m_order.pop_front();
    }
    return false;
}

std::string record_identity(const Event& e) {
    std::string_view dataset = string_at(e, "event.dataset");
    if (dataset == "o365.audit") {
        std::string_view id = string_at(e, "event.id");
        return id.empty() ? std::string() : "o365|" + std::string(id);
    }
    const Value* record = e.find("winlog.record_id");
    if (record == nullptr || !(record->is_int() || record->is_string())) return {};
    std::string_view channel = string_at(e, "winlog.channel");
    std::string_view host = string_at(e, "winlog.computer_name");
    if (host.empty()) host = string_at(e, "host.name");
    if (channel.empty() || host.empty()) return {};
    host = host.substr(0, host.find('.'));  // server002 == server002.lab.local
    std::string key = "winlog|";
    append_lower(key, channel);
    key += '|';
    append_lower(key, host);
    key += '|';
    key += record->is_int() ? std::to_string(record->as_int()) : record->as_string();
    return key;
}

}  // namespace attest
