#include "scenarios/atomic.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "scenarios/yaml_util.h"

namespace attest::scenarios {
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kTopKeys = {"attack_technique", "display_name", "atomic_tests"};
const std::set<std::string> kTestKeys = {"name",
                                         "auto_generated_guid",
                                         "description",
                                         "supported_platforms",
                                         "input_arguments",
                                         "dependency_executor_name",
                                         "dependencies",
                                         "executor"};
const std::set<std::string> kExecutorKeys = {"name", "elevation_required", "command",
                                             "cleanup_command", "steps"};
const std::set<std::string> kDependencyKeys = {"description", "prereq_command",
                                               "get_prereq_command"};
const std::set<std::string> kArgumentKeys = {"description", "type", "default"};
const std::set<std::string> kExecutors = {"powershell", "command_prompt", "sh", "bash", "manual"};
}  // namespace

bool is_executor_name(std::string_view name) {
    return kExecutors.count(std::string(name)) > 0;
}

namespace {

const std::set<std::string> kArgumentTypes = {"string", "path", "url", "integer", "float"};
// Upstream's platform list (atomic-red-team atomic-test schema).
const std::set<std::string> kPlatforms = {
    "windows",          "macos",      "linux", "office-365", "azure-ad",
    "google-workspace", "saas",       "iaas",  "iaas:aws",   "iaas:azure",
    "iaas:gcp",         "containers", "esxi"};

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool is_technique_id(const std::string& s) {
    static const std::regex re(R"(T\d{4}(\.\d{3})?)");
    return std::regex_match(s, re);
}

bool is_guid(const std::string& s) {
    static const std::regex re(
        R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
    return std::regex_match(s, re);
}

// `sudo` as a command word (not inside another word such as "pseudo").
bool uses_sudo(std::string_view cmd) {
    std::size_t pos = 0;
    while ((pos = cmd.find("sudo", pos)) != std::string_view::npos) {
        bool start_ok = pos == 0 || !(std::isalnum(static_cast<unsigned char>(cmd[pos - 1])) ||
                                      cmd[pos - 1] == '_' || cmd[pos - 1] == '-');
        std::size_t end = pos + 4;
        bool end_ok = end >= cmd.size() || cmd[end] == ' ' || cmd[end] == '\t' || cmd[end] == '\n';
        if (start_ok && end_ok) return true;
        pos = end;
    }
    return false;
}

class AtomicLoader {
public:
    AtomicLoader(const std::string& path, Problems& problems)
        : m_path(path), m_problems(problems) {}

    std::optional<AtomicFile> load() {
        auto root = load_yaml_file(m_path, m_problems);
        if (!root) return std::nullopt;
        if (!root->IsMap()) {
            report(Code::E014, *root, "",
                   "an atomics file is a mapping with attack_technique, "
                   "display_name and atomic_tests");
            return std::nullopt;
        }
        AtomicFile file;
        file.path = m_path;
        check_keys(*root, kTopKeys, "file");
        file.technique = scalar(*root, "attack_technique", "file", true);
        if (!file.technique.empty() && !is_technique_id(file.technique))
            report(Code::E003, (*root)["attack_technique"], "file",
                   "attack_technique '" + file.technique +
                       "' is not a technique id (T1234 or T1234.001)");
        file.display_name = scalar(*root, "display_name", "file", true);
        const YAML::Node tests = (*root)["atomic_tests"];
        if (!tests) {
            report(Code::E002, *root, "file", "missing 'atomic_tests'");
        } else if (!tests.IsSequence()) {
            report(Code::E014, tests, "file", "'atomic_tests' must be a list");
        } else {
            for (std::size_t i = 0; i < tests.size(); ++i) {
                AtomicTest t;
                t.index = i;
                t.file = m_path;
                t.technique = file.technique;
                t.display_name = file.display_name;
                if (load_test(tests[i], t)) file.tests.push_back(std::move(t));
            }
        }
        return file;
    }

private:
    void report(Code code, const YAML::Node& at, const std::string& ctx, std::string msg) {
        auto [line, col] = node_position(at);
        m_problems.add(code, m_path, line, col, ctx, std::move(msg));
    }

    void check_keys(const YAML::Node& map, const std::set<std::string>& known,
                    const std::string& ctx) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
            if (!known.count(key))
                report(Code::W008, it->first, ctx, "unknown key '" + key + "' (ignored)");
        }
    }

