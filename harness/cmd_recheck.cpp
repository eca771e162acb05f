// attest recheck: re-evaluate the pending expectations of a finished `attest run`.
#include <cstdio>

#include "harness/cli.h"
#include "harness/runner.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest recheck [--lab LAB.yaml] [--pack DIR] [--quiet] OUT_DIR\n\n"
    "Re-evaluates the scenarios of OUT_DIR/results.json whose expectations are pending (their\n"
    "source lags, e.g. the O365 audit log): the lagging sources are fetched again (export file\n"
    "or Management Activity API), the telemetry recorded with --record is reused, and\n"
    "results.json is rewritten (run.mode \"recheck\"). The lab and pack default to the ones\n"
    "the run used.\n\n"
    "exit codes: 0 every scenario passed or was skipped, 1 some did not, 2 usage or input error\n";

int run_recheck(const std::vector<std::string>& args) {
    Options opts;
    opts.option("lab").option("pack").flag("quiet");
    opts.parse(args);
    if (opts.positionals().size() != 1) throw UsageError{"expected one OUT_DIR"};
    bool quiet = opts.has("quiet");
    auto summary = run::recheck_run(opts.positionals()[0], opts.get_or("lab", ""),
                                    opts.get_or("pack", ""), [quiet](const std::string& line) {
                                        if (!quiet) std::fprintf(stderr, "%s\n", line.c_str());
                                    });
    if (!summary) {
        std::fprintf(stderr, "attest recheck: %s\n", summary.error().message.c_str());
        return kExitUsage;
    }
    return summary->failed == 0 && summary->error == 0 && summary->inconclusive == 0 ? kExitOk
                                                                                     : kExitFailed;
}

}  // namespace

Command recheck_command() {
    return Command{"recheck", "re-evaluate pending expectations of a finished run", kHelp,
                   run_recheck};
}

}  // namespace attest::cli
