// The runner end to end: `attest run` as a child process against real sshd servers on
// loopback ports, a local target, and faults (hangs, refused connections, a server killed
// mid-run, SIGINT, a dead telemetry source).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/timeutil.h"
#include "e2e_support.h"

using namespace attest::test;
using json = nlohmann::json;
namespace run = attest::run;

namespace {

const std::string kTarGuid = "b457d68d-ff7e-4351-b3cd-1fc92091a1d5";
const std::string kGuidA = "0c7d8f0e-1111-4a5b-9c3d-000000000001";

std::string simple_test(const std::string& guid, const std::string& name, const std::string& command,
                        const std::string& cleanup = "", const std::string& args_yaml = "") {
    std::string t = "- name: " + name + "\n  auto_generated_guid: " + guid +
                    "\n  description: e2e\n  supported_platforms: [linux]\n";
    if (!args_yaml.empty()) t += "  input_arguments:\n" + args_yaml;
    t += "  executor:\n    name: sh\n    elevation_required: false\n    command: |\n";
    std::istringstream in(command);
    for (std::string line; std::getline(in, line);) t += "      " + line + "\n";
    if (!cleanup.empty()) {
        t += "    cleanup_command: |\n";
        std::istringstream c(cleanup);
        for (std::string line; std::getline(c, line);) t += "      " + line + "\n";
    }
    return t;
}

bool alive(pid_t pid) {
    std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::vector<pid_t> read_pids(const std::string& path) {
    std::ifstream in(path);
    std::vector<pid_t> out;
    for (pid_t p; in >> p;) out.push_back(p);
    return out;
}

}  // namespace

TEST(RunnerE2E, LinuxScenariosOfThePackOverSsh) {
    TempDir tmp("ssh-pack");
    SshKeys keys(tmp.path + "/keys");
    Sshd sshd(tmp.path + "/sshd", keys.dir, keys.host_key);
    ASSERT_TRUE(sshd.running()) << read_text(tmp.path + "/sshd/sshd.log");
    keys.trust(sshd.port());
    write_text(tmp.path + "/lab.yaml", "lab: e2e\ntargets:\n" + ssh_target_yaml("deb", sshd.port(), keys));
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack",
                         ATTEST_SOURCE_DIR "/scenarios/t1114", "--get-prereqs", "--out", out},
                        out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* tar = find_scenario(r.results, "deb", kTarGuid);
    ASSERT_NE(tar, nullptr) << r.err;
    EXPECT_EQ((*tar)["execution"]["exit_code"], 0) << tar->dump(2);
    EXPECT_NE((*tar)["execution"]["stdout"].get<std::string>().find("mail_harvest.tar.gz"), std::string::npos);
    EXPECT_EQ((*tar)["cleanup"]["ran"], true);
    EXPECT_EQ((*tar)["cleanup"]["succeeded"], true);
    EXPECT_NE((*tar)["verdict"], "error") << (*tar)["reason"];
    // This lab collects no audit log: the expectations cannot be observed, not "missing".
    EXPECT_EQ((*tar)["verdict"], "inconclusive");
    // The Windows scenarios are skipped, with the reason.
    int skipped = 0;
    for (const auto& s : r.results["scenarios"])
        if (s["verdict"] == "skipped") {
            ++skipped;
            EXPECT_NE(s["reason"].get<std::string>().find("windows"), std::string::npos);
        }
    EXPECT_GE(skipped, 4);
    EXPECT_FALSE(std::filesystem::exists("/tmp/attest/mail_staging/mail_harvest.tar.gz"));
}

