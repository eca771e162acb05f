// KQL parser: a hand-written recursive descent over the tokens of the lexer below.
//
//   query         := or_expr EOF
//   or_expr       := and_expr ('or' and_expr)*
//   and_expr      := not_expr ('and' not_expr)*
//   not_expr      := 'not' not_expr | primary
//   primary       := '(' or_expr ')'
//                  | FIELD ':' '{' or_expr '}'               nested: one array element
//                  | FIELD ':' value_list
//                  | FIELD ('<' | '<=' | '>' | '>=') value
//                  | value                                   a bare value: default fields
//   value_list    := '(' value_or ')' | value
//   value_or      := value_and ('or' value_and)*
//   value_and     := value_not ('and' value_not)*
//   value_not     := 'not' value_not | '(' value_or ')' | value
//   value         := QUOTED | WORD+                          words as one value ("a b")
//   FIELD         := WORD                                    may hold `*` (any matching field)
//
// `and` / `or` / `not` are keywords in any case, unquoted and unescaped; `not` binds tighter
// than `and`, `and` than `or`. WORD: characters other than white space and `\():<>"{}`, with
// `\` escaping any of those (and `*`, and a space); an unescaped `*` is a wildcard. QUOTED:
// "..." with `\"` and `\\` (other escapes kept as written); `*` inside quotes is literal.
// Nesting is capped at kMaxDepth so hostile input fails cleanly.
#include "expectations/kql/syntax.h"

#include <algorithm>

namespace attest::kql::syntax {

bool Literal::has_wildcard() const {
    return std::find(wild.begin(), wild.end(), true) != wild.end();
}

namespace {

enum class Tok { LParen, RParen, LBrace, RBrace, Colon, Range, Word, Quoted, End };

struct Token {
    Tok kind = Tok::End;
    Span span;
    Literal lit;     // Word, Quoted
    std::string op;  // Range
    bool escaped = false;
};

struct Failure {
    Problem problem;
};

class Lexer {
public:
    explicit Lexer(std::string_view t) : m_t(t) {}

    Token next() {
        while (m_i < m_t.size() && is_space(m_t[m_i])) ++m_i;
        Token tok;
        tok.span.begin = m_i;
        if (m_i >= m_t.size()) {
            tok.span.end = m_i;
            return tok;
        }
        char c = m_t[m_i];
        auto single = [&](Tok k) {
            ++m_i;
            tok.kind = k;
            tok.span.end = m_i;
            return tok;
        };
        switch (c) {
            case '(':
                return single(Tok::LParen);
            case ')':
                return single(Tok::RParen);
            case '{':
                return single(Tok::LBrace);
            case '}':
                return single(Tok::RBrace);
            case ':':
                return single(Tok::Colon);
            case '<':
            case '>':
                tok.op.push_back(c);
                if (m_i + 1 < m_t.size() && m_t[m_i + 1] == '=') tok.op.push_back('=');
                m_i += tok.op.size();
                tok.kind = Tok::Range;
                tok.span.end = m_i;
                return tok;
            case '"':
                return quoted(tok);
            default:
                return word(tok);
        }
    }

private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool is_special(char c) {
        return c == '\\' || c == '(' || c == ')' || c == ':' || c == '<' || c == '>' || c == '"' ||
               c == '{' || c == '}' || is_space(c);
    }
    [[noreturn]] void fail(std::size_t at, std::string m) const {
        throw Failure{Problem{Span{at, at + 1}, std::move(m)}};
    }

    void put(Literal& l, char c, bool wild) {
        l.text.push_back(c);
        l.wild.push_back(wild);
    }

    Token quoted(Token& tok) {
        ++m_i;
        tok.kind = Tok::Quoted;
        tok.lit.quoted = true;
        while (true) {
            if (m_i >= m_t.size())
                fail(tok.span.begin, "unterminated quoted value (a '\"' is missing)");
            char c = m_t[m_i++];
            if (c == '"') break;
            if (c == '\\') {
                if (m_i >= m_t.size())
                    fail(m_i - 1, "a '\\' at the end of the query escapes nothing");
                char e = m_t[m_i++];
                if (e != '"' && e != '\\') put(tok.lit, '\\', false);
                put(tok.lit, e, false);
                continue;
            }
            put(tok.lit, c, false);
        }
        tok.span.end = m_i;
        tok.lit.span = tok.span;
        return tok;
    }

