// String patterns of EQL, compiled once per query: wildcards (`:`, like, like~) and Lucene
// regular expressions (regex, regex~), both matched against the whole string.
//
// Case-insensitive forms fold ASCII letters only (Lucene's ASCII_CASE_INSENSITIVE, which is
// what Elasticsearch's case_insensitive term/wildcard/regexp queries use for keyword fields).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/text.h"

namespace attest::eql {

// `*` matches any run of characters, `?` exactly one (a UTF-8 code point); every other
// character, backslash included, is literal (a mask can make any of them literal).
class WildcardPattern {
public:
    WildcardPattern(std::string_view pattern, bool insensitive);
    // For syntaxes with escapes (Sigma's `\*`, KQL's): `wild[i]` says whether pattern[i] is a
    // wildcard; a `*` or `?` whose flag is false is a literal character.
    WildcardPattern(std::string_view pattern, bool insensitive, std::vector<bool> wild);
    bool matches(std::string_view s) const;
    const std::string& pattern() const { return m_pattern; }
    // How the pattern matches: one literal test (exact, prefix, suffix, contains) or a glob.
    // The value index (value_index.h) files the first three under their literal.
    enum class Shape { Exact, Prefix, Suffix, Contains, General };
    Shape shape() const { return m_shape; }
    // The literal of the fast shapes (ASCII-lowercased when insensitive); empty for General.
    const std::string& literal() const { return m_literal; }

private:
    bool general_match(std::string_view s) const;
    void choose_shape();
    bool is_star(std::size_t i) const {
        return m_pattern[i] == '*' && (m_wild.empty() || m_wild[i]);
    }
    bool is_question(std::size_t i) const {
        return m_pattern[i] == '?' && (m_wild.empty() || m_wild[i]);
    }
    std::vector<bool> m_wild;  // empty: every `*` and `?` is a wildcard
    std::string m_pattern;  // lowercased when insensitive
    std::string m_literal;  // the literal part for the fast shapes
    Shape m_shape = Shape::General;
    bool m_insensitive = false;
};

// The wildcard mask of a pattern without escapes: `*` is a wildcard, `?` one when
// `question_wild` (KQL's and Lucene's `?` is; in a KQL keyword value it is not).
std::vector<bool> wildcard_mask(std::string_view pattern, bool question_wild);

// Lucene regexp syntax: literals, `.`, `[...]`/`[^...]` classes with ranges, `*` `+` `?`
// `{n}` `{n,}` `{n,m}`, `|`, `(...)`, `\c` (escaped literal; \d \D \s \S \w \W classes),
// `"..."` literal strings, `@` any string, `#` the empty language. Complement `~`,
// intersection `&` and numeric intervals `<n-m>` are rejected at compile time.
// Matching is a Pike VM (linear in the input, no backtracking): telemetry is attacker-controlled.
class RegexPattern {
public:
    static Expected<std::shared_ptr<const RegexPattern>> compile(std::string_view pattern, bool insensitive);
    bool matches(std::string_view s) const;

    struct Inst;

private:
    RegexPattern() = default;
    std::vector<Inst> m_program;
    bool m_insensitive = false;
};

}  // namespace attest::eql
