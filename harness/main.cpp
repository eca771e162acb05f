// attest: atomic-test validation harness and telemetry checker. Thin main: dispatches to the
// subcommands in harness/cmd_*.cpp and turns errors into exit codes in this one place.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "harness/cli.h"

namespace {

void print_usage(FILE* out) {
    std::fprintf(out,
                 "attest %s: run atomic tests on lab machines and check the telemetry they leave\n\n"
                 "usage: attest COMMAND [OPTIONS] [ARGS]\n\ncommands:\n",
                 ATTEST_VERSION);
    for (const auto& c : attest::cli::Registry::instance().all())
        std::fprintf(out, "  %-10s %s\n", c.name.c_str(), c.summary.c_str());
    std::fprintf(out, "\nattest COMMAND --help shows a command's options.\n"
                      "exit codes: 0 ok, 1 checks failed, 2 usage or input error\n");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace attest::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_usage(stderr);
        return kExitUsage;
    }
    if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        if (args.size() > 1) {
            if (const Command* c = Registry::instance().find(args[1])) {
                std::fputs(c->help.c_str(), stdout);
                return kExitOk;
            }
        }
        print_usage(stdout);
        return kExitOk;
    }
    if (args[0] == "--version") {
        std::printf("attest %s\n", ATTEST_VERSION);
        return kExitOk;
    }
    const Command* cmd = Registry::instance().find(args[0]);
    if (cmd == nullptr) {
        std::vector<std::string> names;
        for (const auto& c : Registry::instance().all()) names.push_back(c.name);
        std::string hint = closest_name(args[0], names);
        std::fprintf(stderr, "attest: unknown command '%s'%s\n'attest --help' lists the commands\n", args[0].c_str(),
                     hint.empty() ? "" : (" (did you mean '" + hint + "'?)").c_str());
        return kExitUsage;
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& a : rest)
        if (a == "-h" || a == "--help") {
            std::fputs(cmd->help.c_str(), stdout);
            return kExitOk;
        }
    try {
        return cmd->run(rest);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "attest %s: %s\n(see 'attest %s --help')\n", cmd->name.c_str(),
                     e.message.c_str(), cmd->name.c_str());
        return kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attest %s: error: %s\n", cmd->name.c_str(), e.what());
        return kExitUsage;
    }
}
