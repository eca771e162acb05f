#include "expectations/eql/rule.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/diagnostics.h"
#include "core/timeutil.h"
#include "core/utf8.h"

namespace attest::eql {
namespace {

// One scalar of a TOML document, flattened to its full dotted key ("rule.threat.technique.id").
struct TomlEntry {
    std::string key;
    std::string text;     // strings as decoded; other scalars as written
    bool is_string = false;
    std::uint64_t line = 0, column = 0;  // where the value starts
    std::uint64_t content_line = 0, content_column = 0;  // where a string's content starts
    std::size_t table_index = 0;  // which `[[array.of.tables]]` element it belongs to (0: none)
};

struct TomlError {
    std::size_t offset;
    std::string message;
};

// The TOML subset detection-rules files use. Flattens every scalar (array elements included)
// to (full key, value); arrays of tables just repeat their keys.
class TomlReader {
public:
    explicit TomlReader(std::string_view text) : m_t(text) {}

    std::vector<TomlEntry> read() {
        while (true) {
            skip_ws_comments_newlines();
            if (eof()) break;
            if (peek() == '[') {
                bool array = m_i + 1 < m_t.size() && m_t[m_i + 1] == '[';
                m_i += array ? 2 : 1;
                skip_inline_ws();
                m_table = read_key();
                if (array) ++m_table_index;
                skip_inline_ws();
                if (!consume(']') || (array && !consume(']'))) fail(array ? "expected ']]' to close the table header" : "expected ']' to close the table header");
                end_of_line();
                continue;
            }
            std::string key = read_key();
            skip_inline_ws();
            if (!consume('=')) fail("expected '=' after key '" + key + "'");
            skip_inline_ws();
            read_value(m_table.empty() ? key : m_table + "." + key, 0);
            end_of_line();
        }
        return std::move(m_entries);
    }

    void position(std::size_t offset, std::uint64_t& line, std::uint64_t& column) const {
        offset_to_line_column(m_t, offset, line, column);
    }

private:
    [[noreturn]] void fail(std::string m) const { throw TomlError{m_i, std::move(m)}; }
    bool eof() const { return m_i >= m_t.size(); }
    char peek() const { return m_t[m_i]; }
    bool consume(char c) {
        if (!eof() && peek() == c) {
            ++m_i;
            return true;
        }
        return false;
    }
    void skip_inline_ws() {
        while (!eof() && (peek() == ' ' || peek() == '\t')) ++m_i;
    }
    void skip_comment() {
        if (!eof() && peek() == '#')
            while (!eof() && peek() != '\n') ++m_i;
    }
    void skip_ws_comments_newlines() {
        while (!eof()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') ++m_i;
            else if (c == '#') skip_comment();
            else break;
        }
    }
    void end_of_line() {
        skip_inline_ws();
        skip_comment();
        if (eof()) return;
        if (peek() == '\r') ++m_i;
        if (!consume('\n')) fail("expected the end of the line");
    }

    std::string read_key() {
        std::string key;
        while (true) {
            skip_inline_ws();
            if (eof()) fail("expected a key");
            char c = peek();
            if (c == '"' || c == '\'') {
                key += read_string_value();
            } else {
                std::size_t start = m_i;
                while (!eof() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '-')) ++m_i;
                if (m_i == start) fail("expected a key");
                key.append(m_t.substr(start, m_i - start));
            }
            skip_inline_ws();
            if (!consume('.')) return key;
            key.push_back('.');
        }
    }

    void add(std::string key, std::string text, bool is_string, std::size_t at, std::size_t content_at) {
        TomlEntry e;
        e.key = std::move(key);
        e.text = std::move(text);
        e.is_string = is_string;
        e.table_index = m_table_index;
        position(at, e.line, e.column);
        position(content_at, e.content_line, e.content_column);
        m_entries.push_back(std::move(e));
    }

