// KQL (Kibana Query Language) as Elastic detection rules use it (shared/spec/kql.md),
// compiled to the same predicate form as EQL (expectations/eql/compiled.h): the result is an
// event query over every category, run by eql::Matcher, so per-clause counts and near misses
// work as they do for EQL. Matching depends on field types (QueryOptions::types: a mapping,
// else ECS): keyword exact and case-sensitive, text analyzed like the standard analyzer, ip
// with CIDR, dates with date math relative to QueryOptions::now_ns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/rule.h"

namespace attest::kql {

// Parses and compiles. Errors name origin:line:column (shifted by line/column when the query
// sits inside a larger file) with the source line and a caret.
Expected<std::shared_ptr<const eql::Query>> compile(std::string_view text, std::string_view origin,
                                                    const eql::QueryOptions& options,
                                                    std::uint64_t line = 1,
                                                    std::uint64_t column = 1);

// A `language = "kuery"` rule of type query or threshold: its query, its Kibana filters
// ANDed (each a clause of its own in diagnostics; match_phrase, match, term, terms,
// wildcard, prefix, exists, possibly negated) and its threshold. Errors name the rule file.
Expected<std::shared_ptr<const eql::Query>> compile_rule(const eql::Rule& rule,
                                                         const eql::QueryOptions& options);

// Standard-analyzer tokens of a text value: lower-cased words split on characters that are
// not letters, digits or `_` (a `.` or `'` between two word characters joins them, as
// Unicode word segmentation does; bytes of non-ASCII characters are word characters).
std::vector<std::string> analyze(std::string_view text);

}  // namespace attest::kql
