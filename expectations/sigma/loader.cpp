// Reading Sigma rule files: YAML documents (with `action: global` defaults), metadata,
// detection searches and correlation documents. Every problem is collected with its
// file:line:column and key path before the load fails.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "core/timeutil.h"
#include "core/yaml_load.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/pattern.h"
#include "expectations/sigma/internal.h"
#include "expectations/spec.h"

namespace attest::sigma {

using namespace detail;
namespace fs = std::filesystem;

namespace {

std::pair<std::uint64_t, std::uint64_t> pos(const YAML::Node& n) {
    if (!n.IsDefined()) return {0, 0};
    YAML::Mark m = n.Mark();
    if (m.line < 0 || m.column < 0) return {0, 0};
    return {static_cast<std::uint64_t>(m.line) + 1, static_cast<std::uint64_t>(m.column) + 1};
}

std::string scalar(const YAML::Node& n) {
    return n && n.IsScalar() ? n.Scalar() : std::string();
}

// A map's keys in document order with their key nodes (for positions).
template <class F>
void for_each_entry(const YAML::Node& map, F&& f) {
    for (auto it = map.begin(); it != map.end(); ++it) f(it->first, it->second);
}

// Legacy multi-document files: `action: global` defaults are merged under each following
// document (the document wins, maps merged key by key).
YAML::Node merge(const YAML::Node& base, const YAML::Node& over) {
    if (!base.IsDefined() || !base.IsMap() || !over.IsMap()) return over;
    YAML::Node out(YAML::NodeType::Map);
    for_each_entry(base, [&](const YAML::Node& k, const YAML::Node& v) { out[k.Scalar()] = v; });
    for_each_entry(over, [&](const YAML::Node& k, const YAML::Node& v) {
        const std::string& key = k.Scalar();
        out[key] = base[key] && base[key].IsMap() && v.IsMap() ? merge(base[key], v) : v;
    });
    return out;
}

struct PendingRef {
    std::size_t rule = 0, entry = 0;
    std::string file;
    std::uint64_t line = 0, column = 0;
};

class DocumentLoader {
public:
    DocumentLoader(std::string_view origin, const LoadOptions& options,
                   std::vector<Problem>& problems)
        : m_origin(origin), m_options(options), m_problems(problems) {}

    void add(const YAML::Node& doc, std::vector<Rule>& out) {
        if (!doc.IsMap()) {
            problem(doc, "", "a rule document is a map (title, logsource, detection, ...)");
            return;
        }
        Rule r;
        r.path = m_origin;
        std::tie(r.line, r.column) = pos(doc);
        if (!metadata(doc, r)) return;
        if (doc["correlation"]) {
            if (correlation(doc["correlation"], r)) out.push_back(std::move(r));
            return;
        }
        m_fields.clear();
        if (!detection(doc, r)) return;
        r.fields = std::move(m_fields);
        out.push_back(std::move(r));
    }

private:
    void problem(const YAML::Node& n, std::string key, std::string msg) {
        auto [l, c] = pos(n);
        m_problems.push_back(Problem{l, c, std::move(key), std::move(msg)});
    }

    std::optional<std::string> text(const YAML::Node& doc, const char* key, bool required) {
        YAML::Node n = doc[key];
        if (!n || n.IsNull()) {
            if (required) problem(doc, key, std::string("missing '") + key + "'");
            return std::nullopt;
        }
        if (!n.IsScalar()) {
            problem(n, key, std::string("'") + key + "' is a string");
            return std::nullopt;
        }
        return n.Scalar();
    }

