// Semantic checks (separate passes over the syntax tree, every problem collected) and
// lowering of the checked tree to the compiled predicate form of compiled.h.
#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/text.h"
#include "core/timeutil.h"
#include "expectations/eql/compiled.h"
#include "expectations/eql/field_types.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/rule.h"
#include "expectations/eql/syntax.h"

namespace attest::eql {

using namespace syntax;
using namespace detail;

namespace {

// ------------------------------------------------------------------ compiled conditions

enum class CmpOp { Eq, Lt, Lte, Gt, Gte };

class CompareLeaf final : public Cond {
public:
    CompareLeaf(Source src, CmpOp op, Value literal) : m_src(std::move(src)), m_op(op), m_lit(std::move(literal)) {}
    bool test(const Event& e) const override {
        return m_src.any(e, [this](const Value& x) {
            // Fast path: string field against a string literal.
            if (m_op == CmpOp::Eq && x.is_string() && m_lit.is_string()) return x.as_string() == m_lit.as_string();
            auto c = compare_scalars(x, m_lit);
            if (!c) return false;
            switch (m_op) {
                case CmpOp::Eq: return *c == 0;
                case CmpOp::Lt: return *c < 0;
                case CmpOp::Lte: return *c <= 0;
                case CmpOp::Gt: return *c > 0;
                case CmpOp::Gte: return *c >= 0;
            }
            return false;
        });
    }
    bool index_keys(std::vector<IndexKey>& out) const override {
        if (m_op != CmpOp::Eq || !m_src.field || !text_only_literal(m_lit)) return false;
        return literal_key(key_field(*m_src.field), IndexKey::Shape::Exact, m_lit.as_string(), out);
    }

private:
    Source m_src;
    CmpOp m_op;
    Value m_lit;
};

bool apply(CmpOp op, int c) {
    switch (op) {
        case CmpOp::Eq: return c == 0;
        case CmpOp::Lt: return c < 0;
        case CmpOp::Lte: return c <= 0;
        case CmpOp::Gt: return c > 0;
        case CmpOp::Gte: return c >= 0;
    }
    return false;
}

// A date field (the timestamp field, or date-typed in the mapping / ECS) against a date
// string: compared as instants, whatever the two strings' formats.
class DateCompareLeaf final : public Cond {
public:
    DateCompareLeaf(Source src, CmpOp op, std::int64_t ns) : m_src(std::move(src)), m_op(op), m_ns(ns) {}
    bool test(const Event& e) const override {
        return m_src.any(e, [this](const Value& x) {
            auto ns = date_value_ns(x);
            return ns && apply(m_op, *ns < m_ns ? -1 : *ns > m_ns ? 1 : 0);
        });
    }

private:
    Source m_src;
    CmpOp m_op;
    std::int64_t m_ns;
};

// A version field: semantic-version ordering ("1.10.0" > "1.9.2").
class VersionCompareLeaf final : public Cond {
public:
    VersionCompareLeaf(Source src, CmpOp op, std::string v) : m_src(std::move(src)), m_op(op), m_v(std::move(v)) {}
    bool test(const Event& e) const override {
        return m_src.any(e, [this](const Value& x) { return x.is_string() && apply(m_op, compare_versions(x.as_string(), m_v)); });
    }

private:
    Source m_src;
    CmpOp m_op;
    std::string m_v;
};

// `f == null` (absent or null) / `f != null` (some non-null value).
class PresenceLeaf final : public Cond {
public:
    PresenceLeaf(Source src, bool want_present) : m_src(std::move(src)), m_want_present(want_present) {}
    bool test(const Event& e) const override {
        bool present = m_src.any(e, [](const Value&) { return true; });
        return present == m_want_present;
    }

private:
    Source m_src;
    bool m_want_present;
};

class InLeaf final : public Cond {
public:
    InLeaf(Source src, const std::vector<Value>& values, bool insensitive)
        : m_src(std::move(src)), m_insensitive(insensitive), m_literals(values) {
        for (const auto& v : values) {
            if (v.is_string()) {
                m_strings.push_back(insensitive ? ascii_lowercase(v.as_string()) : v.as_string());
                if (auto n = parse_number_text(v.as_string())) m_numbers.push_back(*n);
            } else if (v.is_number()) {
                m_numbers.push_back(v);
                m_strings.push_back(scalar_to_string(v));
            } else if (v.is_bool()) {
                m_strings.push_back(v.as_bool() ? "true" : "false");
            }
        }
        if (m_strings.size() > 16) m_set.insert(m_strings.begin(), m_strings.end());
    }
    bool test(const Event& e) const override {
        return m_src.any(e, [this](const Value& x) {
            if (x.is_string()) {
                const std::string& s = x.as_string();
                if (!m_set.empty()) {
                    if (!m_insensitive) return m_set.count(s) > 0;
                    thread_local std::string lowered;
                    lowered.assign(s);
                    for (char& c : lowered) c = ascii_lower(c);
                    return m_set.count(lowered) > 0;
                }
                for (const auto& lit : m_strings) {
                    if (lit.size() != s.size()) continue;
                    if (m_insensitive ? iequals(s, lit) : s == lit) return true;
                }
                return false;
            }
            if (x.is_number()) {
                for (const auto& n : m_numbers)
                    if (auto c = compare_scalars(x, n); c && *c == 0) return true;
                return false;
            }
            if (x.is_bool()) {
                std::string_view s = x.as_bool() ? "true" : "false";
                for (const auto& lit : m_strings)
                    if (lit == s) return true;
            }
            return false;
        });
    }
    bool index_keys(std::vector<IndexKey>& out) const override {
        if (!m_src.field || !m_numbers.empty() || m_strings.size() != m_literals.size())
            return false;
        for (const auto& v : m_literals)
            if (!text_only_literal(v)) return false;
        KeyField field = key_field(*m_src.field);
        for (const auto& s : m_strings)
            if (!literal_key(field, IndexKey::Shape::Exact, s, out)) return false;
        return true;
    }

private:
    Source m_src;
    bool m_insensitive;
    std::vector<Value> m_literals;  // as written (the value index checks their types)
    std::vector<std::string> m_strings;
    std::vector<Value> m_numbers;
    std::unordered_set<std::string> m_set;
};

class PatternLeaf final : public Cond {
public:
    Source src;
    std::vector<WildcardPattern> wildcards;
    std::vector<std::shared_ptr<const RegexPattern>> regexes;
    bool test(const Event& e) const override {
        return src.any(e, [this](const Value& x) {
            if (x.is_string()) return match(x.as_string());
            if (x.is_number() || x.is_bool()) return match(scalar_to_string(x));
            return false;
        });
    }
    bool index_keys(std::vector<IndexKey>& out) const override {
        if (!src.field || !regexes.empty() || wildcards.empty()) return false;
        KeyField field = key_field(*src.field);
        for (const auto& w : wildcards)
            if (!pattern_key(field, w, out)) return false;
        return true;
    }

private:
    bool match(std::string_view s) const {
        for (const auto& w : wildcards)
            if (w.matches(s)) return true;
        for (const auto& r : regexes)
            if (r->matches(s)) return true;
        return false;
    }
};

// An expression used as a condition (a boolean function, a comparison of two expressions).
class TruthCond final : public Cond {
public:
    explicit TruthCond(std::unique_ptr<ValueNode> v) : m_v(std::move(v)) {}
    bool test(const Event& e) const override {
        Value r = m_v->eval(e);
        auto f = [](const Value& x) { return x.is_bool() && x.as_bool(); };
        return any_scalar(r, f);
    }

private:
    std::unique_ptr<ValueNode> m_v;
};

// ------------------------------------------------------------------ compiled values

class ConstValue final : public ValueNode {
public:
    explicit ConstValue(Value v) : m_v(std::move(v)) {}
    Value eval(const Event&) const override { return m_v; }

private:
    Value m_v;
};

class FieldValue final : public ValueNode {
public:
    explicit FieldValue(FieldPath p) : m_path(std::move(p)) {}
    Value eval(const Event& e) const override {
        if (const Value* v = e.find(m_path.path)) {
            // Functions see the first value of a multi-valued field, as a script's doc[f].value.
            if (v->is_array()) {
                for (const auto& x : v->as_array())
                    if (!x.is_null()) return x;
                return Value();
            }
            return *v;
        }
        Value found;
        e.for_each_at(m_path.path, [&](const Value& v) {
            if (found.is_null()) found = v.is_array() ? (v.as_array().empty() ? Value() : v.as_array()[0]) : v;
        });
        return found;
    }

private:
    FieldPath m_path;
};

class CondValue final : public ValueNode {
public:
    explicit CondValue(CondPtr c) : m_c(std::move(c)) {}
    Value eval(const Event& e) const override { return Value(m_c->test(e)); }

private:
    CondPtr m_c;
};

class CallValue final : public ValueNode {
public:
    Function fn = Function::Add;
    bool insensitive = false;
    std::vector<std::unique_ptr<ValueNode>> args;
    Value eval(const Event& e) const override {
        std::vector<Value> vals;
        vals.reserve(args.size());
        for (const auto& a : args) {
            vals.push_back(a->eval(e));
            if (vals.back().is_null()) return Value();
        }
        return call_function(fn, insensitive, vals);
    }
};

class CidrValue final : public ValueNode {
public:
    std::unique_ptr<ValueNode> ip;
    std::vector<Cidr> blocks;
    Value eval(const Event& e) const override {
        Value v = ip->eval(e);
        if (v.is_null()) return Value();
        std::string s = scalar_to_string(v);
        for (const auto& b : blocks)
            if (cidr_contains(b, s)) return Value(true);
        return Value(false);
    }
};

class ArithValue final : public ValueNode {
public:
    char op = '+';
    std::unique_ptr<ValueNode> left, right;
    Value eval(const Event& e) const override { return arithmetic(op, left->eval(e), right->eval(e)); }
};

// Compares two computed values (neither side a literal).
class ValueCompare final : public ValueNode {
public:
    std::string op;
    std::unique_ptr<ValueNode> left, right;
    // Two optional fields (`?x == ?y`): a missing one is the null literal Elasticsearch plans
    // for a field its index does not have, and null == null holds.
    bool nulls_compare = false;
    Value eval(const Event& e) const override {
        Value a = left->eval(e), b = right->eval(e);
        if (nulls_compare && (a.is_null() || b.is_null())) {
            bool eq = a.is_null() && b.is_null();
            if (op == "==") return Value(eq);
            if (op == "!=") return Value(!eq);
            return Value();
        }
        if (a.is_null() || b.is_null()) return Value();
        auto c = compare_scalars(a, b);
        if (!c) return Value(op == "!=");
        if (op == "==") return Value(*c == 0);
        if (op == "!=") return Value(*c != 0);
        if (op == "<") return Value(*c < 0);
        if (op == "<=") return Value(*c <= 0);
        if (op == ">") return Value(*c > 0);
        return Value(*c >= 0);
    }
};

// ------------------------------------------------------------------ checks

const char* const kEndgameFunctions[] = {"arrayContains", "arrayCount", "arraySearch", "safe", "wildcard", "match", "matchLite"};
const char* const kEndgamePipes[] = {"count", "unique", "unique_count", "filter", "sort", "window"};

class Checker {
public:
    explicit Checker(std::vector<Problem>& problems) : m_problems(problems) {}

