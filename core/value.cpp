#include "core/value.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace attest {

Value::Value(Array a) : m_v(std::move(a)) {}
Value::Value(Object o) : m_v(std::move(o)) {}

Value Value::object() { return Value(Object{}); }
Value Value::array() { return Value(Array{}); }

const Value* Value::get(std::string_view key) const {
    if (!is_object()) return nullptr;
    for (const auto& m : as_object())
        if (m.key == key) return &m.value;
    return nullptr;
}

Value* Value::get(std::string_view key) {
    return const_cast<Value*>(static_cast<const Value*>(this)->get(key));
}

const Value* Value::find(std::string_view path) const {
    if (!is_object()) return nullptr;
    for (const auto& m : as_object()) {
        const std::string& k = m.key;
        if (k.size() > path.size()) continue;
        if (std::memcmp(path.data(), k.data(), k.size()) != 0) continue;
        if (k.size() == path.size()) return &m.value;
        if (path[k.size()] != '.') continue;
        if (const Value* r = m.value.find(path.substr(k.size() + 1))) return r;
    }
    return nullptr;
}

Value& Value::set_key(std::string_view key, Value v) {
    if (is_null()) m_v = Object{};
    auto& obj = as_object();
    for (auto& m : obj)
        if (m.key == key) {
            m.value = std::move(v);
            return m.value;
        }
    obj.push_back(Member{std::string(key), std::move(v)});
    return obj.back().value;
}

Value& Value::set(std::string_view path, Value v) {
    Value* cur = this;
    while (true) {
        if (cur->is_null()) cur->m_v = Object{};
        auto dot = path.find('.');
        if (dot == std::string_view::npos) return cur->set_key(path, std::move(v));
        std::string_view head = path.substr(0, dot);
        Value* child = cur->get(head);
        if (child == nullptr || !child->is_object()) {
            child = &cur->set_key(head, Value::object());
        }
        cur = child;
        path = path.substr(dot + 1);
    }
}

bool Value::erase(std::string_view path) {
    if (!is_object()) return false;
    auto& obj = as_object();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (it->key == path) {
            obj.erase(it);
            return true;
        }
    }
    auto dot = path.find('.');
    while (dot != std::string_view::npos) {
        if (Value* child = get(path.substr(0, dot)))
            if (child->erase(path.substr(dot + 1))) return true;
        dot = path.find('.', dot + 1);
    }
    return false;
}

Value& Value::push_back(Value v) {
    if (is_null()) m_v = Array{};
    auto& a = as_array();
    a.push_back(std::move(v));
    return a.back();
}

bool Value::operator==(const Value& other) const {
    if (is_number() && other.is_number()) {
        if (is_int() && other.is_int()) return as_int() == other.as_int();
        return as_number() == other.as_number();
    }
    if (kind() != other.kind()) return false;
    switch (kind()) {
        case Kind::Null: return true;
        case Kind::Bool: return as_bool() == other.as_bool();
        case Kind::String: return as_string() == other.as_string();
        case Kind::Array: return as_array() == other.as_array();
        case Kind::Object: {
            const auto& a = as_object();
            const auto& b = other.as_object();
            if (a.size() != b.size()) return false;
            for (const auto& m : a) {
                const Value* o = other.get(m.key);
                if (o == nullptr || !(*o == m.value)) return false;
            }
            return true;
        }
        default: return false;
    }
}

namespace {

// Length of a valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    std::uint32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return 0;
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out.push_back('"');
    size_t i = 0;
    size_t run = 0;  // start of a run of bytes copied verbatim
    auto flush = [&](size_t end) { out.append(s.data() + run, end - run); };
    while (i < s.size()) {
        // Fast path: 8 bytes at a time while none needs escaping or UTF-8 checking (printable
        // ASCII other than '"' and '\\'), which is most of every string in ECS output.
        if (i + 8 <= s.size()) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
            auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
            std::uint64_t attention = (w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh) |
                                      has_zero(w ^ (0x22 * kOnes)) | has_zero(w ^ (0x5C * kOnes));
            if (attention == 0) {
                i += 8;
                continue;
            }
        }
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_sequence_length(s, i);
            if (n != 0) {
                i += n;
                continue;
            }
            flush(i);
            out.append("\xEF\xBF\xBD");
            ++i;
            run = i;
            continue;
        }
        flush(i);
        switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\b': out.append("\\b"); break;
            case '\f': out.append("\\f"); break;
            default:
                out.append("\\u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xF]);
        }
        ++i;
        run = i;
    }
    flush(i);
    out.push_back('"');
}

void Value::append_json(std::string& out) const {
    switch (kind()) {
        case Kind::Null: out.append("null"); break;
        case Kind::Bool: out.append(as_bool() ? "true" : "false"); break;
        case Kind::Int: {
            char buf[24];
            auto r = std::to_chars(buf, buf + sizeof buf, as_int());
            out.append(buf, r.ptr);
            break;
        }
        case Kind::Double: {
            double d = as_double();
            if (!std::isfinite(d)) {
                out.append("null");
                break;
            }
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, d);
            out.append(buf, r.ptr);
            break;
        }
        case Kind::String: append_json_string(out, as_string()); break;
        case Kind::Array: {
            out.push_back('[');
            bool first = true;
            for (const auto& e : as_array()) {
                if (!first) out.push_back(',');
                first = false;
                e.append_json(out);
            }
            out.push_back(']');
            break;
        }
        case Kind::Object: {
            out.push_back('{');
            bool first = true;
            for (const auto& m : as_object()) {
                if (!first) out.push_back(',');
                first = false;
                append_json_string(out, m.key);
                out.push_back(':');
                m.value.append_json(out);
            }
            out.push_back('}');
            break;
        }
    }
}

std::string Value::to_json() const {
    std::string s;
    append_json(s);
    return s;
}

}  // namespace attest
