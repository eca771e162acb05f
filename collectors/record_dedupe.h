// Bounded "seen before?" memory for record identities: byte-identical export rows (Sentinel),
// unique record ids (O365 `Id`, EVTX record id per channel and host) when two inputs overlap.
//
// Keys are kept as 64-bit hashes in a hash set with first-in-first-out eviction at `capacity`,
// so memory is bounded (about 40 bytes a key) whatever the input size; a repeat farther back
// than `capacity` distinct keys is not recognised. Exports repeat rows close together (the same
// page fetched twice, overlapping time windows), which is what the window covers.
// The merge of several inputs (telemetry/stream) calls record_identity() and seen() on each
// event so a record counted by one input is not counted again by another.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/value.h"

namespace attest {

class RecordDeduper {
public:
    static constexpr std::size_t kDefaultCapacity = std::size_t(1) << 20;
    explicit RecordDeduper(std::size_t capacity = kDefaultCapacity)
        : m_capacity(capacity ? capacity : 1) {}

    // True when `key` was seen before (within the window); remembers it otherwise.
    bool seen(std::string_view key) { return seen_from_another(key, 0) || m_last_present; }
    // True when `key` was seen before from another `origin` (an input of a merge): the same
    // record exported twice. A repeat from the same origin is not one (a dataset may hold
    // identical records, which count), and the key keeps its first origin.
    bool seen_from_another(std::string_view key, std::uint32_t origin);
    std::size_t size() const { return m_origin.size(); }

private:
    std::size_t m_capacity;
    std::unordered_map<std::uint64_t, std::uint32_t> m_origin;  // key hash -> first origin
    std::deque<std::uint64_t> m_order;
    bool m_last_present = false;
};

// The identity of a normalized event that carries a unique id, or "" when it has none:
// "o365|<Id>" for unified audit records, "winlog|<channel>|<host>|<record_id>" for Windows
// events (channel and host compared case-insensitively, host without its domain).
std::string record_identity(const Event& e);

}  // namespace attest
