#include "core/timeutil.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace attest {
namespace {

TEST(Timeutil, ParsesSysmonUtcTimeAndIsoVariants) {
    auto a = parse_iso8601_ns("2019-07-18 03:34:01.239");
    ASSERT_TRUE(a);
    EXPECT_EQ(format_iso8601(*a), "2019-07-18T03:34:01.239Z");
    auto b = parse_iso8601_ns("2019-07-18T03:34:02.025223900Z");
    ASSERT_TRUE(b);
    EXPECT_EQ(format_iso8601(*b, 9), "2019-07-18T03:34:02.025223900Z");
    auto c = parse_iso8601_ns("2019-07-18T05:34:02+02:00");
    ASSERT_TRUE(c);
    EXPECT_EQ(format_iso8601(*c, 0), "2019-07-18T03:34:02Z");
    EXPECT_EQ(*parse_iso8601_ns("1970-01-01T00:00:00Z"), 0);
}

// Both ends of the 64-bit nanosecond range, and before 1970 the fraction counting up from the
// second before.
TEST(Timeutil, FormatIso8601EdgeTimes) {
    struct Case {
        std::int64_t ns;
        int digits;
        const char* text;
    } cases[] = {
        {0, 3, "1970-01-01T00:00:00.000Z"},
        {-1, 9, "1969-12-31T23:59:59.999999999Z"},
        {INT64_MIN, 9, "1677-09-21T00:12:43.145224192Z"},
        {INT64_MAX, 12, "2262-04-11T23:47:16.854775807Z"},
        {INT64_MAX, 0, "2262-04-11T23:47:16Z"},
    };
    for (const auto& c : cases) EXPECT_EQ(format_iso8601(c.ns, c.digits), c.text) << c.ns;
}

TEST(Timeutil, RejectsMalformed) {
    EXPECT_FALSE(parse_iso8601_ns(""));
    EXPECT_FALSE(parse_iso8601_ns("2019-13-01 00:00:00"));
    EXPECT_FALSE(parse_iso8601_ns("2019-07-18 03:34:01."));
    EXPECT_FALSE(parse_iso8601_ns("2019-07-18 03:34:01.1x"));
    EXPECT_FALSE(parse_iso8601_ns("yesterday"));
}

TEST(Timeutil, FiletimeToUnix) {
    EXPECT_EQ(filetime_to_ns(116444736000000000ULL), 0);
    EXPECT_EQ(format_iso8601(filetime_to_ns(132078944420252239ULL), 7),
              "2019-07-18T03:34:02.0252239Z");
}

// One grammar for every duration of the project; the table says what each syntax accepts.
TEST(Timeutil, DurationGrammar) {
    constexpr std::int64_t ms = 1'000'000, s = 1000 * ms;
    const DurationSyntax lab{true, "s"}, strict{}, eql{false, ""};
    struct Case {
        const char* text;
        DurationSyntax syntax;
        std::optional<std::int64_t> want;
    } cases[] = {
        {"250ms", strict, 250 * ms},
        {"30s", strict, 30 * s},
        {"5m", strict, 300 * s},
        {"2h", strict, 7200 * s},
        {"1d", strict, 86400 * s},
        {"1.5s", strict, 1500 * ms},
        {"0", strict, 0},
        {"30", strict, std::nullopt},
        {"30", lab, 30 * s},
        {"1.5s", eql, std::nullopt},
        {"5.", strict, std::nullopt},
        {"fast", lab, std::nullopt},
        {"5 days", lab, std::nullopt},
        {"-5s", strict, std::nullopt},
        {"5w", strict, std::nullopt},
        {"", strict, std::nullopt},
        {"99999999999999999d", strict, std::nullopt},
    };
    for (const auto& c : cases) EXPECT_EQ(parse_duration_ns(c.text, c.syntax), c.want) << c.text;
}

TEST(Timeutil, CivilDaysRoundTrip) {
    for (std::int64_t days : {-719468LL, -1LL, 0LL, 59LL, 11016LL, 19782LL, 2932896LL}) {
        std::int64_t y;
        unsigned m, d;
        civil_from_days(days, y, m, d);
        EXPECT_EQ(days_from_civil(y, m, d), days) << y << "-" << m << "-" << d;
    }
}

TEST(Timeutil, TimestampValues) {
    EXPECT_EQ(timestamp_value_ns(Value("1970-01-01T00:00:01Z")), 1'000'000'000);
    EXPECT_EQ(timestamp_value_ns(Value(std::int64_t(1500))), 1'500'000'000);
    EXPECT_EQ(timestamp_value_ns(Value("1500")), 1'500'000'000);
    EXPECT_EQ(timestamp_value_ns(Value(1.5)), 1'500'000);
    EXPECT_FALSE(timestamp_value_ns(Value("yesterday")));
    EXPECT_FALSE(timestamp_value_ns(Value("nan")));
    EXPECT_FALSE(timestamp_value_ns(Value(std::int64_t(INT64_MAX))));
    EXPECT_FALSE(timestamp_value_ns(Value(true)));
}

}  // namespace
}  // namespace attest
