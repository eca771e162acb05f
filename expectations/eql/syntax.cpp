// Lexer and recursive-descent parser for Elasticsearch EQL.
//
// Grammar (Elasticsearch's EqlBase.g4, reduced to what Elasticsearch accepts; endgame-only
// forms are recognised only to reject them with a clear message):
//
//   statement    := query pipe* EOF
//   pipe         := '|' IDENT (expression (',' expression)*)?       -- head N, tail N
//   query        := sequence | sample | eventFilter
//   sequence     := 'sequence' (joinKeys seqParams? | seqParams)? seqTerm+ ('until' seqTerm)?
//   seqParams    := 'with' 'maxspan' '=' INTEGER IDENT?              -- unit ms|s|m|h|d
//   seqTerm      := '!'? '[' eventFilter ']' joinKeys? ('with' 'runs' '=' INTEGER)?
//   sample       := 'sample' joinKeys? ('[' eventFilter ']' joinKeys?)+
//   joinKeys     := 'by' expression (',' expression)*
//   eventFilter  := ('any' | IDENT | STRING) 'where' expression
//   expression   := orExpr
//   orExpr       := andExpr ('or' andExpr)*
//   andExpr      := notExpr ('and' notExpr)*
//   notExpr      := 'not' notExpr | valueExpr
//   valueExpr    := arith (cmpOp arith | predicate)?
//   cmpOp        := '==' | '!=' | '<' | '<=' | '>' | '>='
//   predicate    := 'not'? ('in' | 'in~') '(' expression (',' expression)* ')'
//                 | (':' | 'like' | 'like~' | 'regex' | 'regex~') (constant | '(' constant (',' constant)* ')')
//   arith        := mul (('+' | '-') mul)*
//   mul          := unary (('*' | '/' | '%') unary)*
//   unary        := ('-' | '+') unary | primary
//   primary      := constant | IDENT '~'? '(' args? ')' | field | '(' expression ')'
//                   (white space may stand before a call's '('; names match in any case)
//   field        := '?'? ident ('.' ident)*          ident := IDENT | '`' ... '`'
//   constant     := 'null' | 'true' | 'false' | number | STRING
//
// Strings are double-quoted with escapes \n \r \t \b \f \\ \" \' \u{X..X}, or raw """...""".
#include "expectations/eql/syntax.h"

#include <charconv>
#include <cstring>

#include "core/diagnostics.h"
#include "core/timeutil.h"
#include "core/utf8.h"

namespace attest::eql::syntax {
namespace {

enum class Tok {
    Eof,
    Ident,       // plain identifier or keyword; text in `text`, may end with '~'
    Escaped,     // `backtick` identifier; unescaped text
    String,      // unescaped text
    Integer,
    Decimal,
    LParen, RParen, LBracket, RBracket, Comma, Dot, Pipe, Bang, Question,
    Eq, Neq, Lt, Lte, Gt, Gte, Assign, Colon, Plus, Minus, Star, Slash, Percent,
};

struct Token {
    Tok kind = Tok::Eof;
    Span span;
    std::string text;
    std::int64_t integer = 0;
    double decimal = 0;
};

struct SyntaxError {
    Problem problem;
};

[[noreturn]] void fail(Span span, std::string message) {
    throw SyntaxError{Problem{span, std::move(message)}};
}

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    explicit Lexer(std::string_view text) : m_text(text) {}