    void read_value(const std::string& key, int depth) {
        if (depth > 32) fail("values nested too deeply");
        if (eof()) fail("expected a value");
        std::size_t at = m_i;
        char c = peek();
        if (c == '"' || c == '\'') {
            std::string s = read_string_value();
            add(key, std::move(s), true, at, m_content_start);
            return;
        }
        if (c == '[') {
            ++m_i;
            while (true) {
                skip_ws_comments_newlines();
                if (consume(']')) return;
                read_value(key, depth + 1);
                skip_ws_comments_newlines();
                if (consume(',')) continue;
                if (consume(']')) return;
                fail("expected ',' or ']' in array");
            }
        }
        if (c == '{') {
            ++m_i;
            skip_inline_ws();
            if (consume('}')) return;
            while (true) {
                std::string k = read_key();
                skip_inline_ws();
                if (!consume('=')) fail("expected '=' in inline table");
                skip_inline_ws();
                read_value(key + "." + k, depth + 1);
                skip_inline_ws();
                if (consume(',')) continue;
                if (consume('}')) return;
                fail("expected ',' or '}' in inline table");
            }
        }
        // Numbers, booleans, dates: taken as written.
        std::size_t start = m_i;
        while (!eof() && peek() != ',' && peek() != ']' && peek() != '}' && peek() != '\n' && peek() != '\r' && peek() != '#')
            ++m_i;
        std::string_view raw = m_t.substr(start, m_i - start);
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
        if (raw.empty()) fail("expected a value");
        add(key, std::string(raw), false, at, at);
    }

