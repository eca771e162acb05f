// EQL pushdown for `attest check --elastic ... --pushdown`: instead of reading a whole window
// out of Elasticsearch, ask it (_eql/search over the window) for the documents each check's
// query matches, and evaluate the checks locally over those alone. A check that passes over
// documents Elasticsearch matched passes over the whole window too (its events are in it, and
// only positive event and sequence checks are pushed), so the verdicts stand; when any check
// does not pass, the whole window is read after all and the local engine says why (near
// misses); so is it when an optional expectation was not seen. Checks whose result needs every
// event (lineage, `does_not_fire`, --rules rules, samples, `until`, non-EQL rules, rule
// exceptions and thresholds) make the window be read from the start.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "expectations/engine.h"

namespace attest::cli {

// A selected test's checks with the facts of its run, as the evaluator is given them.
using PreparedCheck = std::pair<expectations::ScenarioChecks, expectations::RunFacts>;

struct PushdownPlan {
    std::vector<std::string> queries;  // EQL, placeholders substituted; one per check
    std::size_t size = 10;             // hits asked per query: the largest min_count, >= 10
    std::string not_possible;          // why the window must be read; empty: push down
};

PushdownPlan plan_pushdown(const std::vector<PreparedCheck>& checks);

}  // namespace attest::cli
