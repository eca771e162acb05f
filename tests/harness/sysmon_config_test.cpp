#include "harness/sysmon_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace attest;
using namespace attest::run;

namespace {

std::string sample(const std::string& name) {
    std::ifstream in(std::string(ATTEST_SOURCE_DIR) + "/tests/data/sysmon/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

expectations::ExpectationSpec spec(const std::string& query) {
    expectations::ExpectationSpec s;
    s.id = "x";
    s.source = "sysmon";
    s.query = query;
    return s;
}

}  // namespace

// `Sysmon64 -c` output (CRLF, as it comes back over ssh): which event IDs are off, per
// configuration. Empty reason: logged.
TEST(SysmonConfig, EventIdsOffPerConfiguration) {
    struct Case {
        const char* file;
        int id;
        const char* reason;  // a part of the reason, "" when logged
    };
    const Case cases[] = {
        // Default configuration: process events logged; file creation, image loads,
        // network connections, registry not.
        {"sysmon_c_default.txt", 1, ""},
        {"sysmon_c_default.txt", 5, ""},
        {"sysmon_c_default.txt", 22, ""},
        {"sysmon_c_default.txt", 3, "Network connection is disabled"},
        {"sysmon_c_default.txt", 7, "Image loading is disabled"},
        {"sysmon_c_default.txt", 11,
         "default configuration (no rules installed, sysmon -c), which does not log FileCreate"},
        {"sysmon_c_default.txt", 13, "does not log RegistryEvent (event 12, 13, 14)"},
        // A configuration with rules: include groups with filters and exclude groups log,
        // an include group without filters logs nothing, an unlisted filtered type is off.
        {"sysmon_c_config.txt", 1, ""},
        {"sysmon_c_config.txt", 3, ""},
        {"sysmon_c_config.txt", 11, ""},
        {"sysmon_c_config.txt", 12, ""},
        {"sysmon_c_config.txt", 8, ""},
        {"sysmon_c_config.txt", 7, "Image loading is disabled"},
        {"sysmon_c_config.txt", 10, "includes nothing for ProcessAccess"},
        {"sysmon_c_config.txt", 9, "includes nothing for RawAccessRead"},
        {"sysmon_c_config.txt", 17,
         "includes nothing for PipeEvent (an include rule group without filters, sysmon -c) (event "
         "17, 18)"},
        {"sysmon_c_config.txt", 23, "has no FileDelete rule"},
    };
    for (const Case& c : cases) {
        auto coverage = SysmonCoverage::parse(sample(c.file));
        ASSERT_TRUE(coverage.known) << c.file;
        auto it = coverage.off.find(c.id);
        if (*c.reason == '\0') {
            EXPECT_EQ(it, coverage.off.end()) << c.file << " event " << c.id << ": " << it->second;
        } else {
            ASSERT_NE(it, coverage.off.end()) << c.file << " event " << c.id;
            EXPECT_NE(it->second.find(c.reason), std::string::npos) << it->second;
        }
    }
}

TEST(SysmonConfig, UnreadableOutputKnowsNothing) {
    for (const char* text :
         {"", "Access is denied.\r\n", "Current configuration:\r\n - Service name: Sysmon64\r\n"}) {
        auto c = SysmonCoverage::parse(text);
        EXPECT_FALSE(c.known) << text;
        EXPECT_TRUE(c.off.empty()) << text;
        EXPECT_EQ(sysmon_not_logged_reason(spec(R"(file where event.code == "11")"), c), "");
    }
}

TEST(SysmonConfig, EventIdsOfAQuery) {
    struct Case {
        const char* query;
        std::vector<int> ids;
    };
    const Case cases[] = {
        {R"(file where event.code == "11" and file.path : "*\\Temp\\*")", {11}},
        {R"(process where event.code : "1")", {1}},
        {R"(any where event.code in ("1", "7"))", {1, 7}},
        {R"(any where event.code in~ ("12","13"))", {12, 13}},
        {R"(process where event.code == "7" and file.name in~ ("olmapi32.dll", "mspst32.dll"))",
         {7}},
        {R"(library where dll.name : "olmapi32.dll")", {7}},
        {R"(registry where registry.path : "*Run*")", {12, 13, 14}},
        {R"(process where process.name : "powershell.exe")", {}},
        {R"(any where event.code != "1")", {}},
    };
    for (const Case& c : cases) EXPECT_EQ(sysmon_event_ids(c.query), c.ids) << c.query;
}

// The T1114 pack's Sysmon expectations under the default configuration: process creation is
// collected; the image loads (EID 7) and file creations (EID 11) are not_collected.
TEST(SysmonConfig, ExpectationsUnderTheDefaultConfiguration) {
    auto c = SysmonCoverage::parse(sample("sysmon_c_default.txt"));
    EXPECT_EQ(
        sysmon_not_logged_reason(
            spec(R"(process where event.code == "1" and process.name : "powershell.exe")"), c),
        "");
    EXPECT_NE(sysmon_not_logged_reason(
                  spec(R"(process where event.code == "7" and file.name : "olmapi32.dll")"), c)
                  .find("Image loading is disabled"),
              std::string::npos);
    EXPECT_NE(
        sysmon_not_logged_reason(spec(R"(file where event.code == "11")"), c).find("FileCreate"),
        std::string::npos);
    // One of the IDs is logged: the query can still match.
    EXPECT_EQ(sysmon_not_logged_reason(spec(R"(any where event.code in ("1", "11"))"), c), "");
}
