// Bounded "seen before?" memory for record identities: byte-identical export rows (Sentinel),
// unique record ids (O365 `Id`, EVTX record id per channel and host) when two inputs overlap.
//
// Keys are kept as 64-bit hashes in a flat open-addressing table (linear probing, grown by
// doubling as keys arrive) with first-in-first-out eviction at `capacity`, so memory is bounded
// (at most about 40 bytes a key) whatever the input size; a repeat farther back
// than `capacity` distinct keys is not recognised. Exports repeat rows close together (the same
// page fetched twice, overlapping time windows), which is what the window covers.
// The merge of several inputs (telemetry/stream) calls record_identity() and seen() on each
// event so a record counted by one input is not counted again by another.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
    std::size_t size() const { return m_size; }

private:
    struct Slot {
        std::uint64_t hash = 0;  // 0: empty (a key hashing to 0 is stored as 1)
        std::uint32_t origin = 0;
    };
    std::size_t home(std::uint64_t h) const { return (h * 0x9E3779B97F4A7C15ull) >> m_shift; }
    Slot* find(std::uint64_t h);
    void insert(std::uint64_t h, std::uint32_t origin);
    void erase(std::uint64_t h);
    void grow();

    std::size_t m_capacity;
    std::vector<Slot> m_slots;  // size a power of two, at most half full
    unsigned m_shift = 64;
    std::size_t m_size = 0;
    std::vector<std::uint64_t> m_order;  // ring of the keys in arrival order (FIFO eviction)
    std::size_t m_oldest = 0;
    bool m_last_present = false;
};

// The identity of a normalized event that carries a unique id, or "" when it has none:
// "o365|<Id>" for unified audit records, "winlog|<channel>|<host>|<record_id>" for Windows
// events (channel and host compared case-insensitively, host without its domain).
std::string record_identity(const Event& e);

}  // namespace attest
