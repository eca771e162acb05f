#include "harness/runner.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "expectations/results.h"
#include "harness/live_collect.h"
#include "harness/plan.h"
#include "harness/qemu.h"
#include "harness/run_ship.h"
#include "harness/sensors.h"
#include "harness/siem_watch.h"
#include "net/elastic_client.h"
#include "telemetry/sources.h"
#include "telemetry/tail.h"

namespace attest::run {

namespace ex = attest::expectations;
namespace sc = attest::scenarios;

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string first_line(const std::string& s) {
    auto t = trim(s);
    auto nl = t.find('\n');
    return nl == std::string::npos ? t : t.substr(0, nl) + " ...";
}

std::string seconds_text(Millis ms) {
    std::ostringstream o;
    o << (static_cast<double>(ms.count()) / 1000.0) << "s";
    return o.str();
}

// Output kept in results: enough to diagnose, bounded so results.json stays readable.
std::string clip(const std::string& s, std::size_t limit = 16384) {
    if (s.size() <= limit) return s;
    return s.substr(0, limit) + "\n[... " + std::to_string(s.size() - limit) + " more bytes]";
}

Value strings_value(const std::set<std::string>& items) {
    Value a = Value::array();
    for (const auto& s : items) a.push_back(Value(s));
    return a;
}

// Counts the wall time spent waiting on the target (every command and file transfer goes
// through run() or write_file()), so a scenario's record can tell the target's time from
// attest's own (results: timing.transport_seconds; bench/lab_bench.sh).
class TimedTransport final : public Transport {
public:
    explicit TimedTransport(std::unique_ptr<Transport> inner)
        : Transport(inner->target()), m_inner(std::move(inner)) {}
    Task<Expected<ProcessResult>> run(const TargetCommand& command,
                                      const CancelToken& cancel) override {
        auto t0 = std::chrono::steady_clock::now();
        auto r = co_await m_inner->run(command, cancel);
        add(std::chrono::steady_clock::now() - t0);
        co_return r;
    }
    Task<void> close() override { co_await m_inner->close(); }
    Task<Expected<void>> write_file(const std::string& path, const std::string& content,
                                    const CancelToken& cancel) override {
        // The base class writes through run() (counted there); the command transport's own
        // upload is timed here.
        auto t0 = std::chrono::steady_clock::now();
        auto before = m_busy_ns.load();
        auto r = co_await m_inner->write_file(path, content, cancel);
        if (m_busy_ns.load() == before) add(std::chrono::steady_clock::now() - t0);
        co_return r;
    }
    // Seconds waited on the target since the last call (a target running scenarios in
    // parallel counts them together). Atomic: the final evaluation reads it off the io thread.
    double take_busy_seconds() { return static_cast<double>(m_busy_ns.exchange(0)) / 1e9; }

private:
    void add(std::chrono::steady_clock::duration d) {
        m_busy_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    }
    std::unique_ptr<Transport> m_inner;
    std::atomic<std::int64_t> m_busy_ns{0};
};

// One target: its transport and its queue of scenarios. Only touched from the run's
// io_context thread, so it needs no locking.
struct TargetSession {
    TargetConfig effective;  // the lab's target, with what the qemu driver filled in (ssh)
    const TargetConfig* config = nullptr;
    std::unique_ptr<TimedTransport> transport;
    std::unique_ptr<QemuVm> vm;  // a VM attest starts, reverts and stops itself
    AuditProvision audit;        // rules loaded at preflight, removed at the end
    std::optional<Elevation> elevation;
    std::vector<const sc::AtomicTest*> queue;
    std::size_t next = 0;
};

class RunContext {
public:
    RunContext(const Lab& lab, const sc::Pack& pack, const RunOptions& options, CancelToken& cancel)
        : m_lab(lab), m_pack(pack), m_options(options), m_cancel(cancel) {
        m_run_id = options.run_id.empty() ? ex::make_run_id(now_ns()) : options.run_id;
        m_started_ns = now_ns();
        for (const auto& t : lab.targets) {
            for (const auto& env : t.secret_envs)
                if (const char* v = std::getenv(env.c_str())) m_masker.add(v);
            for (const auto& s : t.sources)
                if (s.api)
                    if (const char* v = std::getenv(s.api->client_secret_env.c_str()))
                        m_masker.add(v);
        }
        if (lab.siem_elastic) {
            net::ElasticConfig e;
            for (const auto& env : {e.api_key_env, e.password_env})
                if (const char* v = std::getenv(env.c_str()); v != nullptr && *v != '\0')
                    m_masker.add(v);
        }
    }

    const Lab& m_lab;
    const sc::Pack& m_pack;
    const RunOptions& m_options;
    CancelToken& m_cancel;
    Masker m_masker;
    std::unique_ptr<Journal> m_journal;
    std::string m_run_id;
    std::int64_t m_started_ns = 0;
    std::mutex m_record_mutex;
    Value m_run_info_entries = Value::array();
    std::vector<Value> m_mode_records;  // --check-prereqs / --cleanup (io thread only)
    std::atomic<std::size_t> m_finished{0};
    std::atomic<std::size_t> m_total{0};  // records the run will have; 0 before placement

    void progress(const std::string& line, bool verbose_only = false) {
        std::string masked = m_masker.mask(line);
        if (m_journal) m_journal->log(masked);
        if (m_options.verbosity == Verbosity::Quiet) return;
        if (verbose_only && m_options.verbosity != Verbosity::Verbose) return;
        if (m_options.progress)
            m_options.progress(masked);
        else
            std::fprintf(stderr, "%s\n", masked.c_str());
    }

    Value run_object(const std::string& status) const {
        Value run = Value::object();
        run.set_key("id", Value(m_run_id));
        run.set_key("mode", Value("run"));
        run.set_key("started", Value(format_iso8601(m_started_ns)));
        run.set_key("finished", status == "running" ? Value() : Value(format_iso8601(now_ns())));
        run.set_key("status", Value(status));  // additive: running | complete | interrupted
        run.set_key("lab", Value(m_lab.name));
        run.set_key("lab_file", Value(m_lab.path));
        run.set_key("pack", Value(m_pack.root));
        run.set_key("attest_version", Value(ATTEST_VERSION));
        Value telemetry = Value::array();
        for (const auto& s : m_journal ? m_journal->scenarios() : std::vector<Value>{})
            if (const Value* c = s.find("collection.telemetry"); c && c->is_array())
                for (const auto& f : c->as_array()) telemetry.push_back(f);
        run.set_key("telemetry", std::move(telemetry));
        return run;
    }

    void finish(Value scenario) {
        if (!m_options.record_dir.empty()) record_run_info(scenario);
        auto w = m_journal->add(std::move(scenario), run_object("running"));
        if (!w) progress("warning: journal: " + w.error().message);
        std::size_t finished = ++m_finished;
        if (m_options.on_finished) m_options.on_finished(finished, m_total);
    }

