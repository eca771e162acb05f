// attest rules lint: the health of a rules repository (every rule file loaded and compiled).
#include <cstdio>
#include <map>

#include "expectations/rules.h"
#include "harness/cli.h"
#include "harness/mapping_option.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest rules lint [--mapping FILE] [--sigma] DIR|FILE...\n\n"
    "Loads and compiles every rule file (.eql, Elastic detection-rules .toml in EQL or KQL;\n"
    "with --sigma also .yml/.yaml Sigma rules) under each DIR, recursively, and summarises the\n"
    "repository: rules that load and can be evaluated locally, rules that load but cannot be\n"
    "(new_terms, machine_learning, ES|QL: grouped by reason), and errors (each listed with\n"
    "file:line:column). --mapping gives field types (else ECS types).\n\n"
    "Exit codes: 0 no errors, 1 some rule has an error, 2 usage error.\n";

int run_lint(const std::vector<std::string>& args) {
    Options opts;
    opts.option("mapping").flag("sigma");
    opts.parse(args);
    if (opts.positionals().empty()) throw UsageError{"give one or more rule folders or files"};
    eql::QueryOptions qopts;
    if (!load_mapping_option(opts, "rules lint", qopts.types)) return kExitUsage;
    std::size_t loaded = 0, errors = 0, total = 0;
    std::map<std::string, std::size_t> not_evaluable;
    for (const auto& path : opts.positionals()) {
        for (const auto& c : rules::check_rules(path, qopts, opts.has("sigma"))) {
            ++total;
            if (c.status == rules::RuleStatus::Evaluable)
                ++loaded;
            else if (c.status == rules::RuleStatus::NotEvaluable) {
                ++not_evaluable[rules::reason_group(c.detail)];
                std::printf("%s: not locally evaluable: %s\n", c.path.c_str(), c.detail.c_str());
            } else {
                ++errors;
                std::printf("%s\n", c.detail.c_str());
            }
        }
    }
    std::size_t skipped = 0;
    for (const auto& [reason, n] : not_evaluable) skipped += n;
    std::printf(
        "%zu rule file(s): %zu loaded and evaluable, %zu not locally evaluable, %zu error(s)\n",
        total, loaded, skipped, errors);
    for (const auto& [reason, n] : not_evaluable)
        std::printf("  not locally evaluable: %zu %s\n", n, reason.c_str());
    return errors == 0 ? kExitOk : kExitFailed;
}

int run_rules(const std::vector<std::string>& args) {
    if (args.empty() || args[0] != "lint") throw UsageError{"usage: attest rules lint DIR|FILE..."};
    return run_lint(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace

Command rules_command() {
    return Command{"rules", "summarise a rules repository: loaded, not locally evaluable, errors",
                   kHelp, run_rules};
}

}  // namespace attest::cli
