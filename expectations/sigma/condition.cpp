// The `condition` of a Sigma detection: and / or / not, parentheses, `1 of x*`, `all of x*`,
// `1 of them`, `all of them`; precedence not > and > or. The legacy aggregation form
// (`... | count() by x > 5`) is reported as unsupported at its position.
#include <cctype>

#include "expectations/eql/pattern.h"
#include "expectations/sigma/internal.h"

namespace attest::sigma::detail {

using eql::detail::AndCond;
using eql::detail::NotCond;
using eql::detail::OrCond;

namespace {

struct Token {
    std::string text;
    std::size_t pos = 0;  // byte offset in the condition
};

struct Node {
    enum Kind { Ref, Not, And, Or, OneOf, AllOf } kind = Ref;
    std::vector<Node> kids;
    std::vector<const Search*> targets;  // Ref (one), OneOf / AllOf (several)
    std::size_t begin = 0, end = 0;      // span in the condition text
};

class Parser {
public:
    Parser(std::string_view text, const std::vector<Search>& searches,
           std::vector<Problem>& problems)
        : m_text(text), m_searches(searches), m_problems(problems) {}

    std::optional<Node> run() {
        if (!tokenize()) return std::nullopt;
        if (m_tokens.empty()) return fail(0, "empty condition");
        auto n = parse_or();
        if (n && m_at < m_tokens.size())
            return fail(m_tokens[m_at].pos, "unexpected '" + m_tokens[m_at].text + "'");
        return n;
    }

private:
    std::optional<Node> fail(std::size_t pos, std::string msg) {
        if (!m_failed) m_problems.push_back(Problem{0, pos + 1, "", std::move(msg)});
        m_failed = true;
        return std::nullopt;
    }

    bool tokenize() {
        for (std::size_t i = 0; i < m_text.size();) {
            char c = m_text[i];
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
                continue;
            }
            if (c == '|') {
                fail(i,
                     "the aggregation form ('| count() ...') is not supported; write a correlation "
                     "rule (event_count, value_count) instead");
                return false;
            }
            if (c == '(' || c == ')') {
                m_tokens.push_back(Token{std::string(1, c), i++});
                continue;
            }
            std::size_t start = i;
            while (i < m_text.size() && !std::isspace(static_cast<unsigned char>(m_text[i])) &&
                   m_text[i] != '(' && m_text[i] != ')' && m_text[i] != '|')
                ++i;
            m_tokens.push_back(Token{std::string(m_text.substr(start, i - start)), start});
        }
        return true;
    }

    const Token* peek() const { return m_at < m_tokens.size() ? &m_tokens[m_at] : nullptr; }
    bool accept(std::string_view word) {
        if (peek() && peek()->text == word) {
            ++m_at;
            return true;
        }
        return false;
    }
    std::size_t end_of_previous() const {
        return m_tokens[m_at - 1].pos + m_tokens[m_at - 1].text.size();
    }

    std::optional<Node> binary(Node::Kind kind, std::string_view word,
                               std::optional<Node> (Parser::*next)()) {
        auto left = (this->*next)();
        if (!left) return std::nullopt;
        if (!peek() || peek()->text != word) return left;
        Node n;
        n.kind = kind;
        n.begin = left->begin;
        n.kids.push_back(std::move(*left));
        while (accept(word)) {
            auto right = (this->*next)();
            if (!right) return std::nullopt;
            n.kids.push_back(std::move(*right));
        }
        n.end = end_of_previous();
        return n;
    }
    std::optional<Node> parse_or() { return binary(Node::Or, "or", &Parser::parse_and); }
    std::optional<Node> parse_and() { return binary(Node::And, "and", &Parser::parse_not); }

    std::optional<Node> parse_not() {
        if (peek() && peek()->text == "not") {
            std::size_t begin = peek()->pos;
            ++m_at;
            auto inner = parse_not();
            if (!inner) return std::nullopt;
            Node n;
            n.kind = Node::Not;
            n.begin = begin;
            n.end = inner->end;
            n.kids.push_back(std::move(*inner));
            return n;
        }
        return parse_primary();
    }

