// attest run: run a pack's scenarios on lab targets and check the telemetry they leave.
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>

#include "core/text.h"
#include "expectations/results.h"
#include "harness/cli.h"
#include "harness/mapping_option.h"
#include "harness/plan.h"
#include "harness/rules_option.h"
#include "harness/run_modes.h"
#include "harness/runner.h"
#include "reports/coverage.h"
#include "reports/reports.h"
#include "scenarios/atomic.h"
#include "scenarios/pack.h"
#include "scenarios/risk.h"
#include "scenarios/selection.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest run [--lab LAB.yaml] [--pack DIR] [--technique T[,T...]]... [--test "
    "N|NAME|GUID]...\n"
    "                  [--platform P] [--target NAME]... [--arg NAME=VALUE]...\n"
    "                  [--get-prereqs | --check-prereqs | --cleanup]\n"
    "                  [--timeout DURATION] [--allow-destructive] [--exclude-risks R[,R...]]\n"
    "                  [--plan] [--out DIR] [--record DIR] [--history DB] [--mapping FILE]\n"
    "                  [--rules DIR]...\n"
    "                  [--quiet | --verbose]\n\n"
    "Runs each scenario of the pack on every lab target whose platform it supports:\n"
    "snapshot revert (a qemu target's clean snapshot, or the lab's revert template) and\n"
    "readiness, the guest clock set from this machine's, sensor provisioning (the lab's audit\n"
    "rules, removed again at the end), preflight of the telemetry sources,\n"
    "prerequisites, execution (a timeout kills the whole process tree), collection until\n"
    "every required expectation is observed or the deadline, evaluation, then cleanup\n"
    "(always, also after errors, timeouts and a first Ctrl-C; a second one aborts).\n"
    "Results are journaled to OUT/results.json after every scenario; OUT/run.log has the log;\n"
    "at the end the reports are written beside them (report.html, junit.xml, navigator.json,\n"
    "attire.json).\n\n"
    "options:\n"
    "  --lab FILE        lab file (default labs/local.yaml: this machine)\n"
    "  --pack DIR        scenario pack (default scenarios/t1114)\n"
    "  --technique T     only these techniques (T1114 includes its sub-techniques; repeatable,\n"
    "                    comma-separated)\n"
    "  --test X          only this test: number (1-based in its technique file, as\n"
    "                    Invoke-AtomicTest counts), name (any case) or GUID (prefix); repeatable\n"
    "  --scenario X      the same as --test\n"
    "  --platform P      only tests for this platform (windows, linux, macos)\n"
    "  --target NAME     only this target (repeatable)\n"
    "  --arg NAME=VALUE  override an input argument (repeatable)\n"
    "  --get-prereqs     run get_prereq_command for unmet prerequisites\n"
    "  --check-prereqs   report only: run each test's prerequisite checks and print met or\n"
    "                    not met per test and target; nothing else runs, nothing is written\n"
    "                    (exit 0 all met, 1 some not met, 2 some could not be checked)\n"
    "  --cleanup         run only the cleanup commands of the selected tests (exit 0 all\n"
    "                    succeeded, 1 some failed, 2 some could not run); nothing is reverted\n"
    "  --timeout D       execution timeout per test (500ms, 30s, 5m; default from the lab)\n"
    "  --allow-destructive  run destructive tests (reboot, mass deletion, disk formatting,\n"
    "                    security tampering) on targets without a snapshot revert\n"
    "  --exclude-risks R skip tests with these risks (risk names, or destructive)\n"
    "  --plan            print what would run (substituted commands, executor, elevation,\n"
    "                    sensors, risks, skips) and execute nothing\n"
    "  --out DIR         results directory (default out/run-RUN-ID)\n"
    "  --record DIR      keep the fetched telemetry and a run-info.json for `attest check`\n"
    "  --history DB      record the run into an SQLite history (attest history; HTML trend)\n"
    "  --mapping FILE    Elasticsearch index mapping (GET index/_mapping): field types for every\n"
    "                    rule and query, in place of the pack's `mapping:` (default: ECS types)\n"
    "  --rules DIR       every rule under DIR (.eql, detection-rules .toml in EQL or KQL, Sigma\n"
    "                    .yml) evaluated over each scenario beside the pack's detections; the "
    "ones\n"
    "                    that fire are listed, never failures (repeatable)\n"
    "  --quiet           no progress lines;  --verbose  every state change\n\n"
    "exit codes: 0 nothing failed or errored (inconclusive, executed and skipped tests are\n"
    "reported, not failures), 1 some test failed or errored or the run was interrupted,\n"
    "2 usage or input error\n";