    Token next() {
        skip_space_and_comments();
        Token t;
        t.span.begin = m_pos;
        if (m_pos >= m_text.size()) {
            t.span.end = m_pos;
            return t;
        }
        char c = m_text[m_pos];
        auto single = [&](Tok k, std::size_t n = 1) {
            t.kind = k;
            m_pos += n;
            t.span.end = m_pos;
            return t;
        };
        auto peek = [&](std::size_t k) { return m_pos + k < m_text.size() ? m_text[m_pos + k] : '\0'; };
        switch (c) {
            case '(': return single(Tok::LParen);
            case ')': return single(Tok::RParen);
            case '[': return single(Tok::LBracket);
            case ']': return single(Tok::RBracket);
            case ',': return single(Tok::Comma);
            case '|': return single(Tok::Pipe);
            case '?': return single(Tok::Question);
            case ':': return single(Tok::Colon);
            case '+': return single(Tok::Plus);
            case '-': return single(Tok::Minus);
            case '*': return single(Tok::Star);
            case '/': return single(Tok::Slash);
            case '%': return single(Tok::Percent);
            case '=': return peek(1) == '=' ? single(Tok::Eq, 2) : single(Tok::Assign);
            case '!': return peek(1) == '=' ? single(Tok::Neq, 2) : single(Tok::Bang);
            case '<': return peek(1) == '=' ? single(Tok::Lte, 2) : single(Tok::Lt);
            case '>': return peek(1) == '=' ? single(Tok::Gte, 2) : single(Tok::Gt);
            case '\'':
                fail({m_pos, m_pos + 1},
                     "single quotes ['] are not supported; use double quotes [\"] for strings");
            case '"': return lex_string();
            case '`': return lex_escaped_identifier();
            case '.':
                if (is_digit(peek(1))) return lex_number();
                return single(Tok::Dot);
            default: break;
        }
        if (is_digit(c)) return lex_number();
        if (is_ident_start(c)) {
            std::size_t start = m_pos;
            while (m_pos < m_text.size() && is_ident_char(m_text[m_pos])) ++m_pos;
            // `name~` is one token: the insensitive operators (in~ like~ regex~) and functions.
            if (m_pos < m_text.size() && m_text[m_pos] == '~') ++m_pos;
            t.kind = Tok::Ident;
            t.text.assign(m_text.substr(start, m_pos - start));
            t.span.end = m_pos;
            return t;
        }
        fail({m_pos, m_pos + 1}, std::string("unexpected character '") + printable(c) + "'");
    }

private:
    static std::string printable(char c) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) return std::string(1, c);
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        return buf;
    }

    void skip_space_and_comments() {
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                ++m_pos;
            } else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n') ++m_pos;
            } else if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '*') {
                std::size_t start = m_pos;
                auto end = m_text.find("*/", m_pos + 2);
                if (end == std::string_view::npos) fail({start, start + 2}, "unterminated comment");
                m_pos = end + 2;
            } else {
                break;
            }
        }
    }

    Token lex_number() {
        Token t;
        t.span.begin = m_pos;
        std::size_t start = m_pos;
        bool decimal = false;
        while (m_pos < m_text.size() && is_digit(m_text[m_pos])) ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '.' &&
            !(m_pos + 1 < m_text.size() && is_ident_start(m_text[m_pos + 1]))) {
            decimal = true;
            ++m_pos;
            while (m_pos < m_text.size() && is_digit(m_text[m_pos])) ++m_pos;
        }
        if (m_pos < m_text.size() && (m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
            std::size_t save = m_pos;
            ++m_pos;
            if (m_pos < m_text.size() && (m_text[m_pos] == '+' || m_text[m_pos] == '-')) ++m_pos;
            if (m_pos < m_text.size() && is_digit(m_text[m_pos])) {
                decimal = true;
                while (m_pos < m_text.size() && is_digit(m_text[m_pos])) ++m_pos;
            } else {
                m_pos = save;
            }
        }
        t.span.end = m_pos;
        std::string_view s = m_text.substr(start, m_pos - start);
        if (decimal) {
            t.kind = Tok::Decimal;
            std::string tmp(s);
            char* endp = nullptr;
            t.decimal = std::strtod(tmp.c_str(), &endp);
        } else {
            t.kind = Tok::Integer;
            auto r = std::from_chars(s.data(), s.data() + s.size(), t.integer);
            if (r.ec != std::errc()) {
                // Too big for a long: Elasticsearch reads it as a double.
                t.kind = Tok::Decimal;
                t.decimal = std::strtod(std::string(s).c_str(), nullptr);
            }
        }
        return t;
    }

    Token lex_string() {
        Token t;
        t.kind = Tok::String;
        t.span.begin = m_pos;
        if (m_text.substr(m_pos, 3) == "\"\"\"") {
            auto end = m_text.find("\"\"\"", m_pos + 3);
            if (end == std::string_view::npos) fail({m_pos, m_pos + 3}, "unterminated raw string");
            // Like Elasticsearch, quotes right before the closing delimiter belong to the string.
            while (end + 3 < m_text.size() && m_text[end + 3] == '"') ++end;
            t.text.assign(m_text.substr(m_pos + 3, end - m_pos - 3));
            m_pos = end + 3;
            t.span.end = m_pos;
            return t;
        }
        std::size_t start = m_pos++;
        while (true) {
            if (m_pos >= m_text.size()) fail({start, start + 1}, "unterminated string");
            char c = m_text[m_pos];
            if (c == '"') break;
            if (c == '\n' || c == '\r') fail({start, start + 1}, "unterminated string (new line in string)");
            if (c != '\\') {
                t.text.push_back(c);
                ++m_pos;
                continue;
            }
            std::size_t esc = m_pos;
            if (m_pos + 1 >= m_text.size()) fail({start, start + 1}, "unterminated string");
            char e = m_text[m_pos + 1];
            m_pos += 2;
            switch (e) {
                case 'n': t.text.push_back('\n'); break;
                case 'r': t.text.push_back('\r'); break;
                case 't': t.text.push_back('\t'); break;
                case 'b': t.text.push_back('\b'); break;
                case 'f': t.text.push_back('\f'); break;
                case '\\': t.text.push_back('\\'); break;
                case '"': t.text.push_back('"'); break;
                case '\'': t.text.push_back('\''); break;
                case 'u': {
                    if (m_pos >= m_text.size() || m_text[m_pos] != '{')
                        fail({esc, m_pos}, "invalid unicode escape: expected \\u{XXXX}");
                    std::size_t hex_start = ++m_pos;
                    std::uint32_t cp = 0;
                    while (m_pos < m_text.size() && std::isxdigit(static_cast<unsigned char>(m_text[m_pos]))) {
                        if (m_pos - hex_start >= 8) fail({esc, m_pos}, "invalid unicode escape: too many digits");
                        char h = m_text[m_pos];
                        cp = cp * 16 + static_cast<std::uint32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
                        ++m_pos;
                    }
                    if (m_pos == hex_start || m_pos >= m_text.size() || m_text[m_pos] != '}')
                        fail({esc, m_pos}, "invalid unicode escape: expected \\u{XXXX}");
                    ++m_pos;
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        fail({esc, m_pos}, "invalid unicode escape: not a code point");
                    append_utf8(t.text, cp);
                    break;
                }
                default:
                    fail({esc, m_pos}, std::string("invalid escape sequence '\\") + printable(e) + "'");
            }
        }
        ++m_pos;
        t.span.end = m_pos;
        return t;
    }

    Token lex_escaped_identifier() {
        Token t;
        t.kind = Tok::Escaped;
        std::size_t start = m_pos++;
        while (true) {
            if (m_pos >= m_text.size()) fail({start, start + 1}, "unterminated quoted identifier");
            char c = m_text[m_pos];
            if (c == '`') {
                if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '`') {  // `` is a backtick
                    t.text.push_back('`');
                    m_pos += 2;
                    continue;
                }
                break;
            }
            t.text.push_back(c);
            ++m_pos;
        }
        ++m_pos;
        t.span = {start, m_pos};
        if (t.text.empty()) fail(t.span, "empty quoted identifier");
        return t;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

