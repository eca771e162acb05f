// attest run: run a pack's scenarios on lab targets and check the telemetry they leave.
#include <cstdio>
#include <string>

#include "harness/cli.h"
#include "harness/mapping_option.h"
#include "expectations/results.h"
#include "harness/runner.h"
#include "reports/reports.h"
#include "scenarios/atomic.h"
#include "scenarios/pack.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest run [--lab LAB.yaml] [--pack DIR] [--scenario GUID|NAME]... [--target NAME]...\n"
    "                  [--arg NAME=VALUE]... [--get-prereqs] [--out DIR] [--record DIR]\n"
    "                  [--history DB] [--mapping FILE] [--quiet | --verbose]\n\n"
    "Runs each scenario of the pack on every lab target whose platform it supports:\n"
    "snapshot revert and readiness (if configured), preflight of the telemetry sources,\n"
    "prerequisites, execution (a timeout kills the whole process tree), collection until\n"
    "every required expectation is observed or the deadline, evaluation, then cleanup\n"
    "(always, also after errors, timeouts and a first Ctrl-C; a second one aborts).\n"
    "Results are journaled to OUT/results.json after every scenario; OUT/run.log has the log;\n"
    "at the end the reports are written beside them (report.html, junit.xml, navigator.json,\n"
    "attire.json).\n\n"
    "options:\n"
    "  --lab FILE        lab file (default labs/local.yaml: this machine)\n"
    "  --pack DIR        scenario pack (default scenarios/t1114)\n"
    "  --scenario X      only this scenario (GUID or name; repeatable)\n"
    "  --target NAME     only this target (repeatable)\n"
    "  --arg NAME=VALUE  override an input argument (repeatable)\n"
    "  --get-prereqs     run get_prereq_command for unmet prerequisites\n"
    "  --out DIR         results directory (default runs/RUN-ID)\n"
    "  --record DIR      keep the fetched telemetry and a run-info.json for `attest check`\n"
    "  --history DB      record the run into an SQLite history (attest history; HTML trend)\n"
    "  --mapping FILE    Elasticsearch index mapping (GET index/_mapping): field types for every\n"
    "                    rule and query, in place of the pack's `mapping:` (default: ECS types)\n"
    "  --quiet           no progress lines;  --verbose  every state change\n\n"
    "exit codes: 0 every scenario passed or was skipped, 1 some did not, 2 usage or input error\n";

int run_run(const std::vector<std::string>& args) {
    Options opts;
    opts.option("lab").option("pack").option("mapping").multi("scenario").multi("target").multi("arg")
        .flag("get-prereqs").option("out").option("record").option("history").flag("quiet")
        .flag("verbose");
    opts.parse(args);
    if (!opts.positionals().empty())
        throw UsageError{"unexpected argument '" + opts.positionals()[0] + "'"};
    if (opts.has("quiet") && opts.has("verbose")) throw UsageError{"--quiet and --verbose conflict"};

    std::string lab_path = opts.get_or("lab", "labs/local.yaml");
    std::string pack_path = opts.get_or("pack", "scenarios/t1114");
    DiagnosticSink lab_sink(DiagnosticSink::stderr_printer());
    auto lab = run::load_lab(lab_path, lab_sink);
    if (!lab) {
        std::fprintf(stderr, "attest run: %s\n", lab.error().message.c_str());
        return kExitUsage;
    }
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(pack_path, problems);
    problems.attach_source_lines();
    for (const auto& p : problems.items())
        if (p.severity == Severity::Error) std::fprintf(stderr, "%s\n", p.format().c_str());
    if (!pack) {
        std::fprintf(stderr, "attest run: %s\n", pack.error().message.c_str());
        return kExitUsage;
    }

    // --mapping gives field types to every rule and query, in place of the pack's `mapping:`.
    if (opts.has("mapping") && !load_mapping_option(opts, "run", pack->mapping)) return kExitUsage;
    run::RunOptions options;
    options.scenarios = opts.all("scenario");
    options.targets = opts.all("target");
    for (const auto& a : opts.all("arg")) {
        auto kv = scenarios::parse_argument_override(a);
        if (!kv) throw UsageError{kv.error().message};
        options.arguments[kv->first] = kv->second;
    }
    options.get_prereqs = opts.has("get-prereqs");
    options.record_dir = opts.get_or("record", "");
    options.verbosity = opts.has("quiet")     ? run::Verbosity::Quiet
                        : opts.has("verbose") ? run::Verbosity::Verbose
                                              : run::Verbosity::Normal;
    if (auto out = opts.get("out")) {
        options.out_dir = *out;
    } else {
        options.out_dir = "runs/" + expectations::make_run_id(run::now_ns());
    }

    run::CancelToken cancel;
    options.handle_signals = true;
    auto summary = run::run_pack(*lab, *pack, options, cancel);
    if (!summary) {
        std::fprintf(stderr, "attest run: %s\n", summary.error().message.c_str());
        return kExitUsage;
    }
    // The journal (results.json) is complete; render the reports from it.
    if (auto results = reports::load_results(options.out_dir)) {
        reports::ReportOptions ropts;
        for (const auto& w : reports::ReportWriterRegistry::builtin().all())
            if (w.name != "json") ropts.formats.push_back(w.name);
        if (auto h = opts.get("history")) ropts.history_db = *h;
        auto written = reports::write_all_reports(*results, options.out_dir, ropts);
        if (!written) std::fprintf(stderr, "attest run: reports: %s\n", written.error().message.c_str());
    } else {
        std::fprintf(stderr, "attest run: reports: %s\n", results.error().message.c_str());
    }
    bool all_good = summary->failed == 0 && summary->error == 0 && summary->inconclusive == 0 &&
                    !summary->interrupted;
    return all_good ? kExitOk : kExitFailed;
}

}  // namespace

Command run_command() {
    return Command{"run", "run scenarios on lab targets and check their telemetry", kHelp, run_run};
}

}  // namespace attest::cli
