// Sigma's `re` values are PCRE-style searches; the engine's regular expressions are Lucene's
// (whole-string, linear-time Pike VM: telemetry is attacker-controlled). This translates the
// PCRE subset rules use into that dialect and rejects what it cannot express (lookaround,
// back references, word boundaries) with a load error instead of matching wrongly.
#include <cctype>
#include <string>

#include "expectations/eql/pattern.h"
#include "expectations/sigma/internal.h"

namespace attest::sigma::detail {

namespace {

// Characters with a meaning in Lucene's syntax but none in PCRE's.
bool lucene_only(char c) {
    return c == '"' || c == '@' || c == '#' || c == '<' || c == '>' || c == '~' || c == '&';
}

class Translator {
public:
    Translator(std::string_view p, bool s_flag) : m_p(p), m_s(s_flag) {}

    // Returns an error message, or empty.
    std::string run(std::string& out) {
        while (m_i < m_p.size()) {
            std::string e = step(out);
            if (!e.empty()) return e;
        }
        return "";
    }

private:
    std::string escape(std::string& out, bool in_class) {
        if (m_i + 1 >= m_p.size()) return "trailing backslash";
        char k = m_p[m_i + 1];
        m_i += 2;
        switch (k) {
            case 'd':
            case 'D':
            case 's':
            case 'S':
            case 'w':
            case 'W':
                out += '\\';
                out += k;
                return "";
            case 'n':
                out += '\n';
                return "";
            case 't':
                out += '\t';
                return "";
            case 'r':
                out += '\r';
                return "";
            case 'x': {
                if (m_i + 2 > m_p.size() || !std::isxdigit(static_cast<unsigned char>(m_p[m_i])) ||
                    !std::isxdigit(static_cast<unsigned char>(m_p[m_i + 1])))
                    return "'\\x' takes two hexadecimal digits";
                int v = std::stoi(std::string(m_p.substr(m_i, 2)), nullptr, 16);
                m_i += 2;
                out += '\\';
                out += static_cast<char>(v);
                return "";
            }
            case 'b':
            case 'B':
            case 'A':
            case 'Z':
            case 'z':
            case 'G':
            case 'K':
            case 'p':
            case 'P':
                return std::string("'\\") + k + "' is not supported";
            default:
                if (k >= '0' && k <= '9') return "back references are not supported";
                if (!in_class && k >= 'a' && k <= 'z')
                    return std::string("'\\") + k + "' is not supported";
                out += '\\';
                out += k;
                return "";
        }
    }

    std::string klass(std::string& out) {
        out += m_p[m_i++];  // '['
        if (m_i < m_p.size() && m_p[m_i] == '^') out += m_p[m_i++];
        bool first = true;
        while (m_i < m_p.size() && (m_p[m_i] != ']' || first)) {
            first = false;
            if (m_p[m_i] == '\\') {
                if (auto e = escape(out, true); !e.empty()) return e;
                continue;
            }
            if (m_p[m_i] == '[' || m_p[m_i] == ']' || lucene_only(m_p[m_i])) out += '\\';
            out += m_p[m_i++];
        }
        if (m_i >= m_p.size()) return "missing ']'";
        out += m_p[m_i++];
        return "";
    }

    // After a quantifier: PCRE's lazy `?` and possessive `+` change nothing for a match test.
    void skip_lazy() {
        if (m_i < m_p.size() && (m_p[m_i] == '?' || m_p[m_i] == '+')) ++m_i;
    }

    std::string step(std::string& out) {
        char c = m_p[m_i];
        switch (c) {
            case '\\':
                return escape(out, false);
            case '[':
                return klass(out);
            case '.':
                ++m_i;
                out += m_s ? "." : "[^\n]";
                return "";
            case '(':
                ++m_i;
                if (m_i < m_p.size() && m_p[m_i] == '?') {
                    if (m_i + 1 < m_p.size() && m_p[m_i + 1] == ':')
                        m_i += 2;
                    else
                        return "lookaround and inline groups '(?...' are not supported (only '(?:' "
                               "and a leading '(?i)')";
                }
                out += '(';
                return "";
            case '*':
            case '+':
            case '?':
                ++m_i;
                out += c;
                skip_lazy();
                return "";
            case '{': {
                std::size_t close = m_p.find('}', m_i);
                std::string_view body =
                    close == std::string_view::npos ? "" : m_p.substr(m_i + 1, close - m_i - 1);
                bool quant = !body.empty() &&
                             body.find_first_not_of("0123456789,") == std::string_view::npos &&
                             body[0] != ',';
                if (!quant) {  // PCRE reads a '{' that starts no quantifier as itself
                    out += "\\{";
                    ++m_i;
                    return "";
                }
                out += m_p.substr(m_i, close - m_i + 1);
                m_i = close + 1;
                skip_lazy();
                return "";
            }
            case '^':
                return "'^' is supported only at the start of the pattern";
            case '$':
                return "'$' is supported only at the end of the pattern";
            default:
                if (lucene_only(c) || c == '}' || c == ']') out += '\\';
                out += c;
                ++m_i;
                return "";
        }
    }

    std::string_view m_p;
    std::size_t m_i = 0;
    bool m_s;
};

}  // namespace

Expected<std::shared_ptr<const eql::RegexPattern>> compile_regex(std::string_view p, bool i, bool m,
                                                                 bool s) {
    // Leading inline flags: (?i), (?s), (?m) and combinations.
    if (p.size() >= 4 && p.substr(0, 2) == "(?") {
        std::size_t close = p.find(')');
        std::string_view flags = close == std::string_view::npos ? "" : p.substr(2, close - 2);
        if (!flags.empty() && flags.find_first_not_of("ims") == std::string_view::npos) {
            i |= flags.find('i') != std::string_view::npos;
            m |= flags.find('m') != std::string_view::npos;
            s |= flags.find('s') != std::string_view::npos;
            p.remove_prefix(close + 1);
        }
    }
    bool start = !p.empty() && p.front() == '^';
    if (start) p.remove_prefix(1);
    bool end = !p.empty() && p.back() == '$' && (p.size() < 2 || p[p.size() - 2] != '\\');
    if (end) p.remove_suffix(1);
    std::string body;
    std::string err = Translator(p, s).run(body);
    if (!err.empty()) return make_error(err);
    // An unanchored search; with `m`, the anchors hold at line boundaries too.
    std::string lucene = start ? (m ? "(.*\n)?" : "") : ".*";
    lucene += "(" + body + ")";
    lucene += end ? (m ? "(\n.*)?" : "\n?") : ".*";
    return eql::RegexPattern::compile(lucene, i);
}

}  // namespace attest::sigma::detail