    // A scalar member as a string; reports a missing (when required) or non-scalar member.
    std::string scalar(const YAML::Node& map, const char* key, const std::string& ctx,
                       bool required) {
        const YAML::Node n = map[key];
        if (!n || n.IsNull()) {
            if (required) report(Code::E002, map, ctx, std::string("missing '") + key + "'");
            return {};
        }
        if (!n.IsScalar()) {
            report(Code::E014, n, ctx, std::string("'") + key + "' must be a scalar");
            return {};
        }
        return n.Scalar();
    }

    bool load_test(const YAML::Node& node, AtomicTest& t) {
        std::string ctx = "test #" + std::to_string(t.index + 1);
        auto [line, col] = node_position(node);
        t.position = {line, col};
        if (!node.IsMap()) {
            report(Code::E014, node, ctx, "a test must be a mapping");
            return false;
        }
        t.name = scalar(node, "name", ctx, true);
        if (!t.name.empty()) ctx = "test '" + t.name + "'";
        check_keys(node, kTestKeys, ctx);
        t.guid = lower(scalar(node, "auto_generated_guid", ctx, false));
        if (t.guid.empty())
            report(Code::W009, node, ctx,
                   "no auto_generated_guid: expectations cannot attach to this test");
        else if (!is_guid(t.guid))
            report(Code::E010, node["auto_generated_guid"], ctx,
                   "auto_generated_guid '" + t.guid + "' is not a GUID");
        t.description = scalar(node, "description", ctx, false);
        load_platforms(node, ctx, t);
        if (const YAML::Node args = node["input_arguments"]; args && !args.IsNull()) {
            if (!args.IsMap())
                report(Code::E014, args, ctx,
                       "'input_arguments' must be a mapping of name to "
                       "{description, type, default}");
            else
                for (auto it = args.begin(); it != args.end(); ++it)
                    load_argument(it->first, it->second, ctx, t);
        }
        load_dependencies(node, ctx, t);
        load_executor(node, ctx, t);
        if (!t.dependencies.empty() && t.dependency_executor_name.empty() &&
            t.executor.name.empty())
            report(Code::W015, node, ctx, "dependencies without an executor to run them");
        cross_check(node, t, ctx);
        return true;
    }

    void load_platforms(const YAML::Node& node, const std::string& ctx, AtomicTest& t) {
        const YAML::Node platforms = node["supported_platforms"];
        if (!platforms) {
            report(Code::E002, node, ctx, "missing 'supported_platforms'");
            return;
        }
        if (!platforms.IsSequence() || platforms.size() == 0) {
            report(Code::E014, platforms, ctx, "'supported_platforms' must be a non-empty list");
            return;
        }
        for (const auto& p : platforms) {
            if (!p.IsScalar()) {
                report(Code::E014, p, ctx, "a platform must be a string");
                continue;
            }
            std::string name = lower(p.Scalar());
            if (!kPlatforms.count(name))
                report(Code::W012, p, ctx, "unknown platform '" + p.Scalar() + "'");
            t.platforms.push_back(name);
        }
    }

    // dependency_executor_name and dependencies.
    void load_dependencies(const YAML::Node& node, const std::string& ctx, AtomicTest& t) {
        t.dependency_executor_name = scalar(node, "dependency_executor_name", ctx, false);
        if (!t.dependency_executor_name.empty() &&
            !kExecutors.count(lower(t.dependency_executor_name)))
            report(Code::E004, node["dependency_executor_name"], ctx,
                   "unknown dependency_executor_name '" + t.dependency_executor_name +
                       "' (known: powershell, command_prompt, sh, bash, manual)");
        const YAML::Node deps = node["dependencies"];
        if (!deps || deps.IsNull()) return;
        if (!deps.IsSequence()) {
            report(Code::E014, deps, ctx, "'dependencies' must be a list");
            return;
        }
        for (const auto& d : deps) {
            if (!d.IsMap()) {
                report(Code::E014, d, ctx, "a dependency must be a mapping");
                continue;
            }
            check_keys(d, kDependencyKeys, ctx + " dependency");
            Dependency dep;
            dep.description = scalar(d, "description", ctx, false);
            dep.prereq_command = scalar(d, "prereq_command", ctx + " dependency", true);
            dep.get_prereq_command = scalar(d, "get_prereq_command", ctx, false);
            t.dependencies.push_back(std::move(dep));
        }
    }