TEST(RunnerE2E, EightTargetsAtOnceEachGetsItsOwnVerdict) {
    TempDir tmp("eight");
    SshKeys keys(tmp.path + "/keys");
    std::vector<std::unique_ptr<Sshd>> servers;
    std::string targets;
    for (int i = 0; i < 8; ++i) {
        servers.push_back(std::make_unique<Sshd>(tmp.path + "/sshd" + std::to_string(i), keys.dir, keys.host_key));
        ASSERT_TRUE(servers.back()->running());
        keys.trust(servers.back()->port());
        targets += ssh_target_yaml("t" + std::to_string(i), servers.back()->port(), keys);
    }
    write_text(tmp.path + "/lab.yaml", "lab: eight\nconcurrency: 8\ntargets:\n" + targets);
    // The server port of the ssh session is the last field of SSH_CONNECTION: each target
    // reports which server it ran on; target t3 fails on purpose.
    std::string pack = write_pack(tmp.path + "/pack",
                                  simple_test(kGuidA, "report the server port",
                                              "sleep 5\necho \"port=${SSH_CONNECTION##* }\"\n"
                                              "[ \"${SSH_CONNECTION##* }\" != " +
                                                  std::to_string(servers[3]->port()) + " ]"));
    std::string out = tmp.path + "/out";
    auto started = std::chrono::steady_clock::now();
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.results.is_object()) << r.err;
    ASSERT_EQ(r.results["scenarios"].size(), 8u) << r.err;
    for (int i = 0; i < 8; ++i) {
        const json* s = find_scenario(r.results, "t" + std::to_string(i), kGuidA);
        ASSERT_NE(s, nullptr);
        ASSERT_TRUE((*s)["execution"].is_object()) << s->dump(2);
        EXPECT_NE((*s)["execution"]["stdout"].get<std::string>().find(
                      "port=" + std::to_string(servers[i]->port())),
                  std::string::npos)
            << (*s)["execution"].dump();
        // Without expectations a test that ran is `executed`; t3's command fails on purpose.
        EXPECT_EQ((*s)["verdict"], i == 3 ? "error" : "executed") << (*s)["reason"];
        EXPECT_EQ((*s)["execution"]["exit_code"], i == 3 ? 1 : 0);
    }
    EXPECT_EQ(r.exit_code, 1);
    // Concurrency: the executions overlapped. Their summed durations exceed the wall time
    // they span (one after another, the sum would equal it).
    std::int64_t first = INT64_MAX, last = 0, sum = 0;
    for (const auto& s : r.results["scenarios"]) {
        auto a = *attest::parse_iso8601_ns(s["execution"]["start"].get<std::string>());
        auto b = *attest::parse_iso8601_ns(s["execution"]["end"].get<std::string>());
        first = std::min(first, a);
        last = std::max(last, b);
        sum += b - a;
    }
    EXPECT_GT(sum, 3 * (last - first)) << "executions did not overlap";
    (void)took;
}

namespace {

std::string hang_pack(const std::string& dir, const std::string& state) {
    return write_pack(dir, simple_test(kGuidA, "hang",
                                       "echo $$ > " + state + "/pids\n"
                                       "sleep 300 &\necho $! >> " + state + "/pids\n"
                                       "sh -c 'sleep 301' &\necho $! >> " + state + "/pids\n"
                                       "wait",
                                       "touch " + state + "/cleaned"));
}

void expect_hang_handled(const AttestRun& r, const std::string& target, const std::string& state) {
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = find_scenario(r.results, target, kGuidA);
    ASSERT_NE(s, nullptr) << r.err;
    EXPECT_EQ((*s)["verdict"], "error");
    EXPECT_NE((*s)["reason"].get<std::string>().find("timed out"), std::string::npos) << (*s)["reason"];
    EXPECT_EQ((*s)["execution"]["timed_out"], true);
    EXPECT_EQ((*s)["cleanup"]["ran"], true);
    EXPECT_TRUE(std::filesystem::exists(state + "/cleaned"));
    auto pids = read_pids(state + "/pids");
    EXPECT_EQ(pids.size(), 3u);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (pid_t p : pids) EXPECT_FALSE(alive(p)) << "survivor " << p;
}

}  // namespace

