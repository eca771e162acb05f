#include "expectations/rules.h"

#include <algorithm>
#include <filesystem>

#include "expectations/kql/kql.h"
#include "expectations/sigma/sigma.h"

namespace attest::rules {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_rule_file(const std::string& path) {
    return ends_with(path, ".eql") || ends_with(path, ".toml") || ends_with(path, ".yml") ||
           ends_with(path, ".yaml");
}

Expected<eql::Rule> load_rule(const std::string& path) {
    if (!sigma::is_sigma_path(path)) return eql::load_rule(path);
    // A Sigma file: its one rule (or one correlation with its inputs), kept as YAML text and
    // compiled by compile_rule like the other languages.
    auto sources = sigma::read_with_inputs(path);
    if (!sources) return make_error(sources.error().message);
    auto set = sigma::parse(*sources);
    if (!set) return make_error(set.error().message);
    auto one = sigma::single_rule(*set, path);
    if (!one) return make_error(one.error().message);
    eql::Rule r;
    r.path = path;
    r.name = (*one)->title;
    r.rule_id = (*one)->id;
    r.language = "sigma";
    r.type = (*one)->correlation ? "correlation" : "query";
    r.query = (*sources)[0].text;
    r.techniques = (*one)->techniques;
    return r;
}

std::string not_evaluable_reason(const eql::Rule& rule) {
    if (rule.type == "new_terms")
        return "new_terms rule: needs the history of terms before the run (history_window_start), "
               "which local "
               "telemetry does not have";
    if (rule.type == "machine_learning")
        return "machine_learning rule: needs an Elastic anomaly-detection job";
    if (rule.language == "eql" && rule.type == "eql") return "";
    if (rule.language == "sigma") return "";
    if (rule.language == "kuery" && (rule.type == "query" || rule.type == "threshold")) return "";
    if (rule.language != "eql" && rule.language != "kuery")
        return "language '" + rule.language + "' is not evaluated locally (eql and kuery are)";
    return "rule type '" + rule.type + "' with language '" + rule.language +
           "' is not evaluated locally";
}

Expected<CompiledRule> compile_rule(const eql::Rule& rule, const eql::QueryOptions& options) {
    CompiledRule out;
    out.not_evaluable = not_evaluable_reason(rule);
    if (!out.not_evaluable.empty()) return out;
    if (rule.language == "sigma") {
        auto set = sigma::parse(rule.query, rule.path);
        if (!set) return make_error(set.error().message);
        auto one = sigma::single_rule(*set, rule.path);
        if (!one) return make_error(one.error().message);
        // A correlation has no single query: pack detections and `attest query` evaluate it
        // with the Sigma rule-set matcher.
        if (!(*one)->query)
            return make_error(rule.path +
                              ": a Sigma correlation is evaluated by pack detections "
                              "and 'attest query', not compiled to one query");
        out.query = (*one)->query;
        return out;
    }
    auto q = rule.language == "kuery" ? kql::compile_rule(rule, options)
                                      : eql::compile_rule(rule, options);
    if (!q) return make_error(q.error().message);
    out.query = *q;
    return out;
}

namespace {

RuleCheck check_one(const std::string& path, const eql::QueryOptions& options) {
    RuleCheck c;
    c.path = path;
    auto rule = load_rule(path);
    if (!rule) {
        c.detail = rule.error().message;
        return c;
    }
    c.name = rule->name;
    c.language = rule->language;
    c.type = rule->type;
    if (rule->type == "correlation") {  // loaded with its inputs resolved: runs as it is
        c.status = RuleStatus::Evaluable;
        return c;
    }
    auto compiled = rules::compile_rule(*rule, options);
    if (!compiled) {
        c.detail = compiled.error().message;
    } else if (!compiled->query) {
        c.status = RuleStatus::NotEvaluable;
        c.detail = compiled->not_evaluable;
    } else {
        c.status = RuleStatus::Evaluable;
    }
    return c;
}

}  // namespace

std::vector<std::string> rule_files(const std::string& path, bool include_yaml) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return {path};
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(
             path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        std::string p = it->path().string();
        bool yaml = ends_with(p, ".yml") || ends_with(p, ".yaml");
        if (is_rule_file(p) && (include_yaml || !yaml)) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<RuleCheck> check_rules(const std::string& path, const eql::QueryOptions& options,
                                   bool include_yaml) {
    std::vector<RuleCheck> out;
    for (const auto& f : rule_files(path, include_yaml)) out.push_back(check_one(f, options));
    return out;
}

std::string reason_group(const std::string& reason) {
    auto colon = reason.find(':');
    return colon == std::string::npos ? reason : reason.substr(0, colon);
}

}  // namespace attest::rules
