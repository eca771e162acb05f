// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_auditd_collector(CollectorRegistry&) {}

}  // namespace attest