TEST(RunnerE2E, HangingCommandLocalTimeoutKillsTreeAndCleansUp) {
    TempDir tmp("hang-local");
    std::string state = tmp.path + "/state";
    std::filesystem::create_directories(state);
    write_text(tmp.path + "/lab.yaml",
               "lab: hang\ntargets:\n- name: here\n  platform: linux\n  transport: local\n"
               "  timeouts: {execution: 2s}\n");
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", hang_pack(tmp.path + "/pack", state),
                         "--out", out}, out);
    expect_hang_handled(r, "here", state);
}

TEST(RunnerE2E, HangingCommandOverSshKillsTheRemoteTree) {
    TempDir tmp("hang-ssh");
    SshKeys keys(tmp.path + "/keys");
    Sshd sshd(tmp.path + "/sshd", keys.dir, keys.host_key);
    ASSERT_TRUE(sshd.running());
    keys.trust(sshd.port());
    std::string state = tmp.path + "/state";
    std::filesystem::create_directories(state);
    write_text(tmp.path + "/lab.yaml", "lab: hang\ntargets:\n" +
                                           ssh_target_yaml("remote", sshd.port(), keys,
                                                           "  timeouts: {execution: 2s}\n"));
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", hang_pack(tmp.path + "/pack", state),
                         "--out", out}, out);
    expect_hang_handled(r, "remote", state);
}

TEST(RunnerE2E, RefusedConnectionIsAnErrorOthersUnaffected) {
    TempDir tmp("refused");
    SshKeys keys(tmp.path + "/keys");
    int closed = free_port();
    write_text(tmp.path + "/lab.yaml",
               "lab: refused\nconcurrency: 2\ntargets:\n" + ssh_target_yaml("gone", closed, keys) +
                   "- name: here\n  platform: linux\n  transport: local\n");
    std::string pack = write_pack(tmp.path + "/pack", simple_test(kGuidA, "say hello", "echo hello"));
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* gone = find_scenario(r.results, "gone", kGuidA);
    const json* here = find_scenario(r.results, "here", kGuidA);
    ASSERT_NE(gone, nullptr);
    ASSERT_NE(here, nullptr);
    EXPECT_EQ((*gone)["verdict"], "error");
    EXPECT_NE((*gone)["reason"].get<std::string>().find("unreachable"), std::string::npos) << (*gone)["reason"];
    EXPECT_NE((*gone)["reason"].get<std::string>().find("refused"), std::string::npos) << (*gone)["reason"];
    EXPECT_EQ((*here)["verdict"], "executed") << (*here)["reason"];
    EXPECT_EQ((*here)["execution"]["stdout"], "hello\n");
    EXPECT_EQ(r.exit_code, 1);
}

