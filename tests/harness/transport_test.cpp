#include "harness/transport.h"

#include "harness/live_collect.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace attest;
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
        cancel.raise();
    });
    auto started = std::chrono::steady_clock::now();
    auto r = run_process(req);
    auto took = std::chrono::steady_clock::now() - started;
    t.join();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->cancelled);
    // Raising the token wakes the wait at once (no polling interval).
    EXPECT_LT(took, std::chrono::milliseconds(1500));
    // Cleanup runs at level 2 only: level 1 leaves it alone.
    req.argv = {"true"};
    req.cancel_level = 2;
    auto c = run_process(req);
    EXPECT_TRUE(c->ok());
}

TEST(Process, LargeOutputOnBothStreamsAndLargeStdinDoNotDeadlock) {
    ProcessRequest req;
    // 3 MiB of stdin echoed to stdout while 3 MiB go to stderr: either side blocks forever
    // unless stdin, stdout and stderr are all served at once.
    req.argv = {"sh", "-c", "head -c 3145728 /dev/zero | tr '\\0' e >&2 & cat; wait"};
    req.stdin_data = std::string(3u << 20, 'i');
    req.output_limit = 1u << 20;
    req.timeout = std::chrono::seconds(60);
    auto r = run_process(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_FALSE(r->timed_out);
    EXPECT_EQ(r->stdout_text, std::string(1u << 20, 'i'));
    EXPECT_EQ(r->stderr_text, std::string(1u << 20, 'e'));
    EXPECT_EQ(r->dropped_bytes, 2u * (2u << 20));
}

TEST(Process, ManyChildrenProgressOnOneThread) {
    // 16 children sleeping 0.5 s each, awaited concurrently by one io_context thread.
    boost::asio::io_context io;
    int finished = 0;
    for (int i = 0; i < 16; ++i) {
        ProcessRequest req;
        req.argv = {"sh", "-c", "sleep 0.5; echo " + std::to_string(i)};
        boost::asio::co_spawn(
            io,
            [req, &finished, i]() -> Task<void> {
                auto r = co_await async_run_process(req);
                if (r && r->exit_code == 0 && r->stdout_text == std::to_string(i) + "\n") ++finished;
            },
            [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    }
    auto started = std::chrono::steady_clock::now();
    io.run();
    EXPECT_EQ(finished, 16);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4000));
}

TEST(Process, EnvironmentExitSignalNoInheritedDescriptorsNoZombie) {
    ::setenv("ATTEST_TRANSPORT_TEST_VAR", "inherited value", 1);
    ProcessRequest req;
    // ls lists its own descriptors after the shell execs it: what the child inherited, plus
    // the directory ls itself opens (3, the lowest free one). Listing the shell's descriptors
    // from a pipeline would race with the shell's own pipeline pipes.
    req.argv = {"sh", "-c", "printf '%s' \"$ATTEST_TRANSPORT_TEST_VAR\"; read x || echo eof; exec ls /proc/self/fd"};
    auto r = run_process(req);
    ASSERT_TRUE(r.ok());
    // stdin is closed (end-of-file), and no descriptor but 0-2 reaches the child.
    EXPECT_EQ(r->stdout_text, "inherited valueeof\n0\n1\n2\n3\n") << r->stdout_text;
    ::unsetenv("ATTEST_TRANSPORT_TEST_VAR");
    req.argv = {"sh", "-c", "kill -KILL $$"};
    auto killed = run_process(req);
    ASSERT_TRUE(killed.ok());
    EXPECT_EQ(killed->exit_code, 128 + SIGKILL);
    // A program whose exec fails (ENOEXEC: executable, but no format) is an error and
    // leaves no child behind either.
    auto dir = temp_dir("noexec");
    std::string bogus = dir + "/not-a-program";
    { std::ofstream(bogus) << "no shebang, no ELF\n"; }
    std::filesystem::permissions(bogus, std::filesystem::perms::owner_all);
    req.argv = {bogus};
    auto bad = run_process(req);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("not-a-program"), std::string::npos);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(Process, SleepForWakesOnCancel) {
    CancelToken cancel;
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        cancel.raise();
    });
    auto started = std::chrono::steady_clock::now();
    bool full = run_blocking(sleep_for(std::chrono::seconds(30), cancel, 1));
    t.join();
    EXPECT_FALSE(full);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_TRUE(run_blocking(sleep_for(std::chrono::milliseconds(10), cancel, 2)));
}

