#include "harness/cli.h"

namespace attest::cli {

// One line per command; each lives in harness/cmd_<name>.cpp.
Command events_command();
Command query_command();
Command report_command();
Command history_command();
Command check_command();
Command validate_command();
Command list_command();
Command run_command();
Command recheck_command();
Command sources_command();
Command ship_command();
Command alerts_command();
Command lab_command();
Command rules_command();

void register_builtin_commands(Registry& registry) {
    registry.add(events_command());
    registry.add(query_command());
    registry.add(report_command());
    registry.add(history_command());
    registry.add(check_command());
    registry.add(validate_command());
    registry.add(list_command());
    registry.add(run_command());
    registry.add(recheck_command());
    registry.add(sources_command());
    registry.add(ship_command());
    registry.add(alerts_command());
    registry.add(lab_command());
    registry.add(rules_command());
}

}  // namespace attest::cli
