// EQL syntax tree and parser (internal to expectations/eql).
//
// The parser is a hand-written recursive descent over the token stream of lexer.cpp; the
// grammar is in a comment at the top of syntax.cpp. Every node carries the byte offset of its
// first and one-past-last character, so errors can show line:column and a caret, and "why not"
// diagnostics can quote a clause's source text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "expectations/eql/eql.h"

namespace attest::eql::syntax {

// A position in the query text: byte offsets into it.
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
};

enum class ExprKind {
    Literal,     // m_literal
    Field,       // m_name (dotted path), m_optional
    Not,         // kids[0]
    And,         // kids[0], kids[1]
    Or,          // kids[0], kids[1]
    Compare,     // kids[0] op kids[1]; m_op: == != < <= > >=
    In,          // kids[0] in (kids[1..]); m_negated, m_insensitive
    Match,       // kids[0] (: | like | regex) (kids[1..] all string literals); m_op, m_insensitive
    Call,        // m_name(kids...); m_insensitive for name~
    Neg,         // -kids[0]
    Arith,       // kids[0] m_op kids[1]; m_op: + - * / %
};

struct Expr {
    ExprKind kind = ExprKind::Literal;
    Span span;
    Span op_span;  // the operator / function name, for errors
    Value literal;
    std::string name;
    std::string op;
    bool optional = false;
    bool negated = false;
    bool insensitive = false;
    std::vector<std::unique_ptr<Expr>> kids;
};
using ExprPtr = std::unique_ptr<Expr>;

struct EventFilter {
    bool any = false;          // `any where`
    std::string category;      // otherwise
    Span category_span;
    ExprPtr condition;
    Span span;
};

struct Term {
    EventFilter filter;
    std::vector<ExprPtr> keys;  // per-term `by`
    Span by_span;
    std::int64_t runs = 1;
    Span runs_span;
    bool missing = false;       // `![...]`
    Span span;
};

struct Pipe {
    std::string name;
    Span span;
    std::vector<ExprPtr> args;
};

struct QueryAst {
    QueryKind kind = QueryKind::Event;
    EventFilter event;                  // event query
    std::vector<ExprPtr> keys;          // sequence / sample level `by`
    Span keys_span;
    std::optional<std::int64_t> maxspan_ms;
    Span maxspan_span;
    std::vector<Term> terms;            // sequence / sample
    std::optional<Term> until;
    std::vector<Pipe> pipes;
};

// A syntax or semantic problem at a span of the query text.
struct Problem {
    Span span;
    std::string message;
};

// Parses `text`. On failure returns the first syntax error (parsing cannot sensibly continue).
// Recursion is capped (kMaxDepth) so hostile queries fail cleanly instead of overflowing the
// stack.
constexpr int kMaxDepth = 200;
std::optional<Problem> parse(std::string_view text, QueryAst& out);

// Formats "origin:line:column: message\n<source line>\n<caret>".
// When the query sits inside a larger file at line:column (1-based), positions are shifted to
// point into that file.
std::string format_problem(std::string_view text, std::string_view origin, const Problem& p,
                           std::uint64_t at_line = 1, std::uint64_t at_column = 1);

}  // namespace attest::eql::syntax
