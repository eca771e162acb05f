#include "harness/cli.h"

namespace attest::cli {

// One line per command; each lives in harness/cmd_<name>.cpp.
Command events_command();
Command report_command();
Command history_command();

void register_builtin_commands(Registry& registry) {
    registry.add(events_command());
    registry.add(report_command());
    registry.add(history_command());
}

}  // namespace attest::cli
