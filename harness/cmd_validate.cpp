// attest validate: checks a pack, a stock atomics folder or one atomics file and lists every
// problem with its position.
#include <cstdio>

#include "harness/cli.h"
#include "scenarios/pack.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest validate [--no-queries] PACK|FILE\n\n"
    "Loads a scenario pack (atomics + expectations.yaml + rules), a stock Atomic Red Team\n"
    "atomics folder or one atomics YAML file, and lists every problem as\n"
    "file:line:column: error|warning CODE: item: what (docs/packs.md lists the codes).\n"
    "Expectation queries and detection rules are compiled too (skip with --no-queries).\n\n"
    "Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or no such path.\n";

int run_validate(const std::vector<std::string>& args) {
    Options opts;
    opts.flag("no-queries");
    opts.parse(args);
    if (opts.positionals().size() != 1) throw UsageError{"give one pack folder or atomics file"};
    const std::string& path = opts.positionals().front();
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(path, problems);
    if (!pack) {
        std::fprintf(stderr, "attest validate: %s\n", pack.error().message.c_str());
        return kExitUsage;
    }
    if (!opts.has("no-queries")) scenarios::check_pack_queries(*pack, problems);
    problems.attach_source_lines();
    for (const auto& p : problems.items()) std::printf("%s\n", p.format().c_str());
    std::size_t tests = pack->tests().size();
    std::size_t expectations = 0, detections = 0;
    for (const auto& [guid, c] : pack->checks) {
        expectations += c.expectations.size();
        detections += c.detections.size();
    }
    std::printf("%s: %zu file(s), %zu test(s), %zu expectation(s), %zu detection(s): %zu error(s), "
                "%zu warning(s)\n",
                path.c_str(), pack->files.size(), tests, expectations, detections,
                problems.error_count(), problems.warning_count());
    return problems.error_count() == 0 ? kExitOk : kExitFailed;
}

}  // namespace

Command validate_command() {
    return Command{"validate", "check a scenario pack or atomics file, listing every problem",
                   kHelp, run_validate};
}

}  // namespace attest::cli
