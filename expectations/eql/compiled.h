// The compiled form of an EQL query (internal to expectations/eql): a tree of predicate
// objects evaluated directly against events. Field paths are kept as the dotted string that
// Value::find() resolves without allocating; literals are pre-lowered for the insensitive
// operators; wildcards and regexes are compiled once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/value.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/pattern.h"

namespace attest::eql::detail {

// Calls f(scalar) for each non-null scalar of v (array elements, nested arrays flattened);
// true as soon as one call returns true.
template <class F>
bool any_scalar(const Value& v, F& f) {
    if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (any_scalar(e, f)) return true;
        return false;
    }
    if (v.is_null() || v.is_object()) return false;
    return f(v);
}

class ValueNode {
public:
    virtual ~ValueNode() = default;
    virtual Value eval(const Event& e) const = 0;
};

// A dotted field path. Lookup goes through Value::find (nested objects, flat dotted keys or
// a mix); when that fails and the path crosses an array of objects, every element is visited.
// A mapping's `null_value` stands in for a missing or null value.
struct FieldPath {
    std::string path;
    bool optional = false;
    std::shared_ptr<const Value> null_value;

    template <class F>
    bool any(const Event& e, F& f) const {
        if (const Value* v = e.find(path)) {
            if (null_value && v->is_null()) return f(*null_value);
            return any_scalar(*v, f);
        }
        bool hit = false, seen = false;
        e.for_each_at(path, [&](const Value& v) {
            seen = true;
            if (!hit && any_scalar(v, f)) hit = true;
        });
        if (!seen && null_value) return f(*null_value);
        return hit;
    }
};

// Where a predicate's left-hand value comes from: a field (fast path) or an expression.
struct Source {
    std::optional<FieldPath> field;
    std::unique_ptr<ValueNode> expr;

    template <class F>
    bool any(const Event& e, F&& f) const {
        if (field) return field->any(e, f);
        Value v = expr->eval(e);
        return any_scalar(v, f);
    }
};

// How the value index (value_index.h) reads a field: every value the condition's leaf would
// test, as text (numbers and booleans in their string form), so that a lookup sees at least
// what the leaf sees.
class KeyReader {
public:
    virtual ~KeyReader() = default;
    virtual void each_text(const Event& e,
                           const std::function<void(std::string_view)>& f) const = 0;
};

// One literal test a condition needs: some text the reader yields, ASCII-lowercased, equals,
// starts with or ends with `literal` (lowercased too: a case-sensitive test then lets a few
// more events through, and the condition itself still decides).
struct IndexKey {
    enum class Shape { Exact, Prefix, Suffix };
    std::string field;  // the reader's identity: keys of one field share one read per event
    std::shared_ptr<const KeyReader> reader;
    Shape shape = Shape::Exact;
    std::string literal;
};

// The reader of a field path as FieldPath::any walks it (`null_value` included).
struct KeyField {
    std::string id;
    std::shared_ptr<const KeyReader> reader;
};
KeyField key_field(const FieldPath& path);
// Appends the key of a literal test on `field`; false when it cannot be one (empty literal).
bool literal_key(const KeyField& field, IndexKey::Shape shape, std::string_view literal,
                 std::vector<IndexKey>& out);
// The same for a wildcard pattern: false unless it is an exact, prefix or suffix test.
bool pattern_key(const KeyField& field, const WildcardPattern& p, std::vector<IndexKey>& out);
// Whether an equality literal can be filed by its text: a string that no number or boolean
// coerces to (compare_scalars would match those across types).
bool text_only_literal(const Value& literal);

class Cond {
public:
    virtual ~Cond() = default;
    virtual bool test(const Event& e) const = 0;
    // Keys such that test(e) can hold only when one of them matches e; false (nothing
    // appended that counts) when the condition has none, e.g. `contains` or a negation.
    virtual bool index_keys(std::vector<IndexKey>& out) const {
        (void)out;
        return false;
    }
};
using CondPtr = std::unique_ptr<Cond>;

// The boolean connectives, shared by every language compiled to this form (EQL, KQL, Sigma).
class ConstCond final : public Cond {
public:
    explicit ConstCond(bool v) : m_v(v) {}
    bool test(const Event&) const override { return m_v; }
    bool index_keys(std::vector<IndexKey>&) const override { return !m_v; }  // never holds

private:
    bool m_v;
};

class NotCond final : public Cond {
public:
    explicit NotCond(CondPtr c) : m_c(std::move(c)) {}
    bool test(const Event& e) const override { return !m_c->test(e); }

private:
    CondPtr m_c;
};

class AndCond final : public Cond {
public:
    std::vector<CondPtr> kids;
    bool test(const Event& e) const override {
        for (const auto& k : kids)
            if (!k->test(e)) return false;
        return true;
    }
    bool index_keys(std::vector<IndexKey>& out) const override;  // the best conjunct's
};

class OrCond final : public Cond {
public:
    std::vector<CondPtr> kids;
    bool test(const Event& e) const override {
        for (const auto& k : kids)
            if (k->test(e)) return true;
        return false;
    }
    bool index_keys(std::vector<IndexKey>& out) const override;  // every disjunct's
};

// A term's event filter in compiled form, with its top-level clauses kept for diagnostics.
struct CompiledFilter {
    bool any = false;
    std::string category;
    // When set, decides which events the term considers instead of the category (a Sigma
    // rule's logsource); its events are the "events of the category" in diagnostics.
    CondPtr scope;
    CondPtr condition;
    std::vector<CondPtr> clauses;           // top-level `and` conjuncts (diagnostics only)
    std::vector<std::string> clause_texts;  // their source text
};

struct CompiledTerm {
    CompiledFilter filter;
    std::vector<FieldPath> keys;  // sequence keys first, then the term's own
    bool missing = false;
    std::size_t source_term = 0;  // index of the term as written (before runs expansion)
};

// A threshold rule (KQL `type = "threshold"`): events that pass the filter are counted per
// distinct value of the term's keys (the threshold fields; one group when there are none); a
// group with at least `value` events (and at least `cardinality_value` distinct values of
// `cardinality_field`) is a hit.
struct Threshold {
    std::uint64_t value = 1;
    std::optional<FieldPath> cardinality_field;
    std::uint64_t cardinality_value = 0;
};

struct PipeOp {
    bool head = true;
    std::size_t count = 0;
};

}  // namespace attest::eql::detail

namespace attest::eql {

class Query {
public:
    QueryKind kind = QueryKind::Event;
    std::string text;
    std::string origin;
    QueryOptions options;
    std::vector<detail::CompiledTerm> terms;  // one for an event query; runs expanded
    std::optional<detail::CompiledTerm> until;
    std::optional<std::int64_t> maxspan_ms;
    std::vector<detail::PipeOp> pipes;
    std::size_t written_terms = 0;               // terms as written (diagnostics)
    std::optional<detail::Threshold> threshold;  // event queries only
};

namespace detail {
// Evaluates one term's category test (the category field equals the term's category).
bool category_matches(const Query& q, const CompiledFilter& f, const Event& e);
// Timestamp of an event in ns (ISO string or epoch milliseconds); nullopt when absent.
std::optional<std::int64_t> event_timestamp_ns(const Event& e, const std::string& field);
}  // namespace detail

}  // namespace attest::eql
