// Atomic Red Team tests: loading, validation and argument substitution.
//
// A file follows the upstream schema (attack_technique, display_name, atomic_tests[]); stock
// atomics load unmodified. Loading never stops at the first problem: structural errors and
// the cross-checks of shared/spec/scenarios.md (declared vs used #{arg}, sudo needs
// elevation_required, technique id format, executor names, argument types, unknown keys) are
// all reported to a Problems list with file:line:column and the test's name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.h"
#include "scenarios/problems.h"

namespace attest::scenarios {

struct Position {
    std::uint64_t line = 0;    // 1-based
    std::uint64_t column = 0;  // 1-based
};

struct InputArgument {
    std::string name;
    std::string description;
    std::string type;  // lowercased: string | path | url | integer | float
    std::string default_value;
    Position position;
};

struct Dependency {
    std::string description;
    std::string prereq_command;
    std::string get_prereq_command;
};

struct Executor {
    std::string name;  // powershell | command_prompt | sh | bash | manual
    bool elevation_required = false;
    std::string command;
    std::string cleanup_command;
    std::string steps;  // manual executor
};

struct AtomicTest {
    std::string name;
    std::string guid;  // auto_generated_guid, lowercased
    std::string description;
    std::vector<std::string> platforms;
    std::vector<InputArgument> input_arguments;
    std::string dependency_executor_name;
    std::vector<Dependency> dependencies;
    Executor executor;
    // Where it came from.
    std::string file;
    Position position;
    std::string technique;     // attack_technique of its file
    std::string display_name;  // display_name of its file
    std::size_t index = 0;     // 0-based index within the file

    const InputArgument* find_argument(std::string_view arg_name) const;
};

struct AtomicFile {
    std::string path;
    std::string technique;
    std::string display_name;
    std::vector<AtomicTest> tests;
};

// Whether `name` is an executor an atomic may name (powershell, command_prompt, sh, bash, manual).
bool is_executor_name(std::string_view name);

// Loads and validates one atomics YAML file. Returns nullopt only when nothing usable could
// be read (unreadable file, YAML syntax error, not a mapping); problems go to `problems`.
std::optional<AtomicFile> load_atomic_file(const std::string& path, Problems& problems);

// Loads every atomics file of a folder: `atomics/T*/T*.yaml` (upstream layout), `T*/T*.yaml`
// or `*.yaml` directly in `dir` (a pack's own `expectations.yaml` is not an atomic). Also
// checks that GUIDs are unique across files.
std::vector<AtomicFile> load_atomics_folder(const std::string& dir, Problems& problems);

// The folder `PathToAtomicsFolder` stands for, given a pack or atomics folder.
std::string atomics_folder_of(const std::string& dir);

// Input argument values: defaults, then overrides ("name" -> value). Unknown override names
// and values that do not fit the argument's type (integer, float) are errors.
Expected<std::map<std::string, std::string>> resolve_arguments(
    const AtomicTest& test, const std::map<std::string, std::string>& overrides);

// Replaces #{name} with the argument's value and the PathToAtomicsFolder / $PathToAtomicsFolder
// token with `atomics_folder`. Unknown #{names} are left as they are.
std::string substitute_arguments(std::string_view text,
                                 const std::map<std::string, std::string>& arguments,
                                 std::string_view atomics_folder);

// The names used as #{name} in `text`, in order of first use.
std::vector<std::string> argument_references(std::string_view text);

// A test with every command substituted, ready for an executor.
struct ResolvedTest {
    const AtomicTest* test = nullptr;
    std::map<std::string, std::string> arguments;
    std::string command;
    std::string cleanup_command;
    std::vector<Dependency> dependencies;  // substituted
};
Expected<ResolvedTest> resolve_test(const AtomicTest& test,
                                    const std::map<std::string, std::string>& overrides,
                                    std::string_view atomics_folder);

// Parses "name=value" (for --arg); the value may contain '='.
Expected<std::pair<std::string, std::string>> parse_argument_override(std::string_view text);

}  // namespace attest::scenarios
