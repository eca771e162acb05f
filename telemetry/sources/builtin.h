// The built-in sources, one function per file in this folder (telemetry/sources/<name>.cpp).
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "telemetry/source_spec.h"

namespace attest::telemetry {

const SourceSpec& sysmon_source();        // sysmon.cpp
const SourceSpec& powershell_source();    // powershell.cpp
const SourceSpec& security_source();      // security.cpp
const SourceSpec& o365_source();          // o365.cpp
const SourceSpec& mde_source();           // mde.cpp
const SourceSpec& auditd_source();        // auditd.cpp
const SourceSpec& sysmon_linux_source();  // sysmon_linux.cpp

// Every source an agent ships to Elasticsearch can be read back from there: its documents are
// ECS already, so the ndjson collector reads them. Last in each `live` list (the first entry
// gives the default location).
inline const LiveAcquisition kFromElasticsearch{Acquisition::Elasticsearch, "ndjson", "", ""};

// Groups of common field names: every source's provenance and dataset fields, and the System
// fields of every Windows event rendering.
enum FieldGroup : unsigned { kBaseFields = 1, kWinlogFields = 2 };
// The fields of `groups` and `names` (declared once, in common_fields.cpp), followed by the
// source's own native fields.
std::vector<FieldSpec> with_common_fields(unsigned groups,
                                          std::initializer_list<std::string_view> names,
                                          std::vector<FieldSpec> native);

}  // namespace attest::telemetry
