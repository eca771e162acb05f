// attest report: render the reports of a finished run from its results.json.
#include <cstdio>

#include "harness/cli.h"
#include "reports/reports.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest report RESULTS_DIR_OR_JSON [--out DIR] [--format NAME]... [--html F] [--json F]\n"
    "                     [--junit F] [--navigator F] [--attire F] [--history DB] [--evidence-cap N]\n\n"
    "Renders the reports of a run from its results (results.json, attest.results/1).\n"
    "With --out (default: the results directory) every report is written there: report.html,\n"
    "results.json, junit.xml, navigator.json, attire.json. --format NAME (repeatable) selects\n"
    "reports; --html F and friends choose the file of one report (relative to --out). Given\n"
    "without --out and --format, the per-report options write only those reports.\n\n"
    "options:\n"
    "  --history DB      record the run into the SQLite history DB (replacing an earlier\n"
    "                    recording of the same run id); the HTML then shows the changes since\n"
    "                    the previous run and the coverage trend\n"
    "  --evidence-cap N  matching events shown per expectation in the HTML (default 1)\n\n"
    "Files are written atomically. Exit codes: 0 ok, 2 usage error, unreadable results or a\n"
    "report that could not be written.\n";

int run_report(const std::vector<std::string>& args) {
    Options opts;
    opts.option("out").multi("format").option("history").option("evidence-cap");
    const char* per_format[] = {"html", "json", "junit", "navigator", "attire"};
    for (const char* f : per_format) opts.option(f);
    opts.parse(args);
    if (opts.positionals().size() != 1) throw UsageError{"expected one results directory or results.json"};

    std::filesystem::path input = opts.positionals()[0];
    auto results = reports::load_results(input);
    if (!results) {
        std::fprintf(stderr, "attest report: %s\n", results.error().message.c_str());
        return kExitUsage;
    }

    std::error_code ec;
    bool input_is_dir = std::filesystem::is_directory(input, ec);
    std::filesystem::path results_file = input_is_dir ? input / "results.json" : input;
    std::filesystem::path out_dir = opts.has("out") ? std::filesystem::path(*opts.get("out"))
                                                    : (input_is_dir ? input : results_file.parent_path());
    if (out_dir.empty()) out_dir = ".";

    reports::ReportOptions options;
    const auto& registry = reports::ReportWriterRegistry::builtin();
    for (const auto& f : opts.all("format")) {
        if (!registry.find(f)) throw UsageError{"unknown report format '" + f + "' (known: " + registry.names() + ")"};
        options.formats.push_back(f);
    }
    bool any_path = false;
    for (const char* f : per_format) {
        if (auto p = opts.get(f)) {
            options.paths[f] = *p;
            any_path = true;
        }
    }
    if (any_path && !opts.has("out") && options.formats.empty())
        for (const auto& [name, path] : options.paths) options.formats.push_back(name);
    if (options.formats.empty()) {
        for (const auto& w : registry.all()) {
            // Rewriting the input with itself is pointless; skip it unless asked for.
            std::filesystem::path target = out_dir / w.default_file;
            if (w.name == "json" && !options.paths.count("json") &&
                std::filesystem::weakly_canonical(target, ec) == std::filesystem::weakly_canonical(results_file, ec))
                continue;
            options.formats.push_back(w.name);
        }
    }
    if (auto h = opts.get("history")) options.history_db = *h;
    if (auto cap = opts.get("evidence-cap")) {
        try {
            int n = std::stoi(*cap);
            if (n < 0) throw std::invalid_argument("");
            options.evidence_cap = static_cast<std::size_t>(n);
        } catch (...) {
            throw UsageError{"--evidence-cap takes a number >= 0"};
        }
    }

    auto written = reports::write_all_reports(*results, out_dir, options);
    if (!written) {
        std::fprintf(stderr, "attest report: %s\n", written.error().message.c_str());
        return kExitUsage;
    }
    for (const auto& f : written->files) std::printf("%s\n", f.string().c_str());
    if (options.history_db) std::printf("recorded in %s\n", options.history_db->string().c_str());
    return kExitOk;
}

}  // namespace

Command report_command() {
    return Command{"report", "render HTML / JUnit / Navigator / Attire reports from results.json", kHelp, run_report};
}

}  // namespace attest::cli
