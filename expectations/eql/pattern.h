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

namespace attest::eql {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string ascii_lowercase(std::string_view s);
bool iequals_ascii(std::string_view a, std::string_view b);

// `*` matches any run of characters, `?` exactly one (a UTF-8 code point); every other
// character, backslash included, is literal. KQL has no `?` wildcard (question_wild false).
class WildcardPattern {
public:
    WildcardPattern(std::string_view pattern, bool insensitive, bool question_wild = true);
    bool matches(std::string_view s) const;
    const std::string& pattern() const { return m_pattern; }

private:
    enum class Shape { Exact, Prefix, Suffix, Contains, General };
    bool general_match(std::string_view s) const;
    std::string m_pattern;  // lowercased when insensitive
    std::string m_literal;  // the literal part for the fast shapes
    Shape m_shape = Shape::General;
    bool m_insensitive = false;
    bool m_question_wild = true;
};

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