TEST(RunnerE2E, SshdKilledMidRun) {
    TempDir tmp("killed");
    SshKeys keys(tmp.path + "/keys");
    Sshd sshd(tmp.path + "/sshd", keys.dir, keys.host_key);
    ASSERT_TRUE(sshd.running());
    keys.trust(sshd.port());
    write_text(tmp.path + "/lab.yaml", "lab: killed\ntargets:\n" + ssh_target_yaml("remote", sshd.port(), keys));
    std::string pack = write_pack(tmp.path + "/pack",
                                  simple_test(kGuidA, "slow", "sleep 6\necho finished", "echo cleaning"));
    std::string out = tmp.path + "/out";
    // Kill the server (listener and sessions) once the command runs on it.
    std::thread killer([&] {
        for (int i = 0; i < 1200 && read_text(out + "/run.log").find("executing") == std::string::npos; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        sshd.stop();
    });
    auto started = std::chrono::steady_clock::now();
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    killer.join();
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = find_scenario(r.results, "remote", kGuidA);
    ASSERT_NE(s, nullptr) << r.err;
    EXPECT_EQ((*s)["verdict"], "error");
    ASSERT_TRUE((*s)["execution"].is_object()) << s->dump(2);
    EXPECT_EQ((*s)["execution"].value("stdout", "").find("finished"), std::string::npos);
    // The cleanup was attempted and its failure recorded, not hidden.
    EXPECT_EQ((*s)["cleanup"]["ran"], true);
    EXPECT_EQ((*s)["cleanup"]["succeeded"], false);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
    EXPECT_EQ(r.results["run"]["status"], "complete");
}

// TMP/lab.yaml with one local target "here"; returns TMP/state for the scenarios' pid files.
std::string local_lab_with_state(const TempDir& tmp, const std::string& lab) {
    std::string state = tmp.path + "/state";
    std::filesystem::create_directories(state);
    write_text(tmp.path + "/lab.yaml",
               "lab: " + lab + "\ntargets:\n- name: here\n  platform: linux\n  transport: local\n");
    return state;
}

TEST(RunnerE2E, SigintDuringExecutionCleansUpAndKeepsTheJournal) {
    TempDir tmp("sigint");
    std::string state = local_lab_with_state(tmp, "sigint");
    std::string pack = write_pack(
        tmp.path + "/pack",
        simple_test(kGuidA, "first", "echo one") +
            simple_test("0c7d8f0e-1111-4a5b-9c3d-000000000002", "long",
                        "echo $$ > " + state + "/pids\nsleep 120 &\necho $! >> " + state + "/pids\nwait",
                        "touch " + state + "/cleaned") +
            simple_test("0c7d8f0e-1111-4a5b-9c3d-000000000003", "never", "echo never"));
    std::string out = tmp.path + "/out";
    pid_t pid = spawn({ATTEST_BINARY, "run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out},
                      tmp.path + "/attest.log");
    ASSERT_GT(pid, 0);
    // Wait until the long scenario runs.
    for (int i = 0; i < 200 && read_pids(state + "/pids").size() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(read_pids(state + "/pids").size(), 2u) << read_text(tmp.path + "/attest.log");
    ::kill(pid, SIGINT);
    int status = 0;
    auto started = std::chrono::steady_clock::now();
    ::waitpid(pid, &status, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
    json results = json::parse(read_text(out + "/results.json"), nullptr, false);
    ASSERT_TRUE(results.is_object());
    EXPECT_EQ(results["run"]["status"], "interrupted");
    const json* first = find_scenario(results, "here", kGuidA);
    const json* longer = find_scenario(results, "here", "0c7d8f0e-1111-4a5b-9c3d-000000000002");
    ASSERT_NE(first, nullptr);
    ASSERT_NE(longer, nullptr);
    EXPECT_EQ((*first)["verdict"], "executed");
    EXPECT_EQ((*first)["execution"]["exit_code"], 0);
    EXPECT_EQ((*longer)["verdict"], "error");
    EXPECT_NE((*longer)["reason"].get<std::string>().find("interrupted"), std::string::npos);
    EXPECT_EQ((*longer)["cleanup"]["ran"], true);
    EXPECT_TRUE(std::filesystem::exists(state + "/cleaned"));
    EXPECT_EQ(find_scenario(results, "here", "0c7d8f0e-1111-4a5b-9c3d-000000000003"), nullptr);
    for (pid_t p : read_pids(state + "/pids")) EXPECT_FALSE(alive(p)) << "survivor " << p;
    EXPECT_NE(read_text(out + "/run.log").find("long: error"), std::string::npos);
}

TEST(RunnerE2E, SecondSigintAbortsAHangingCleanup) {
    TempDir tmp("sigint2");
    std::string state = local_lab_with_state(tmp, "sigint2");
    std::string pack = write_pack(
        tmp.path + "/pack",
        simple_test(kGuidA, "long", "echo $$ > " + state + "/run; sleep 120",
                    "echo $$ > " + state + "/cleanup; sleep 120"));
    std::string out = tmp.path + "/out";
    pid_t pid = spawn({ATTEST_BINARY, "run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out},
                      tmp.path + "/attest.log");
    ASSERT_GT(pid, 0);
    auto wait_for = [&](const std::string& file) {
        for (int i = 0; i < 200 && read_pids(file).empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return !read_pids(file).empty();
    };
    ASSERT_TRUE(wait_for(state + "/run")) << read_text(tmp.path + "/attest.log");
    ::kill(pid, SIGINT);  // first: the attack stops, cleanup starts (and hangs)
    ASSERT_TRUE(wait_for(state + "/cleanup")) << read_text(tmp.path + "/attest.log");
    auto started = std::chrono::steady_clock::now();
    ::kill(pid, SIGINT);  // second: cleanup is killed too
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    ASSERT_TRUE(WIFEXITED(status));
    json results = json::parse(read_text(out + "/results.json"), nullptr, false);
    ASSERT_TRUE(results.is_object());
    EXPECT_EQ(results["run"]["status"], "interrupted");
    const json* longer = find_scenario(results, "here", kGuidA);
    ASSERT_NE(longer, nullptr);
    EXPECT_EQ((*longer)["verdict"], "error");
    EXPECT_EQ((*longer)["cleanup"]["ran"], true);
    EXPECT_EQ((*longer)["cleanup"]["succeeded"], false);
    for (const char* f : {"/run", "/cleanup"})
        for (pid_t p : read_pids(state + f)) EXPECT_FALSE(alive(p)) << "survivor " << p;
    EXPECT_NE(read_text(out + "/run.log").find("aborting cleanup"), std::string::npos);
}

TEST(RunnerE2E, FailingCollectorMakesExpectationsNotCollected) {
    TempDir tmp("collector");
    write_text(tmp.path + "/lab.yaml",
               "lab: dead\ntargets:\n- name: here\n  platform: linux\n  transport: local\n"
               "  sources:\n    auditd: {log: " + tmp.path + "/no-such-dir/audit.log}\n");
    std::string pack = write_pack(
        tmp.path + "/pack", simple_test(kGuidA, "echo", "echo hi"),
        "  " + kGuidA + ":\n    name: echo\n    expectations:\n"
        "      - id: echo-exec\n        description: the echo ran\n        source: auditd\n"
        "        query: process where process.name == \"echo\"\n");
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = find_scenario(r.results, "here", kGuidA);
    ASSERT_NE(s, nullptr) << r.err;
    EXPECT_EQ((*s)["verdict"], "inconclusive") << s->dump(2);
    ASSERT_EQ((*s)["expectations"].size(), 1u);
    EXPECT_EQ((*s)["expectations"][0]["verdict"], "not_collected");
    EXPECT_NE((*s)["collection"]["not_collected"]["auditd"].get<std::string>().find("not readable"),
              std::string::npos);
}

TEST(RunnerE2E, SecretsNeverReachOutputLogsOrResults) {
    TempDir tmp("secrets");
    write_text(tmp.path + "/lab.yaml",
               "lab: s\ntargets:\n- name: here\n  platform: linux\n  transport: local\n"
               "  secrets: [ATTEST_E2E_LAB_SECRET]\n");
    std::string pack = write_pack(
        tmp.path + "/pack",
        simple_test(kGuidA, "use a password", "echo \"login #{password}\"\necho \"$ATTEST_E2E_LAB_SECRET\" >&2\nexit 3", "",
                    "    password:\n      description: a password\n      type: string\n      default: x\n"));
    std::string out = tmp.path + "/out";
    ::setenv("ATTEST_E2E_LAB_SECRET", "lab-secret-9f8e7d", 1);
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out, "--arg",
                         "password=Hunter2-s3cret"},
                        out);
    ::unsetenv("ATTEST_E2E_LAB_SECRET");
    ASSERT_TRUE(r.results.is_object()) << r.err;
    std::string all = read_text(out + "/results.json") + read_text(out + "/run.log") + r.out + r.err;
    EXPECT_EQ(all.find("Hunter2"), std::string::npos);
    EXPECT_EQ(all.find("lab-secret-9f8e7d"), std::string::npos);
    const json* s = find_scenario(r.results, "here", kGuidA);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ((*s)["execution"]["stdout"], "login ********\n");
    EXPECT_NE((*s)["execution"]["command"].get<std::string>().find("********"), std::string::npos);
}

TEST(RunnerE2E, RecheckTurnsPendingO365IntoObserved) {
    TempDir tmp("recheck");
    std::string ual = tmp.path + "/ual.json";
    write_text(ual, "[]");
    write_text(tmp.path + "/lab.yaml",
               "lab: o365\ntimeouts: {collection: 1s}\ntargets:\n- name: here\n  platform: linux\n"
               "  transport: local\n  sources:\n    o365: {file: " + ual + ", latency: 1h}\n");
    std::string pack = write_pack(
        tmp.path + "/pack", simple_test(kGuidA, "forwarding rule", "sleep 2"),
        "  " + kGuidA + ":\n    name: forwarding rule\n    expectations:\n"
        "      - id: o365-rule\n        description: the audit record of the rule\n        source: o365\n"
        "        query: any where event.action == \"New-InboxRule\"\n");
    std::string out = tmp.path + "/out";
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = find_scenario(r.results, "here", kGuidA);
    ASSERT_NE(s, nullptr) << r.err;
    EXPECT_EQ((*s)["verdict"], "inconclusive") << s->dump(2);
    EXPECT_EQ((*s)["expectations"][0]["verdict"], "pending");
    // The audit record arrives later, stamped (at second precision) inside the execution.
    std::string start = (*s)["execution"]["start"];
    auto ns = *attest::parse_iso8601_ns(start) + 1000000000LL;
    std::string when = attest::format_iso8601(ns, 3).substr(0, 19);
    write_text(ual, R"([{"CreationTime":")" + when +
                        R"(","Id":"1b2c","Operation":"New-InboxRule","RecordType":1,"UserId":"a@b.c",)"
                        R"("Workload":"Exchange","ResultStatus":"True","OrganizationId":"o"}])");
    run::ProcessRequest req;
    req.argv = {ATTEST_BINARY, "recheck", out};
    auto p = run::run_process(req);
    ASSERT_TRUE(p.ok());
    json again = json::parse(read_text(out + "/results.json"), nullptr, false);
    ASSERT_TRUE(again.is_object()) << p->stderr_text;
    EXPECT_EQ(again["run"]["mode"], "recheck");
    const json* s2 = find_scenario(again, "here", kGuidA);
    ASSERT_NE(s2, nullptr) << p->stderr_text;
    EXPECT_EQ((*s2)["expectations"][0]["verdict"], "observed") << s2->dump(2);
    EXPECT_EQ((*s2)["verdict"], "passed") << (*s2)["reason"];
    EXPECT_EQ(p->exit_code, 0) << p->stderr_text;
}

// The pack's `success` check runs after the window closed and before cleanup (the file it
// tests is removed by cleanup), with the test's arguments; it is recorded beside the verdict
// and printed in the verdict line, and never changes the verdict.
TEST(RunnerE2E, SuccessCheckIsRecordedBesideTheVerdict) {
    TempDir tmp("success");
    const std::string kGuidB = "0c7d8f0e-1111-4a5b-9c3d-000000000002";
    write_text(tmp.path + "/lab.yaml",
               "lab: local\ntargets:\n- {name: here, platform: linux, transport: local}\n");
    std::string state = tmp.path + "/state";
    std::filesystem::create_directories(state);
    std::string pack = write_pack(
        tmp.path + "/pack",
        simple_test(kGuidA, "writes a file", "echo hi > #{out}", "rm #{out}",
                    "    out: {description: file, type: path, default: " + state + "/out}\n") +
            simple_test(kGuidB, "upload rejected", "true"),
        "  " + kGuidA + ":\n    success: 'test -s #{out}'\n" + "  " + kGuidB +
            ":\n    success: {command: 'echo rejected >&2; exit 3', executor: sh}\n");
    std::string out = tmp.path + "/out";
    auto r =
        run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack", pack, "--out", out}, out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json* a = find_scenario(r.results, "here", kGuidA);
    const json* b = find_scenario(r.results, "here", kGuidB);
    ASSERT_NE(a, nullptr) << r.err;
    ASSERT_NE(b, nullptr) << r.err;
    EXPECT_EQ((*a)["verdict"], "executed");
    EXPECT_EQ((*a)["success"]["passed"], true) << a->dump(2);
    EXPECT_EQ((*a)["success"]["command"], "test -s " + state + "/out");
    EXPECT_EQ((*a)["success"]["exit_code"], 0);
    EXPECT_FALSE(std::filesystem::exists(state + "/out")) << "cleanup did not run";
    EXPECT_EQ((*b)["verdict"], "executed");
    EXPECT_EQ((*b)["success"]["passed"], false) << b->dump(2);
    EXPECT_EQ((*b)["success"]["reason"], "exit code 3");
    EXPECT_NE((*b)["success"]["output"].get<std::string>().find("rejected"), std::string::npos);
    const std::string why =
        "executed (the pack declares no expectation or detection for this test); ";
    EXPECT_NE(r.err.find("writes a file: " + why +
                         "attack step succeeded (exit code 0, success check passed)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("upload rejected: " + why +
                         "attack step failed (exit code 0, success check failed: "
                         "exit code 3)"),
              std::string::npos)
        << r.err;
}

// On a terminal (a pseudo-terminal from `script`) the run keeps a progress line at the
// bottom; in a pipe or with NO_COLOR it has none and no escape sequence.
TEST(RunnerE2E, ProgressLineOnATerminalOnly) {
    if (std::system("command -v script >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "util-linux 'script' is not installed";
    TempDir tmp("progress");
    write_text(tmp.path + "/lab.yaml",
               "lab: local\ntargets:\n- {name: here, platform: linux, transport: local}\n");
    std::string pack = write_pack(tmp.path + "/pack", simple_test(kGuidA, "short", "sleep 1"));
    std::string command = std::string(ATTEST_BINARY) + " run --lab " + tmp.path +
                          "/lab.yaml --pack " + pack + " --out " + tmp.path + "/out";
    auto shell = [](const std::string& line) {
        run::ProcessRequest req;
        req.argv = {"sh", "-c", line + " 2>&1"};
        auto p = run::run_process(req);
        return p ? p->stdout_text : std::string();
    };
    std::string tty = shell("script -qec \"env -u NO_COLOR ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " +
                            command + "\" /dev/null");
    EXPECT_NE(tty.find("\x1b[Krun: "), std::string::npos) << tty;
    EXPECT_NE(tty.find("1 scenario(s) finished, telemetry read: "), std::string::npos) << tty;
    EXPECT_NE(tty.find("short: executed"), std::string::npos) << tty;
    std::string pipe = shell("env -u NO_COLOR ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " + command);
    EXPECT_NE(pipe.find("short: executed"), std::string::npos) << pipe;
    EXPECT_EQ(pipe.find("scenario(s) finished"), std::string::npos) << pipe;
    EXPECT_EQ(pipe.find('\x1b'), std::string::npos) << pipe;
    std::string no_colour =
        shell("script -qec \"env NO_COLOR=1 ATTEST_PROGRESS_AFTER_MS=0 TERM=xterm " + command +
              "\" /dev/null");
    EXPECT_EQ(no_colour.find("scenario(s) finished"), std::string::npos) << no_colour;
}
