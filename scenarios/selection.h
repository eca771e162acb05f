// Which tests of a pack a run, a plan or a listing takes, as Invoke-AtomicTest users name
// them: techniques (`T1114.001`, `T1114` for the technique and its sub-techniques), and tests
// by number (1-based within their technique file, Invoke-AtomicTest's -TestNumbers), or by any
// key Pack::select_test takes: a name in any case (-TestNames), a GUID or an unambiguous
// prefix (-TestGuids), `T1114.001-3`. Every selector that matches nothing is an error that says what
// would have matched.
#pragma once

#include <string>
#include <vector>

#include "core/expected.h"
#include "scenarios/pack.h"

namespace attest::scenarios {

struct Selection {
    std::vector<std::string> techniques;  // empty: every technique
    std::vector<std::string> tests;       // empty: every test of the selected techniques
    std::vector<std::string> platforms;   // empty: any platform
};

// "T1114.001,T1005" and repeated options alike: splits at commas, trims, upper-cases.
std::vector<std::string> split_technique_list(const std::vector<std::string>& values);

// The selected tests, in pack order. Errors name every selector that matched nothing.
Expected<std::vector<const AtomicTest*>> select_tests(const Pack& pack, const Selection& selection);

// Invoke-AtomicTest's number of a test: its 1-based position in its technique file.
std::size_t test_number(const AtomicTest& test);

}  // namespace attest::scenarios