scenarios::Selection selection_of(const Options& opts) {
    scenarios::Selection s;
    s.techniques = scenarios::split_technique_list(opts.all("technique"));
    s.tests = opts.all("test");
    for (const auto& x : opts.all("scenario")) s.tests.push_back(x);
    if (auto p = opts.get("platform")) s.platforms.push_back(*p);
    return s;
}

std::vector<std::string> exclude_risks_of(const Options& opts) {
    std::vector<std::string> out;
    for (const std::string& r : scenarios::split_technique_list(opts.all("exclude-risks"))) {
        std::string name = ascii_lowercase(r);
        if (name != "destructive" && !scenarios::parse_risk(name))
            throw UsageError{"--exclude-risks: unknown risk '" + name + "' (known: destructive, " +
                             scenarios::risk_names() + ")"};
        out.push_back(name);
    }
    return out;
}

// --check-prereqs and --cleanup are Invoke-AtomicTest's report-only and cleanup-only modes;
// each excludes --get-prereqs, --plan and the other (a plan with --get-prereqs shows the fetches).
run::Mode mode_of(const Options& opts) {
    int modes = opts.has("check-prereqs") + opts.has("cleanup") +
                (opts.has("get-prereqs") || opts.has("plan"));
    if (modes > 1)
        throw UsageError{"--check-prereqs, --cleanup and --plan/--get-prereqs exclude each other"};
    return opts.has("check-prereqs") ? run::Mode::CheckPrereqs
           : opts.has("cleanup")     ? run::Mode::Cleanup
                                     : run::Mode::Run;
}

void declare_run_options(Options& opts) {
    opts.option("lab")
        .option("pack")
        .option("mapping")
        .multi("rules")
        .multi("scenario")
        .multi("test")
        .multi("technique")
        .option("platform")
        .multi("target")
        .multi("arg")
        .flag("get-prereqs")
        .flag("check-prereqs")
        .flag("cleanup")
        .option("timeout")
        .flag("allow-destructive")
        .multi("exclude-risks")
        .flag("plan")
        .option("out")
        .option("record")
        .option("history")
        .flag("quiet")
        .flag("verbose");
}

// The lab and the pack (with --mapping and --rules applied); errors are printed.
bool load_lab_and_pack(const Options& opts, std::optional<run::Lab>& lab,
                       std::optional<scenarios::Pack>& pack) {
    DiagnosticSink lab_sink(DiagnosticSink::stderr_printer());
    auto l = run::load_lab(opts.get_or("lab", "labs/local.yaml"), lab_sink);
    if (!l) {
        std::fprintf(stderr, "attest run: %s\n", l.error().message.c_str());
        return false;
    }
    lab = std::move(*l);
    scenarios::Problems problems;
    auto p = scenarios::load_pack(opts.get_or("pack", "scenarios/t1114"), problems);
    problems.attach_source_lines();
    for (const auto& pr : problems.items())
        if (pr.severity == Severity::Error) std::fprintf(stderr, "%s\n", pr.format().c_str());
    if (!p) {
        std::fprintf(stderr, "attest run: %s\n", p.error().message.c_str());
        return false;
    }
    pack = std::move(*p);
    // --mapping gives field types to every rule and query, in place of the pack's `mapping:`.
    if (opts.has("mapping") && !load_mapping_option(opts, "run", pack->mapping)) return false;
    return load_rules_option(opts, "run", *pack);
}

// What the options ask of the run, but where its results go and how it reports progress.
run::RunOptions run_options_of(const Options& opts,
                               const std::vector<const scenarios::AtomicTest*>& tests,
                               run::Lab& lab) {
    run::RunOptions options;
    for (const auto* t : tests) options.scenarios.push_back(t->guid);
    options.targets = opts.all("target");
    for (const auto& a : opts.all("arg")) {
        auto kv = scenarios::parse_argument_override(a);
        if (!kv) throw UsageError{kv.error().message};
        options.arguments[kv->first] = kv->second;
    }
    options.get_prereqs = opts.has("get-prereqs");
    options.allow_destructive = opts.has("allow-destructive");
    options.exclude_risks = exclude_risks_of(opts);
    if (auto t = opts.get("timeout")) {
        auto d = run::parse_duration(*t);
        if (!d) throw UsageError{"--timeout: " + d.error().message};
        for (auto& target : lab.targets) target.timeouts.execution = *d;
    }
    options.mode = mode_of(opts);
    options.record_dir = opts.get_or("record", "");
    options.verbosity = opts.has("quiet")     ? run::Verbosity::Quiet
                        : opts.has("verbose") ? run::Verbosity::Verbose
                                              : run::Verbosity::Normal;
    if (auto out = opts.get("out")) {
        options.out_dir = *out;
    } else {
        options.run_id = expectations::make_run_id(run::now_ns());
        options.out_dir = default_out_dir("run", options.run_id);
    }
    return options;
}

