// Problems found while loading scenario packs: every one is collected (never stop at the
// first), with a code, a severity, a position and the item it concerns, so that
// `attest validate` can list them all at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/diagnostics.h"

namespace attest::scenarios {

struct Problem {
    Severity severity = Severity::Error;
    std::string code;     // "E003", "W008", ... (docs/packs.md lists them)
    std::string file;
    std::uint64_t line = 0;    // 1-based; 0 when unknown
    std::uint64_t column = 0;  // 1-based; 0 when unknown
    std::string context;  // item kind and name, e.g. "test 'Copy PST files'"
    std::string message;
    std::string source_line;  // the offending line (for a caret), may be empty

    // "file:line:column: error E003: test 'x': message" (+ source line and caret if known).
    std::string format() const;
};

class Problems {
public:
    void add(Problem p) { m_items.push_back(std::move(p)); }
    void error(std::string code, std::string file, std::uint64_t line, std::uint64_t column,
               std::string context, std::string message);
    void warning(std::string code, std::string file, std::uint64_t line, std::uint64_t column,
                 std::string context, std::string message);
    const std::vector<Problem>& items() const { return m_items; }
    std::size_t error_count() const;
    std::size_t warning_count() const;
    // Errors that stop a check or run. A detection whose rule file is missing or does not
    // load (E117, E118) does not: the run goes on and that detection's verdict is `error`
    // with the load error as its reason (`attest validate` still lists it as an error).
    std::size_t blocking_error_count() const;
    // Fills in Problem::source_line from the files named by the problems (best effort).
    void attach_source_lines();

private:
    std::vector<Problem> m_items;
};

}  // namespace attest::scenarios
