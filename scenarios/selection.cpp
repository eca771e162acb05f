#include "scenarios/selection.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace attest::scenarios {
namespace {

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

// `T1114` selects T1114 and every T1114.xxx; `T1114.001` only itself.
bool technique_matches(const std::string& selector, const std::string& technique) {
    std::string t = upper(technique);
    return t == selector ||
           (selector.find('.') == std::string::npos && t.rfind(selector + ".", 0) == 0);
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}

// A number counts within the selected techniques (Invoke-AtomicTest's -TestNumbers); any other
// key (GUID or prefix, `T1114.001-3`, a name in any case) is the pack's one test lookup.
bool test_matches(const Pack& pack, const std::string& selector, const AtomicTest& test) {
    if (all_digits(selector)) return std::to_string(test_number(test)) == selector;
    auto found = pack.select_test(selector);
    return found && *found == &test;
}

bool platform_matches(const std::vector<std::string>& platforms, const AtomicTest& test) {
    if (platforms.empty()) return true;
    for (const std::string& p : platforms)
        if (std::find(test.platforms.begin(), test.platforms.end(), ascii_lowercase(p)) !=
            test.platforms.end())
            return true;
    return false;
}

// "T1114.001 #1 'Email Collection with PowerShell Get-Inbox'" for messages.
std::string describe(const AtomicTest& test) {
    return test.technique + " #" + std::to_string(test_number(test)) + " '" + test.name + "'";
}

std::string candidates(const std::vector<const AtomicTest*>& tests) {
    std::string out;
    for (std::size_t i = 0; i < tests.size() && i < 12; ++i) out += "\n  " + describe(*tests[i]);
    if (tests.size() > 12) out += "\n  ... and " + std::to_string(tests.size() - 12) + " more";
    return out;
}

}  // namespace

std::size_t test_number(const AtomicTest& test) {
    return test.index + 1;
}

std::vector<std::string> split_technique_list(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const std::string& v : values) {
        std::size_t start = 0;
        while (start <= v.size()) {
            std::size_t comma = v.find(',', start);
            std::string item = trim(std::string_view(v).substr(
                start, comma == std::string::npos ? std::string::npos : comma - start));
            if (!item.empty()) out.push_back(upper(item));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

Expected<std::vector<const AtomicTest*>> select_tests(const Pack& pack,
                                                      const Selection& selection) {
    std::vector<const AtomicTest*> in_techniques;
    std::string errors;
    for (const std::string& technique : selection.techniques) {
        auto all = pack.tests();
        if (std::none_of(all.begin(), all.end(), [&](const AtomicTest* t) {
                return technique_matches(technique, t->technique);
            }))
            errors += "\nno technique " + technique + " in " + pack.root;
    }
    for (const AtomicTest* t : pack.tests()) {
        bool technique_ok =
            selection.techniques.empty() ||
            std::any_of(selection.techniques.begin(), selection.techniques.end(),
                        [&](const std::string& s) { return technique_matches(s, t->technique); });
        if (technique_ok && platform_matches(selection.platforms, *t)) in_techniques.push_back(t);
    }
    std::vector<const AtomicTest*> out;
    for (const std::string& selector : selection.tests) {
        bool found = false;
        for (const AtomicTest* t : in_techniques)
            if (test_matches(pack, trim(selector), *t)) found = true;
        if (!found)
            errors += "\nno test '" + selector +
                      "' among the selected tests (by number, name or GUID); they are:" +
                      candidates(in_techniques);
    }
    for (const AtomicTest* t : in_techniques) {
        bool keep =
            selection.tests.empty() ||
            std::any_of(selection.tests.begin(), selection.tests.end(),
                        [&](const std::string& s) { return test_matches(pack, trim(s), *t); });
        if (keep) out.push_back(t);
    }
    if (!errors.empty()) return make_error(errors.substr(1));
    if (out.empty()) return make_error("no test of " + pack.root + " matches the selection");
    return out;
}

}  // namespace attest::scenarios
