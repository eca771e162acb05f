// Transports: how commands reach a lab target. A small interface with a registry keyed by
// name (local, ssh, command). A transport runs an argument vector on the target, with a
// deadline that kills the whole process tree there, and moves files to and from it. Every
// operation is a coroutine on the caller's executor (Boost.Asio): many targets at once
// progress on one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.h"
#include "harness/executor.h"
#include "harness/lab.h"
#include "harness/transport_process.h"

namespace attest::run {

struct TargetCommand {
    std::vector<std::string> argv;  // as built by build_invocation()
    std::string stdin_data;
    Millis timeout{0};
    int cancel_level = 1;           // see CancelToken
};

class Transport {
public:
    explicit Transport(const TargetConfig& target) : m_target(target) {}
    virtual ~Transport() = default;

    // Runs the command on the target. Errors: the command could not be started or the
    // target could not be reached (the error says which). A non-zero exit is not an error.
    virtual Task<Expected<ProcessResult>> run(const TargetCommand& command,
                                              const CancelToken& cancel) = 0;
    // Releases connections (ssh control master). Idempotent; a later run() connects again
    // (a reverted VM: the old connection belongs to the state that was thrown away).
    virtual Task<void> close() { co_return; }

    // Files on the target: content travels on stdin / stdout, never through a command line
    // (the command transport copies in with its `upload` template when it has one).
    // `elevated` reads with sudo -n where the target needs it.
    virtual Task<Expected<void>> write_file(const std::string& path, const std::string& content,
                                            const CancelToken& cancel);
    Task<Expected<std::string>> read_file(const std::string& path, std::uint64_t offset,
                                          bool elevated, const CancelToken& cancel);
    // Size in bytes of a file on the target (to note the log offset before a run).
    Task<Expected<std::uint64_t>> file_size(const std::string& path, bool elevated,
                                            const CancelToken& cancel);

    const TargetConfig& target() const { return m_target; }

protected:
    TargetConfig m_target;
};

using TransportFactory =
    std::function<Expected<std::unique_ptr<Transport>>(const TargetConfig& target)>;

class TransportRegistry {
public:
    static TransportRegistry& builtin();  // local, ssh, command
    void add(std::string name, TransportFactory factory);
    Expected<std::unique_ptr<Transport>> create(const TargetConfig& target) const;

private:
    std::map<std::string, TransportFactory> m_factories;
};

// The ssh argument vector for `remote_command` (exposed for tests and for docs/labs.md).
std::vector<std::string> ssh_argv(const SshConfig& ssh, const std::string& control_dir,
                                  Millis connect_timeout, const std::string& remote_command);
// The remote command line ssh sends for `argv` on a target of `platform` (Linux/macOS:
// quoted for the POSIX shell and run under `setsid` so a timeout can kill the process
// group; Windows: a PowerShell -EncodedCommand wrapper that reports its PID).
std::string ssh_remote_command(const std::vector<std::string>& argv, Platform platform);
// The command that kills the remote tree whose id the wrapper reported (`kill` of the
// process group, then SIGKILL; Windows: taskkill /T /F of the wrapper's PID).
std::string ssh_kill_command(Platform platform, const std::string& id);
// Substitutes {vm}, {command}, {encoded_command}, {argv} (spliced), {remote_path} and
// {local_path} in an argument-vector template, argument by argument, never through a shell.
Expected<std::vector<std::string>> expand_command_template(
    const std::vector<std::string>& tmpl, const std::vector<std::string>& argv,
    Platform platform, const std::string& vm, const std::string& remote_path = {},
    const std::string& local_path = {});

}  // namespace attest::run
