// Conversion between the event model and nlohmann::json (for NDJSON input, files, configs).
// Works with nlohmann::json and nlohmann::ordered_json (the latter keeps member order, which
// is what "the input objects as read" needs).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/value.h"

namespace attest {

template <class Json>
Value value_from_json(const Json& j) {
    using T = typename Json::value_t;
    switch (j.type()) {
        case T::null: return Value();
        case T::boolean: return Value(j.template get<bool>());
        case T::number_integer: return Value(j.template get<std::int64_t>());
        case T::number_unsigned: {
            auto u = j.template get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
            return Value(static_cast<std::int64_t>(u));
        }
        case T::number_float: return Value(j.template get<double>());
        case T::string: return Value(j.template get_ref<const std::string&>());
        case T::array: {
            Array a;
            a.reserve(j.size());
            for (const auto& e : j) a.push_back(value_from_json(e));
            return Value(std::move(a));
        }
        case T::object: {
            Object o;
            o.reserve(j.size());
            for (auto it = j.begin(); it != j.end(); ++it)
                o.push_back(Member{it.key(), value_from_json(it.value())});
            return Value(std::move(o));
        }
        default: return Value();
    }
}

template <class Json = nlohmann::ordered_json>
Json value_to_json(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::Null: return nullptr;
        case Value::Kind::Bool: return v.as_bool();
        case Value::Kind::Int: return v.as_int();
        case Value::Kind::Double: return v.as_double();
        case Value::Kind::String: return v.as_string();
        case Value::Kind::Array: {
            auto a = Json::array();
            for (const auto& e : v.as_array()) a.push_back(value_to_json<Json>(e));
            return a;
        }
        case Value::Kind::Object: {
            auto o = Json::object();
            for (const auto& m : v.as_object()) o[m.key] = value_to_json<Json>(m.value);
            return o;
        }
    }
    return nullptr;
}

// Parses one JSON text into a Value, keeping member order. Throws nlohmann::json::parse_error.
Value parse_json_value(std::string_view text);

}  // namespace attest
