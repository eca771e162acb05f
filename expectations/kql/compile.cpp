// Lowering of the KQL syntax tree to the compiled predicate form shared with EQL. Each
// field-and-value leaf becomes a Cond whose test depends on the field's type (see kql.h).
#include <algorithm>
#include <chrono>

#include "core/timeutil.h"
#include "expectations/eql/compiled.h"
#include "expectations/eql/field_types.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/pattern.h"
#include "expectations/kql/kql.h"
#include "expectations/kql/syntax.h"

namespace attest::kql {

using namespace attest::eql;
using namespace attest::eql::detail;
using namespace attest::kql::syntax;

namespace {

struct CompileError {
    Problem problem;
};

[[noreturn]] void fail(Span s, std::string m) {
    throw CompileError{Problem{s, std::move(m)}};
}

// ------------------------------------------------------------------ value tests

// A test on one scalar value of a field (arrays: any element, via FieldPath::any).
class ScalarTest {
public:
    virtual ~ScalarTest() = default;
    virtual bool test(const Value& v) const = 0;
    // The test's key for the value index on `field` (compiled.h); false when it has none.
    virtual bool index_key(const KeyField& field, std::vector<IndexKey>& out) const {
        (void)field, (void)out;
        return false;
    }
};
using TestPtr = std::unique_ptr<ScalarTest>;

class ExactString final : public ScalarTest {
public:
    explicit ExactString(std::string s) : m_s(std::move(s)) {}
    bool test(const Value& v) const override {
        if (v.is_string()) return v.as_string() == m_s;
        return scalar_to_string(v) == m_s;
    }
    bool index_key(const KeyField& field, std::vector<IndexKey>& out) const override {
        return literal_key(field, IndexKey::Shape::Exact, m_s, out);
    }

private:
    std::string m_s;
};

// A wildcard over the whole string (keyword fields), case-sensitive. A pattern that also
// holds an escaped (literal) `*` is matched as a regular expression with everything escaped.
class WholeWildcard final : public ScalarTest {
public:
    explicit WholeWildcard(const Literal& l, bool insensitive = false) {
        bool literal_star = false;
        for (std::size_t i = 0; i < l.text.size(); ++i)
            literal_star |= l.text[i] == '*' && !l.wild[i];
        if (!literal_star) {
            m_glob.emplace(l.text, insensitive, wildcard_mask(l.text, false));
            return;
        }
        std::string re;
        for (std::size_t i = 0; i < l.text.size(); ++i) {
            if (l.wild[i])
                re += ".*";
            else if (std::isalnum(static_cast<unsigned char>(l.text[i])) ||
                     static_cast<unsigned char>(l.text[i]) >= 0x80)
                re += l.text[i];
            else
                re += std::string("\\") + l.text[i];
        }
        auto r = RegexPattern::compile(re, insensitive);
        if (!r) fail(l.span, r.error().message);
        m_regex = *r;
    }
    bool test(const Value& v) const override {
        std::string s = v.is_string() ? v.as_string() : scalar_to_string(v);
        return m_glob ? m_glob->matches(s) : m_regex->matches(s);
    }
    bool index_key(const KeyField& field, std::vector<IndexKey>& out) const override {
        return m_glob && pattern_key(field, *m_glob, out);
    }

private:
    std::optional<WildcardPattern> m_glob;
    std::shared_ptr<const RegexPattern> m_regex;
};

// Text fields: the value is analyzed; a quoted value is a phrase (adjacent tokens in order),
// an unquoted one matches any of its tokens, a wildcard applies within one token.
class TextTest final : public ScalarTest {
public:
    TextTest(const Literal& l) : m_phrase(l.quoted) {
        if (!l.quoted && l.has_wildcard())
            m_token_glob.emplace(ascii_lowercase(l.text), false, wildcard_mask(l.text, false));
        else
            m_tokens = analyze(l.text);
    }
    bool test(const Value& v) const override {
        if (!v.is_string()) return false;
        std::vector<std::string> toks = analyze(v.as_string());
        if (m_token_glob)
            return std::any_of(toks.begin(), toks.end(),
                               [&](const std::string& t) { return m_token_glob->matches(t); });
        if (m_tokens.empty()) return false;
        if (!m_phrase) {
            for (const auto& q : m_tokens)
                if (std::find(toks.begin(), toks.end(), q) != toks.end()) return true;
            return false;
        }
        return std::search(toks.begin(), toks.end(), m_tokens.begin(), m_tokens.end()) !=
               toks.end();
    }

private:
    bool m_phrase;
    std::vector<std::string> m_tokens;
    std::optional<WildcardPattern> m_token_glob;
};

class NumberEquals final : public ScalarTest {
public:
    explicit NumberEquals(Value n) : m_n(std::move(n)) {}
    bool test(const Value& v) const override {
        auto c = compare_scalars(v, m_n);
        return c && *c == 0;
    }

private:
    Value m_n;
};

class CidrTest final : public ScalarTest {
public:
    explicit CidrTest(Cidr c) : m_c(c) {}
    bool test(const Value& v) const override {
        return v.is_string() && cidr_contains(m_c, v.as_string());
    }

private:
    Cidr m_c;
};

// Dates: [lo, hi] in ns (an exact instant, or the whole day of a bare date).
class DateBetween final : public ScalarTest {
public:
    DateBetween(std::int64_t lo, std::int64_t hi) : m_lo(lo), m_hi(hi) {}
    bool test(const Value& v) const override {
        auto ns = date_value_ns(v);
        return ns && *ns >= m_lo && *ns <= m_hi;
    }

private:
    std::int64_t m_lo, m_hi;
};

enum class RangeKind { Scalar, Date, Version };

class RangeTest final : public ScalarTest {
public:
    RangeTest(RangeKind kind, std::string op, Value bound, std::int64_t ns)
        : m_kind(kind), m_op(std::move(op)), m_bound(std::move(bound)), m_ns(ns) {}
    bool test(const Value& v) const override {
        std::optional<int> c;
        if (m_kind == RangeKind::Date) {
            auto ns = date_value_ns(v);
            if (ns) c = *ns < m_ns ? -1 : *ns > m_ns ? 1 : 0;
        } else if (m_kind == RangeKind::Version) {
            if (v.is_string()) c = compare_versions(v.as_string(), m_bound.as_string());
        } else {
            c = compare_scalars(v, m_bound);
        }
        if (!c) return false;
        if (m_op == "<") return *c < 0;
        if (m_op == "<=") return *c <= 0;
        if (m_op == ">") return *c > 0;
        return *c >= 0;
    }

private:
    RangeKind m_kind;
    std::string m_op;
    Value m_bound;
    std::int64_t m_ns;
};

class AnyValue final : public ScalarTest {
public:
    bool test(const Value&) const override { return true; }
};

// ------------------------------------------------------------------ dates

std::int64_t unit_ns(char u) {
    switch (u) {
        case 's':
            return 1'000'000'000LL;
        case 'm':
            return 60 * 1'000'000'000LL;
        case 'h':
        case 'H':
            return 3600 * 1'000'000'000LL;
        case 'd':
            return 86400 * 1'000'000'000LL;
        case 'w':
            return 7 * 86400 * 1'000'000'000LL;
        default:
            return 0;
    }
}

// `now`, `now-5m`, `now+1h/d` (units s m h H d w; `/unit` rounds down). Months and years
// have no fixed length and are refused rather than guessed.
std::optional<std::int64_t> date_math(const Literal& l, std::int64_t now) {
    std::string_view s = l.text;
    if (s.rfind("now", 0) != 0) return std::nullopt;
    s.remove_prefix(3);
    std::int64_t t = now;
    while (!s.empty()) {
        char c = s[0];
        s.remove_prefix(1);
        if (c == '/') {
            if (s.empty() || unit_ns(s[0]) == 0)
                fail(l.span, "date math: expected a unit (s m h d w) after '/'");
            std::int64_t u = unit_ns(s[0]);
            t = (t >= 0 ? t / u : (t - u + 1) / u) * u;
            s.remove_prefix(1);
            continue;
        }
        if (c != '+' && c != '-')
            fail(l.span, "date math: expected '+', '-' or '/' in '" + l.text + "'");
        std::int64_t n = 0;
        std::size_t digits = 0;
        while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits])) &&
               digits < 9)
            n = n * 10 + (s[digits++] - '0');
        if (digits == 0 || digits >= s.size())
            fail(l.span, "date math: expected a number and a unit in '" + l.text + "'");
        char u = s[digits];
        if (u == 'M' || u == 'y')
            fail(l.span, "date math: months and years ('" + std::string(1, u) +
                             "') are not supported locally");
        if (unit_ns(u) == 0) fail(l.span, std::string("date math: unknown unit '") + u + "'");
        t += (c == '+' ? 1 : -1) * n * unit_ns(u);
        s.remove_prefix(digits + 1);
    }
    return t;
}

