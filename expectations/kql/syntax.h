// KQL syntax tree and parser (internal to expectations/kql). The grammar is in a comment at
// the top of syntax.cpp. Nodes carry byte spans into the query text (errors with a caret,
// clause texts for "why not" diagnostics).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expectations/eql/syntax.h"

namespace attest::kql::syntax {

using Span = eql::syntax::Span;
using Problem = eql::syntax::Problem;

// A value as written: its text with escapes resolved, and which characters are unescaped
// `*` wildcards (an escaped `\*` is a literal star).
struct Literal {
    std::string text;
    std::vector<bool> wild;  // per byte of text
    bool quoted = false;
    Span span;
    bool has_wildcard() const;
    bool is_exists() const { return !quoted && text == "*" && wild[0]; }
};

enum class NodeKind {
    And,      // kids
    Or,       // kids
    Not,      // kids[0]
    Match,    // field : value
    Range,    // field op value (op: < <= > >=)
    Nested,   // field : { kids[0] } (field paths inside are relative to field)
    Default,  // a bare value: every field of the event
};

struct Node {
    NodeKind kind = NodeKind::Match;
    Span span;
    std::string field;
    std::string op;
    Literal value;
    std::vector<std::unique_ptr<Node>> kids;
};
using NodePtr = std::unique_ptr<Node>;

constexpr int kMaxDepth = 100;

// Parses `text`; on failure returns the first problem (with its span).
std::optional<Problem> parse(std::string_view text, NodePtr& out);

}  // namespace attest::kql::syntax
