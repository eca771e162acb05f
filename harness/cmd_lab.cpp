// attest lab: the VMs a lab's qemu targets run (status, stop). A run powers its VMs off at
// the end unless the lab says keep_running: true; `attest lab stop` stops those.
#include <algorithm>
#include <cstdio>
#include <string>

#include "harness/cli.h"
#include "harness/lab.h"
#include "harness/qemu.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest lab status|stop [--lab LAB.yaml] [--target NAME]...\n\n"
    "status  says, for every qemu target of the lab, whether its VM runs (pid, state directory)\n"
    "stop    powers those VMs off (QMP quit, then by pid) and waits until they are gone\n\n"
    "options:\n"
    "  --lab FILE     lab file (default labs/qemu.yaml)\n"
    "  --target NAME  only this target (repeatable)\n";

int run_lab(const std::vector<std::string>& args) {
    Options opts;
    opts.option("lab").multi("target");
    opts.parse(args);
    if (opts.positionals().size() != 1 ||
        (opts.positionals()[0] != "stop" && opts.positionals()[0] != "status"))
        throw UsageError{"expected `status` or `stop`"};
    const bool stop = opts.positionals()[0] == "stop";
    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    auto lab = run::load_lab(opts.get_or("lab", "labs/qemu.yaml"), sink);
    if (!lab) {
        std::fprintf(stderr, "attest lab: %s\n", lab.error().message.c_str());
        return kExitUsage;
    }
    const auto& only = opts.all("target");
    for (const auto& name : only)
        if (lab->target(name) == nullptr)
            throw UsageError{"no target '" + name + "' in " + lab->path};
    int problems = 0;
    for (const auto& t : lab->targets) {
        if (!t.qemu || (!only.empty() && std::find(only.begin(), only.end(), t.name) == only.end()))
            continue;
        auto state = run::QemuVm::state_dir_for(t, lab->dir);
        if (!state) {
            std::fprintf(stderr, "attest lab: %s\n", state.error().message.c_str());
            ++problems;
            continue;
        }
        std::string what;
        if (stop)
            run::QemuVm::stop_in(*state, &what);
        else
            what = run::QemuVm::describe(*state);
        std::printf("%s: %s (%s)\n", t.name.c_str(), what.c_str(), state->c_str());
    }
    return problems ? kExitFailed : kExitOk;
}

}  // namespace

Command lab_command() {
    return Command{"lab", "status and stop of the lab's VMs (qemu targets)", kHelp, run_lab};
}

}  // namespace attest::cli