// ------------------------------------------------------------------ conditions

// A field's value test; a mapping's null_value stands in for a missing value.
class FieldCond final : public Cond {
public:
    FieldCond(FieldPath p, TestPtr t) : m_path(std::move(p)), m_test(std::move(t)) {}
    bool test(const Event& e) const override {
        auto f = [this](const Value& v) { return m_test->test(v); };
        return m_path.any(e, f);
    }
    bool index_keys(std::vector<IndexKey>& out) const override {
        return m_test->index_key(key_field(m_path), out);
    }

private:
    FieldPath m_path;
    TestPtr m_test;
};

// Calls fn(path, value) for every leaf of the event (arrays of scalars passed whole).
template <class Fn>
bool any_leaf(const Value& v, std::string& path, Fn& fn) {
    if (v.is_object()) {
        for (const auto& m : v.as_object()) {
            std::size_t keep = path.size();
            if (!path.empty()) path.push_back('.');
            path += m.key;
            bool hit = any_leaf(m.value, path, fn);
            path.resize(keep);
            if (hit) return true;
        }
        return false;
    }
    if (v.is_array() && std::any_of(v.as_array().begin(), v.as_array().end(),
                                    [](const Value& x) { return x.is_object(); })) {
        for (const auto& x : v.as_array())
            if (any_leaf(x, path, fn)) return true;
        return false;
    }
    return fn(std::string_view(path), v);
}

