#include "harness/transport.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace attest::run {

namespace {

std::vector<std::string> with_sudo(std::vector<std::string> argv, bool elevated) {
    if (elevated) argv.insert(argv.begin(), {"sudo", "-n", "--"});
    return argv;
}

Error command_failed(const std::string& what, const ProcessResult& r) {
    std::string detail = r.stderr_text.substr(0, 400);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
    if (r.timed_out) return make_error(what + ": timed out");
    if (r.cancelled) return make_error(what + ": cancelled");
    return make_error(what + ": exit code " + std::to_string(r.exit_code) +
                      (detail.empty() ? "" : ": " + detail));
}

// The PowerShell script inside the -EncodedCommand of a Windows invocation, if it is one.
const std::string* encoded_payload(const std::vector<std::string>& argv) {
    if (argv.size() == 5 && argv[3] == "-EncodedCommand") return &argv[4];
    return nullptr;
}

// The local process that carries `command` (its own argv, or the tool that reaches the target).
ProcessRequest local_request(std::vector<std::string> argv, const TargetCommand& command,
                             const CancelToken& cancel) {
    ProcessRequest req;
    req.argv = std::move(argv);
    req.stdin_data = command.stdin_data;
    req.timeout = command.timeout;
    req.cancel = &cancel;
    req.cancel_level = command.cancel_level;
    return req;
}

std::string join_spaces(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

}  // namespace

Task<Expected<void>> Transport::write_file(const std::string& path, const std::string& content,
                                           const CancelToken& cancel) {
    TargetCommand cmd;
    cmd.timeout = m_target.timeouts.connect + Millis(60000);
    if (m_target.platform == Platform::Windows) {
        cmd.argv = powershell_encoded_argv(
            "$d = [Convert]::FromBase64String([Console]::In.ReadToEnd())\r\n"
            "[IO.File]::WriteAllBytes(" + powershell_quote(path) + ", $d)\r\n");
        cmd.stdin_data = base64_encode(content);
    } else {
        cmd.argv = {"sh", "-c", "cat > \"$1\"", "sh", path};
        cmd.stdin_data = content;
    }
    auto r = co_await run(cmd, cancel);
    if (!r) co_return r.error();
    if (!r->ok()) co_return command_failed("cannot write " + path + " on " + m_target.name, *r);
    co_return Expected<void>{};
}

Task<Expected<std::string>> Transport::read_file(const std::string& path, std::uint64_t offset,
                                                 bool elevated, const CancelToken& cancel) {
    TargetCommand cmd;
    cmd.timeout = m_target.timeouts.connect + Millis(120000);
    if (m_target.platform == Platform::Windows) {
        cmd.argv = powershell_encoded_argv(
            "$fs = [IO.File]::Open(" + powershell_quote(path) +
            ", 'Open', 'Read', 'ReadWrite')\r\n"
            "try { [void]$fs.Seek(" + std::to_string(offset) + ", 0); $ms = New-Object IO.MemoryStream;"
            " $fs.CopyTo($ms); [Console]::Out.Write([Convert]::ToBase64String($ms.ToArray())) }"
            " finally { $fs.Close() }\r\n");
    } else {
        cmd.argv = with_sudo({"tail", "-c", "+" + std::to_string(offset + 1), "--", path}, elevated);
    }
    auto r = co_await run(cmd, cancel);
    if (!r) co_return r.error();
    if (!r->ok()) co_return command_failed("cannot read " + path + " on " + m_target.name, *r);
    if (m_target.platform == Platform::Windows) co_return base64_decode(r->stdout_text);
    co_return std::move(r->stdout_text);
}

Task<Expected<std::uint64_t>> Transport::file_size(const std::string& path, bool elevated,
                                                   const CancelToken& cancel) {
    TargetCommand cmd;
    cmd.timeout = m_target.timeouts.connect + Millis(30000);
    if (m_target.platform == Platform::Windows)
        cmd.argv = powershell_encoded_argv("(Get-Item -LiteralPath " + powershell_quote(path) +
                                           ").Length");
    else
        cmd.argv = with_sudo({"stat", "-L", "-c", "%s", "--", path}, elevated);
    auto r = co_await run(cmd, cancel);
    if (!r) co_return r.error();
    if (!r->ok()) co_return command_failed("cannot stat " + path + " on " + m_target.name, *r);
    try {
        co_return static_cast<std::uint64_t>(std::stoull(r->stdout_text));
    } catch (...) {
    }
    co_return make_error("cannot stat " + path + " on " + m_target.name + ": unexpected output '" +
                         r->stdout_text.substr(0, 80) + "'");
}

// ---------------------------------------------------------------------------------------
// local: this machine, the command run directly (no shell in between).

namespace {

class LocalTransport final : public Transport {
public:
    using Transport::Transport;
    Task<Expected<ProcessResult>> run(const TargetCommand& command, const CancelToken& cancel) override {
        auto r = co_await async_run_process(local_request(command.argv, command, cancel));
        if (r && r->pid > 0) r->target_pid = std::to_string(r->pid);  // the target is here
        co_return r;
    }
};

// ---------------------------------------------------------------------------------------
// ssh: the system OpenSSH client, key authentication only, connection reuse.

constexpr std::string_view kPgidTag = "attest-pgid:";

class SshTransport final : public Transport {
public:
    explicit SshTransport(const TargetConfig& target) : Transport(target) {
        // Unix socket paths are limited to ~108 bytes: keep the directory short, and let ssh
        // name the socket by the hash of the connection (%C).
        m_control_dir = "/tmp/attest-ssh-" + std::to_string(::getuid());
        ::mkdir(m_control_dir.c_str(), 0700);
    }
    ~SshTransport() override {
        if (!m_closed) run_blocking(close());
    }

