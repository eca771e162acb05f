// make_live_source reads the source table: the collector for what is fetched, the allowed
// read methods, the platform rules.
#include "harness/live_collect.h"

#include <gtest/gtest.h>

namespace attest::run {
namespace {

SourceConfig config(std::string name, std::string log, std::string channel, std::string file) {
    SourceConfig c;
    c.name = std::move(name);
    c.log = std::move(log);
    c.channel = std::move(channel);
    c.file = std::move(file);
    return c;
}

TEST(MakeLiveSource, TheCollectorComesFromTheSourceTable) {
    const std::tuple<SourceConfig, Platform, const char*> table[] = {
        {config("auditd", "/var/log/audit/audit.log", "", ""), Platform::Linux, "auditd"},
        {config("sysmon_linux", "/var/log/syslog", "", ""), Platform::Linux, "sysmon_linux"},
        {config("sysmon", "", "Microsoft-Windows-Sysmon/Operational", ""), Platform::Windows,
         "winevent_xml"},
        {config("o365", "", "", "ual.json"), Platform::Linux, "o365"},
        {config("mde", "", "", "hunting.json"), Platform::Windows, "mde"},
    };
    for (const auto& [c, platform, collector] : table) {
        auto s = make_live_source(c, platform, false);
        ASSERT_TRUE(s.ok()) << c.name << ": " << s.error().message;
        EXPECT_EQ((*s)->collector(), collector) << c.name;
    }
}

TEST(MakeLiveSource, RefusesReadMethodsAndPlatformsTheTableDoesNotAllow) {
    auto mde_log = make_live_source(config("mde", "/var/log/x", "", ""), Platform::Linux, false);
    ASSERT_FALSE(mde_log.ok());
    EXPECT_EQ(mde_log.error().message, "source mde is not read from a log");
    auto unknown = make_live_source(config("winlogbeat", "/x", "", ""), Platform::Linux, false);
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("unknown source 'winlogbeat'"), std::string::npos);
    auto channel_on_linux = make_live_source(
        config("sysmon", "", "Microsoft-Windows-Sysmon/Operational", ""), Platform::Linux, false);
    EXPECT_FALSE(channel_on_linux.ok());
    EXPECT_FALSE(make_live_source(config("auditd", "", "", ""), Platform::Linux, false).ok());
}

}  // namespace
}  // namespace attest::run