    Token word(Token& tok) {
        tok.kind = Tok::Word;
        while (m_i < m_t.size()) {
            char c = m_t[m_i];
            if (c == '\\') {
                if (m_i + 1 >= m_t.size())
                    fail(m_i, "a '\\' at the end of the query escapes nothing");
                char e = m_t[m_i + 1];
                if (!is_special(e) && e != '*')
                    fail(m_i,
                         std::string("'\\") + e +
                             "' is not an escape (escape only \\ ( ) : < > \" * { } and spaces)");
                put(tok.lit, e, false);
                tok.escaped = true;
                m_i += 2;
                continue;
            }
            if (is_special(c)) break;
            put(tok.lit, c, c == '*');
            ++m_i;
        }
        tok.span.end = m_i;
        tok.lit.span = tok.span;
        return tok;
    }

    std::string_view m_t;
    std::size_t m_i = 0;
};

class Parser {
public:
    explicit Parser(std::string_view text) : m_lex(text) {
        m_tok = m_lex.next();
        m_next = m_lex.next();
    }

    NodePtr query() {
        if (m_tok.kind == Tok::End) fail(m_tok.span, "the query is empty");
        NodePtr n = or_expr(false);
        if (m_tok.kind != Tok::End)
            fail(m_tok.span,
                 "expected 'and', 'or' or the end of the query, found " + describe(m_tok));
        return n;
    }

private:
    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser, const Span& at) : p(parser) {
            if (++p.m_depth > kMaxDepth) p.fail(at, "the query is nested too deeply");
        }
        ~DepthGuard() { --p.m_depth; }
    };

    [[noreturn]] void fail(Span s, std::string m) const {
        if (s.end <= s.begin) s.end = s.begin + 1;
        throw Failure{Problem{s, std::move(m)}};
    }

    static std::string describe(const Token& t) {
        switch (t.kind) {
            case Tok::LParen:
                return "'('";
            case Tok::RParen:
                return "')'";
            case Tok::LBrace:
                return "'{'";
            case Tok::RBrace:
                return "'}'";
            case Tok::Colon:
                return "':'";
            case Tok::Range:
                return "'" + t.op + "'";
            case Tok::Word:
                return "'" + t.lit.text + "'";
            case Tok::Quoted:
                return "a quoted value";
            case Tok::End:
                return "the end of the query";
        }
        return "?";
    }

    void advance() {
        m_prev_end = m_tok.span.end;
        m_tok = std::move(m_next);
        m_next = m_lex.next();
    }

    bool is_keyword(const Token& t, std::string_view kw) const {
        if (t.kind != Tok::Word || t.escaped || t.lit.text.size() != kw.size()) return false;
        for (std::size_t i = 0; i < kw.size(); ++i)
            if ((t.lit.text[i] | 0x20) != kw[i]) return false;
        return true;
    }
    bool any_keyword(const Token& t) const {
        return is_keyword(t, "and") || is_keyword(t, "or") || is_keyword(t, "not");
    }

    NodePtr make(NodeKind k, std::size_t begin) {
        auto n = std::make_unique<Node>();
        n->kind = k;
        n->span.begin = begin;
        return n;
    }

    // Binary chains: `or` over `and` over `not`, for whole expressions or value lists.
    NodePtr or_expr(bool values, const std::string* field = nullptr) {
        DepthGuard g(*this, m_tok.span);
        return chain(NodeKind::Or, "or", values, field);
    }
    NodePtr chain(NodeKind kind, std::string_view kw, bool values, const std::string* field) {
        std::size_t begin = m_tok.span.begin;
        auto operand = [&]() {
            return kind == NodeKind::Or ? chain(NodeKind::And, "and", values, field)
                                        : not_expr(values, field);
        };
        NodePtr first = operand();
        if (!is_keyword(m_tok, kw)) return first;
        NodePtr n = make(kind, begin);
        n->kids.push_back(std::move(first));
        while (is_keyword(m_tok, kw)) {
            advance();
            n->kids.push_back(operand());
        }
        n->span.end = m_prev_end;
        return n;
    }

