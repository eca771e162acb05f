#include "harness/safety.h"

#include <gtest/gtest.h>

#include "e2e_support.h"
#include "harness/plan.h"
#include "scenarios/pack.h"

using namespace attest;
using namespace attest::run;
using namespace attest::test;

namespace {

Lab lab_from(const std::string& text) {
    DiagnosticSink sink;
    auto lab = parse_lab(text, "lab.yaml", sink);
    EXPECT_TRUE(lab.ok()) << (sink.collected().empty() ? lab.error().message : sink.collected()[0].format());
    return lab ? *lab : Lab{};
}

// Three linux tests: harmless, one whose command would reboot, one the pack says adds users.
const char* kTests = R"(- name: Harmless listing
  auto_generated_guid: 11111111-0000-4000-8000-000000000001
  supported_platforms: [linux]
  executor: {name: sh, command: "ls /tmp"}
- name: Reboots the box
  auto_generated_guid: 11111111-0000-4000-8000-000000000002
  supported_platforms: [linux]
  executor: {name: sh, command: "false && shutdown -r now"}
- name: Adds a user
  auto_generated_guid: 11111111-0000-4000-8000-000000000003
  supported_platforms: [linux]
  executor: {name: sh, command: "echo adding"}
- name: Windows only
  auto_generated_guid: 11111111-0000-4000-8000-000000000004
  supported_platforms: [windows]
  executor: {name: command_prompt, command: "whoami"}
)";

const char* kExpectations = R"(  11111111-0000-4000-8000-000000000003:
    risks: [account-change]
)";

struct Fixture {
    TempDir tmp{"safety"};
    scenarios::Pack pack;
    Fixture() {
        write_pack(tmp.path, kTests, kExpectations);
        scenarios::Problems problems;
        auto p = scenarios::load_pack(tmp.path, problems);
        EXPECT_TRUE(p.ok());
        EXPECT_EQ(problems.error_count(), 0u);
        if (p) pack = *p;
    }
    const scenarios::AtomicTest& test(int n) const { return *pack.tests()[n - 1]; }
};

std::string refused(const Lab& lab, const Fixture& f, int n, PlanOptions o = {}) {
    return placement_refusal(lab, lab.targets[0], f.pack, f.test(n), o);
}

}  // namespace

TEST(Safety, LabPolicyParses) {
    Lab lab = lab_from("lab: l\nallow_risks: [account-change, Network-Egress]\ndeny_tests: [T1114.001#1]\n"
                       "targets:\n- {name: t, platform: linux}\n");
    ASSERT_TRUE(lab.safety.allow_risks.has_value());
    EXPECT_EQ(lab.safety.allow_risks->size(), 2u);
    EXPECT_EQ(lab.safety.deny_tests, std::vector<std::string>{"T1114.001#1"});
    EXPECT_EQ(lab.safety.line, 2);

    DiagnosticSink sink;
    auto bad = parse_lab("lab: l\nallow_risks: [reboot, sudo-make-me-a-sandwich]\ntargets:\n- {name: t, platform: linux}\n",
                         "lab.yaml", sink);
    EXPECT_FALSE(bad.ok());
    ASSERT_FALSE(sink.collected().empty());
    EXPECT_NE(sink.collected()[0].format().find("lab.yaml:2:"), std::string::npos) << sink.collected()[0].format();
    EXPECT_NE(sink.collected()[0].format().find("sudo-make-me-a-sandwich"), std::string::npos);
}

TEST(Safety, DestructiveNeedsARevertOrTheFlag) {
    Fixture f;
    Lab no_revert = lab_from("lab: l\ntargets:\n- {name: t, platform: linux}\n");
    EXPECT_EQ(refused(no_revert, f, 1), "");
    std::string why = refused(no_revert, f, 2);
    EXPECT_NE(why.find("destructive: reboot (`shutdown -r now` (line 1))"), std::string::npos) << why;
    EXPECT_NE(why.find("--allow-destructive"), std::string::npos);
    PlanOptions allow;
    allow.allow_destructive = true;
    EXPECT_EQ(refused(no_revert, f, 2, allow), "");
    Lab with_revert = lab_from("lab: l\ntargets:\n- {name: t, platform: linux, revert: [true]}\n");
    EXPECT_EQ(refused(with_revert, f, 2), "");
}

TEST(Safety, AllowRisksDenyTestsAndExclusions) {
    Fixture f;
    Lab strict = lab_from("lab: l\nallow_risks: [network-egress]\ntargets:\n- {name: t, platform: linux, revert: [true]}\n");
    EXPECT_EQ(refused(strict, f, 1), "");
    EXPECT_NE(refused(strict, f, 3).find("risk account-change (declared by the pack) is not in the lab's allow_risks (lab.yaml:2)"),
              std::string::npos)
        << refused(strict, f, 3);
    Lab deny = lab_from("lab: l\ndeny_tests: [t1114.001#1, 'ADDS A USER']\ntargets:\n- {name: t, platform: linux}\n");
    EXPECT_EQ(refused(deny, f, 1), "denied by the lab (deny_tests: t1114.001#1)");
    EXPECT_EQ(refused(deny, f, 3), "denied by the lab (deny_tests: ADDS A USER)");
    Lab open = lab_from("lab: l\ntargets:\n- {name: t, platform: linux, revert: [true]}\n");
    PlanOptions exclude;
    exclude.exclude_risks = {"destructive"};
    EXPECT_NE(refused(open, f, 2, exclude).find("excluded by --exclude-risks"), std::string::npos);
    EXPECT_EQ(refused(open, f, 3, exclude), "");
    EXPECT_NE(refused(open, f, 4).find("platform not supported"), std::string::npos);
}

TEST(Safety, PlanShowsCommandsRisksAndSkips) {
    Fixture f;
    Lab lab = lab_from("lab: l\ntargets:\n- {name: t, platform: linux}\n");
    auto plan = build_plan(lab, f.pack, f.pack.tests(), {});
    ASSERT_EQ(plan.size(), 4u);
    std::string text = render_plan(lab, plan);
    EXPECT_NE(text.find("2 would run, 2 would be skipped; nothing is executed"), std::string::npos) << text;
    EXPECT_NE(text.find("[t] T1114.001 #2 Reboots the box"), std::string::npos);
    EXPECT_NE(text.find("    | false && shutdown -r now"), std::string::npos);
    EXPECT_NE(text.find("reboot: `shutdown -r now` (line 1)"), std::string::npos);
    EXPECT_NE(text.find("account-change: declared by the pack"), std::string::npos);
    EXPECT_NE(text.find("executor: sh, elevation not required"), std::string::npos);
}
