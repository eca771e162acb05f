// `attest run --plan` starts nothing on a target, and the safety rails hold in a real run.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace attest::test;

namespace {

// A target whose transport leaves a marker file if it is ever used.
std::string tripwire_lab(const std::string& marker) {
    return "lab: tripwire\ntargets:\n- name: vm\n  platform: linux\n  transport: command\n"
           "  command: {exec: [sh, -c, 'touch " + marker + "; exit 3', '{command}']}\n";
}

}  // namespace

TEST(PlanE2E, StockAtomicsPlanStartsNoProcessOnTheTarget) {
    std::string atomics = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(atomics)) GTEST_SKIP() << "../shared/data absent: stock atomics plan not checked";
    TempDir tmp("plan");
    std::string marker = tmp.path + "/transport-was-used";
    write_text(tmp.path + "/lab.yaml", tripwire_lab(marker));
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", atomics, "--plan", "--out", tmp.path + "/out"},
                        tmp.path + "/out");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(fs::exists(marker)) << "--plan used the target's transport";
    EXPECT_FALSE(fs::exists(tmp.path + "/out/results.json"));
    // Substituted commands (the default mount point of T1611 #2), risks and skips are listed.
    EXPECT_NE(r.out.find("    | if [ ! -d /mnt/T1611.002 ]; then mkdir /mnt/T1611.002"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("persistence: writes `/mnt/T1611.002/etc/cron.d/T1611_002`"), std::string::npos);
    EXPECT_NE(r.out.find("would be skipped: platform not supported"), std::string::npos);
    EXPECT_EQ(r.out.find("PathToAtomicsFolder"), std::string::npos) << "unsubstituted token in the plan";

    auto one = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", atomics, "--technique", "T1201",
                           "--test", "2", "--plan"},
                          tmp.path + "/out");
    EXPECT_EQ(one.exit_code, 0) << one.err;
    EXPECT_NE(one.out.find("1 would run, 0 would be skipped"), std::string::npos) << one.out;
    EXPECT_NE(one.out.find("T1201 #2 Examine password complexity policy - FreeBSD"), std::string::npos);

    auto bad = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", atomics, "--technique", "T1201", "--test", "99",
                           "--plan"},
                          tmp.path + "/out");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("no test '99'"), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(marker));
}

// A real run on this machine: the destructive test is refused (skipped with the reason) and
// never started, the harmless one without expectations is `executed`, and the run exits 0.
TEST(PlanE2E, RunRefusesDestructiveAndCountsExecuted) {
    TempDir tmp("rails");
    std::string marker = tmp.path + "/destructive-ran";
    write_pack(tmp.path + "/pack",
               "- name: Harmless\n  auto_generated_guid: 22222222-0000-4000-8000-000000000001\n"
               "  supported_platforms: [linux]\n  executor: {name: sh, command: 'echo ok'}\n"
               "- name: Would reboot\n  auto_generated_guid: 22222222-0000-4000-8000-000000000002\n"
               "  supported_platforms: [linux]\n  executor: {name: sh, command: 'touch " + marker +
                   " && false && shutdown -r now'}\n");
    write_text(tmp.path + "/lab.yaml", "lab: local\ntargets:\n- {name: here, platform: linux, transport: local}\n");
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", tmp.path + "/pack", "--out", out, "--quiet"}, out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(fs::exists(marker)) << "the destructive test ran";
    const auto* harmless = find_scenario(r.results, "here", "22222222-0000-4000-8000-000000000001");
    const auto* reboot = find_scenario(r.results, "here", "22222222-0000-4000-8000-000000000002");
    ASSERT_NE(harmless, nullptr) << r.results.dump();
    ASSERT_NE(reboot, nullptr) << r.results.dump();
    EXPECT_EQ(harmless->value("verdict", ""), "executed");
    EXPECT_EQ(reboot->value("verdict", ""), "skipped");
    EXPECT_NE(reboot->value("reason", "").find("destructive: reboot"), std::string::npos) << reboot->dump();
}
