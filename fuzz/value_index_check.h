// The value index's promise, checked by the fuzzers that compile queries: every event a query's
// filter matches makes the query a candidate (expectations/eql/value_index.h). A broken
// promise traps, so libFuzzer keeps the input.
#pragma once

#include <algorithm>
#include <vector>

#include "expectations/eql/compiled.h"
#include "expectations/eql/value_index.h"

namespace attest::fuzz {

inline void check_value_index(const eql::Query& q, const std::vector<Event>& events) {
    eql::ValueIndex index;
    if (!index.add(0, q)) return;
    const auto& f = q.terms[0].filter;
    for (const auto& e : events) {
        bool matches = eql::detail::category_matches(q, f, e) && f.condition->test(e);
        const auto& ids = index.candidates(e);
        if (matches && std::find(ids.begin(), ids.end(), 0u) == ids.end()) __builtin_trap();
    }
}

}  // namespace attest::fuzz
