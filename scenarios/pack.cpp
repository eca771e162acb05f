#include "scenarios/pack.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/timeutil.h"
#include "expectations/attack_tactics.h"
#include "expectations/eql/field_types.h"
#include "expectations/eql/rule.h"
#include "expectations/rules.h"
#include "expectations/sigma/sigma.h"
#include "scenarios/risk.h"
#include "scenarios/yaml_util.h"
#include "telemetry/sources.h"

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

namespace {

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "T1005-2" -> technique "T1005", number 2 (1-based).
bool parse_test_number(std::string_view key, std::string& technique, std::size_t& number) {
    auto dash = key.rfind('-');
    if (dash == std::string_view::npos || dash + 1 >= key.size() || key.size() - dash > 4)
        return false;
    number = 0;
    for (char c : key.substr(dash + 1)) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + static_cast<std::size_t>(c - '0');
    }
    technique = std::string(key.substr(0, dash));
    for (auto& c : technique) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return number > 0 && technique.size() >= 5 && technique[0] == 'T';
}

}  // namespace

Expected<const AtomicTest*> Pack::select_test(std::string_view key) const {
    std::string lower = lowercase(key);
    std::string technique;
    std::size_t number = 0;
    bool by_number = parse_test_number(key, technique, number);
    // Exact matches win over prefixes, so a GUID that prefixes nothing else is never ambiguous.
    std::vector<const AtomicTest*> exact, prefix;
    for (const auto* t : tests()) {
        if (t->guid == lower || lowercase(t->name) == lower ||
            (by_number && t->technique == technique && t->index + 1 == number))
            exact.push_back(t);
        else if (lower.size() >= 4 && t->guid.starts_with(lower))
            prefix.push_back(t);
    }
    const auto& matches = exact.empty() ? prefix : exact;
    if (matches.size() == 1) return matches.front();
    if (matches.size() > 1) {
        std::string which;
        for (const auto* t : matches)
            which += (which.empty() ? "" : ", ") + t->guid + " (" + t->name + ")";
        return make_error("'" + std::string(key) + "' matches " + std::to_string(matches.size()) +
                          " tests: " + which);
    }
    return make_error("no test '" + std::string(key) + "' in pack " + root +
                      " (a GUID or GUID prefix, T1234-N, or the test's name; attest list --pack " +
                      root + ")");
}

const AtomicTest* Pack::find_test(std::string_view key) const {
    auto t = select_test(key);
    return t ? *t : nullptr;
}

ScenarioChecks Pack::checks_for(const AtomicTest& test) const {
    ScenarioChecks c;
    auto it = checks.find(test.guid);
    if (it != checks.end()) c = it->second;
    c.baseline = it == checks.end() || c.baseline || baseline;
    c.guid = test.guid;
    c.name = test.name;
    c.technique = test.technique;
    if (c.tactics.empty()) c.tactics = expectations::tactics_for_technique(test.technique);
    c.platforms = test.platforms;
    c.mapping = mapping;
    c.detections.insert(c.detections.end(), extra_detections.begin(), extra_detections.end());
    return c;
}

