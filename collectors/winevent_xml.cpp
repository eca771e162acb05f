// Placeholder: registers nothing yet.
#include "collectors/builtin.h"

namespace attest {

void register_winevent_xml_collector(CollectorRegistry&) {}

}  // namespace attest
