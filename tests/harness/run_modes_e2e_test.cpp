// `attest run --check-prereqs` and `--cleanup` on this machine: only prerequisite checks or
// only cleanup commands run, selection and the safety rails hold, and nothing else is started.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace attest::test;

namespace {

std::string guid(int n) {
    return "33333333-0000-4000-8000-00000000000" + std::to_string(n);
}

// Five tests: a met prerequisite, an unmet one (its fetch would leave a file), a failing
// cleanup, a destructive one and a Windows one. Every command leaves a file in `state`.
std::string modes_pack(const std::string& dir, const std::string& state) {
    auto test = [&](int n, const std::string& name, const std::string& extra,
                    const std::string& command, const std::string& cleanup,
                    const std::string& platform = "linux") {
        return "- name: " + name + "\n  auto_generated_guid: " + guid(n) +
               "\n  supported_platforms: [" + platform + "]\n" + extra +
               "  executor: {name: sh, command: '" + command + "', cleanup_command: '" + cleanup +
               "'}\n";
    };
    auto dependency = [&](const std::string& description, const std::string& file) {
        return "  dependency_executor_name: sh\n  dependencies:\n  - description: " + description +
               "\n    prereq_command: test -e " + state + "/" + file +
               "\n    get_prereq_command: touch " + state + "/fetched" + "\n";
    };
    write_text(state + "/present", "");
    return write_pack(dir,
                      test(1, "Prereq met", dependency("the present file", "present"),
                           "touch " + state + "/ran1", "touch " + state + "/cleaned1") +
                          test(2, "Prereq unmet", dependency("the absent file", "absent"),
                               "touch " + state + "/ran2", "touch " + state + "/cleaned2") +
                          test(3, "Cleanup fails", "", "touch " + state + "/ran3", "exit 4") +
                          test(4, "Would reboot", "", "touch " + state + "/ran4; shutdown -r now",
                               "touch " + state + "/cleaned4") +
                          test(5, "Windows only", "", "touch " + state + "/ran5",
                               "touch " + state + "/cleaned5", "windows"));
}

struct ModesLab {
    TempDir tmp{"modes"};
    std::string state = tmp.path + "/state";
    std::string pack = modes_pack(tmp.path + "/pack", state);
    std::string lab = tmp.path + "/lab.yaml";
    std::string out = tmp.path + "/out";
    ModesLab() {
        write_text(lab,
                   "lab: local\ntargets:\n- {name: here, platform: linux, transport: local}\n");
    }
    AttestRun run(std::vector<std::string> extra) {
        std::vector<std::string> args{"run", "--lab", lab, "--pack", pack, "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_attest(args, out);
    }
    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(state))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
};

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST(RunModesE2E, CheckPrereqsReportsMetAndUnmetAndRunsNothingElse) {
    ModesLab lab;
    auto r = lab.run({"--check-prereqs"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "[here] T1114.001 #1 Prereq met (" + guid(1) + "): prerequisites met\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "[here] T1114.001 #2 Prereq unmet (" + guid(2) +
                               "): prerequisites not met\n"
                               "    not met: the absent file\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "#3 Cleanup fails (" + guid(3) + "): prerequisites met")) << r.out;
    EXPECT_TRUE(has(r.out, "#4 Would reboot (" + guid(4) + "): skipped (destructive: reboot"))
        << r.out;
    EXPECT_TRUE(has(r.out, "#5 Windows only (" + guid(5) + "): skipped (platform not supported"))
        << r.out;
    EXPECT_TRUE(
        has(r.out, "check-prereqs: 2 prerequisites met, 1 prerequisites not met, 2 skipped"))
        << r.out;
    // Only checks ran: no command, no fetch, no cleanup; no results were written.
    EXPECT_EQ(lab.files(), std::vector<std::string>{"present"});
    EXPECT_FALSE(fs::exists(lab.out));

    auto met = lab.run({"--check-prereqs", "--test", "1"});
    EXPECT_EQ(met.exit_code, 0) << met.out << met.err;
    EXPECT_TRUE(has(met.out, "check-prereqs: 1 prerequisites met\n")) << met.out;
}

TEST(RunModesE2E, CleanupRunsOnlyTheCleanupCommands) {
    ModesLab lab;
    auto r = lab.run({"--cleanup"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "#1 Prereq met (" + guid(1) + "): cleanup done\n")) << r.out;
    EXPECT_TRUE(has(r.out, "#3 Cleanup fails (" + guid(3) + "): cleanup failed (exit code 4)\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "cleanup: 2 cleanup done, 1 cleanup failed, 2 skipped")) << r.out;
    // The destructive and the Windows test's cleanups were refused with the tests.
    EXPECT_EQ(lab.files(), (std::vector<std::string>{"cleaned1", "cleaned2", "present"}));

    auto one = lab.run({"--cleanup", "--technique", "T1114.001", "--test", "prereq MET"});
    EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
    EXPECT_TRUE(has(one.out, "cleanup: 1 cleanup done\n")) << one.out;
}

TEST(RunModesE2E, ModesExcludeEachOther) {
    ModesLab lab;
    for (auto pair : {std::vector<std::string>{"--cleanup", "--check-prereqs"},
                      std::vector<std::string>{"--cleanup", "--plan"},
                      std::vector<std::string>{"--check-prereqs", "--get-prereqs"}}) {
        auto r = lab.run(pair);
        EXPECT_EQ(r.exit_code, 2) << pair[0] << " " << pair[1];
        EXPECT_TRUE(has(r.err, "exclude each other")) << r.err;
    }
    EXPECT_EQ(lab.files(), std::vector<std::string>{"present"});
}

// The unmet prerequisite is said once: in the verdict line (it used to be printed twice).
TEST(RunModesE2E, UnmetPrerequisiteIsPrintedOnce) {
    ModesLab lab;
    auto r = lab.run({"--test", "2"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::size_t count = 0;
    for (auto at = r.err.find("prerequisites unmet"); at != std::string::npos;
         at = r.err.find("prerequisites unmet", at + 1))
        ++count;
    EXPECT_EQ(count, 1u) << r.err;
    EXPECT_TRUE(has(r.err, "[here] Prereq unmet: error (prerequisites unmet: the absent file"))
        << r.err;
}