    NodePtr not_expr(bool values, const std::string* field) {
        if (is_keyword(m_tok, "not")) {
            DepthGuard g(*this, m_tok.span);
            NodePtr n = make(NodeKind::Not, m_tok.span.begin);
            advance();
            n->kids.push_back(not_expr(values, field));
            n->span.end = m_prev_end;
            return n;
        }
        if (m_tok.kind == Tok::LParen) {
            std::size_t begin = m_tok.span.begin;
            advance();
            NodePtr inner = or_expr(values, field);
            if (m_tok.kind != Tok::RParen)
                fail(m_tok.span, "expected ')' to close '(', found " + describe(m_tok));
            advance();
            inner->span = {begin, m_prev_end};
            return inner;
        }
        if (values) {
            NodePtr n = make(NodeKind::Match, m_tok.span.begin);
            n->field = *field;
            n->value = value("a value");
            n->span.end = m_prev_end;
            return n;
        }
        return primary();
    }

    // One value: a quoted string, or unquoted words up to the next keyword or operator.
    Literal value(const char* what) {
        if (m_tok.kind == Tok::Quoted) {
            Literal l = m_tok.lit;
            advance();
            return l;
        }
        if (m_tok.kind != Tok::Word || any_keyword(m_tok))
            fail(m_tok.span, std::string("expected ") + what + ", found " + describe(m_tok));
        Literal l = m_tok.lit;
        advance();
        while (m_tok.kind == Tok::Word && !any_keyword(m_tok)) {
            l.text.push_back(' ');
            l.wild.push_back(false);
            l.text += m_tok.lit.text;
            l.wild.insert(l.wild.end(), m_tok.lit.wild.begin(), m_tok.lit.wild.end());
            l.span.end = m_tok.span.end;
            advance();
        }
        return l;
    }

    NodePtr primary() {
        std::size_t begin = m_tok.span.begin;
        bool field_next = m_tok.kind == Tok::Word && !any_keyword(m_tok) &&
                          (m_next.kind == Tok::Colon || m_next.kind == Tok::Range);
        if (!field_next) {
            Literal l = value("a field, a value or '('");
            if (m_tok.kind == Tok::Colon || m_tok.kind == Tok::Range)
                fail(l.span, "a field name cannot contain spaces (escape them with '\\ ')");
            NodePtr n = make(NodeKind::Default, begin);
            n->value = std::move(l);
            n->span.end = m_prev_end;
            return n;
        }
        std::string field = m_tok.lit.text;
        if (field.empty()) fail(m_tok.span, "empty field name");
        advance();
        if (m_tok.kind == Tok::Range) {
            NodePtr n = make(NodeKind::Range, begin);
            n->field = field;
            n->op = m_tok.op;
            advance();
            n->value = value("a value after the range operator");
            if (n->value.has_wildcard()) fail(n->value.span, "a range takes no wildcard");
            n->span.end = m_prev_end;
            return n;
        }
        advance();  // ':'
        if (m_tok.kind == Tok::LBrace) {
            NodePtr n = make(NodeKind::Nested, begin);
            n->field = field;
            advance();
            if (m_tok.kind == Tok::RBrace)
                fail(m_tok.span, "a nested query '{ }' needs a condition");
            n->kids.push_back(or_expr(false));
            if (m_tok.kind != Tok::RBrace)
                fail(m_tok.span,
                     "expected '}' to close the nested query, found " + describe(m_tok));
            advance();
            n->span.end = m_prev_end;
            return n;
        }
        NodePtr n;
        if (m_tok.kind == Tok::LParen)
            n = not_expr(true, &field);
        else {
            n = make(NodeKind::Match, begin);
            n->field = field;
            n->value = value("a value after ':'");
        }
        n->span = {begin, m_prev_end};
        return n;
    }

    Lexer m_lex;
    Token m_tok, m_next;
    std::size_t m_prev_end = 0;
    int m_depth = 0;
};

}  // namespace

std::optional<Problem> parse(std::string_view text, NodePtr& out) {
    try {
        Parser p(text);
        out = p.query();
        return std::nullopt;
    } catch (const Failure& f) {
        return f.problem;
    }
}

}  // namespace attest::kql::syntax