    void add(Span s, std::string m) { m_problems.push_back(Problem{s, std::move(m)}); }

    static bool is_literal(const Expr& e) { return e.kind == ExprKind::Literal; }
    static bool is_field(const Expr& e) { return e.kind == ExprKind::Field; }

    void check_condition(const Expr& e) {
        if (e.kind == ExprKind::Literal && !e.literal.is_bool() && !e.literal.is_null())
            add(e.span, "a condition must be a boolean expression, not a " +
                            std::string(e.literal.is_string() ? "string" : "number") + " literal");
        check_expr(e);
    }

    void check_expr(const Expr& e) {
        switch (e.kind) {
            case ExprKind::Call: check_call(e); break;
            case ExprKind::Compare:
                if (is_field(*e.kids[0]) && is_field(*e.kids[1]) && !(e.kids[0]->optional && e.kids[1]->optional))
                    add(e.span, "comparisons against fields are not supported; offender [" + e.kids[1]->name + "] in [" + e.op + "]");
                break;
            case ExprKind::In:
                for (std::size_t i = 1; i < e.kids.size(); ++i)
                    if (!is_literal(*e.kids[i]))
                        add(e.kids[i]->span, "'" + e.op + "' takes literal values only");
                if (is_literal(*e.kids[0])) add(e.kids[0]->span, "the left side of '" + e.op + "' must be a field or an expression");
                break;
            case ExprKind::Match:
                if (is_literal(*e.kids[0])) add(e.kids[0]->span, "the left side of '" + e.op + "' must be a field or an expression");
                if (e.op.rfind("regex", 0) == 0)
                    for (std::size_t i = 1; i < e.kids.size(); ++i) {
                        auto r = RegexPattern::compile(e.kids[i]->literal.as_string(), e.insensitive);
                        if (!r) add(e.kids[i]->span, r.error().message);
                    }
                break;
            default: break;
        }
        for (const auto& k : e.kids) check_expr(*k);
    }