    Task<Expected<ProcessResult>> run(const TargetCommand& command, const CancelToken& cancel) override {
        m_closed = false;  // a later close() releases the master this command may open again
        ProcessRequest req = local_request(
            ssh_argv(m_target.ssh, m_control_dir, m_target.timeouts.connect,
                     ssh_remote_command(command.argv, m_target.platform)),
            command, cancel);
        // The deadline is the command's: connection setup gets the connect timeout on top,
        // so a slow handshake never kills a command before its process group is known.
        if (command.timeout.count() > 0) req.timeout = command.timeout + m_target.timeouts.connect;
        auto r = co_await async_run_process(std::move(req));
        if (!r) co_return r;
        ProcessResult& res = *r;
        if ((res.timed_out || res.cancelled) && res.stderr_text.find(kPgidTag) == std::string::npos)
            res.stderr_text += "\n[attest: the remote command had not started; nothing to kill]\n";
        std::string remote_id = take_tag(res.stderr_text);
        // The wrapper execs the command: its pid (also the process group's id) is the executor.
        res.target_pid = remote_id;
        if ((res.timed_out || res.cancelled) && !remote_id.empty())
            res.stderr_text += co_await kill_remote(remote_id);
        // ssh exits 255 for its own failures (connection refused, host key, auth): that is
        // the transport failing, not the command.
        if (res.exit_code == 255 && remote_id.empty() && !res.timed_out && !res.cancelled) {
            std::string detail = res.stderr_text;
            while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r'))
                detail.pop_back();
            co_return make_error("ssh to " + m_target.ssh.host + ":" +
                              std::to_string(m_target.ssh.port) + " failed: " +
                              (detail.empty() ? "connection closed (ssh exit code 255)" : detail));
        }
        if (res.exit_code == 255 && !remote_id.empty() && !res.timed_out && !res.cancelled &&
            res.stderr_text.find("Connection") != std::string::npos) {
            co_return make_error("ssh connection to " + m_target.ssh.host + " lost: " +
                                 res.stderr_text.substr(0, 300));
        }
        co_return r;
    }