// On a terminal, one line at the bottom while the run lasts: scenarios finished, and the
// telemetry read by the collection polls and evaluations (bytes per second).
void show_progress(run::RunOptions& options, std::optional<ProgressLine>& bar) {
    if (options.mode != run::Mode::Run || options.verbosity == run::Verbosity::Quiet) return;
    bar.emplace("run", 0);
    options.progress = [&bar](const std::string& line) { bar->print(line); };
    options.on_finished = [&bar](std::size_t finished, std::size_t total) {
        bar->set_label("run: " + std::to_string(finished) + " of " + std::to_string(total) +
                       " scenario(s) finished, telemetry read");
    };
}

// The journal (results.json) is complete; renders the reports from it.
void write_run_reports(const Options& opts, const run::RunOptions& options) {
    auto results = reports::load_results(options.out_dir);
    if (!results) {
        std::fprintf(stderr, "attest run: reports: %s\n", results.error().message.c_str());
        return;
    }
    reports::ReportOptions ropts;
    for (const auto& w : reports::ReportWriterRegistry::builtin().all())
        if (w.name != "json") ropts.formats.push_back(w.name);
    if (auto h = opts.get("history")) ropts.history_db = *h;
    // The coverage summary of a run with baseline expectations (reports/coverage.h).
    if (options.verbosity != run::Verbosity::Quiet)
        std::fputs(reports::coverage_summary_text(*results).c_str(), stderr);
    auto written = reports::write_all_reports(*results, options.out_dir, ropts);
    if (!written)
        std::fprintf(stderr, "attest run: reports: %s\n", written.error().message.c_str());
}

int run_run(const std::vector<std::string>& args) {
    Options opts;
    declare_run_options(opts);
    opts.parse(args);
    if (!opts.positionals().empty())
        throw UsageError{"unexpected argument '" + opts.positionals()[0] + "'"};
    if (opts.has("quiet") && opts.has("verbose"))
        throw UsageError{"--quiet and --verbose conflict"};
    const run::Mode mode = mode_of(opts);
    std::optional<run::Lab> lab;
    std::optional<scenarios::Pack> pack;
    if (!load_lab_and_pack(opts, lab, pack)) return kExitUsage;
    auto tests = scenarios::select_tests(*pack, selection_of(opts));
    if (!tests) {
        std::fprintf(stderr, "attest run: %s\n", tests.error().message.c_str());
        return kExitUsage;
    }
    run::RunOptions options = run_options_of(opts, *tests, *lab);
    if (opts.has("plan")) {
        run::PlanOptions plan{options.targets, options.arguments, options.allow_destructive,
                              options.exclude_risks};
        std::fputs(run::render_plan(*lab, run::build_plan(*lab, *pack, *tests, plan)).c_str(),
                   stdout);
        return kExitOk;
    }
    std::optional<ProgressLine> bar;
    show_progress(options, bar);
    run::CancelToken cancel;
    options.handle_signals = true;
    auto summary = run::run_pack(*lab, *pack, options, cancel);
    if (!summary) {
        std::fprintf(stderr, "attest run: %s\n", summary.error().message.c_str());
        return kExitUsage;
    }
    bar.reset();
    if (mode != run::Mode::Run) {
        std::fputs(render_mode_report(mode, summary->records, stdout).c_str(), stdout);
        return summary->interrupted ? kExitFailed : mode_exit_code(summary->records);
    }
    write_run_reports(opts, options);
    // Inconclusive (a source not collected, a lagging one pending) and executed-without-checks
    // are reported, not failures: a nightly over stock atomics stays green unless something
    // failed or errored.
    bool all_good = summary->failed == 0 && summary->error == 0 && !summary->interrupted;
    return all_good ? kExitOk : kExitFailed;
}

}  // namespace

Command run_command() {
    return Command{"run", "run scenarios on lab targets and check their telemetry", kHelp, run_run};
}

}  // namespace attest::cli
