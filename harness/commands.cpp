#include "harness/cli.h"

namespace attest::cli {

// One line per command; each lives in harness/cmd_<name>.cpp.
Command events_command();

void register_builtin_commands(Registry& registry) {
    registry.add(events_command());
}

}  // namespace attest::cli
