// The VM lab end to end (ctest label `vm`): the image from scripts/lab-image.sh (built when
// absent, cached outside the clone), booted under QEMU (TCG here), driven by `attest run`
// through the qemu target driver. The first run of a machine boots cold and saves the clean
// snapshot in the VM's overlay; later runs start from it, so the tests share one boot.
// Every VM is stopped by attest itself; the tests check no qemu process is left behind.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "e2e_support.h"
#include "vm_support.h"

using namespace attest::test;
using json = nlohmann::json;
namespace run = attest::run;

namespace {

const std::string kTarGuid = "b457d68d-ff7e-4351-b3cd-1fc92091a1d5";
const std::string kCurlGuid = "6e2eb287-1d3a-4a59-b596-d62977b78693";

std::string vm_test(const std::string& guid, const std::string& name, const std::string& command,
                    const std::string& cleanup = "") {
    std::string t = "- name: " + name + "\n  auto_generated_guid: " + guid +
                    "\n  description: vm\n  supported_platforms: [linux]\n"
                    "  executor:\n    name: sh\n    elevation_required: false\n    command: |\n";
    std::istringstream in(command);
    for (std::string line; std::getline(in, line);) t += "      " + line + "\n";
    if (!cleanup.empty()) t += "    cleanup_command: |\n      " + cleanup + "\n";
    return t;
}

const json* scenario(const json& results, const std::string& guid) {
    for (const auto& s : results["scenarios"])
        if (s.value("guid", "") == guid) return &s;
    return nullptr;
}

}  // namespace

// The acceptance run: the pack's two Linux scenarios pass inside the guest, with the guest's
// own auditd telemetry over SSH, each after a revert recorded in results.json.
TEST(VmLab, PackPassesInsideTheGuestWithItsOwnAuditTelemetry) {
    REQUIRE_LAB_IMAGE();
    TempDir tmp("vm-pack");
    std::string out = tmp.path + "/out";
    auto r = run_attest(
        {"run", "--lab", std::string(ATTEST_SOURCE_DIR) + "/labs/qemu.yaml", "--pack",
         std::string(ATTEST_SOURCE_DIR) + "/scenarios/t1114", "--get-prereqs", "--out", out},
        out, std::chrono::minutes(20));
    ASSERT_TRUE(r.results.is_object()) << r.err;
    for (const auto& guid : {kTarGuid, kCurlGuid}) {
        const json* s = scenario(r.results, guid);
        ASSERT_NE(s, nullptr) << guid << "\n" << r.err;
        EXPECT_EQ((*s)["verdict"], "passed") << s->dump(2).substr(0, 4000) << "\n" << r.err;
        EXPECT_EQ((*s)["target"], "vm1");
        const json& revert = (*s)["revert"];
        EXPECT_EQ(revert["snapshot"], "clean");
        EXPECT_NE(std::string("reverted started_from_snapshot snapshot_created")
                      .find(revert.value("outcome", "?")),
                  std::string::npos)
            << revert.dump();
        EXPECT_TRUE(revert["seconds"].is_number());
        EXPECT_TRUE(revert["readiness_seconds"].is_number());
        EXPECT_EQ(revert["clock"]["set"], true) << revert.dump();
        // Evidence comes from the guest's audit log: its node name, not this machine's.
        int evidence = 0;
        for (const auto& e : (*s)["expectations"])
            for (const auto& ev : e.value("evidence", json::array())) {
                ++evidence;
                EXPECT_EQ(ev["host"]["name"], "attest-vm1") << ev.dump();
            }
        EXPECT_GT(evidence, 0);
    }
    EXPECT_NE(r.err.find("VM stopped"), std::string::npos) << r.err;
    EXPECT_TRUE(qemu_processes("vm1").empty());
}