    Task<void> close() override {
        if (m_closed) co_return;
        m_closed = true;
        ProcessRequest req;
        req.argv = ssh_argv(m_target.ssh, m_control_dir, m_target.timeouts.connect, "");
        // `ssh -O exit HOST`: options must precede the host.
        req.argv.pop_back();  // the empty remote command
        std::string host = req.argv.back();
        req.argv.pop_back();
        req.argv.pop_back();  // "--"
        req.argv.insert(req.argv.end(), {"-O", "exit", "--", host});
        req.timeout = Millis(5000);
        (void)co_await async_run_process(std::move(req));
    }

private:
    // Removes the "attest-pgid:N" line the wrapper prints first; returns N.
    static std::string take_tag(std::string& err) {
        auto pos = err.find(kPgidTag);
        if (pos == std::string::npos) return {};
        auto end = err.find('\n', pos);
        std::string id = err.substr(pos + kPgidTag.size(),
                                    (end == std::string::npos ? err.size() : end) - pos -
                                        kPgidTag.size());
        while (!id.empty() && (id.back() == '\r' || id.back() == ' ')) id.pop_back();
        err.erase(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
        for (char c : id)
            if (c < '0' || c > '9') return {};
        return id;
    }

    // The local ssh client was killed; the remote tree keeps running unless killed there.
    // Returns a note for the command's stderr saying what happened.
    Task<std::string> kill_remote(const std::string& id) {
        ProcessRequest req;
        std::string cmd = ssh_kill_command(m_target.platform, id);
        req.argv = ssh_argv(m_target.ssh, m_control_dir, m_target.timeouts.connect, cmd);
        req.timeout = m_target.timeouts.connect + Millis(10000);
        auto r = co_await async_run_process(std::move(req));
        if (r && r->exit_code == 0)
            co_return "\n[attest: remote process group " + id + " killed]\n";
        co_return "\n[attest: could not kill remote process group " + id + ": " +
               (r ? "exit code " + std::to_string(r->exit_code) + " " + r->stderr_text
                  : r.error().message) +
               "]\n";
    }

    std::string m_control_dir;
    bool m_closed = false;
};

// ---------------------------------------------------------------------------------------
// command: a hypervisor's guest-exec tool, from an argument-vector template.

class CommandTransport final : public Transport {
public:
    using Transport::Transport;
    Task<Expected<ProcessResult>> run(const TargetCommand& command, const CancelToken& cancel) override {
        auto argv = expand_command_template(m_target.command.exec, command.argv,
                                            m_target.platform, m_target.command.vm);
        if (!argv) co_return argv.error();
        // The guest-exec tool's pid is on this machine; the guest's is not reported by a
        // generic template, so lineage has no anchor on this transport.
        co_return co_await async_run_process(local_request(std::move(*argv), command, cancel));
    }