    void check_call(const Expr& e) {
        const FunctionInfo* f = find_function(e.name);
        if (f == nullptr) {
            for (const char* g : kEndgameFunctions)
                if (iequals(e.name, g)) {
                    add(e.op_span, "function '" + e.name + "' is not supported (an endgame EQL feature)");
                    return;
                }
            add(e.op_span, "unknown function '" + e.name + "'");
            return;
        }
        if (e.insensitive && !f->has_insensitive)
            add(e.op_span, "function '" + e.name + "' has no case-insensitive form '" + e.name + "~'");
        std::size_t n = e.kids.size();
        if (n < f->min_args || n > f->max_args) {
            std::string expect = f->max_args == SIZE_MAX ? "at least " + std::to_string(f->min_args)
                                 : f->min_args == f->max_args ? std::to_string(f->min_args)
                                                              : std::to_string(f->min_args) + " to " + std::to_string(f->max_args);
            add(e.op_span, "function '" + e.name + "' takes " + expect + " argument" + (expect == "1" ? "" : "s") +
                               ", found " + std::to_string(n));
            return;
        }
        if (f->id == Function::CidrMatch)
            for (std::size_t i = 1; i < n; ++i) {
                const Expr& a = *e.kids[i];
                if (!is_literal(a) || !a.literal.is_string()) add(a.span, "cidrMatch takes CIDR string literals after the address");
                else if (!parse_cidr(a.literal.as_string())) add(a.span, "invalid CIDR block \"" + a.literal.as_string() + "\"");
            }
        if (f->id == Function::Between && n == 4 && !(is_literal(*e.kids[3]) && e.kids[3]->literal.is_bool()))
            add(e.kids[3]->span, "the 'greedy' argument of between must be true or false");
    }

private:
    std::vector<Problem>& m_problems;
};

// ------------------------------------------------------------------ lowering

class Lowerer {
public:
    explicit Lowerer(const QueryOptions& options) : m_options(options) {}