bool is_keyword(std::string_view s) {
    static const char* kKeywords[] = {"and",   "any",   "by",      "false", "in",       "in~",
                                      "join",  "like",  "like~",   "maxspan", "not",    "null",
                                      "of",    "or",    "regex",   "regex~", "sequence", "sample",
                                      "true",  "until", "where",   "with"};
    for (const char* k : kKeywords)
        if (s == k) return true;
    return false;
}

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text), m_lexer(text) {
        m_tok = m_lexer.next();
        m_next = m_lexer.next();
    }

    QueryAst parse_statement() {
        QueryAst q;
        if (is_word("sequence")) {
            parse_sequence(q);
        } else if (is_word("sample")) {
            parse_sample(q);
        } else if (is_word("join")) {
            fail(m_tok.span, "'join' is not supported (an endgame EQL feature; Elasticsearch EQL has "
                             "'sequence' instead)");
        } else {
            q.kind = QueryKind::Event;
            q.event = parse_event_filter();
        }
        while (m_tok.kind == Tok::Pipe) q.pipes.push_back(parse_pipe());
        if (m_tok.kind != Tok::Eof) fail(m_tok.span, "unexpected " + describe(m_tok) + after_hint());
        return q;
    }

private:
    // ---- token helpers
    void advance() {
        m_prev_end = m_tok.span.end;
        m_tok = std::move(m_next);
        m_next = m_tok.kind == Tok::Eof ? m_tok : m_lexer.next();
    }
    bool is_word(std::string_view w) const { return m_tok.kind == Tok::Ident && m_tok.text == w; }
    bool accept_word(std::string_view w) {
        if (!is_word(w)) return false;
        advance();
        return true;
    }
    bool accept(Tok k) {
        if (m_tok.kind != k) return false;
        advance();
        return true;
    }
    void expect(Tok k, std::string_view what, std::string_view context) {
        if (m_tok.kind == k) {
            advance();
            return;
        }
        fail(m_tok.span, "expected " + std::string(what) + " " + std::string(context) + ", found " + describe(m_tok));
    }
    void expect_word(std::string_view w, std::string_view context) {
        if (accept_word(w)) return;
        fail(m_tok.span, "expected '" + std::string(w) + "' " + std::string(context) + ", found " + describe(m_tok));
    }
    std::string describe(const Token& t) const {
        switch (t.kind) {
            case Tok::Eof: return "end of query";
            case Tok::String: return "string \"" + t.text.substr(0, 40) + "\"";
            case Tok::Ident:
                return (is_keyword(t.text) ? "keyword '" : "'") + t.text + "'";
            default: return "'" + std::string(m_text.substr(t.span.begin, t.span.end - t.span.begin)) + "'";
        }
    }
    std::string after_hint() const {
        if (m_tok.kind == Tok::Assign) return " (use '==' to compare, not '=')";
        return "";
    }

    struct DepthGuard {
        Parser& p;
        DepthGuard(Parser& parser, Span span) : p(parser) {
            if (++p.m_depth > kMaxDepth) fail(span, "query nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
        }
        ~DepthGuard() { --p.m_depth; }
    };

    // Each operator of a left-nested binary chain (a + b + c ...) is one more tree level.
    struct ChainDepth {
        Parser& p;
        int steps = 0;
        explicit ChainDepth(Parser& parser) : p(parser) {}
        void step(Span span) {
            ++steps;
            if (++p.m_depth > kMaxDepth) fail(span, "query nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
        }
        ~ChainDepth() { p.m_depth -= steps; }
    };

    ExprPtr node(ExprKind k, std::size_t begin) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->span = {begin, m_prev_end};
        return e;
    }

    // ---- queries
    EventFilter parse_event_filter() {
        EventFilter f;
        f.span.begin = m_tok.span.begin;
        f.category_span = m_tok.span;
        if (is_word("any")) {
            f.any = true;
            advance();
        } else if (m_tok.kind == Tok::String || m_tok.kind == Tok::Escaped ||
                   (m_tok.kind == Tok::Ident && !is_keyword(m_tok.text) && m_tok.text.back() != '~')) {
            f.category = m_tok.text;
            advance();
        } else {
            fail(m_tok.span, "expected an event category (or 'any') before 'where', found " + describe(m_tok));
        }
        if (!is_word("where")) {
            if (m_tok.kind == Tok::Ident && m_tok.text == "of")
                fail(m_tok.span, "'" + f.category + " of' relationships are not supported (an endgame EQL feature)");
            fail(m_tok.span, "expected 'where' after the event category, found " + describe(m_tok));
        }
        advance();
        f.condition = parse_expression();
        f.span.end = m_prev_end;
        return f;
    }

    std::vector<ExprPtr> parse_join_keys(Span& span) {
        std::vector<ExprPtr> keys;
        span.begin = m_tok.span.begin;
        expect_word("by", "");
        keys.push_back(parse_expression());
        while (accept(Tok::Comma)) keys.push_back(parse_expression());
        span.end = m_prev_end;
        return keys;
    }

    void parse_maxspan(QueryAst& q) {
        // At 'with'.
        std::size_t begin = m_tok.span.begin;
        advance();
        if (!is_word("maxspan")) fail(m_tok.span, "expected 'maxspan' after 'with', found " + describe(m_tok));
        advance();
        if (m_tok.kind == Tok::Eq) fail(m_tok.span, "use '=' to set maxspan, not '=='");
        expect(Tok::Assign, "'='", "after 'maxspan'");
        if (m_tok.kind == Tok::Decimal) fail(m_tok.span, "maxspan must be a whole number followed by a unit (ms, s, m, h, d)");
        if (m_tok.kind != Tok::Integer) fail(m_tok.span, "expected a number after 'maxspan=', found " + describe(m_tok));
        std::int64_t n = m_tok.integer;
        Span number_span = m_tok.span;
        advance();
        // The unit must follow the number directly, as in Elasticsearch ("5m", "10s").
        if (m_tok.kind != Tok::Ident || m_tok.span.begin != number_span.end)
            fail(number_span, "maxspan needs a time unit (ms, s, m, h or d), as in maxspan=" + std::to_string(n) + "s");
        auto unit_ns = duration_unit_ns(m_tok.text);
        if (!unit_ns)
            fail(m_tok.span, "unknown time unit '" + m_tok.text + "' (use ms, s, m, h or d)");
        std::int64_t mult = *unit_ns / 1'000'000;
        if (n < 0 || n > INT64_MAX / mult / 1'000'000) fail(number_span, "maxspan is too large");
        advance();
        q.maxspan_ms = n * mult;
        q.maxspan_span = {begin, m_prev_end};
    }

    void parse_sequence(QueryAst& q) {
        q.kind = QueryKind::Sequence;
        advance();
        if (is_word("by")) {
            q.keys = parse_join_keys(q.keys_span);
            if (is_word("with")) parse_maxspan(q);
        } else if (is_word("with")) {
            parse_maxspan(q);
            if (is_word("by")) fail(m_tok.span, "specify the sequence 'by' keys before 'with maxspan', not after");
        }
        while (m_tok.kind == Tok::LBracket || m_tok.kind == Tok::Bang) q.terms.push_back(parse_term(true));
        if (q.terms.empty()) fail(m_tok.span, "expected '[' to start a sequence term, found " + describe(m_tok));
        if (is_word("until")) {
            advance();
            if (m_tok.kind == Tok::Bang) fail(m_tok.span, "'until' cannot be a missing event");
            q.until = parse_term(false);
        }
    }

    void parse_sample(QueryAst& q) {
        q.kind = QueryKind::Sample;
        advance();
        if (is_word("by")) q.keys = parse_join_keys(q.keys_span);
        if (is_word("with")) fail(m_tok.span, "'sample' takes no 'with' parameters (no maxspan)");
        while (m_tok.kind == Tok::LBracket || m_tok.kind == Tok::Bang) {
            if (m_tok.kind == Tok::Bang) fail(m_tok.span, "'sample' does not support missing events");
            q.terms.push_back(parse_term(false));
        }
        if (q.terms.empty()) fail(m_tok.span, "expected '[' to start a sample filter, found " + describe(m_tok));
        if (is_word("until")) fail(m_tok.span, "'sample' does not support 'until'");
    }

    Term parse_term(bool allow_runs) {
        Term t;
        t.span.begin = m_tok.span.begin;
        if (accept(Tok::Bang)) t.missing = true;
        expect(Tok::LBracket, "'['", "to start a term");
        t.filter = parse_event_filter();
        if (m_tok.kind == Tok::Assign) fail(m_tok.span, "use '==' to compare, not '='");
        expect(Tok::RBracket, "']'", "after the term's condition");
        if (is_word("by")) t.keys = parse_join_keys(t.by_span);
        if (is_word("with")) {
            std::size_t begin = m_tok.span.begin;
            advance();
            if (is_word("maxspan")) fail(m_tok.span, "maxspan belongs to the sequence ('sequence with maxspan=...'), not to a term");
            if (!is_word("runs")) fail(m_tok.span, "expected 'runs' after 'with', found " + describe(m_tok));
            advance();
            expect(Tok::Assign, "'='", "after 'runs'");
            if (m_tok.kind != Tok::Integer) fail(m_tok.span, "expected a number after 'runs=', found " + describe(m_tok));
            t.runs = m_tok.integer;
            advance();
            t.runs_span = {begin, m_prev_end};
            if (!allow_runs) fail(t.runs_span, "'runs' is only allowed on sequence terms");
        }
        t.span.end = m_prev_end;
        return t;
    }

    Pipe parse_pipe() {
        Pipe p;
        advance();  // '|'
        p.span.begin = m_tok.span.begin;
        if (m_tok.kind != Tok::Ident) fail(m_tok.span, "expected a pipe name after '|', found " + describe(m_tok));
        p.name = m_tok.text;
        advance();
        if (m_tok.kind != Tok::Eof && m_tok.kind != Tok::Pipe) {
            p.args.push_back(parse_expression());
            while (accept(Tok::Comma)) p.args.push_back(parse_expression());
        }
        p.span.end = m_prev_end;
        return p;
    }

    // ---- expressions
    ExprPtr parse_expression() { return parse_or(); }

    // `and` / `or` chains become one n-ary node, so long rule conditions do not make the tree
    // (and every recursive pass over it) as deep as the chain is long.
    ExprPtr parse_or() {
        std::size_t begin = m_tok.span.begin;
        ExprPtr first = parse_and();
        if (!is_word("or")) return first;
        auto e = node(ExprKind::Or, begin);
        e->kids.push_back(std::move(first));
        while (accept_word("or")) e->kids.push_back(parse_and());
        e->span.end = m_prev_end;
        return e;
    }

    ExprPtr parse_and() {
        std::size_t begin = m_tok.span.begin;
        ExprPtr first = parse_not();
        if (!is_word("and")) return first;
        auto e = node(ExprKind::And, begin);
        e->kids.push_back(std::move(first));
        while (accept_word("and")) e->kids.push_back(parse_not());
        e->span.end = m_prev_end;
        return e;
    }

    ExprPtr parse_not() {
        DepthGuard guard(*this, m_tok.span);
        std::size_t begin = m_tok.span.begin;
        if (is_word("not")) {
            advance();
            ExprPtr inner = parse_not();
            auto e = node(ExprKind::Not, begin);
            e->kids.push_back(std::move(inner));
            return e;
        }
        if (m_tok.kind == Tok::Ident && m_next.kind == Tok::Ident && m_next.text == "of" && !is_keyword(m_tok.text))
            fail({m_tok.span.begin, m_next.span.end},
                 "'" + m_tok.text + " of' relationships are not supported (an endgame EQL feature)");
        return parse_value();
    }

    static const char* comparison(Tok k) {
        switch (k) {
            case Tok::Eq: return "==";
            case Tok::Neq: return "!=";
            case Tok::Lt: return "<";
            case Tok::Lte: return "<=";
            case Tok::Gt: return ">";
            case Tok::Gte: return ">=";
            default: return nullptr;
        }
    }

    ExprPtr parse_value() {
        std::size_t begin = m_tok.span.begin;
        ExprPtr left = parse_arith();
        if (m_tok.kind == Tok::Assign) fail(m_tok.span, "use '==' to compare, not '='");
        if (const char* op = comparison(m_tok.kind)) {
            Span op_span = m_tok.span;
            advance();
            ExprPtr right = parse_arith();
            auto e = node(ExprKind::Compare, begin);
            e->op = op;
            e->op_span = op_span;
            e->kids.push_back(std::move(left));
            e->kids.push_back(std::move(right));
            if (comparison(m_tok.kind))
                fail(m_tok.span, "comparisons cannot be chained; combine them with 'and'");
            return e;
        }
        bool negated = false;
        Span op_span = m_tok.span;
        if (is_word("not") && m_next.kind == Tok::Ident && (m_next.text == "in" || m_next.text == "in~")) {
            negated = true;
            advance();
        }
        if (is_word("in") || is_word("in~")) {
            bool insensitive = m_tok.text == "in~";
            op_span.end = m_tok.span.end;
            advance();
            expect(Tok::LParen, "'('", "after 'in'");
            auto e = node(ExprKind::In, begin);
            e->negated = negated;
            e->insensitive = insensitive;
            e->op = insensitive ? "in~" : "in";
            e->op_span = op_span;
            e->kids.push_back(std::move(left));
            if (m_tok.kind == Tok::RParen) fail(m_tok.span, "'in' needs at least one value");
            e->kids.push_back(parse_expression());
            while (accept(Tok::Comma)) e->kids.push_back(parse_expression());
            expect(Tok::RParen, "')'", "to close the 'in' list");
            e->span.end = m_prev_end;
            return e;
        }
        if (m_tok.kind == Tok::Colon || is_word("like") || is_word("like~") || is_word("regex") || is_word("regex~")) {
            auto e = node(ExprKind::Match, begin);
            e->op = m_tok.kind == Tok::Colon ? ":" : m_tok.text;
            e->insensitive = e->op == ":" || e->op.back() == '~';
            e->op_span = m_tok.span;
            advance();
            e->kids.push_back(std::move(left));
            if (accept(Tok::LParen)) {
                e->kids.push_back(parse_pattern_constant(e->op));
                while (accept(Tok::Comma)) e->kids.push_back(parse_pattern_constant(e->op));
                expect(Tok::RParen, "')'", "to close the pattern list");
            } else {
                e->kids.push_back(parse_pattern_constant(e->op));
            }
            e->span.end = m_prev_end;
            return e;
        }
        return left;
    }

    ExprPtr parse_pattern_constant(const std::string& op) {
        if (op == ":" && (m_tok.kind == Tok::Integer || m_tok.kind == Tok::Decimal)) {
            // `code : 4624` compares the number's text, as Elasticsearch's term coercion does.
            auto e = std::make_unique<Expr>();
            e->kind = ExprKind::Literal;
            e->span = m_tok.span;
            e->literal = Value(std::string(m_text.substr(m_tok.span.begin, m_tok.span.end - m_tok.span.begin)));
            advance();
            return e;
        }
        if (m_tok.kind != Tok::String)
            fail(m_tok.span, "'" + op + "' takes string literals, found " + describe(m_tok));
        auto e = std::make_unique<Expr>();
        e->kind = ExprKind::Literal;
        e->span = m_tok.span;
        e->literal = Value(m_tok.text);
        advance();
        return e;
    }

    // One binary arithmetic node (both precedence levels build the same shape).
    ExprPtr arith_node(std::size_t begin, std::string op, Span op_span, ExprPtr left, ExprPtr right) {
        auto e = node(ExprKind::Arith, begin);
        e->op = std::move(op);
        e->op_span = op_span;
        e->kids.push_back(std::move(left));
        e->kids.push_back(std::move(right));
        return e;
    }

    ExprPtr parse_arith() {
        std::size_t begin = m_tok.span.begin;
        ExprPtr left = parse_mul();
        ChainDepth chain(*this);
        while (m_tok.kind == Tok::Plus || m_tok.kind == Tok::Minus) {
            chain.step(m_tok.span);
            std::string op = m_tok.kind == Tok::Plus ? "+" : "-";
            Span op_span = m_tok.span;
            advance();
            ExprPtr right = parse_mul();
            left = arith_node(begin, std::move(op), op_span, std::move(left), std::move(right));
        }
        return left;
    }

    ExprPtr parse_mul() {
        std::size_t begin = m_tok.span.begin;
        ExprPtr left = parse_unary();
        ChainDepth chain(*this);
        while (m_tok.kind == Tok::Star || m_tok.kind == Tok::Slash || m_tok.kind == Tok::Percent) {
            chain.step(m_tok.span);
            std::string op = m_tok.kind == Tok::Star ? "*" : m_tok.kind == Tok::Slash ? "/" : "%";
            Span op_span = m_tok.span;
            advance();
            ExprPtr right = parse_unary();
            left = arith_node(begin, std::move(op), op_span, std::move(left), std::move(right));
        }
        return left;
    }

    ExprPtr parse_unary() {
        DepthGuard guard(*this, m_tok.span);
        std::size_t begin = m_tok.span.begin;
        if (m_tok.kind == Tok::Minus || m_tok.kind == Tok::Plus) {
            bool minus = m_tok.kind == Tok::Minus;
            advance();
            ExprPtr inner = parse_unary();
            if (!minus) return inner;
            // Fold negative numeric literals so "-5" is a constant, as Elasticsearch does.
            if (inner->kind == ExprKind::Literal && inner->literal.is_number()) {
                if (inner->literal.is_int() && inner->literal.as_int() != INT64_MIN)
                    inner->literal = Value(-inner->literal.as_int());
                else
                    inner->literal = Value(-inner->literal.as_number());
                inner->span.begin = begin;
                return inner;
            }
            auto e = node(ExprKind::Neg, begin);
            e->kids.push_back(std::move(inner));
            return e;
        }
        return parse_primary();
    }

    ExprPtr parse_primary() {
        std::size_t begin = m_tok.span.begin;
        switch (m_tok.kind) {
            case Tok::String: {
                auto e = node(ExprKind::Literal, begin);
                e->literal = Value(m_tok.text);
                advance();
                e->span.end = m_prev_end;
                return e;
            }
            case Tok::Integer:
            case Tok::Decimal: {
                auto e = node(ExprKind::Literal, begin);
                e->literal = m_tok.kind == Tok::Integer ? Value(m_tok.integer) : Value(m_tok.decimal);
                advance();
                e->span.end = m_prev_end;
                return e;
            }
            case Tok::LParen: {
                advance();
                ExprPtr inner = parse_expression();
                expect(Tok::RParen, "')'", "to close '('");
                inner->span = {begin, m_prev_end};
                return inner;
            }
            case Tok::Question:
            case Tok::Escaped:
                return parse_field();
            case Tok::Ident: break;
            default:
                fail(m_tok.span, "expected a value, a field or a function call, found " + describe(m_tok) + after_hint());
        }
        const std::string& w = m_tok.text;
        if (w == "null" || w == "true" || w == "false") {
            auto e = node(ExprKind::Literal, begin);
            if (w != "null") e->literal = Value(w == "true");
            advance();
            e->span.end = m_prev_end;
            return e;
        }
        // Elasticsearch allows white space between a function name and its '(' (a keyword
        // there is the operator's own list, e.g. `in (`, handled by the caller).
        if (m_next.kind == Tok::LParen && (m_next.span.begin == m_tok.span.end || !is_keyword(w))) {
            auto e = std::make_unique<Expr>();
            e->kind = ExprKind::Call;
            e->op_span = m_tok.span;
            e->name = w;
            if (e->name.back() == '~') {
                e->insensitive = true;
                e->name.pop_back();
            }
            advance();
            advance();  // '('
            if (m_tok.kind != Tok::RParen) {
                e->kids.push_back(parse_expression());
                while (accept(Tok::Comma)) e->kids.push_back(parse_expression());
            }
            expect(Tok::RParen, "')'", "to close the call of " + e->name);
            e->span = {begin, m_prev_end};
            return e;
        }
        if (is_keyword(w) || w.back() == '~')
            fail(m_tok.span, "expected a value, a field or a function call, found " + describe(m_tok));
        return parse_field();
    }

    ExprPtr parse_field() {
        std::size_t begin = m_tok.span.begin;
        auto e = std::make_unique<Expr>();
        e->kind = ExprKind::Field;
        if (accept(Tok::Question)) {
            e->optional = true;
            if (m_tok.span.begin != m_prev_end) fail(m_tok.span, "'?' must be written right before the field name");
        }
        auto part = [&]() {
            if (m_tok.kind == Tok::Escaped || (m_tok.kind == Tok::Ident && m_tok.text.back() != '~')) {
                e->name += m_tok.text;
                advance();
                return;
            }
            fail(m_tok.span, "expected a field name, found " + describe(m_tok));
        };
        part();
        while (m_tok.kind == Tok::Dot) {
            advance();
            e->name.push_back('.');
            part();
        }
        if (m_tok.kind == Tok::LBracket && m_tok.span.begin == m_prev_end)
            fail(m_tok.span, "array indexes in field names are not supported");
        e->span = {begin, m_prev_end};
        return e;
    }

    std::string_view m_text;
    Lexer m_lexer;
    Token m_tok;
    Token m_next;
    std::size_t m_prev_end = 0;
    int m_depth = 0;
};

}  // namespace

