// ASCII case folding: the one case-insensitive compare of the project (EQL's `:`, `like~`,
// `in~` and string functions, host names, Windows and O365 field values). ASCII letters only,
// as Elasticsearch's `case_insensitive` term queries fold; other bytes compare as they are.
#pragma once

#include <string>
#include <string_view>

namespace attest {

inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
std::string ascii_lowercase(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace attest