    bool metadata(const YAML::Node& doc, Rule& r) {
        std::size_t before = m_problems.size();
        r.title = text(doc, "title", true).value_or("");
        r.id = text(doc, "id", false).value_or("");
        r.name = text(doc, "name", false).value_or("");
        r.status = text(doc, "status", false).value_or("");
        r.description = text(doc, "description", false).value_or("");
        r.level = text(doc, "level", false).value_or("");
        static constexpr std::string_view kLevels[] = {"informational", "low", "medium", "high",
                                                       "critical"};
        if (!r.level.empty() &&
            std::find(std::begin(kLevels), std::end(kLevels), r.level) == std::end(kLevels))
            problem(
                doc["level"], "level",
                "level '" + r.level + "' is not one of informational, low, medium, high, critical");
        if (YAML::Node tags = doc["tags"]; tags && !tags.IsNull()) {
            if (!tags.IsSequence())
                problem(tags, "tags", "'tags' is a list of strings");
            else
                for (const auto& t : tags) {
                    if (!t.IsScalar()) {
                        problem(t, "tags", "a tag is a string");
                        continue;
                    }
                    r.tags.push_back(t.Scalar());
                    technique(t.Scalar(), r.techniques);
                }
        }
        if (YAML::Node ls = doc["logsource"]; ls && !ls.IsNull()) {
            if (!ls.IsMap())
                problem(ls, "logsource", "'logsource' is a map (product, category, service)");
            else {
                r.logsource.product = text(ls, "product", false).value_or("");
                r.logsource.category = text(ls, "category", false).value_or("");
                r.logsource.service = text(ls, "service", false).value_or("");
            }
        }
        return m_problems.size() == before;
    }

    static void technique(const std::string& tag, std::vector<std::string>& out) {
        std::string t = ascii_lowercase(tag);
        if (t.rfind("attack.t", 0) != 0 || t.size() < 12) return;
        std::string id = tag.substr(7);
        for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::all_of(id.begin() + 1, id.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
            }))
            out.push_back(id);
    }

    // ------------------------------------------------------------ detection

    static std::string item_text(const std::string& key, const YAML::Node& v) {
        std::string s = key + ": ";
        auto one = [](const YAML::Node& x) {
            return x.IsNull()     ? std::string("null")
                   : x.IsScalar() ? x.Scalar()
                                  : std::string("...");
        };
        if (v.IsSequence()) {
            s += '[';
            for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + one(v[i]);
            s += ']';
        } else {
            s += one(v);
        }
        if (s.size() > 160) s = s.substr(0, 157) + "...";
        return s;
    }

    std::optional<ItemInput::Scalar> value(const YAML::Node& n, const std::string& key) {
        ItemInput::Scalar s;
        std::tie(s.line, s.column) = pos(n);
        if (n.IsNull()) {
            s.is_null = true;
            return s;
        }
        if (!n.IsScalar()) {
            problem(n, key,
                    "a value is a string, a number, a boolean or null (not a list or a map)");
            return std::nullopt;
        }
        s.text = n.Scalar();
        s.plain = n.Tag() == "?";
        return s;
    }

    std::shared_ptr<const Cond> item(const YAML::Node& k, const YAML::Node& v,
                                     const std::string& path) {
        ItemInput in;
        std::string key = k.Scalar();
        in.key_path = path + "." + key;
        std::tie(in.line, in.column) = pos(k);
        std::size_t bar = key.find('|');
        in.field = key.substr(0, bar);
        while (bar != std::string::npos) {
            std::size_t next = key.find('|', bar + 1);
            in.modifiers.push_back(key.substr(
                bar + 1, next == std::string::npos ? std::string::npos : next - bar - 1));
            bar = next;
        }
        if (in.field.empty()) {
            problem(k, in.key_path, "a field item needs a field name before its modifiers");
            return nullptr;
        }
        if (std::none_of(m_fields.begin(), m_fields.end(),
                         [&](const rules::FieldRef& f) { return f.name == in.field; }))
            m_fields.push_back({in.field, in.line, in.column});
        if (v.IsMap()) {
            problem(v, in.key_path, "a field's value is a value or a list of values, not a map");
            return nullptr;
        }
        in.list = v.IsSequence();
        if (in.list) {
            for (const auto& x : v)
                if (auto s = value(x, in.key_path))
                    in.values.push_back(*s);
                else
                    return nullptr;
        } else if (auto s = value(v, in.key_path)) {
            in.values.push_back(*s);
        } else {
            return nullptr;
        }
        return compile_item(in, m_options, m_problems);
    }

    // A map: AND of its items; `parts` receives each item for diagnostics.
    std::shared_ptr<const Cond> map_search(const YAML::Node& m, const std::string& path,
                                           Search* parts) {
        auto all = std::make_shared<eql::detail::AndCond>();
        bool ok = true;
        for_each_entry(m, [&](const YAML::Node& k, const YAML::Node& v) {
            auto c = item(k, v, path);
            if (!c) {
                ok = false;
                return;
            }
            if (parts) parts->parts.emplace_back(c, item_text(k.Scalar(), v));
            all->kids.push_back(std::make_unique<SharedCond>(c));
        });
        if (!ok) return nullptr;
        if (all->kids.empty()) {
            problem(m, path, "an empty search matches nothing");
            return nullptr;
        }
        return all;
    }

