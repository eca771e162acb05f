// Local child processes with a deadline, asynchronous on Boost.Asio. Each child is started
// with Boost.Process (v2, header-only in Boost 1.81) in its own process group, so that a
// timeout or a cancellation kills the whole tree it started, not just the direct child.
// Its exit (a pidfd), its pipes and its deadline are all waited for on the caller's
// executor: any number of children progress on one thread.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.h"

namespace attest::run {

template <class T>
using Task = boost::asio::awaitable<T>;

// Cancellation shared by every running process of a run. Level 1 (first SIGINT/SIGTERM)
// stops attack and collection steps; level 2 (second signal) also stops cleanup. Raising it
// notifies the subscribers (running processes, sleeping pollers) at once.
class CancelToken {
public:
    using Listener = std::function<void(int level)>;
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& o) noexcept : m_token(o.m_token), m_it(o.m_it) { o.m_token = nullptr; }
        Subscription& operator=(Subscription&& o) noexcept {
            if (this != &o) {
                reset();
                m_token = o.m_token;
                m_it = o.m_it;
                o.m_token = nullptr;
            }
            return *this;
        }
        ~Subscription() { reset(); }
        void reset();

    private:
        friend class CancelToken;
        Subscription(const CancelToken* t, std::list<Listener>::iterator it) : m_token(t), m_it(it) {}
        const CancelToken* m_token = nullptr;
        std::list<Listener>::iterator m_it;
    };

    bool at_least(int l) const { return m_level.load(std::memory_order_acquire) >= l; }
    int level() const { return m_level.load(std::memory_order_acquire); }
    // Raises the level by one and calls every listener with the new level. Not for signal
    // handlers (it locks); runs from boost::asio::signal_set handlers instead.
    void raise();
    // `listener` is called (from the raising thread) on every raise until the subscription
    // ends; it must only post work to an executor.
    [[nodiscard]] Subscription subscribe(Listener listener) const;

private:
    std::atomic<int> m_level{0};
    mutable std::mutex m_mutex;
    mutable std::list<Listener> m_listeners;
};

struct ProcessRequest {
    std::vector<std::string> argv;         // argv[0] is looked up in PATH
    std::string stdin_data;                // written to the child's stdin, then closed
    std::chrono::milliseconds timeout{0};  // 0: no deadline
    const CancelToken* cancel = nullptr;   // the child is killed when it is raised ...
    int cancel_level = 1;                  // ... to this level
    std::size_t output_limit = 1 << 20;    // bytes kept per stream (the rest is counted)
};

struct ProcessResult {
    int exit_code = -1;        // exit status, or 128+signal when killed by a signal
    bool timed_out = false;
    bool cancelled = false;
    std::string stdout_text;
    std::string stderr_text;
    std::uint64_t dropped_bytes = 0;  // output beyond output_limit
    std::int64_t start_ns = 0;        // wall clock, ns since epoch
    std::int64_t end_ns = 0;
    std::int64_t pid = 0;  // of the child on this machine
    // The executor's process id on the target, as the transport knows it (local: the child;
    // ssh: the remote wrapper, which execs the command); empty: unknown.
    std::string target_pid;
    bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
};

// Runs the process to completion (or deadline / cancellation, then kills its process group:
// SIGTERM, a grace period, SIGKILL) on the current coroutine's executor. Fails only when the
// process cannot be started. The executor must be an io_context's (or a strand of one).
Task<Expected<ProcessResult>> async_run_process(ProcessRequest request);

// The same, blocking: runs its own io_context on the calling thread (tests, tools).
Expected<ProcessResult> run_process(const ProcessRequest& request);

// Runs an awaitable to completion on a private io_context on the calling thread; its
// exceptions are rethrown here.
template <class T>
T run_blocking(Task<T> task) {
    boost::asio::io_context ioc;
    std::exception_ptr failure;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> out;
    boost::asio::co_spawn(
        ioc,
        [&]() -> Task<void> {
            if constexpr (std::is_void_v<T>) {
                co_await std::move(task);
                out.emplace(true);
            } else {
                out.emplace(co_await std::move(task));
            }
        },
        [&](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) std::rethrow_exception(failure);
    if constexpr (!std::is_void_v<T>) return std::move(*out);
}

// Two threads for blocking or CPU-heavy steps (journal writes with fsync, evaluation of
// fetched telemetry, HTTPS to the O365 API), so the io_context thread only waits.
boost::asio::thread_pool& blocking_pool();

// Runs blocking or CPU-heavy work `f` (journal writes, evaluation, HTTPS) on `pool` and
// resumes the coroutine on its own executor afterwards; exceptions are rethrown here.
template <class F>
auto offload(boost::asio::thread_pool& pool, F f) -> Task<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    auto ex = co_await boost::asio::this_coro::executor;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> out;
    std::exception_ptr failure;
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
        [&](auto handler) {
            auto work = boost::asio::make_work_guard(ex);
            boost::asio::post(pool, [&, handler = std::move(handler), work = std::move(work)]() mutable {
                try {
                    if constexpr (std::is_void_v<R>) {
                        f();
                        out.emplace(true);
                    } else {
                        out.emplace(f());
                    }
                } catch (...) {
                    failure = std::current_exception();
                }
                auto back = work.get_executor();
                boost::asio::post(back, std::move(handler));
            });
        },
        boost::asio::use_awaitable);
    if (failure) std::rethrow_exception(failure);
    if constexpr (!std::is_void_v<R>) co_return std::move(*out);
}

// Waits `duration` on the current executor; returns early (false) when `cancel` reaches
// `level`. True when the whole duration passed.
Task<bool> sleep_for(std::chrono::milliseconds duration, const CancelToken& cancel, int level = 1);

std::int64_t now_ns();

}  // namespace attest::run
