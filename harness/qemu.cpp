#include "core/atomic_file.h"
#include "harness/qemu.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "harness/journal.h"

namespace attest::run {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// FNV-1a: a stable name for the VM shape (std::hash may change between builds).
std::string shape_hash(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string(buf, 12);
}

// `key=value` lines of the image's image.env.
std::string image_setting(const std::string& image, const std::string& key) {
    std::istringstream in(read_text(image + "/image.env"));
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    return {};
}

int free_local_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

// The pid in STATE/qemu.pid when that process is a qemu of this state directory (a recycled
// pid of some other program is never signalled).
int live_pid(const std::string& state) {
    int pid = 0;
    try {
        pid = std::stoi(read_text(state + "/qemu.pid"));
    } catch (...) {
        return 0;
    }
    if (pid <= 0 || ::kill(pid, 0) != 0) return 0;
    std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find("qemu-system") == std::string::npos ||
        cmdline.find(state + "/qemu.pid") == std::string::npos)
        return 0;
    return pid;
}

bool wait_gone(int pid, std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    while (::kill(pid, 0) == 0) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

class QmpConnection {
public:
    ~QmpConnection() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Expected<void> open(const std::string& path, Millis timeout) {
        sockaddr_un a{};
        if (path.size() >= sizeof a.sun_path)
            return make_error("QMP socket path too long: " + path);
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0) return make_error("socket: " + std::string(std::strerror(errno)));
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            return make_error("QMP " + path + ": " + std::strerror(errno));
        auto greeting = read_message();
        if (!greeting) return greeting.error();
        if (!greeting->contains("QMP")) return make_error("QMP " + path + ": no greeting");
        auto caps = execute({{"execute", "qmp_capabilities"}});
        if (!caps) return caps.error();
        return {};
    }
    // Sends a command and returns its "return" member (events in between are skipped).
    Expected<nlohmann::json> execute(const nlohmann::json& command) {
        std::string line = command.dump() + "\n";
        if (::send(m_fd, line.data(), line.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(line.size()))
            return make_error("QMP write failed: " + std::string(std::strerror(errno)));
        for (;;) {
            auto m = read_message();
            if (!m) return m.error();
            if (m->contains("event")) continue;
            if (m->contains("error"))
                return make_error("QMP " + command.value("execute", "") + ": " +
                                  (*m)["error"].value("desc", m->dump()));
            if (m->contains("return")) return (*m)["return"];
        }
    }

private:
    Expected<nlohmann::json> read_message() {
        for (;;) {
            auto nl = m_buffer.find('\n');
            if (nl != std::string::npos) {
                std::string line = m_buffer.substr(0, nl);
                m_buffer.erase(0, nl + 1);
                auto j = nlohmann::json::parse(line, nullptr, false);
                if (j.is_discarded() || !j.is_object())
                    return make_error("QMP: not a JSON object: " + line.substr(0, 200));
                return j;
            }
            char buf[4096];
            ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n == 0) return make_error("QMP: connection closed");
            if (n < 0)
                return make_error(std::string("QMP: ") +
                                  (errno == EAGAIN ? "no answer in time" : std::strerror(errno)));
            m_buffer.append(buf, static_cast<std::size_t>(n));
            if (m_buffer.size() > (1 << 20)) return make_error("QMP: message too long");
        }
    }
    int m_fd = -1;
    std::string m_buffer;
};

}  // namespace

Expected<std::string> qmp_human_command(const std::string& socket_path, const std::string& command,
                                        Millis timeout) {
    QmpConnection q;
    if (auto ok = q.open(socket_path, timeout); !ok) return ok.error();
    auto r = q.execute(
        {{"execute", "human-monitor-command"}, {"arguments", {{"command-line", command}}}});
    if (!r) return r.error();
    return r->is_string() ? r->get<std::string>() : std::string();
}

Expected<std::string> QemuVm::state_dir_for(const TargetConfig& target,
                                            const std::string& lab_dir) {
    if (!target.qemu) return make_error("target " + target.name + " is not a qemu target");
    const QemuConfig& c = *target.qemu;
    fs::path image =
        fs::path(c.image).is_absolute() ? fs::path(c.image) : fs::path(lab_dir) / c.image;
    std::error_code ec;
    fs::path real = fs::canonical(image, ec);
    if (ec || !fs::exists(real / "disk.qcow2"))
        return make_error("target " + target.name + ": no lab image at " + image.string() +
                          " (scripts/lab-image.sh builds it)");
    const char* base = std::getenv("ATTEST_STATE_DIR");
    std::string shape = real.string() + "|" + std::to_string(c.memory_mb) + "|" +
                        std::to_string(c.cpus) + "|" + c.accel + "|" + c.append;
    return std::string(base && *base ? base : "/var/tmp/attest") + "/vm/" + target.name + "-" +
           shape_hash(shape);
}

