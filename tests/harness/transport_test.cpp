#include "harness/transport.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace attest::run;

namespace {

// Running (a zombie waiting for its reaper counts as dead: it runs nothing).
bool process_alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

std::string temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("attest-transport-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir.string();
}

}  // namespace

TEST(Process, CapturesOutputExitCodeAndStdin) {
    ProcessRequest req;
    req.argv = {"sh", "-c", "cat; echo err >&2; exit 7"};
    req.stdin_data = "hello";
    auto r = run_process(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->exit_code, 7);
    EXPECT_EQ(r->stdout_text, "hello");
    EXPECT_EQ(r->stderr_text, "err\n");
    EXPECT_FALSE(r->timed_out);
}

TEST(Process, MissingProgramIsAnError) {
    ProcessRequest req;
    req.argv = {"/nonexistent/attest-no-such-program"};
    auto r = run_process(req);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("attest-no-such-program"), std::string::npos);
}

TEST(Process, TimeoutKillsTheWholeTree) {
    auto dir = temp_dir("tree");
    std::string pids = dir + "/pids";
    ProcessRequest req;
    // A child, a grandchild in the background, both ignoring nothing: all must die.
    req.argv = {"sh", "-c",
                "sleep 300 & echo $! > " + pids + "; sh -c 'sleep 301 & echo $! >> " + pids +
                    "; wait' & echo $$ >> " + pids + "; wait"};
    req.timeout = std::chrono::milliseconds(500);
    auto started = std::chrono::steady_clock::now();
    auto r = run_process(req);
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->timed_out);
    EXPECT_LT(took, std::chrono::seconds(5));
    std::ifstream in(pids);
    std::vector<pid_t> seen;
    for (pid_t p; in >> p;) seen.push_back(p);
    ASSERT_EQ(seen.size(), 3u);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (pid_t p : seen) EXPECT_FALSE(process_alive(p)) << "survivor pid " << p;
    std::filesystem::remove_all(dir);
}

TEST(Process, TermIgnoringChildIsKilled) {
    ProcessRequest req;
    req.argv = {"sh", "-c", "trap '' TERM; sleep 300"};
    req.timeout = std::chrono::milliseconds(300);
    auto r = run_process(req);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->timed_out);
    EXPECT_NE(r->exit_code, 0);
}

TEST(Process, CancellationStopsTheChild) {
    CancelToken cancel;
    ProcessRequest req;
    req.argv = {"sleep", "300"};
    req.cancel = &cancel;
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel.level = 1;
    });
    auto r = run_process(req);
    t.join();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->cancelled);
    // Cleanup runs at level 2 only: level 1 leaves it alone.
    req.argv = {"true"};
    req.cancel_level = 2;
    auto c = run_process(req);
    EXPECT_TRUE(c->ok());
}

TEST(Transport, LocalReadsAndWritesFiles) {
    TargetConfig t;
    t.name = "local";
    auto transport = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    auto dir = temp_dir("files");
    std::string path = dir + "/it's a file";
    ASSERT_TRUE((*transport)->write_file(path, "line1\nline2\n", cancel).ok());
    auto size = (*transport)->file_size(path, false, cancel);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 12u);
    auto tail = (*transport)->read_file(path, 6, false, cancel);
    ASSERT_TRUE(tail.ok());
    EXPECT_EQ(*tail, "line2\n");
    EXPECT_FALSE((*transport)->read_file(dir + "/absent", 0, false, cancel).ok());
    std::filesystem::remove_all(dir);
}

TEST(Transport, CommandTemplateRunsThroughALocalShell) {
    TargetConfig t;
    t.name = "vm1";
    t.transport = "command";
    t.command.vm = "lab vm 1";
    // Stands in for `VBoxManage guestcontrol {vm} run --exe /bin/sh -- sh -c {command}`:
    // the tool is a local shell that prints the VM name and runs the command.
    t.command.exec = {"sh", "-c", "printf '%s|' \"$1\"; eval \"$2\"", "guest-exec", "{vm}",
                      "{command}"};
    auto transport = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    TargetCommand cmd;
    cmd.argv = {"sh", "-c", "echo \"it's $((6*7))\"; exit 3"};
    auto r = (*transport)->run(cmd, cancel);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->stdout_text, "lab vm 1|it's 42\n");
    EXPECT_EQ(r->exit_code, 3);
}

