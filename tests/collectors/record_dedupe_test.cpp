#include "collectors/record_dedupe.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <string>

namespace attest {
namespace {

// The flat table against the obvious model (a map plus a FIFO of keys): many evictions and
// backward-shift deletions, keys that collide on their home slot, several origins.
TEST(RecordDeduper, MatchesAModelUnderEvictionAndManyOrigins) {
    for (std::size_t capacity : {1u, 3u, 100u, 5000u}) {
        RecordDeduper d(capacity);
        std::map<std::string, std::uint32_t> origin;
        std::deque<std::string> order;
        std::mt19937 rng(static_cast<unsigned>(capacity));
        std::uniform_int_distribution<int> key_of(0, static_cast<int>(capacity) * 3 + 5);
        std::uniform_int_distribution<int> origin_of(0, 2);
        for (int step = 0; step < 40000; ++step) {
            std::string key = "k" + std::to_string(key_of(rng));
            auto from = static_cast<std::uint32_t>(origin_of(rng));
            bool expected = false;
            if (auto it = origin.find(key); it != origin.end()) {
                expected = it->second != from;
            } else {
                origin[key] = from;
                order.push_back(key);
                if (order.size() > capacity) {
                    origin.erase(order.front());
                    order.pop_front();
                }
            }
            ASSERT_EQ(d.seen_from_another(key, from), expected)
                << "capacity " << capacity << " step " << step << " key " << key;
            ASSERT_EQ(d.size(), origin.size());
        }
    }
}

}  // namespace
}  // namespace attest