    void load_executor(const YAML::Node& node, const std::string& ctx, AtomicTest& t) {
        const YAML::Node ex = node["executor"];
        if (!ex) {
            report(Code::E002, node, ctx, "missing 'executor'");
            return;
        }
        if (!ex.IsMap()) {
            report(Code::E014, ex, ctx, "'executor' must be a mapping");
            return;
        }
        check_keys(ex, kExecutorKeys, ctx + " executor");
        t.executor.name = lower(scalar(ex, "name", ctx + " executor", true));
        if (!t.executor.name.empty() && !kExecutors.count(t.executor.name))
            report(Code::E004, ex["name"], ctx,
                   "unknown executor '" + t.executor.name +
                       "' (known: powershell, command_prompt, sh, bash, manual)");
        if (const YAML::Node er = ex["elevation_required"]; er && !er.IsNull()) {
            std::string v = er.IsScalar() ? lower(er.Scalar()) : "";
            if (v == "true")
                t.executor.elevation_required = true;
            else if (v != "false")
                report(Code::E014, er, ctx, "'elevation_required' must be true or false");
        }
        t.executor.command = scalar(ex, "command", ctx, false);
        t.executor.cleanup_command = scalar(ex, "cleanup_command", ctx, false);
        t.executor.steps = scalar(ex, "steps", ctx, false);
        if (t.executor.name == "manual") {
            if (t.executor.steps.empty())
                report(Code::E013, ex, ctx, "a manual executor needs 'steps'");
        } else if (!t.executor.name.empty() && t.executor.command.empty()) {
            report(Code::E013, ex, ctx, "executor '" + t.executor.name + "' needs a 'command'");
        }
    }

    void load_argument(const YAML::Node& key, const YAML::Node& value, const std::string& ctx,
                       AtomicTest& t) {
        InputArgument a;
        a.name = key.IsScalar() ? key.Scalar() : "";
        auto [line, col] = node_position(key);
        a.position = {line, col};
        std::string actx = ctx + " argument '" + a.name + "'";
        if (!value.IsMap()) {
            report(Code::E014, value, actx,
                   "an input argument is a mapping {description, type, default}");
            t.input_arguments.push_back(std::move(a));
            return;
        }
        check_keys(value, kArgumentKeys, actx);
        a.description = scalar(value, "description", actx, false);
        std::string type = scalar(value, "type", actx, true);
        a.type = lower(type);
        if (!a.type.empty() && !kArgumentTypes.count(a.type))
            report(
                Code::E016, value["type"], actx,
                "unknown argument type '" + type + "' (known: string, path, url, integer, float)");
        if (const YAML::Node d = value["default"]; d && !d.IsNull()) {
            if (!d.IsScalar()) {
                report(Code::E014, d, actx, "'default' must be a scalar");
            } else {
                a.default_value = d.Scalar();
                if (a.type == "integer" || a.type == "float") {
                    if (!value_fits_type(a.default_value, a.type))
                        report(Code::E017, d, actx,
                               "default '" + a.default_value + "' is not " +
                                   (a.type == "integer" ? "an integer" : "a number"));
                }
            }
        }
        t.input_arguments.push_back(std::move(a));
    }

