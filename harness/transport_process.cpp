#include "harness/transport_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

// Boost.Process v2 as shipped in Boost 1.81 uses these without including them.
#include <type_traits>
#include <boost/io/quoted.hpp>
#include <boost/optional.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

#include "net/https_client.h"

namespace attest::run {

namespace asio = boost::asio;
namespace bp = boost::process::v2;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

asio::thread_pool& blocking_pool() {
    // OpenSSL first: the pool's threads make HTTPS requests (Elasticsearch, O365), and their
    // OpenSSL state is freed when they exit only if OpenSSL is still set up then.
    static asio::thread_pool pool((net::init_tls(), 2));
    return pool;
}

// ---------------------------------------------------------------------------------------
// CancelToken

void CancelToken::raise() {
    int level = m_level.fetch_add(1, std::memory_order_acq_rel) + 1;
    std::lock_guard lock(m_mutex);
    for (auto& listener : m_listeners) listener(level);
}

CancelToken::Subscription CancelToken::subscribe(Listener listener) const {
    std::lock_guard lock(m_mutex);
    m_listeners.push_front(std::move(listener));
    return Subscription(this, m_listeners.begin());
}

void CancelToken::Subscription::reset() {
    if (m_token == nullptr) return;
    std::lock_guard lock(m_token->m_mutex);
    m_token->m_listeners.erase(m_it);
    m_token = nullptr;
}

namespace {

// Writes to a pipe whose reader died must fail with EPIPE, not kill the harness.
void ignore_sigpipe_once() {
    static std::once_flag once;
    std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

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

// posix_spawnp's lookup: a name with a slash is used as it is, otherwise the first
// executable regular file of that name in PATH.
std::string find_in_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* env = std::getenv("PATH");
    std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    for (;;) {
        auto end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (end == std::string::npos) return {};
        start = end + 1;
    }
}

void close_fds(int from, int to) {
    if (from > to) return;
    if (::close_range(static_cast<unsigned>(from), static_cast<unsigned>(to), 0) == 0) return;
    long max = ::sysconf(_SC_OPEN_MAX);
    int last = to < max ? to : static_cast<int>(max) - 1;
    for (int fd = from; fd <= last; ++fd) ::close(fd);
}

// A Boost.Process initializer for what the child does between fork and exec (after the
// stdio redirection): its own process group, default signal dispositions and an empty
// signal mask (ignored signals survive exec, and the harness ignores SIGPIPE), and no
// descriptor but 0-2 and the launcher's exec-error pipe. Boost 1.81's own descriptor
// closing skips the gaps between whitelisted descriptors, so it is done here. Runs in the
// forked child: async-signal-safe calls only, no allocation.
struct ChildSetup {
    bp::error_code on_exec_setup(bp::posix::default_launcher& launcher,
                                 const bp::filesystem::path&, const char* const*) {
        if (::setpgid(0, 0) != 0) return bp::error_code(errno, bp::system_category());
        struct sigaction sa {};
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) ::sigaction(sig, &sa, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        int low = 3;
        for (;;) {
            int next = INT_MAX;
            for (int fd : launcher.fd_whitelist)
                if (fd >= low && fd < next) next = fd;
            if (next == INT_MAX) {
                close_fds(low, INT_MAX);
                break;
            }
            close_fds(low, next - 1);
            low = next + 1;
        }
        return {};
    }
    // Boost 1.81 leaves a child whose exec failed unreaped: reap it. (The variadic form
    // matches both the arity the launcher's detection expression uses and the call.)
    template <class... Args>
    void on_error(bp::posix::default_launcher& launcher, Args&&...) {
        if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);
    }
};

using Strand = asio::strand<asio::any_io_executor>;

// One running child: its exit (pidfd), both output pipes, stdin, the deadline and the
// cancellation are separate asynchronous operations on one strand; the run finishes when
// the child has exited and both pipes are at end-of-file (or a grace period after the exit
// has passed: background descendants may keep the pipes open).
class ProcessRun : public std::enable_shared_from_this<ProcessRun> {
public:
    using Done = std::function<void(Expected<ProcessResult>)>;