TEST(Transport, CommandTemplateExpansion) {
    std::vector<std::string> argv = powershell_encoded_argv("whoami");
    auto win = expand_command_template(
        {"vmrun", "-T", "ws", "runProgramInGuest", "{vm}", "powershell.exe", "-EncodedCommand",
         "{encoded_command}"},
        argv, Platform::Windows, "C:\\VMs\\win.vmx");
    ASSERT_TRUE(win.ok());
    EXPECT_EQ((*win)[4], "C:\\VMs\\win.vmx");
    EXPECT_EQ((*win)[7], encode_powershell("whoami"));
    auto spliced = expand_command_template({"guest", "--", "{argv}"}, {"sh", "-c", "a b"},
                                           Platform::Linux, "vm");
    ASSERT_TRUE(spliced.ok());
    EXPECT_EQ(*spliced, (std::vector<std::string>{"guest", "--", "sh", "-c", "a b"}));
    EXPECT_FALSE(expand_command_template({"x", "{encoded_command}"}, {"sh", "-c", "a"},
                                         Platform::Linux, "vm")
                     .ok());
    EXPECT_FALSE(expand_command_template({"x", "{bogus}"}, {"a"}, Platform::Linux, "vm").ok());
    // PowerShell script blocks keep their braces; placeholders inside are still filled.
    auto direct = expand_command_template({"Invoke-Command -VMName {vm} -ScriptBlock { x {encoded_command} }"},
                                          argv, Platform::Windows, "W1");
    ASSERT_TRUE(direct.ok()) << direct.error().message;
    EXPECT_EQ((*direct)[0], "Invoke-Command -VMName W1 -ScriptBlock { x " + encode_powershell("whoami") + " }");
}

TEST(Transport, SshCommandLine) {
    SshConfig ssh;
    ssh.host = "10.0.0.5";
    ssh.port = 2222;
    ssh.user = "lab";
    ssh.identity_file = "/keys/id";
    ssh.known_hosts = "/keys/known_hosts";
    auto argv = ssh_argv(ssh, "/tmp/cm", std::chrono::milliseconds(5000), "true");
    auto has = [&](const std::string& s) {
        return std::find(argv.begin(), argv.end(), s) != argv.end();
    };
    EXPECT_TRUE(has("BatchMode=yes"));
    EXPECT_TRUE(has("StrictHostKeyChecking=yes"));
    EXPECT_TRUE(has("UserKnownHostsFile=/keys/known_hosts"));
    EXPECT_TRUE(has("ControlMaster=auto"));
    EXPECT_TRUE(has("ControlPath=/tmp/cm/%C"));
    EXPECT_TRUE(has("ConnectTimeout=5"));
    EXPECT_EQ(argv[argv.size() - 2], "10.0.0.5");
    EXPECT_EQ(argv.back(), "true");
    // Linux: quoted for the remote POSIX shell, under setsid for remote tree kills.
    std::string remote = ssh_remote_command({"sh", "-c", "echo 'x' $HOME"}, Platform::Linux);
    EXPECT_EQ(remote.rfind("setsid -w sh -c ", 0), 0u) << remote;
    EXPECT_NE(remote.find("'echo '\\''x'\\'' $HOME'"), std::string::npos) << remote;
    // Windows: nothing but flags and base64.
    std::string win = ssh_remote_command(powershell_encoded_argv("Write-Output \"$a 'b'\""),
                                         Platform::Windows);
    EXPECT_EQ(win.rfind("powershell -NoProfile -NonInteractive -EncodedCommand ", 0), 0u);
    EXPECT_EQ(win.find_first_of("'\"$&|<>"), std::string::npos) << win;
}

TEST(Transport, SshRemoteCommandRunsLocallyUnderAShell) {
    // The remote command line must survive a POSIX shell exactly: run it through sh here.
    std::string remote = ssh_remote_command({"printf", "%s|", "it's", "$HOME", "a b"}, Platform::Linux);
    ProcessRequest req;
    req.argv = {"sh", "-c", remote};
    auto r = run_process(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->stdout_text, "it's|$HOME|a b|");
    EXPECT_EQ(r->stderr_text.rfind("attest-pgid:", 0), 0u);
}