    // Declared vs used #{arg}; sudo on linux/macos needs elevation_required.
    void cross_check(const YAML::Node& node, const AtomicTest& t, const std::string& ctx) {
        std::set<std::string> used;
        auto scan = [&](const std::string& text, const YAML::Node& where) {
            for (const auto& name : argument_references(text)) {
                used.insert(name);
                if (!t.find_argument(name))
                    report(Code::E005, where, ctx,
                           "#{" + name + "} is used but not declared in input_arguments");
            }
        };
        const YAML::Node ex = node["executor"];
        if (ex && ex.IsMap()) {
            scan(t.executor.command, ex["command"] ? ex["command"] : ex);
            scan(t.executor.cleanup_command, ex["cleanup_command"] ? ex["cleanup_command"] : ex);
            scan(t.executor.steps, ex["steps"] ? ex["steps"] : ex);
        }
        const YAML::Node deps = node["dependencies"];
        for (std::size_t i = 0; i < t.dependencies.size(); ++i) {
            const YAML::Node d = deps && deps.IsSequence() && i < deps.size() ? deps[i] : node;
            scan(t.dependencies[i].description, d["description"] ? d["description"] : d);
            scan(t.dependencies[i].prereq_command, d["prereq_command"] ? d["prereq_command"] : d);
            scan(t.dependencies[i].get_prereq_command,
                 d["get_prereq_command"] ? d["get_prereq_command"] : d);
        }
        // Defaults may refer to other arguments (upstream does this occasionally).
        for (const auto& a : t.input_arguments)
            for (const auto& name : argument_references(a.default_value)) used.insert(name);
        for (const auto& a : t.input_arguments)
            if (!used.count(a.name))
                m_problems.add(Code::W006, m_path, a.position.line, a.position.column, ctx,
                               "input argument '" + a.name + "' is declared but never used");

        bool unix_like = std::any_of(t.platforms.begin(), t.platforms.end(),
                                     [](const auto& p) { return p == "linux" || p == "macos"; });
        if (unix_like && !t.executor.elevation_required) {
            if (uses_sudo(t.executor.command) || uses_sudo(t.executor.cleanup_command))
                report(Code::E007, ex ? ex : node, ctx,
                       "uses sudo on linux/macos but executor.elevation_required is not true");
            // Upstream atomics use sudo in prerequisites of unelevated tests (T1552.007):
            // allowed, but the runner must be able to sudo without a password.
            bool dep_sudo = false;
            for (const auto& d : t.dependencies)
                dep_sudo =
                    dep_sudo || uses_sudo(d.prereq_command) || uses_sudo(d.get_prereq_command);
            if (dep_sudo)
                report(Code::W019, node["dependencies"] ? node["dependencies"] : node, ctx,
                       "prerequisites use sudo while elevation_required is not true: the lab "
                       "user needs passwordless sudo");
        }
    }

    static bool value_fits_type(const std::string& v, const std::string& type) {
        if (v.empty()) return false;
        const char* b = v.data();
        const char* e = v.data() + v.size();
        if (type == "integer") {
            long long x = 0;
            auto r = std::from_chars(b, e, x);
            return r.ec == std::errc() && r.ptr == e;
        }
        char* end = nullptr;
        std::strtod(v.c_str(), &end);
        return end == v.c_str() + v.size();
    }

    std::string m_path;
    Problems& m_problems;
};

}  // namespace

const InputArgument* AtomicTest::find_argument(std::string_view arg_name) const {
    for (const auto& a : input_arguments)
        if (a.name == arg_name) return &a;
    return nullptr;
}

std::optional<AtomicFile> load_atomic_file(const std::string& path, Problems& problems) {
    return AtomicLoader(path, problems).load();
}

std::vector<AtomicFile> load_atomics_folder(const std::string& dir, Problems& problems) {
    std::vector<std::string> files;
    std::error_code ec;
    auto add_technique_dirs = [&](const fs::path& base) {
        for (const auto& entry : fs::directory_iterator(base, ec)) {
            if (!entry.is_directory()) continue;
            std::string name = entry.path().filename().string();
            if (name.empty() || name[0] != 'T') continue;
            for (const char* ext : {".yaml", ".yml"}) {
                fs::path f = entry.path() / (name + ext);
                if (fs::is_regular_file(f, ec)) files.push_back(f.string());
            }
        }
    };
    fs::path root(dir);
    if (fs::is_directory(root / "atomics", ec)) add_technique_dirs(root / "atomics");
    add_technique_dirs(root);
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        if (!entry.is_regular_file()) continue;
        std::string name = entry.path().filename().string();
        std::string ext = entry.path().extension().string();
        if ((ext == ".yaml" || ext == ".yml") && name != "expectations.yaml" &&
            name != "expectations.yml" && name != "pack.yaml")
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<AtomicFile> out;
    std::map<std::string, std::pair<std::string, Position>> seen;
    for (const auto& f : files) {
        auto file = load_atomic_file(f, problems);
        if (!file) continue;
        for (const auto& t : file->tests) {
            if (t.guid.empty()) continue;
            auto [it, inserted] = seen.emplace(t.guid, std::make_pair(f, t.position));
            if (!inserted)
                problems.add(Code::E011, f, t.position.line, t.position.column,
                             "test '" + t.name + "'",
                             "auto_generated_guid " + t.guid + " is also used at " +
                                 it->second.first + ":" + std::to_string(it->second.second.line));
        }
        out.push_back(std::move(*file));
    }
    return out;
}

std::string atomics_folder_of(const std::string& dir) {
    std::error_code ec;
    fs::path root(dir);
    if (fs::is_directory(root / "atomics", ec)) return (root / "atomics").string();
    return root.string();
}