Expected<std::unique_ptr<QemuVm>> QemuVm::prepare(TargetConfig& target,
                                                  const std::string& lab_dir) {
    auto state = state_dir_for(target, lab_dir);
    if (!state) return state.error();
    std::unique_ptr<QemuVm> vm(new QemuVm());
    vm->m_config = *target.qemu;
    vm->m_name = target.name;
    fs::path image = fs::path(vm->m_config.image).is_absolute()
                         ? fs::path(vm->m_config.image)
                         : fs::path(lab_dir) / vm->m_config.image;
    vm->m_image = fs::canonical(image).string();
    vm->m_state = *state;
    std::error_code ec;
    fs::create_directories(vm->m_state, ec);
    if (ec) return make_error("cannot create " + vm->m_state + ": " + ec.message());
    vm->m_lock_fd = ::open((vm->m_state + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (vm->m_lock_fd < 0 || ::flock(vm->m_lock_fd, LOCK_EX | LOCK_NB) != 0)
        return make_error("target " + target.name + ": its VM (" + vm->m_state +
                          ") is in use by another attest run");
    if (vm->running()) {
        try {
            vm->m_port = std::stoi(read_text(vm->m_state + "/port"));
        } catch (...) {
            vm->stop();  // a VM whose port we cannot know is of no use
        }
    }
    if (vm->m_port == 0) vm->m_port = free_local_port();
    if (vm->m_port == 0) return make_error("no free port on 127.0.0.1 for the VM's sshd");

    std::string host_key = trim(read_text(vm->m_image + "/host_ed25519_key.pub"));
    auto sp = host_key.find(' ', host_key.find(' ') + 1);
    if (host_key.empty())
        return make_error("the image " + vm->m_image + " has no host_ed25519_key.pub");
    std::string known = vm->m_state + "/known_hosts";
    auto w = write_file_atomic(
        known, "[127.0.0.1]:" + std::to_string(vm->m_port) + " " + host_key.substr(0, sp) + "\n");
    if (!w) return w.error();
    target.ssh.host = "127.0.0.1";
    target.ssh.port = vm->m_port;
    target.ssh.known_hosts = known;
    target.ssh.strict_host_key_checking = true;
    if (target.ssh.identity_file.empty()) target.ssh.identity_file = vm->m_image + "/id_ed25519";
    if (target.ssh.user.empty()) target.ssh.user = image_setting(vm->m_image, "user");
    return vm;
}

QemuVm::~QemuVm() {
    if (!m_config.keep_running) stop();
    if (m_lock_fd >= 0) ::close(m_lock_fd);
}

int QemuVm::pid() const {
    return live_pid(m_state);
}
bool QemuVm::running() const {
    return pid() > 0;
}

std::string QemuVm::accel() const {
    if (m_config.accel != "auto") return m_config.accel;
    return ::access("/dev/kvm", R_OK | W_OK) == 0 ? "kvm" : "tcg";
}

std::vector<std::string> QemuVm::qemu_argv(bool from_snapshot) const {
    std::string append = "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet";
    if (!m_config.append.empty()) append += " " + m_config.append;
    std::vector<std::string> argv = {
        "qemu-system-x86_64", "-name", "attest-" + m_name, "-nodefaults", "-accel", accel(), "-m",
        std::to_string(m_config.memory_mb), "-smp", std::to_string(m_config.cpus), "-kernel",
        m_image + "/vmlinuz", "-initrd", m_image + "/initrd.img", "-append", append, "-drive",
        "file=" + m_state + "/disk.qcow2,if=virtio,format=qcow2",
        // The guest reaches nothing outside (restrict=on); only its sshd is forwarded, and
        // only to the loopback.
        "-netdev",
        "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:" + std::to_string(m_port) + "-:22",
        "-device", "virtio-net-pci,netdev=n0", "-serial", "file:" + m_state + "/console.log",
        "-qmp", "unix:" + m_state + "/qmp.sock,server=on,wait=off", "-display", "none",
        "-daemonize", "-pidfile", m_state + "/qemu.pid"};
    if (accel() == "kvm") argv.insert(argv.end(), {"-cpu", "host"});
    if (from_snapshot) argv.insert(argv.end(), {"-loadvm", m_config.snapshot});
    return argv;
}

Task<Expected<bool>> QemuVm::start(const CancelToken& cancel) {
    const std::string disk = m_state + "/disk.qcow2";
    auto run = [&](std::vector<std::string> argv, Millis timeout) -> Task<Expected<ProcessResult>> {
        ProcessRequest req;
        req.argv = std::move(argv);
        req.timeout = timeout;
        req.cancel = &cancel;
        co_return co_await async_run_process(std::move(req));
    };
    bool has_snapshot = false;
    if (fs::exists(disk)) {
        // Named argument vectors: GCC 12 cannot take an initializer list inside co_await.
        std::vector<std::string> argv = {"qemu-img", "snapshot", "-l", disk};
        auto list = co_await run(std::move(argv), Millis(30000));
        has_snapshot =
            list && list->ok() &&
            (" " + list->stdout_text).find(" " + m_config.snapshot + " ") != std::string::npos;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!has_snapshot) {
            // A fresh overlay on the image: the image stays read-only and shareable.
            std::error_code ec;
            fs::remove(disk, ec);
            std::vector<std::string> argv = {"qemu-img", "create", "-q",
                                             "-f",       "qcow2",  "-F",
                                             "qcow2",    "-b",     m_image + "/disk.qcow2",
                                             disk};
            auto made = co_await run(std::move(argv), Millis(30000));
            if (!made || !made->ok())
                co_return make_error("qemu-img create " + disk + " failed: " +
                                     (made ? trim(made->stderr_text) : made.error().message));
        }
        fs::remove(m_state + "/qemu.pid");
        fs::remove(m_state + "/console.log");
        auto r = co_await run(qemu_argv(has_snapshot), Millis(120000));
        if (!r) co_return r.error();
        if (r->ok() && running()) {
            (void)write_file_atomic(m_state + "/port", std::to_string(m_port) + "\n");
            co_return !has_snapshot;
        }
        if (cancel.at_least(1)) co_return make_error("interrupted while starting the VM");
        if (!has_snapshot)
            co_return make_error("qemu-system-x86_64 failed (exit code " +
                                 std::to_string(r->exit_code) + "): " + trim(r->stderr_text));
        has_snapshot = false;  // a snapshot this QEMU cannot load: boot cold instead
    }
    co_return make_error("qemu-system-x86_64 could not start");
}

Task<Expected<void>> QemuVm::save_snapshot() {
    co_return co_await offload(blocking_pool(), [this]() -> Expected<void> {
        auto out =
            qmp_human_command(m_state + "/qmp.sock", "savevm " + m_config.snapshot, Millis(120000));
        if (!out) return out.error();
        if (!trim(*out).empty())
            return make_error("savevm " + m_config.snapshot + ": " + trim(*out));
        return {};
    });
}

Task<Expected<void>> QemuVm::load_snapshot() {
    co_return co_await offload(blocking_pool(), [this]() -> Expected<void> {
        auto out =
            qmp_human_command(m_state + "/qmp.sock", "loadvm " + m_config.snapshot, Millis(120000));
        if (!out) return out.error();
        if (!trim(*out).empty())
            return make_error("loadvm " + m_config.snapshot + ": " + trim(*out));
        return {};
    });
}

void QemuVm::stop() {
    stop_in(m_state);
}

std::string QemuVm::describe(const std::string& state) {
    int pid = live_pid(state);
    if (pid == 0) return "not running";
    return "running (pid " + std::to_string(pid) +
           ", ssh on 127.0.0.1:" + trim(read_text(state + "/port")) + ")";
}

bool QemuVm::stop_in(const std::string& state, std::string* what) {
    int pid = live_pid(state);
    if (pid == 0) {
        if (what) *what = "not running";
        return false;
    }
    // Power off through QMP first (qemu flushes the overlay), then by pid.
    QmpConnection q;
    if (q.open(state + "/qmp.sock", Millis(2000))) (void)q.execute({{"execute", "quit"}});
    if (!wait_gone(pid, std::chrono::milliseconds(10000))) {
        ::kill(pid, SIGTERM);
        if (!wait_gone(pid, std::chrono::milliseconds(5000))) {
            ::kill(pid, SIGKILL);
            wait_gone(pid, std::chrono::milliseconds(5000));
        }
    }
    std::error_code ec;
    fs::remove(state + "/qemu.pid", ec);
    if (what) *what = "stopped (pid " + std::to_string(pid) + ")";
    return true;
}

}  // namespace attest::run
