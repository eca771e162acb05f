// attest list: one row per atomic test of a pack.
#include <cstdio>

#include "harness/cli.h"
#include "scenarios/pack.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest list --pack DIR\n\n"
    "Lists the tests of a scenario pack (or a stock atomics folder): GUID, technique, name,\n"
    "platforms, and the number of expectations and detections attached to it. Load problems\n"
    "are summarized on stderr (details: attest validate).\n\n"
    "Exit codes: 0 ok, 2 usage error or no such pack.\n";

int run_list(const std::vector<std::string>& args) {
    Options opts;
    opts.option("pack");
    opts.parse(args);
    std::string path = opts.get_or("pack", "");
    if (path.empty() && opts.positionals().size() == 1) path = opts.positionals().front();
    if (path.empty()) throw UsageError{"--pack DIR is required"};
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(path, problems);
    if (!pack) {
        std::fprintf(stderr, "attest list: %s\n", pack.error().message.c_str());
        return kExitUsage;
    }
    std::printf("%-36s  %-11s  %-16s  %4s  %4s  %s\n", "GUID", "TECHNIQUE", "PLATFORMS", "EXP",
                "DET", "NAME");
    for (const auto* t : pack->tests()) {
        auto checks = pack->checks_for(*t);
        std::string platforms;
        for (const auto& p : t->platforms) platforms += (platforms.empty() ? "" : ",") + p;
        std::printf("%-36s  %-11s  %-16s  %4zu  %4zu  %s\n", t->guid.c_str(), t->technique.c_str(),
                    platforms.c_str(), checks.expectations.size(), checks.detections.size(),
                    t->name.c_str());
    }
    if (problems.error_count() || problems.warning_count())
        std::fprintf(stderr, "attest list: %zu error(s), %zu warning(s) while loading (see attest validate %s)\n",
                     problems.error_count(), problems.warning_count(), path.c_str());
    return kExitOk;
}

}  // namespace

Command list_command() {
    return Command{"list", "list the tests of a scenario pack", kHelp, run_list};
}

}  // namespace attest::cli