    CondPtr cond(const Expr& e) {
        switch (e.kind) {
            case ExprKind::Literal: return std::make_unique<ConstCond>(e.literal.is_bool() && e.literal.as_bool());
            case ExprKind::Field: return std::make_unique<CompareLeaf>(source(e), CmpOp::Eq, Value(true));
            case ExprKind::Not: return std::make_unique<NotCond>(cond(*e.kids[0]));
            case ExprKind::And: {
                auto c = std::make_unique<AndCond>();
                flatten(e, ExprKind::And, c->kids);
                return c;
            }
            case ExprKind::Or: {
                auto c = std::make_unique<OrCond>();
                flatten(e, ExprKind::Or, c->kids);
                return c;
            }
            case ExprKind::Compare: return compare(e);
            case ExprKind::In: {
                std::vector<Value> values;
                for (std::size_t i = 1; i < e.kids.size(); ++i) values.push_back(e.kids[i]->literal);
                CondPtr c = std::make_unique<InLeaf>(source(*e.kids[0]), values, e.insensitive);
                if (e.negated) c = std::make_unique<NotCond>(std::move(c));
                return c;
            }
            case ExprKind::Match: {
                auto c = std::make_unique<PatternLeaf>();
                c->src = source(*e.kids[0]);
                bool regex = e.op.rfind("regex", 0) == 0;
                for (std::size_t i = 1; i < e.kids.size(); ++i) {
                    std::string p = e.kids[i]->literal.is_string() ? e.kids[i]->literal.as_string() : scalar_to_string(e.kids[i]->literal);
                    if (regex) c->regexes.push_back(*RegexPattern::compile(p, e.insensitive));
                    else c->wildcards.emplace_back(p, e.insensitive);
                }
                return c;
            }
            default: return std::make_unique<TruthCond>(value(e));
        }
    }