TEST(Transport, LocalReadsAndWritesFiles) {
    TargetConfig t;
    t.name = "local";
    auto transport = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    auto dir = temp_dir("files");
    std::string path = dir + "/it's a file";
    ASSERT_TRUE(run_blocking((*transport)->write_file(path, "line1\nline2\n", cancel)).ok());
    auto size = run_blocking((*transport)->file_size(path, false, cancel));
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 12u);
    auto tail = run_blocking((*transport)->read_file(path, 6, false, cancel));
    ASSERT_TRUE(tail.ok());
    EXPECT_EQ(*tail, "line2\n");
    EXPECT_FALSE(run_blocking((*transport)->read_file(dir + "/absent", 0, false, cancel)).ok());
    std::filesystem::remove_all(dir);
}

// The executor's process id on the target anchors process lineage: local reports its child,
// command cannot know the guest's.
TEST(Transport, LocalReportsTheExecutorPidCommandDoesNot) {
    TargetConfig local;
    local.name = "local";
    auto transport = TransportRegistry::builtin().create(local);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    TargetCommand cmd;
    cmd.argv = {"sh", "-c", "echo $$"};
    auto r = run_blocking((*transport)->run(cmd, cancel));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->target_pid.empty());
    EXPECT_EQ(r->target_pid + "\n", r->stdout_text);

    TargetConfig guest;
    guest.name = "vm1";
    guest.transport = "command";
    guest.command.exec = {"sh", "-c", "eval \"$1\"", "guest-exec", "{command}"};
    auto command = TransportRegistry::builtin().create(guest);
    ASSERT_TRUE(command.ok());
    auto g = run_blocking((*command)->run(cmd, cancel));
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->target_pid, "");
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
    auto r = run_blocking((*transport)->run(cmd, cancel));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->stdout_text, "lab vm 1|it's 42\n");
    EXPECT_EQ(r->exit_code, 3);
}

TEST(Transport, CommandUploadTemplatesCopyInThroughALocalShell) {
    auto dir = temp_dir("upload");
    CancelToken cancel;
    const std::string content = std::string("bytes 'quoted' $HOME \x01\xff\n") + std::string(200000, 'x');
    TargetConfig t;
    t.name = "vm1";
    t.transport = "command";
    t.command.vm = "lab vm 1";
    t.command.exec = {"sh", "-c", "eval \"$1\"", "guest-exec", "{command}"};
    // Content on stdin: stands in for a guest-exec `sh -c 'cat > dest'` copy-in.
    t.command.upload = {"sh", "-c", "test \"$1\" = 'lab vm 1' && cat > \"$2\"", "guest-copy", "{vm}",
                        "{remote_path}"};
    auto stdin_copy = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(stdin_copy.ok());
    std::string dest1 = dir + "/it's one";
    auto w1 = run_blocking((*stdin_copy)->write_file(dest1, content, cancel));
    ASSERT_TRUE(w1.ok()) << w1.error().message;
    auto back = run_blocking((*stdin_copy)->read_file(dest1, 0, false, cancel));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, content);
    // A local file: stands in for `VBoxManage guestcontrol {vm} copyto {local_path} ...`.
    t.command.upload = {"cp", "--", "{local_path}", "{remote_path}"};
    auto file_copy = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(file_copy.ok());
    std::string dest2 = dir + "/two $x";
    auto w2 = run_blocking((*file_copy)->write_file(dest2, content, cancel));
    ASSERT_TRUE(w2.ok()) << w2.error().message;
    std::ifstream in(dest2, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, content);
    // The private copy is gone afterwards.
    for (const auto& e : std::filesystem::directory_iterator("/tmp"))
        EXPECT_NE(e.path().filename().string().rfind("attest-upload-", 0), 0u) << e.path();
    // A failing copy is an error naming the target.
    t.command.upload = {"sh", "-c", "exit 4", "{remote_path}"};
    auto failing = TransportRegistry::builtin().create(t);
    auto w3 = run_blocking((*failing)->write_file(dest2, content, cancel));
    ASSERT_FALSE(w3.ok());
    EXPECT_NE(w3.error().message.find("vm1"), std::string::npos) << w3.error().message;
    std::filesystem::remove_all(dir);
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

namespace {
// PowerShell's -EncodedCommand payload back to text (ASCII scripts only).
std::string decode_ascii_utf16(const std::string& b64) {
    auto bytes = base64_decode(b64);
    EXPECT_TRUE(bytes.ok());
    std::string out;
    for (std::size_t i = 0; bytes.ok() && i + 1 < bytes->size(); i += 2) {
        EXPECT_EQ((*bytes)[i + 1], '\0');
        out.push_back((*bytes)[i]);
    }
    return out;
}
}  // namespace

