// End-to-end test of the auditd collector against the real Linux audit daemon.
//
// Starts Debian's auditd (`auditd -n -c <tmp config dir>`, writing ENRICHED records to a temp
// log) unless a system auditd already runs (then only rules are added and removed and its log is
// read), loads a watch on a temporary mail spool, an execve rule and a connect rule, each with a
// key unique to this run, reads a mailbox with `cat`, archives the spool with `tar` and uploads
// the archive with `curl` to a listener on 127.0.0.1 started here, then reads the audit log
// through the collector and checks the process, file and network events. A guard removes the
// rules, restores the audit settings and stops the daemon it started (by pid), even on failure.
// Skips only where the kernel offers no audit (auditctl -s fails) or when not root.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "collect_helpers.h"

namespace attest {
namespace {

namespace fs = std::filesystem;
using testing::str_at;

struct CommandResult {
    int status = -1;
    std::string output;
};

CommandResult run(const std::string& command) {
    CommandResult r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string status_value(const std::string& status, const std::string& key) {
    auto p = status.find(key + " ");
    if (p == std::string::npos) return {};
    auto e = status.find('\n', p);
    return status.substr(p + key.size() + 1, e - p - key.size() - 1);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// A one-connection-at-a-time HTTP sink on 127.0.0.1 that counts the bytes it receives.
class Listener {
public:
    Listener() {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        int one = 1;
        setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(m_fd, 8) != 0)
            return;
        socklen_t len = sizeof a;
        getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~Listener() {
        m_stop = true;
        shutdown(m_fd, SHUT_RDWR);
        close(m_fd);
        if (m_thread.joinable()) m_thread.join();
    }
    int port() const { return m_port; }
    std::size_t received() const { return m_received; }

private:
    void serve() {
        while (!m_stop) {
            int c = accept(m_fd, nullptr, nullptr);
            if (c < 0) return;
            timeval tv{2, 0};
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            std::string request;
            char buf[65536];
            std::size_t header_end = std::string::npos, content_length = 0;
            while (true) {
                ssize_t n = recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                request.append(buf, static_cast<std::size_t>(n));
                if (header_end == std::string::npos) {
                    header_end = request.find("\r\n\r\n");
                    if (header_end != std::string::npos) {
                        auto p = request.find("Content-Length: ");
                        if (p != std::string::npos)
                            content_length = std::stoul(request.substr(p + 16));
                        if (request.find("Expect: 100-continue") != std::string::npos) {
                            const char* cont = "HTTP/1.1 100 Continue\r\n\r\n";
                            send(c, cont, std::strlen(cont), 0);
                        }
                    }
                }
                if (header_end != std::string::npos &&
                    request.size() - header_end - 4 >= content_length)
                    break;
            }
            if (header_end != std::string::npos) m_received += request.size() - header_end - 4;
            const char* reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            send(c, reply, std::strlen(reply), 0);
            close(c);
        }
    }

    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_received{0};
    std::thread m_thread;
};

// Undoes everything the test set up, in reverse order, whatever happened.
struct AuditGuard {
    std::vector<std::string> rule_removals;
    pid_t daemon_pid = -1;
    std::string restore_enabled;
    std::string restore_backlog;
    std::string temp_dir;

    ~AuditGuard() {
        for (const auto& r : rule_removals) run("auditctl " + r);
        if (daemon_pid > 0) {
            kill(daemon_pid, SIGTERM);
            for (int i = 0; i < 50; ++i) {
                if (waitpid(daemon_pid, nullptr, WNOHANG) == daemon_pid) {
                    daemon_pid = -1;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            if (daemon_pid > 0) {
                kill(daemon_pid, SIGKILL);
                waitpid(daemon_pid, nullptr, 0);
            }
        }
        if (!restore_backlog.empty()) run("auditctl -b " + restore_backlog);
        if (!restore_enabled.empty()) run("auditctl -e " + restore_enabled);
        if (!temp_dir.empty()) {
            std::error_code ec;
            fs::remove_all(temp_dir, ec);
        }
    }
};

// True once `needle` appears in the file at `path`, polled every 100 ms for at most `seconds`.
bool wait_for_record(const std::string& path, const std::string& needle, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
        if (read_file(path).find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// True when `pid` names a process in this pid namespace.
bool visible_process(const std::string& pid) {
    std::error_code ec;
    return !pid.empty() && fs::exists("/proc/" + pid + "/exe", ec);
}

bool has_tag(const Event& e, const std::string& tag) {
    const Value* tags = e.find("tags");
    if (tags == nullptr || !tags->is_array()) return false;
    for (const auto& t : tags->as_array())
        if (t.is_string() && t.as_string() == tag) return true;
    return false;
}

TEST(AuditdE2E, RealDaemonCatTarCurl) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load audit rules";
    if (access("/usr/sbin/auditctl", X_OK) != 0 || access("/usr/sbin/auditd", X_OK) != 0)
        GTEST_SKIP() << "auditd / auditctl not installed (Debian package auditd)";
    CommandResult status = run("/usr/sbin/auditctl -s");
    if (status.status != 0)
        GTEST_SKIP() << "the kernel offers no audit here (auditctl -s: " << status.output << ")";

    AuditGuard guard;
    char tmpl[] = "/tmp/attest_auditd_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    guard.temp_dir = tmpl;
    const std::string dir = tmpl;
    const std::string spool = dir + "/spool";
    fs::create_directories(spool);
    std::ofstream(spool + "/mbox") << "From: alice@example.com\nSubject: payroll\n\nsecret\n";

    guard.restore_enabled = status_value(status.output, "enabled");
    guard.restore_backlog = status_value(status.output, "backlog_limit");
    std::string system_pid = status_value(status.output, "pid");
    std::string log_path;
    if (!system_pid.empty() && system_pid != "0") {
        // A system auditd owns the audit socket: use its log, only add rules.
        log_path = "/var/log/audit/audit.log";
        std::string conf = read_file("/etc/audit/auditd.conf");
        auto p = conf.find("\nlog_file");
        if (p != std::string::npos) {
            auto eq = conf.find('=', p);
            auto nl = conf.find('\n', eq);
            std::string v = conf.substr(eq + 1, nl - eq - 1);
            v.erase(0, v.find_first_not_of(" \t"));
            v.erase(v.find_last_not_of(" \t") + 1);
            log_path = v;
        }
    } else {
        log_path = dir + "/audit.log";
        std::ofstream conf(dir + "/auditd.conf");
        conf << "log_file = " << log_path << "\nlog_format = ENRICHED\nlog_group = root\n"
             << "flush = INCREMENTAL_ASYNC\nfreq = 20\nmax_log_file = 0\n"
             << "max_log_file_action = IGNORE\nspace_left = 2\nspace_left_action = IGNORE\n"
             << "admin_space_left = 1\nadmin_space_left_action = IGNORE\n"
             << "disk_full_action = IGNORE\ndisk_error_action = IGNORE\n"
             << "name_format = HOSTNAME\nwrite_logs = yes\nlocal_events = yes\n";
        conf.close();
        chmod((dir + "/auditd.conf").c_str(), 0640);
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int out = open((dir + "/auditd.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(out, 1);
            dup2(out, 2);
            execl("/usr/sbin/auditd", "auditd", "-n", "-c", dir.c_str(),
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        guard.daemon_pid = pid;
        bool up = false;
        for (int i = 0; i < 100 && !up; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                guard.daemon_pid = -1;
                FAIL() << "auditd exited at start: " << read_file(dir + "/auditd.out");
            }
            up = status_value(run("/usr/sbin/auditctl -s").output, "pid") == std::to_string(pid);
        }
        ASSERT_TRUE(up) << "auditd did not register with the kernel: "
                        << read_file(dir + "/auditd.out");
    }
    run("/usr/sbin/auditctl -b 8192");

    // The kernel tags an event with the key of the first rule that matched it. Rules loaded by
    // someone else before ours (a lab left behind, another job on a shared kernel) take our
    // events under their keys: then events are found by their unique paths alone.
    const bool foreign_rules =
        run("/usr/sbin/auditctl -l").output.find("No rules") == std::string::npos;
    auto keyed = [&](const Event& e, const std::string& key) {
        return foreign_rules || has_tag(e, key);
    };
    const std::string tag = std::to_string(getpid());
    const std::string mail_key = "attest_mail_" + tag, exec_key = "attest_exec_" + tag,
                      net_key = "attest_net_" + tag;
    const std::string watch = "-w " + spool + " -p rwa -k " + mail_key;
    const std::string exec_rule = "always,exit -F arch=b64 -S execve -F key=" + exec_key;
    const std::string net_rule = "always,exit -F arch=b64 -S connect -F key=" + net_key;
    for (const auto& [add, remove] : {std::pair{watch, "-W " + spool + " -p rwa -k " + mail_key},
                                      std::pair{"-a " + exec_rule, "-d " + exec_rule},
                                      std::pair{"-a " + net_rule, "-d " + net_rule}}) {
        CommandResult r = run("/usr/sbin/auditctl " + add);
        ASSERT_EQ(r.status, 0) << "auditctl " << add << ": " << r.output;
        guard.rule_removals.insert(guard.rule_removals.begin(), remove);
    }

    Listener listener;
    ASSERT_GT(listener.port(), 0);
    const std::string archive = dir + "/mail.tgz";
    const std::string url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/upload";
    ASSERT_EQ(run("/bin/cat " + spool + "/mbox").status, 0);
    ASSERT_EQ(run("/bin/tar czf " + archive + " -C " + dir + " spool").status, 0);
    CommandResult upload = run("/usr/bin/curl -s -m 10 -T " + archive + " " + url);
    ASSERT_EQ(upload.status, 0) << upload.output;
    EXPECT_EQ(listener.received(), static_cast<std::size_t>(fs::file_size(archive)));

    // Remove the rules now, then let the daemon write everything out. Our own daemon flushes when
    // it stops; a system daemon writes in batches (`freq`), so wait (at most 15 s) until the
    // record of the last rule removal is in its log: everything before it is then written too.
    for (const auto& r : guard.rule_removals) run("/usr/sbin/auditctl " + r);
    guard.rule_removals.clear();
    if (guard.daemon_pid > 0) {
        kill(guard.daemon_pid, SIGTERM);
        waitpid(guard.daemon_pid, nullptr, 0);
        guard.daemon_pid = -1;
    } else if (!wait_for_record(log_path, "remove_rule key=\"" + mail_key + "\"", 15)) {
        if (!visible_process(system_pid))
            GTEST_SKIP() << "the audit daemon registered with the kernel (pid " << system_pid
                         << ") is not a process of this machine (another container's on a shared "
                            "kernel?): its log is not readable here";
        FAIL() << "the system auditd (pid " << system_pid << ") wrote no record of this test's "
               << "rules to " << log_path << " within 15 s";
    }

    auto c = testing::collect_file(log_path, "");  // detection must pick auditd
    ASSERT_TRUE(c.opened) << c.open_error;
    EXPECT_EQ(c.stats.skipped, 0u) << c.diagnostics_text();

    const Event* cat_exec = nullptr;
    const Event* cat_open = nullptr;
    const Event* tar_exec = nullptr;
    const Event* tar_read = nullptr;
    const Event* curl_exec = nullptr;
    const Event* curl_connect = nullptr;
    for (const auto& e : c.events) {
        std::string name = str_at(e, "process.name");
        std::string action = str_at(e, "event.action");
        if (keyed(e, exec_key) && action == "executed") {
            if (name == "cat" && str_at(e, "process.args").find(spool) != std::string::npos)
                cat_exec = &e;
            if (name == "tar" && str_at(e, "process.args").find(archive) != std::string::npos)
                tar_exec = &e;
            if (name == "curl" && str_at(e, "process.args").find(url) != std::string::npos)
                curl_exec = &e;
        }
        if (keyed(e, mail_key) && action == "opened-file") {
            if (name == "cat" && str_at(e, "file.path") == spool + "/mbox") cat_open = &e;
            if (name == "tar" && str_at(e, "file.name") == "mbox") tar_read = &e;
        }
        if (keyed(e, net_key) && action == "connected-to" && name == "curl" &&
            str_at(e, "destination.ip") == "127.0.0.1")
            curl_connect = &e;
    }
    ASSERT_NE(cat_exec, nullptr) << "no execve event for cat in " << log_path;
    EXPECT_EQ(str_at(*cat_exec, "event.category"), R"(["process"])");
    EXPECT_EQ(str_at(*cat_exec, "process.executable"), "/usr/bin/cat");
    EXPECT_EQ(str_at(*cat_exec, "process.args"), "[\"/bin/cat\",\"" + spool + "/mbox\"]");
    EXPECT_EQ(str_at(*cat_exec, "process.command_line"), "/bin/cat " + spool + "/mbox");
    EXPECT_EQ(str_at(*cat_exec, "user.id"), "0");
    EXPECT_NE(str_at(*cat_exec, "process.working_directory"), "<absent>");
    EXPECT_NE(str_at(*cat_exec, "process.parent.pid"), "<absent>");

    ASSERT_NE(cat_open, nullptr) << "no watched open of the mailbox by cat";
    EXPECT_EQ(str_at(*cat_open, "event.category"), R"(["file"])");
    EXPECT_EQ(str_at(*cat_open, "file.name"), "mbox");
    EXPECT_EQ(str_at(*cat_open, "process.pid"), str_at(*cat_exec, "process.pid"));
    EXPECT_EQ(str_at(*cat_open, "process.entity_id"), str_at(*cat_exec, "process.entity_id"));

    ASSERT_NE(tar_exec, nullptr) << "no execve event for tar";
    EXPECT_EQ(str_at(*tar_exec, "process.executable"), "/usr/bin/tar");
    ASSERT_NE(tar_read, nullptr) << "no watched read of the mailbox by tar";
    EXPECT_EQ(str_at(*tar_read, "process.entity_id"), str_at(*tar_exec, "process.entity_id"));

    ASSERT_NE(curl_exec, nullptr) << "no execve event for curl";
    ASSERT_NE(curl_connect, nullptr) << "no connect event from curl to 127.0.0.1";
    EXPECT_EQ(str_at(*curl_connect, "event.category"), R"(["network"])");
    EXPECT_EQ(str_at(*curl_connect, "destination.port"), std::to_string(listener.port()));
    // curl connects non-blocking: the syscall returns EINPROGRESS, which is not a failure.
    EXPECT_NE(str_at(*curl_connect, "event.outcome"), "failure");
    EXPECT_EQ(str_at(*curl_connect, "process.entity_id"), str_at(*curl_exec, "process.entity_id"));
    EXPECT_EQ(str_at(*curl_connect, "event.dataset"), "auditd.log");
}

}  // namespace
}  // namespace attest
