#include "reports/text.h"

#include <cstdio>

#include "core/utf8.h"

namespace attest::reports {

namespace {

constexpr std::uint32_t kInvalid = 0xFFFFFFFF;

// Decodes one code point at s[i]; advances i. Returns kInvalid for a malformed sequence
// (overlong, surrogate, out of range, truncated) after consuming one byte.
std::uint32_t decode(std::string_view s, std::size_t& i) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    int len = 0;
    std::uint32_t cp = 0, min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        ++i;
        return kInvalid;
    }
    if (i + static_cast<std::size_t>(len) > s.size()) {
        ++i;
        return kInvalid;
    }
    for (int k = 1; k < len; ++k) {
        auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return kInvalid;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kInvalid;
    }
    i += static_cast<std::size_t>(len);
    return cp;
}

void append_visible_escape(std::string& out, std::uint32_t cp) {
    static const char kHex[] = "0123456789abcdef";
    if (cp <= 0xFF) {
        out += "\\x";
        out.push_back(kHex[(cp >> 4) & 0xF]);
        out.push_back(kHex[cp & 0xF]);
    } else {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(cp >> shift) & 0xF]);
    }
}

// Characters that must not appear literally: C0 controls except tab/LF/CR, DEL and C1
// controls (invisible, and some terminals/browsers act on them), U+FFFE/U+FFFF.
bool forbidden(std::uint32_t cp) {
    if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
    if (cp >= 0x7F && cp <= 0x9F) return true;
    return cp == 0xFFFE || cp == 0xFFFF;
}

enum class Context { HtmlText, HtmlAttr, XmlText, XmlAttr };

template <Context C>
void append_escaped(std::string& out, std::string_view s) {
    out.reserve(out.size() + s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        // Fast path for the common run of harmless ASCII.
        std::size_t start = i;
        while (i < s.size()) {
            char c = s[i];
            auto u = static_cast<unsigned char>(c);
            if (u >= 0x80 || u < 0x20 || u == 0x7F || c == '&' || c == '<' || c == '>' ||
                c == '"' || c == '\'' || c == '`')
                break;
            ++i;
        }
        out.append(s.data() + start, i - start);
        if (i >= s.size()) break;
        std::uint32_t cp = decode(s, i);
        if (cp == kInvalid) {
            out += "\xEF\xBF\xBD";
            continue;
        }
        if (forbidden(cp)) {
            append_visible_escape(out, cp);
            continue;
        }
        switch (cp) {
            case '&':
                out += "&amp;";
                continue;
            case '<':
                out += "&lt;";
                continue;
            case '>':
                out += "&gt;";
                continue;
            default:
                break;
        }
        if constexpr (C == Context::HtmlAttr || C == Context::XmlAttr) {
            if (cp == '"') {
                out += "&quot;";
                continue;
            }
            if (cp == '\'') {
                out += "&#39;";
                continue;
            }
        }
        if constexpr (C == Context::HtmlAttr) {
            if (cp == '`') {
                out += "&#96;";
                continue;
            }
        }
        if constexpr (C == Context::XmlAttr) {
            if (cp == '\t') {
                out += "&#9;";
                continue;
            }
            if (cp == '\n') {
                out += "&#10;";
                continue;
            }
            if (cp == '\r') {
                out += "&#13;";
                continue;
            }
        }
        if constexpr (C == Context::XmlText) {
            // A bare CR would be normalised away by XML parsers.
            if (cp == '\r') {
                out += "&#13;";
                continue;
            }
        }
        append_utf8(out, cp);
    }
}

}  // namespace

void append_html_text(std::string& out, std::string_view s) {
    append_escaped<Context::HtmlText>(out, s);
}
void append_html_attr(std::string& out, std::string_view s) {
    append_escaped<Context::HtmlAttr>(out, s);
}
void append_xml_text(std::string& out, std::string_view s) {
    append_escaped<Context::XmlText>(out, s);
}
void append_xml_attr(std::string& out, std::string_view s) {
    append_escaped<Context::XmlAttr>(out, s);
}

std::string html_text(std::string_view s) {
    std::string out;
    append_html_text(out, s);
    return out;
}

std::string html_attr(std::string_view s) {
    std::string out;
    append_html_attr(out, s);
    return out;
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        std::uint32_t cp = decode(s, i);
        if (cp == kInvalid)
            out += "\xEF\xBF\xBD";
        else
            append_utf8(out, cp);
    }
    return out;
}

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_json(const nlohmann::ordered_json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string json_for_script(const nlohmann::json& j) {
    std::string raw = dump_json(j);
    std::string out;
    out.reserve(raw.size() + 16);
    // Outside strings JSON has none of these characters, so replacing bytes is safe.
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else if (c == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
                 (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
            out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else
            out.push_back(c);
    }
    return out;
}

std::string_view cut_utf8(std::string_view s, std::size_t max_bytes, std::size_t& rest) {
    if (s.size() <= max_bytes) {
        rest = 0;
        return s;
    }
    std::size_t end = max_bytes;
    // Back up to a code point boundary so the cut never produces a broken sequence.
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    rest = s.size() - end;
    return s.substr(0, end);
}

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
    static const nlohmann::json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

const nlohmann::json& list(const nlohmann::json& j, const char* key) {
    static const nlohmann::json kEmpty = nlohmann::json::array();
    const auto& m = member(j, key);
    return m.is_array() ? m : kEmpty;
}

bool has(const nlohmann::json& j, const char* key) {
    return !member(j, key).is_null();
}

std::string display(const nlohmann::json& j) {
    if (j.is_string()) return j.get_ref<const std::string&>();
    if (j.is_null()) return "";
    return dump_json(j);
}

std::string text(const nlohmann::json& j, const char* key, std::string fallback) {
    const auto& m = member(j, key);
    if (m.is_string()) return m.get_ref<const std::string&>();
    if (m.is_number() || m.is_boolean()) return dump_json(m);
    return fallback;
}

std::int64_t integer(const nlohmann::json& j, const char* key, std::int64_t fallback) {
    const auto& m = member(j, key);
    if (m.is_number_integer()) return m.get<std::int64_t>();
    if (m.is_number_unsigned()) {
        auto u = m.get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(u);
    }
    if (m.is_number_float()) {
        double d = m.get<double>();
        if (d != d || d > 9e18 || d < -9e18) return fallback;
        return static_cast<std::int64_t>(d);
    }
    return fallback;
}

bool flag(const nlohmann::json& j, const char* key, bool fallback) {
    const auto& m = member(j, key);
    return m.is_boolean() ? m.get<bool>() : fallback;
}

std::string siem_summary(const nlohmann::json& detection) {
    const auto& siem = member(detection, "siem");
    if (!siem.is_object()) return "";
    std::string line = text(siem, "siem", "siem") + ": " + text(siem, "verdict", "?");
    // The qualifiers of not_fired and rule_missing (docs/results-schema.md).
    if (std::string t = text(siem, "telemetry", ""); !t.empty()) line += " (telemetry " + t + ")";
    if (text(siem, "verdict", "") == "rule_missing")
        line += " (" + text(siem, "rule_status", "?") + ")";
    const auto& latency = member(siem, "latency_seconds");
    if (latency.is_number()) {
        char buf[48];
        std::snprintf(buf, sizeof buf, ", alert latency %.1f s", latency.get<double>());
        line += buf;
    }
    return line;
}

bool detection_passed(const nlohmann::json& detection) {
    bool local = flag(detection, "passed", text(detection, "verdict") == "fired");
    const auto& siem = member(detection, "siem");
    return local && (!siem.is_object() || flag(siem, "passed"));
}

}  // namespace attest::reports