// A field name with `*` (or a bare value: every field): each leaf whose dotted path matches
// is tested with the test built for its type.
class WildcardFieldCond final : public Cond {
public:
    WildcardFieldCond(std::string pattern, std::shared_ptr<const FieldTypes> types,
                      std::vector<std::pair<FieldType, TestPtr>> tests)
        : m_pattern(pattern, false, wildcard_mask(pattern, false)), m_types(std::move(types)), m_tests(std::move(tests)) {}
    bool test(const Event& e) const override {
        std::string path;
        auto fn = [this](std::string_view p, const Value& v) {
            if (!m_pattern.matches(p)) return false;
            const ScalarTest* t = test_for(p);
            if (t == nullptr) return false;
            auto f = [t](const Value& x) { return t->test(x); };
            return any_scalar(v, f);
        };
        return any_leaf(e, path, fn);
    }

private:
    const ScalarTest* test_for(std::string_view path) const {
        FieldType type = m_types->lookup(path).type;
        for (const auto& [t, test] : m_tests)
            if (t == type) return test.get();
        return m_tests.front().second.get();  // the keyword test: unknown and other types
    }
    WildcardPattern m_pattern;
    std::shared_ptr<const FieldTypes> m_types;
    std::vector<std::pair<FieldType, TestPtr>> m_tests;
};

// `field : { ... }`: the inner condition holds for one element of the array of objects.
class NestedCond final : public Cond {
public:
    NestedCond(std::string path, CondPtr inner)
        : m_path(std::move(path)), m_inner(std::move(inner)) {}
    bool test(const Event& e) const override {
        bool hit = false;
        auto each = [&](const Value& v) {
            if (hit) return;
            if (v.is_object())
                hit = m_inner->test(v);
            else if (v.is_array())
                for (const auto& x : v.as_array())
                    if (!hit && x.is_object()) hit = m_inner->test(x);
        };
        if (const Value* v = e.find(m_path))
            each(*v);
        else
            e.for_each_at(m_path, each);
        return hit;
    }

private:
    std::string m_path;
    CondPtr m_inner;
};

// ------------------------------------------------------------------ lowering

class Lowerer {
public:
    explicit Lowerer(const QueryOptions& o) : m_options(o) {
        m_types = o.types ? o.types : std::make_shared<const FieldTypes>();
        m_now = o.now_ns ? *o.now_ns
                         : std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    }

