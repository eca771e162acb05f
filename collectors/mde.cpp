// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_mde_collector(CollectorRegistry&) {}

}  // namespace attest
