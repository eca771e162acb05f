// The nightly coverage run on the VM lab (ctest label `vm`): stock Linux atomics from
// ../shared/data/atomics, unchanged, run in the guest with baseline expectations only (no
// expectations.yaml) and the guest's auditd as the sensor; one more test, whose prerequisite
// deletes the audit rules after preflight, must come out blind while the others are unaffected.
//
// ../shared/data/atomics holds 12 Linux tests. The lab image (scripts/lab-image.sh) carries
// what 7 of them need to run as written, and those must be validated: T1027-1, T1053.002-2
// (at, atd), T1201-1, T1201-2, T1201-5, T1497.001-1 (systemd-detect-virt, dmidecode) and
// T1497.001-2 (sysctl fails harmlessly on Linux). The others cannot be, and get the verdict
// that is true for them: T1201-3/-4 check for CentOS/RHEL (prerequisites unmet), T1531-4 runs
// `passwd ARTUser`, which asks for the new password on a terminal (error: it exits non-zero),
// T1090.003-3 (tor) and T1552.007-3 (docker, kind, kubectl) need the network, which the guest
// has not (not run here).
#include <gtest/gtest.h>

#include <set>

#include "e2e_support.h"
#include "vm_support.h"

using namespace attest::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kAtomics = std::string(ATTEST_SOURCE_DIR) + "/../shared/data/atomics";

// Stock tests expected validated: GUID -> name, for messages.
const std::map<std::string, std::string> kValidated = {
    {"f45df6be-2e1e-4136-a384-8f18ab3826fb", "T1027-1 Decode base64 Data into Script"},
    {"085fe567-ac84-47c7-ac4c-2688ce28265b", "T1201-1 password complexity (Ubuntu)"},
    {"a7893624-a3d7-4aed-9676-80498f31820f", "T1201-2 password complexity (FreeBSD file)"},
    {"7c86c55c-70fa-4a05-83c9-3aa19b145d1a", "T1201-5 password expiration policy"},
    {"7266d898-ac82-4ec0-97c7-436075d0d08e", "T1053.002-2 At - Schedule a job"},
    {"dfbd1a21-540d-4574-9731-e852bd6fe840", "T1497.001-1 Detect Virtualization (Linux)"},
    {"e129d73b-3e03-4ae9-bf1e-67fc8921e0fd", "T1497.001-2 Detect Virtualization (FreeBSD)"},
};
// Stock tests that run but cannot succeed, with why: GUID -> (verdict, reason fragment).
const std::map<std::string, std::pair<std::string, std::string>> kNotValidated = {
    {"3c717bf3-2ecc-4d79-8ac8-0bfbf08fbce6", {"error", "command exited with code"}},
    {"78a12e65-efff-4617-bc01-88f17d71315d", {"error", "prerequisites unmet"}},
    {"6ce12552-0adb-4f56-89ff-95ce268f6358", {"error", "prerequisites unmet"}},
};
const std::string kBlindGuid = "0c7d8f0e-4444-4a5b-9c3d-000000000001";

// A pack of the stock technique folders (symlinked: read, never copied into the repo) and one
// test of our own that removes the audit rules in its prerequisite, i.e. after preflight read
// them and before the execution.
std::string coverage_pack(const std::string& dir) {
    fs::create_directories(dir + "/atomics");
    for (const char* t : {"T1027", "T1053.002", "T1201", "T1497.001", "T1531"})
        fs::create_directory_symlink(kAtomics + "/" + t, dir + "/atomics/" + t);
    write_text(dir + "/atomics/T1562.012/T1562.012.yaml",
               "attack_technique: T1562.012\ndisplay_name: 'Impair Defenses: Disable or Modify "
               "Linux Audit System'\n"
               "atomic_tests:\n"
               "- name: audit rules removed before the command\n"
               "  auto_generated_guid: " +
                   kBlindGuid +
                   "\n  description: the sensor sees nothing of this test\n"
                   "  supported_platforms: [linux]\n"
                   "  dependency_executor_name: sh\n"
                   "  dependencies:\n"
                   "  - description: no audit rule is loaded\n"
                   "    prereq_command: sudo -n auditctl -D >/dev/null\n"
                   "    get_prereq_command: 'true'\n"
                   "  executor:\n    name: sh\n    elevation_required: false\n"
                   "    command: cat /etc/login.defs\n");
    return dir;
}

}  // namespace

