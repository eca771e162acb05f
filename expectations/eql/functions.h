// EQL value semantics shared by the compiler and the matcher: how scalars compare, convert to
// strings and numbers, and the function table (name, arity, case-insensitive form).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace attest::eql::detail {

enum class Function {
    Add, Subtract, Multiply, Divide, Modulo, Between, CidrMatch, Concat, EndsWith, StartsWith,
    StringContains, IndexOf, Length, Number, String, Substring,
};

struct FunctionInfo {
    const char* name;
    Function id;
    std::size_t min_args;
    std::size_t max_args;  // SIZE_MAX: variadic
    bool has_insensitive;  // `name~(...)` exists
};

// The function table: every function Elasticsearch EQL has, with its arity.
const std::vector<FunctionInfo>& function_table();
// Names are matched without regard to case: Elasticsearch lower-cases a function name before
// looking it up, so `cidrmatch` and `STARTSWITH~` are accepted as it accepts them.
const FunctionInfo* find_function(std::string_view name);

// Java-like string form of a scalar (what Elasticsearch's string() and term coercion give).
std::string scalar_to_string(const Value& v);
// A number from a string the way a numeric field mapping would read it; nullopt if not one.
std::optional<Value> parse_number_text(std::string_view s);

// Scalar comparison used by ==, <, ... between an event value and a literal: numbers
// compare numerically (a numeric-looking string against a number too), strings
// lexicographically by bytes (case-sensitive), booleans with booleans. Returns nullopt when
// the two cannot be ordered (then every comparison is false).
std::optional<int> compare_scalars(const Value& a, const Value& b);

// Evaluates a function over already-evaluated arguments. Null in, null out.
Value call_function(Function f, bool insensitive, const std::vector<Value>& args);
// Arithmetic (+ - * / %) on two values; null when either is null or not numeric, or on /0.
Value arithmetic(char op, const Value& a, const Value& b);

// IPv4/IPv6 CIDR block, parsed once.
struct Cidr {
    unsigned char addr[16] = {};
    int prefix = 0;  // in bits over the 16-byte (v4-mapped) form
};
std::optional<Cidr> parse_cidr(std::string_view s);
bool cidr_contains(const Cidr& c, std::string_view ip);

}  // namespace attest::eql::detail