    ProcessRun(asio::any_io_executor ex, ProcessRequest request, Done done)
        : m_strand(asio::make_strand(ex)),
          m_request(std::move(request)),
          m_done(std::move(done)),
          m_in(m_strand),
          m_out(m_strand),
          m_err(m_strand),
          m_deadline(m_strand),
          m_kill(m_strand),
          m_grace(m_strand) {}

    ~ProcessRun() {
        // Only when the io_context goes away mid-run: leave no tree behind (the process
        // object then kills and reaps the direct child).
        if (m_pgid > 0 && !m_exited) ::kill(-m_pgid, SIGKILL);
    }

    void start() {
        const auto& argv = m_request.argv;
        if (argv.empty() || argv[0].empty()) return fail("cannot start a process: empty command");
        std::string exe = find_in_path(argv[0]);
        if (exe.empty())
            return fail("cannot start '" + argv[0] + "': " +
                        (argv[0].find('/') != std::string::npos ? std::strerror(errno)
                                                                 : "not found in PATH"));
        std::vector<const char*> cargv;
        cargv.reserve(argv.size() + 1);
        for (const auto& a : argv) cargv.push_back(a.c_str());
        cargv.push_back(nullptr);
        const char** cmdline = cargv.data();  // argv[0] kept as given, like posix_spawnp

        bp::posix::default_launcher launcher;
        bp::error_code ec;
        m_result.start_ns = now_ns();
        if (m_request.stdin_data.empty()) {
            // stdin is /dev/null: the child reads end-of-file at once.
            m_process.emplace(launcher(asio::any_io_executor(m_strand), ec, exe, cmdline,
                                       bp::process_stdio{nullptr, m_out, m_err}, ChildSetup{}));
        } else {
            m_process.emplace(launcher(asio::any_io_executor(m_strand), ec, exe, cmdline,
                                       bp::process_stdio{m_in, m_out, m_err}, ChildSetup{}));
        }
        if (ec) return fail("cannot start '" + argv[0] + "': " + ec.message());
        m_pgid = m_process->id();
        m_result.pid = m_pgid;

        auto self = shared_from_this();
        if (m_request.cancel) {
            m_subscription = m_request.cancel->subscribe([weak = weak_from_this(), strand = m_strand](int level) {
                asio::post(strand, [weak, level] {
                    if (auto run = weak.lock()) run->on_cancel(level);
                });
            });
            if (m_request.cancel->at_least(m_request.cancel_level))
                asio::post(m_strand, [self] { self->on_cancel(self->m_request.cancel->level()); });
        }
        if (m_request.timeout.count() > 0) {
            m_deadline.expires_after(m_request.timeout);
            m_deadline.async_wait([self](bp::error_code e) {
                if (e || self->m_exited || self->m_killing) return;
                self->m_result.timed_out = true;
                self->start_kill();
            });
        }
        if (!m_request.stdin_data.empty())
            asio::async_write(m_in, asio::buffer(m_request.stdin_data),
                              [self](bp::error_code, std::size_t) {
                                  bp::error_code ignored;
                                  self->m_in.close(ignored);  // EPIPE included: the child stopped reading
                              });
        read(m_out, m_out_buf, m_result.stdout_text, m_out_open);
        read(m_err, m_err_buf, m_result.stderr_text, m_err_open);
        m_process->async_wait([self](bp::error_code, int) { self->on_exit(); });
    }

private:
    void fail(std::string message) { m_done(make_error(std::move(message))); }

    void read(asio::readable_pipe& pipe, std::array<char, 65536>& buf, std::string& dest, bool& open) {
        pipe.async_read_some(asio::buffer(buf), [self = shared_from_this(), &pipe, &buf, &dest,
                                                 &open](bp::error_code e, std::size_t n) {
            if (n > 0)
                append_capped(dest, buf.data(), n, self->m_request.output_limit,
                              self->m_result.dropped_bytes);
            if (e) {
                open = false;
                bp::error_code ignored;
                pipe.close(ignored);
                self->maybe_finish();
                return;
            }
            self->read(pipe, buf, dest, open);
        });
    }

