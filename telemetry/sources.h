// The registry of telemetry sources: every SourceSpec declared in telemetry/sources/, in one
// list. Lookups by name, by dataset and by collector.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "telemetry/source_spec.h"

namespace attest::telemetry {

// Every source, in the order `attest sources` lists them.
const std::vector<const SourceSpec*>& all_sources();
const SourceSpec* find_source(std::string_view name);
// The source whose datasets include `dataset`, or nullptr.
const SourceSpec* source_of_dataset(std::string_view dataset);
// The sources a collector (format) produces events of.
std::vector<const SourceSpec*> sources_of_collector(std::string_view collector);
// "sysmon, powershell, ..." for messages.
std::string source_names();

}  // namespace attest::telemetry
