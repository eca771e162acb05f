// `attest sources` text: the list against a golden file, and one source's field table.
#include "telemetry/describe.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "telemetry/sources.h"

namespace attest::telemetry {
namespace {

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The first differing line, for a readable failure.
std::string first_difference(const std::string& got, const std::string& want) {
    std::istringstream g(got), w(want);
    std::string gl, wl;
    for (int line = 1;; ++line) {
        bool gm = static_cast<bool>(std::getline(g, gl)),
             wm = static_cast<bool>(std::getline(w, wl));
        if (!gm && !wm) return "";
        if (gl != wl || gm != wm)
            return "line " + std::to_string(line) + ":\n  got:  " + (gm ? gl : "<end>") +
                   "\n  want: " + (wm ? wl : "<end>");
    }
}

TEST(DescribeSources, MatchesTheGoldenList) {
    std::string want =
        read(std::string(ATTEST_SOURCE_DIR) + "/tests/data/telemetry/sources.golden.txt");
    ASSERT_FALSE(want.empty());
    std::string got = describe_sources();
    EXPECT_EQ(got, want) << first_difference(got, want);
}

TEST(DescribeFields, ShowsLiveAcquisitionVocabularyAndEveryField) {
    const SourceSpec& sysmon = *find_source("sysmon");
    std::string text = describe_fields(sysmon);
    EXPECT_NE(
        text.find("live: channel (Windows event log channel on the target (wevtutil qe)), default "
                  "Microsoft-Windows-Sysmon/Operational, read by winevent_xml"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("connection_accepted"), std::string::npos);
    EXPECT_NE(text.find("winlog.event_data.Initiated=false"), std::string::npos);
    for (const auto& f : sysmon.fields)
        EXPECT_NE(text.find(std::string(f.name) + " "), std::string::npos) << f.name;
    EXPECT_NE(text.find("fields (" + std::to_string(sysmon.fields.size()) + "):"),
              std::string::npos);
    std::string o365 = describe_fields(*find_source("o365"));
    EXPECT_NE(o365.find("endpoint vocabulary: none"), std::string::npos);
    EXPECT_NE(o365.find("lags: yes; events name the lab host: no"), std::string::npos);
    EXPECT_NE(o365.find("process lineage: none"), std::string::npos);
    EXPECT_NE(
        text.find(
            "process lineage: process.entity_id under process.parent.entity_id (never reused)"),
        std::string::npos);
    std::string auditd = describe_fields(*find_source("auditd"));
    EXPECT_NE(auditd.find("process lineage: process.pid under process.parent.pid (reused ids"),
              std::string::npos);
    EXPECT_NE(
        auditd.find("fork records (clone, clone3, fork, vfork) name the child in auditd.data.exit"),
        std::string::npos);
}

}  // namespace
}  // namespace attest::telemetry