    void on_cancel(int level) {
        if (level < m_request.cancel_level || m_exited || m_killing || m_finished) return;
        m_result.cancelled = true;
        start_kill();
    }

    void start_kill() {
        m_killing = true;
        ::kill(-m_pgid, SIGTERM);
        m_kill.expires_after(std::chrono::milliseconds(1500));
        m_kill.async_wait([self = shared_from_this()](bp::error_code e) {
            if (!e && !self->m_finished) ::kill(-self->m_pgid, SIGKILL);
        });
    }

    void on_exit() {
        m_exited = true;
        m_status = m_process->native_exit_code();
        // Reaped: forget the pid, so that nothing can signal a process that reuses it.
        m_process->detach();
        if (m_killing) ::kill(-m_pgid, SIGKILL);  // take the rest of the tree with it
        bp::error_code ignored;
        m_deadline.cancel();
        m_grace.expires_after(std::chrono::milliseconds(m_killing ? 200 : 1000));
        m_grace.async_wait([self = shared_from_this()](bp::error_code e) {
            if (e) return;
            bp::error_code ignored;
            self->m_out.close(ignored);  // pending reads complete with operation_aborted
            self->m_err.close(ignored);
        });
        maybe_finish();
    }

    void maybe_finish() {
        if (m_finished || !m_exited || m_out_open || m_err_open) return;
        m_finished = true;
        m_deadline.cancel();
        m_kill.cancel();
        m_grace.cancel();
        m_subscription.reset();
        bp::error_code ignored;
        m_in.close(ignored);
        m_result.exit_code = decode_status(m_status);
        m_result.end_ns = now_ns();
        m_done(std::move(m_result));
    }

    Strand m_strand;
    ProcessRequest m_request;
    Done m_done;
    asio::writable_pipe m_in;
    asio::readable_pipe m_out, m_err;
    asio::steady_timer m_deadline, m_kill, m_grace;
    std::optional<bp::basic_process<asio::any_io_executor>> m_process;
    CancelToken::Subscription m_subscription;
    ProcessResult m_result;
    std::array<char, 65536> m_out_buf{}, m_err_buf{};
    pid_t m_pgid = -1;
    int m_status = 0;
    bool m_exited = false, m_killing = false, m_finished = false;
    bool m_out_open = true, m_err_open = true;
};

}  // namespace

Task<Expected<ProcessResult>> async_run_process(ProcessRequest request) {
    ignore_sigpipe_once();
    auto ex = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                            void(Expected<ProcessResult>)>(
        [&](auto handler) {
            // The completion goes back to the coroutine's executor, never inline.
            auto target = asio::get_associated_executor(handler, ex);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            auto run = std::make_shared<ProcessRun>(
                ex, std::move(request), [target, shared](Expected<ProcessResult> r) {
                    asio::post(target, [shared, r = std::move(r)]() mutable {
                        std::move (*shared)(std::move(r));
                    });
                });
            run->start();
        },
        asio::use_awaitable);
}

Expected<ProcessResult> run_process(const ProcessRequest& request) {
    return run_blocking(async_run_process(request));
}

Task<bool> sleep_for(std::chrono::milliseconds duration, const CancelToken& cancel, int level) {
    auto ex = co_await asio::this_coro::executor;
    if (cancel.at_least(level)) co_return false;
    auto timer = std::make_shared<asio::steady_timer>(ex, duration);
    auto subscription = cancel.subscribe([timer, ex, level](int now) {
        if (now >= level) asio::post(ex, [timer] { timer->cancel(); });
    });
    if (cancel.at_least(level)) co_return false;
    bp::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec && !cancel.at_least(level);
}

}  // namespace attest::run