    CondPtr cond(const Node& n, const std::string& prefix) {
        switch (n.kind) {
            case NodeKind::And:
            case NodeKind::Or: {
                std::vector<CondPtr> kids;
                for (const auto& k : n.kids) kids.push_back(cond(*k, prefix));
                if (n.kind == NodeKind::And) {
                    auto c = std::make_unique<AndCond>();
                    c->kids = std::move(kids);
                    return c;
                }
                auto c = std::make_unique<OrCond>();
                c->kids = std::move(kids);
                return c;
            }
            case NodeKind::Not:
                return std::make_unique<NotCond>(cond(*n.kids[0], prefix));
            case NodeKind::Nested: {
                std::string full = prefix + n.field;
                if (full.find('*') != std::string::npos)
                    fail(n.span, "a nested query needs a field name without '*'");
                return std::make_unique<NestedCond>(n.field, cond(*n.kids[0], full + "."));
            }
            case NodeKind::Default:
                return wildcard_field("*", n, prefix);
            case NodeKind::Match:
            case NodeKind::Range:
                if (n.field.find('*') != std::string::npos)
                    return wildcard_field(n.field, n, prefix);
                return std::make_unique<FieldCond>(path(n.field, prefix),
                                                   leaf_test(type_of(prefix + n.field), n));
        }
        return std::make_unique<ConstCond>(false);
    }

private:
    FieldType type_of(const std::string& field) const {
        if (field == m_options.timestamp_field) return FieldType::Date;
        return m_types->lookup(field).type;
    }

    // The path to read: a multi-field reads its parent's value, as Elasticsearch indexes it.
    FieldPath path(const std::string& field, const std::string& prefix) const {
        FieldInfo info = m_types->lookup(prefix + field);
        FieldPath p{field, false, nullptr};
        if (!info.multi_field_of.empty() && info.multi_field_of.rfind(prefix, 0) == 0)
            p.path = info.multi_field_of.substr(prefix.size());
        if (info.null_value)
            p.null_value = std::make_shared<const Value>(std::move(*info.null_value));
        return p;
    }

    CondPtr wildcard_field(const std::string& pattern, const Node& n, const std::string& prefix) {
        std::vector<std::pair<FieldType, TestPtr>> tests;
        for (FieldType t : {FieldType::Keyword, FieldType::Text, FieldType::Number, FieldType::Date,
                            FieldType::Ip, FieldType::Version, FieldType::Boolean}) {
            try {
                tests.emplace_back(t, leaf_test(t, n));
            } catch (const CompileError&) {
                // A value that cannot be read as this type simply matches no field of it.
            }
        }
        if (tests.empty() || tests.front().first != FieldType::Keyword) return leaf_fail(n);
        return std::make_unique<WildcardFieldCond>(prefix + pattern, m_types, std::move(tests));
    }

    CondPtr leaf_fail(const Node& n) {
        fail(n.value.span, "value '" + n.value.text + "' cannot be matched");
    }

    TestPtr leaf_test(FieldType type, const Node& n) {
        const Literal& l = n.value;
        if (n.kind == NodeKind::Range) return range_test(type, n);
        if (l.is_exists()) return std::make_unique<AnyValue>();
        switch (type) {
            case FieldType::Text:
                return std::make_unique<TextTest>(l);
            case FieldType::Number: {
                if (!l.quoted && l.has_wildcard()) return std::make_unique<WholeWildcard>(l);
                auto num = parse_number_text(l.text);
                if (!num) fail(l.span, "'" + l.text + "' is not a number (the field is numeric)");
                return std::make_unique<NumberEquals>(*num);
            }
            case FieldType::Ip: {
                auto c = parse_cidr(l.text);
                if (!c)
                    fail(l.span, "'" + l.text +
                                     "' is not an IP address or CIDR block (the field is an ip)");
                return std::make_unique<CidrTest>(*c);
            }
            case FieldType::Date: {
                auto [lo, hi] = date_bounds(l);
                return std::make_unique<DateBetween>(lo, hi);
            }
            default:
                if (!l.quoted && l.has_wildcard()) return std::make_unique<WholeWildcard>(l);
                return std::make_unique<ExactString>(l.text);
        }
    }

