// Command-line plumbing: a registry of subcommands and a small option parser.
// Exit codes are decided in one place: 0 ok, 1 checks failed, 2 usage or input error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/closest_name.h"
#include "core/collector.h"
#include "core/diagnostics.h"

namespace attest::cli {

using attest::closest_name;  // core/closest_name.h: the one did-you-mean

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

// The one default output layout: out/<command>-<run id>/ (relative to the working directory).
std::string default_out_dir(std::string_view command, std::string_view run_id);

// Why an input file cannot be used ("no such file", "is a directory", "is empty (0 bytes)",
// "cannot read: ..."), or empty when it can: every command names the missing or empty input
// the same way, before doing any work.
std::string input_file_problem(const std::string& path);

// Whether `stream` gets colour and progress: a terminal, NO_COLOR unset (https://no-color.org)
// and TERM not "dumb". Pipes and files never get escape sequences.
bool is_interactive(FILE* stream);

enum class Colour { Red, Green, Yellow, Magenta, Grey, Bold };
// `text` in colour when `stream` is interactive, else unchanged.
std::string paint(std::string_view text, Colour colour, FILE* stream);
// The colour of a verdict name (passed green, failed red, error magenta, ...).
Colour verdict_colour(std::string_view verdict);

// A progress line on stderr while long work runs (only when stderr is interactive, and only
// after the first second, so short work stays quiet): bytes read by this process (from
// /proc/self/io, so every reader counts without a hook) against the input size, bytes and
// events per second and, for files, an ETA. Cleared when destroyed.
class ProgressLine {
public:
    // `events` is polled from the progress thread; it must be safe to call concurrently.
    ProgressLine(std::string label, std::uint64_t total_bytes,
                 std::function<std::uint64_t()> events = {});
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    // What the line says before its figures ("run: 3 of 8 scenario(s) finished").
    void set_label(std::string label);
    // A log line printed above the progress line (which is redrawn on the next tick), so that
    // work that logs as it goes (attest run) keeps one clean line at the bottom.
    void print(const std::string& text);
    ProgressLine& operator=(const ProgressLine&) = delete;

private:
    void loop();
    std::string line(double seconds, std::uint64_t bytes, std::uint64_t events) const;

    std::string m_label;
    std::uint64_t m_total = 0;
    std::uint64_t m_start_bytes = 0;
    std::function<std::uint64_t()> m_events;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_drawn = false;
    std::thread m_thread;
};

// Prints diagnostics to stderr, collapsing repeats: the first `shown` diagnostics with the same
// message (whatever their file:line) are printed, the rest only counted; finish() prints one
// "... N more like this" line per collapsed message. Thread-safe like DiagnosticSink.
class CollapsingPrinter {
public:
    explicit CollapsingPrinter(std::size_t shown = 3) : m_shown(shown) {}
    ~CollapsingPrinter() { finish(); }
    DiagnosticSink::Printer printer();
    void finish();

private:
    std::size_t m_shown;
    std::mutex m_mutex;
    std::map<std::string, std::uint64_t> m_seen;  // message -> count
    std::vector<std::string> m_order;             // messages in first-seen order
};

// Bytes read by this process so far (rchar of /proc/self/io; 0 where unavailable).
std::uint64_t process_bytes_read();

// Registers every built-in command (harness/commands.cpp).
void register_builtin_commands(Registry& registry);

// Option parser: declare options, then parse. Supports `--opt value`, `--opt=value`,
// repeatable options, flags, `--` and positionals. Unknown options (with a "did you mean")
// and a single-value option given twice are usage errors.
class Options {
public:
    Options& flag(std::string name);    // --name
    Options& option(std::string name);  // --name VALUE (at most once)
    Options& multi(std::string name);   // --name VALUE (repeatable)
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

// --profile NAME parsed (an unknown name is a usage error); nullopt when it is not given.
std::optional<Profile> profile_option(const Options& opts);
// --source NAME: a collector of the registry (another name is a usage error); "" when not given.
std::string source_option(const Options& opts);

}  // namespace attest::cli
