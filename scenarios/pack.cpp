#include "scenarios/pack.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "expectations/eql/field_types.h"
#include "expectations/eql/rule.h"
#include "expectations/rules.h"
#include "expectations/sources.h"
#include "scenarios/yaml_util.h"

namespace attest::scenarios {
namespace fs = std::filesystem;
using expectations::DetectionSpec;
using expectations::ExpectationSpec;
using expectations::ScenarioChecks;
using expectations::Window;

std::vector<const AtomicTest*> Pack::tests() const {
    std::vector<const AtomicTest*> out;
    for (const auto& f : files)
        for (const auto& t : f.tests) out.push_back(&t);
    return out;
}

const AtomicTest* Pack::find_test(std::string_view key) const {
    std::string lower(key);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto* t : tests())
        if (t->guid == lower || t->name == key) return t;
    return nullptr;
}

ScenarioChecks Pack::checks_for(const AtomicTest& test) const {
    ScenarioChecks c;
    if (auto it = checks.find(test.guid); it != checks.end()) c = it->second;
    c.guid = test.guid;
    c.name = test.name;
    c.technique = test.technique;
    c.platforms = test.platforms;
    c.mapping = mapping;
    return c;
}

namespace {

const std::set<std::string> kTopKeys = {"version", "name", "description", "defaults", "scenarios", "mapping"};
const std::set<std::string> kScenarioKeys = {"name", "secrets", "expectations", "detections",
                                             "lab"};
const std::set<std::string> kExpectationKeys = {"id",       "description", "source", "query",
                                                "min_count", "required",   "window", "profile"};
const std::set<std::string> kDetectionKeys = {"rule",    "rule_id", "name", "expected",
                                              "profile", "sources", "window"};

class ExpectationsLoader {
public:
    ExpectationsLoader(Pack& pack, std::string path, Problems& problems)
        : m_pack(pack), m_path(std::move(path)), m_problems(problems) {}

