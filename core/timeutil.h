// Timestamps: parsed to nanoseconds since the Unix epoch (UTC), formatted as ISO-8601.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attest {

// Parses "YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|+hh:mm|-hh:mm]" (no zone: UTC). Returns
// nanoseconds since the epoch, or nullopt when malformed.
std::optional<std::int64_t> parse_iso8601_ns(std::string_view s);

// Formats as "YYYY-MM-DDTHH:MM:SS.fffZ" with `digits` fractional digits (3, 6 or 9).
std::string format_iso8601(std::int64_t ns, int digits = 3);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// Windows FILETIME (100 ns since 1601-01-01) to nanoseconds since the Unix epoch.
inline std::int64_t filetime_to_ns(std::uint64_t ft) {
    return (static_cast<std::int64_t>(ft) - 116444736000000000LL) * 100;
}

}  // namespace attest