    // run-info.json in the record directory, in the format `attest check --run-info` reads.
    void record_run_info(const Value& scenario) {
        Value e = Value::object();
        auto copy = [&](const char* from, const char* to) {
            if (const Value* v = scenario.find(from); v && !v->is_null()) e.set(to, *v);
        };
        copy("guid", "guid");
        copy("execution.start", "start");
        copy("execution.end", "end");
        copy("execution.executor_pid", "executor_pid");
        copy("collection.cleanup_start", "cleanup_start");
        copy("arguments", "arguments");
        copy("collection.collected", "collected");
        copy("collection.pending", "pending");
        copy("target", "target");
        copy("collection.telemetry", "telemetry");
        if (const Value* v = scenario.get("verdict");
            v && v->is_string() && (v->as_string() == "error" || v->as_string() == "skipped")) {
            e.set_key("verdict", *v);
            copy("reason", "reason");
        }
        std::lock_guard lock(m_record_mutex);
        m_run_info_entries.push_back(std::move(e));
        Value doc = Value::object();
        doc.set_key("run_id", Value(m_run_id));
        doc.set_key("scenarios", m_run_info_entries);
        m_masker.mask(doc);
        std::filesystem::create_directories(m_options.record_dir);
        (void)write_file_atomic(m_options.record_dir + "/run-info.json", doc.to_json() + "\n");
    }
};

Elevation elevation_from_config(const std::string& name) {
    if (name == "none") return Elevation::None;
    if (name == "sudo") return Elevation::Sudo;
    return Elevation::Unavailable;
}

// Connects (first command on the target) and finds out how it elevates. Two scenarios of
// one target (target concurrency > 1) may both probe; they find the same answer.
Task<Expected<Elevation>> probe_target(TargetSession& s, const CancelToken& cancel) {
    if (s.elevation) co_return *s.elevation;
    const TargetConfig& t = *s.config;
    TargetCommand cmd;
    cmd.timeout = t.timeouts.connect + Millis(10000);
    if (t.platform == Platform::Windows) {
        cmd.argv = powershell_encoded_argv(
            "([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::"
            "GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)");
    } else {
        cmd.argv = {"id", "-u"};
    }
    auto r = co_await s.transport->run(cmd, cancel);
    if (!r) co_return r.error();
    if (r->timed_out)
        co_return make_error("target did not answer within " + seconds_text(cmd.timeout));
    if (r->exit_code != 0)
        co_return make_error("probe command failed: exit code " + std::to_string(r->exit_code) +
                             ": " + first_line(r->stderr_text));
    Elevation e;
    if (t.elevation != "auto") {
        e = elevation_from_config(t.elevation);
    } else if (t.platform == Platform::Windows) {
        e = trim(r->stdout_text) == "True" ? Elevation::None : Elevation::Unavailable;
    } else if (trim(r->stdout_text) == "0") {
        e = Elevation::None;
    } else {
        TargetCommand sudo;
        sudo.argv = {"sudo", "-n", "true"};
        sudo.timeout = cmd.timeout;
        auto sr = co_await s.transport->run(sudo, cancel);
        e = (sr && sr->exit_code == 0) ? Elevation::Sudo : Elevation::Unavailable;
    }
    s.elevation = e;
    co_return e;
}

Value process_value(const ProcessResult& r, const std::string& executor,
                    const std::string& command) {
    Value v = Value::object();
    v.set_key("executor", Value(executor));
    v.set_key("command", Value(command));
    v.set_key("start", Value(format_iso8601(r.start_ns)));
    v.set_key("end", Value(format_iso8601(r.end_ns)));
    if (!r.target_pid.empty()) v.set_key("executor_pid", Value(r.target_pid));
    v.set_key("exit_code", Value(r.exit_code));
    v.set_key("timed_out", Value(r.timed_out));
    v.set_key("interrupted", Value(r.cancelled));
    v.set_key("stdout", Value(clip(r.stdout_text)));
    v.set_key("stderr", Value(clip(r.stderr_text)));
    return v;
}

// Atomic Red Team joins the prerequisite lines of non-PowerShell executors with &&, so one
// failing check fails the whole prerequisite.
std::string prereq_script(const std::string& executor, const std::string& text) {
    if (executor == "powershell") return text;
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (trim(line).empty()) continue;
        if (!out.empty()) out += executor == "command_prompt" ? " && " : " && ";
        out += trim(line);
    }
    return out;
}

struct StepResult {
    std::optional<ProcessResult> process;
    std::string error;  // could not run at all (transport, executor)
};

Task<StepResult> run_step(TargetSession& s, const std::string& executor, const std::string& script,
                          bool elevation_required, Elevation elevation, Millis timeout,
                          int cancel_level, const CancelToken& cancel) {
    StepResult out;
    auto inv =
        build_invocation(executor, script, s.config->platform, elevation_required, elevation);
    if (!inv) {
        out.error = inv.error().message;
        co_return out;
    }
    TargetCommand cmd;
    cmd.argv = std::move(inv->argv);
    cmd.timeout = timeout;
    cmd.cancel_level = cancel_level;
    auto r = co_await s.transport->run(cmd, cancel);
    if (!r) {
        out.error = r.error().message;
        co_return out;
    }
    out.process = std::move(*r);
    co_return out;
}

