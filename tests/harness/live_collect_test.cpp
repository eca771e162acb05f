// make_live_source reads the source table: the collector for what is fetched, the allowed
// read methods, the platform rules.
#include "harness/live_collect.h"

#include <gtest/gtest.h>

#include "core/timeutil.h"
#include "tests/net/elastic_standin.h"

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

// The elastic acquisition: the window from the mark (less a minute for clock skew) to the
// fetch, of the target's host only, written for the ndjson collector.
TEST(LiveCollect, AnElasticSourceFetchesTheTargetsWindow) {
    test::TempDir tmp("live-elastic");
    test::StandinCertificates certs(tmp.path + "/certs");
    ASSERT_TRUE(certs.ok);
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto doc = [](std::int64_t ns, const std::string& host, int seq) {
        return nlohmann::json{
                   {"@timestamp", format_iso8601(ns)}, {"host", {{"name", host}}}, {"seq", seq}}
                   .dump() +
               "\n";
    };
    std::int64_t second = 1000000000;
    test::write_text(tmp.path + "/docs.ndjson",
                     doc(now - 7200 * second, "WIN10", 0) + doc(now - 10 * second, "WIN10", 1) +
                         doc(now - 10 * second, "OTHER", 2) + doc(now - 5 * second, "WIN10", 3));
    test::ElasticStandin standin(tmp.path + "/standin", certs,
                                 {"--load", "logs-sysmon-lab=" + tmp.path + "/docs.ndjson"});
    SourceConfig c;
    c.name = "sysmon";
    c.elastic.emplace();
    c.elastic->connection.url = standin.url();
    c.elastic->connection.trust.ca_file = certs.ca;
    c.elastic->connection.api_key_env = "ATTEST_TEST_NO_KEY";
    c.elastic->index = "logs-sysmon-*";
    c.elastic->host = "WIN10";
    auto src = make_live_source(c, Platform::Windows, false);
    ASSERT_TRUE(src.ok()) << src.error().message;
    EXPECT_EQ((*src)->collector(), "ndjson");
    TargetConfig t;
    t.name = "local";
    auto transport = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    ASSERT_TRUE(run_blocking((*src)->preflight(**transport, cancel)).ok());
    ASSERT_TRUE(run_blocking((*src)->mark(**transport, cancel)).ok());
    std::string dest = tmp.path + "/sysmon.ndjson";
    auto fetched = run_blocking((*src)->fetch(**transport, dest, cancel));
    ASSERT_TRUE(fetched.ok()) << fetched.error().message;
    std::vector<int> seqs;
    std::istringstream in(test::read_text(dest));
    for (std::string line; std::getline(in, line);)
        seqs.push_back(nlohmann::json::parse(line)["seq"].get<int>());
    EXPECT_EQ(seqs, (std::vector<int>{1, 3}));
}

}  // namespace
}  // namespace attest::run