std::vector<std::string> argument_references(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = text.find("#{", pos)) != std::string_view::npos) {
        std::size_t close = text.find('}', pos + 2);
        if (close == std::string_view::npos) break;
        std::string name(text.substr(pos + 2, close - pos - 2));
        bool plausible =
            !name.empty() && name.size() < 128 && std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                       c == '.';
            });
        if (plausible && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        pos = plausible ? close + 1 : pos + 2;
    }
    return out;
}

std::string substitute_arguments(std::string_view text,
                                 const std::map<std::string, std::string>& arguments,
                                 std::string_view atomics_folder) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    constexpr std::string_view kToken = "PathToAtomicsFolder";
    while (i < text.size()) {
        if (text.compare(i, 2, "#{") == 0) {
            std::size_t close = text.find('}', i + 2);
            if (close != std::string_view::npos) {
                auto it = arguments.find(std::string(text.substr(i + 2, close - i - 2)));
                if (it != arguments.end()) {
                    // A default may itself use the token (upstream: PathToAtomicsFolder\T1\src).
                    out += substitute_arguments(it->second, {}, atomics_folder);
                    i = close + 1;
                    continue;
                }
            }
        }
        if (text[i] == '$' && text.compare(i + 1, kToken.size(), kToken) == 0) {
            out += atomics_folder;
            i += 1 + kToken.size();
            continue;
        }
        if (text.compare(i, kToken.size(), kToken) == 0) {
            out += atomics_folder;
            i += kToken.size();
            continue;
        }
        out += text[i++];
    }
    return out;
}

Expected<std::map<std::string, std::string>> resolve_arguments(
    const AtomicTest& test, const std::map<std::string, std::string>& overrides) {
    std::map<std::string, std::string> values;
    for (const auto& a : test.input_arguments) values[a.name] = a.default_value;
    std::string problems;
    for (const auto& [name, value] : overrides) {
        const InputArgument* a = test.find_argument(name);
        if (!a) {
            std::string known;
            for (const auto& x : test.input_arguments)
                known += (known.empty() ? "" : ", ") + x.name;
            problems += (problems.empty() ? "" : "; ") + std::string("test '") + test.name +
                        "' has no input argument '" + name + "'" +
                        (known.empty() ? " (it has none)" : " (known: " + known + ")");
            continue;
        }
        if ((a->type == "integer" || a->type == "float")) {
            bool ok = !value.empty();
            if (ok && a->type == "integer") {
                long long x = 0;
                auto r = std::from_chars(value.data(), value.data() + value.size(), x);
                ok = r.ec == std::errc() && r.ptr == value.data() + value.size();
            } else if (ok) {
                char* end = nullptr;
                std::strtod(value.c_str(), &end);
                ok = end == value.c_str() + value.size();
            }
            if (!ok) {
                problems += (problems.empty() ? "" : "; ") + std::string("argument '") + name +
                            "' of test '" + test.name + "' takes " +
                            (a->type == "integer" ? "an integer" : "a number") + ", not '" + value +
                            "'";
                continue;
            }
        }
        values[name] = value;
    }
    if (!problems.empty()) return make_error(problems);
    return values;
}

Expected<ResolvedTest> resolve_test(const AtomicTest& test,
                                    const std::map<std::string, std::string>& overrides,
                                    std::string_view atomics_folder) {
    auto args = resolve_arguments(test, overrides);
    if (!args) return args.error();
    ResolvedTest r;
    r.test = &test;
    r.arguments = std::move(*args);
    r.command = substitute_arguments(test.executor.command, r.arguments, atomics_folder);
    r.cleanup_command =
        substitute_arguments(test.executor.cleanup_command, r.arguments, atomics_folder);
    for (const auto& d : test.dependencies) {
        Dependency s;
        s.description = substitute_arguments(d.description, r.arguments, atomics_folder);
        s.prereq_command = substitute_arguments(d.prereq_command, r.arguments, atomics_folder);
        s.get_prereq_command =
            substitute_arguments(d.get_prereq_command, r.arguments, atomics_folder);
        r.dependencies.push_back(std::move(s));
    }
    return r;
}

Expected<std::pair<std::string, std::string>> parse_argument_override(std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return make_error("--arg takes name=value, not '" + std::string(text) + "'");
    return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace attest::scenarios
