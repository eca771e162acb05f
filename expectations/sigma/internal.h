// Internals of the Sigma compiler shared between its files (not part of the API).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expectations/eql/compiled.h"
#include "expectations/sigma/sigma.h"

namespace attest::sigma::detail {

using eql::detail::Cond;
using eql::detail::CondPtr;

// A load problem at a position of the rule file, with the key path it concerns.
struct Problem {
    std::uint64_t line = 0, column = 0;  // 1-based; 0 unknown
    std::string key;                     // "detection.selection.Image|re|contains"
    std::string message;
};

// A Sigma field name resolved against an event: the first candidate path present wins
// (native record first, then the ECS mapping).
struct FieldRef {
    std::string name;                // as written in the rule
    std::vector<std::string> paths;  // candidates, in order
    const Value* resolve(const Event& e) const;
};
FieldRef field_ref(std::string_view sigma_name);

// The logsource's event selector and the attest sources behind it (none: no collector
// supplies it); a null scope when the table has no row for it.
struct Scope {
    CondPtr cond;
    std::vector<std::string> sources;
};
Scope logsource_scope(const LogSource& ls);

// One field item `Field|mods: values` (or a keyword list when field is empty) compiled to a
// condition. Problems are appended (the item then yields nullptr).
struct ItemInput {
    std::string field;  // empty: keyword search
    std::vector<std::string> modifiers;
    struct Scalar {
        std::string text;
        bool is_null = false;
        bool plain = false;  // unquoted in YAML (numbers and booleans compare by value)
        std::uint64_t line = 0, column = 0;
    };
    std::vector<Scalar> values;
    bool list = false;                   // the values were a YAML list
    std::uint64_t line = 0, column = 0;  // of the key
    std::string key_path;
};
std::shared_ptr<const Cond> compile_item(const ItemInput& in, const LoadOptions& options,
                                         std::vector<Problem>& problems);

// Sigma's string escapes: `\*` `\?` `\\` literal, a backslash before anything else literal;
// unescaped `*` and `?` are wildcards. Returns the text and its wildcard mask.
struct Pattern {
    std::string text;
    std::vector<bool> wild;
};
Pattern unescape(std::string_view value);

// Translates a PCRE-style regular expression (Sigma `re`) into the engine's Lucene dialect
// as an unanchored search; flags: i, m, s.
Expected<std::shared_ptr<const eql::RegexPattern>> compile_regex(std::string_view pcre, bool i,
                                                                 bool m, bool s);

// Shares one compiled search between the condition tree and the diagnostic clauses.
class SharedCond final : public Cond {
public:
    explicit SharedCond(std::shared_ptr<const Cond> c) : m_c(std::move(c)) {}
    bool test(const Event& e) const override { return m_c->test(e); }
    bool index_keys(std::vector<eql::detail::IndexKey>& out) const override {
        return m_c->index_keys(out);
    }

private:
    std::shared_ptr<const Cond> m_c;
};

// A named search of `detection`: its condition and its parts for diagnostics (the field
// items of a map; the whole search otherwise).
struct Search {
    std::string name;
    std::shared_ptr<const Cond> cond;
    std::vector<std::pair<std::shared_ptr<const Cond>, std::string>> parts;  // (item, text)
};

// Parses a condition string and builds the filter; `clauses` receive its top-level
// conjuncts (searches expanded into their parts). Problems carry column offsets into `text`
// (line/column of the string are added by the caller).
struct CompiledCondition {
    CondPtr cond;
    std::vector<CondPtr> clauses;
    std::vector<std::string> clause_texts;
};
std::optional<CompiledCondition> compile_condition(std::string_view text,
                                                   const std::vector<Search>& searches,
                                                   std::vector<Problem>& problems);

}  // namespace attest::sigma::detail