    std::optional<Node> parse_primary() {
        const Token* t = peek();
        if (t == nullptr)
            return fail(m_text.size(), "the condition ends where a search identifier was expected");
        if (t->text == "(") {
            std::size_t begin = t->pos;
            ++m_at;
            auto inner = parse_or();
            if (!inner) return std::nullopt;
            if (!accept(")")) return fail(peek() ? peek()->pos : m_text.size(), "expected ')'");
            inner->begin = begin;
            inner->end = end_of_previous();
            return inner;
        }
        if (t->text == ")" || t->text == "and" || t->text == "or" || t->text == "of")
            return fail(t->pos, "unexpected '" + t->text + "'");
        if ((t->text == "1" || t->text == "all" || t->text == "any") &&
            m_at + 1 < m_tokens.size() && m_tokens[m_at + 1].text == "of")
            return quantified();
        ++m_at;
        const Search* s = find(t->text);
        if (s == nullptr)
            return fail(t->pos, "unknown search identifier '" + t->text + "' (not in detection)");
        Node n;
        n.targets.push_back(s);
        n.begin = t->pos;
        n.end = t->pos + t->text.size();
        return n;
    }

    std::optional<Node> quantified() {
        Node n;
        n.kind = m_tokens[m_at].text == "all" ? Node::AllOf : Node::OneOf;
        n.begin = m_tokens[m_at].pos;
        m_at += 2;
        const Token* t = peek();
        if (t == nullptr || t->text == "(" || t->text == ")")
            return fail(t ? t->pos : m_text.size(),
                        "expected 'them' or a search identifier pattern after 'of'");
        ++m_at;
        if (t->text == "them") {
            for (const auto& s : m_searches)
                if (s.name.empty() || s.name[0] != '_') n.targets.push_back(&s);
        } else {
            std::vector<bool> wild;
            for (char c : t->text) wild.push_back(c == '*' || c == '?');
            eql::WildcardPattern p(t->text, false, wild);
            for (const auto& s : m_searches)
                if (p.matches(s.name)) n.targets.push_back(&s);
        }
        if (n.targets.empty())
            return fail(t->pos, "no search identifier matches '" + t->text + "'");
        n.end = t->pos + t->text.size();
        return n;
    }

    const Search* find(std::string_view name) const {
        for (const auto& s : m_searches)
            if (s.name == name) return &s;
        return nullptr;
    }

    std::string_view m_text;
    const std::vector<Search>& m_searches;
    std::vector<Problem>& m_problems;
    std::vector<Token> m_tokens;
    std::size_t m_at = 0;
    bool m_failed = false;
};

CondPtr lower(const Node& n) {
    switch (n.kind) {
        case Node::Ref:
            return std::make_unique<SharedCond>(n.targets[0]->cond);
        case Node::Not:
            return std::make_unique<NotCond>(lower(n.kids[0]));
        case Node::And:
        case Node::Or: {
            auto add = [&](auto& c) {
                for (const auto& k : n.kids) c->kids.push_back(lower(k));
            };
            if (n.kind == Node::And) {
                auto c = std::make_unique<AndCond>();
                add(c);
                return c;
            }
            auto c = std::make_unique<OrCond>();
            add(c);
            return c;
        }
        case Node::OneOf:
        case Node::AllOf: {
            if (n.kind == Node::AllOf) {
                auto c = std::make_unique<AndCond>();
                for (const Search* s : n.targets)
                    c->kids.push_back(std::make_unique<SharedCond>(s->cond));
                return c;
            }
            auto c = std::make_unique<OrCond>();
            for (const Search* s : n.targets)
                c->kids.push_back(std::make_unique<SharedCond>(s->cond));
            return c;
        }
    }
    return nullptr;
}

// Top-level conjuncts for diagnostics: `and` and `all of` are split, a search into its parts.
void clauses_of(const Node& n, std::string_view text, CompiledCondition& out) {
    auto add_search = [&](const Search& s) {
        for (const auto& [cond, part] : s.parts) {
            out.clauses.push_back(std::make_unique<SharedCond>(cond));
            out.clause_texts.push_back(s.name + ": " + part);
        }
    };
    switch (n.kind) {
        case Node::And:
            for (const auto& k : n.kids) clauses_of(k, text, out);
            return;
        case Node::AllOf:
            for (const Search* s : n.targets) add_search(*s);
            return;
        case Node::Ref:
            add_search(*n.targets[0]);
            return;
        default:
            out.clauses.push_back(lower(n));
            out.clause_texts.emplace_back(text.substr(n.begin, n.end - n.begin));
    }
}

}  // namespace

std::optional<CompiledCondition> compile_condition(std::string_view text,
                                                   const std::vector<Search>& searches,
                                                   std::vector<Problem>& problems) {
    Parser p(text, searches, problems);
    auto root = p.run();
    if (!root) return std::nullopt;
    CompiledCondition c;
    c.cond = lower(*root);
    clauses_of(*root, text, c);
    return c;
}

}  // namespace attest::sigma::detail