    std::unique_ptr<ValueNode> value(const Expr& e) {
        switch (e.kind) {
            case ExprKind::Literal: return std::make_unique<ConstValue>(e.literal);
            case ExprKind::Field: return std::make_unique<FieldValue>(path(e));
            case ExprKind::Call: {
                const FunctionInfo* f = find_function(e.name);
                if (f->id == Function::CidrMatch) {
                    auto c = std::make_unique<CidrValue>();
                    c->ip = value(*e.kids[0]);
                    for (std::size_t i = 1; i < e.kids.size(); ++i) c->blocks.push_back(*parse_cidr(e.kids[i]->literal.as_string()));
                    return c;
                }
                auto c = std::make_unique<CallValue>();
                c->fn = f->id;
                c->insensitive = e.insensitive;
                for (const auto& k : e.kids) c->args.push_back(value(*k));
                return fold(std::move(c), e);
            }
            case ExprKind::Arith: {
                auto a = std::make_unique<ArithValue>();
                a->op = e.op[0];
                a->left = value(*e.kids[0]);
                a->right = value(*e.kids[1]);
                return fold(std::move(a), e);
            }
            case ExprKind::Neg: {
                auto a = std::make_unique<ArithValue>();
                a->op = '-';
                a->left = std::make_unique<ConstValue>(Value(0));
                a->right = value(*e.kids[0]);
                return fold(std::move(a), e);
            }
            case ExprKind::Compare:
                if (e.kids[0]->kind != ExprKind::Literal && e.kids[1]->kind != ExprKind::Literal &&
                    !is_constant(*e.kids[0]) && !is_constant(*e.kids[1])) {
                    auto c = std::make_unique<ValueCompare>();
                    c->op = e.op;
                    c->left = value(*e.kids[0]);
                    c->right = value(*e.kids[1]);
                    c->nulls_compare = e.kids[0]->kind == ExprKind::Field && e.kids[0]->optional &&
                                       e.kids[1]->kind == ExprKind::Field && e.kids[1]->optional;
                    return c;
                }
                [[fallthrough]];
            default: return std::make_unique<CondValue>(cond(e));
        }
    }

    // True when the expression reads no field (it can be evaluated once, at compile time).
    static bool is_constant(const Expr& e) {
        if (e.kind == ExprKind::Field) return false;
        for (const auto& k : e.kids)
            if (!is_constant(*k)) return false;
        return true;
    }

private:
    const QueryOptions& m_options;

    std::unique_ptr<ValueNode> fold(std::unique_ptr<ValueNode> v, const Expr& e) {
        if (!is_constant(e)) return v;
        static const Event empty = Value::object();
        return std::make_unique<ConstValue>(v->eval(empty));
    }

    FieldInfo info(const std::string& field) const {
        if (field == m_options.timestamp_field) return FieldInfo{FieldType::Date, "date", std::nullopt, ""};
        static const FieldTypes ecs;
        return (m_options.types ? *m_options.types : ecs).lookup(field);
    }

    FieldPath path(const Expr& e) const {
        FieldPath p{e.name, e.optional, nullptr};
        if (auto nv = info(e.name).null_value) p.null_value = std::make_shared<const Value>(std::move(*nv));
        return p;
    }

    Source source(const Expr& e) {
        Source s;
        if (e.kind == ExprKind::Field) s.field = path(e);
        else s.expr = value(e);
        return s;
    }

