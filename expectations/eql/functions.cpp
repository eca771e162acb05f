#include "core/text.h"
#include "expectations/eql/functions.h"

#include <arpa/inet.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <algorithm>

#include "expectations/eql/pattern.h"

namespace attest::eql::detail {

const std::vector<FunctionInfo>& function_table() {
    static const std::vector<FunctionInfo> table = {
        {"add", Function::Add, 2, 2, false},
        {"subtract", Function::Subtract, 2, 2, false},
        {"multiply", Function::Multiply, 2, 2, false},
        {"divide", Function::Divide, 2, 2, false},
        {"modulo", Function::Modulo, 2, 2, false},
        {"between", Function::Between, 3, 4, true},
        {"cidrMatch", Function::CidrMatch, 2, SIZE_MAX, false},
        {"concat", Function::Concat, 1, SIZE_MAX, false},
        {"endsWith", Function::EndsWith, 2, 2, true},
        {"startsWith", Function::StartsWith, 2, 2, true},
        {"stringContains", Function::StringContains, 2, 2, true},
        {"indexOf", Function::IndexOf, 2, 3, true},
        {"length", Function::Length, 1, 1, false},
        {"number", Function::Number, 1, 2, false},
        {"string", Function::String, 1, 1, false},
        {"substring", Function::Substring, 2, 3, false},
    };
    return table;
}

const FunctionInfo* find_function(std::string_view name) {
    for (const auto& f : function_table())
        if (iequals(name, f.name)) return &f;
    return nullptr;
}

std::string scalar_to_string(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::String: return v.as_string();
        case Value::Kind::Int: return std::to_string(v.as_int());
        case Value::Kind::Double: {
            double d = v.as_double();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e7) {
                // Java prints integral doubles with ".0".
                return std::to_string(static_cast<long long>(d)) + ".0";
            }
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, d);
            return std::string(buf, r.ptr);
        }
        case Value::Kind::Bool: return v.as_bool() ? "true" : "false";
        case Value::Kind::Null: return "null";
        default: return v.to_json();
    }
}

std::optional<Value> parse_number_text(std::string_view s) {
    if (s.empty() || s.size() > 64) return std::nullopt;
    std::int64_t i = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), i);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return Value(i);
    double d = 0;
    std::string tmp(s);
    char* end = nullptr;
    d = std::strtod(tmp.c_str(), &end);
    if (end == tmp.c_str() + tmp.size() && std::isfinite(d) &&
        tmp.find_first_of("xXnN") == std::string::npos)  // no hex floats, inf or nan
        return Value(d);
    return std::nullopt;
}

