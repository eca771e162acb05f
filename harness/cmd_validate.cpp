// attest validate: checks a pack, a stock atomics folder or one atomics file and lists every
// problem with its position.
#include <cstdio>
#include <filesystem>

#include "expectations/rules.h"
#include "harness/cli.h"
#include "scenarios/pack.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest validate [--no-queries] PACK|FILE\n"
    "       attest validate [--rules] RULE-FILE|RULE-FOLDER\n\n"
    "Loads a scenario pack (atomics + expectations.yaml + rules), a stock Atomic Red Team\n"
    "atomics folder or one atomics YAML file, and lists every problem as\n"
    "file:line:column: error|warning CODE: item: what (docs/packs.md lists the codes).\n"
    "Expectation queries and detection rules are compiled too (skip with --no-queries).\n"
    "A .eql or .toml file, a folder of them without expectations.yaml or atomics/, or any path\n"
    "with --rules is read as detection rules (EQL, KQL; Sigma .yml with --rules): every problem\n"
    "is listed with file:line:column (attest rules lint summarises a whole repository).\n\n"
    "Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or no such path.\n";

// A rule file, or a folder of rules that is not a pack.
bool looks_like_rules(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        auto ext = fs::path(path).extension().string();
        return ext == ".eql" || ext == ".toml";
    }
    if (fs::exists(fs::path(path) / "expectations.yaml", ec) || fs::exists(fs::path(path) / "atomics", ec)) return false;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        auto ext = it->path().extension().string();
        if (ext == ".eql" || ext == ".toml") return true;
    }
    return false;
}

int validate_rules(const std::string& path, bool sigma) {
    std::size_t errors = 0, total = 0, skipped = 0;
    for (const auto& c : rules::check_rules(path, {}, sigma)) {
        ++total;
        if (c.status == rules::RuleStatus::Error) {
            ++errors;
            std::printf("%s\n", c.detail.c_str());
        } else if (c.status == rules::RuleStatus::NotEvaluable) {
            ++skipped;
            std::printf("%s: warning: not locally evaluable: %s\n", c.path.c_str(), c.detail.c_str());
        }
    }
    std::printf("%s: %zu rule file(s): %zu error(s), %zu not locally evaluable\n", path.c_str(), total, errors, skipped);
    return errors == 0 && total > 0 ? kExitOk : kExitFailed;
}

int run_validate(const std::vector<std::string>& args) {
    Options opts;
    opts.flag("no-queries").flag("rules");
    opts.parse(args);
    if (opts.positionals().size() != 1) throw UsageError{"give one pack folder, atomics file or rule path"};
    const std::string& path = opts.positionals().front();
    if (!std::filesystem::exists(path)) {
        std::fprintf(stderr, "attest validate: %s: no such file or folder\n", path.c_str());
        return kExitUsage;
    }
    if (opts.has("rules") || looks_like_rules(path)) return validate_rules(path, opts.has("rules"));
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(path, problems);
    if (!pack) {
        std::fprintf(stderr, "attest validate: %s\n", pack.error().message.c_str());
        return kExitUsage;
    }
    if (!opts.has("no-queries")) scenarios::check_pack_queries(*pack, problems);
    problems.attach_source_lines();
    for (const auto& p : problems.items()) std::printf("%s\n", p.format().c_str());
    std::size_t tests = pack->tests().size();
    std::size_t expectations = 0, detections = 0;
    for (const auto& [guid, c] : pack->checks) {
        expectations += c.expectations.size();
        detections += c.detections.size();
    }
    std::printf("%s: %zu file(s), %zu test(s), %zu expectation(s), %zu detection(s): %zu error(s), "
                "%zu warning(s)\n",
                path.c_str(), pack->files.size(), tests, expectations, detections,
                problems.error_count(), problems.warning_count());
    return problems.error_count() == 0 ? kExitOk : kExitFailed;
}

}  // namespace

Command validate_command() {
    return Command{"validate", "check a scenario pack or atomics file, listing every problem",
                   kHelp, run_validate};
}

}  // namespace attest::cli
