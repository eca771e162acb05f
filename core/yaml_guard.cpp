#include "core/yaml_guard.h"

namespace attest {
namespace {

std::size_t indent_of(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i;
}

// Whether a line opens a block scalar (`key: |`, `- >-`, `key: |2 # note`).
bool opens_block_scalar(std::string_view line) {
    std::size_t hash = line.find(" #");
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.remove_suffix(1);
    while (!line.empty() &&
           (line.back() == '-' || line.back() == '+' || (line.back() >= '0' && line.back() <= '9')))
        line.remove_suffix(1);
    if (line.empty() || (line.back() != '|' && line.back() != '>')) return false;
    line.remove_suffix(1);
    return line.empty() || line.back() == ' ' || line.back() == ':' || line.back() == '-';
}

// Whether a quote or a bracket at `i` starts a value (a quoted scalar, a flow collection):
// first on the line, after `- ` or `? ` indicators that begin it, after `: `, or after a flow
// indicator. Elsewhere it is part of a plain scalar (`it's`, `Rule'`, `a[1]`) and opens
// nothing.
bool starts_value(std::string_view line, std::size_t i) {
    std::size_t j = i;
    while (j > 0 && (line[j - 1] == ' ' || line[j - 1] == '\t')) --j;
    if (j == 0) return true;
    char prev = line[j - 1];
    if (prev == '[' || prev == '{' || prev == ',') return true;
    if (j == i) return false;  // no space after `:`, `-` or `?`
    if (prev == ':') return true;
    if (prev != '-' && prev != '?') return false;
    return line.substr(0, j).find_first_not_of(" \t-?") == std::string_view::npos;
}

// Tracks flow brackets and quotes across lines (comments end a line's scan).
void scan_flow(std::string_view line, int& depth, char& quote) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quote) {
            if (c == quote && !(quote == '\'' && i + 1 < line.size() && line[i + 1] == '\''))
                quote = 0;
            else if (quote == '\'' && c == '\'')
                ++i;
            else if (quote == '"' && c == '\\')
                ++i;
            continue;
        }
        if (c == '#' && (i == 0 || line[i - 1] == ' ')) return;
        bool opens = (c == '"' || c == '\'' || c == '[' || c == '{') && starts_value(line, i);
        if ((c == '"' || c == '\'') && opens)
            quote = c;
        else if ((c == '[' || c == '{') && (opens || depth > 0))
            ++depth;
        else if ((c == ']' || c == '}') && depth > 0)
            --depth;
    }
}

}  // namespace

std::optional<YamlHazard> find_yaml_hazard(std::string_view text) {
    int depth = 0;
    char quote = 0;
    std::optional<std::size_t> block_parent;  // indentation of the line that opened a block scalar
    std::uint64_t number = 0;
    for (std::size_t start = 0; start <= text.size();) {
        std::size_t eol = text.find('\n', start);
        std::string_view line = text.substr(
            start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
        start = eol == std::string_view::npos ? text.size() + 1 : eol + 1;
        ++number;
        std::size_t indent = indent_of(line);
        bool blank = indent == line.size() || line.substr(indent) == "\r";
        if (block_parent && (blank || indent > *block_parent)) continue;
        block_parent.reset();
        if (blank) continue;
        if (depth == 0 && !quote && line[indent] == ',')
            return YamlHazard{number, indent + 1, "a value cannot start with ','"};
        scan_flow(line, depth, quote);
        if (depth == 0 && !quote && opens_block_scalar(line)) block_parent = indent;
    }
    return std::nullopt;
}

}  // namespace attest