namespace {

int three_way(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }

std::optional<int> compare_numbers(const Value& a, const Value& b) {
    if (a.is_int() && b.is_int()) {
        auto x = a.as_int(), y = b.as_int();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = a.as_number(), y = b.as_number();
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return three_way(x, y);
}

}  // namespace

std::optional<int> compare_scalars(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return compare_numbers(a, b);
    if (a.is_string() && b.is_string()) {
        int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (a.is_number() && b.is_string()) {
        if (auto n = parse_number_text(b.as_string())) return compare_numbers(a, *n);
        return std::nullopt;
    }
    if (a.is_string() && b.is_number()) {
        if (auto n = parse_number_text(a.as_string())) return compare_numbers(*n, b);
        return std::nullopt;
    }
    if (a.is_bool() && b.is_bool()) return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    // A boolean field indexed from a "true"/"false" string (and vice versa).
    if (a.is_bool() && b.is_string()) {
        if (b.as_string() == "true" || b.as_string() == "false")
            return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_string() == "true");
        return std::nullopt;
    }
    if (a.is_string() && b.is_bool()) {
        auto r = compare_scalars(b, a);
        if (r) return -*r;
        return std::nullopt;
    }
    return std::nullopt;
}

Value arithmetic(char op, const Value& a, const Value& b) {
    if (!a.is_number() || !b.is_number()) return Value();
    if (a.is_int() && b.is_int()) {
        std::int64_t x = a.as_int(), y = b.as_int(), r = 0;
        switch (op) {
            case '+': if (__builtin_add_overflow(x, y, &r)) return Value(static_cast<double>(x) + static_cast<double>(y)); return Value(r);
            case '-': if (__builtin_sub_overflow(x, y, &r)) return Value(static_cast<double>(x) - static_cast<double>(y)); return Value(r);
            case '*': if (__builtin_mul_overflow(x, y, &r)) return Value(static_cast<double>(x) * static_cast<double>(y)); return Value(r);
            case '/':
                if (y == 0) return Value();
                if (x == INT64_MIN && y == -1) return Value(-static_cast<double>(x));
                return Value(x / y);  // integer division truncates, as in Java
            case '%':
                if (y == 0) return Value();
                if (y == -1) return Value(std::int64_t{0});
                return Value(x % y);
        }
        return Value();
    }
    double x = a.as_number(), y = b.as_number();
    switch (op) {
        case '+': return Value(x + y);
        case '-': return Value(x - y);
        case '*': return Value(x * y);
        case '/': if (y == 0) return Value(); return Value(x / y);
        case '%': if (y == 0) return Value(); return Value(std::fmod(x, y));
    }
    return Value();
}

namespace {

std::size_t find_text(std::string_view hay, std::string_view needle, std::size_t from, bool insensitive) {
    if (!insensitive) return hay.find(needle, from);
    if (needle.size() > hay.size()) return std::string_view::npos;
    for (std::size_t i = from; i + needle.size() <= hay.size(); ++i)
        if (iequals(hay.substr(i, needle.size()), needle)) return i;
    return std::string_view::npos;
}

std::size_t rfind_text(std::string_view hay, std::string_view needle, std::size_t from, bool insensitive) {
    if (needle.size() > hay.size() || from > hay.size()) return std::string_view::npos;
    for (std::size_t i = hay.size() - needle.size() + 1; i-- > from;)
        if (insensitive ? iequals(hay.substr(i, needle.size()), needle)
                        : hay.substr(i, needle.size()) == needle)
            return i;
    return std::string_view::npos;
}

// Java String.length(): UTF-16 code units.
std::int64_t utf16_length(std::string_view s) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) == 0x80) continue;
        n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

// Byte offset of UTF-16 unit offset `units` in UTF-8 `s` (Java string indices, as Elasticsearch
// counts them): the first code point boundary at or after it (an offset inside a surrogate
// pair moves past the pair rather than splitting the character), clamped to s.size().
std::size_t byte_offset_of_utf16(std::string_view s, std::int64_t units) {
    std::size_t i = 0;
    std::int64_t n = 0;
    while (i < s.size() && n < units) {
        auto c = static_cast<unsigned char>(s[i]);
        n += c >= 0xF0 ? 2 : 1;
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    }
    return i;
}

bool parse_ip(std::string_view text, unsigned char out[16]) {
    std::string s(text);
    unsigned char v4[4];
    if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
        std::memset(out, 0, 10);
        out[10] = out[11] = 0xFF;
        std::memcpy(out + 12, v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, s.c_str(), out) == 1;
}

Value number_from_string(const std::string& s, std::optional<std::int64_t> base) {
    std::string_view t = s;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    bool negative = false;
    std::string_view body = t;
    if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
        negative = body[0] == '-';
        body.remove_prefix(1);
    }
    bool hex_prefix = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    int b = base ? static_cast<int>(*base) : (hex_prefix ? 16 : 10);
    if (b < 2 || b > 36) return Value();
    if (b == 16 && hex_prefix) body.remove_prefix(2);
    if (b == 10 && !base) {
        if (auto n = parse_number_text(t)) return *n;
        return Value();
    }
    std::uint64_t u = 0;
    auto r = std::from_chars(body.data(), body.data() + body.size(), u, b);
    if (body.empty() || r.ec != std::errc() || r.ptr != body.data() + body.size()) return Value();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return Value();
    auto i = static_cast<std::int64_t>(u);
    return Value(negative ? -i : i);
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view s) {
    Cidr c;
    auto slash = s.find('/');
    std::string_view addr = s.substr(0, slash);
    if (!parse_ip(addr, c.addr)) return std::nullopt;
    bool v4 = addr.find(':') == std::string_view::npos;
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash != std::string_view::npos) {
        std::string_view p = s.substr(slash + 1);
        auto r = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || prefix < 0 || prefix > max)
            return std::nullopt;
    }
    c.prefix = v4 ? prefix + 96 : prefix;
    return c;
}

bool cidr_contains(const Cidr& c, std::string_view ip) {
    unsigned char a[16];
    if (!parse_ip(ip, a)) return false;
    int bits = c.prefix;
    for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
        if ((a[i] & mask) != (c.addr[i] & mask)) return false;
    }
    return true;
}

