// End-to-end test helpers for the runner: throwaway directories, a real OpenSSH server on a
// loopback port (own host key, own user key, own sshd_config; stopped by pid), small packs
// and labs written on the fly, and `attest` run as a child process.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/transport_process.h"

extern char** environ;

namespace attest::test {

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_text(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

struct TempDir {
    std::string path;
    explicit TempDir(const std::string& name) {
        path = (std::filesystem::temp_directory_path() /
                ("attest-e2e-" + name + "-" + std::to_string(::getpid())))
                   .string();
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

inline int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

inline bool port_open(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

inline pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

// Children of `pid` (from /proc), to stop an sshd together with its session processes.
inline std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat = read_text(e.path().string() + "/stat");
        auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream in(stat.substr(close + 2));
        char state;
        pid_t ppid;
        in >> state >> ppid;
        if (ppid == pid) out.push_back(std::stoi(name));
    }
    return out;
}

// A real sshd on 127.0.0.1:port accepting one throwaway user key for root (the test user).
class Sshd {
public:
    Sshd(const std::string& dir, const std::string& user_key_dir, const std::string& host_key)
        : m_dir(dir) {
        std::filesystem::create_directories(dir);
        ::mkdir("/run/sshd", 0755);  // privilege separation directory
        m_port = free_port();
        std::string authorized = user_key_dir + "/id_ed25519.pub";
        write_text(dir + "/sshd_config",
                   "Port " + std::to_string(m_port) +
                       "\nListenAddress 127.0.0.1\nHostKey " + host_key +
                       "\nAuthorizedKeysFile " + authorized +
                       "\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                       "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                       "PidFile " + dir + "/sshd.pid\nMaxSessions 64\nMaxStartups 64\n"
                       "LogLevel ERROR\n");
        start();
    }
    ~Sshd() { stop(); }

    void start() {
        m_pid = spawn({"/usr/sbin/sshd", "-D", "-e", "-f", m_dir + "/sshd_config"}, m_dir + "/sshd.log");
        for (int i = 0; i < 100 && !port_open(m_port); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Stops the listener and every session process it forked (by pid).
    void stop() {
        if (m_pid <= 0) return;
        for (pid_t c : children_of(m_pid)) ::kill(c, SIGKILL);
        ::kill(m_pid, SIGTERM);
        int status;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
    }
    bool running() const { return m_pid > 0 && port_open(m_port); }
    int port() const { return m_port; }
    pid_t pid() const { return m_pid; }

private:
    std::string m_dir;
    int m_port = 0;
    pid_t m_pid = -1;
};

// Keys shared by the servers of a test: one host key, one user key, one known_hosts.
struct SshKeys {
    std::string dir, host_key, identity, known_hosts;
    explicit SshKeys(const std::string& d) : dir(d) {
        std::filesystem::create_directories(dir);
        host_key = dir + "/host_ed25519";
        identity = dir + "/id_ed25519";
        known_hosts = dir + "/known_hosts";
        run::ProcessRequest r;
        r.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key};
        (void)run::run_process(r);
        r.argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", identity};
        (void)run::run_process(r);
        ::chmod(identity.c_str(), 0600);
    }
    void trust(int port) const {
        std::string pub = read_text(host_key + ".pub");
        auto sp = pub.find(' ', pub.find(' ') + 1);
        std::ofstream out(known_hosts, std::ios::app);
        out << "[127.0.0.1]:" << port << " " << pub.substr(0, sp) << "\n";
    }
};

inline std::string ssh_target_yaml(const std::string& name, int port, const SshKeys& keys,
                                   const std::string& extra = "") {
    return "- name: " + name + "\n  platform: linux\n  transport: ssh\n"
           "  ssh: {host: 127.0.0.1, port: " + std::to_string(port) +
           ", user: root, identity_file: " + keys.identity + ", known_hosts: " + keys.known_hosts +
           ", control_persist: 5s}\n" + extra;
}

struct AttestRun {
    int exit_code = -1;
    std::string out, err;
    nlohmann::json results;
};

inline AttestRun run_attest(const std::vector<std::string>& args, const std::string& out_dir,
                            std::chrono::milliseconds timeout = std::chrono::seconds(240)) {
    run::ProcessRequest r;
    r.argv = {ATTEST_BINARY};
    r.argv.insert(r.argv.end(), args.begin(), args.end());
    r.timeout = timeout;
    auto p = run::run_process(r);
    AttestRun a;
    if (!p) return a;
    a.exit_code = p->exit_code;
    a.out = p->stdout_text;
    a.err = p->stderr_text;
    std::string text = read_text(out_dir + "/results.json");
    a.results = nlohmann::json::parse(text, nullptr, false);
    return a;
}

// A one-file atomics pack: `tests_yaml` is the atomic_tests list, `expectations_yaml` the
// scenarios: map of expectations.yaml (may be empty).
inline std::string write_pack(const std::string& dir, const std::string& tests_yaml,
                              const std::string& expectations_yaml = "") {
    write_text(dir + "/atomics/T1114.001/T1114.001.yaml",
               "attack_technique: T1114.001\ndisplay_name: 'Email Collection: Local Email Collection'\n"
               "atomic_tests:\n" + tests_yaml);
    if (!expectations_yaml.empty())
        write_text(dir + "/expectations.yaml",
                   "version: 1\nname: e2e\nscenarios:\n" + expectations_yaml);
    return dir;
}

inline const nlohmann::json* find_scenario(const nlohmann::json& results, const std::string& target,
                                           const std::string& guid) {
    if (!results.is_object() || !results.contains("scenarios")) return nullptr;
    for (const auto& s : results["scenarios"])
        if (s.value("target", "") == target && s.value("guid", "") == guid) return &s;
    return nullptr;
}

}  // namespace attest::test
