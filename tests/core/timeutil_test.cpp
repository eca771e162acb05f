#include "core/timeutil.h"

#include <gtest/gtest.h>

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

TEST(Timeutil, RejectsMalformed) {
    EXPECT_FALSE(parse_iso8601_ns(""));
    EXPECT_FALSE(parse_iso8601_ns("2019-13-01 00:00:00"));
    EXPECT_FALSE(parse_iso8601_ns("2019-07-18 03:34:01."));
    EXPECT_FALSE(parse_iso8601_ns("2019-07-18 03:34:01.1x"));
    EXPECT_FALSE(parse_iso8601_ns("yesterday"));
}

TEST(Timeutil, FiletimeToUnix) {
    EXPECT_EQ(filetime_to_ns(116444736000000000ULL), 0);
    EXPECT_EQ(format_iso8601(filetime_to_ns(132078944420252239ULL), 7), "2019-07-18T03:34:02.0252239Z");
}

}  // namespace
}  // namespace attest