    // A field compared with a literal by the field's type (date, version); null otherwise.
    CondPtr typed_compare(const Expr& field, CmpOp op, const Value& lit) {
        if (field.kind != ExprKind::Field || !lit.is_string()) return nullptr;
        FieldType t = info(field.name).type;
        if (t == FieldType::Date)
            if (auto ns = date_value_ns(lit)) return std::make_unique<DateCompareLeaf>(source(field), op, *ns);
        if (t == FieldType::Version) return std::make_unique<VersionCompareLeaf>(source(field), op, lit.as_string());
        return nullptr;
    }

    void flatten(const Expr& e, ExprKind k, std::vector<CondPtr>& out) {
        if (e.kind == k) {
            for (const auto& kid : e.kids) flatten(*kid, k, out);
            return;
        }
        out.push_back(cond(e));
    }

    Value constant_value(const Expr& e) {
        static const Event empty = Value::object();
        return value(e)->eval(empty);
    }

    CondPtr compare(const Expr& e) {
        const Expr* lhs = e.kids[0].get();
        const Expr* rhs = e.kids[1].get();
        std::string op = e.op;
        bool lconst = is_constant(*lhs), rconst = is_constant(*rhs);
        if (lconst && rconst) {
            static const Event empty = Value::object();
            ValueCompare vc;
            vc.op = op;
            vc.left = value(*lhs);
            vc.right = value(*rhs);
            vc.nulls_compare = true;  // constants: `null == null` folds to true, as in Elasticsearch
            Value r = vc.eval(empty);
            return std::make_unique<ConstCond>(r.is_bool() && r.as_bool());
        }
        if (lconst) {  // literal op field: flip so the field is on the left
            std::swap(lhs, rhs);
            if (op == "<") op = ">";
            else if (op == ">") op = "<";
            else if (op == "<=") op = ">=";
            else if (op == ">=") op = "<=";
            rconst = true;
        }
        if (!rconst) return std::make_unique<TruthCond>(value(e));
        Value lit = constant_value(*rhs);
        if (lit.is_null()) {
            if (op == "==") return std::make_unique<PresenceLeaf>(source(*lhs), false);
            if (op == "!=") return std::make_unique<PresenceLeaf>(source(*lhs), true);
            return std::make_unique<ConstCond>(false);
        }
        // `!=` is must_not(term) in Elasticsearch: true on a missing field and on an array
        // none of whose elements equals the literal.
        CmpOp cop = op == "==" || op == "!=" ? CmpOp::Eq : op == "<" ? CmpOp::Lt : op == "<=" ? CmpOp::Lte : op == ">" ? CmpOp::Gt : CmpOp::Gte;
        CondPtr leaf = typed_compare(*lhs, cop, lit);
        if (!leaf) leaf = std::make_unique<CompareLeaf>(source(*lhs), cop, lit);
        if (op == "!=") return std::make_unique<NotCond>(std::move(leaf));
        return leaf;
    }
};

std::string span_text(std::string_view text, Span s) {
    if (s.begin >= text.size() || s.end <= s.begin) return "";
    std::string out(text.substr(s.begin, std::min(s.end, text.size()) - s.begin));
    // One line for reports: collapse runs of white space.
    std::string collapsed;
    bool space = false;
    for (char c : out) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !collapsed.empty()) collapsed.push_back(' ');
        space = false;
        collapsed.push_back(c);
    }
    return collapsed;
}

void collect_clauses(const Expr& e, std::vector<const Expr*>& out) {
    if (e.kind == ExprKind::And) {
        for (const auto& k : e.kids) collect_clauses(*k, out);
        return;
    }
    out.push_back(&e);
}

CompiledFilter lower_filter(const EventFilter& f, std::string_view text, const QueryOptions& options) {
    CompiledFilter c;
    c.any = f.any;
    c.category = f.category;
    Lowerer l(options);
    c.condition = l.cond(*f.condition);
    std::vector<const Expr*> clauses;
    collect_clauses(*f.condition, clauses);
    for (const Expr* e : clauses) {
        c.clauses.push_back(l.cond(*e));
        c.clause_texts.push_back(span_text(text, e->span));
    }
    return c;
}

