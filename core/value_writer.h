// Writing a value over an old one, reusing its storage: how a collector fills a recycled event.
//
// Why: a collector's decoding thread builds every event from scratch, and the event dies on
// that thread when the consumer is done with it (telemetry/stream.cpp). With ~100 members per
// event, allocating and destroying them was the larger part of decoding an audit log. Events
// of one source have the same few shapes, so writing event n+1 over the storage of a dead
// event overwrites keys and strings in place (a string keeps its buffer) and allocates only
// where the new event is larger.
//
// The writers overwrite in order and drop what is left over when they end, so the result is
// exactly what was written, whatever the old value held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/value.h"

namespace attest {

// Makes `slot` the string `s`, keeping the buffer of the string it held.
inline void assign_string(Value& slot, std::string_view s) {
    if (slot.is_string())
        slot.as_string().assign(s.data(), s.size());
    else
        slot = Value(s);
}

// Writes an object's members, in order, over what `v` held. put() returns the next member's
// value slot with its old content: assign it whole (assign_string, a nested writer, or
// `= Value(...)`). put() may move the members, so finish with a slot (nested writers
// included) before the next put(); at() reaches a slot written before.
class ObjectWriter {
public:
    explicit ObjectWriter(Value& v) : m_obj(&object_of(v)) {}
    ~ObjectWriter() {
        m_obj->erase(m_obj->begin() + static_cast<std::ptrdiff_t>(m_n), m_obj->end());
    }
    ObjectWriter(const ObjectWriter&) = delete;
    ObjectWriter& operator=(const ObjectWriter&) = delete;

    Value& put(std::string_view key) {
        if (m_n == m_obj->size()) m_obj->emplace_back();
        Member& m = (*m_obj)[m_n++];
        if (m.key != key) m.key.assign(key.data(), key.size());
        return m.value;
    }
    void put(std::string_view key, std::string_view s) { assign_string(put(key), s); }
    void put(std::string_view key, std::int64_t n) { put(key) = Value(n); }

    std::size_t size() const { return m_n; }
    Value& at(std::size_t i) { return (*m_obj)[i].value; }
    // A member written so far, by exact key; nullptr when there is none.
    const Value* written(std::string_view key) const {
        for (std::size_t i = 0; i < m_n; ++i)
            if ((*m_obj)[i].key == key) return &(*m_obj)[i].value;
        return nullptr;
    }

private:
    static Object& object_of(Value& v) {
        if (!v.is_object()) v = Value::object();
        return v.as_object();
    }

    Object* m_obj;
    std::size_t m_n = 0;
};

// The same for an array's elements.
class ArrayWriter {
public:
    explicit ArrayWriter(Value& v) : m_arr(&array_of(v)) {}
    ~ArrayWriter() {
        m_arr->erase(m_arr->begin() + static_cast<std::ptrdiff_t>(m_n), m_arr->end());
    }
    ArrayWriter(const ArrayWriter&) = delete;
    ArrayWriter& operator=(const ArrayWriter&) = delete;

    Value& push() {
        if (m_n == m_arr->size()) m_arr->emplace_back();
        return (*m_arr)[m_n++];
    }
    void push(std::string_view s) { assign_string(push(), s); }
    std::size_t size() const { return m_n; }

private:
    static Array& array_of(Value& v) {
        if (!v.is_array()) v = Value::array();
        return v.as_array();
    }

    Array* m_arr;
    std::size_t m_n = 0;
};

}  // namespace attest
