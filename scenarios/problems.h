// Problems found while loading scenario packs: every one is collected (never stop at the
// first), with a code, a severity, a position and the item it concerns, so that
// `attest validate` can list them all at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"

namespace attest::scenarios {

// Every problem code: E for errors, W for warnings. problem_codes() declares each one's
// severity and meaning (docs/packs.md lists the same table; a test keeps them equal).
enum class Code {
    E001,
    E002,
    E003,
    E004,
    E005,
    W006,
    E007,
    W008,
    W009,
    E010,
    E011,
    W012,
    E013,
    E014,
    W015,
    E016,
    E017,
    W019,
    E101,
    E102,
    E103,
    E104,
    E105,
    E106,
    W108,
    W109,
    E110,
    E111,
    E112,
    E113,
    E114,
    E115,
    E116,
    E117,
    E118,
    E119,
    E120,
    E125,
    E126,
    E127,
    E128,
    E130,
    W131
};

struct CodeInfo {
    Code code;
    std::string_view name;  // "E003"
    Severity severity;
    std::string_view summary;
};
const std::vector<CodeInfo>& problem_codes();
const CodeInfo& code_info(Code code);

struct Problem {
    Severity severity = Severity::Error;
    std::string code;  // "E003", "W008", ... (code_info(c).name)
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
    // The severity comes from the code's table entry.
    void add(Code code, std::string file, std::uint64_t line, std::uint64_t column,
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