TEST(Transport, WindowsSshCommandLinesExactly) {
    // An executor invocation: re-run by the wrapper with the same payload.
    auto inv = build_invocation("powershell", R"(Copy-Item "C:\a b\$x" 'it''s')", Platform::Windows,
                                false, Elevation::None);
    ASSERT_TRUE(inv.ok());
    std::string line = ssh_remote_command(inv->argv, Platform::Windows);
    const std::string prefix = "powershell -NoProfile -NonInteractive -EncodedCommand ";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    EXPECT_EQ(decode_ascii_utf16(line.substr(prefix.size())),
              "[Console]::Error.WriteLine('attest-pgid:' + $PID)\r\n"
              "& powershell -NoProfile -NonInteractive -EncodedCommand " + inv->argv[4] +
                  "\r\nexit $LASTEXITCODE\r\n");
    // Any other argument vector: every argument single-quoted for PowerShell.
    std::string plain = ssh_remote_command({"wevtutil.exe", "qe", "it's $x", "/f:xml"}, Platform::Windows);
    EXPECT_EQ(decode_ascii_utf16(plain.substr(prefix.size())),
              "[Console]::Error.WriteLine('attest-pgid:' + $PID)\r\n"
              "& 'wevtutil.exe' 'qe' 'it''s $x' '/f:xml'\r\nexit $LASTEXITCODE\r\n");
    // The remote tree kill after a timeout.
    EXPECT_EQ(ssh_kill_command(Platform::Windows, "4242"), "taskkill /T /F /PID 4242");
    EXPECT_EQ(ssh_kill_command(Platform::Linux, "4242"),
              "kill -TERM -- -4242 2>/dev/null; sleep 1; kill -KILL -- -4242 2>/dev/null; true");
    // The event query the channel sources send.
    EXPECT_EQ(wevtutil_query("2024-05-01T10:00:00.000Z"),
              "*[System[TimeCreated[@SystemTime>='2024-05-01T10:00:00.000Z']]]");
    // Later polls ask only for records after the last one fetched.
    EXPECT_EQ(
        wevtutil_query("2024-05-01T10:00:00.000Z", 42),
        "*[System[TimeCreated[@SystemTime>='2024-05-01T10:00:00.000Z'] and EventRecordID>42]]");
    EXPECT_EQ(last_record_id("<Event><System><EventRecordID>7</EventRecordID></System></Event>\r\n"
                             "<Event><System><EventRecordID>12</EventRecordID></System></Event>"),
              12u);
    EXPECT_EQ(last_record_id(""), 0u);
}

// Collection polls are incremental: the tenth fetch of a growing audit log reads only what was
// appended since the ninth (a partial last line waits for the next poll), and the local copy
// holds every whole record since the mark.
TEST(LiveCollect, AuditLogPollsFetchOnlyNewBytes) {
    TargetConfig t;
    t.name = "local";
    auto transport = TransportRegistry::builtin().create(t);
    ASSERT_TRUE(transport.ok());
    CancelToken cancel;
    auto dir = temp_dir("auditd-polls");
    std::string log = dir + "/audit.log", dest = dir + "/auditd.log";
    std::ofstream(log) << "before the mark\n";
    SourceConfig c;
    c.name = "auditd";
    c.log = log;
    auto src = make_live_source(c, Platform::Linux, false);
    ASSERT_TRUE(src.ok()) << src.error().message;
    EXPECT_TRUE((*src)->appends());
    ASSERT_TRUE(run_blocking((*src)->mark(**transport, cancel)).ok());
    std::string expected;
    std::uint64_t before = 0;
    for (int poll = 1; poll <= 10; ++poll) {
        std::string line = "type=SYSCALL msg=audit(1795336820.000:" + std::to_string(poll) +
                           "): poll " + std::string(static_cast<std::size_t>(poll), 'x') + "\n";
        std::ofstream(log, std::ios::app) << line << "partial";  // a record still being written
        before = (*src)->fetched_bytes();
        ASSERT_TRUE(run_blocking((*src)->fetch(**transport, dest, cancel)).ok()) << poll;
        // Only the new line and the partial tail are read (the tail again next time).
        std::uint64_t previous_tail = poll == 1 ? 0 : 8;  // "partial\n"
        EXPECT_EQ((*src)->fetched_bytes() - before, previous_tail + line.size() + 7)
            << "poll " << poll;
        expected += line;
        // Complete the partial record so the next poll starts on a line boundary.
        std::ofstream(log, std::ios::app) << "\n";
        expected += "partial\n";
    }
    std::ifstream in(dest);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The last "partial" line was completed after the tenth fetch: not fetched yet.
    EXPECT_EQ(got, expected.substr(0, expected.size() - std::string("partial\n").size()));
    std::filesystem::remove_all(dir);
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

    // The pid the wrapper reports (the ssh transport's executor_pid) is the command's own:
    // the wrapper execs it.
    req.argv = {"sh", "-c", ssh_remote_command({"sh", "-c", "echo $$"}, Platform::Linux)};
    r = run_process(req);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->stderr_text, "attest-pgid:" + r->stdout_text);
}
