// attest validate: checks a pack, a stock atomics folder, one atomics file, a lab file or a
// detection rule, recognised by content (not by name), and lists every problem with its
// position.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "expectations/eql/rule.h"
#include "expectations/rule_fields.h"
#include "expectations/rules.h"
#include "expectations/sigma/sigma.h"
#include "harness/cli.h"
#include "harness/lab.h"
#include "scenarios/pack.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest validate [--no-queries] PACK|FILE\n"
    "       attest validate [--rules] RULE-FILE|RULE-FOLDER\n\n"
    "Recognises what it is given by content and validates it:\n"
    "  a folder                  scenario pack (atomics + expectations.yaml + rules) or stock "
    "atomics\n"
    "  expectations.yaml         (has version + scenarios) the pack of its folder\n"
    "  an atomics YAML file      (has attack_technique + atomic_tests)\n"
    "  a lab file                (has targets)\n"
    "  a detection rule          (.eql text or an Elastic TOML rule, EQL or KQL), or a folder\n"
    "                            of them without expectations.yaml or atomics/ (with --rules:\n"
    "                            any rules folder, Sigma .yml included)\n"
    "and lists every problem as file:line:column: what (docs/packs.md lists the pack codes).\n"
    "Expectation queries and detection rules are compiled too (skip with --no-queries).\n\n"
    "Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or no such path.\n";

enum class Kind { Pack, PackOfFolder, Lab, Rule, Unknown };

// What a file is, from its first top-level keys (YAML) or its syntax (rules).
Kind classify(const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    auto top_key = [&](std::string_view key) {
        std::string k = std::string(key) + ":";
        return text.starts_with(k) || text.find("\n" + k) != std::string::npos;
    };
    if (top_key("attack_technique") || top_key("atomic_tests")) return Kind::Pack;
    if (top_key("scenarios") && top_key("version")) return Kind::PackOfFolder;
    if (top_key("targets")) return Kind::Lab;
    auto ext = std::filesystem::path(path).extension().string();
    if (ext == ".eql" || ext == ".toml" || text.find("[rule]") != std::string::npos)
        return Kind::Rule;
    return Kind::Unknown;
}

int validate_lab(const std::string& path) {
    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    auto lab = run::load_lab(path, sink);
    std::printf("%s: lab file: %zu error(s), %zu warning(s)\n", path.c_str(),
                sink.error_count() + (lab ? 0 : 1), sink.warning_count());
    if (!lab) std::printf("%s\n", lab.error().message.c_str());
    return lab && sink.error_count() == 0 ? kExitOk : kExitFailed;
}

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

// Fields a loaded rule names that neither ECS nor any source's table knows: a warning each,
// with the nearest known name when one is close (a misspelt field never matches, silently).
void warn_unknown_field(const std::string& path, const rules::FieldRef& f, const char* what,
                        const std::string& hint) {
    std::printf("%s:%llu:%llu: warning: field '%s' is %s%s\n", path.c_str(),
                static_cast<unsigned long long>(f.line), static_cast<unsigned long long>(f.column),
                f.name.c_str(), what,
                hint.empty() ? "" : (" (did you mean '" + hint + "'?)").c_str());
}

void warn_unknown_fields(const std::string& path) {
    if (sigma::is_sigma_path(path)) {  // Sigma names go through its own field table
        auto set = sigma::load(path);
        if (!set) return;
        for (const auto& r : set->rules)
            for (const auto& f : r.fields)
                if (!sigma::known_field(f.name))
                    warn_unknown_field(path, f,
                                       "not a Sigma field attest maps and no source writes it",
                                       closest_name(f.name, f.name.find('.') == std::string::npos
                                                                ? sigma::field_names()
                                                                : rules::known_field_names()));
        return;
    }
    auto rule = rules::load_rule(path);
    if (!rule) return;
    for (const auto& f : rules::query_fields(*rule))
        if (!rules::known_field(f.name, nullptr))
            warn_unknown_field(path, f, "not an ECS field and no source writes it",
                               closest_name(f.name, rules::known_field_names()));
}

int validate_rules(const std::string& path, bool sigma) {
    std::size_t errors = 0, total = 0, skipped = 0;
    for (const auto& c : rules::check_rules(path, {}, sigma)) {
        ++total;
        if (c.status != rules::RuleStatus::Error) warn_unknown_fields(c.path);
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
    if (opts.positionals().size() != 1)
        throw UsageError{"give one pack folder, atomics, lab or rule file"};
    std::string path = opts.positionals().front();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        std::fprintf(stderr, "attest validate: %s: no such file or folder\n", path.c_str());
        return kExitUsage;
    }
    if (opts.has("rules") || looks_like_rules(path)) return validate_rules(path, opts.has("rules"));
    if (!std::filesystem::is_directory(path, ec)) {
        if (auto why = input_file_problem(path); !why.empty()) {
            std::fprintf(stderr, "attest validate: %s: %s\n", path.c_str(), why.c_str());
            return kExitUsage;
        }
        std::string text;
        switch (classify(path, text)) {
            case Kind::Lab:
                return validate_lab(path);
            case Kind::Rule:
                return validate_rules(path, false);
            case Kind::PackOfFolder:
                path = std::filesystem::path(path).parent_path().string();
                break;
            case Kind::Pack:
                break;
            case Kind::Unknown:
                std::fprintf(stderr,
                             "attest validate: %s: cannot tell what this is (not a lab: no "
                             "'targets'; not atomics: no "
                             "'attack_technique'; not expectations.yaml: no 'version' + "
                             "'scenarios'; not a .eql/.toml rule)\n",
                             path.c_str());
                return kExitUsage;
        }
        if (path.empty()) path = ".";
    }
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
    std::printf(
        "%s: %zu file(s), %zu test(s), %zu expectation(s), %zu detection(s): %zu error(s), "
        "%zu warning(s)\n",
        path.c_str(), pack->files.size(), tests, expectations, detections, problems.error_count(),
        problems.warning_count());
    return problems.error_count() == 0 ? kExitOk : kExitFailed;
}

}  // namespace

Command validate_command() {
    return Command{"validate", "check a scenario pack or atomics file, listing every problem",
                   kHelp, run_validate};
}

}  // namespace attest::cli
