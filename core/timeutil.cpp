#include "core/timeutil.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attest {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_ns(std::string_view s) {
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) ||
        s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
        !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, sec))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    size_t pos = 19;
    std::int64_t frac_ns = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int n = 0;
        std::int64_t scale = 100000000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 9) frac_ns += (s[pos] - '0') * scale;
            scale /= 10;
            ++n;
            ++pos;
        }
        if (n == 0) return std::nullopt;
    }
    std::int64_t offset_s = 0;
    if (pos < s.size()) {
        if (s[pos] == 'Z' || s[pos] == 'z') {
            ++pos;
        } else if (s[pos] == '+' || s[pos] == '-') {
            int oh, om = 0;
            int sign = s[pos] == '-' ? -1 : 1;
            if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
            pos += 3;
            if (pos < s.size() && s[pos] == ':') ++pos;
            if (pos < s.size()) {
                if (!digits(s, pos, 2, om)) return std::nullopt;
                pos += 2;
            }
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    if (pos != s.size()) return std::nullopt;
    std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    return secs * 1000000000LL + frac_ns;
}

namespace {

// Writes `value` as `width` decimal digits, zero-padded.
void put_digits(char* at, int width, unsigned value) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// ".fffffffff" cut to `digits` (at most 9) of the nanoseconds `rem`; nothing for 0 digits.
void append_fraction(std::string& out, std::int64_t rem, int digits) {
    if (digits <= 0) return;
    if (digits > 9) digits = 9;
    char fb[10];
    fb[0] = '.';
    put_digits(fb + 1, 9, static_cast<unsigned>(rem));
    out.append(fb, static_cast<std::size_t>(digits) + 1);
}

}  // namespace

std::string format_iso8601(std::int64_t ns, int frac_digits) {
    std::int64_t secs = ns / 1000000000LL;
    std::int64_t rem = ns % 1000000000LL;
    if (rem < 0) {
        rem += 1000000000LL;
        --secs;
    }
    std::int64_t days = secs / 86400;
    std::int64_t sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        --days;
    }
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    // Every event's timestamp goes through here: digits written directly, not by snprintf.
    // Nanoseconds in 64 bits span the years 1677-2262, so four digits always hold the year.
    char buf[20] = "0000-00-00T00:00:00";
    put_digits(buf, 4, static_cast<unsigned>(y));
    put_digits(buf + 5, 2, m);
    put_digits(buf + 8, 2, d);
    put_digits(buf + 11, 2, static_cast<unsigned>(sod / 3600));
    put_digits(buf + 14, 2, static_cast<unsigned>(sod / 60 % 60));
    put_digits(buf + 17, 2, static_cast<unsigned>(sod % 60));
    std::string out(buf, 19);
    append_fraction(out, rem, frac_digits);
    out.push_back('Z');
    return out;
}

std::optional<std::int64_t> timestamp_value_ns(const Value& v) {
    auto from_ms = [](double ms) -> std::optional<std::int64_t> {
        double ns = ms * 1e6;
        if (!(ns > -9.2e18 && ns < 9.2e18)) return std::nullopt;
        return static_cast<std::int64_t>(ns);
    };
    if (v.is_int()) {
        std::int64_t ms = v.as_int();
        if (ms > INT64_MAX / 1'000'000 || ms < INT64_MIN / 1'000'000) return std::nullopt;
        return ms * 1'000'000;
    }
    if (v.is_double()) return from_ms(v.as_double());
    if (!v.is_string()) return std::nullopt;
    std::string_view s = v.as_string();
    if (auto ns = parse_iso8601_ns(s)) return ns;
    if (s.empty() || s.size() > 64) return std::nullopt;
    std::int64_t ms = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return timestamp_value_ns(Value(ms));
    std::string text(s);
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d) ||
        text.find_first_of("xXnN") != std::string::npos)
        return std::nullopt;  // no hex floats, inf or nan
    return from_ms(d);
}

std::optional<std::int64_t> duration_unit_ns(std::string_view unit) {
    static constexpr struct {
        std::string_view name;
        std::int64_t ns;
    } kUnits[] = {{"ms", 1'000'000LL},
                  {"s", 1'000'000'000LL},
                  {"m", 60'000'000'000LL},
                  {"h", 3'600'000'000'000LL},
                  {"d", 86'400'000'000'000LL}};
    for (const auto& u : kUnits)
        if (u.name == unit) return u.ns;
    return std::nullopt;
}

std::optional<std::int64_t> parse_duration_ns(std::string_view text, DurationSyntax syntax) {
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    std::size_t whole = i;
    if (syntax.fractions && i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    }
    if (whole == 0 || i == whole + 1) return std::nullopt;  // no digits, or "5." without a fraction
    std::string number(text.substr(0, i));
    double n = std::strtod(number.c_str(), nullptr);
    std::string_view unit = text.substr(i);
    if (unit.empty()) {
        if (n == 0) return 0;
        unit = syntax.bare_unit;
    }
    auto per = duration_unit_ns(unit);
    if (!per) return std::nullopt;
    if (i == whole) {  // whole numbers exactly, without going through a double
        std::int64_t k = 0;
        if (std::from_chars(text.data(), text.data() + whole, k).ec != std::errc() ||
            k > INT64_MAX / *per)
            return std::nullopt;
        return k * *per;
    }
    double ns = n * static_cast<double>(*per);
    if (!(ns < 9.2e18)) return std::nullopt;
    return static_cast<std::int64_t>(ns);
}

}  // namespace attest