std::optional<Problem> parse(std::string_view text, QueryAst& out) {
    try {
        Parser p(text);
        out = p.parse_statement();
        return std::nullopt;
    } catch (const SyntaxError& e) {
        return e.problem;
    }
}

std::string format_problem(std::string_view text, std::string_view origin, const Problem& p,
                           std::uint64_t at_line, std::uint64_t at_column) {
    std::uint64_t line = 1, column = 1;
    std::size_t offset = std::min(p.span.begin, text.size());
    offset_to_line_column(text, offset, line, column);
    std::size_t ls = offset - static_cast<std::size_t>(column - 1);
    std::size_t le = text.find('\n', offset);
    if (le == std::string_view::npos) le = text.size();
    std::string_view source_line = text.substr(ls, le - ls);
    if (!source_line.empty() && source_line.back() == '\r') source_line.remove_suffix(1);
    std::string shown(source_line);
    if (line == 1 && at_column > 1) {
        // Keep the caret under the right column of the file.
        shown.insert(0, at_column - 1, ' ');
        column += at_column - 1;
    }
    line += at_line - 1;
    std::string s(origin);
    s += ':' + std::to_string(line) + ':' + std::to_string(column) + ": " + p.message + "\n";
    s += shown;
    s += '\n';
    s += caret_line(shown, column);
    return s;
}

}  // namespace attest::eql::syntax
