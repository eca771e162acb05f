#include "core/yaml_guard.h"

namespace attest {
namespace {

constexpr std::size_t npos = std::string_view::npos;

std::size_t indent_of(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// Whether the character at `i` is followed by white space or the end of the line.
bool blank_after(std::string_view line, std::size_t i) {
    return i + 1 >= line.size() || is_blank(line[i + 1]);
}

// The scanner's state across lines: open flow collections and an open quoted scalar.
struct ScanState {
    int depth = 0;
    char quote = 0;
};

// Past the quote that closes the open quoted scalar from `i`, or npos when it stays open.
std::size_t close_quote(std::string_view line, std::size_t i, ScanState& st) {
    for (; i < line.size(); ++i) {
        if (st.quote == '"' && line[i] == '\\') {
            ++i;
        } else if (line[i] == st.quote) {
            if (st.quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
                ++i;
                continue;
            }
            st.quote = 0;
            return i + 1;
        }
    }
    return npos;
}

// Inside a flow collection from `i`: brackets, quotes and comments until the collection
// closes (the position after it) or the line ends (npos).
std::size_t scan_flow(std::string_view line, std::size_t i, ScanState& st) {
    bool value_start = true;  // after `[`, `{`, `,`, `:` or white space a quote opens
    for (; i < line.size(); ++i) {
        char c = line[i];
        if ((c == '"' || c == '\'') && value_start) {
            st.quote = c;
            i = close_quote(line, i + 1, st);
            if (i == npos) return npos;
            --i;
        } else if (c == '#' && i > 0 && is_blank(line[i - 1])) {
            return npos;
        } else if (c == '[' || c == '{') {
            ++st.depth;
        } else if ((c == ']' || c == '}') && --st.depth == 0) {
            return i + 1;
        }
        value_start = is_blank(c) || c == '[' || c == '{' || c == ',' || c == ':';
    }
    return npos;
}

// Past a plain scalar in block context: it ends before `: `, ` #` or at the end of the line.
std::size_t skip_plain(std::string_view line, std::size_t i) {
    for (++i; i < line.size(); ++i) {
        if (line[i] == ':' && blank_after(line, i)) return i;
        if (line[i] == '#' && is_blank(line[i - 1])) return line.size();
    }
    return line.size();
}

bool is_flow_indicator(char c) {
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

// Past a tag, anchor or alias. Its name ends at white space or a flow indicator (1.2, 6.9):
// yaml-cpp 0.7 ends it there too, so a `,` right after one starts a token (and never returns
// at the top level: `!a,b`). A verbatim tag (`!<tag:yaml.org,2002:str>`) runs to its `>`.
std::size_t skip_property(std::string_view line, std::size_t i) {
    if (line.substr(i, 2) == "!<") {
        std::size_t close = line.find('>', i + 2);
        return close == npos ? line.size() : close + 1;
    }
    for (++i; i < line.size() && !is_blank(line[i]) && !is_flow_indicator(line[i]);) ++i;
    return i;
}

struct LineScan {
    std::size_t hazard = npos;  // a ',' that starts a token outside flow collections
    bool block_scalar = false;  // the line ends in a block scalar header (`|`, `>-`, ...)
};

// One line's tokens in block context. A ',' where a token starts (not inside a plain
// scalar, where it is an ordinary character) is the hazard: YAML does not allow it there,
// and yaml-cpp 0.7 never returns on it at the top level of a document.
LineScan scan_line(std::string_view line, std::size_t i, ScanState& st) {
    LineScan out;
    if (st.quote && (i = close_quote(line, 0, st)) == npos) return out;
    if (st.depth > 0 && (i = scan_flow(line, i, st)) == npos) return out;
    if (line.substr(i, 3) == "---" || line.substr(i, 3) == "...")
        if (i + 3 >= line.size() || is_blank(line[i + 3])) i += 3;
    while (i < line.size()) {
        char c = line[i];
        if (is_blank(c)) {
            ++i;
        } else if (c == ',') {
            out.hazard = i;
            return out;
        } else if (c == '#') {
            return out;
        } else if ((c == '-' || c == '?' || c == ':') && blank_after(line, i)) {
            ++i;
        } else if (c == '!' || c == '&' || c == '*') {
            i = skip_property(line, i);
        } else if (c == '"' || c == '\'') {
            st.quote = c;
            if ((i = close_quote(line, i + 1, st)) == npos) return out;
        } else if (c == '[' || c == '{') {
            st.depth = 1;
            if ((i = scan_flow(line, i + 1, st)) == npos) return out;
        } else if (c == '|' || c == '>') {
            out.block_scalar = true;
            return out;
        } else {
            i = skip_plain(line, i);
        }
    }
    return out;
}

// The first character YAML does not allow in a stream (1.2, 5.1: only printable characters;
// the others must be written escaped in a double-quoted scalar): C0 controls but tab, line
// feed and carriage return, and DEL. yaml-cpp 0.7 never returns on some of them (NUL bytes
// before a `,`, found by the Sigma fuzzer). npos when there is none.
std::size_t find_control(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        auto c = static_cast<unsigned char>(line[i]);
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return i;
    }
    return npos;
}

std::string control_message(unsigned char c) {
    static const char* kHex = "0123456789ABCDEF";
    std::string code = "U+00";
    code += kHex[c >> 4];
    code += kHex[c & 15];
    return "control character " + code +
           " is not allowed in YAML (write it escaped in a double-quoted string)";
}

}  // namespace

std::optional<YamlHazard> find_yaml_hazard(std::string_view text) {
    ScanState st;
    // The indentation of the line that opened a block scalar, npos outside one.
    std::size_t block_parent = npos;
    std::uint64_t number = 0;
    for (std::size_t start = 0; start <= text.size();) {
        std::size_t eol = text.find('\n', start);
        std::string_view line = text.substr(start, eol == npos ? npos : eol - start);
        start = eol == npos ? text.size() + 1 : eol + 1;
        ++number;
        if (std::size_t at = find_control(line); at != npos)
            return YamlHazard{number, at + 1,
                              control_message(static_cast<unsigned char>(line[at]))};
        std::size_t indent = indent_of(line);
        bool blank = indent == line.size() || line.substr(indent) == "\r";
        if (block_parent != npos && (blank || indent > block_parent)) continue;
        block_parent = npos;
        if (blank) continue;
        LineScan scan = scan_line(line, indent, st);
        if (scan.hazard != npos)
            return YamlHazard{number, scan.hazard + 1, "a value cannot start with ','"};
        if (scan.block_scalar) block_parent = indent;
    }
    return std::nullopt;
}

}  // namespace attest