    std::optional<Search> search(const std::string& name, const YAML::Node& v) {
        Search s;
        s.name = name;
        std::string path = "detection." + name;
        if (v.IsMap()) {
            s.cond = map_search(v, path, &s);
            if (!s.cond) return std::nullopt;
            return s;
        }
        if (v.IsSequence() && v.size() > 0 && v[0].IsMap()) {  // OR of maps
            auto any = std::make_shared<eql::detail::OrCond>();
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::string p = path + "[" + std::to_string(i) + "]";
                if (!v[i].IsMap()) {
                    problem(v[i], p, "a list of maps cannot mix maps and plain values");
                    return std::nullopt;
                }
                auto c = map_search(v[i], p, nullptr);
                if (!c) return std::nullopt;
                any->kids.push_back(std::make_unique<SharedCond>(c));
            }
            s.cond = any;
            s.parts.emplace_back(s.cond, "one of " + std::to_string(v.size()) + " maps");
            return s;
        }
        if (v.IsSequence() || v.IsScalar()) {  // keywords
            ItemInput in;
            in.key_path = path;
            std::tie(in.line, in.column) = pos(v);
            in.list = v.IsSequence();
            if (in.list) {
                for (const auto& x : v) {
                    if (!x.IsScalar()) {
                        problem(x, path, "a keyword list holds plain values only");
                        return std::nullopt;
                    }
                    if (auto sc = value(x, path)) in.values.push_back(*sc);
                }
            } else if (auto sc = value(v, path)) {
                in.values.push_back(*sc);
            }
            if (in.values.empty()) {
                problem(v, path, "an empty search matches nothing");
                return std::nullopt;
            }
            s.cond = compile_item(in, m_options, m_problems);
            if (!s.cond) return std::nullopt;
            s.parts.emplace_back(s.cond, item_text("keywords", v));
            return s;
        }
        problem(v, path, "a search is a map of field items, a list of maps or a list of keywords");
        return std::nullopt;
    }

    std::optional<CompiledCondition> condition(const YAML::Node& c,
                                               const std::vector<Search>& searches) {
        std::vector<YAML::Node> parts;
        if (c.IsScalar())
            parts.push_back(c);
        else if (c.IsSequence())
            for (const auto& x : c) parts.push_back(x);
        if (parts.empty() || std::any_of(parts.begin(), parts.end(),
                                         [](const YAML::Node& x) { return !x.IsScalar(); })) {
            problem(c, "detection.condition",
                    "'condition' is a string or a list of strings (meaning or)");
            return std::nullopt;
        }
        std::vector<CompiledCondition> each;
        for (const auto& p : parts) {
            std::vector<Problem> local;
            auto cc = compile_condition(p.Scalar(), searches, local);
            auto [l, col] = pos(p);
            for (auto& pr : local) {
                // Offsets into a plain one-line scalar map onto the file; a quoted one starts a
                // character later.
                pr.line = l;
                pr.column = col + (pr.column - 1) + (p.Tag() == "!" ? 1 : 0);
                pr.key = "detection.condition";
                m_problems.push_back(std::move(pr));
            }
            if (!cc) return std::nullopt;
            each.push_back(std::move(*cc));
        }
        if (each.size() == 1) return std::move(each[0]);
        // Several condition strings: their disjunction, one clause for the diagnostics.
        CompiledCondition out;
        auto any = std::make_unique<eql::detail::OrCond>();
        auto clause = std::make_unique<eql::detail::OrCond>();
        std::string t;
        for (std::size_t i = 0; i < each.size(); ++i) {
            any->kids.push_back(std::move(each[i].cond));
            std::vector<Problem> none;
            clause->kids.push_back(
                std::move(compile_condition(parts[i].Scalar(), searches, none)->cond));
            t += (t.empty() ? "(" : " or (") + parts[i].Scalar() + ")";
        }
        out.cond = std::move(any);
        out.clauses.push_back(std::move(clause));
        out.clause_texts.push_back(t);
        return out;
    }

    bool detection(const YAML::Node& doc, Rule& r) {
        YAML::Node det = doc["detection"];
        if (!det || !det.IsMap()) {
            problem(
                det ? det : doc, "detection",
                det ? "'detection' is a map of searches and a condition" : "missing 'detection'");
            return false;
        }
        std::vector<Search> searches;
        bool ok = true;
        for_each_entry(det, [&](const YAML::Node& k, const YAML::Node& v) {
            const std::string& name = k.Scalar();
            if (name == "condition" || name == "timeframe") return;
            if (auto s = search(name, v))
                searches.push_back(std::move(*s));
            else
                ok = false;
        });
        if (!det["condition"]) {
            problem(det, "detection.condition", "missing 'condition'");
            return false;
        }
        auto cond = condition(det["condition"], searches);
        if (!ok || !cond) return false;
        auto q = std::make_shared<eql::Query>();
        q->kind = eql::QueryKind::Event;
        q->origin = r.path;
        q->text = scalar(det["condition"]);
        q->written_terms = 1;
        eql::detail::CompiledTerm term;
        Scope scope = logsource_scope(r.logsource);
        r.supplied = !scope.sources.empty();
        r.sources = scope.sources;
        term.filter.scope =
            scope.cond ? std::move(scope.cond) : std::make_unique<eql::detail::ConstCond>(false);
        term.filter.category = r.logsource.describe();
        term.filter.condition = std::move(cond->cond);
        term.filter.clauses = std::move(cond->clauses);
        term.filter.clause_texts = std::move(cond->clause_texts);
        q->terms.push_back(std::move(term));
        r.query = std::move(q);
        return true;
    }

    // ------------------------------------------------------------ correlations

    bool correlation(const YAML::Node& c, Rule& r) {
        if (!c.IsMap()) {
            problem(c, "correlation",
                    "'correlation' is a map (type, rules, group-by, timespan, condition)");
            return false;
        }
        Correlation out;
        std::size_t before = m_problems.size();
        std::string type = scalar(c["type"]);
        static const std::pair<std::string_view, CorrelationType> kTypes[] = {
            {"event_count", CorrelationType::EventCount},
            {"value_count", CorrelationType::ValueCount},
            {"temporal", CorrelationType::Temporal},
            {"temporal_ordered", CorrelationType::TemporalOrdered}};
        bool known = false;
        for (const auto& [n, t] : kTypes)
            if (n == type) out.type = t, known = true;
        if (!known)
            problem(c["type"] ? c["type"] : c, "correlation.type",
                    "correlation type '" + type +
                        "' is not one of event_count, value_count, temporal, temporal_ordered");
        YAML::Node rules = c["rules"];
        if (rules && rules.IsScalar())
            out.rules.push_back(rules.Scalar());
        else if (rules && rules.IsSequence())
            for (const auto& x : rules) {
                if (x.IsScalar()) {
                    out.rules.push_back(x.Scalar());
                    auto [l, col] = pos(x);
                    m_refs.push_back(
                        PendingRef{0, out.rules.size() - 1, std::string(m_origin), l, col});
                } else {
                    problem(x, "correlation.rules", "a rule reference is a name or an id");
                }
            }
        if (out.rules.empty())
            problem(rules ? rules : c, "correlation.rules",
                    "'rules' names at least one rule (by name or id)");
        if (rules && rules.IsScalar()) {
            auto [l, col] = pos(rules);
            m_refs.push_back(PendingRef{0, 0, std::string(m_origin), l, col});
        }
        if (YAML::Node g = c["group-by"]; g) {
            if (g.IsScalar())
                out.group_by.push_back(g.Scalar());
            else if (g.IsSequence())
                for (const auto& x : g) out.group_by.push_back(scalar(x));
            else
                problem(g, "correlation.group-by", "'group-by' is a list of field names");
        }
        YAML::Node ts = c["timespan"] ? c["timespan"] : c["timeframe"];
        auto span = ts && ts.IsScalar() ? parse_duration_ns(ts.Scalar()) : std::nullopt;
        if (!span || *span <= 0)
            problem(ts ? ts : c, "correlation.timespan",
                    "'timespan' is a duration such as 5m, 1h, 30s");
        else
            out.timespan_ns = *span;
        count_condition(c, out);
        if (m_problems.size() != before) return false;
        r.correlation = std::move(out);
        r.supplied = true;
        return true;
    }

    void count_condition(const YAML::Node& c, Correlation& out) {
        YAML::Node cond = c["condition"];
        bool temporal =
            out.type == CorrelationType::Temporal || out.type == CorrelationType::TemporalOrdered;
        if (!cond) {
            if (!temporal)
                problem(c, "correlation.condition", "missing 'condition' (for example gte: 10)");
            return;
        }
        if (!cond.IsMap()) {
            problem(cond, "correlation.condition", "'condition' is a map such as {gte: 10}");
            return;
        }
        static const std::pair<std::string_view, CountOp> kOps[] = {{"gt", CountOp::Gt},
                                                                    {"gte", CountOp::Gte},
                                                                    {"lt", CountOp::Lt},
                                                                    {"lte", CountOp::Lte},
                                                                    {"eq", CountOp::Eq}};
        for_each_entry(cond, [&](const YAML::Node& k, const YAML::Node& v) {
            const std::string& key = k.Scalar();
            if (key == "field") {
                out.field = scalar(v);
                return;
            }
            const CountOp* op = nullptr;
            for (const auto& [n, o] : kOps)
                if (n == key) op = &o;
            auto n = v.IsScalar() ? eql::detail::parse_number_text(v.Scalar()) : std::nullopt;
            if (op == nullptr)
                problem(k, "correlation.condition." + key,
                        "unknown condition '" + key + "' (gt, gte, lt, lte, eq, field)");
            else if (!n || !n->is_int() || n->as_int() < 0)
                problem(v, "correlation.condition." + key, "a count is a whole number");
            else
                out.condition.emplace_back(*op, n->as_int());
        });
        if (out.type == CorrelationType::ValueCount && out.field.empty())
            problem(cond, "correlation.condition.field",
                    "value_count needs 'field' (the field whose distinct values are counted)");
    }