    std::string read_string_value() {
        char q = peek();
        bool multi = m_t.substr(m_i, 3) == std::string(3, q);
        std::string out;
        if (multi) {
            m_i += 3;
            // A newline right after the opening delimiter is not part of the string.
            if (!eof() && peek() == '\r') ++m_i;
            if (!eof() && peek() == '\n') ++m_i;
            m_content_start = m_i;
            std::string delim(3, q);
            while (true) {
                if (eof()) fail("unterminated multi-line string");
                if (m_t.substr(m_i, 3) == delim) {
                    // Up to two extra quotes before the delimiter belong to the string.
                    std::size_t extra = 0;
                    while (extra < 2 && m_i + 3 + extra < m_t.size() && m_t[m_i + 3 + extra] == q) ++extra;
                    out.append(extra, q);
                    m_i += 3 + extra;
                    return out;
                }
                if (q == '"' && peek() == '\\') {
                    // Line-ending backslash trims the newline and the following white space.
                    std::size_t j = m_i + 1;
                    while (j < m_t.size() && (m_t[j] == ' ' || m_t[j] == '\t')) ++j;
                    if (j < m_t.size() && (m_t[j] == '\n' || m_t[j] == '\r')) {
                        m_i = j;
                        while (!eof() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++m_i;
                        continue;
                    }
                    escape(out);
                    continue;
                }
                out.push_back(peek());
                ++m_i;
            }
        }
        ++m_i;
        m_content_start = m_i;
        while (true) {
            if (eof() || peek() == '\n') fail("unterminated string");
            char c = peek();
            if (c == q) {
                ++m_i;
                return out;
            }
            if (q == '"' && c == '\\') {
                escape(out);
                continue;
            }
            out.push_back(c);
            ++m_i;
        }
    }

    void escape(std::string& out) {
        ++m_i;
        if (eof()) fail("unterminated escape");
        char e = peek();
        ++m_i;
        switch (e) {
            case 'n': out.push_back('\n'); return;
            case 't': out.push_back('\t'); return;
            case 'r': out.push_back('\r'); return;
            case 'b': out.push_back('\b'); return;
            case 'f': out.push_back('\f'); return;
            case '"': out.push_back('"'); return;
            case '\\': out.push_back('\\'); return;
            case 'u':
            case 'U': {
                std::size_t n = e == 'u' ? 4 : 8;
                if (m_i + n > m_t.size()) fail("bad unicode escape");
                std::uint32_t cp = 0;
                for (std::size_t k = 0; k < n; ++k) {
                    char h = m_t[m_i + k];
                    if (!std::isxdigit(static_cast<unsigned char>(h))) fail("bad unicode escape");
                    cp = cp * 16 + static_cast<std::uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                m_i += n;
                if (cp > 0x10FFFF) fail("bad unicode escape");
                append_utf8(out, cp);
                return;
            }
            default: --m_i; fail(std::string("invalid escape '\\") + e + "'");
        }
    }

    std::string_view m_t;
    std::size_t m_i = 0;
    std::size_t m_content_start = 0;
    std::string m_table;
    std::size_t m_table_index = 0;
    std::vector<TomlEntry> m_entries;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string located(std::string_view origin, std::uint64_t line, std::uint64_t column, const std::string& message) {
    return std::string(origin) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void read_threshold(const TomlEntry& e, Rule& r) {
    if (!r.threshold) r.threshold.emplace();
    std::uint64_t n = std::strtoull(e.text.c_str(), nullptr, 10);
    if (e.key == "rule.threshold.field") r.threshold->fields.push_back(e.text);
    else if (e.key == "rule.threshold.value") r.threshold->value = n;
    else if (e.key == "rule.threshold.cardinality.field") r.threshold->cardinality_field = e.text;
    else if (e.key == "rule.threshold.cardinality.value") r.threshold->cardinality_value = n;
}

// `[[rule.filters]]` elements: `meta.negate` / `meta.disabled` and one `query.<kind>` each.
// The field name of `query.<kind>."<field>"[.value|.query|.case_insensitive]` is what
// remains of the flattened key once the kind and the known suffix are taken off.
Expected<std::vector<RuleFilter>> read_filters(const std::vector<TomlEntry>& entries, std::string_view origin) {
    std::vector<RuleFilter> out;
    std::size_t current = 0;
    static const std::string kPrefix = "rule.filters.";
    for (const auto& e : entries) {
        if (e.key.rfind(kPrefix, 0) != 0) continue;
        if (out.empty() || e.table_index != current) {
            out.emplace_back();
            out.back().line = e.line;
            out.back().column = e.column;
            current = e.table_index;
        }
        RuleFilter& f = out.back();
        std::string_view rest = std::string_view(e.key).substr(kPrefix.size());
        if (rest == "meta.negate") f.negate = e.text == "true";
        else if (rest == "meta.disabled") f.disabled = e.text == "true";
        else if (rest.rfind("query.", 0) == 0) {
            rest.remove_prefix(6);
            auto dot = rest.find('.');
            std::string kind(rest.substr(0, dot));
            if (!f.kind.empty() && f.kind != kind)
                return make_error(located(origin, e.line, e.column, "a filter holds one query, found '" + f.kind + "' and '" + kind + "'"));
            f.kind = kind;
            std::string_view field = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
            if (kind == "exists") {
                f.field = e.text;
                continue;
            }
            if (ends_with(field, ".case_insensitive")) {
                f.case_insensitive = e.text == "true";
                f.field = field.substr(0, field.size() - 17);
                continue;
            }
            for (std::string_view suffix : {".value", ".query", ".boost"})
                if (ends_with(field, suffix)) {
                    if (suffix == ".boost") field = {};
                    else field.remove_suffix(suffix.size());
                    break;
                }
            if (field.empty()) continue;
            f.field = field;
            f.values.push_back(e.text);
        }
    }
    std::erase_if(out, [](const RuleFilter& f) { return f.kind.empty() && !f.disabled; });
    return out;
}

// The vocabulary one index pattern implies: `logs-endpoint*` (with or without the dot) is
// Elastic Defend; the Windows integration, Winlogbeat and the system integration are Sysmon.
std::optional<Profile> pattern_profile(std::string_view p) {
    if (p.rfind("logs-endpoint", 0) == 0) return Profile::Endpoint;
    if (p.rfind("logs-windows", 0) == 0 || p.rfind("winlogbeat-", 0) == 0 || p.rfind("logs-system", 0) == 0)
        return Profile::Sysmon;
    return std::nullopt;
}
}  // namespace

std::optional<Profile> profile_from_index(const std::vector<std::string>& patterns) {
    std::optional<Profile> found;
    for (const auto& p : patterns) {
        std::optional<Profile> this_one = pattern_profile(p);
        if (!this_one) continue;
        if (found && *found != *this_one) return std::nullopt;
        found = this_one;
    }
    return found;
}

bool index_names_both_vocabularies(const std::vector<std::string>& patterns) {
    bool endpoint = false, sysmon = false;
    for (const auto& p : patterns) {
        auto v = pattern_profile(p);
        endpoint |= v == Profile::Endpoint;
        sysmon |= v == Profile::Sysmon;
    }
    return endpoint && sysmon;
}

std::optional<std::int64_t> schedule_interval_ns(std::string_view text) {
    return parse_duration_ns(text, DurationSyntax{false, ""});
}

std::optional<std::int64_t> schedule_lookback_ns(std::string_view text) {
    if (text.rfind("now-", 0) != 0) return std::nullopt;
    return schedule_interval_ns(text.substr(4));
}

namespace {

Expected<void> read_schedule(const TomlEntry& e, Rule& r, std::string_view origin) {
    bool from = e.key == "rule.from";
    auto ns = !e.is_string ? std::nullopt
              : from       ? schedule_lookback_ns(e.text)
                           : schedule_interval_ns(e.text);
    if (!ns)
        return make_error(
            located(origin, e.line, e.column,
                    e.key + " '" + e.text + "' is not " +
                        (from ? "now-DURATION (e.g. now-6m)" : "a duration (e.g. 5m)")));
    (from ? r.lookback_ns : r.interval_ns) = *ns;
    return {};
}

}  // namespace

Expected<Rule> parse_rule(std::string_view text, std::string_view origin, bool toml) {
    Rule r;
    r.path.assign(origin);
    if (!toml) {
        r.type = "eql";
        r.query.assign(text);
        std::string_view base = origin;
        if (auto slash = base.rfind('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
        r.name.assign(base);
        return r;
    }
    std::vector<TomlEntry> entries;
    TomlReader reader(text);
    try {
        entries = reader.read();
    } catch (const TomlError& e) {
        std::uint64_t line, column;
        reader.position(e.offset, line, column);
        return make_error(located(origin, line, column, e.message));
    }
    const TomlEntry* query = nullptr;
    for (const auto& e : entries) {
        if (e.key == "rule.name") r.name = e.text;
        else if (e.key == "rule.rule_id") r.rule_id = e.text;
        else if (e.key == "rule.language") r.language = e.text;
        else if (e.key == "rule.type") r.type = e.text;
        else if (e.key == "rule.index") r.index.push_back(e.text);
        else if (e.key == "rule.query") query = &e;
        else if (e.key == "rule.interval" || e.key == "rule.from") {
            if (auto f = read_schedule(e, r, origin); !f) return f.error();
        } else if (e.key.rfind("rule.threshold.", 0) == 0)
            read_threshold(e, r);
        else if (e.key == "rule.new_terms.value") r.new_terms_fields.push_back(e.text);
        else if (ends_with(e.key, "technique.id") || ends_with(e.key, "subtechnique.id")) {
            if (std::find(r.techniques.begin(), r.techniques.end(), e.text) == r.techniques.end()) r.techniques.push_back(e.text);
        }
    }
    if (auto f = read_filters(entries, origin); !f) return make_error(f.error().message);
    else r.filters = std::move(*f);
    if (r.type.empty()) r.type = r.language == "eql" ? "eql" : "query";
    if (query == nullptr && r.type != "machine_learning") return make_error(std::string(origin) + ": no [rule] query in this file");
    if (query != nullptr && !query->is_string) return make_error(located(origin, query->line, query->column, "rule.query must be a string"));
    if (query != nullptr) {
        r.query = query->text;
        r.query_line = query->content_line;
        r.query_column = query->content_column;
    }
    r.profile = profile_from_index(r.index);
    r.profile_from_data = index_names_both_vocabularies(r.index);
    return r;
}

Expected<Rule> load_rule(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot open rule file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return make_error(path + ": read error");
    return parse_rule(ss.str(), path, ends_with(path, ".toml"));
}

Expected<std::shared_ptr<const Query>> compile_rule(const Rule& rule, const QueryOptions& options) {
    return compile_at(rule.query, rule.path, options, rule.query_line, rule.query_column);
}

}  // namespace attest::eql
