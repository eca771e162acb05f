// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_o365_collector(CollectorRegistry&) {}

}  // namespace attest