    // A date value: date math, an ISO instant, or a bare date (its whole day).
    std::pair<std::int64_t, std::int64_t> date_bounds(const Literal& l) {
        if (auto t = date_math(l, m_now)) return {*t, *t};
        auto ns = date_value_ns(Value(l.text));
        if (!ns)
            fail(l.span, "'" + l.text + "' is not a date (ISO-8601, epoch milliseconds or now-N)");
        bool day = l.text.size() == 10 && l.text[4] == '-';
        return {*ns, day ? *ns + unit_ns('d') - 1 : *ns};
    }

    TestPtr range_test(FieldType type, const Node& n) {
        const Literal& l = n.value;
        if (type == FieldType::Date) {
            auto [lo, hi] = date_bounds(l);
            // `<= day` and `> day` cover the whole day, as Elasticsearch rounds them up.
            std::int64_t bound = (n.op == "<=" || n.op == ">") ? hi : lo;
            return std::make_unique<RangeTest>(RangeKind::Date, n.op, Value(), bound);
        }
        if (type == FieldType::Version)
            return std::make_unique<RangeTest>(RangeKind::Version, n.op, Value(l.text), 0);
        if (type == FieldType::Number) {
            auto num = parse_number_text(l.text);
            if (!num) fail(l.span, "'" + l.text + "' is not a number (the field is numeric)");
            return std::make_unique<RangeTest>(RangeKind::Scalar, n.op, *num, 0);
        }
        Value bound(l.text);
        if (auto num = parse_number_text(l.text);
            num && type != FieldType::Keyword && type != FieldType::Text)
            bound = *num;
        return std::make_unique<RangeTest>(RangeKind::Scalar, n.op, std::move(bound), 0);
    }

    const QueryOptions& m_options;
    std::shared_ptr<const FieldTypes> m_types;
    std::int64_t m_now = 0;
};

void collect_clauses(const Node& n, std::vector<const Node*>& out) {
    if (n.kind == NodeKind::And) {
        for (const auto& k : n.kids) collect_clauses(*k, out);
        return;
    }
    out.push_back(&n);
}

