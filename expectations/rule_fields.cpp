#include "expectations/rule_fields.h"

#include <algorithm>
#include <set>

#include "expectations/eql/field_types.h"
#include "expectations/eql/syntax.h"
#include "expectations/kql/syntax.h"
#include "telemetry/sources.h"

namespace attest::rules {
namespace {

// Line and column (1-based) of byte `offset` of the query, inside the rule file.
FieldRef at(const eql::Rule& rule, const std::string& name, std::size_t offset) {
    FieldRef r{name, rule.query_line, rule.query_column};
    for (std::size_t i = 0; i < offset && i < rule.query.size(); ++i) {
        if (rule.query[i] == '\n') {
            ++r.line;
            r.column = 1;
        } else {
            ++r.column;
        }
    }
    return r;
}

class Collector {
public:
    explicit Collector(const eql::Rule& rule) : m_rule(rule) {}
    void add(const std::string& name, std::size_t offset) {
        if (!name.empty() && m_seen.insert(name).second) m_out.push_back(at(m_rule, name, offset));
    }
    void eql_expr(const eql::syntax::Expr* e) {
        if (!e) return;
        if (e->kind == eql::syntax::ExprKind::Field) add(e->name, e->span.begin);
        for (const auto& k : e->kids) eql_expr(k.get());
    }
    void eql_term(const eql::syntax::Term& t) {
        eql_expr(t.filter.condition.get());
        for (const auto& k : t.keys) eql_expr(k.get());
    }
    void kql_node(const kql::syntax::Node* n, const std::string& prefix) {
        if (!n) return;
        std::string field = n->field.empty() ? "" : prefix + n->field;
        if (n->kind == kql::syntax::NodeKind::Match || n->kind == kql::syntax::NodeKind::Range)
            add(field, n->span.begin);
        for (const auto& k : n->kids)
            kql_node(k.get(), n->kind == kql::syntax::NodeKind::Nested ? field + "." : prefix);
    }
    std::vector<FieldRef> take() { return std::move(m_out); }

private:
    const eql::Rule& m_rule;
    std::set<std::string> m_seen;
    std::vector<FieldRef> m_out;
};

}  // namespace

std::vector<FieldRef> query_fields(const eql::Rule& rule) {
    Collector c(rule);
    if (rule.language == "eql") {
        eql::syntax::QueryAst ast;
        if (eql::syntax::parse(rule.query, ast)) return {};
        c.eql_expr(ast.event.condition.get());
        for (const auto& k : ast.keys) c.eql_expr(k.get());
        for (const auto& t : ast.terms) c.eql_term(t);
        if (ast.until) c.eql_term(*ast.until);
    } else if (rule.language == "kuery") {
        kql::syntax::NodePtr root;
        if (kql::syntax::parse(rule.query, root)) return {};
        c.kql_node(root.get(), "");
    } else {
        return {};
    }
    std::vector<FieldRef> out = c.take();
    for (const auto& f : rule.filters)
        if (!f.field.empty() && std::none_of(out.begin(), out.end(),
                                             [&](const FieldRef& r) { return r.name == f.field; }))
            out.push_back(FieldRef{f.field, f.line, f.column});
    return out;
}

const std::vector<std::string>& known_field_names() {
    static const std::vector<std::string> names = [] {
        std::set<std::string> all;
        for (std::size_t i = 0; i < eql::detail::kEcsFieldCount; ++i)
            all.insert(eql::detail::kEcsFields[i].field);
        for (const auto* source : telemetry::all_sources())
            for (const auto& f : source->fields) all.insert(std::string(f.name));
        return std::vector<std::string>(all.begin(), all.end());
    }();
    return names;
}

bool known_field(const std::string& field, const eql::FieldTypes* types) {
    if (field.find('*') != std::string::npos) return true;
    if (types && types->has_mapping() && types->index_has(field)) return true;
    const auto& names = known_field_names();
    if (std::binary_search(names.begin(), names.end(), field)) return true;
    // An object whose members are known (`process.parent` of process.parent.name) or a
    // multi-field (`.text`, `.caseless`) of a known one.
    auto below = std::lower_bound(names.begin(), names.end(), field + ".");
    if (below != names.end() && below->rfind(field + ".", 0) == 0) return true;
    auto dot = field.rfind('.');
    return dot != std::string::npos &&
           std::binary_search(names.begin(), names.end(), field.substr(0, dot));
}

}  // namespace attest::rules
