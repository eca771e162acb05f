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

void Problems::error(std::string code, std::string file, std::uint64_t line, std::uint64_t column,
                     std::string context, std::string message) {
    m_items.push_back(Problem{Severity::Error, std::move(code), std::move(file), line, column,
                              std::move(context), std::move(message), {}});
}

void Problems::warning(std::string code, std::string file, std::uint64_t line,
                       std::uint64_t column, std::string context, std::string message) {
    m_items.push_back(Problem{Severity::Warning, std::move(code), std::move(file), line, column,
                              std::move(context), std::move(message), {}});
}

std::size_t Problems::error_count() const {
    std::size_t n = 0;
    for (const auto& p : m_items) n += p.severity == Severity::Error;
    return n;
}

std::size_t Problems::blocking_error_count() const {
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
