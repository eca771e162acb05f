// EQL rule files: a bare `.eql` file (the whole file is the query) or an Elastic
// detection-rules TOML file (`[rule]` with language = "eql", query, index, name, rule_id,
// `[[rule.threat]]` techniques, `[metadata]`). TOML is read by a small reader for the subset
// detection rules use (tables, arrays of tables, strings of the four kinds, numbers,
// booleans, dates, arrays, inline tables).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/collector.h"
#include "core/expected.h"
#include "expectations/eql/eql.h"

namespace attest::eql {

// A Kibana filter of a detection rule (`[[rule.filters]]`), ANDed with the query.
struct RuleFilter {
    std::string kind;                 // match_phrase, match, term, terms, wildcard, prefix, exists, ...
    std::string field;
    std::vector<std::string> values;  // wildcard/prefix: the pattern as Lucene writes it
    bool negate = false;
    bool disabled = false;
    bool case_insensitive = false;
    std::uint64_t line = 0, column = 0;  // where the filter's first key is
};

// `[rule.threshold]`: matching events counted per distinct value of `fields`.
struct RuleThreshold {
    std::vector<std::string> fields;
    std::uint64_t value = 1;
    std::string cardinality_field;  // empty: none
    std::uint64_t cardinality_value = 0;
};

struct Rule {
    std::string path;                     // the file (the origin in error messages)
    std::string name;
    std::string rule_id;
    std::string language = "eql";
    std::string type;                     // rule.type: eql, query, threshold, new_terms, machine_learning, ...
    std::string query;
    std::vector<std::string> index;       // index patterns
    std::optional<Profile> profile;       // from the index patterns, when they decide it
    // The index patterns name both Elastic Defend and Sysmon/Windows indices: the rule is
    // meant for whichever is collected, so it is evaluated under the data's vocabulary.
    bool profile_from_data = false;
    std::vector<std::string> techniques;  // ATT&CK ids, sub-techniques included
    // Where the query text starts in the file (1-based), so query errors point into the file.
    std::uint64_t query_line = 1;
    std::uint64_t query_column = 1;
    std::vector<RuleFilter> filters;
    std::optional<RuleThreshold> threshold;
    std::vector<std::string> new_terms_fields;
    // The detection engine's schedule: `rule.interval` ("5m") and the look-back `rule.from`
    // ("now-6m"), in nanoseconds; nullopt when the file does not say (Kibana's defaults are
    // 5m and now-6m). A run waiting for the SIEM's alert derives its deadline from them.
    std::optional<std::int64_t> interval_ns;
    std::optional<std::int64_t> lookback_ns;
};

// A detection rule's schedule as Kibana writes it: `interval` is a duration ("5m"), `from`
// date math back from now ("now-6m"); nanoseconds, nullopt for any other form.
std::optional<std::int64_t> schedule_interval_ns(std::string_view text);
std::optional<std::int64_t> schedule_lookback_ns(std::string_view text);

// Reads a rule file: `.toml` is parsed as detection-rules TOML, anything else as a bare EQL
// query. Errors name file:line:column. Any language loads (eql, kuery, esql, ...): whether it
// can be evaluated locally is decided when compiling (expectations/rules.h).
Expected<Rule> load_rule(const std::string& path);
// The same from text already read (`toml` selects the format).
Expected<Rule> parse_rule(std::string_view text, std::string_view origin, bool toml);

// `logs-endpoint*` means endpoint; `logs-windows*`, `winlogbeat-*` (and `logs-system*`)
// mean sysmon. Nullopt when no pattern decides or they disagree.
std::optional<Profile> profile_from_index(const std::vector<std::string>& patterns);
// True when the patterns name both vocabularies (Defend and Sysmon/Windows indices).
bool index_names_both_vocabularies(const std::vector<std::string>& patterns);

// Compiles the rule's query; error positions are in the rule file.
Expected<std::shared_ptr<const Query>> compile_rule(const Rule& rule, const QueryOptions& options);

// compile() with the query text placed at line:column of a larger file (for error positions).
Expected<std::shared_ptr<const Query>> compile_at(std::string_view text, std::string_view origin,
                                                  const QueryOptions& options, std::uint64_t line,
                                                  std::uint64_t column);

// Why a query does not compile, at a 1-based line and column of the query text, kept
// structured so that a caller can place it in a larger file (a query in expectations.yaml).
struct QueryProblem {
    std::uint64_t line = 1;
    std::uint64_t column = 1;
    std::string message;
};
// Every problem of a query that does not compile (empty: it compiles); compile() reports the
// same ones as text.
std::vector<QueryProblem> query_problems(std::string_view text, const QueryOptions& options = {});

}  // namespace attest::eql