std::string clause_text(std::string_view text, Span s) {
    std::string out;
    bool space = false;
    for (std::size_t i = s.begin; i < s.end && i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::vector<std::string> analyze(std::string_view text) {
    std::vector<std::string> out;
    auto word = [](unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; };
    std::string cur;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (word(c)) {
            cur.push_back(static_cast<char>(std::tolower(c)));
            continue;
        }
        bool joins = (c == '.' || c == '\'') && !cur.empty() && i + 1 < text.size() &&
                     word(static_cast<unsigned char>(text[i + 1]));
        if (joins) {
            cur.push_back(static_cast<char>(c));
            continue;
        }
        if (!cur.empty()) out.push_back(std::move(cur));
        cur.clear();
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

namespace {

std::shared_ptr<eql::Query> build(std::string_view text, std::string_view origin,
                                  const eql::QueryOptions& options, const Lowerer& proto,
                                  std::uint64_t line, std::uint64_t column, std::string& error) {
    NodePtr root;
    if (auto p = parse(text, root)) {
        error = eql::syntax::format_problem(text, origin, *p, line, column);
        return nullptr;
    }
    auto q = std::make_shared<eql::Query>();
    q->kind = QueryKind::Event;
    q->text.assign(text);
    q->origin.assign(origin);
    q->options = options;
    q->written_terms = 1;
    CompiledTerm t;
    t.filter.any = true;
    try {
        Lowerer l = proto;
        t.filter.condition = l.cond(*root, "");
        std::vector<const Node*> clauses;
        collect_clauses(*root, clauses);
        for (const Node* c : clauses) {
            t.filter.clauses.push_back(l.cond(*c, ""));
            t.filter.clause_texts.push_back(clause_text(text, c->span));
        }
    } catch (const CompileError& e) {
        error = eql::syntax::format_problem(text, origin, e.problem, line, column);
        return nullptr;
    }
    q->terms.push_back(std::move(t));
    return q;
}

// Lucene wildcard syntax (`*`, `?`, `\` escapes) to WildcardPattern's (no escapes).
std::string unescape_lucene(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out.push_back(s[i]);
    }
    return out;
}

class PatternTest final : public ScalarTest {
public:
    PatternTest(std::string pattern, bool insensitive) : m_p(pattern, insensitive) {}
    bool test(const Value& v) const override { return v.is_string() && m_p.matches(v.as_string()); }

private:
    WildcardPattern m_p;
};

// One Kibana filter as a condition, and its text for diagnostics.
Expected<std::pair<CondPtr, std::string>> filter_cond(const eql::RuleFilter& f, Lowerer& l,
                                                      const eql::Rule& rule) {
    std::string where =
        rule.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": ";
    if (f.field.empty()) return make_error(where + "filter '" + f.kind + "' names no field");
    std::string text = "filter " + f.kind + " " + f.field;
    CondPtr c;
    try {
        if (f.kind == "exists") {
            c = std::make_unique<FieldCond>(FieldPath{f.field, false, nullptr},
                                            std::make_unique<AnyValue>());
        } else if (f.kind == "wildcard" || f.kind == "prefix") {
            if (f.values.empty()) return make_error(where + "filter '" + f.kind + "' has no value");
            std::string p = unescape_lucene(f.values[0]) + (f.kind == "prefix" ? "*" : "");
            c = std::make_unique<FieldCond>(FieldPath{f.field, false, nullptr},
                                            std::make_unique<PatternTest>(p, f.case_insensitive));
            text += " " + f.values[0];
        } else if (f.kind == "match_phrase" || f.kind == "match" || f.kind == "term" ||
                   f.kind == "terms") {
            if (f.values.empty()) return make_error(where + "filter '" + f.kind + "' has no value");
            auto any = std::make_unique<OrCond>();
            for (const auto& v : f.values) {
                Node n;
                n.kind = NodeKind::Match;
                n.field = f.field;
                n.value.text = v;
                n.value.wild.assign(v.size(), false);
                n.value.quoted = f.kind == "match_phrase" || f.kind.rfind("term", 0) == 0;
                any->kids.push_back(l.cond(n, ""));
                text += " " + v;
            }
            c = std::move(any);
        } else {
            return make_error(where + "filter kind '" + f.kind + "' is not evaluated locally");
        }
    } catch (const CompileError& e) {
        return make_error(where + e.problem.message);
    }
    if (f.negate) {
        c = std::make_unique<NotCond>(std::move(c));
        text = "NOT " + text;
    }
    return std::make_pair(std::move(c), text);
}

}  // namespace

Expected<std::shared_ptr<const eql::Query>> compile(std::string_view text, std::string_view origin,
                                                    const eql::QueryOptions& options,
                                                    std::uint64_t line, std::uint64_t column) {
    std::string error;
    auto q = build(text, origin, options, Lowerer(options), line, column, error);
    if (!q) return make_error(std::move(error));
    return std::shared_ptr<const eql::Query>(std::move(q));
}

Expected<std::shared_ptr<const eql::Query>> compile_rule(const eql::Rule& rule,
                                                         const eql::QueryOptions& options) {
    std::string error;
    Lowerer l(options);
    auto q = build(rule.query, rule.path, options, l, rule.query_line, rule.query_column, error);
    if (!q) return make_error(std::move(error));
    CompiledFilter& filter = q->terms[0].filter;
    for (const auto& f : rule.filters) {
        if (f.disabled) continue;
        auto c = filter_cond(f, l, rule);
        if (!c) return make_error(c.error().message);
        auto both = std::make_unique<AndCond>();
        both->kids.push_back(std::move(filter.condition));
        both->kids.push_back(std::move(c->first));
        filter.condition = std::move(both);
        auto again = filter_cond(f, l, rule);  // the clause list owns its own copy
        filter.clauses.push_back(std::move(again->first));
        filter.clause_texts.push_back(std::move(c->second));
    }
    if (rule.type == "threshold") {
        if (!rule.threshold)
            return make_error(rule.path + ": a threshold rule needs [rule.threshold]");
        Threshold th;
        for (const auto& f : rule.threshold->fields)
            q->terms[0].keys.push_back(FieldPath{f, false, nullptr});
        th.value = std::max<std::uint64_t>(1, rule.threshold->value);
        if (!rule.threshold->cardinality_field.empty()) {
            th.cardinality_field = FieldPath{rule.threshold->cardinality_field, false, nullptr};
            th.cardinality_value = rule.threshold->cardinality_value;
        }
        q->threshold = std::move(th);
    }
    return std::shared_ptr<const eql::Query>(std::move(q));
}

}  // namespace attest::kql
