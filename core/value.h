// The event model: an ECS document of nested objects and arrays.
//
// Why this shape: collectors build millions of these and the EQL / expectations engines read
// fields from them in hot loops. An object is a small vector of (key, value) pairs in insertion
// order (ECS objects have a handful of members, so a linear scan beats hashing and keeps
// output order stable). Field lookup takes a dotted path as a string_view and resolves it
// through nested objects, flat dotted keys ("winlog.event_data" stored as one key) or a mix,
// without allocating and without re-parsing anything.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/json_buffer.h"

namespace attest {

class Value;
using Array = std::vector<Value>;
struct Member;
using Object = std::vector<Member>;

class Value {
public:
    enum class Kind : std::uint8_t { Null, Bool, Int, Double, String, Array, Object };

    Value() = default;
    Value(std::nullptr_t);
    Value(bool b);
    Value(int i);
    Value(unsigned i);
    Value(long i);
    Value(long long i);
    Value(unsigned long i);
    Value(unsigned long long i);
    Value(double d);
    Value(std::string s);
    Value(std::string_view s);
    Value(const char* s);
    Value(Array a);
    Value(Object o);

    static Value object();
    static Value array();

    Kind kind() const { return static_cast<Kind>(m_v.index()); }
    bool is_null() const { return kind() == Kind::Null; }
    bool is_bool() const { return kind() == Kind::Bool; }
    bool is_int() const { return kind() == Kind::Int; }
    bool is_double() const { return kind() == Kind::Double; }
    bool is_number() const { return is_int() || is_double(); }
    bool is_string() const { return kind() == Kind::String; }
    bool is_array() const { return kind() == Kind::Array; }
    bool is_object() const { return kind() == Kind::Object; }

    bool as_bool() const { return std::get<bool>(m_v); }
    std::int64_t as_int() const { return std::get<std::int64_t>(m_v); }
    double as_double() const { return std::get<double>(m_v); }
    // Numeric value of an Int or Double.
    double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_double(); }
    const std::string& as_string() const { return std::get<std::string>(m_v); }
    std::string& as_string() { return std::get<std::string>(m_v); }
    const Array& as_array() const { return std::get<Array>(m_v); }
    Array& as_array() { return std::get<Array>(m_v); }
    const Object& as_object() const { return std::get<Object>(m_v); }
    Object& as_object() { return std::get<Object>(m_v); }

    // Member lookup by exact key (no dots interpreted). nullptr if absent or not an object.
    const Value* get(std::string_view key) const;
    Value* get(std::string_view key);

    // Field lookup by dotted path: nested objects, flat dotted keys, or a mix (the first
    // match in member order). Never allocates. Returns nullptr when absent. Does not descend
    // into arrays; use for_each_at() where arrays of objects must be searched. Inline: the
    // EQL matcher and the engine call it for every event and field.
    const Value* find(std::string_view path) const;

    // Calls fn(const Value&) for every value reachable by the dotted path, descending through
    // arrays of objects on the way (ECS `dns.answers.data`). Leaf arrays are passed whole.
    template <class Fn>
    void for_each_at(std::string_view path, Fn&& fn) const;

    // Sets a member by exact key, replacing an existing one. Requires an object.
    Value& set_key(std::string_view key, Value v);
    // Sets a field by dotted path, creating nested objects as needed ("process.parent.name").
    Value& set(std::string_view path, Value v);
    // Removes a field by dotted path (nested). Returns true if something was removed.
    bool erase(std::string_view path);
    // Appends to an array (converts null to an empty array first).
    Value& push_back(Value v);

    bool operator==(const Value& other) const;
    bool operator!=(const Value& other) const { return !(*this == other); }

    // Serialization (compact JSON, UTF-8, control characters escaped).
    void append_json(std::string& out) const;
    void append_json(JsonBuffer& out) const;  // the fast path (attest events, NDJSON writers)
    std::string to_json() const;

private:
    friend struct Member;
    std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> m_v;
};

struct Member {
    std::string key;
    Value value;
};

// Appends a member to an object without looking for an existing one with that key: for
// collectors that write each key once (set_key searches first; this is their hot path).
inline Value& put_member(Value& obj, std::string_view key, Value v) {
    auto& o = obj.as_object();
    o.push_back(Member{std::string(key), std::move(v)});
    return o.back().value;
}

// Constructors are defined here, after Member is complete: instantiating the variant inside
// the class body needs a complete Member with clang (libstdc++ checks it).
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : m_v(b) {}
inline Value::Value(int i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(unsigned i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(long i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(long long i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(unsigned long i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(unsigned long long i) : m_v(static_cast<std::int64_t>(i)) {}
inline Value::Value(double d) : m_v(d) {}
inline Value::Value(std::string s) : m_v(std::move(s)) {}
inline Value::Value(std::string_view s) : m_v(std::string(s)) {}
inline Value::Value(const char* s) : m_v(std::string(s)) {}

namespace detail {
// Value::find's body. A free function over raw member pointers: written as a range-for member
// function, the same logic measured 5-10% slower in the EQL seed-rule benchmark (code layout).
inline const Value* find_in(const Value& v, std::string_view path) {
    if (!v.is_object()) return nullptr;
    const Object& obj = v.as_object();
    const Member* m = obj.data();
    const Member* end = m + obj.size();
    for (; m != end; ++m) {
        const std::string& k = m->key;
        const std::size_t n = k.size();
        if (n > path.size()) continue;
        if (n != 0 && k[0] != path[0]) continue;  // most keys are rejected on their first byte
        if (std::memcmp(path.data(), k.data(), n) != 0) continue;
        if (n == path.size()) return &m->value;
        if (path[n] != '.') continue;
        if (const Value* r = find_in(m->value, path.substr(n + 1))) return r;
    }
    return nullptr;
}
}  // namespace detail

inline const Value* Value::find(std::string_view path) const {
    return detail::find_in(*this, path);
}

// Appends `s` as a JSON string literal (with quotes) to `out`. Invalid UTF-8 bytes are
// replaced by U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);
void append_json_string(JsonBuffer& out, std::string_view s);

namespace detail {
// Splits "a.b.c" lookups: returns the member of `obj` whose key equals `path` or is a
// dotted prefix of it; `rest` receives the remainder after the dot (empty when exact).
template <class Fn>
void visit_path(const Value& v, std::string_view path, Fn& fn);
}  // namespace detail

template <class Fn>
void detail::visit_path(const Value& v, std::string_view path, Fn& fn) {
    if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (e.is_object()) visit_path(e, path, fn);
        return;
    }
    if (!v.is_object()) return;
    for (const auto& m : v.as_object()) {
        const std::string& k = m.key;
        if (k.size() > path.size()) continue;
        if (path.compare(0, k.size(), k) != 0) continue;
        if (k.size() == path.size()) {
            fn(m.value);
        } else if (path[k.size()] == '.') {
            visit_path(m.value, path.substr(k.size() + 1), fn);
        }
    }
}

template <class Fn>
void Value::for_each_at(std::string_view path, Fn&& fn) const {
    detail::visit_path(*this, path, fn);
}

// An event is an ECS document (an object Value) with the provenance kept beside it.
using Event = Value;

}  // namespace attest