namespace {

// The sources a Sigma detection reads: its logsource's, or for a correlation those of its
// inputs (none: every source).
std::vector<std::string> correlation_sources(const sigma::RuleSet& set, const sigma::Rule& r) {
    if (!r.correlation) return r.sources;
    std::vector<std::string> out;
    for (std::size_t i : r.correlation->rule_index)
        for (const auto& s : set.rules[i].sources)
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return out;
}

// What reading a detection's rule file gave: the profile its format implies, and whether
// the file was missing (E117) rather than unreadable (E118; both in DetectionSpec::load_error).
struct RuleRead {
    std::optional<Profile> profile;
    bool missing = false;
};

// Fills `d` from its rule file (EQL, detection-rules TOML in EQL or KQL, Sigma): the query,
// language, names and default sources; a file that does not load sets d.load_error. One
// reader for the pack's detections and for the rules of --rules DIR.
RuleRead read_detection_rule(const std::string& path, bool profile_declared, DetectionSpec& d) {
    RuleRead out;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        d.load_error = "rule file " + path + " cannot be read";
        out.missing = true;
        return out;
    }
    if (sigma::is_sigma_path(path)) {
        auto sources = sigma::read_with_inputs(path);
        auto set = sources ? sigma::parse(*sources) : Expected<sigma::RuleSet>(sources.error());
        auto rule =
            set ? sigma::single_rule(*set, path) : Expected<const sigma::Rule*>(set.error());
        if (!rule) {
            d.load_error =
                set ? rule.error().message : "rule file cannot be read: " + set.error().message;
            return out;
        }
        const sigma::Rule& r = **rule;
        d.query = (*sources)[0].text;
        for (std::size_t i = 1; i < sources->size(); ++i)
            d.sigma_inputs.emplace_back((*sources)[i].path, (*sources)[i].text);
        d.language = "sigma";
        d.level = r.level;
        d.tags = r.tags;
        if (d.rule_id.empty()) d.rule_id = r.id;
        if (d.name.empty()) d.name = r.title;
        if (d.sources.empty()) d.sources = correlation_sources(*set, r);
        if (!r.correlation && !r.supplied) d.unsupplied_logsource = r.logsource.describe();
        out.profile = Profile::Sysmon;  // SigmaHQ writes the Windows event field names
        return out;
    }
    // .eql and detection-rules TOML (eql or kuery): one loader for both.
    auto rule = rules::load_rule(path);
    if (!rule) {
        d.load_error = "rule file cannot be read: " + rule.error().message;
        return out;
    }
    d.query = rule->query;
    if (d.rule_id.empty()) d.rule_id = rule->rule_id;
    if (d.name.empty()) d.name = rule->name;
    out.profile = rule->profile;
    d.profile_from_data = rule->profile_from_data && !profile_declared;
    d.loaded = std::make_shared<const eql::Rule>(std::move(*rule));
    return out;
}

const std::set<std::string> kTopKeys = {"version",   "name",    "description", "defaults",
                                        "scenarios", "mapping", "baseline"};
const std::set<std::string> kScenarioKeys = {"name",  "secrets",      "tactics",
                                             "risks", "expectations", "detections",
                                             "lab",   "success",      "baseline"};
const std::set<std::string> kSuccessKeys = {"command", "executor"};
const std::set<std::string> kExpectationKeys = {"id",      "description", "source",
                                                "query",   "min_count",   "required",
                                                "lineage", "window",      "profile"};
const std::set<std::string> kDetectionKeys = {"rule",    "rule_id", "name", "expected", "profile",
                                              "sources", "window",  "siem", "deadline"};

class ExpectationsLoader {
public:
    ExpectationsLoader(Pack& pack, std::string path, Problems& problems)
        : m_pack(pack), m_path(std::move(path)), m_problems(problems) {}

