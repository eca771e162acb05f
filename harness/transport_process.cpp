#include "harness/transport_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

extern char** environ;

namespace attest::run {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

// Writes to a pipe whose reader died must fail with EPIPE, not kill the harness.
void ignore_sigpipe_once() {
    static std::once_flag once;
    std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

struct Pipe {
    int fds[2] = {-1, -1};
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (fds[0] >= 0) ::close(fds[0]);
        fds[0] = -1;
    }
    void close_write() {
        if (fds[1] >= 0) ::close(fds[1]);
        fds[1] = -1;
    }
};

void append_capped(std::string& out, const char* data, std::size_t n, std::size_t limit,
                   std::uint64_t& dropped) {
    std::size_t room = out.size() < limit ? limit - out.size() : 0;
    std::size_t keep = n < room ? n : room;
    out.append(data, keep);
    dropped += n - keep;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

Expected<ProcessResult> run_process(const ProcessRequest& request) {
    if (request.argv.empty() || request.argv[0].empty())
        return make_error("cannot start a process: empty command");
    ignore_sigpipe_once();

    // O_CLOEXEC on every end: with many targets running at once, a child must not inherit
    // another child's pipes (the other reader would then never see end-of-file).
    Pipe in, out, err;
    if (::pipe2(in.fds, O_CLOEXEC) != 0 || ::pipe2(out.fds, O_CLOEXEC) != 0 ||
        ::pipe2(err.fds, O_CLOEXEC) != 0)
        return make_error(std::string("cannot create pipes: ") + std::strerror(errno));

    std::vector<char*> argv;
    argv.reserve(request.argv.size() + 1);
    for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fds[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fds[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group: the whole tree can be signalled with kill(-pgid).
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETSIGMASK);

    ProcessResult result;
    result.start_ns = now_ns();
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return make_error("cannot start '" + request.argv[0] + "': " + std::strerror(rc));
    in.close_read();
    out.close_write();
    err.close_write();

    ::fcntl(in.fds[1], F_SETFL, ::fcntl(in.fds[1], F_GETFL) | O_NONBLOCK);
    std::size_t stdin_pos = 0;
    if (request.stdin_data.empty()) in.close_write();

    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    const bool has_deadline = request.timeout.count() > 0;
    const auto deadline = started + request.timeout;
    bool exited = false;
    int status = 0;
    bool killing = false;
    clock::time_point kill_sent{};
    bool sent_kill9 = false;
    // After the direct child exits, background descendants may keep the pipes open: read
    // what they write for a short grace period, then stop waiting for them.
    clock::time_point exited_at{};
    char buf[65536];

    auto kill_group = [&](int sig) { ::kill(-pid, sig); };

    for (;;) {
        if (!exited) {
            pid_t w = ::waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                exited = true;
                exited_at = clock::now();
                if (killing) kill_group(SIGKILL);  // take the rest of the tree with it
            }
        }
        bool pipes_open = out.fds[0] >= 0 || err.fds[0] >= 0;
        if (exited && !pipes_open) break;
        if (exited && clock::now() - exited_at > std::chrono::milliseconds(killing ? 200 : 1000))
            break;

        auto now = clock::now();
        if (!killing && !exited) {
            bool cancel = request.cancel && request.cancel->at_least(request.cancel_level);
            if (cancel || (has_deadline && now >= deadline)) {
                (cancel ? result.cancelled : result.timed_out) = true;
                killing = true;
                kill_sent = now;
                kill_group(SIGTERM);
            }
        }
        if (killing && !sent_kill9 && now - kill_sent > std::chrono::milliseconds(1500)) {
            kill_group(SIGKILL);
            sent_kill9 = true;
        }

        pollfd fds[3];
        int n = 0;
        int out_i = -1, err_i = -1, in_i = -1;
        if (out.fds[0] >= 0) { out_i = n; fds[n++] = {out.fds[0], POLLIN, 0}; }
        if (err.fds[0] >= 0) { err_i = n; fds[n++] = {err.fds[0], POLLIN, 0}; }
        if (in.fds[1] >= 0) { in_i = n; fds[n++] = {in.fds[1], POLLOUT, 0}; }
        // Short slices: the child's exit (no fd event when descendants hold the pipes),
        // deadlines and cancellation are all checked between polls.
        int wait_ms = exited ? 20 : 25;
        int pr = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
        if (pr < 0 && errno != EINTR) break;
        if (pr <= 0) continue;
        auto drain = [&](int idx, Pipe& p, std::string& dest) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            long r = ::read(p.fds[0], buf, sizeof buf);
            if (r > 0)
                append_capped(dest, buf, static_cast<std::size_t>(r), request.output_limit,
                              result.dropped_bytes);
            else if (r == 0 || (errno != EINTR && errno != EAGAIN))
                p.close_read();
        };
        drain(out_i, out, result.stdout_text);
        drain(err_i, err, result.stderr_text);
        if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
            long w = ::write(in.fds[1], request.stdin_data.data() + stdin_pos,
                             request.stdin_data.size() - stdin_pos);
            if (w > 0) stdin_pos += static_cast<std::size_t>(w);
            if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
                stdin_pos >= request.stdin_data.size())
                in.close_write();
        }
    }
    if (!exited) {
        // Loop left on a poll error: do not leave a zombie or a running tree behind.
        kill_group(SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    result.exit_code = decode_status(status);
    result.end_ns = now_ns();
    return result;
}

}  // namespace attest::run
