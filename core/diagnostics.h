// Diagnostics: every problem found in input is reported as `file:line:column: reason` (or
// `file: byte N: reason` for binary input), counted, and the run goes on.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace attest {

enum class Severity { Warning, Error };

struct Diagnostic {
    Severity severity = Severity::Error;
    std::string file;
    std::uint64_t line = 0;    // 1-based; 0 when not applicable
    std::uint64_t column = 0;  // 1-based; 0 when not applicable
    std::uint64_t offset = 0;  // byte offset, used when line is 0
    bool has_offset = false;
    std::string message;
    std::string source_line;   // optional: the offending line, shown with a caret

    // "file:line:column: message", "file: byte N: message" or "file: message".
    std::string format() const;
};

// Collects and/or prints diagnostics. Thread-safe.
class DiagnosticSink {
public:
    using Printer = std::function<void(const Diagnostic&)>;

    DiagnosticSink() = default;
    explicit DiagnosticSink(Printer printer) : m_printer(std::move(printer)) {}

    void report(Diagnostic d);
    void error(std::string file, std::uint64_t line, std::uint64_t column, std::string message);
    void error_at_offset(std::string file, std::uint64_t offset, std::string message);
    void warning(std::string file, std::uint64_t line, std::uint64_t column, std::string message);

    std::size_t error_count() const;
    std::size_t warning_count() const;
    // Keeps at most `limit` diagnostics in memory (the count keeps going).
    std::vector<Diagnostic> collected() const;
    void set_keep_limit(std::size_t limit) { m_keep_limit = limit; }

    // A printer that writes `format()` lines (and the caret line if any) to stderr.
    static Printer stderr_printer();

private:
    mutable std::mutex m_mutex;
    Printer m_printer;
    std::vector<Diagnostic> m_kept;
    std::size_t m_keep_limit = 1000;
    std::size_t m_errors = 0;
    std::size_t m_warnings = 0;
};

// Converts a byte offset in `text` to 1-based line and column (column in bytes).
void offset_to_line_column(std::string_view text, std::size_t offset, std::uint64_t& line,
                           std::uint64_t& column);

// A caret line under the 1-based `column` of `line`.
std::string caret_line(std::string_view line, std::uint64_t column);

}  // namespace attest