    void load() {
        auto root = load_yaml_file(m_path, m_problems);
        if (!root) return;
        if (!root->IsMap()) {
            report(Code::E101, *root, "",
                   "expectations.yaml is a mapping (version, defaults, scenarios)");
            return;
        }
        check_keys(*root, kTopKeys, "file");
        if (auto v = (*root)["version"]; v && (!v.IsScalar() || v.Scalar() != "1"))
            report(Code::E102, v, "file", "unsupported version (this attest reads version 1)");
        if (auto n = (*root)["name"]; n && n.IsScalar()) m_pack.name = n.Scalar();
        if (auto m = (*root)["mapping"]; m) load_mapping(m);
        if (auto b = (*root)["baseline"]; b) m_pack.baseline = boolean(b, "file");
        if (auto d = (*root)["defaults"]; d) {
            if (!d.IsMap())
                report(Code::E101, d, "defaults", "'defaults' must be a mapping");
            else {
                for (auto it = d.begin(); it != d.end(); ++it)
                    if (it->first.Scalar() != "window")
                        report(Code::W108, it->first, "defaults",
                               "unknown key '" + it->first.Scalar() + "' (ignored)");
                if (d["window"])
                    m_pack.default_window = m_default_window = window(d["window"], "defaults");
            }
        }
        auto scenarios = (*root)["scenarios"];
        if (!scenarios) return;
        if (!scenarios.IsMap()) {
            report(Code::E101, scenarios, "scenarios",
                   "'scenarios' must be a mapping of test GUID to checks");
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
                report(Code::E103, it->first, ctx,
                       "no atomic test in the pack has auto_generated_guid " + guid);
            else
                ctx = "scenario '" + test->name + "'";
            load_scenario(it->second, guid, test, ctx);
        }
    }

private:
    void report(Code code, const YAML::Node& at, const std::string& ctx, std::string msg) {
        auto [l, c] = node_position(at);
        m_problems.add(code, m_path, l, c, ctx, std::move(msg));
    }
    void check_keys(const YAML::Node& map, const std::set<std::string>& known,
                    const std::string& ctx) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
            if (!known.count(key))
                report(Code::W108, it->first, ctx, "unknown key '" + key + "' (ignored)");
        }
    }
    std::string scalar(const YAML::Node& map, const char* key, const std::string& ctx,
                       bool required) {
        auto n = map[key];
        if (!n || n.IsNull()) {
            if (required) report(Code::E104, map, ctx, std::string("missing '") + key + "'");
            return {};
        }
        if (!n.IsScalar()) {
            report(Code::E101, n, ctx, std::string("'") + key + "' must be a scalar");
            return {};
        }
        return n.Scalar();
    }

    std::optional<Window> window(const YAML::Node& n, const std::string& ctx) {
        if (!n.IsMap()) {
            report(Code::E105, n, ctx,
                   "'window' is {before: DURATION, after: DURATION} (e.g. 5s, 10m)");
            return std::nullopt;
        }
        Window w;
        for (auto it = n.begin(); it != n.end(); ++it) {
            std::string key = it->first.Scalar();
            if (key != "before" && key != "after") {
                report(Code::E105, it->first, ctx,
                       "'window' takes 'before' and 'after', not '" + key + "'");
                continue;
            }
            auto d = it->second.IsScalar() ? parse_duration_ns(it->second.Scalar()) : std::nullopt;
            if (!d) {
                report(Code::E105, it->second, ctx,
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
            report(Code::E106, map["profile"], ctx,
                   "unknown profile '" + p + "' (sysmon or endpoint)");
            return std::nullopt;
        }
        return *parsed;
    }

    void load_scenario(const YAML::Node& n, const std::string& guid, const AtomicTest* test,
                       const std::string& ctx) {
        if (!n.IsMap()) {
            report(Code::E101, n, ctx,
                   "a scenario entry is a mapping (expectations, detections, secrets)");
            return;
        }
        check_keys(n, kScenarioKeys, ctx);
        ScenarioChecks& checks = m_pack.checks[guid];
        checks.guid = guid;
        if (auto name = n["name"]; name && name.IsScalar() && test && name.Scalar() != test->name)
            report(
                Code::W109, name, ctx,
                "name '" + name.Scalar() + "' differs from the test's name '" + test->name + "'");
        if (auto s = n["secrets"]; s) {
            if (!s.IsSequence())
                report(Code::E101, s, ctx, "'secrets' is a list of input argument names");
            else
                for (const auto& x : s) {
                    if (!x.IsScalar()) continue;
                    if (test && !test->find_argument(x.Scalar()))
                        report(Code::E110, x, ctx,
                               "secret '" + x.Scalar() + "' is not an input argument of the test");
                    checks.secrets.push_back(x.Scalar());
                }
        }
        if (auto t = n["tactics"]; t) load_tactics(t, ctx, checks);
        if (auto r = n["risks"]; r) load_risks(r, ctx, checks);
        if (auto c = n["success"]; c) load_success(c, test, ctx, checks);
        if (auto b = n["baseline"]; b) checks.baseline = boolean(b, ctx);
        std::set<std::string> ids;
        if (auto list = n["expectations"]; list) {
            if (!list.IsSequence())
                report(Code::E101, list, ctx, "'expectations' must be a list");
            else
                for (const auto& e : list) load_expectation(e, test, ctx, checks, ids);
        }
        if (auto list = n["detections"]; list) {
            if (!list.IsSequence())
                report(Code::E101, list, ctx, "'detections' must be a list");
            else
                for (const auto& d : list) load_detection(d, ctx, checks);
        }
    }

    // `success: CMD` or `success: {command: CMD, executor: sh}`: run after the attack step,
    // its exit status says whether the step succeeded (an upload the server rejected did not).
    void load_success(const YAML::Node& n, const AtomicTest* test, const std::string& ctx,
                      ScenarioChecks& checks) {
        YAML::Node command = n.IsMap() ? n["command"] : n;
        if (n.IsMap()) check_keys(n, kSuccessKeys, ctx + " success");
        if (!command || !command.IsScalar() || command.Scalar().empty())
            return report(
                Code::E127, n, ctx,
                "'success' is a command, or a mapping with 'command' and optional 'executor'");
        if (YAML::Node executor = n.IsMap() ? n["executor"] : YAML::Node(); n.IsMap() && executor) {
            std::string name = executor.IsScalar() ? executor.Scalar() : "";
            if (!is_executor_name(name) || name == "manual")
                return report(Code::E127, executor, ctx,
                              "success: unknown executor '" + name +
                                  "' (known: sh, bash, powershell, command_prompt)");
            checks.success_executor = name;
        }
        checks.success_command = command.Scalar();
        for (const auto& name : argument_references(checks.success_command))
            if (test && !test->find_argument(name))
                report(Code::E111, command, ctx,
                       "success uses #{" + name + "}, which is not an input argument of the test");
    }

    // `baseline: true|false` (scenarios/baseline.h).
    bool boolean(const YAML::Node& n, const std::string& ctx) {
        if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false"))
            return n.Scalar() == "true";
        report(Code::E128, n, ctx,
               "baseline is true or false, not '" + (n.IsScalar() ? n.Scalar() : "?") + "'");
        return false;
    }

    // `risks: [reboot, ...]`: what the pack knows a test does beyond what its commands show.
    void load_risks(const YAML::Node& list, const std::string& ctx, ScenarioChecks& checks) {
        if (!list.IsSequence())
            return report(Code::E101, list, ctx, "'risks' is a list of risk names");
        for (const auto& r : list) {
            if (r.IsScalar() && parse_risk(r.Scalar()))
                checks.risks.push_back(r.Scalar());
            else
                report(Code::E119, r, ctx,
                       "unknown risk '" + (r.IsScalar() ? r.Scalar() : std::string("?")) +
                           "' (known: " + risk_names() + ")");
        }
    }

    // ATT&CK tactic short names; "Defense Evasion" is accepted and written "defense-evasion".
    void load_tactics(const YAML::Node& list, const std::string& ctx, ScenarioChecks& checks) {
        if (!list.IsSequence()) {
            report(Code::E101, list, ctx,
                   "'tactics' is a list of ATT&CK tactic names (e.g. [discovery])");
            return;
        }
        for (const auto& x : list) {
            std::string name = x.IsScalar() ? x.Scalar() : "";
            for (auto& c : name)
                c = c == ' ' || c == '_'
                        ? '-'
                        : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!expectations::is_tactic_name(name)) {
                report(Code::E125, x, ctx,
                       "unknown ATT&CK tactic '" + (x.IsScalar() ? x.Scalar() : "") +
                           "' (known: " + expectations::tactic_names() + ")");
                continue;
            }
            checks.tactics.push_back(name);
        }
    }

    void check_placeholders(const std::string& query, const YAML::Node& at, const AtomicTest* test,
                            const std::string& ctx) {
        for (const auto& name : argument_references(query))
            if (test && !test->find_argument(name))
                report(Code::E111, at, ctx,
                       "query uses #{" + name + "}, which is not an input argument of the test");
        std::size_t pos = 0;
        while ((pos = query.find("{run.", pos)) != std::string::npos) {
            auto close = query.find('}', pos);
            std::string fact =
                query.substr(pos + 1, close == std::string::npos ? 8 : close - pos - 1);
            if (fact != "run.host" && fact != "run.start" && fact != "run.end")
                report(
                    Code::E112, at, ctx,
                    "unknown run fact {" + fact + "} (known: {run.host}, {run.start}, {run.end})");
            pos += 5;
        }
    }

    void load_expectation(const YAML::Node& n, const AtomicTest* test, const std::string& sctx,
                          ScenarioChecks& checks, std::set<std::string>& ids) {
        if (!n.IsMap()) {
            report(Code::E101, n, sctx, "an expectation is a mapping (id, source, query, ...)");
            return;
        }
        ExpectationSpec e;
        e.id = scalar(n, "id", sctx + " expectation", true);
        std::string ctx = sctx + " expectation '" + e.id + "'";
        check_keys(n, kExpectationKeys, ctx);
        auto [l, c] = node_position(n);
        e.position = {m_path, l, c};
        if (!e.id.empty() && !ids.insert(e.id).second)
            report(Code::E113, n["id"], ctx, "duplicate expectation id");
        e.description = scalar(n, "description", ctx, false);
        e.source = scalar(n, "source", ctx, true);
        if (!e.source.empty() && !telemetry::find_source(e.source))
            report(Code::E114, n["source"], ctx,
                   "unknown source '" + e.source + "' (known: " + telemetry::source_names() + ")");
        e.query = scalar(n, "query", ctx, true);
        if (!e.query.empty()) check_placeholders(e.query, n["query"], test, ctx);
        if (n["query"]) {
            auto [ql, qc] = node_position(n["query"]);
            e.query_position = {m_path, ql, qc};
        }
        if (auto m = n["min_count"]; m) {
            std::string v = scalar(n, "min_count", ctx, false);
            try {
                std::size_t used = 0;
                long long x = std::stoll(v, &used);
                if (used != v.size() || x < 1) throw std::invalid_argument(v);
                e.min_count = static_cast<std::uint64_t>(x);
            } catch (...) {
                report(Code::E115, m, ctx, "min_count is a positive integer, not '" + v + "'");
            }
        }
        if (auto r = n["required"]; r) {
            std::string v = scalar(n, "required", ctx, false);
            if (v == "true")
                e.required = true;
            else if (v == "false")
                e.required = false;
            else
                report(Code::E115, r, ctx, "required is true or false, not '" + v + "'");
        }
        if (auto l = n["lineage"]; l) {
            std::string v = scalar(n, "lineage", ctx, false);
            if (v == "true")
                e.lineage = true;
            else if (v == "false")
                e.lineage = false;
            else
                report(Code::E115, l, ctx, "lineage is true or false, not '" + v + "'");
        }
        e.window = n["window"] ? window(n["window"], ctx) : m_default_window;
        e.profile = profile(n, ctx);
        checks.expectations.push_back(std::move(e));
    }

    // A Sigma rule file: its text is the detection's query (the engine compiles it), its
    // title, level, tags and logsource's sources describe the detection.
    void load_mapping(const YAML::Node& m) {
        if (!m.IsScalar() || m.Scalar().empty()) {
            report(Code::E126, m, "mapping",
                   "'mapping' is the path of an index mapping JSON file (GET index/_mapping)");
            return;
        }
        auto types = eql::FieldTypes::load_mapping((fs::path(m_pack.root) / m.Scalar()).string());
        if (!types)
            report(Code::E126, m, "mapping", types.error().message);
        else
            m_pack.mapping = *types;
    }

    // `siem: elastic` and its optional `deadline:` (a duration after the execution end).
    void load_siem(const YAML::Node& n, const std::string& ctx, DetectionSpec& d) {
        d.siem = scalar(n, "siem", ctx, false);
        if (!d.siem.empty() && d.siem != "elastic")
            report(Code::E116, n["siem"], ctx, "siem is 'elastic', not '" + d.siem + "'");
        if (!n["deadline"]) return;
        auto ns = parse_duration_ns(scalar(n, "deadline", ctx, false), DurationSyntax{true, "s"});
        if (!ns)
            report(Code::E116, n["deadline"], ctx, "deadline is a duration (e.g. 10m)");
        else if (d.siem.empty())
            report(Code::E116, n["deadline"], ctx, "deadline needs siem: elastic");
        else
            d.siem_deadline_ns = *ns;
    }

    void load_detection(const YAML::Node& n, const std::string& sctx, ScenarioChecks& checks) {
        if (!n.IsMap()) {
            report(Code::E101, n, sctx, "a detection is a mapping (rule, expected, profile)");
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
        if (expected.empty() || expected == "fires")
            d.expect_fires = true;
        else if (expected == "does_not_fire")
            d.expect_fires = false;
        else
            report(Code::E116, n["expected"], ctx,
                   "expected is 'fires' or 'does_not_fire', not '" + expected + "'");
        std::optional<Profile> declared = profile(n, ctx);
        std::optional<Profile> from_rule;
        if (auto s = n["sources"]; s) {
            if (!s.IsSequence())
                report(Code::E101, s, ctx, "'sources' is a list of source names");
            else
                for (const auto& x : s) {
                    if (!x.IsScalar() || !telemetry::find_source(x.Scalar()))
                        report(Code::E114, x, ctx,
                               "unknown source '" + (x.IsScalar() ? x.Scalar() : "") +
                                   "' (known: " + telemetry::source_names() + ")");
                    else
                        d.sources.push_back(x.Scalar());
                }
        }
        d.window = n["window"] ? window(n["window"], ctx) : m_default_window;
        load_siem(n, ctx, d);
        if (!d.rule.empty()) {
            RuleRead read = read_detection_rule((fs::path(m_pack.root) / d.rule).string(),
                                                declared.has_value(), d);
            if (!d.load_error.empty())
                report(read.missing ? Code::E117 : Code::E118, n["rule"], ctx, d.load_error);
            from_rule = read.profile;
        }
        if (d.rule_id.empty()) d.rule_id = fs::path(d.rule).stem().string();
        if (d.name.empty()) d.name = d.rule_id;
        if (declared)
            d.profile = *declared;
        else if (from_rule)
            d.profile = *from_rule;
        else if (!n["profile"] && !d.profile_from_data && d.load_error.empty())
            report(Code::E104, n, ctx,
                   "missing 'profile' (the vocabulary the rule is written for: sysmon or endpoint; "
                   "a TOML rule's index patterns can imply it)");
        checks.detections.push_back(std::move(d));
    }

    Pack& m_pack;
    std::string m_path;
    Problems& m_problems;
    std::optional<Window> m_default_window;
};

}  // namespace