std::vector<FieldPath> key_paths(const std::vector<ExprPtr>& seq_keys, const std::vector<ExprPtr>& term_keys) {
    std::vector<FieldPath> out;
    for (const auto& k : seq_keys) out.push_back(FieldPath{k->name, k->optional, nullptr});
    for (const auto& k : term_keys) out.push_back(FieldPath{k->name, k->optional, nullptr});
    return out;
}

// With a mapping, a `?field` the index does not have becomes the null literal, as
// Elasticsearch plans it (so `?x == ?y` over two such fields is `null == null`, true).
// Without one the index is not known, and the field is read from each event (null if absent).
void plan_optional_fields(Expr& e, const QueryOptions& options) {
    if (e.kind == ExprKind::Field && e.optional && options.types && options.types->has_mapping() &&
        !options.types->index_has(e.name)) {
        e.kind = ExprKind::Literal;
        e.literal = Value();
        return;
    }
    for (auto& k : e.kids) plan_optional_fields(*k, options);
}

void plan_optional_fields(QueryAst& q, const QueryOptions& options) {
    if (q.event.condition) plan_optional_fields(*q.event.condition, options);
    for (auto& t : q.terms) plan_optional_fields(*t.filter.condition, options);
    if (q.until) plan_optional_fields(*q.until->filter.condition, options);
}

void check_query(const QueryAst& q, std::vector<Problem>& problems) {
    Checker c(problems);
    auto check_filter = [&](const EventFilter& f) { c.check_condition(*f.condition); };
    auto check_keys = [&](const std::vector<ExprPtr>& keys) {
        for (const auto& k : keys) {
            if (k->kind != ExprKind::Field) c.add(k->span, "join keys must be field names");
            else c.check_expr(*k);
        }
    };
    check_keys(q.keys);
    if (q.kind == QueryKind::Event) {
        check_filter(q.event);
    } else {
        std::size_t first_keys = q.terms.empty() ? 0 : q.terms[0].keys.size();
        bool positive = false;
        auto check_term = [&](const Term& t, std::size_t index, const char* what) {
            check_filter(t.filter);
            check_keys(t.keys);
            if (t.keys.size() != first_keys) {
                Span s = t.keys.empty() ? Span{t.span.end, t.span.end} : t.by_span;
                if (t.keys.empty()) s = t.span;
                c.add(s, std::string("inconsistent number of join keys: ") + what + " " + std::to_string(index + 1) + " has " +
                             std::to_string(t.keys.size()) + ", the first has " + std::to_string(first_keys));
            }
            if (t.runs < 1 || t.runs > 100) c.add(t.runs_span, "runs must be between 1 and 100, found " + std::to_string(t.runs));
            if (t.missing && !q.maxspan_ms)
                c.add(t.span, "a missing event ![...] needs the sequence to have 'with maxspan=...'");
            if (!t.missing) positive = true;
        };
        const char* what = q.kind == QueryKind::Sample ? "filter" : "term";
        for (std::size_t i = 0; i < q.terms.size(); ++i) check_term(q.terms[i], i, what);
        if (q.until) {
            check_filter(q.until->filter);
            check_keys(q.until->keys);
            if (q.until->keys.size() != first_keys)
                c.add(q.until->keys.empty() ? q.until->span : q.until->by_span,
                      "inconsistent number of join keys: until has " + std::to_string(q.until->keys.size()) +
                          ", the first term has " + std::to_string(first_keys));
        }
        if (q.kind == QueryKind::Sequence && !positive && !q.terms.empty())
            c.add(q.terms[0].span, "a sequence needs at least one term that is not a missing event");
        if (q.kind == QueryKind::Sample && (q.terms.size() < 2 || q.terms.size() > 5))
            c.add(q.terms.empty() ? q.keys_span : q.terms.back().span,
                  "a sample takes 2 to 5 filters, found " + std::to_string(q.terms.size()));
    }
    for (const auto& p : q.pipes) {
        bool endgame = false;
        for (const char* g : kEndgamePipes) endgame |= p.name == g;
        if (endgame) {
            c.add(p.span, "pipe '" + p.name + "' is not supported (an endgame EQL feature; only 'head' and 'tail' are)");
            continue;
        }
        if (p.name != "head" && p.name != "tail") {
            c.add(p.span, "unknown pipe '" + p.name + "' (only 'head' and 'tail' are supported)");
            continue;
        }
        if (p.args.size() > 1 || (p.args.size() == 1 && (p.args[0]->kind != ExprKind::Literal || !p.args[0]->literal.is_int() ||
                                                          p.args[0]->literal.as_int() < 0)))
            c.add(p.span, "'" + p.name + "' takes one non-negative whole number");
    }
}

}  // namespace

