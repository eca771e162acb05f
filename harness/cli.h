// Command-line plumbing: a registry of subcommands and a small option parser.
// Exit codes are decided in one place: 0 ok, 1 checks failed, 2 usage or input error.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attest::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Thrown for usage errors; main prints "attest CMD: message" and the hint, exits 2.
struct UsageError {
    std::string message;
};

struct Command {
    std::string name;
    std::string summary;  // one line for `attest --help`
    std::string help;     // full text for `attest CMD --help`
    std::function<int(const std::vector<std::string>& args)> run;
};

class Registry {
public:
    static Registry& instance();
    void add(Command c);
    const Command* find(std::string_view name) const;
    const std::vector<Command>& all() const { return m_commands; }

private:
    std::vector<Command> m_commands;
};

// Registers every built-in command (harness/commands.cpp).
void register_builtin_commands(Registry& registry);

// Option parser: declare options, then parse. Supports `--opt value`, `--opt=value`,
// repeated options, flags, `--` and positionals. Unknown options are usage errors.
class Options {
public:
    Options& flag(std::string name);                 // --name
    Options& option(std::string name);              // --name VALUE (last one wins)
    Options& multi(std::string name);               // --name VALUE (repeatable)
    void parse(const std::vector<std::string>& args);

    bool has(const std::string& name) const;
    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, std::string fallback) const;
    const std::vector<std::string>& all(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return m_positionals; }
    bool help_requested() const { return m_help; }

private:
    enum class Kind { Flag, Option, Multi };
    std::map<std::string, Kind> m_declared;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positionals;
    bool m_help = false;
};

}  // namespace attest::cli
