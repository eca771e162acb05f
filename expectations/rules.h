// Detection rules of every language, loaded and compiled through one door: EQL (`.eql`, or
// TOML with language = "eql"), KQL (TOML with language = "kuery", types query and
// threshold), and Sigma (`.yml`/`.yaml`: one rule per file, or one correlation with its input
// rules, kept as YAML text with language "sigma"). Rules that exist but cannot be evaluated locally
// (new_terms, machine_learning, ES|QL, ...) compile to no query and a reason, never to a query that
// cannot fire.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/expected.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/rule.h"

namespace attest::rules {

struct CompiledRule {
    std::shared_ptr<const eql::Query> query;  // null when not locally evaluable
    std::string not_evaluable;                // why not (empty when query is set)
};

// Reads a rule file of any supported format. Errors name file:line:column.
Expected<eql::Rule> load_rule(const std::string& path);

// Why a loaded rule cannot be evaluated locally; empty when it can.
std::string not_evaluable_reason(const eql::Rule& rule);

// Compiles a loaded rule in its own language; query errors name the rule file.
Expected<CompiledRule> compile_rule(const eql::Rule& rule, const eql::QueryOptions& options);

// Whether a path names a rule file (by extension: .eql, .toml, .yml, .yaml).
bool is_rule_file(const std::string& path);

// The health of one rule file: it loads and compiles, it loads but cannot be evaluated
// locally, or it does not load / compile (detail: the error, with file:line:column).
enum class RuleStatus { Evaluable, NotEvaluable, Error };
struct RuleCheck {
    std::string path;
    RuleStatus status = RuleStatus::Error;
    std::string detail;  // the reason (NotEvaluable) or the error message (Error)
    std::string name;
    std::string language;
    std::string type;
};

// The rule files under `dir`, recursively, in path order (`.yml`/`.yaml` only with
// `include_yaml`); `dir` itself when it is a file.
std::vector<std::string> rule_files(const std::string& dir, bool include_yaml);

// Loads and compiles one rule file, or every rule file under a folder (recursively, in path
// order; `.yml`/`.yaml` only with `include_yaml`, since packs keep atomics in YAML too).
std::vector<RuleCheck> check_rules(const std::string& path, const eql::QueryOptions& options,
                                   bool include_yaml);

// The short form of a not-evaluable reason, for grouping ("new_terms rule").
std::string reason_group(const std::string& reason);

}  // namespace attest::rules
