#include "core/value.h"

#include "core/utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
// The SSE2 fast path may load 16 bytes past the end of a short string when they lie in the
// same page (so the load cannot fault; the extra bytes are masked off). Sanitizers cannot tell
// that from a bug, so their builds keep the portable path.
#if defined(__SSE2__) && !defined(__SANITIZE_ADDRESS__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define ATTEST_JSON_SSE2 0
#endif
#endif
#ifndef ATTEST_JSON_SSE2
#define ATTEST_JSON_SSE2 1
#endif
#else
#define ATTEST_JSON_SSE2 0
#endif
#if ATTEST_JSON_SSE2
#include <emmintrin.h>
#endif

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

#if ATTEST_JSON_SSE2
// True when 16 bytes from p stay inside p's 4 KiB page.
inline bool page_safe_16(const char* p) { return (reinterpret_cast<std::uintptr_t>(p) & 4095) <= 4096 - 16; }
#endif

}  // namespace

namespace {

// Writes the JSON string literal of `s` at `w` (room for 6 * size + 18 bytes reserved) and
// returns the end. Printable ASCII other than '"' and '\\' is copied 16 bytes at a time; the
// first byte of a block that needs attention is handled on its own.
char* write_json_string(char* w, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    const char* p = s.data();
    const std::size_t n = s.size();
    *w++ = '"';
    std::size_t i = 0;
    while (i < n) {
#if ATTEST_JSON_SSE2
        if (i + 16 <= n || page_safe_16(p + i)) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also flags them.
            __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
            std::size_t avail = n - i < 16 ? n - i : 16;
            if (avail < 16) mask &= (1u << avail) - 1;  // bytes past the end
            // The 16 bytes are stored whole (the reserve has room); only the clean ones count.
            _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
            std::size_t clean = mask == 0 ? avail : static_cast<std::size_t>(__builtin_ctz(mask));
            w += clean;
            i += clean;
            if (mask == 0) continue;
        }
#endif
        auto c = static_cast<unsigned char>(p[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *w++ = static_cast<char>(c);
            ++i;
            continue;
        }
        if (c >= 0x80) {
            std::size_t len = utf8_sequence_length(s, i);
            if (len != 0) {
                std::memcpy(w, p + i, len);
                w += len;
                i += len;
            } else {
                std::memcpy(w, "\xEF\xBF\xBD", 3);
                w += 3;
                ++i;
            }
            continue;
        }
        *w++ = '\\';
        switch (c) {
            case '"': *w++ = '"'; break;
            case '\\': *w++ = '\\'; break;
            case '\n': *w++ = 'n'; break;
            case '\r': *w++ = 'r'; break;
            case '\t': *w++ = 't'; break;
            case '\b': *w++ = 'b'; break;
            case '\f': *w++ = 'f'; break;
            default:
                std::memcpy(w, "u00", 3);
                w[3] = hex[c >> 4];
                w[4] = hex[c & 0xF];
                w += 5;
        }
        ++i;
    }
    *w++ = '"';
    return w;
}

// The serializer's scratch buffer for the std::string overloads.
JsonBuffer& scratch() {
    thread_local JsonBuffer buffer;
    buffer.clear();
    return buffer;
}

}  // namespace

void append_json_string(JsonBuffer& out, std::string_view s) {
    out.commit(write_json_string(out.reserve(6 * s.size() + 18), s));
}

void append_json_string(std::string& out, std::string_view s) {
    JsonBuffer& b = scratch();
    append_json_string(b, s);
    out.append(b.data(), b.size());
}

void Value::append_json(JsonBuffer& out) const {
    switch (kind()) {
        case Kind::Null: out.append("null", 4); break;
        case Kind::Bool: as_bool() ? out.append("true", 4) : out.append("false", 5); break;
        case Kind::Int: {
            char* w = out.reserve(24);
            out.commit(std::to_chars(w, w + 24, as_int()).ptr);
            break;
        }
        case Kind::Double: {
            double d = as_double();
            if (!std::isfinite(d)) {
                out.append("null", 4);
                break;
            }
            char* w = out.reserve(32);
            out.commit(std::to_chars(w, w + 32, d).ptr);
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
                // The separator, the key and the colon under one reserve.
                char* w = out.reserve(6 * m.key.size() + 20);
                if (!first) *w++ = ',';
                first = false;
                w = write_json_string(w, m.key);
                *w++ = ':';
                out.commit(w);
                m.value.append_json(out);
            }
            out.push_back('}');
            break;
        }
    }
}

void Value::append_json(std::string& out) const {
    JsonBuffer& b = scratch();
    append_json(b);
    out.append(b.data(), b.size());
}

std::string Value::to_json() const {
    std::string s;
    append_json(s);
    return s;
}

}  // namespace attest