TEST(CoverageVm, StockAtomicsAreValidatedAndABlindSensorIsNamed) {
    if (!fs::exists(kAtomics)) GTEST_SKIP() << "../shared/data absent: no stock atomics to run";
    REQUIRE_LAB_IMAGE();
    TempDir tmp("vm-coverage");
    std::string pack = coverage_pack(tmp.path + "/pack");
    // The fork family too, as docs/labs.md asks for lineage: T1497.001-1's `sudo dmidecode |
    // egrep ... | grep ...` runs in a subshell that forks without exec (and sudo's monitor
    // process is a fork as well): without clone records its programs have no known parent.
    write_text(tmp.path + "/audit.rules",
               "-a always,exit -F arch=b64 -S execve,clone,clone3,fork,vfork -k attest_exec\n"
               "-a always,exit -F arch=b32 -S execve,clone,fork,vfork -k attest_exec\n");
    write_text(
        tmp.path + "/lab.yaml",
        vm_lab(
            "vm1", "",
            "connect: 20s, readiness: 300s, prerequisites: 60s, execution: 60s, collection: 20s") +
            "  elevation: auto\n  sources:\n    auditd: {log: /var/log/audit/audit.log, latency: "
            "2s, rules: " +
            tmp.path + "/audit.rules}\n");
    std::string out = tmp.path + "/out";
    auto r =
        run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--platform", "linux",
                    "--exclude-risks", "destructive,network-egress", "--get-prereqs", "--out", out},
                   out, std::chrono::minutes(40));
    ASSERT_TRUE(r.results.is_object()) << r.err;
    std::set<std::string> seen;
    for (const auto& s : r.results["scenarios"]) {
        std::string guid = s.value("guid", "");
        seen.insert(guid);
        const json& c = s.value("coverage", json::object());
        std::printf("%s %s: %s (%s)\n", s.value("technique", "").c_str(),
                    s.value("name", "").c_str(), c.value("verdict", "-").c_str(),
                    c.value("reason", s.value("reason", "")).c_str());
        if (kValidated.count(guid)) {
            SCOPED_TRACE(kValidated.at(guid));
            EXPECT_EQ(c.value("verdict", ""), "validated") << s.dump(2).substr(0, 6000);
            int baseline = 0;
            for (const auto& e : s["expectations"]) {
                if (!e.value("baseline", false)) continue;
                ++baseline;
                EXPECT_EQ(e["verdict"], "observed") << e.dump(2).substr(0, 3000);
                EXPECT_FALSE(e["evidence"].empty()) << e["id"];
                if (e["evidence"].empty()) continue;
                // The evidence is the guest's own audit record of that program's execve.
                EXPECT_EQ(e["evidence"][0]["host"]["name"], "attest-vm1");
                EXPECT_EQ(e["evidence"][0]["event"]["category"][0], "process");
            }
            EXPECT_GE(baseline, 2) << "the executor and at least one program";
        }
        if (auto it = kNotValidated.find(guid); it != kNotValidated.end()) {
            EXPECT_EQ(c.value("verdict", ""), it->second.first) << s.dump(2).substr(0, 3000);
            EXPECT_NE(c.value("reason", "").find(it->second.second), std::string::npos) << c.dump();
        }
        if (guid == kBlindGuid) {
            EXPECT_EQ(c.value("verdict", ""), "blind") << s.dump(2).substr(0, 6000);
            EXPECT_NE(c.value("reason", "").find("nothing of its process tree was seen"),
                      std::string::npos)
                << c.dump();
        }
    }
    for (const auto& [guid, name] : kValidated)
        EXPECT_TRUE(seen.count(guid)) << name << " did not run\n" << r.err;
    EXPECT_TRUE(seen.count(kBlindGuid)) << r.err;
    // The summary: in results.json and on the terminal.
    EXPECT_EQ(r.results["coverage"]["techniques"]["T1027"]["best"], "validated")
        << r.results["coverage"].dump(2);
    EXPECT_EQ(r.results["coverage"]["techniques"]["T1562.012"]["worst"], "blind");
    EXPECT_NE(r.err.find("coverage: 7 validated, 0 partial, 1 blind, 3 error, 0 skipped"),
              std::string::npos)
        << r.err;
    EXPECT_NE(read_text(out + "/report.html").find("Coverage: technique × sensor"),
              std::string::npos);
    EXPECT_TRUE(qemu_processes("vm1").empty());
}