Expected<std::vector<DetectionSpec>> rule_folder_detections(const std::string& dir,
                                                            const std::optional<Window>& window,
                                                            std::vector<std::string>& errors) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return make_error("--rules " + dir + ": no such file or directory");
    std::vector<DetectionSpec> out;
    for (const std::string& path : rules::rule_files(dir, true)) {
        DetectionSpec d;
        d.rule = path;
        d.informational = true;
        d.window = window;
        RuleRead read = read_detection_rule(path, false, d);
        if (!d.load_error.empty()) {
            errors.push_back(path + ": " + d.load_error);
            continue;
        }
        // A query that does not compile would only say so per scenario: leave it out now.
        if (d.loaded)
            if (auto compiled = rules::compile_rule(*d.loaded, {}); !compiled) {
                errors.push_back(compiled.error().message);
                continue;
            }
        if (d.rule_id.empty()) d.rule_id = fs::path(path).stem().string();
        if (d.name.empty()) d.name = d.rule_id;
        // A bare .eql names no vocabulary: Elastic Defend's, as Elastic's rules are written
        // (Sysmon data is translated to it), unless the TOML's index patterns say otherwise.
        if (read.profile) d.profile = *read.profile;
        out.push_back(std::move(d));
    }
    return out;
}

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
    if (pack.name.empty())
        pack.name = fs::path(path).lexically_normal().parent_path().filename().string();
    pack.atomics_folder = atomics_folder_of(path);
    pack.files = load_atomics_folder(path, problems);
    if (pack.files.empty())
        problems.add(
            Code::E120, path, 0, 0, "pack",
            "no atomics YAML found (atomics/TXXXX/TXXXX.yaml, TXXXX/TXXXX.yaml or *.yaml)");
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

