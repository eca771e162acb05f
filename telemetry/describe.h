// The source table as text, for `attest sources` and docs: one line per source, or one
// source's live acquisition, vocabulary and fields.
#pragma once

#include <string>

#include "telemetry/source_spec.h"

namespace attest::telemetry {

// NAME, DATASETS, FORMATS, LAG (lagging or not), HOST (host-bound), LIVE (lab key and default
// location), one row per source.
std::string describe_sources();
// One source: its facts, live acquisition, endpoint vocabulary and field table.
std::string describe_fields(const SourceSpec& spec);

}  // namespace attest::telemetry