public:
    std::vector<PendingRef> m_refs;  // rule index filled by the caller

private:
    std::string_view m_origin;
    const LoadOptions& m_options;
    std::vector<Problem>& m_problems;
    std::vector<rules::FieldRef> m_fields;  // of the document being read
};

std::string format(std::string_view text, std::string_view origin, const Problem& p) {
    std::string s(origin);
    s += ':' + std::to_string(p.line) + ':' + std::to_string(p.column) + ": ";
    if (!p.key.empty()) s += p.key + ": ";
    s += p.message;
    if (p.line == 0) return s;
    std::size_t start = 0;
    for (std::uint64_t l = 1; l < p.line && start != std::string_view::npos; ++l) {
        start = text.find('\n', start);
        if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || start > text.size()) return s;
    std::size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    s += "\n" + std::string(line) + "\n";
    for (std::uint64_t i = 1; i < p.column && i <= line.size(); ++i)
        s += line[i - 1] == '\t' ? '\t' : ' ';
    s += '^';
    return s;
}

// Parses one file's text into `out`; problems are formatted into `errors`.
void parse_into(std::string_view text, std::string_view origin, const LoadOptions& options,
                std::vector<Rule>& out, std::vector<PendingRef>& refs,
                std::vector<std::string>& errors) {
    std::vector<Problem> problems;
    YamlDocuments yaml = load_yaml(text);
    if (yaml.error) {
        errors.push_back(format(text, origin,
                                Problem{yaml.error->line, yaml.error->column, "",
                                        "YAML syntax error: " + yaml.error->message}));
        return;
    }
    const std::vector<YAML::Node>& docs = yaml.documents;
    DocumentLoader loader(origin, options, problems);
    YAML::Node global, previous;
    std::size_t documents = 0;
    for (const auto& doc : docs) {
        if (doc.IsNull()) continue;
        std::string action = doc.IsMap() ? scalar(doc["action"]) : "";
        if (action == "global") {
            global = doc;
            continue;
        }
        if (action == "reset") {
            global = YAML::Node();
            continue;
        }
        YAML::Node full =
            action == "repeat" && previous.IsDefined() ? merge(previous, doc) : merge(global, doc);
        if (!action.empty() && action != "repeat")
            problems.push_back(Problem{pos(doc["action"]).first, pos(doc["action"]).second,
                                       "action",
                                       "unknown action '" + action + "' (global, reset, repeat)"});
        previous = full;
        std::size_t first_ref = loader.m_refs.size();
        std::size_t before = out.size();
        try {
            loader.add(full, out);
        } catch (const YAML::Exception& e) {  // a node shape none of the checks above foresaw
            auto [l, c] = pos(doc);
            problems.push_back(Problem{l, c, "", "cannot read this document: " + e.msg});
        }
        for (std::size_t i = first_ref; i < loader.m_refs.size(); ++i)
            loader.m_refs[i].rule = out.size() - 1;
        if (out.size() == before) loader.m_refs.resize(first_ref);
        ++documents;
    }
    if (documents == 0 && problems.empty())
        problems.push_back(Problem{1, 1, "", "no rule in the file"});
    for (const auto& p : problems) errors.push_back(format(text, origin, p));
    refs.insert(refs.end(), loader.m_refs.begin(), loader.m_refs.end());
}

