// Telemetry sources an expectation can name, and the collector datasets behind them.
// One table drives lookups, validation of expectation files and documentation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attest::expectations {

struct SourceInfo {
    std::string_view name;     // "sysmon"
    std::string_view dataset;  // event.dataset of its events
    std::string_view description;
    bool host_bound;  // events carry the lab host's name (o365 audit does not)
    bool lagging;     // known to arrive late (pending until its deadline)
};

const std::vector<SourceInfo>& source_table();
const SourceInfo* find_source(std::string_view name);
// The source whose dataset is `dataset`, or nullptr.
const SourceInfo* source_of_dataset(std::string_view dataset);
// "sysmon, powershell, ..." for messages.
std::string source_names();

}  // namespace attest::expectations
