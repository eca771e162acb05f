// attest sources through the command registry: the list, one source's fields, bad names.
#include <gtest/gtest.h>

#include <cstdio>

#include "harness/cli.h"
#include "telemetry/describe.h"
#include "telemetry/sources.h"

namespace attest::cli {
namespace {

struct Output {
    int status = -1;
    std::string out;
};

Output run_sources(std::vector<std::string> args) {
    const Command* c = Registry::instance().find("sources");
    EXPECT_NE(c, nullptr);
    Output o;
    ::testing::internal::CaptureStdout();
    o.status = c->run(args);
    std::fflush(stdout);
    o.out = ::testing::internal::GetCapturedStdout();
    return o;
}

TEST(SourcesCommand, ListsEverySource) {
    auto o = run_sources({});
    EXPECT_EQ(o.status, kExitOk);
    EXPECT_EQ(o.out, telemetry::describe_sources());
    EXPECT_NE(o.out.find("o365 "), std::string::npos);
    EXPECT_NE(o.out.find("channel Microsoft-Windows-Sysmon/Operational"), std::string::npos)
        << o.out;
}

TEST(SourcesCommand, FieldsOfOneSource) {
    auto o = run_sources({"--fields", "auditd"});
    EXPECT_EQ(o.status, kExitOk);
    EXPECT_EQ(o.out, telemetry::describe_fields(*telemetry::find_source("auditd")));
    EXPECT_NE(o.out.find("live: log"), std::string::npos) << o.out;
}

TEST(SourcesCommand, UnknownSourceIsAUsageErrorNamingTheKnownOnes) {
    const Command* c = Registry::instance().find("sources");
    ASSERT_NE(c, nullptr);
    try {
        c->run({"--fields", "winlogbeat"});
        FAIL() << "no usage error";
    } catch (const UsageError& e) {
        EXPECT_NE(e.message.find("unknown source 'winlogbeat'"), std::string::npos) << e.message;
        EXPECT_NE(e.message.find("sysmon, powershell"), std::string::npos) << e.message;
    }
    EXPECT_THROW(c->run({"extra"}), UsageError);
}

}  // namespace
}  // namespace attest::cli