namespace detail {

bool category_matches(const Query& q, const CompiledFilter& f, const Event& e) {
    if (f.scope) return f.scope->test(e);
    if (f.any) return true;
    auto eq = [&f](const Value& v) { return v.is_string() && v.as_string() == f.category; };
    if (const Value* v = e.find(q.options.category_field)) return any_scalar(*v, eq);
    return false;
}

std::optional<std::int64_t> event_timestamp_ns(const Event& e, const std::string& field) {
    const Value* v = e.find(field);
    if (v == nullptr) return std::nullopt;
    return date_value_ns(*v);
}

}  // namespace detail

std::vector<QueryProblem> query_problems(std::string_view text, const QueryOptions&) {
    std::vector<Problem> problems;
    QueryAst ast;
    if (auto p = parse(text, ast))
        problems.push_back(*p);
    else
        check_query(ast, problems);
    // Parsing and checking are all compile_at() can refuse.
    std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
        return a.span.begin < b.span.begin;
    });
    std::vector<QueryProblem> out;
    for (const auto& p : problems) {
        QueryProblem q;
        offset_to_line_column(text, std::min(p.span.begin, text.size()), q.line, q.column);
        q.message = p.message;
        out.push_back(std::move(q));
    }
    return out;
}

Expected<std::shared_ptr<const Query>> compile(std::string_view text, std::string_view origin, const QueryOptions& options) {
    return compile_at(text, origin, options, 1, 1);
}

Expected<std::shared_ptr<const Query>> compile_at(std::string_view text, std::string_view origin,
                                                  const QueryOptions& options, std::uint64_t line,
                                                  std::uint64_t column) {
    QueryAst ast;
    if (auto p = parse(text, ast)) return make_error(format_problem(text, origin, *p, line, column));
    plan_optional_fields(ast, options);
    std::vector<Problem> problems;
    check_query(ast, problems);
    if (!problems.empty()) {
        std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) { return a.span.begin < b.span.begin; });
        std::string msg;
        for (const auto& p : problems) {
            if (!msg.empty()) msg += '\n';
            msg += format_problem(text, origin, p, line, column);
        }
        return make_error(std::move(msg));
    }

    auto q = std::make_shared<Query>();
    q->kind = ast.kind;
    q->text.assign(text);
    q->origin.assign(origin);
    q->options = options;
    q->maxspan_ms = ast.maxspan_ms;
    for (const auto& p : ast.pipes)
        q->pipes.push_back(PipeOp{p.name == "head", p.args.empty() ? 10 : static_cast<std::size_t>(p.args[0]->literal.as_int())});
    static const std::vector<ExprPtr> no_keys;
    if (ast.kind == QueryKind::Event) {
        CompiledTerm t;
        t.filter = lower_filter(ast.event, text, options);
        q->terms.push_back(std::move(t));
        q->written_terms = 1;
    } else {
        q->written_terms = ast.terms.size();
        for (std::size_t i = 0; i < ast.terms.size(); ++i) {
            const Term& term = ast.terms[i];
            for (std::int64_t r = 0; r < term.runs; ++r) {
                CompiledTerm t;
                t.filter = lower_filter(term.filter, text, options);
                t.keys = key_paths(ast.keys, term.keys);
                t.missing = term.missing;
                t.source_term = i;
                q->terms.push_back(std::move(t));
            }
        }
        if (ast.until) {
            CompiledTerm t;
            t.filter = lower_filter(ast.until->filter, text, options);
            t.keys = key_paths(ast.keys, ast.until->keys);
            q->until = std::move(t);
        }
    }
    return std::shared_ptr<const Query>(std::move(q));
}

QueryKind query_kind(const Query& q) { return q.kind; }
std::string_view query_text(const Query& q) { return q.text; }

}  // namespace attest::eql