// Correlations name their inputs by `name` or `id` anywhere in the set.
void resolve(RuleSet& set, const std::vector<PendingRef>& refs, std::vector<std::string>& errors) {
    for (const auto& ref : refs) {
        Rule& r = set.rules[ref.rule];
        const std::string& want = r.correlation->rules[ref.entry];
        std::optional<std::size_t> found;
        for (std::size_t i = 0; i < set.rules.size(); ++i)
            if (i != ref.rule && (set.rules[i].name == want || set.rules[i].id == want)) found = i;
        if (!found) {
            errors.push_back(ref.file + ":" + std::to_string(ref.line) + ":" +
                             std::to_string(ref.column) +
                             ": correlation.rules: no rule named or with id '" + want +
                             "' (in this file or another .yml file of its folder)");
            continue;
        }
        if (!set.rules[*found].query) {
            errors.push_back(ref.file + ":" + std::to_string(ref.line) + ":" +
                             std::to_string(ref.column) + ": correlation.rules: '" + want +
                             "' is itself a correlation (not supported as an input)");
            continue;
        }
        r.correlation->rule_index.push_back(*found);
    }
    for (const auto& r : set.rules)
        if (r.correlation)
            for (std::size_t i : r.correlation->rule_index) set.rules[i].generate = false;
}

