// Text-level helpers over EQL queries: placeholder substitution and the event.action
// literals used to explain vocabulary mismatches. They only need EQL's lexical rules
// (strings, comments), not its grammar.
#include <cctype>
#include <cstdio>

#include "expectations/engine.h"

namespace attest::expectations {
namespace {

void append_escaped(std::string& out, std::string_view value) {
    for (unsigned char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[16];
                    std::snprintf(buf, sizeof buf, "\\u{%X}", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
}

// A placeholder at `i`: "#{name}" or "{run.x}". Returns its length and name, 0 if none.
std::size_t placeholder_at(std::string_view q, std::size_t i, std::string& name, bool& is_run) {
    std::size_t open = 0;
    if (q.compare(i, 2, "#{") == 0) {
        open = i + 2;
        is_run = false;
    } else if (q.compare(i, 5, "{run.") == 0) {
        open = i + 1;
        is_run = true;
    } else {
        return 0;
    }
    std::size_t close = q.find('}', open);
    if (close == std::string_view::npos || close - open > 128) return 0;
    std::string_view n = q.substr(open, close - open);
    if (n.empty()) return 0;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            return 0;
    name = std::string(n);
    return close + 1 - i;
}

}  // namespace

std::string eql_string_literal(std::string_view value) {
    std::string out = "\"";
    append_escaped(out, value);
    out += '"';
    return out;
}

std::string substitute_text(std::string_view text, const std::map<std::string, std::string>& arguments,
                            const std::map<std::string, std::string>& run_facts) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::string name;
        bool is_run = false;
        if (std::size_t len = placeholder_at(text, i, name, is_run); len != 0) {
            const auto& values = is_run ? run_facts : arguments;
            if (auto it = values.find(name); it != values.end()) {
                out += it->second;
                i += len;
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

Expected<std::string> substitute_query(std::string_view q,
                                       const std::map<std::string, std::string>& arguments,
                                       const std::map<std::string, std::string>& run_facts) {
    std::string out;
    out.reserve(q.size());
    enum class State { Code, String, RawString, LineComment, BlockComment } state = State::Code;
    std::string problems;
    std::size_t i = 0;
    while (i < q.size()) {
        char c = q[i];
        if (state == State::LineComment) {
            out += c;
            ++i;
            if (c == '\n') state = State::Code;
            continue;
        }
        if (state == State::BlockComment) {
            if (q.compare(i, 2, "*/") == 0) {
                out += "*/";
                i += 2;
                state = State::Code;
            } else {
                out += c;
                ++i;
            }
            continue;
        }
        if (state == State::Code) {
            if (q.compare(i, 3, "\"\"\"") == 0) {
                out += "\"\"\"";
                i += 3;
                state = State::RawString;
                continue;
            }
            if (c == '"') {
                out += c;
                ++i;
                state = State::String;
                continue;
            }
            if (q.compare(i, 2, "//") == 0) {
                state = State::LineComment;
                continue;
            }
            if (q.compare(i, 2, "/*") == 0) {
                out += "/*";
                i += 2;
                state = State::BlockComment;
                continue;
            }
        } else if (state == State::String) {
            if (c == '\\' && i + 1 < q.size()) {
                out += c;
                out += q[i + 1];
                i += 2;
                continue;
            }
            if (c == '"') {
                out += c;
                ++i;
                state = State::Code;
                continue;
            }
        } else if (state == State::RawString) {
            if (q.compare(i, 3, "\"\"\"") == 0) {
                out += "\"\"\"";
                i += 3;
                state = State::Code;
                continue;
            }
        }
        std::string name;
        bool is_run = false;
        if (std::size_t len = placeholder_at(q, i, name, is_run)) {
            const auto& table = is_run ? run_facts : arguments;
            auto it = table.find(name);
            if (it == table.end()) {
                problems += (problems.empty() ? "" : "; ") +
                            (is_run ? "{" + name + "} is not known for this run (no run info)"
                                    : "#{" + name + "} is not an input argument of the test");
                out += q.substr(i, len);
            } else if (state == State::RawString) {
                if (it->second.find('"') != std::string::npos)
                    problems += (problems.empty() ? "" : "; ") + std::string("the value of ") +
                                name + " contains '\"', which a raw string cannot hold";
                else
                    out += it->second;
            } else if (state == State::String) {
                append_escaped(out, it->second);
            } else {
                out += eql_string_literal(it->second);
            }
            i += len;
            continue;
        }
        out += c;
        ++i;
    }
    if (!problems.empty()) return make_error(problems);
    return out;
}

namespace {

struct Lexer {
    std::string_view q;
    std::size_t i = 0;

    void skip_space() {
        while (i < q.size()) {
            if (std::isspace(static_cast<unsigned char>(q[i]))) {
                ++i;
            } else if (q.compare(i, 2, "//") == 0) {
                while (i < q.size() && q[i] != '\n') ++i;
            } else if (q.compare(i, 2, "/*") == 0) {
                auto e = q.find("*/", i + 2);
                i = e == std::string_view::npos ? q.size() : e + 2;
            } else {
                break;
            }
        }
    }
    // Reads a string literal at i (after skip_space); false if none.
    bool string_literal(std::string& out) {
        skip_space();
        out.clear();
        if (q.compare(i, 3, "\"\"\"") == 0) {
            auto e = q.find("\"\"\"", i + 3);
            if (e == std::string_view::npos) return false;
            out = std::string(q.substr(i + 3, e - i - 3));
            i = e + 3;
            return true;
        }
        if (i >= q.size() || q[i] != '"') return false;
        ++i;
        while (i < q.size() && q[i] != '"') {
            if (q[i] == '\\' && i + 1 < q.size()) {
                char n = q[i + 1];
                out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
                i += 2;
            } else {
                out += q[i++];
            }
        }
        if (i < q.size()) ++i;
        return true;
    }
    bool word(std::string_view w) {
        skip_space();
        if (q.compare(i, w.size(), w) != 0) return false;
        std::size_t e = i + w.size();
        if (e < q.size() && (std::isalnum(static_cast<unsigned char>(q[e])) || q[e] == '_'))
            return false;
        i = e;
        return true;
    }
    bool symbol(std::string_view s) {
        skip_space();
        if (q.compare(i, s.size(), s) != 0) return false;
        i += s.size();
        return true;
    }
};

}  // namespace

std::vector<std::string> event_action_literals(std::string_view query) {
    std::vector<std::string> out;
    constexpr std::string_view kField = "event.action";
    std::size_t pos = 0;
    while ((pos = query.find(kField, pos)) != std::string_view::npos) {
        // Skip field names that merely start with event.action, and negated uses.
        std::size_t end = pos + kField.size();
        bool part_of_longer = (end < query.size() &&
                               (std::isalnum(static_cast<unsigned char>(query[end])) ||
                                query[end] == '_' || query[end] == '.')) ||
                              (pos > 0 && (std::isalnum(static_cast<unsigned char>(query[pos - 1])) ||
                                           query[pos - 1] == '.' || query[pos - 1] == '_'));
        std::string_view before = query.substr(pos >= 5 ? pos - 5 : 0, pos >= 5 ? 5 : pos);
        bool negated = before.find("not") != std::string_view::npos;
        Lexer lx{query, end};
        pos = end;
        if (part_of_longer || negated) continue;
        std::string lit;
        if (lx.symbol("==") || lx.symbol(":") || lx.word("like~") || lx.word("like") ||
            lx.word("like")) {
            if (lx.string_literal(lit)) out.push_back(lit);
            else if (lx.symbol("("))
                while (lx.string_literal(lit)) {
                    out.push_back(lit);
                    if (!lx.symbol(",")) break;
                }
        } else if (lx.word("in~") || lx.word("in")) {
            if (lx.symbol("("))
                while (lx.string_literal(lit)) {
                    out.push_back(lit);
                    if (!lx.symbol(",")) break;
                }
        }
    }
    return out;
}

}  // namespace attest::expectations
