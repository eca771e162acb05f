// attest check: verdicts of a pack's expectations and detections over recorded telemetry.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/atomic_file.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "expectations/results.h"
#include "expectations/run_info.h"
#include "harness/cli.h"
#include "harness/elastic_cli.h"
#include "harness/mapping_option.h"
#include "harness/pushdown.h"
#include "harness/rules_option.h"
#include "reports/coverage.h"
#include "reports/reports.h"
#include "scenarios/baseline.h"
#include "scenarios/pack.h"
#include "telemetry/stream.h"

namespace attest::cli {
namespace {
namespace fs = std::filesystem;
using namespace attest::expectations;

const char* kHelp =
    "usage: attest check --pack DIR (--telemetry FILE... | --elastic URL --index PATTERN\n"
    "                    [--from ISO --to ISO] [--host NAME]) [--scenario GUID|NAME]...\n"
    "                    [--profile sysmon|endpoint] [--run-info FILE] [--arg name=value]...\n"
    "                    [--source FORMAT] [--mapping FILE] [--rules DIR]... [--out DIR]\n"
    "                    [--history DB] [--quiet] [--pushdown]\n\n"
    "Evaluates the pack's expectations and detection rules over recorded telemetry (format\n"
    "detected per file), in one pass over all files merged by @timestamp, and writes\n"
    "OUT/results.json (schema attest.results/1; default OUT: out/check-<run id>) and the\n"
    "reports beside it (report.html, junit.xml, navigator.json, attire.json). --history DB\n"
    "records the run into an SQLite history (see attest history) and adds the diff and trend\n"
    "to the HTML.\n\n"
    "Which scenarios: --scenario (repeatable), else those named in --run-info, else every test\n"
    "of the pack that has expectations or detections (every test for a stock atomics folder).\n"
    "Run info (docs/packs.md) gives per scenario the host, execution start/end, arguments and\n"
    "collected / pending sources. Without it no time or host bounds apply, arguments are the\n"
    "defaults (+ --arg), a source counts as collected when the telemetry holds any of its events,\n"
    "and {run.*} placeholders cannot be filled (such a scenario is an error).\n\n"
    "Profiles: each expectation and rule is evaluated under its own profile (Sysmon data is\n"
    "translated to the endpoint vocabulary on the fly for endpoint rules); --profile P\n"
    "normalizes everything under P instead.\n\n"
    "Field types (dates, versions, ips, keyword/text for KQL): --mapping FILE (an Elasticsearch\n"
    "index mapping, GET index/_mapping), else the pack's `mapping:`, else ECS types.\n"
    "A detection whose rule file does not load is an `error` verdict with the load error.\n"
    "--rules DIR (repeatable): every rule under DIR (.eql, detection-rules .toml in EQL or KQL,\n"
    "Sigma .yml) is evaluated over each scenario in the same pass; the ones that fire are listed\n"
    "(results.json: detections with expected \"informational\"), never counted as failures.\n\n"
    "--elastic URL --index PATTERN reads the telemetry window from Elasticsearch instead of, or\n"
    "beside, files (a point in time, search_after pages sorted by @timestamp; the documents are\n"
    "ECS, read like an `attest events` NDJSON file). --pushdown asks Elasticsearch first\n"
    "(_eql/search over the window) for the documents each check's EQL matches and evaluates the\n"
    "checks over those alone; the window is read only when a check does not pass that way (for\n"
    "its near misses) or cannot be pushed (lineage, does_not_fire, Sigma/KQL, rule exceptions;\n"
    "run.pushdown in results.json says which). Options after --elastic:\n";
const char* kExitHelp =
    "\nExit codes: 0 every scenario passed (or skipped), 1 any other verdict, 2 usage or input\n"
    "error (bad pack, unreadable telemetry or run info).\n";

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The process sensors a baseline is derived for over recorded telemetry: those the run info
// says were collected (or still pending), else every one (a sensor without events in the
// telemetry is then not_collected, which no coverage verdict counts). No file rule is known
// here, so no file expectation is derived.
std::vector<scenarios::BaselineSensor> recorded_sensors(const RunFacts& facts) {
    std::vector<scenarios::BaselineSensor> out;
    for (auto& name : scenarios::baseline_sources())
        if (!facts.collected || facts.collected->count(name) || facts.pending.count(name))
            out.push_back({std::move(name), nullptr});
    return out;
}

// Required expectations decide the verdict, so they are the denominator; optional ones and
// detections are added only when there are any.
std::string summarize(const ScenarioResult& r) {
    std::size_t required = 0, observed = 0, optional = 0, optional_seen = 0, fired_ok = 0;
    for (const auto& e : r.expectations) {
        bool seen = e.verdict == ExpectationVerdict::Observed;
        (e.spec.required ? required : optional) += 1;
        (e.spec.required ? observed : optional_seen) += seen;
    }
    std::size_t detections = 0;
    for (const auto& d : r.detections)
        if (!d.spec.informational) fired_ok += d.passed, ++detections;  // --rules: listed apart
    std::string out = std::to_string(observed) + "/" + std::to_string(required) + " required";
    if (optional)
        out += ", +" + std::to_string(optional_seen) + "/" + std::to_string(optional) + " optional";
    if (detections)
        out +=
            ", " + std::to_string(fired_ok) + "/" + std::to_string(detections) + " detections ok";
    return out;
}

std::string stats_line(const telemetry::StreamStats& stats) {
    std::string line =
        std::to_string(stats.events) + " events from " + std::to_string(stats.files) + " file(s)";
    if (stats.skipped_records)
        line += ", " + std::to_string(stats.skipped_records) + " records skipped";
    if (stats.out_of_order) line += ", " + std::to_string(stats.out_of_order) + " out of order";
    if (stats.untimed) line += ", " + std::to_string(stats.untimed) + " without @timestamp";
    if (stats.duplicates)
        line += ", " + std::to_string(stats.duplicates) + " records exported twice (counted once)";
    return line;
}

// The files, then the Elasticsearch window when --elastic is given (merged by the stream).
std::vector<telemetry::StreamInput> check_inputs(const Options& opts,
                                                 const std::vector<std::string>& files,
                                                 const telemetry::StreamOptions& topts) {
    auto inputs = telemetry::Stream::files(files, topts);
    if (opts.has("elastic")) {
        auto w = elastic_window_options(opts);
        inputs.push_back(telemetry::elastic_window_input(w.source, w.window, topts));
    }
    return inputs;
}

void declare_check_options(Options& opts) {
    opts.option("pack")
        .multi("scenario")
        .multi("telemetry")
        .option("profile")
        .option("run-info")
        .option("mapping")
        .multi("rules")
        .multi("arg")
        .option("out")
        .option("source")
        .option("history")
        .flag("quiet")
        .flag("pushdown");
    declare_elastic_window_options(opts);
}

// The telemetry files (--telemetry and positionals). A missing or empty input is found
// before any work, so no report that looks like a result is written for it: false then.
bool telemetry_files(const Options& opts, std::vector<std::string>& telemetry) {
    telemetry = opts.all("telemetry");
    for (const auto& p : opts.positionals()) telemetry.push_back(p);
    if (telemetry.empty() && !opts.has("elastic"))
        throw UsageError{"--telemetry FILE (one or more) or --elastic URL is required"};
    std::string bad_inputs;
    for (const auto& t : telemetry)
        if (auto why = input_file_problem(t); !why.empty())
            bad_inputs += "attest check: telemetry " + t + ": " + why + "\n";
    if (bad_inputs.empty()) return true;
    std::fputs(bad_inputs.c_str(), stderr);
    std::fputs("attest check: no results written\n", stderr);
    return false;
}

// --profile: one profile for every rule, the data and the stream.
void apply_profile_option(const Options& opts, EngineOptions& eopts,
                          telemetry::StreamOptions& topts) {
    auto prof = profile_option(opts);
    if (!prof) return;
    eopts.profile_override = *prof;
    eopts.data_profile = *prof;
    topts.profile = *prof;
}

std::map<std::string, std::string> argument_overrides(const Options& opts) {
    std::map<std::string, std::string> overrides;
    for (const auto& a : opts.all("arg")) {
        auto kv = scenarios::parse_argument_override(a);
        if (!kv) throw UsageError{kv.error().message};
        overrides[kv->first] = kv->second;
    }
    return overrides;
}

// The pack with its --rules; nullopt (after printing why) when it cannot be used.
std::optional<scenarios::Pack> load_check_pack(const Options& opts, const std::string& path) {
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(path, problems);
    if (!pack) {
        std::fprintf(stderr, "attest check: %s\n", pack.error().message.c_str());
        return std::nullopt;
    }
    if (problems.error_count() > 0) {
        problems.attach_source_lines();
        for (const auto& p : problems.items())
            if (p.severity == Severity::Error) std::fprintf(stderr, "%s\n", p.format().c_str());
    }
    if (problems.blocking_error_count() > 0) {
        std::fprintf(stderr, "attest check: the pack has %zu error(s) (attest validate %s)\n",
                     problems.blocking_error_count(), path.c_str());
        return std::nullopt;
    }
    if (!load_rules_option(opts, "check", *pack)) return std::nullopt;
    return std::move(*pack);
}

using Selected = std::vector<std::pair<const scenarios::AtomicTest*, RunFacts>>;

// Which tests, with which facts: --scenario, else the run info's, else every test with checks
// (every test of a stock atomics folder). nullopt: the run info names a test not in the pack.
std::optional<Selected> select_tests(const Options& opts, const scenarios::Pack& pack,
                                     const std::vector<RunInfoEntry>& run_info) {
    Selected selected;
    if (!opts.all("scenario").empty()) {
        for (const auto& key : opts.all("scenario")) {
            auto found = pack.select_test(key);
            if (!found) throw UsageError{found.error().message};
            RunFacts facts;
            for (const auto& e : run_info)
                if (e.guid == (*found)->guid) facts = e.facts;
            selected.emplace_back(*found, facts);
        }
        return selected;
    }
    for (const auto& e : run_info) {
        const auto* t = pack.find_test(e.guid);
        if (!t) {
            std::fprintf(stderr, "attest check: run info names %s, which is not in the pack\n",
                         e.guid.c_str());
            return std::nullopt;
        }
        selected.emplace_back(t, e.facts);
    }
    if (!run_info.empty()) return selected;
    for (const auto* t : pack.tests())
        if (pack.checks.count(t->guid) || pack.baseline) selected.emplace_back(t, RunFacts{});
    if (selected.empty())
        for (const auto* t : pack.tests()) selected.emplace_back(t, RunFacts{});
    return selected;
}

// Each selected test's checks (with its baseline) as the evaluator takes them, its arguments
// resolved from the run, then --arg (which must name an input argument of at least one test).
std::vector<PreparedCheck> prepare_selected(Selected& selected, const scenarios::Pack& pack,
                                            const std::map<std::string, std::string>& overrides) {
    std::vector<PreparedCheck> prepared;
    std::set<std::string> used_overrides;
    for (auto& [test, facts] : selected) {
        std::map<std::string, std::string> given = facts.arguments;  // from the run
        for (const auto& [k, v] : overrides)
            if (test->find_argument(k)) given[k] = v, used_overrides.insert(k);
        std::map<std::string, std::string> known;
        for (const auto& [k, v] : given)
            if (test->find_argument(k)) known[k] = v;
        auto resolved = scenarios::resolve_test(*test, known, pack.atomics_folder);
        if (!resolved) throw UsageError{resolved.error().message};
        facts.arguments.clear();
        for (const auto& [k, v] : resolved->arguments)
            facts.arguments[k] = scenarios::substitute_arguments(v, {}, pack.atomics_folder);
        ScenarioChecks checks = pack.checks_for(*test);
        scenarios::add_baseline(checks, test->executor.name, resolved->command,
                                recorded_sensors(facts));
        prepared.emplace_back(std::move(checks), facts);
    }
    for (const auto& [k, v] : overrides)
        if (!used_overrides.count(k))
            throw UsageError{"--arg " + k + ": none of the selected tests has that input argument"};
    return prepared;
}

// One pass over every input, merged by time, with progress on a terminal.
telemetry::StreamStats read_telemetry(Evaluator& evaluator,
                                      std::vector<telemetry::StreamInput> inputs,
                                      const std::vector<std::string>& telemetry,
                                      const telemetry::StreamOptions& topts) {
    CollapsingPrinter collapsing;
    DiagnosticSink sink(collapsing.printer());
    std::uint64_t input_bytes = 0;
    for (const auto& t : telemetry) {
        std::error_code size_ec;
        auto size = fs::file_size(t, size_ec);
        if (!size_ec) input_bytes += size;
    }
    telemetry::StreamStats stats;
    {
        ProgressLine progress("reading telemetry", input_bytes,
                              [&] { return evaluator.events_fed(); });
        stats = telemetry::feed(evaluator, std::move(inputs), sink, topts);
    }
    collapsing.finish();
    for (const auto& u : stats.unreadable) std::fprintf(stderr, "attest check: %s\n", u.c_str());
    if (stats.untimed > 0)
        std::fprintf(
            stderr,
            "attest check: warning: %llu event(s) have no usable @timestamp (first: %s); they are "
            "evaluated after every timed event and no time-bounded expectation counts them "
            "(run.telemetry_stats.untimed)\n",
            static_cast<unsigned long long>(stats.untimed), stats.first_untimed.c_str());
    return stats;
}

struct Evaluated {
    std::vector<ScenarioResult> results;
    telemetry::StreamStats stats;
};

// The checks evaluated over `inputs` in one pass.
Evaluated evaluate(const std::vector<PreparedCheck>& prepared, const EngineOptions& eopts,
                   std::vector<telemetry::StreamInput> inputs,
                   const std::vector<std::string>& telemetry,
                   const telemetry::StreamOptions& topts) {
    Evaluator evaluator(eopts);
    for (const auto& [checks, facts] : prepared) evaluator.add_scenario(checks, facts);
    Evaluated out;
    out.stats = read_telemetry(evaluator, std::move(inputs), telemetry, topts);
    evaluator.finish();
    out.results = evaluator.results();
    return out;
}

// Whether the matched documents settle every result: each scenario passed and each check
// was seen, optional expectations too (one missing there might be seen in the window).
bool all_seen(const Evaluated& e) {
    if (!e.stats.unreadable.empty()) return false;
    for (const auto& r : e.results) {
        if (r.verdict != ScenarioVerdict::Passed) return false;
        for (const auto& x : r.expectations)
            if (x.verdict != ExpectationVerdict::Observed) return false;
        for (const auto& d : r.detections)
            if (!d.passed) return false;
    }
    return true;
}

// --pushdown: the checks over the documents Elasticsearch matched (pushdown.h); nullopt when
// the whole window must be read. `info` becomes results.json's run.pushdown.
std::optional<Evaluated> try_pushdown(const std::vector<PreparedCheck>& prepared,
                                      const EngineOptions& eopts, const Options& opts,
                                      const std::vector<std::string>& telemetry,
                                      const telemetry::StreamOptions& topts, Value& info) {
    auto say = [&](const std::string& what) {
        if (!opts.has("quiet")) std::fprintf(stderr, "attest check: pushdown: %s\n", what.c_str());
    };
    PushdownPlan plan = plan_pushdown(prepared);
    info = Value::object();
    info.set_key("used", Value(false));
    info.set_key("queries", Value(static_cast<std::int64_t>(plan.queries.size())));
    if (!plan.not_possible.empty()) {
        info.set_key("reason", Value("not possible: " + plan.not_possible));
        say("not possible (" + plan.not_possible + "); reading the whole window");
        return std::nullopt;
    }
    auto w = elastic_window_options(opts);
    auto matched =
        telemetry::elastic_matched_documents(w.source, w.window, plan.queries, plan.size);
    if (!matched) {
        info.set_key("reason", Value(matched.error().message));
        say(matched.error().message + "; reading the whole window");
        return std::nullopt;
    }
    auto inputs = telemetry::Stream::files(telemetry, topts);
    inputs.push_back(telemetry::elastic_documents_input(
        telemetry::elastic_origin(w.source) + " (pushdown)", *matched, topts));
    Evaluated e = evaluate(prepared, eopts, std::move(inputs), telemetry, topts);
    std::string counts = std::to_string(plan.queries.size()) + " queries, " +
                         std::to_string((*matched)->size()) + " matched documents";
    info.set_key("documents", Value(static_cast<std::int64_t>((*matched)->size())));
    if (all_seen(e)) {
        info.set_key("used", Value(true));
        say(counts + ": every check was seen; the window was not read");
        return e;
    }
    info.set_key("reason", Value("not every check was seen in the matched documents"));
    say(counts + ": not every check was seen; reading the whole window for near misses");
    return std::nullopt;
}

Value telemetry_stats_value(const telemetry::StreamStats& stats) {
    auto count = [](std::uint64_t n) { return Value(static_cast<std::int64_t>(n)); };
    Value tstats = Value::object();
    tstats.set_key("events", count(stats.events));
    tstats.set_key("skipped_records", count(stats.skipped_records));
    tstats.set_key("out_of_order", count(stats.out_of_order));
    tstats.set_key("untimed", count(stats.untimed));
    tstats.set_key("duplicates", count(stats.duplicates));
    tstats.set_key("sorted", Value(stats.sorted));
    tstats.set_key("spilled_runs", count(stats.spilled_runs));
    Value per_source = Value::object();
    for (const auto& [name, n] : stats.per_source) per_source.set_key(name, count(n));
    tstats.set_key("per_source", std::move(per_source));
    return tstats;
}

struct CheckRun {
    std::string id, pack_path;
    std::int64_t started = 0, finished = 0;
    std::vector<std::string> telemetry;
};

// results.json's `run` member for a check.
Value run_value(const CheckRun& c, const Options& opts, const EngineOptions& eopts,
                const telemetry::StreamStats& stats, const Value& pushdown) {
    Value run = Value::object();
    run.set_key("id", Value(c.id));
    run.set_key("mode", Value("check"));
    run.set_key("started", Value(format_iso8601(c.started)));
    run.set_key("finished", Value(format_iso8601(c.finished)));
    run.set_key("lab", Value());
    run.set_key("pack", Value(c.pack_path));
    run.set_key("attest_version", Value(ATTEST_VERSION));
    Value files = Value::array();
    for (const auto& t : c.telemetry) files.push_back(Value(t));
    if (opts.has("elastic"))
        files.push_back(Value(telemetry::elastic_origin(elastic_window_options(opts).source)));
    run.set_key("telemetry", std::move(files));
    run.set_key("profile", eopts.profile_override ? Value(profile_name(*eopts.profile_override))
                                                  : Value("per-rule"));
    run.set_key("telemetry_stats", telemetry_stats_value(stats));
    if (!pushdown.is_null()) run.set_key("pushdown", pushdown);
    if (!stats.unreadable.empty()) {
        Value incomplete = Value::array();
        for (const auto& u : stats.unreadable) incomplete.push_back(Value("telemetry " + u));
        run.set_key("incomplete", std::move(incomplete));
    }
    return run;
}

// results.json first (nothing lost if a report fails), then every other report. Returns the
// results path, empty when it could not be written.
std::string write_check_outputs(const Value& doc, const Options& opts, const std::string& run_id) {
    std::string out_dir = opts.get_or("out", default_out_dir("check", run_id));
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    std::string out_path = (fs::path(out_dir) / "results.json").string();
    std::string text;
    doc.append_json(text);
    text += '\n';
    if (auto w = write_file_atomic(out_path, text); !w) {
        std::fprintf(stderr, "attest check: cannot write results: %s\n", w.error().message.c_str());
        return "";
    }
    reports::ReportOptions ropts;
    for (const auto& w : reports::ReportWriterRegistry::builtin().all())
        if (w.name != "json") ropts.formats.push_back(w.name);
    if (auto h = opts.get("history")) ropts.history_db = fs::path(*h);
    auto written = reports::write_all_reports(value_to_json<nlohmann::json>(doc), out_dir, ropts);
    if (!written)
        std::fprintf(stderr, "attest check: reports: %s\n", written.error().message.c_str());
    return out_path;
}

// Why a scenario did not pass: its failed expectations and detections.
void print_not_passed(const ScenarioResult& r) {
    std::printf("\n%s (%s): %s\n", r.checks.name.c_str(),
                std::string(verdict_name(r.verdict)).c_str(), r.reason.c_str());
    for (const auto& e : r.expectations)
        if (e.verdict != ExpectationVerdict::Observed)
            std::printf("  expectation %s [%s%s]: %s\n", e.spec.id.c_str(),
                        std::string(verdict_name(e.verdict)).c_str(),
                        e.spec.required ? "" : ", optional", e.reason.c_str());
    for (const auto& d : r.detections)
        if (!d.passed && !d.spec.informational)
            std::printf("  detection %s [%s, profile %s]: %s\n", d.spec.rule_id.c_str(),
                        std::string(verdict_name(d.verdict)).c_str(),
                        std::string(profile_name(d.evaluated_profile)).c_str(), d.reason.c_str());
}

// The terminal summary: a row per scenario, other rules that fired, why the others did not
// pass, coverage, telemetry counts and where the results are.
void print_check_summary(const std::vector<ScenarioResult>& results, const Value& doc,
                         const telemetry::StreamStats& stats, const std::string& out_path) {
    std::printf("%-13s %-36s %-11s %-44s %s\n", "VERDICT", "GUID", "TECHNIQUE", "CHECKS", "NAME");
    for (const auto& r : results)
        std::printf(
            "%-*s %-36s %-11s %-44s %s\n",
            13 + static_cast<int>(paint("", Colour::Red, stdout).size()),
            paint(verdict_name(r.verdict), verdict_colour(verdict_name(r.verdict)), stdout).c_str(),
            r.checks.guid.c_str(), r.checks.technique.c_str(), summarize(r).c_str(),
            r.checks.name.c_str());
    for (const auto& r : results)
        if (auto fired = fired_rules_line(r.detections); !fired.empty())
            std::printf("\n%s: %s\n", r.checks.name.c_str(), fired.c_str());
    for (const auto& r : results)
        if (r.verdict != ScenarioVerdict::Passed) print_not_passed(r);
    if (auto coverage = reports::coverage_summary_text(value_to_json<nlohmann::json>(doc));
        !coverage.empty())
        std::printf("\n%s", coverage.c_str());
    std::printf("\ntelemetry: %s\nresults: %s\n", stats_line(stats).c_str(), out_path.c_str());
}

int check_exit_status(const std::vector<ScenarioResult>& results,
                      const telemetry::StreamStats& stats) {
    if (!stats.unreadable.empty()) return kExitUsage;
    for (const auto& r : results)
        if (r.verdict != ScenarioVerdict::Passed && r.verdict != ScenarioVerdict::Skipped &&
            r.verdict != ScenarioVerdict::Executed)
            return kExitFailed;
    return kExitOk;
}

int run_check(const std::vector<std::string>& args) {
    Options opts;
    declare_check_options(opts);
    opts.parse(args);
    CheckRun run;
    run.pack_path = opts.get_or("pack", "");
    if (run.pack_path.empty()) throw UsageError{"--pack DIR is required"};
    if (!telemetry_files(opts, run.telemetry)) return kExitUsage;

    EngineOptions eopts;
    if (!load_mapping_option(opts, "check", eopts.types)) return kExitUsage;
    telemetry::StreamOptions topts;
    topts.source = opts.get_or("source", "");
    apply_profile_option(opts, eopts, topts);
    auto overrides = argument_overrides(opts);
    auto pack = load_check_pack(opts, run.pack_path);
    if (!pack) return kExitUsage;
    std::vector<RunInfoEntry> run_info;
    if (auto ri = opts.get("run-info")) {
        auto loaded = load_run_info(*ri);
        if (!loaded) {
            std::fprintf(stderr, "attest check: %s\n", loaded.error().message.c_str());
            return kExitUsage;
        }
        run_info = std::move(*loaded);
    }
    auto selected = select_tests(opts, *pack, run_info);
    if (!selected) return kExitUsage;
    auto prepared = prepare_selected(*selected, *pack, overrides);
    if (opts.has("pushdown") && !opts.has("elastic"))
        throw UsageError{"--pushdown needs --elastic URL (it asks Elasticsearch)"};

    run.started = now_ns();
    Value pushdown;
    std::optional<Evaluated> evaluated;
    if (opts.has("pushdown"))
        evaluated = try_pushdown(prepared, eopts, opts, run.telemetry, topts, pushdown);
    if (!evaluated)
        evaluated = evaluate(prepared, eopts, check_inputs(opts, run.telemetry, topts),
                             run.telemetry, topts);
    run.finished = now_ns();
    run.id = make_run_id(run.started);
    const auto& results = evaluated->results;
    const auto& stats = evaluated->stats;

    std::vector<Value> scenario_values;
    for (const auto& r : results) {
        scenario_values.push_back(scenario_to_json(r));
        reports::attach_coverage(scenario_values.back());
    }
    Value doc =
        results_document(run_value(run, opts, eopts, stats, pushdown), std::move(scenario_values));
    reports::attach_coverage_summary(doc);
    std::string out_path = write_check_outputs(doc, opts, run.id);
    if (out_path.empty()) return kExitUsage;
    if (!opts.has("quiet")) print_check_summary(results, doc, stats, out_path);
    return check_exit_status(results, stats);
}

}  // namespace

Command check_command() {
    return Command{"check", "evaluate a pack's expectations and rules over recorded telemetry",
                   std::string(kHelp) + kElasticWindowHelp + kElasticConnectionHelp + kExitHelp,
                   run_check};
}

}  // namespace attest::cli