Expected<RuleSet> finish(std::vector<Rule> rules, const std::vector<PendingRef>& refs,
                         std::vector<std::string> errors) {
    RuleSet set;
    set.rules = std::move(rules);
    if (errors.empty()) resolve(set, refs, errors);
    if (!errors.empty()) {
        std::string msg;
        for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
        return make_error(std::move(msg));
    }
    return set;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The names a file's correlations refer to that none of its own rules carries.
std::vector<std::string> missing_inputs(const std::vector<Rule>& rules,
                                        const std::vector<PendingRef>& refs) {
    std::vector<std::string> out;
    for (const auto& ref : refs) {
        const std::string& want = rules[ref.rule].correlation->rules[ref.entry];
        bool own = std::any_of(rules.begin(), rules.end(),
                               [&](const Rule& r) { return r.name == want || r.id == want; });
        if (!own && std::find(out.begin(), out.end(), want) == out.end()) out.push_back(want);
    }
    return out;
}

bool names_one_of(const Rule& r, const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return r.name == n || r.id == n; });
}

// The Sigma files of a folder (with its subfolders when `recursive`, hidden ones skipped),
// sorted.
std::vector<std::string> sigma_files(const std::string& dir, bool recursive) {
    std::vector<std::string> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
        end;
    for (; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (it->is_directory(ec) && (!recursive || (!name.empty() && name[0] == '.')))
            it.disable_recursion_pending();
        if (it->is_regular_file(ec) && is_sigma_path(name)) files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// One file's rules, their pending correlation references and its formatted problems.
struct Parsed {
    std::vector<Rule> rules;
    std::vector<PendingRef> refs;
    std::vector<std::string> errors;
};

Parsed parse_one(std::string_view text, std::string_view origin, const LoadOptions& options) {
    Parsed p;
    parse_into(text, origin, options, p.rules, p.refs, p.errors);
    return p;
}

// The names a file's correlations need from other files (none when the file has problems).
std::vector<std::string> wanted_inputs(const Parsed& p) {
    return p.errors.empty() ? missing_inputs(p.rules, p.refs) : std::vector<std::string>{};
}

}  // namespace

Expected<const Rule*> single_rule(const RuleSet& set, std::string_view origin) {
    const Rule* correlation = nullptr;
    for (const auto& r : set.rules)
        if (r.correlation) {
            if (correlation)
                return make_error(std::string(origin) +
                                  ": a detection names one Sigma rule; this file holds several "
                                  "correlations");
            correlation = &r;
        }
    if (correlation) {
        // The other rules of the file are its inputs, nothing else.
        const auto& inputs = correlation->correlation->rule_index;
        for (std::size_t i = 0; i < set.rules.size(); ++i)
            if (&set.rules[i] != correlation &&
                std::find(inputs.begin(), inputs.end(), i) == inputs.end())
                return make_error(std::string(origin) + ": a detection names one Sigma rule; '" +
                                  set.rules[i].title + "' is not an input of the correlation '" +
                                  correlation->title + "'");
        return correlation;
    }
    if (set.rules.size() != 1)
        return make_error(std::string(origin) +
                          ": a detection names one Sigma rule; this file holds " +
                          std::to_string(set.rules.size()));
    return &set.rules[0];
}

bool is_sigma_path(std::string_view path) {
    auto ends = [&](std::string_view s) {
        return path.size() >= s.size() && iequals(path.substr(path.size() - s.size()), s);
    };
    return ends(".yml") || ends(".yaml");
}

Expected<RuleSet> parse(std::string_view text, std::string_view origin,
                        const LoadOptions& options) {
    return parse(std::vector<Source>{{std::string(origin), std::string(text)}}, options);
}

Expected<RuleSet> parse(const std::vector<Source>& sources, const LoadOptions& options) {
    if (sources.empty()) return finish({}, {}, {});
    Parsed first = parse_one(sources[0].text, sources[0].path, options);
    std::vector<std::string> wanted = wanted_inputs(first);
    for (std::size_t i = 1; i < sources.size(); ++i)
        // An input file: only the rules the correlations name, without its other problems.
        for (auto& r : parse_one(sources[i].text, sources[i].path, options).rules)
            if (names_one_of(r, wanted)) first.rules.push_back(std::move(r));
    return finish(std::move(first.rules), first.refs, std::move(first.errors));
}

Expected<std::vector<Source>> read_with_inputs(const std::string& path,
                                               const LoadOptions& options) {
    auto text = read_file(path);
    if (!text) return make_error(path + ": cannot read the file");
    std::vector<Source> out{{path, *text}};
    std::vector<std::string> wanted = wanted_inputs(parse_one(*text, path, options));
    if (wanted.empty()) return out;
    std::error_code ec;
    for (const auto& f : sigma_files(fs::path(path).parent_path().string(), false)) {
        if (wanted.empty()) break;
        if (fs::equivalent(f, path, ec)) continue;
        auto sibling = read_file(f);
        if (!sibling) continue;
        bool used = false;
        for (const auto& r : parse_one(*sibling, f, options).rules) {
            if (!names_one_of(r, wanted)) continue;
            used = true;
            std::erase_if(wanted, [&](const std::string& n) { return n == r.name || n == r.id; });
        }
        if (used) out.push_back({f, *sibling});
    }
    return out;
}

Expected<RuleSet> load(const std::string& path, const LoadOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        auto sources = read_with_inputs(path, options);
        if (!sources) return make_error(sources.error().message);
        return parse(*sources, options);
    }
    std::vector<std::string> files = sigma_files(path, true);
    if (files.empty()) return make_error(path + ": no .yml or .yaml rule files in this folder");
    std::vector<Rule> rules;
    std::vector<PendingRef> refs;
    std::vector<std::string> errors;
    for (const auto& f : files) {
        auto text = read_file(f);
        if (!text) {
            errors.push_back(f + ": cannot read the file");
            continue;
        }
        parse_into(*text, f, options, rules, refs, errors);
    }
    return finish(std::move(rules), refs, std::move(errors));
}

}  // namespace attest::sigma