namespace {

// Where a query problem lies in the YAML file: the scalar starts at `at` (a plain or quoted
// scalar on its line; for a block scalar, `|` or `>`, the text starts on the next line at the
// block's indentation, which YAML strips from every line). Other scalars are folded into one
// line by YAML, so their problems are on their first line.
std::pair<std::uint64_t, std::uint64_t> yaml_text_position(const std::vector<std::string>& lines,
                                                           const expectations::SpecPosition& at,
                                                           const eql::QueryProblem& p) {
    if (at.line == 0 || at.line > lines.size()) return {at.line, at.column};
    auto indent = [&](std::uint64_t line) -> std::uint64_t {
        if (line == 0 || line > lines.size()) return 0;
        return lines[line - 1].find_first_not_of(' ') == std::string::npos
                   ? 0
                   : lines[line - 1].find_first_not_of(' ');
    };
    const std::string& first = lines[at.line - 1];
    char style = at.column - 1 < first.size() ? first[at.column - 1] : ' ';
    if (style == '|' || style == '>') return {at.line + p.line, indent(at.line + 1) + p.column};
    std::uint64_t line = at.line + p.line - 1;
    if (p.line > 1) return {line, indent(line) + p.column};
    return {line, at.column + p.column - ((style == '"' || style == '\'') ? 0 : 1)};
}

using LineCache = std::map<std::string, std::vector<std::string>>;
const std::vector<std::string>& source_lines(LineCache& cache, const std::string& path) {
    auto [it, fresh] = cache.try_emplace(path);
    if (fresh) {
        std::ifstream in(path, std::ios::binary);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            it->second.push_back(line);
        }
    }
    return it->second;
}

}  // namespace

void check_pack_queries(const Pack& pack, Problems& problems) {
    LineCache files;
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
            for (const auto& p : eql::query_problems(*q)) {
                auto [line, column] = yaml_text_position(source_lines(files, e.query_position.file),
                                                         e.query_position, p);
                problems.add(Code::E130, e.query_position.file, line, column,
                             ctx + " expectation '" + e.id + "'",
                             "query does not compile: " + p.message);
            }
        }
        for (const auto& d : checks.detections) {
            if (!d.loaded) continue;
            eql::QueryOptions qopts;
            qopts.types = pack.mapping;
            auto compiled = rules::compile_rule(*d.loaded, qopts);
            if (!compiled)
                problems.add(Code::E130, d.position.file, d.position.line, d.position.column,
                             ctx + " detection '" + d.rule + "'",
                             "rule does not compile: " + compiled.error().message);
            else if (!compiled->query)
                problems.add(Code::W131, d.position.file, d.position.line, d.position.column,
                             ctx + " detection '" + d.rule + "'",
                             "not locally evaluable: " + compiled->not_evaluable);
        }
    }
}

}  // namespace attest::scenarios