// One boot for three checks: a marker left on purpose is gone after the next revert; sshd
// killed during execution is an error whose cleanup is replaced by a revert, after which the
// guest works again; the journal holds every scenario.
TEST(VmLab, RevertUndoesWhatAScenarioLeftAndALostConnection) {
    REQUIRE_LAB_IMAGE();
    TempDir tmp("vm-revert");
    const std::string marker = "/tmp/attest-marker-left-on-purpose";
    std::string pack = write_pack(
        tmp.path + "/pack",
        vm_test("0c7d8f0e-2222-4a5b-9c3d-000000000001", "leave a marker", "touch " + marker) +
            vm_test("0c7d8f0e-2222-4a5b-9c3d-000000000002", "the marker is gone",
                    "test ! -e " + marker) +
            vm_test("0c7d8f0e-2222-4a5b-9c3d-000000000003", "kill sshd",
                    "touch " + marker +
                        "\nsudo -n sh -c 'systemctl stop ssh; pkill -KILL sshd'\nsleep 30",
                    "echo cleanup-ran") +
            vm_test("0c7d8f0e-2222-4a5b-9c3d-000000000004", "after the revert",
                    "test ! -e " + marker + " && pgrep -x sshd"));
    write_text(tmp.path + "/lab.yaml",
               vm_lab("vm1", "", "connect: 20s, readiness: 300s, execution: 90s"));
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out,
                        std::chrono::minutes(20));
    ASSERT_TRUE(r.results.is_object()) << r.err;
    EXPECT_EQ(r.results["run"]["status"], "complete");
    ASSERT_EQ(r.results["scenarios"].size(), 4u) << r.err;
    const json* left = scenario(r.results, "0c7d8f0e-2222-4a5b-9c3d-000000000001");
    const json* gone = scenario(r.results, "0c7d8f0e-2222-4a5b-9c3d-000000000002");
    const json* killed = scenario(r.results, "0c7d8f0e-2222-4a5b-9c3d-000000000003");
    const json* after = scenario(r.results, "0c7d8f0e-2222-4a5b-9c3d-000000000004");
    ASSERT_TRUE(left && gone && killed && after);
    EXPECT_EQ((*left)["execution"]["exit_code"], 0) << left->dump(2);
    EXPECT_EQ((*gone)["execution"]["exit_code"], 0) << "the marker survived the revert\n"
                                                    << gone->dump(2);
    EXPECT_EQ((*gone)["revert"]["outcome"], "reverted");
    EXPECT_EQ((*killed)["verdict"], "error") << killed->dump(2);
    EXPECT_NE((*killed)["reason"].get<std::string>().find("connection"), std::string::npos);
    EXPECT_EQ((*killed)["cleanup"]["ran"], false);
    EXPECT_EQ((*killed)["cleanup"]["replaced_by_revert"], true);
    EXPECT_EQ((*killed)["cleanup"]["revert"]["outcome"], "reverted") << killed->dump(2);
    EXPECT_EQ((*after)["execution"]["exit_code"], 0) << after->dump(2);
    EXPECT_TRUE(qemu_processes("vm1").empty());
}

// SIGINT while a command runs in the guest: the run stops, cleanup runs, the VM is powered
// off and no qemu process is left.
TEST(VmLab, SigintDuringExecutionStopsTheVm) {
    REQUIRE_LAB_IMAGE();
    TempDir tmp("vm-sigint");
    std::string pack = write_pack(
        tmp.path + "/pack",
        vm_test("0c7d8f0e-3333-4a5b-9c3d-000000000001", "long", "sleep 300", "echo cleanup-ran"));
    write_text(tmp.path + "/lab.yaml", vm_lab("vm1", "", "readiness: 300s, execution: 600s"));
    std::string out = tmp.path + "/out";
    std::string log = tmp.path + "/attest.log";
    pid_t pid = spawn(
        {ATTEST_BINARY, "run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, log);
    ASSERT_GT(pid, 0);
    for (int i = 0; i < 6000 && read_text(log).find("executing") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_NE(read_text(log).find("executing"), std::string::npos) << read_text(log);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    ::kill(pid, SIGINT);
    int status = 0;
    auto started = std::chrono::steady_clock::now();
    ::waitpid(pid, &status, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(90));
    json results = json::parse(read_text(out + "/results.json"), nullptr, false);
    ASSERT_TRUE(results.is_object()) << read_text(log);
    EXPECT_EQ(results["run"]["status"], "interrupted");
    const json* s = scenario(results, "0c7d8f0e-3333-4a5b-9c3d-000000000001");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ((*s)["verdict"], "error");
    EXPECT_EQ((*s)["cleanup"]["ran"], true) << s->dump(2);
    EXPECT_NE(read_text(log).find("VM stopped"), std::string::npos) << read_text(log);
    EXPECT_TRUE(qemu_processes("vm1").empty());
}

// A guest that never answers (its kernel has no init to run) is a clear error within the
// readiness timeout, and its VM is stopped.
TEST(VmLab, GuestThatNeverBecomesReadyIsAClearErrorInTime) {
    REQUIRE_LAB_IMAGE();
    TempDir tmp("vm-never");
    std::string pack = write_pack(
        tmp.path + "/pack", vm_test("0c7d8f0e-4444-4a5b-9c3d-000000000001", "never runs", "true"));
    // A root device that does not exist: the initramfs waits for it and never starts sshd
    // (an `init=` that does not exist is not enough: Debian's initramfs falls back to
    // /sbin/init, so such a guest only looked unready on a loaded machine).
    write_text(tmp.path + "/lab.yaml", vm_lab("vm-never", ", append: root=/dev/attest-no-such-disk",
                                              "connect: 5s, readiness: 25s"));
    std::string out = tmp.path + "/out";
    auto started = std::chrono::steady_clock::now();
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out,
                        std::chrono::minutes(5));
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = scenario(r.results, "0c7d8f0e-4444-4a5b-9c3d-000000000001");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ((*s)["verdict"], "error");
    std::string reason = (*s)["reason"];
    EXPECT_NE(reason.find("not ready after 25s"), std::string::npos) << reason;
    EXPECT_NE(reason.find("console.log"), std::string::npos) << reason;
    EXPECT_FALSE((*s)["execution"].is_object()) << "nothing may run on a guest that is not ready";
    // Readiness timeout, one connect timeout of slack, starting and stopping the VM.
    EXPECT_LT(took, std::chrono::seconds(25 + 5 + 30));
    EXPECT_TRUE(qemu_processes("vm-never").empty());
}
