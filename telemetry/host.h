// Host identity across sources: Windows writes `Computer` as an FQDN or a NetBIOS name in
// upper case, a lab file or run info may name the host either way. `SERVER002`, `server002`
// and `server002.lab.local` are one host, in both directions.
#pragma once

#include <string_view>

namespace attest::telemetry {

// ASCII case-insensitively equal, or equal first labels when one of the two names is a bare
// (dotless) host name. Two FQDNs must be equal: server002.a.local is not server002.b.local.
bool same_host(std::string_view a, std::string_view b);

}  // namespace attest::telemetry
