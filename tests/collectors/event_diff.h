// The dotted path of the first difference between two events, for test messages that name the
// field instead of dumping both documents.
#pragma once

#include <string>

#include "core/value.h"

namespace attest::testing_support {

inline std::string first_difference(const Value& a, const Value& b, const std::string& path = "") {
    auto join = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
    if (a.kind() != b.kind())
        return (path.empty() ? "(root)" : path) + ": " + a.to_json() + " vs " + b.to_json();
    if (a.is_object()) {
        const Object& x = a.as_object();
        const Object& y = b.as_object();
        for (std::size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
            if (i >= x.size()) return join(y[i].key) + " (only in the expected event)";
            if (i >= y.size()) return join(x[i].key) + " (not in the expected event)";
            if (x[i].key != y[i].key) return join(x[i].key) + " (expected " + y[i].key + " here)";
            std::string d = first_difference(x[i].value, y[i].value, join(x[i].key));
            if (!d.empty()) return d;
        }
        return {};
    }
    if (a.is_array()) {
        if (a.as_array().size() != b.as_array().size()) return path + " (array length)";
        for (std::size_t i = 0; i < a.as_array().size(); ++i) {
            std::string d = first_difference(a.as_array()[i], b.as_array()[i],
                                             path + "[" + std::to_string(i) + "]");
            if (!d.empty()) return d;
        }
        return {};
    }
    return a == b ? std::string() : path + ": " + a.to_json() + " vs expected " + b.to_json();
}

}  // namespace attest::testing_support
