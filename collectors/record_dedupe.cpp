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
    if (h == 0) h = 1;
    if (Slot* s = find(h)) {
        m_last_present = true;
        return s->origin != origin;
    }
    m_last_present = false;
    if (m_size == m_capacity) {  // the oldest key leaves the window
        erase(m_order[m_oldest]);
        m_order[m_oldest] = h;
        m_oldest = (m_oldest + 1) % m_capacity;
    } else {
        m_order.push_back(h);
    }
    insert(h, origin);
    return false;
}

RecordDeduper::Slot* RecordDeduper::find(std::uint64_t h) {
    if (m_slots.empty()) return nullptr;
    std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = home(h);; i = (i + 1) & mask) {
        if (m_slots[i].hash == h) return &m_slots[i];
        if (m_slots[i].hash == 0) return nullptr;
    }
}

void RecordDeduper::insert(std::uint64_t h, std::uint32_t origin) {
    if ((m_size + 1) * 2 > m_slots.size()) grow();
    std::size_t mask = m_slots.size() - 1;
    std::size_t i = home(h);
    while (m_slots[i].hash != 0) i = (i + 1) & mask;
    m_slots[i] = Slot{h, origin};
    ++m_size;
}

// Linear probing's backward-shift deletion: no tombstones, so probes stay short however many
// keys come and go.
void RecordDeduper::erase(std::uint64_t h) {
    std::size_t mask = m_slots.size() - 1;
    std::size_t i = home(h);
    while (m_slots[i].hash != h) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask; m_slots[j].hash != 0; j = (j + 1) & mask) {
        std::size_t k = home(m_slots[j].hash);
        // Slot j may move into the hole at i when its home is not in (i, j] (cyclically).
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        m_slots[i] = m_slots[j];
        i = j;
    }
    m_slots[i] = Slot{};
    --m_size;
}

void RecordDeduper::grow() {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    m_shift = 64 - static_cast<unsigned>(__builtin_ctzll(m_slots.size()));
    m_size = 0;
    for (const Slot& s : old)
        if (s.hash != 0) insert(s.hash, s.origin);
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
