#include "core/diagnostics.h"

#include <cstdio>
#include <string_view>

namespace attest {

std::string Diagnostic::format() const {
    std::string s = file;
    if (line != 0) {
        s += ':' + std::to_string(line);
        if (column != 0) s += ':' + std::to_string(column);
    } else if (has_offset) {
        s += ": byte " + std::to_string(offset);
    }
    s += ": ";
    if (severity == Severity::Warning) s += "warning: ";
    s += message;
    return s;
}

void DiagnosticSink::report(Diagnostic d) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (d.severity == Severity::Error) ++m_errors; else ++m_warnings;
    if (m_printer) m_printer(d);
    if (m_kept.size() < m_keep_limit) m_kept.push_back(std::move(d));
}

void DiagnosticSink::error(std::string file, std::uint64_t line, std::uint64_t column,
                           std::string message) {
    Diagnostic d;
    d.file = std::move(file);
    d.line = line;
    d.column = column;
    d.message = std::move(message);
    report(std::move(d));
}

void DiagnosticSink::error_at_offset(std::string file, std::uint64_t offset, std::string message) {
    Diagnostic d;
    d.file = std::move(file);
    d.offset = offset;
    d.has_offset = true;
    d.message = std::move(message);
    report(std::move(d));
}

void DiagnosticSink::warning(std::string file, std::uint64_t line, std::uint64_t column,
                             std::string message) {
    Diagnostic d;
    d.severity = Severity::Warning;
    d.file = std::move(file);
    d.line = line;
    d.column = column;
    d.message = std::move(message);
    report(std::move(d));
}

std::size_t DiagnosticSink::error_count() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_errors;
}

std::size_t DiagnosticSink::warning_count() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_warnings;
}

std::vector<Diagnostic> DiagnosticSink::collected() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_kept;
}

DiagnosticSink::Printer DiagnosticSink::stderr_printer() {
    return [](const Diagnostic& d) {
        std::string s = d.format();
        s += '\n';
        if (!d.source_line.empty()) {
            s += "  " + d.source_line + "\n  " + caret_line(d.source_line, d.column) + "\n";
        }
        std::fwrite(s.data(), 1, s.size(), stderr);
    };
}

void offset_to_line_column(std::string_view text, std::size_t offset, std::uint64_t& line,
                           std::uint64_t& column) {
    if (offset > text.size()) offset = text.size();
    line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    column = offset - line_start + 1;
}

std::string caret_line(std::string_view line, std::uint64_t column) {
    std::string s;
    for (std::uint64_t i = 1; i < column && i <= line.size(); ++i)
        s.push_back(line[i - 1] == '\t' ? '\t' : ' ');
    s.push_back('^');
    return s;
}

}  // namespace attest
