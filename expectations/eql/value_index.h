// The value index of many event queries over one stream: each query is filed under the
// literal tests its filter cannot hold without (`field == "x"`, `in (...)`, a Sigma value
// list, KQL `field: value`, and wildcards that are one exact, prefix or suffix test), so an
// event is tried only by the queries whose literal its values carry, instead of by all.
//
//   ValueIndex index;
//   if (!index.add(id, *query)) ...            // not indexable: try it on every event
//   for (std::uint32_t id : index.candidates(event)) ...   // each indexed query that may match
//
// A candidate still evaluates its whole query; the index only leaves out events that cannot
// match, so hits are the same as trying every query (tests/expectations/value_index_test.cpp).
// Per event the cost is one read per indexed field and a few hash lookups per value, whatever
// the number of queries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "expectations/eql/compiled.h"

namespace attest::eql {

// The keys of an event query's filter (scope or category, and condition): the query can match
// an event only when one of them does. False for sequences, samples and filters without any.
bool query_keys(const Query& q, std::vector<detail::IndexKey>& out);

class ValueIndex {
public:
    // Files query `id` under its keys; false (nothing filed) when it has none.
    bool add(std::uint32_t id, const Query& q);
    // The ids of the filed queries whose keys `e` matches, each once, in no particular order.
    // Valid until the next call.
    const std::vector<std::uint32_t>& candidates(const Event& e);
    bool empty() const { return m_fields.empty(); }

private:
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Postings =
        std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>;
    struct Field {
        std::shared_ptr<const detail::KeyReader> reader;
        Postings exact, prefix, suffix;
        std::vector<std::size_t> prefix_lengths, suffix_lengths;  // sorted, distinct
    };
    void post(const detail::IndexKey& key, std::uint32_t id);
    void collect(const Postings& postings, std::string_view text);

    std::vector<Field> m_fields;
    std::unordered_map<std::string, std::size_t> m_field_of;  // KeyReader identity -> field
    std::vector<std::uint32_t> m_seen;                        // id -> epoch of last candidacy
    std::uint32_t m_epoch = 0;
    std::vector<std::uint32_t> m_out;
    std::string m_lowered;
};

}  // namespace attest::eql