    void load() {
        auto root = load_yaml_file(m_path, m_problems);
        if (!root) return;
        if (!root->IsMap()) {
            error("E101", *root, "", "expectations.yaml is a mapping (version, defaults, scenarios)");
            return;
        }
        check_keys(*root, kTopKeys, "file");
        if (auto v = (*root)["version"]; v && (!v.IsScalar() || v.Scalar() != "1"))
            error("E102", v, "file", "unsupported version (this attest reads version 1)");
        if (auto n = (*root)["name"]; n && n.IsScalar()) m_pack.name = n.Scalar();
        if (auto m = (*root)["mapping"]; m) load_mapping(m);
        if (auto d = (*root)["defaults"]; d) {
            if (!d.IsMap()) error("E101", d, "defaults", "'defaults' must be a mapping");
            else {
                for (auto it = d.begin(); it != d.end(); ++it)
                    if (it->first.Scalar() != "window")
                        warning("W108", it->first, "defaults", "unknown key '" + it->first.Scalar() + "' (ignored)");
                if (d["window"]) m_default_window = window(d["window"], "defaults");
            }
        }
        auto scenarios = (*root)["scenarios"];
        if (!scenarios) return;
        if (!scenarios.IsMap()) {
            error("E101", scenarios, "scenarios", "'scenarios' must be a mapping of test GUID to checks");
            return;
        }
        std::map<std::string, const AtomicTest*> by_guid;
        for (const auto* t : m_pack.tests()) by_guid[t->guid] = t;
        for (auto it = scenarios.begin(); it != scenarios.end(); ++it) {
            std::string guid = it->first.IsScalar() ? it->first.Scalar() : "";
            for (auto& c : guid) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string ctx = "scenario " + guid;
            const AtomicTest* test = by_guid.count(guid) ? by_guid[guid] : nullptr;
            if (!test)
                error("E103", it->first, ctx, "no atomic test in the pack has auto_generated_guid " + guid);
            else
                ctx = "scenario '" + test->name + "'";
            load_scenario(it->second, guid, test, ctx);
        }
    }

private:
    void error(const char* code, const YAML::Node& at, const std::string& ctx, std::string msg) {
        auto [l, c] = node_position(at);
        m_problems.error(code, m_path, l, c, ctx, std::move(msg));
    }
    void warning(const char* code, const YAML::Node& at, const std::string& ctx, std::string msg) {
        auto [l, c] = node_position(at);
        m_problems.warning(code, m_path, l, c, ctx, std::move(msg));
    }
    void check_keys(const YAML::Node& map, const std::set<std::string>& known, const std::string& ctx) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
            if (!known.count(key)) warning("W108", it->first, ctx, "unknown key '" + key + "' (ignored)");
        }
    }
    std::string scalar(const YAML::Node& map, const char* key, const std::string& ctx, bool required) {
        auto n = map[key];
        if (!n || n.IsNull()) {
            if (required) error("E104", map, ctx, std::string("missing '") + key + "'");
            return {};
        }
        if (!n.IsScalar()) {
            error("E101", n, ctx, std::string("'") + key + "' must be a scalar");
            return {};
        }
        return n.Scalar();
    }

    std::optional<Window> window(const YAML::Node& n, const std::string& ctx) {
        if (!n.IsMap()) {
            error("E105", n, ctx, "'window' is {before: DURATION, after: DURATION} (e.g. 5s, 10m)");
            return std::nullopt;
        }
        Window w;
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string key = it->first.Scalar();
            if (key != "before" && key != "after") {
                error("E105", it->first, ctx, "'window' takes 'before' and 'after', not '" + key + "'");
                continue;
            }
            auto d = it->second.IsScalar() ? expectations::parse_duration_ns(it->second.Scalar())
                                           : std::nullopt;
            if (!d) {
                error("E105", it->second, ctx,
                      "'" + key + "' is a duration such as 500ms, 5s, 10m, 2h or 1d, not '" +
                          (it->second.IsScalar() ? it->second.Scalar() : std::string("?")) + "'");
                continue;
            }
            (key == "before" ? w.before_ns : w.after_ns) = *d;
        }
        return w;
    }

    std::optional<Profile> profile(const YAML::Node& map, const std::string& ctx) {
        std::string p = scalar(map, "profile", ctx, false);
        if (p.empty()) return std::nullopt;
        auto parsed = parse_profile(p);
        if (!parsed) {
            error("E106", map["profile"], ctx, "unknown profile '" + p + "' (sysmon or endpoint)");
            return std::nullopt;
        }
        return *parsed;
    }

    void load_scenario(const YAML::Node& n, const std::string& guid, const AtomicTest* test,
                       const std::string& ctx) {
        if (!n.IsMap()) {
            error("E101", n, ctx, "a scenario entry is a mapping (expectations, detections, secrets)");
            return;
        }
        check_keys(n, kScenarioKeys, ctx);
        ScenarioChecks& checks = m_pack.checks[guid];
        checks.guid = guid;
        if (auto name = n["name"]; name && name.IsScalar() && test && name.Scalar() != test->name)
            warning("W109", name, ctx, "name '" + name.Scalar() + "' differs from the test's name '" + test->name + "'");
        if (auto s = n["secrets"]; s) {
            if (!s.IsSequence()) error("E101", s, ctx, "'secrets' is a list of input argument names");
            else
                for (const auto& x : s) {
                    if (!x.IsScalar()) continue;
                    if (test && !test->find_argument(x.Scalar()))
                        error("E110", x, ctx, "secret '" + x.Scalar() + "' is not an input argument of the test");
                    checks.secrets.push_back(x.Scalar());
                }
        }
        std::set<std::string> ids;
        if (auto list = n["expectations"]; list) {
            if (!list.IsSequence()) error("E101", list, ctx, "'expectations' must be a list");
            else
                for (const auto& e : list) load_expectation(e, test, ctx, checks, ids);
        }
        if (auto list = n["detections"]; list) {
            if (!list.IsSequence()) error("E101", list, ctx, "'detections' must be a list");
            else
                for (const auto& d : list) load_detection(d, ctx, checks);
        }
    }

    void check_placeholders(const std::string& query, const YAML::Node& at, const AtomicTest* test,
                            const std::string& ctx) {
        for (const auto& name : argument_references(query))
            if (test && !test->find_argument(name))
                error("E111", at, ctx, "query uses #{" + name + "}, which is not an input argument of the test");
        std::size_t pos = 0;
        while ((pos = query.find("{run.", pos)) != std::string::npos) {
            auto close = query.find('}', pos);
            std::string fact = query.substr(pos + 1, close == std::string::npos ? 8 : close - pos - 1);
            if (fact != "run.host" && fact != "run.start" && fact != "run.end")
                error("E112", at, ctx, "unknown run fact {" + fact + "} (known: {run.host}, {run.start}, {run.end})");
            pos += 5;
        }
    }

    void load_expectation(const YAML::Node& n, const AtomicTest* test, const std::string& sctx,
                          ScenarioChecks& checks, std::set<std::string>& ids) {
        if (!n.IsMap()) {
            error("E101", n, sctx, "an expectation is a mapping (id, source, query, ...)");
            return;
        }
        ExpectationSpec e;
        e.id = scalar(n, "id", sctx + " expectation", true);
        std::string ctx = sctx + " expectation '" + e.id + "'";
        check_keys(n, kExpectationKeys, ctx);
        auto [l, c] = node_position(n);
        e.position = {m_path, l, c};
        if (!e.id.empty() && !ids.insert(e.id).second)
            error("E113", n["id"], ctx, "duplicate expectation id");
        e.description = scalar(n, "description", ctx, false);
        e.source = scalar(n, "source", ctx, true);
        if (!e.source.empty() && !expectations::find_source(e.source))
            error("E114", n["source"], ctx, "unknown source '" + e.source + "' (known: " + expectations::source_names() + ")");
        e.query = scalar(n, "query", ctx, true);
        if (!e.query.empty()) check_placeholders(e.query, n["query"], test, ctx);
        if (auto m = n["min_count"]; m) {
            std::string v = scalar(n, "min_count", ctx, false);
            try {
                std::size_t used = 0;
                long long x = std::stoll(v, &used);
                if (used != v.size() || x < 1) throw std::invalid_argument(v);
                e.min_count = static_cast<std::uint64_t>(x);
            } catch (...) {
                error("E115", m, ctx, "min_count is a positive integer, not '" + v + "'");
            }
        }
        if (auto r = n["required"]; r) {
            std::string v = scalar(n, "required", ctx, false);
            if (v == "true") e.required = true;
            else if (v == "false") e.required = false;
            else error("E115", r, ctx, "required is true or false, not '" + v + "'");
        }
        e.window = n["window"] ? window(n["window"], ctx) : m_default_window;
        e.profile = profile(n, ctx);
        checks.expectations.push_back(std::move(e));
    }

    void load_mapping(const YAML::Node& m) {
        if (!m.IsScalar() || m.Scalar().empty()) {
            error("E119", m, "mapping", "'mapping' is the path of an index mapping JSON file (GET index/_mapping)");
            return;
        }
        auto types = eql::FieldTypes::load_mapping((fs::path(m_pack.root) / m.Scalar()).string());
        if (!types) error("E119", m, "mapping", types.error().message);
        else m_pack.mapping = *types;
    }

    void load_detection(const YAML::Node& n, const std::string& sctx, ScenarioChecks& checks) {
        if (!n.IsMap()) {
            error("E101", n, sctx, "a detection is a mapping (rule, expected, profile)");
            return;
        }
        DetectionSpec d;
        d.rule = scalar(n, "rule", sctx + " detection", true);
        std::string ctx = sctx + " detection '" + d.rule + "'";
        check_keys(n, kDetectionKeys, ctx);
        auto [l, c] = node_position(n);
        d.position = {m_path, l, c};
        d.rule_id = scalar(n, "rule_id", ctx, false);
        d.name = scalar(n, "name", ctx, false);
        std::string expected = scalar(n, "expected", ctx, false);
        if (expected.empty() || expected == "fires") d.expect_fires = true;
        else if (expected == "does_not_fire") d.expect_fires = false;
        else error("E116", n["expected"], ctx, "expected is 'fires' or 'does_not_fire', not '" + expected + "'");
        std::optional<Profile> declared = profile(n, ctx);
        std::optional<Profile> from_rule;
        if (auto s = n["sources"]; s) {
            if (!s.IsSequence()) error("E101", s, ctx, "'sources' is a list of source names");
            else
                for (const auto& x : s) {
                    if (!x.IsScalar() || !expectations::find_source(x.Scalar()))
                        error("E114", x, ctx, "unknown source '" + (x.IsScalar() ? x.Scalar() : "") + "' (known: " + expectations::source_names() + ")");
                    else d.sources.push_back(x.Scalar());
                }
        }
        d.window = n["window"] ? window(n["window"], ctx) : m_default_window;
        if (!d.rule.empty()) {
            fs::path rp = fs::path(m_pack.root) / d.rule;
            std::error_code ec;
            if (!fs::is_regular_file(rp, ec)) {
                d.load_error = "rule file " + rp.string() + " cannot be read";
                error("E117", n["rule"], ctx, d.load_error);
            } else {
                // .eql, detection-rules TOML (eql or kuery), Sigma: one loader for all.
                auto rule = rules::load_rule(rp.string());
                if (!rule) {
                    d.load_error = "rule file cannot be read: " + rule.error().message;
                    error("E118", n["rule"], ctx, d.load_error);
                } else {
                    d.query = rule->query;
                    if (d.rule_id.empty()) d.rule_id = rule->rule_id;
                    if (d.name.empty()) d.name = rule->name;
                    from_rule = rule->profile;
                    d.profile_from_data = rule->profile_from_data && !declared;
                    d.loaded = std::make_shared<const eql::Rule>(std::move(*rule));
                }
            }
        }
        if (d.rule_id.empty()) d.rule_id = fs::path(d.rule).stem().string();
        if (d.name.empty()) d.name = d.rule_id;
        if (declared) d.profile = *declared;
        else if (from_rule) d.profile = *from_rule;
        else if (!n["profile"] && !d.profile_from_data && d.load_error.empty())
            error("E104", n, ctx, "missing 'profile' (the vocabulary the rule is written for: sysmon or endpoint; a TOML rule's index patterns can imply it)");
        checks.detections.push_back(std::move(d));
    }

    Pack& m_pack;
    std::string m_path;
    Problems& m_problems;
    std::optional<Window> m_default_window;
};

}  // namespace

