// Run info: what `attest check` needs to know about executions it did not make itself
// (docs/packs.md "Run info"). Either
//   {"host": "...", "collected": [...], "pending": [...],
//    "scenarios": [{"guid": "...", "host": "...", "start": "ISO", "end": "ISO",
//                   "cleanup_start": "ISO", "arguments": {...}, "collected": [...],
//                   "pending": [...], "executor_pid": "4242", "executor_entity_id": "{...}",
//                   "verdict": "error", "reason": "..."}]}
// or a results.json of `attest run` (schema attest.results/1), whose scenarios carry
// execution.start / execution.end / execution.executor_pid / arguments / target.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/value.h"
#include "expectations/engine.h"

namespace attest::expectations {

struct RunInfoEntry {
    std::string guid;
    RunFacts facts;
};

// Parses the JSON text; errors name the member and the entry index.
Expected<std::vector<RunInfoEntry>> parse_run_info(const Value& document);
Expected<std::vector<RunInfoEntry>> load_run_info(const std::string& path);

}  // namespace attest::expectations
