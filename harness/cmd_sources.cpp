// attest sources: the telemetry source table (telemetry/sources/), as a list or one source's
// fields.
#include <cstdio>

#include "harness/cli.h"
#include "telemetry/describe.h"
#include "telemetry/sources.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest sources [--fields NAME]\n\n"
    "Lists the telemetry sources an expectation or a lab file can name: their datasets\n"
    "(event.dataset), the formats that read them (attest events --source), whether they lag,\n"
    "whether their events name the lab host, and how `attest run` collects them (the lab\n"
    "file key and its default). With --fields NAME: that source's live acquisition, its\n"
    "translation to the Elastic Defend vocabulary (--profile endpoint) and every field its\n"
    "events carry, with type and description.\n\n"
    "Exit codes: 0 ok, 2 usage error or unknown source.\n";

int run_sources(const std::vector<std::string>& args) {
    Options opts;
    opts.option("fields");
    opts.parse(args);
    if (!opts.positionals().empty())
        throw UsageError{"unexpected argument '" + opts.positionals().front() + "'"};
    if (auto name = opts.get("fields")) {
        const telemetry::SourceSpec* spec = telemetry::find_source(*name);
        if (spec == nullptr)
            throw UsageError{"unknown source '" + *name + "' (known: " + telemetry::source_names() +
                             ")"};
        std::fputs(telemetry::describe_fields(*spec).c_str(), stdout);
        return kExitOk;
    }
    std::fputs(telemetry::describe_sources().c_str(), stdout);
    return kExitOk;
}

}  // namespace

Command sources_command() {
    return Command{"sources", "list the telemetry sources, or one source's fields", kHelp,
                   run_sources};
}

}  // namespace attest::cli