Expected<Pack> load_pack(const std::string& path, Problems& problems) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return make_error(path + ": no such file or directory");
    Pack pack;
    if (fs::is_regular_file(path, ec)) {
        pack.root = fs::path(path).parent_path().string();
        if (pack.root.empty()) pack.root = ".";
        pack.name = fs::path(path).stem().string();
        pack.atomics_folder = fs::path(pack.root).parent_path().string();
        if (auto f = load_atomic_file(path, problems)) pack.files.push_back(std::move(*f));
        return pack;
    }
    pack.root = path;
    pack.name = fs::path(path).lexically_normal().filename().string();
    if (pack.name.empty()) pack.name = fs::path(path).lexically_normal().parent_path().filename().string();
    pack.atomics_folder = atomics_folder_of(path);
    pack.files = load_atomics_folder(path, problems);
    if (pack.files.empty())
        problems.error("E120", path, 0, 0, "pack", "no atomics YAML found (atomics/TXXXX/TXXXX.yaml, TXXXX/TXXXX.yaml or *.yaml)");
    for (const char* name : {"expectations.yaml", "expectations.yml"}) {
        fs::path e = fs::path(path) / name;
        if (fs::is_regular_file(e, ec)) {
            ExpectationsLoader(pack, e.string(), problems).load();
            break;
        }
    }
    fs::path lab = fs::path(path) / "lab";
    if (fs::is_directory(lab, ec))
        for (const auto& entry : fs::recursive_directory_iterator(lab, ec))
            if (entry.is_regular_file())
                pack.lab_files.push_back(fs::relative(entry.path(), path, ec).string());
    std::sort(pack.lab_files.begin(), pack.lab_files.end());
    return pack;
}

}  // namespace attest::scenarios

