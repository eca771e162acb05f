// Timestamps: parsed to nanoseconds since the Unix epoch (UTC), formatted as ISO-8601.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/value.h"

namespace attest {

// Parses "YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|+hh:mm|-hh:mm]" (no zone: UTC). Returns
// nanoseconds since the epoch, or nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_ns(std::string_view s);

// Formats as "YYYY-MM-DDTHH:MM:SS.fffZ" with `digits` fractional digits (3, 6 or 9).
std::string format_iso8601(std::int64_t ns, int digits = 3);

// Days since 1970-01-01 for a civil date (proleptic Gregorian), and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t& y, unsigned& m, unsigned& d);

// The one duration grammar (lab timeouts, expectation windows, EQL maxspan): a non-negative
// number directly followed by a unit, ms, s, m, h or d ("250ms", "1.5s", "5m"). A fraction is
// accepted when `fractions` is set (EQL follows Elasticsearch: whole numbers only); a number
// without a unit means `bare_unit` when given, and is otherwise only accepted for 0.
struct DurationSyntax {
    bool fractions = true;
    std::string_view bare_unit;  // empty: a unit is required
};
// Nanoseconds per unit (ms, s, m, h, d); nullopt for anything else.
std::optional<std::int64_t> duration_unit_ns(std::string_view unit);
// nullopt: not a duration, or too large for int64 nanoseconds.
std::optional<std::int64_t> parse_duration_ns(std::string_view text, DurationSyntax syntax = {});

// An event timestamp value as nanoseconds since the epoch: an ISO-8601 string, or epoch
// milliseconds (an integer, a double or a numeric string), as Elasticsearch reads a date
// field. nullopt: not a date (or outside years 1678-2262).
std::optional<std::int64_t> timestamp_value_ns(const Value& v);

// Windows FILETIME (100 ns since 1601-01-01) to nanoseconds since the Unix epoch.
inline std::int64_t filetime_to_ns(std::uint64_t ft) {
    return (static_cast<std::int64_t>(ft) - 116444736000000000LL) * 100;
}

}  // namespace attest
