// attest list: one row per atomic test of a pack.
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>

#include "harness/cli.h"
#include "scenarios/pack.h"
#include "scenarios/selection.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest list --pack DIR [TECHNIQUE...] [--technique T]... [--platform P]...\n"
    "                   [--test N|NAME|GUID]...\n\n"
    "Lists the tests of a scenario pack (or a stock atomics folder): GUID, technique, name,\n"
    "platforms, and the number of expectations and detections attached to it. Load problems\n"
    "are summarized on stderr (details: attest validate).\n\n"
    "Filters (a test is listed when it matches one value of each filter given):\n"
    "  TECHNIQUE, --technique T   T1005, or T1114 for T1114 and its sub-techniques\n"
    "  --platform P               windows, linux, macos, office-365, ... (case-insensitive)\n"
    "  --test X                   a test by number (1-based in its technique file, as\n"
    "                             Invoke-AtomicTest counts; with a technique), name or GUID, as\n"
    "                             `attest run --test` selects it (no match: exit 2)\n\n"
    "Exit codes: 0 ok (also when no test matches: the count says so), 2 usage error or no such\n"
    "pack.\n";

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool technique_matches(const std::string& technique, const std::vector<std::string>& wanted) {
    if (wanted.empty()) return true;
    for (const auto& w : wanted) {
        std::string up = w;
        for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (technique == up || technique.starts_with(up + ".")) return true;
    }
    return false;
}

bool platform_matches(const std::vector<std::string>& platforms,
                      const std::vector<std::string>& wanted) {
    if (wanted.empty()) return true;
    for (const auto& p : platforms)
        for (const auto& w : wanted)
            if (lower(p) == lower(w)) return true;
    return false;
}

int run_list(const std::vector<std::string>& args) {
    Options opts;
    opts.option("pack").multi("technique").multi("platform").multi("test");
    opts.parse(args);
    std::string path = opts.get_or("pack", "");
    std::vector<std::string> techniques = opts.all("technique");
    for (const auto& p : opts.positionals()) {
        // Without --pack, the first positional naming something on disk is the pack.
        std::error_code ec;
        if (path.empty() && std::filesystem::exists(p, ec))
            path = p;
        else
            techniques.push_back(p);
    }
    if (path.empty()) throw UsageError{"--pack DIR is required"};
    scenarios::Problems problems;
    auto pack = scenarios::load_pack(path, problems);
    if (!pack) {
        std::fprintf(stderr, "attest list: %s\n", pack.error().message.c_str());
        return kExitUsage;
    }
    // --test selects as `attest run --test` does (scenarios/selection.h), within the techniques.
    std::set<const scenarios::AtomicTest*> chosen;
    if (opts.has("test")) {
        scenarios::Selection selection;
        selection.techniques = scenarios::split_technique_list(techniques);
        selection.tests = opts.all("test");
        auto selected = scenarios::select_tests(*pack, selection);
        if (!selected) {
            std::fprintf(stderr, "attest list: %s\n", selected.error().message.c_str());
            return kExitUsage;
        }
        chosen.insert(selected->begin(), selected->end());
    }
    std::printf("%-36s  %-11s  %-16s  %4s  %4s  %s\n", "GUID", "TECHNIQUE", "PLATFORMS", "EXP",
                "DET", "NAME");
    std::size_t shown = 0, total = 0;
    for (const auto* t : pack->tests()) {
        ++total;
        if (!technique_matches(t->technique, techniques) ||
            !platform_matches(t->platforms, opts.all("platform")) ||
            (opts.has("test") && !chosen.count(t)))
            continue;
        ++shown;
        auto checks = pack->checks_for(*t);
        std::string platforms;
        for (const auto& p : t->platforms) platforms += (platforms.empty() ? "" : ",") + p;
        std::printf("%-36s  %-11s  %-16s  %4zu  %4zu  %s\n", t->guid.c_str(), t->technique.c_str(),
                    platforms.c_str(), checks.expectations.size(), checks.detections.size(),
                    t->name.c_str());
    }
    if (shown < total) std::printf("%zu of %zu tests match the filters\n", shown, total);
    if (problems.error_count() || problems.warning_count())
        std::fprintf(
            stderr,
            "attest list: %zu error(s), %zu warning(s) while loading (see attest validate %s)\n",
            problems.error_count(), problems.warning_count(), path.c_str());
    return kExitOk;
}

}  // namespace

Command list_command() {
    return Command{"list", "list the tests of a scenario pack", kHelp, run_list};
}

}  // namespace attest::cli
