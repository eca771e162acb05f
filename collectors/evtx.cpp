// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_evtx_collector(CollectorRegistry&) {}

}  // namespace attest
