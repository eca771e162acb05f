// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_sysmon_linux_collector(CollectorRegistry&) {}

}  // namespace attest
