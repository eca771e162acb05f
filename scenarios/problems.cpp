#include "scenarios/problems.h"

#include <fstream>
#include <map>

namespace attest::scenarios {

std::string Problem::format() const {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    out += severity == Severity::Error ? ": error " : ": warning ";
    out += code;
    out += ": ";
    if (!context.empty()) out += context + ": ";
    out += message;
    if (!source_line.empty() && column > 0) {
        out += "\n" + source_line + "\n" + caret_line(source_line, column);
    }
    return out;
}

const std::vector<CodeInfo>& problem_codes() {
    static const std::vector<CodeInfo> table = {
        {Code::E001, "E001", Severity::Error, "file unreadable, empty, or YAML syntax error"},
        {Code::E002, "E002", Severity::Error,
         "missing required key of an atomic (attack_technique, atomic_tests, name, "
         "supported_platforms, executor, executor.name, prereq_command)"},
        {Code::E003, "E003", Severity::Error, "attack_technique is not T1234 / T1234.001"},
        {Code::E004, "E004", Severity::Error, "unknown executor / dependency_executor_name"},
        {Code::E005, "E005", Severity::Error, "#{arg} used but not declared"},
        {Code::W006, "W006", Severity::Warning, "input argument declared but never used"},
        {Code::E007, "E007", Severity::Error,
         "sudo in command/cleanup on linux/macos without elevation_required: true"},
        {Code::W008, "W008", Severity::Warning, "unknown key in an atomic (ignored)"},
        {Code::W009, "W009", Severity::Warning,
         "test without auto_generated_guid (no expectations can attach)"},
        {Code::E010, "E010", Severity::Error, "auto_generated_guid is not a GUID"},
        {Code::E011, "E011", Severity::Error, "GUID used by two tests"},
        {Code::W012, "W012", Severity::Warning, "unknown platform"},
        {Code::E013, "E013", Severity::Error, "executor without command (manual: without steps)"},
        {Code::E014, "E014", Severity::Error, "wrong YAML node type"},
        {Code::W015, "W015", Severity::Warning, "dependencies without an executor"},
        {Code::E016, "E016", Severity::Error, "unknown input argument type"},
        {Code::E017, "E017", Severity::Error, "default does not fit an integer / float argument"},
        {Code::W019, "W019", Severity::Warning,
         "prerequisites use sudo in a test without elevation_required"},
        {Code::E101, "E101", Severity::Error, "wrong node type in expectations.yaml"},
        {Code::E102, "E102", Severity::Error, "unsupported expectations.yaml version"},
        {Code::E103, "E103", Severity::Error, "scenario GUID not in the pack"},
        {Code::E104, "E104", Severity::Error, "missing key (id, source, query, rule, profile)"},
        {Code::E105, "E105", Severity::Error, "bad window (durations: 500ms, 5s, 10m, 2h, 1d)"},
        {Code::E106, "E106", Severity::Error, "unknown profile"},
        {Code::W108, "W108", Severity::Warning, "unknown key in expectations.yaml (ignored)"},
        {Code::W109, "W109", Severity::Warning, "scenario name differs from the test's"},
        {Code::E110, "E110", Severity::Error, "secret names no input argument"},
        {Code::E111, "E111", Severity::Error, "query uses #{arg} the test does not declare"},
        {Code::E112, "E112", Severity::Error, "unknown run fact {run.x}"},
        {Code::E113, "E113", Severity::Error, "duplicate expectation id"},
        {Code::E114, "E114", Severity::Error, "unknown source"},
        {Code::E115, "E115", Severity::Error, "bad min_count / required / lineage"},
        {Code::E116, "E116", Severity::Error, "a detection value is invalid (expected, siem, deadline)"},
        {Code::E117, "E117", Severity::Error, "rule file missing (does not stop check/run: the detection's verdict is error)"},
        {Code::E118, "E118", Severity::Error, "rule file unreadable (TOML errors; likewise a per-detection error)"},
        {Code::E119, "E119", Severity::Error, "unknown risk name in risks:"},
        {Code::E120, "E120", Severity::Error, "no atomics found"},
        {Code::E125, "E125", Severity::Error, "unknown ATT&CK tactic in tactics"},
        {Code::E126, "E126", Severity::Error, "mapping: unreadable or not an index mapping"},
        {Code::E127, "E127", Severity::Error, "success: not a command or {command, executor}, or an unknown executor"},
        {Code::E128, "E128", Severity::Error, "baseline: is not true / false"},
        {Code::E130, "E130", Severity::Error,
         "query or rule does not compile (EQL / KQL message with position)"},
        {Code::W131, "W131", Severity::Warning,
         "rule loads but is not locally evaluable (new_terms, machine_learning, esql)"},
    };
    return table;
}

const CodeInfo& code_info(Code code) {
    const auto& table = problem_codes();
    for (const auto& c : table)
        if (c.code == code) return c;
    return table.front();  // unreachable: every enumerator has its row (tested)
}

void Problems::add(Code code, std::string file, std::uint64_t line, std::uint64_t column,
                   std::string context, std::string message) {
    const CodeInfo& info = code_info(code);
    m_items.push_back(Problem{info.severity,
                              std::string(info.name),
                              std::move(file),
                              line,
                              column,
                              std::move(context),
                              std::move(message),
                              {}});
}

std::size_t Problems::error_count() const {
    std::size_t n = 0;
    for (const auto& p : m_items) n += p.severity == Severity::Error;
    return n;
}

std::size_t Problems::blocking_error_count() const {
    // A rule that does not load is its detection's `error` verdict, not a reason to stop.
    static const char* const kRuleHealthCodes[] = {"E117", "E118"};
    std::size_t n = 0;
    for (const auto& p : m_items) {
        if (p.severity != Severity::Error) continue;
        bool health = false;
        for (const char* c : kRuleHealthCodes) health |= p.code == c;
        n += !health;
    }
    return n;
}

std::size_t Problems::warning_count() const { return m_items.size() - error_count(); }

void Problems::attach_source_lines() {
    std::map<std::string, std::vector<std::string>> cache;
    for (auto& p : m_items) {
        if (p.line == 0 || p.file.empty() || !p.source_line.empty()) continue;
        auto it = cache.find(p.file);
        if (it == cache.end()) {
            std::vector<std::string> lines;
            std::ifstream in(p.file, std::ios::binary);
            std::string l;
            while (in && std::getline(in, l) && lines.size() < 1000000) {
                if (!l.empty() && l.back() == '\r') l.pop_back();
                lines.push_back(std::move(l));
            }
            it = cache.emplace(p.file, std::move(lines)).first;
        }
        if (p.line <= it->second.size()) p.source_line = it->second[p.line - 1];
        if (p.source_line.size() > 300) p.source_line.clear();  // long lines: no caret
    }
}

}  // namespace attest::scenarios