Value call_function(Function f, bool insensitive, const std::vector<Value>& args) {
    for (const auto& a : args)
        if (a.is_null()) return Value();
    auto str = [&](std::size_t i) { return scalar_to_string(args[i]); };
    switch (f) {
        case Function::Add: return arithmetic('+', args[0], args[1]);
        case Function::Subtract: return arithmetic('-', args[0], args[1]);
        case Function::Multiply: return arithmetic('*', args[0], args[1]);
        case Function::Divide: return arithmetic('/', args[0], args[1]);
        case Function::Modulo: return arithmetic('%', args[0], args[1]);
        case Function::Between: {
            std::string src = str(0), left = str(1), right = str(2);
            bool greedy = args.size() > 3 && args[3].is_bool() && args[3].as_bool();
            std::size_t l = find_text(src, left, 0, insensitive);
            if (l == std::string::npos) return Value(std::string());
            std::size_t start = l + left.size();
            std::size_t r = greedy ? rfind_text(src, right, start, insensitive) : find_text(src, right, start, insensitive);
            if (r == std::string::npos) return Value(std::string());
            return Value(src.substr(start, r - start));
        }
        case Function::CidrMatch: {
            std::string ip = str(0);
            for (std::size_t i = 1; i < args.size(); ++i)
                if (auto c = parse_cidr(str(i)); c && cidr_contains(*c, ip)) return Value(true);
            return Value(false);
        }
        case Function::Concat: {
            std::string out;
            for (std::size_t i = 0; i < args.size(); ++i) out += str(i);
            return Value(std::move(out));
        }
        case Function::EndsWith: {
            std::string s = str(0), t = str(1);
            if (t.size() > s.size()) return Value(false);
            std::string_view tail = std::string_view(s).substr(s.size() - t.size());
            return Value(insensitive ? iequals(tail, t) : tail == t);
        }
        case Function::StartsWith: {
            std::string s = str(0), t = str(1);
            if (t.size() > s.size()) return Value(false);
            std::string_view head = std::string_view(s).substr(0, t.size());
            return Value(insensitive ? iequals(head, t) : head == t);
        }
        case Function::StringContains: {
            std::string s = str(0), t = str(1);
            return Value(find_text(s, t, 0, insensitive) != std::string::npos);
        }
        case Function::IndexOf: {
            // Java's String.indexOf(sub, start): UTF-16 indices, a negative start is 0, a start
            // past the end finds only the empty string (at the end).
            std::string s = str(0), t = str(1);
            std::int64_t start = 0;
            if (args.size() > 2) {
                if (!args[2].is_number()) return Value();
                start = static_cast<std::int64_t>(args[2].as_number());
            }
            std::size_t r = find_text(s, t, byte_offset_of_utf16(s, start), insensitive);
            if (r == std::string::npos) return Value();
            return Value(utf16_length(std::string_view(s).substr(0, r)));
        }
        case Function::Length: return Value(utf16_length(str(0)));
        case Function::Number: {
            std::optional<std::int64_t> base;
            if (args.size() > 1) {
                if (!args[1].is_int()) return Value();
                base = args[1].as_int();
            }
            if (args[0].is_number() && !base) return args[0];
            return number_from_string(str(0), base);
        }
        case Function::String: return Value(str(0));
        case Function::Substring: {
            // Python-style slice: negative offsets count from the end, bounds are clamped;
            // offsets are Java string (UTF-16) indices, as Elasticsearch counts them.
            std::string s = str(0);
            auto len = utf16_length(s);
            if (!args[1].is_number() || (args.size() > 2 && !args[2].is_number())) return Value();
            auto start = static_cast<std::int64_t>(args[1].as_number());
            std::int64_t end = args.size() > 2 ? static_cast<std::int64_t>(args[2].as_number()) : len;
            if (start < 0) start = std::max<std::int64_t>(0, len + start);
            if (end < 0) end = std::max<std::int64_t>(0, len + end);
            start = std::min(start, len);
            end = std::min(end, len);
            if (end <= start) return Value(std::string());
            std::size_t from = byte_offset_of_utf16(s, start), to = byte_offset_of_utf16(s, end);
            return Value(s.substr(from, to - from));
        }
    }
    return Value();
}

}  // namespace attest::eql::detail