    // With an `upload` template, the hypervisor's copy-in tool: the content is in a private
    // file on this machine ({local_path}) and on the tool's stdin; {remote_path} is the
    // destination in the guest. Without one, through exec like the other transports.
    Task<Expected<void>> write_file(const std::string& path, const std::string& content,
                                    const CancelToken& cancel) override {
        if (m_target.command.upload.empty()) co_return co_await Transport::write_file(path, content, cancel);
        LocalCopy copy;
        bool needs_file = false;
        for (const auto& a : m_target.command.upload)
            if (a.find("{local_path}") != std::string::npos) needs_file = true;
        if (needs_file) {
            auto made = copy.create(content);
            if (!made) co_return made.error();
        }
        auto argv = expand_command_template(m_target.command.upload, {}, m_target.platform,
                                            m_target.command.vm, path, copy.path);
        if (!argv) co_return argv.error();
        TargetCommand cmd;
        cmd.stdin_data = content;
        cmd.timeout = m_target.timeouts.connect + Millis(60000);
        auto r = co_await async_run_process(local_request(std::move(*argv), cmd, cancel));
        if (!r) co_return r.error();
        if (!r->ok()) co_return command_failed("cannot upload " + path + " to " + m_target.name, *r);
        co_return Expected<void>{};
    }

private:
    // A file only this user can read, in a private directory; removed with the object.
    struct LocalCopy {
        std::string dir, path;
        Expected<void> create(const std::string& content) {
            char tmpl[] = "/tmp/attest-upload-XXXXXX";
            if (::mkdtemp(tmpl) == nullptr) return make_error("cannot create a temporary directory for an upload");
            dir = tmpl;
            path = dir + "/content";
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0) return make_error("cannot create " + path);
            std::size_t done = 0;
            while (done < content.size()) {
                ssize_t w = ::write(fd, content.data() + done, content.size() - done);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) {
                    ::close(fd);
                    return make_error("cannot write " + path);
                }
                done += static_cast<std::size_t>(w);
            }
            ::close(fd);
            return {};
        }
        ~LocalCopy() {
            if (dir.empty()) return;
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    };
};

}  // namespace

std::vector<std::string> ssh_argv(const SshConfig& ssh, const std::string& control_dir,
                                  Millis connect_timeout, const std::string& remote_command) {
    std::vector<std::string> argv = {"ssh", "-T", "-o", "BatchMode=yes"};
    auto opt = [&](std::string o) {
        argv.push_back("-o");
        argv.push_back(std::move(o));
    };
    opt(std::string("StrictHostKeyChecking=") + (ssh.strict_host_key_checking ? "yes" : "no"));
    if (!ssh.known_hosts.empty()) opt("UserKnownHostsFile=" + ssh.known_hosts);
    if (!ssh.identity_file.empty()) {
        argv.push_back("-i");
        argv.push_back(ssh.identity_file);
        opt("IdentitiesOnly=yes");
    }
    opt("PasswordAuthentication=no");
    opt("KbdInteractiveAuthentication=no");
    opt("LogLevel=ERROR");
    auto secs = std::max<long long>(1, connect_timeout.count() / 1000);
    opt("ConnectTimeout=" + std::to_string(secs));
    opt("ServerAliveInterval=5");
    opt("ServerAliveCountMax=3");
    if (!control_dir.empty()) {
        opt("ControlMaster=auto");
        opt("ControlPath=" + control_dir + "/%C");
        opt("ControlPersist=" + ssh.control_persist);
    }
    for (const auto& o : ssh.options) opt(o);
    argv.push_back("-p");
    argv.push_back(std::to_string(ssh.port));
    if (!ssh.user.empty()) {
        argv.push_back("-l");
        argv.push_back(ssh.user);
    }
    argv.push_back("--");
    argv.push_back(ssh.host);
    argv.push_back(remote_command);
    return argv;
}

std::string ssh_kill_command(Platform platform, const std::string& id) {
    if (platform == Platform::Windows) return "taskkill /T /F /PID " + id;
    return "kill -TERM -- -" + id + " 2>/dev/null; sleep 1; kill -KILL -- -" + id + " 2>/dev/null; true";
}

std::string ssh_remote_command(const std::vector<std::string>& argv, Platform platform) {
    if (platform == Platform::Windows) {
        // Windows OpenSSH hands the line to cmd.exe (or PowerShell): only base64 and plain
        // flags may appear in it. The wrapper reports its PID so a timeout can kill the tree.
        std::string inner;
        if (const std::string* payload = encoded_payload(argv)) {
            inner = "& powershell -NoProfile -NonInteractive -EncodedCommand " + *payload;
        } else {
            inner = "& " + powershell_quote(argv.empty() ? "" : argv[0]);
            for (std::size_t i = 1; i < argv.size(); ++i) inner += " " + powershell_quote(argv[i]);
        }
        std::string wrapper = "[Console]::Error.WriteLine('attest-pgid:' + $PID)\r\n" + inner +
                              "\r\nexit $LASTEXITCODE\r\n";
        return join_spaces(powershell_encoded_argv(wrapper));
    }
    // setsid -w: a new session and process group whose id the wrapper prints first, so a
    // timeout can `kill -- -PGID` the whole remote tree; -w keeps the exit status.
    std::vector<std::string> wrapped = {
        "setsid", "-w", "sh", "-c", "echo attest-pgid:$$ >&2; exec \"$@\"", "sh"};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return posix_join(wrapped);
}

Expected<std::vector<std::string>> expand_command_template(
    const std::vector<std::string>& tmpl, const std::vector<std::string>& argv,
    Platform platform, const std::string& vm, const std::string& remote_path,
    const std::string& local_path) {
    std::vector<std::string> out;
    std::string command_line =
        platform == Platform::Windows ? join_spaces(argv) : posix_join(argv);
    for (const auto& t : tmpl) {
        if (t == "{argv}") {
            out.insert(out.end(), argv.begin(), argv.end());
            continue;
        }
        std::string arg;
        std::size_t i = 0;
        while (i < t.size()) {
            if (t[i] == '{') {
                // Only {identifier} is a placeholder: PowerShell script blocks keep their braces.
                auto close = t.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", i + 1);
                if (close != std::string::npos && close > i + 1 && t[close] == '}') {
                    std::string name = t.substr(i + 1, close - i - 1);
                    if (name == "vm") arg += vm;
                    else if (name == "command") arg += command_line;
                    else if (name == "remote_path") arg += remote_path;
                    else if (name == "local_path") arg += local_path;
                    else if (name == "encoded_command") {
                        const std::string* payload = encoded_payload(argv);
                        if (payload == nullptr)
                            return make_error(
                                "{encoded_command} in a command template needs a PowerShell "
                                "invocation (this one is '" + (argv.empty() ? "" : argv[0]) + "')");
                        arg += *payload;
                    } else if (name == "argv") {
                        return make_error("{argv} must be a whole template argument");
                    } else {
                        return make_error("unknown placeholder {" + name +
                                          "} in a command template (expected {vm}, {command}, "
                                          "{encoded_command}, {argv}, {remote_path}, {local_path})");
                    }
                    i = close + 1;
                    continue;
                }
            }
            arg.push_back(t[i++]);
        }
        out.push_back(std::move(arg));
    }
    if (out.empty()) return make_error("empty command template");
    return out;
}

TransportRegistry& TransportRegistry::builtin() {
    static TransportRegistry registry = [] {
        TransportRegistry r;
        r.add("local", [](const TargetConfig& t) -> Expected<std::unique_ptr<Transport>> {
            return std::unique_ptr<Transport>(std::make_unique<LocalTransport>(t));
        });
        r.add("ssh", [](const TargetConfig& t) -> Expected<std::unique_ptr<Transport>> {
            if (t.ssh.host.empty()) return make_error("target " + t.name + ": ssh.host is empty");
            return std::unique_ptr<Transport>(std::make_unique<SshTransport>(t));
        });
        r.add("command", [](const TargetConfig& t) -> Expected<std::unique_ptr<Transport>> {
            if (t.command.exec.empty())
                return make_error("target " + t.name + ": command.exec is empty");
            return std::unique_ptr<Transport>(std::make_unique<CommandTransport>(t));
        });
        return r;
    }();
    return registry;
}

void TransportRegistry::add(std::string name, TransportFactory factory) {
    m_factories[std::move(name)] = std::move(factory);
}

Expected<std::unique_ptr<Transport>> TransportRegistry::create(const TargetConfig& target) const {
    auto it = m_factories.find(target.transport);
    if (it == m_factories.end())
        return make_error("target " + target.name + ": unknown transport '" + target.transport + "'");
    return it->second(target);
}

}  // namespace attest::run