std::string safe_name(std::string s) {
    for (char& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            c = '_';
    return s.empty() ? "_" : s;
}

// Where a source's fetched telemetry is kept for a scenario.
std::string fetched_path(const std::string& telemetry_dir, const LiveSource& src) {
    return telemetry_dir + "/" + safe_name(src.config().name) + src.file_extension();
}

std::vector<CollectedFile> collected_files(const std::vector<std::unique_ptr<LiveSource>>& sources,
                                           const std::string& telemetry_dir,
                                           const std::set<std::string>& collected) {
    std::vector<CollectedFile> out;
    for (const auto& src : sources)
        if (collected.count(src->config().name))
            out.push_back(
                {src->config().name, src->collector(), fetched_path(telemetry_dir, *src)});
    return out;
}

// Seconds with millisecond resolution, for results and progress lines.
double seconds_since(std::chrono::steady_clock::time_point t0) {
    auto ms = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(ms) / 1000.0;
}

std::string number_text(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

// Retries the readiness command (a qemu target's default: `true`, sshd answering) until it
// exits 0 or `within` has passed. Each try is bounded by what is left, so a guest that never
// answers is reported within the readiness timeout (plus at most one connect timeout).
Task<Expected<void>> wait_ready(TargetSession& s, Millis within, const CancelToken& cancel) {
    const TargetConfig& t = *s.config;
    const std::string command = t.readiness.empty() ? "true" : t.readiness;
    const auto deadline = std::chrono::steady_clock::now() + within;
    std::string last = "not tried";
    for (;;) {
        if (cancel.at_least(1)) co_return make_error("interrupted while waiting for the target");
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        Millis attempt =
            std::max(Millis(1000), std::min(left - t.timeouts.connect, t.timeouts.connect));
        auto step = co_await run_step(s, t.platform == Platform::Windows ? "powershell" : "sh",
                                      command, false, Elevation::None, attempt, 1, cancel);
        if (step.process && step.process->ok()) co_return Expected<void>{};
        last = !step.error.empty()       ? step.error
               : step.process->timed_out ? "no answer within " + seconds_text(attempt)
                                         : "exit code " + std::to_string(step.process->exit_code);
        left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
        // A reverted VM answers within a second or two: poll it closely.
        co_await sleep_for(std::clamp(left, Millis(0), Millis(s.vm ? 250 : 2000)), cancel, 1);
    }
    co_return make_error("target not ready after " + seconds_text(within) + ": " +
                         first_line(last));
}

// The VM side of a revert: start it (from the snapshot, or cold and then make the snapshot
// once it is ready) or load the snapshot into the running VM. Returns the outcome.
Task<Expected<std::string>> revert_vm(RunContext& ctx, TargetSession& s, const std::string& tag,
                                      const CancelToken& cancel) {
    QemuVm& vm = *s.vm;
    // The ssh master connection belongs to the guest state about to be replaced or saved.
    co_await s.transport->close();
    if (vm.running()) {
        auto loaded = co_await vm.load_snapshot();
        if (!loaded) co_return loaded.error();
        co_return std::string("reverted");
    }
    ctx.progress(tag + ": starting the VM (" + vm.accel() + ", state in " + vm.state_dir() + ")");
    auto cold = co_await vm.start(cancel);
    if (!cold) co_return cold.error();
    if (!*cold) co_return std::string("started_from_snapshot");
    ctx.progress(tag + ": booting; snapshot '" + vm.config().snapshot +
                 "' is made once it is ready");
    auto ready = co_await wait_ready(s, s.config->timeouts.readiness, cancel);
    if (!ready)
        co_return make_error("the guest did not become ready: " + ready.error().message +
                             " (serial console: " + vm.state_dir() + "/console.log)");
    co_await s.transport->close();
    auto saved = co_await vm.save_snapshot();
    if (!saved) co_return saved.error();
    co_return std::string("snapshot_created");
}

struct Restored {
    Value record;  // results.json "revert": snapshot, outcome, seconds, readiness_seconds
    std::string error;
};

// Takes the target back to its clean state before a scenario and waits until it answers:
// the qemu driver's snapshot or the lab's `revert:` template, then readiness. A target
// without either only waits for its readiness command (if any); its record is null.
Task<Restored> restore_target(RunContext& ctx, TargetSession& s, const std::string& tag,
                              const CancelToken& cancel) {
    const TargetConfig& t = *s.config;
    Restored out;
    if (!s.vm && t.revert.empty()) {
        if (!t.readiness.empty())
            if (auto ready = co_await wait_ready(s, t.timeouts.readiness, cancel); !ready)
                out.error = ready.error().message;
        co_return out;
    }
    out.record = Value::object();
    out.record.set_key("started", Value(format_iso8601(now_ns())));
    auto t0 = std::chrono::steady_clock::now();
    Expected<std::string> outcome = std::string("reverted");
    if (s.vm) {
        out.record.set_key("snapshot", Value(s.vm->config().snapshot));
        outcome = co_await revert_vm(ctx, s, tag, cancel);
    } else {
        std::string shown;
        for (const auto& a : t.revert) shown += (shown.empty() ? "" : " ") + a;
        out.record.set_key("snapshot", Value(shown));
        auto argv = expand_command_template(t.revert, {}, t.platform, t.command.vm);
        if (!argv) {
            outcome = argv.error();
        } else {
            ProcessRequest req;
            req.argv = *argv;
            req.timeout = t.timeouts.readiness;
            req.cancel = &cancel;
            auto r = co_await async_run_process(std::move(req));
            if (!r)
                outcome = r.error();
            else if (!r->ok())
                outcome = make_error("exit code " + std::to_string(r->exit_code) + " " +
                                     first_line(r->stderr_text));
        }
    }
    out.record.set_key("seconds", Value(seconds_since(t0)));
    // A reverted machine is probed and provisioned again.
    s.elevation.reset();
    s.audit.forget();
    if (!outcome) {
        out.record.set_key("outcome", Value("failed"));
        out.record.set_key("error", Value(outcome.error().message));
        out.error = "snapshot revert failed: " + outcome.error().message;
        co_return out;
    }
    out.record.set_key("outcome", Value(*outcome));
    auto t1 = std::chrono::steady_clock::now();
    auto ready = co_await wait_ready(s, t.timeouts.readiness, cancel);
    out.record.set_key("readiness_seconds", Value(seconds_since(t1)));
    if (!ready) out.error = ready.error().message;
    ctx.progress(tag + ": " + *outcome + " ('" + out.record.get("snapshot")->as_string() +
                 "') in " + number_text(out.record.get("seconds")->as_number()) +
                 " s, ready after " + number_text(seconds_since(t1)) + " s");
    co_return out;
}

// A revert brings back the guest clock of the snapshot: set it from this machine's before
// anything runs (every telemetry window depends on it) and record the skew corrected.
Task<Value> set_guest_clock(TargetSession& s, Elevation elevation, const CancelToken& cancel) {
    Value v = Value::object();
    std::int64_t before = now_ns();
    auto read =
        co_await run_step(s, "sh", "date -u +%s.%N", false, elevation, Millis(15000), 1, cancel);
    std::int64_t after = now_ns();
    if (read.process && read.process->ok()) {
        try {
            double guest = std::stod(read.process->stdout_text);
            v.set_key("skew_seconds", Value(guest - static_cast<double>(before + after) / 2e9));
        } catch (...) {
        }
    }
    // The command arrives about half a round trip after it leaves.
    std::int64_t at = now_ns() + (after - before) / 2;
    char stamp[48];
    std::snprintf(stamp, sizeof stamp, "@%lld.%09lld", static_cast<long long>(at / 1000000000),
                  static_cast<long long>(at % 1000000000));
    auto set = co_await run_step(s, "sh", std::string("date -u -s ") + stamp + " >/dev/null", true,
                                 elevation, Millis(15000), 1, cancel);
    v.set_key("set", Value(set.process && set.process->ok()));
    if (!set.process || !set.process->ok())
        v.set_key("error", Value(set.process ? first_line(set.process->stderr_text) : set.error));
    co_return v;
}

// Provisions the target's auditd as the lab says (start it, load the rules), once per clean
// state. Returns why the source cannot be collected, or empty.
Task<std::string> provision_sensors(RunContext& ctx, TargetSession& s, Elevation elevation,
                                    const std::string& tag, const CancelToken& cancel) {
    const SourceConfig* cfg = s.config->source("auditd");
    if (cfg == nullptr || (cfg->rules.empty() && !cfg->start) || s.audit.applied()) co_return "";
    std::vector<AuditRule> rules;
    std::string path;
    if (!cfg->rules.empty()) {
        path = cfg->rules == "pack" ? ctx.m_pack.root + "/lab/auditd.rules"
               : std::filesystem::path(cfg->rules).is_absolute() ? cfg->rules
                                                                 : ctx.m_lab.dir + "/" + cfg->rules;
        auto read = read_audit_rules(path);
        if (!read) co_return "audit rules: " + read.error().message;
        rules = std::move(*read);
    }
    auto applied = co_await s.audit.apply(*s.transport, rules, cfg->start, elevation, cancel);
    if (!applied) co_return applied.error().message;
    ctx.progress(tag + ": auditd: loaded " + std::to_string(s.audit.added().size()) + " of " +
                     std::to_string(rules.size()) + " rule(s) from " + path +
                     (s.audit.started_pid().empty()
                          ? ""
                          : ", started auditd (pid " + s.audit.started_pid() + ")"),
                 true);
    if (auto note = s.audit.stale_note(); !note.empty()) ctx.progress(tag + ": auditd: " + note);
    co_return "";
}

// What the SIEM watch of a scenario needs from the run (harness/siem_watch.h).
SiemWatch siem_watch(RunContext& ctx, const TargetConfig& target, const ex::RunFacts& facts,
                     const std::string& tag) {
    SiemWatch w;
    w.config = ctx.m_lab.siem_elastic ? &*ctx.m_lab.siem_elastic : nullptr;
    w.host = target.host.empty() ? target.name : target.host;
    w.start_ns = facts.start_ns.value_or(0);
    w.end_ns = facts.end_ns.value_or(w.start_ns);
    w.cleanup_start_ns = facts.cleanup_start_ns;
    w.progress = [&ctx, tag](const std::string& line) { ctx.progress(tag + ": " + line); };
    return w;
}

struct Prerequisites {
    Value records = Value::array();  // results.json "prerequisites"
    std::string unmet;               // the first unmet one (and why it could not be checked)
    bool check_failed = false;       // a check could not run at all (transport, executor)
};

// The test's prerequisite checks; with `get`, an unmet one is fetched (get_prereq_command)
// and checked again. Shared by the run and `--check-prereqs`.
Task<Prerequisites> check_prerequisites(RunContext& ctx, TargetSession& s,
                                        const sc::AtomicTest& test,
                                        const sc::ResolvedTest& resolved, Elevation elevation,
                                        const std::string& tag, bool get) {
    const CancelToken& cancel = ctx.m_cancel;
    const Millis timeout = s.config->timeouts.prerequisites;
    const std::string dep_executor =
        test.dependency_executor_name.empty() ? test.executor.name : test.dependency_executor_name;
    const bool elevate = test.executor.elevation_required;
    Prerequisites out;
    for (const auto& dep : resolved.dependencies) {
        if (cancel.at_least(1)) break;
        Value p = Value::object();
        p.set_key("description", Value(dep.description));
        const std::string check_script = prereq_script(dep_executor, dep.prereq_command);
        auto step = co_await run_step(s, dep_executor, check_script, elevate, elevation, timeout, 1,
                                      cancel);
        bool met = step.process && step.process->ok();
        bool fetched = false;
        if (!met && step.error.empty() && get && !dep.get_prereq_command.empty()) {
            ctx.progress(tag + ": getting prerequisite: " + first_line(dep.description));
            auto fetch = co_await run_step(s, dep_executor, dep.get_prereq_command, elevate,
                                           elevation, timeout, 1, cancel);
            fetched = true;
            p.set_key("get_exit_code", Value(fetch.process ? fetch.process->exit_code : -1));
            step = co_await run_step(s, dep_executor, check_script, elevate, elevation, timeout, 1,
                                     cancel);
            met = step.process && step.process->ok();
        }
        p.set_key("met", Value(met));
        p.set_key("fetched", Value(fetched));
        p.set_key(
            "output",
            Value(step.process ? clip(step.process->stdout_text + step.process->stderr_text, 4096)
                               : step.error));
        out.records.push_back(std::move(p));
        out.check_failed = out.check_failed || !step.error.empty();
        if (!met && out.unmet.empty())
            out.unmet = dep.description + (step.error.empty() ? "" : " (" + step.error + ")");
    }
    co_return out;
}

// Runs the test's cleanup command and records the outcome in `cleanup` (results.json
// "cleanup"). Shared by the run and `--cleanup`.
Task<void> run_cleanup(RunContext& ctx, TargetSession& s, const sc::AtomicTest& test,
                       const sc::ResolvedTest& resolved, Elevation elevation,
                       const std::string& tag, Value& cleanup) {
    ctx.progress(tag + ": cleanup", true);
    auto step = co_await run_step(s, test.executor.name, resolved.cleanup_command,
                                  test.executor.elevation_required, elevation,
                                  s.config->timeouts.cleanup, 2, ctx.m_cancel);
    cleanup.set_key("ran", Value(true));
    if (step.process) {
        cleanup.set_key("succeeded", Value(step.process->ok()));
        cleanup.set_key("exit_code", Value(step.process->exit_code));
        cleanup.set_key("timed_out", Value(step.process->timed_out));
        cleanup.set_key("output",
                        Value(clip(step.process->stdout_text + step.process->stderr_text, 4096)));
    } else {
        cleanup.set_key("succeeded", Value(false));
        cleanup.set_key("output", Value(step.error));
    }
    if (!step.process || !step.process->ok())
        ctx.progress(
            tag + ": cleanup failed: " +
            (step.process ? "exit code " + std::to_string(step.process->exit_code) : step.error));
}

// The pack's `success` check: the test's arguments substituted, run with the test's
// elevation. Its record (results.json "success") feeds the attack step beside the verdict.
Task<Value> run_success_check(RunContext& ctx, TargetSession& s, const sc::AtomicTest& test,
                              const ex::ScenarioChecks& checks, const sc::ResolvedTest& resolved,
                              Elevation elevation, const std::string& tag) {
    const std::string executor =
        checks.success_executor.empty() ? test.executor.name : checks.success_executor;
    const std::string command = sc::substitute_arguments(checks.success_command, resolved.arguments,
                                                         ctx.m_pack.atomics_folder);
    auto step = co_await run_step(s, executor, command, test.executor.elevation_required, elevation,
                                  s.config->timeouts.prerequisites, 1, ctx.m_cancel);
    const bool passed = step.process && step.process->ok();
    const std::string reason = !step.process ? step.error
                               : step.process->timed_out
                                   ? "timed out"
                                   : "exit code " + std::to_string(step.process->exit_code);
    Value v = Value::object();
    v.set_key("command", Value(command));
    v.set_key("executor", Value(executor));
    v.set_key("passed", Value(passed));
    v.set_key("reason", Value(reason));
    if (step.process) {
        v.set_key("exit_code", Value(step.process->exit_code));
        v.set_key("output",
                  Value(clip(step.process->stdout_text + step.process->stderr_text, 4096)));
    }
    ctx.progress(tag + ": success check " + (passed ? "passed" : "failed") + " (" + reason + ")",
                 true);
    co_return v;
}

// The baseline expectations of the test (scenarios/baseline.h) for the target's process
// sensors; those of a sensor that failed preflight are not_collected with its error.
void add_baseline(ex::ScenarioChecks& checks, ex::RunFacts& facts, const sc::AtomicTest& test,
                  const std::string& command, const TargetConfig& target,
                  const std::vector<std::unique_ptr<LiveSource>>& sources,
                  const std::map<std::string, std::string>& source_errors) {
    sc::add_baseline(checks, test.executor.name, command,
                     baseline_sensors(target.sources, sources));
    for (const auto& spec : checks.expectations)
        if (auto dead = source_errors.find(spec.source);
            spec.baseline && dead != source_errors.end())
            facts.not_logged[spec.id] = dead->second;
}

// One scenario on one target, the whole lifecycle, as coroutines on the run's io_context:
// every wait (processes, polling, readiness) suspends it and lets the other targets run. The
// steps run in order and share the scenario's state; a step that fails records the reason
// (`fail`) and the scenario's result is composed from what was gathered so far.
class ScenarioRun {
public:
    ScenarioRun(RunContext& ctx, TargetSession& s, const sc::AtomicTest& test)
        : ctx(ctx),
          s(s),
          test(test),
          target(*s.config),
          cancel(ctx.m_cancel),
          tag("[" + target.name + "] " + test.name),
          checks(ctx.m_pack.checks_for(test)) {
        cleanup.set_key("ran", Value(false));
    }

    Task<Value> run() {
        // One co_await per statement: GCC 12 miscompiles awaits inside && and ?: (see
        // target_worker).
        bool ready = co_await prepare();
        if (ready) ready = co_await prerequisites_met();
        if (ready) {
            auto invocation =
                build_invocation(test.executor.name, resolved->command, target.platform,
                                 test.executor.elevation_required, elevation);
            if (!invocation) {
                fail(invocation.error().message);
            } else {
                co_await mark_sources();
                co_await execute(*invocation);
                if (!sources.empty() && !transport_lost) co_await collect();
                co_await close_window_and_clean_up();
            }
        }
        // The final evaluation reads every fetched file: off the io thread.
        co_return co_await offload(blocking_pool(), [this] { return compose(); });
    }

private:
    // The first error is the verdict's reason, which the verdict line prints: only later
    // ones are printed here (printing both showed "prerequisites unmet" twice).
    void fail(const std::string& reason) {
        if (facts.preset_verdict.empty()) {
            facts.preset_verdict = "error";
            facts.preset_reason = reason;
            return;
        }
        ctx.progress(tag + ": error: " + reason);
    }

    // Arguments, snapshot revert, readiness, guest clock, sensors and the live sources'
    // preflight. False: the scenario cannot go on (the reason is recorded).
    Task<bool> prepare() {
        auto res = sc::resolve_test(test, ctx.m_options.arguments, ctx.m_pack.atomics_folder);
        if (!res) {
            fail("arguments: " + res.error().message);
            co_return false;
        }
        resolved = std::move(*res);
        facts.arguments = resolved->arguments;
        for (const auto& [name, value] : facts.arguments)
            if (ex::is_secret_argument(checks, name)) ctx.m_masker.add(value);
        ctx.progress(tag + ": start");

        // Snapshot revert (the qemu driver's or the lab's template), then wait for the machine.
        auto restored = co_await restore_target(ctx, s, tag, cancel);
        revert = restored.record;
        // From here on, the time waited on the target is counted apart from attest's own.
        (void)s.transport->take_busy_seconds();
        if (!restored.error.empty()) {
            fail(restored.error);
            co_return false;
        }
        auto probed = co_await probe_target(s, cancel);
        if (!probed) {
            fail("target unreachable: " + probed.error().message);
            co_return false;
        }
        elevation = *probed;
        if (!revert.is_null() && target.platform != Platform::Windows) co_await set_clock();
        if (auto why = co_await provision_sensors(ctx, s, elevation, tag, cancel); !why.empty())
            source_errors["auditd"] = why;
        co_await preflight();
        co_return true;
    }

    Task<void> set_clock() {
        revert.set_key("clock", co_await set_guest_clock(s, elevation, cancel));
        if (const Value* skew = revert.find("clock.skew_seconds"); skew && skew->is_number())
            ctx.progress(
                tag + ": guest clock set (skew was " + number_text(skew->as_double()) + " s)",
                true);
    }

    // A dead source makes its expectations not_collected, not failed.
    Task<void> preflight() {
        for (const auto& cfg : target.sources) {
            if (source_errors.count(cfg.name)) continue;  // provisioning failed
            auto src = make_live_source(cfg, target.platform, elevation == Elevation::Sudo);
            if (!src) {
                source_errors[cfg.name] = src.error().message;
                continue;
            }
            auto ok = co_await (*src)->preflight(*s.transport, cancel);
            if (!ok) {
                source_errors[cfg.name] = ok.error().message;
                ctx.progress(tag + ": source " + cfg.name +
                             " not collected: " + ok.error().message);
                continue;
            }
            sources.push_back(std::move(*src));
        }
        add_baseline(checks, facts, test, resolved->command, target, sources, source_errors);
        // What the sensors are configured to log, as preflight found them.
        for (const auto& spec : checks.expectations)
            for (const auto& src : sources)
                if (src->config().name == spec.source)
                    if (auto why = src->not_logged(spec); !why.empty())
                        facts.not_logged[spec.id] = why;
    }

    // Check, get (--get-prereqs), check again.
    Task<bool> prerequisites_met() {
        auto prereqs = co_await check_prerequisites(ctx, s, test, *resolved, elevation, tag,
                                                    ctx.m_options.get_prereqs);
        prerequisites = std::move(prereqs.records);
        if (cancel.at_least(1)) {
            fail("interrupted before execution");
            co_return false;
        }
        if (!prereqs.unmet.empty()) {
            fail("prerequisites unmet: " + first_line(prereqs.unmet) +
                 (ctx.m_options.get_prereqs ? "" : " (--get-prereqs fetches them)"));
            co_return false;
        }
        co_return true;
    }

    // Each source notes where its telemetry stands before the test runs.
    Task<void> mark_sources() {
        for (auto it = sources.begin(); it != sources.end();) {
            auto ok = co_await (*it)->mark(*s.transport, cancel);
            if (!ok) {
                source_errors[(*it)->config().name] = ok.error().message;
                it = sources.erase(it);
            } else {
                ++it;
            }
        }
    }

    Task<void> execute(const Invocation& invocation) {
        ctx.progress(tag + ": executing (" + test.executor.name + ")");
        TargetCommand cmd;
        cmd.argv = invocation.argv;
        cmd.timeout = target.timeouts.execution;
        cmd.cancel_level = 1;
        auto exec = co_await s.transport->run(cmd, cancel);
        executed = true;
        if (!exec) {
            transport_lost = true;
            Value e = Value::object();
            e.set_key("executor", Value(test.executor.name));
            e.set_key("command", Value(resolved->command));
            e.set_key("error", Value(exec.error().message));
            execution = std::move(e);
            fail("transport failed during execution: " + exec.error().message);
            co_return;
        }
        execution = process_value(*exec, test.executor.name, resolved->command);
        facts.start_ns = exec->start_ns;
        facts.end_ns = exec->end_ns;
        if (!exec->target_pid.empty()) facts.anchor = ex::ProcessAnchor{exec->target_pid, {}};
        // ssh exits 255 both for a command that did and for a connection that died under it
        // (sshd killed, guest gone): a target that no longer answers tells them apart.
        if (exec->exit_code == 255 && target.transport == "ssh" && !exec->timed_out &&
            !exec->cancelled) {
            co_await s.transport->close();
            auto alive = co_await run_step(s, "sh", "true", false, Elevation::None,
                                           target.timeouts.connect, 1, cancel);
            transport_lost = !alive.process || !alive.process->ok();
        }
        judge_execution(*exec);
    }

    void judge_execution(const ProcessResult& exec) {
        if (transport_lost)
            fail("connection to the target lost during execution (ssh exit code 255): " +
                 first_line(exec.stderr_text));
        else if (exec.timed_out)
            fail("execution timed out after " + seconds_text(target.timeouts.execution) +
                 " (process tree killed)");
        else if (exec.cancelled)
            fail("interrupted during execution (process tree killed)");
        else if (exec.exit_code != 0)
            fail("command exited with code " + std::to_string(exec.exit_code) +
                 (trim(exec.stderr_text).empty() ? "" : ": " + first_line(exec.stderr_text)));
        else
            ctx.progress(tag + ": executed, exit code 0", true);
    }

    // Poll until every required expectation is observed or the deadline.
    Task<void> collect() {
        std::string base = ctx.m_options.record_dir.empty() ? ctx.m_journal->dir() + "/.telemetry"
                                                            : ctx.m_options.record_dir;
        telemetry_dir = base + "/" + safe_name(target.name) + "/" +
                        safe_name(test.guid.empty() ? test.name : test.guid);
        std::filesystem::create_directories(telemetry_dir);
        auto deadline =
            std::chrono::steady_clock::now() + collection_wait() + target.timeouts.collection;
        bool polling = facts.preset_verdict.empty();
        ctx.progress(tag + ": collecting", true);
        while (true) {
            co_await fetch_all();
            facts.collected = collected;
            if (!polling || cancel.at_least(1)) break;
            bool done = co_await offload(blocking_pool(), [this] { return all_observed(); });
            if (done || std::chrono::steady_clock::now() >= deadline) break;
            co_await sleep_for(ctx.m_options.poll_interval, cancel, 1);
        }
        // Lagging sources (O365 audit) are pending until their latency has passed.
        for (const auto& src : sources) {
            const auto* info = telemetry::find_source(src->config().name);
            if (info && info->lagging && facts.end_ns &&
                now_ns() < *facts.end_ns + std::chrono::nanoseconds(src->config().latency).count())
                facts.pending.insert(src->config().name);
        }
    }

    // The longest latency among the sources that do not lag (lagging ones end up pending).
    Millis collection_wait() const {
        Millis wait{0};
        for (const auto& src : sources) {
            const auto* info = telemetry::find_source(src->config().name);
            if (!info || !info->lagging) wait = std::max(wait, src->config().latency);
        }
        return wait;
    }

    // One poll of every source; only what a fetch appended is read (the poll is incremental).
    Task<void> fetch_all() {
        telemetry_files.clear();
        for (const auto& src : sources) {
            std::string dest = fetched_path(telemetry_dir, *src);
            auto ok = co_await src->fetch(*s.transport, dest, cancel);
            if (ok) {
                DiagnosticSink sink;
                ok = tail.poll(dest, src->collector(),
                               src->appends() ? telemetry::Tail::Growth::Appends
                                              : telemetry::Tail::Growth::Rewritten,
                               sink);
            }
            if (ok) {
                collected.insert(src->config().name);
                source_errors.erase(src->config().name);
                telemetry_files.push_back(dest);
            } else {
                source_errors[src->config().name] = ok.error().message;
            }
        }
    }

    // Every required expectation observed and every evaluated detection as expected.
    bool all_observed() const {
        DiagnosticSink sink;
        auto r = evaluate_scenario(checks, facts, tail.inputs(), sink);
        for (const auto& e : r.expectations)
            if (e.spec.required && e.verdict == ex::ExpectationVerdict::Missing) return false;
        for (const auto& d : r.detections)
            if (!d.passed && ex::was_evaluated(d.verdict)) return false;
        return true;
    }

    // The telemetry window closes before cleanup: cleanup signals never count. Then the
    // success check, the cleanup (always, also after errors and timeouts and after the first
    // signal) and the SIEM's alerts.
    Task<void> close_window_and_clean_up() {
        facts.collected = collected;
        facts.cleanup_start_ns = now_ns();
        window_closed = true;
        // After the window closed (its commands are no attack telemetry), before cleanup
        // undoes what it looks at.
        if (!checks.success_command.empty() && executed && !transport_lost && !cancel.at_least(1))
            success = co_await run_success_check(ctx, s, test, checks, *resolved, elevation, tag);
        co_await clean_up();
        // Shipped before the SIEM is asked (its rules must see the documents); never fails
        // the run.
        if (ctx.m_lab.ship_elastic && !collected.empty())
            shipped = co_await ship_collected(*ctx.m_lab.ship_elastic,
                                              collected_files(sources, telemetry_dir, collected));
        // The SIEM's alerts are awaited after cleanup: the target is not left dirty meanwhile.
        if (executed && facts.start_ns)
            facts.siem = co_await watch_siem(checks, siem_watch(ctx, target, facts, tag), cancel);
    }

    // A target whose connection died mid-test cannot run the cleanup: its snapshot revert
    // undoes the test.
    Task<void> clean_up() {
        if (transport_lost && (s.vm || !target.revert.empty()) && !cancel.at_least(2)) {
            ctx.progress(tag + ": connection lost: reverting the snapshot instead of cleanup");
            auto undo = co_await restore_target(ctx, s, tag, cancel);
            cleanup.set_key("replaced_by_revert", Value(true));
            cleanup.set_key("revert", undo.record);
            cleanup.set_key("reason",
                            Value("the connection to the target was lost during execution; "
                                  "the snapshot revert replaces the cleanup"));
            if (!undo.error.empty()) ctx.progress(tag + ": " + undo.error);
        } else if (!resolved->cleanup_command.empty() && !cancel.at_least(2)) {
            co_await run_cleanup(ctx, s, test, *resolved, elevation, tag, cleanup);
        } else if (resolved->cleanup_command.empty()) {
            cleanup.set_key("reason", Value("the test has no cleanup command"));
        } else {
            cleanup.set_key("reason", Value("aborted by a second signal"));
        }
    }

    Value compose() {
        DiagnosticSink sink;
        ex::ScenarioResult r = evaluate_scenario(checks, facts, tail.inputs(), sink);
        Value v = ex::scenario_to_json(r);
        v.set_key("target", Value(target.name));
        v.set_key("platform", Value(platform_name(target.platform)));
        v.set_key("prerequisites", prerequisites);
        v.set_key("execution", execution);
        v.set_key("cleanup", cleanup);
        if (!revert.is_null()) v.set_key("revert", revert);
        if (!success.is_null()) v.set_key("success", success);
        Value timing = Value::object();
        timing.set_key("transport_seconds", Value(s.transport->take_busy_seconds()));
        v.set_key("timing", std::move(timing));
        v.set_key("window_closed_before_cleanup", Value(window_closed || !executed));
        v.set_key("collection", collection_value());
        return v;
    }

    Value collection_value() const {
        Value collection = Value::object();
        collection.set_key("collected", strings_value(collected));
        Value errors = Value::object();
        for (const auto& [name, why] : source_errors) errors.set_key(name, Value(why));
        collection.set_key("not_collected", std::move(errors));
        collection.set_key("pending", strings_value(facts.pending));
        Value files = Value::array();
        if (!ctx.m_options.record_dir.empty())
            for (const auto& f : telemetry_files) files.push_back(Value(f));
        collection.set_key("telemetry", std::move(files));
        if (facts.cleanup_start_ns)
            collection.set_key("cleanup_start", Value(format_iso8601(*facts.cleanup_start_ns)));
        if (!shipped.is_null()) collection.set_key("shipped", shipped);
        return collection;
    }

    RunContext& ctx;
    TargetSession& s;
    const sc::AtomicTest& test;
    const TargetConfig& target;
    const CancelToken& cancel;
    const std::string tag;
    ex::ScenarioChecks checks;
    ex::RunFacts facts;
    Value prerequisites = Value::array();
    Value execution;
    Value cleanup = Value::object();
    Value revert;   // null: the target has no snapshot revert
    Value success;  // null: the pack declares no success check, or it did not run
    Value shipped;  // null: the lab ships nothing, or nothing was collected
    bool executed = false;
    bool transport_lost = false;
    bool window_closed = false;
    std::set<std::string> collected;
    std::map<std::string, std::string> source_errors;
    std::vector<std::string> telemetry_files;
    telemetry::Tail tail;  // what the polls read so far, per source file
    std::string telemetry_dir;
    Elevation elevation = Elevation::Unavailable;
    std::optional<sc::ResolvedTest> resolved;
    std::vector<std::unique_ptr<LiveSource>> sources;
};

// nullopt: not started (interrupted).
Task<std::optional<Value>> run_one(RunContext& ctx, TargetSession& s, const sc::AtomicTest& test) {
    if (ctx.m_cancel.at_least(1)) co_return std::nullopt;
    ScenarioRun scenario(ctx, s, test);
    Value v = co_await scenario.run();
    co_return v;
}

Value skipped_value(RunContext& ctx, const sc::AtomicTest& test, const std::string& reason,
                    const std::string& target_name) {
    ex::ScenarioChecks checks = ctx.m_pack.checks_for(test);
    ex::RunFacts facts;
    facts.preset_verdict = "skipped";
    facts.preset_reason = reason;
    auto resolved = sc::resolve_test(test, ctx.m_options.arguments, ctx.m_pack.atomics_folder);
    if (resolved) facts.arguments = resolved->arguments;
    DiagnosticSink sink;
    Value v = ex::scenario_to_json(evaluate_scenario(checks, facts, {}, sink));
    if (!target_name.empty()) v.set_key("target", Value(target_name));
    return v;
}

// A record of the report-only modes (--check-prereqs, --cleanup) for one test and target.
Value mode_record(const sc::AtomicTest& test, const std::string& target, const std::string& outcome,
                  const std::string& reason) {
    Value v = Value::object();
    v.set_key("guid", Value(test.guid));
    v.set_key("test", Value(test_label(test)));
    v.set_key("target", Value(target));
    v.set_key("outcome", Value(outcome));
    v.set_key("reason", Value(reason));
    return v;
}

// `--check-prereqs` / `--cleanup` on one test and target. The target is brought up as for a
// run (a stopped VM starts from its snapshot) but never reverted: a revert would undo what
// --cleanup is there to clean. Then only the prerequisite checks, or only the cleanup.
Task<std::optional<Value>> run_mode_one(RunContext& ctx, TargetSession& s,
                                        const sc::AtomicTest& test) {
    const CancelToken& cancel = ctx.m_cancel;
    if (cancel.at_least(1)) co_return std::nullopt;
    const std::string tag = "[" + s.config->name + "] " + test.name;
    auto resolved = sc::resolve_test(test, ctx.m_options.arguments, ctx.m_pack.atomics_folder);
    if (!resolved)
        co_return mode_record(test, s.config->name, "error",
                              "arguments: " + resolved.error().message);
    if (s.vm ? !s.vm->running() : s.config->revert.empty()) {
        auto restored = co_await restore_target(ctx, s, tag, cancel);
        if (!restored.error.empty())
            co_return mode_record(test, s.config->name, "error", restored.error);
    }
    auto elevation = co_await probe_target(s, cancel);
    if (!elevation)
        co_return mode_record(test, s.config->name, "error",
                              "target unreachable: " + elevation.error().message);
    if (ctx.m_options.mode == Mode::CheckPrereqs) {
        auto prereqs =
            co_await check_prerequisites(ctx, s, test, *resolved, *elevation, tag, false);
        const char* outcome = prereqs.check_failed    ? "error"
                              : prereqs.unmet.empty() ? "met"
                                                      : "unmet";
        Value v = mode_record(test, s.config->name, outcome, first_line(prereqs.unmet));
        v.set_key("prerequisites", std::move(prereqs.records));
        co_return v;
    }
    if (resolved->cleanup_command.empty())
        co_return mode_record(test, s.config->name, "no_cleanup",
                              "the test has no cleanup command");
    Value cleanup = Value::object();
    co_await run_cleanup(ctx, s, test, *resolved, *elevation, tag, cleanup);
    const Value* ok = cleanup.get("succeeded");
    const Value* code = cleanup.get("exit_code");
    Value v = ok && ok->as_bool() ? mode_record(test, s.config->name, "cleaned", "")
              : code
                  ? mode_record(test, s.config->name, "failed",
                                "exit code " + std::to_string(code->as_int()))
                  : mode_record(test, s.config->name, "error", cleanup.get("output")->as_string());
    v.set_key("cleanup", std::move(cleanup));
    co_return v;
}

bool supports(const sc::AtomicTest& test, Platform p) {
    auto name = platform_name(p);
    return std::find(test.platforms.begin(), test.platforms.end(), name) != test.platforms.end();
}

// Whether the attack step itself succeeded, for the verdict line: the executor's exit status
// and the pack's success check (a passed verdict over a rejected upload reads as such).
std::string attack_step_note(const Value& scenario) {
    const Value* code = scenario.find("execution.exit_code");
    if (!code || !code->is_int()) return {};
    const Value* timed_out = scenario.find("execution.timed_out");
    const Value* success = scenario.find("success.passed");
    bool ok = code->as_int() == 0 && !(timed_out && timed_out->is_bool() && timed_out->as_bool());
    std::string detail = "exit code " + std::to_string(code->as_int());
    if (success && success->is_bool()) {
        ok = ok && success->as_bool();
        const Value* why = scenario.find("success.reason");
        detail += std::string(", success check ") + (success->as_bool() ? "passed" : "failed") +
                  (success->as_bool() || !why || !why->is_string() ? "" : ": " + why->as_string());
    }
    return std::string("attack step ") + (ok ? "succeeded" : "failed") + " (" + detail + ")";
}

// The --rules DIR rules that fired (results keep only those, as "informational").
std::string other_rules_note(const Value& scenario) {
    const Value* detections = scenario.get("detections");
    if (!detections || !detections->is_array()) return {};
    std::string names;
    for (const Value& d : detections->as_array())
        if (const Value* e = d.get("expected");
            e && e->is_string() && e->as_string() == "informational")
            if (const Value* n = d.get("name"); n && n->is_string())
                names += (names.empty() ? "" : ", ") + n->as_string();
    return names.empty() ? "" : "other rules that fired: " + names;
}

// One worker of a target: its scenarios one after another (a target with concurrency N has
// N workers pulling from its queue).
Task<void> target_worker(RunContext& ctx, TargetSession& session) {
    while (session.next < session.queue.size()) {
        const sc::AtomicTest& test = *session.queue[session.next++];
        std::optional<Value> v;
        try {
            // Two statements, not one co_await of a conditional: GCC 12 destroys the
            // temporary awaitable of `co_await (c ? f() : g())` twice.
            if (ctx.m_options.mode == Mode::Run)
                v = co_await run_one(ctx, session, test);
            else
                v = co_await run_mode_one(ctx, session, test);
        } catch (const std::exception& e) {
            // One scenario's unexpected failure must not take the run down.
            ctx.progress("[" + session.config->name + "] " + test.name +
                         ": internal error: " + e.what());
        }
        if (!v) continue;
        if (ctx.m_options.mode != Mode::Run) {
            ctx.m_mode_records.push_back(std::move(*v));
            continue;
        }
        const Value* verdict = v->get("verdict");
        const Value* reason = v->get("reason");
        std::string line = "[" + session.config->name + "] " + test.name + ": " +
                           (verdict && verdict->is_string() ? verdict->as_string() : "?");
        if (reason && reason->is_string() && !reason->as_string().empty())
            line += " (" + reason->as_string() + ")";
        if (std::string step = attack_step_note(*v); !step.empty()) line += "; " + step;
        if (std::string fired = other_rules_note(*v); !fired.empty()) line += "; " + fired;
        ctx.progress(line);
        // The journal is rewritten with fsync: off the io thread.
        co_await offload(blocking_pool(), [&] { ctx.finish(std::move(*v)); });
    }
}

// The end of a run on a target: undo the sensor provisioning (a VM that stops is not worth
// it), release connections, power the VM off unless the lab keeps it running.
Task<void> release_target(RunContext& ctx, TargetSession& s) {
    const std::string tag = "[" + s.config->name + "]";
    if (s.audit.applied() && (!s.vm || s.vm->config().keep_running)) {
        auto line = co_await s.audit.undo(*s.transport, s.elevation.value_or(Elevation::None),
                                          ctx.m_cancel);
        if (!line.empty()) ctx.progress(tag + " auditd: " + line);
    }
    co_await s.transport->close();
    if (!s.vm || !s.vm->running()) co_return;
    if (s.vm->config().keep_running) {
        ctx.progress(tag + " VM left running (pid " + std::to_string(s.vm->pid()) +
                     "; `attest lab stop` stops it)");
        co_return;
    }
    int pid = s.vm->pid();
    co_await offload(blocking_pool(), [&] { s.vm->stop(); });
    ctx.progress(tag + " VM stopped (pid " + std::to_string(pid) + ")");
}

}  // namespace

ex::ScenarioResult evaluate_scenario(const ex::ScenarioChecks& checks, const ex::RunFacts& facts,
                                     std::vector<telemetry::StreamInput> inputs,
                                     DiagnosticSink& sink) {
    ex::Evaluator ev;
    ev.add_scenario(checks, facts);
    telemetry::feed(ev, std::move(inputs), sink);
    ev.finish();
    return ev.results().front();
}

Expected<RunSummary> run_pack(const Lab& lab, const sc::Pack& pack, const RunOptions& options,
                              CancelToken& cancel) {
    RunContext ctx(lab, pack, options, cancel);
    // Selection.
    std::vector<const sc::AtomicTest*> tests;
    if (options.scenarios.empty()) {
        tests = pack.tests();
    } else {
        for (const auto& name : options.scenarios) {
            auto t = pack.select_test(name);
            if (!t) return t.error();
            tests.push_back(*t);
        }
    }
    if (tests.empty()) return make_error("the pack " + pack.root + " has no scenarios");
    std::vector<std::unique_ptr<TargetSession>> sessions;
    for (const auto& t : lab.targets) {
        if (!options.targets.empty() && std::find(options.targets.begin(), options.targets.end(),
                                                  t.name) == options.targets.end())
            continue;
        auto session = std::make_unique<TargetSession>();
        session->effective = t;
        session->config = &session->effective;
        sessions.push_back(std::move(session));
    }
    for (const auto& name : options.targets)
        if (lab.target(name) == nullptr)
            return make_error("no target '" + name + "' in " + lab.path);
    if (sessions.empty()) return make_error("no targets selected");

    // The report-only modes write no journal: their records come back in the summary.
    const bool journaled = options.mode == Mode::Run;
    if (journaled) {
        auto journal = Journal::open(options.out_dir, &ctx.m_masker);
        if (!journal) return journal.error();
        ctx.m_journal = std::move(*journal);
        ctx.progress("run " + ctx.m_run_id + ": " + std::to_string(tests.size()) +
                     " scenario(s), " + std::to_string(sessions.size()) + " target(s), lab " +
                     lab.name + ", results in " + options.out_dir);
        (void)ctx.m_journal->flush(ctx.run_object("running"));
    }
    auto skip = [&](const sc::AtomicTest& test, const std::string& why, const std::string& target) {
        if (journaled)
            ctx.finish(skipped_value(ctx, test, why, target));
        else
            ctx.m_mode_records.push_back(mode_record(test, target, "skipped", why));
    };

    // Placement: each test on every selected target whose platform it supports and whose
    // lab lets it run (harness/plan.h decides, as for --plan). A test refused by the safety
    // rails is skipped on that target with the reason; a test no target supports is recorded
    // once as skipped.
    PlanOptions placement{options.targets, options.arguments, options.allow_destructive,
                          options.exclude_risks};
    for (const auto* test : tests) {
        bool placed = false;
        std::string reasons;
        for (auto& s : sessions) {
            std::string why = placement_refusal(lab, *s->config, pack, *test, placement);
            if (why.empty()) {
                s->queue.push_back(test);
                placed = true;
            } else if (supports(*test, s->config->platform)) {
                ctx.progress("[" + s->config->name + "] " + test->name + ": skipped (" + why + ")");
                skip(*test, why, s->config->name);
                placed = true;
            } else {
                reasons += (reasons.empty() ? "" : "; ") + why;
            }
        }
        if (!placed) {
            ctx.progress("[" + sessions[0]->config->name + "] " + test->name + ": skipped (" +
                         reasons + ")");
            skip(*test, reasons, sessions.size() == 1 ? sessions[0]->config->name : "");
        }
    }

    std::size_t queued = 0;
    for (const auto& s : sessions) queued += s->queue.size();
    ctx.m_total = ctx.m_finished + queued;
    if (options.on_finished) options.on_finished(ctx.m_finished, ctx.m_total);

    for (auto& s : sessions) {
        if (s->config->qemu && !s->queue.empty()) {
            auto vm = QemuVm::prepare(s->effective, lab.dir);
            if (!vm) return vm.error();
            s->vm = std::move(*vm);
        }
        auto t = TransportRegistry::builtin().create(*s->config);
        if (!t) return t.error();
        s->transport = std::make_unique<TimedTransport>(std::move(*t));
    }

    // Everything below runs on one io_context on this thread: each scenario is a coroutine
    // whose waits (child exits, pipes, deadlines, polling) suspend it; blocking steps go to
    // blocking_pool(). `concurrency` lanes take target workers (a target's `concurrency`
    // workers pull from its queue) one at a time, as threads of a pool would.
    boost::asio::io_context io(1);
    std::vector<TargetSession*> workers;
    for (auto& s : sessions) {
        int n =
            std::max(1, std::min<int>(s->config->concurrency, static_cast<int>(s->queue.size())));
        if (s->queue.empty()) continue;
        for (int w = 0; w < n; ++w) workers.push_back(s.get());
    }
    std::size_t next_worker = 0;
    std::size_t lanes = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(1, lab.concurrency)), workers.size());

    // SIGINT/SIGTERM: the first stops attacks and collection (cleanup still runs), the
    // second aborts cleanup too. Delivered on the io_context, never inside a handler.
    std::optional<boost::asio::signal_set> signals;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    if (options.handle_signals) {
        signals.emplace(io, SIGINT, SIGTERM);
        on_signal = [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            cancel.raise();
            ctx.progress(std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") +
                         (cancel.at_least(2)
                              ? ": aborting cleanup"
                              : ": stopping; cleanup still runs (again to abort it)"));
            if (!cancel.at_least(2)) signals->async_wait(on_signal);
        };
        signals->async_wait(on_signal);
    }

    auto lane = [&]() -> Task<void> {
        while (next_worker < workers.size()) {
            TargetSession* s = workers[next_worker++];
            co_await target_worker(ctx, *s);
        }
    };
    std::size_t lanes_running = lanes;
    auto all_done = [&] {
        // Connections are released once every lane is done; then the signal wait ends.
        boost::asio::co_spawn(
            io,
            [&]() -> Task<void> {
                for (auto& s : sessions) co_await release_target(ctx, *s);
            },
            [&](std::exception_ptr) {
                if (signals) signals->cancel();
            });
    };
    for (std::size_t i = 0; i < lanes; ++i)
        boost::asio::co_spawn(io, lane, [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    ctx.progress(std::string("internal error: ") + x.what());
                }
            }
            if (--lanes_running == 0) all_done();
        });
    if (lanes == 0) all_done();
    io.run();
    if (!journaled) {
        RunSummary summary;
        summary.interrupted = cancel.at_least(1);
        summary.records = std::move(ctx.m_mode_records);
        return summary;
    }

    if (options.record_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(ctx.m_journal->dir() + "/.telemetry", ec);
    }

    RunSummary summary;
    summary.interrupted = cancel.at_least(1);
    auto fin =
        ctx.m_journal->flush(ctx.run_object(summary.interrupted ? "interrupted" : "complete"));
    if (!fin) return fin.error();
    summary.results_path = ctx.m_journal->results_path();
    for (const auto& v : ctx.m_journal->scenarios()) {
        const Value* verdict = v.get("verdict");
        std::string name = verdict && verdict->is_string() ? verdict->as_string() : "";
        if (name == "passed")
            ++summary.passed;
        else if (name == "failed")
            ++summary.failed;
        else if (name == "error")
            ++summary.error;
        else if (name == "inconclusive")
            ++summary.inconclusive;
        else if (name == "executed")
            ++summary.executed;
        else if (name == "skipped")
            ++summary.skipped;
    }
    ctx.progress("done: " + std::to_string(summary.passed) + " passed, " +
                 std::to_string(summary.failed) + " failed, " + std::to_string(summary.error) +
                 " error, " + std::to_string(summary.inconclusive) + " inconclusive, " +
                 std::to_string(summary.executed) + " executed without checks, " +
                 std::to_string(summary.skipped) + " skipped" +
                 (summary.interrupted ? " (interrupted)" : "") + "; " + summary.results_path);
    return summary;
}

}  // namespace attest::run