#include "expectations/engine.h"

namespace attest::scenarios {

void check_pack_queries(const Pack& pack, Problems& problems) {
    const std::map<std::string, std::string> sample_run = {
        {"run.host", "HOST"},
        {"run.start", "2026-01-01T00:00:00.000Z"},
        {"run.end", "2026-01-01T00:01:00.000Z"}};
    for (const auto& [guid, checks] : pack.checks) {
        const AtomicTest* test = pack.find_test(guid);
        std::map<std::string, std::string> args;
        if (test)
            for (const auto& a : test->input_arguments) args[a.name] = a.default_value;
        std::string ctx = test ? "scenario '" + test->name + "'" : "scenario " + guid;
        for (const auto& e : checks.expectations) {
            if (e.query.empty()) continue;
            auto q = expectations::substitute_query(e.query, args, sample_run);
            if (!q) continue;  // placeholders are reported by the loader
            auto compiled = eql::compile(*q, e.id, {});
            if (!compiled)
                problems.error("E130", e.position.file, e.position.line, e.position.column,
                               ctx + " expectation '" + e.id + "'",
                               "query does not compile: " + compiled.error().message);
        }
        for (const auto& d : checks.detections) {
            if (!d.loaded) continue;
            eql::QueryOptions qopts;
            qopts.types = pack.mapping;
            auto compiled = rules::compile_rule(*d.loaded, qopts);
            if (!compiled)
                problems.error("E130", d.position.file, d.position.line, d.position.column,
                               ctx + " detection '" + d.rule + "'",
                               "rule does not compile: " + compiled.error().message);
            else if (!compiled->query)
                problems.warning("W131", d.position.file, d.position.line, d.position.column,
                                 ctx + " detection '" + d.rule + "'",
                                 "not locally evaluable: " + compiled->not_evaluable);
        }
    }
}

}  // namespace attest::scenarios
