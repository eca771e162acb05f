#include "scenarios/baseline.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/text.h"
#include "expectations/engine.h"

namespace attest::scenarios {
namespace {

using expectations::ExpectationSpec;

// How each process sensor reports what the baseline looks for: one row per source.
struct SensorKind {
    std::string_view source;
    bool windows;                // program names as Windows reports them; paths case-insensitive
    std::size_t name_limit;      // auditd's process.name is the kernel's comm: 15 bytes
    std::string_view exec_what;  // "execve", "process start (event 1)"
    std::string_view file_what;  // "write", "file create (event 11)"
};

constexpr std::array kSensors = {
    SensorKind{"auditd", false, 15, "execve", "write"},
    SensorKind{"sysmon_linux", false, 0, "process start (event 1)", "file create (event 11)"},
    SensorKind{"sysmon", true, 0, "process start (event 1)", "file create (event 11)"},
};

const SensorKind* find_kind(std::string_view source) {
    for (const auto& k : kSensors)
        if (k.source == source) return &k;
    return nullptr;
}

// The processes the runner itself starts for an executor (harness/executor.h): Windows runs
// every executor through PowerShell, command_prompt then through cmd.exe.
std::vector<std::string> executor_processes(std::string_view executor, bool windows) {
    if (windows) {
        if (executor == "powershell") return {"powershell.exe"};
        if (executor == "command_prompt") return {"powershell.exe", "cmd.exe"};
        return {};
    }
    if (executor == "sh" || executor == "bash") return {std::string(executor)};
    return {};
}

// A path a sensor reports as written: absolute and literal (no variable, glob or `~` left).
bool literal_absolute_path(std::string_view path, bool windows) {
    if (path.find_first_of("$%*?`~") != std::string_view::npos) return false;
    if (windows)
        return path.size() > 3 && std::isalpha(static_cast<unsigned char>(path[0])) &&
               path[1] == ':' && (path[2] == '\\' || path[2] == '/');
    return path.size() > 1 && path[0] == '/';
}

std::string process_query(const SensorKind& k, std::string name) {
    if (k.name_limit != 0 && name.size() > k.name_limit) name.resize(k.name_limit);
    // `:` compares case-insensitively: Windows images are reported as cased on disk.
    return std::string("process where event.type == \"start\" and process.name ") +
           (k.windows ? ": " : "== ") + expectations::eql_string_literal(name);
}

std::string file_query(const SensorKind& k, const std::string& path) {
    return std::string("file where file.path ") + (k.windows ? ": " : "== ") +
           expectations::eql_string_literal(path);
}

ExpectationSpec make_spec(const SensorKind& k, std::string id, std::string what,
                          std::string_view subject, std::string query) {
    ExpectationSpec e;
    e.id = std::move(id);
    e.description = std::string(k.source) + ": " + what + " of `" + std::string(subject) +
                    "` under the executor's process tree";
    e.source = std::string(k.source);
    e.query = std::move(query);
    e.lineage = true;
    e.baseline = true;
    // The sensor may stamp the executor's own start just before the runner's clock reads
    // the start, and a sensor's late records just after the end.
    e.window = expectations::Window{1'000'000'000, 2'000'000'000};
    return e;
}

// A readable id part: the name with everything but [A-Za-z0-9._-] as '_'.
std::string id_part(std::string_view name) {
    std::string out;
    for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'
                   ? c
                   : '_';
    return out;
}

void derive_for_sensor(const SensorKind& k, const BaselineSensor& sensor, std::string_view executor,
                       const CommandAnalysis& analysis, std::vector<ExpectationSpec>& out) {
    const std::string prefix = "baseline." + std::string(k.source) + ".";
    std::set<std::string> seen;
    auto add_process = [&](const std::string& name, std::string_view role) {
        std::string key = k.windows ? ascii_lowercase(name) : name;
        if (!seen.insert(key).second) return;
        out.push_back(make_spec(k, prefix + std::string(role) + "." + id_part(key),
                                std::string(k.exec_what), name, process_query(k, name)));
    };
    for (const auto& name : executor_processes(executor, k.windows)) add_process(name, "executor");
    for (const auto& p : analysis.programs) {
        // A program the command writes itself may be a script without `#!`: execve fails and
        // the shell runs it in its own process, so no sensor sees it start (T1027-1's art.sh).
        bool self_written = std::find(analysis.written_paths.begin(), analysis.written_paths.end(),
                                      p.program) != analysis.written_paths.end();
        if (!self_written) add_process(p.name, "exec");
    }
    if (!sensor.logs_writes_to) return;
    for (const auto& path : analysis.written_paths) {
        if (!literal_absolute_path(path, k.windows) || !sensor.logs_writes_to(path)) continue;
        if (!seen.insert("file:" + path).second) continue;
        out.push_back(make_spec(k, prefix + "file." + id_part(path), std::string(k.file_what), path,
                                file_query(k, path)));
    }
}

}  // namespace

bool is_baseline_source(std::string_view source) {
    return find_kind(source) != nullptr;
}

std::vector<ExpectationSpec> derive_baseline(std::string_view executor, std::string_view command,
                                             const std::vector<BaselineSensor>& sensors) {
    std::vector<ExpectationSpec> out;
    CommandAnalysis analysis = analyze_command(executor, command);
    const bool windows_executor = executor == "powershell" || executor == "command_prompt";
    for (const auto& sensor : sensors)
        if (const SensorKind* k = find_kind(sensor.source); k && k->windows == windows_executor)
            derive_for_sensor(*k, sensor, executor, analysis, out);
    return out;
}

std::vector<std::string> baseline_sources() {
    std::vector<std::string> out;
    for (const auto& k : kSensors) out.emplace_back(k.source);
    return out;
}

void add_baseline(expectations::ScenarioChecks& checks, std::string_view executor,
                  std::string_view command, const std::vector<BaselineSensor>& sensors) {
    if (!checks.baseline) return;
    for (auto& spec : derive_baseline(executor, command, sensors))
        checks.expectations.push_back(std::move(spec));
}

}  // namespace attest::scenarios
