// Small yaml-cpp helpers shared by the scenario and expectation loaders.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "scenarios/problems.h"

namespace attest::scenarios {

// 1-based line and column of a node (0, 0 when the node has no mark).
std::pair<std::uint64_t, std::uint64_t> node_position(const YAML::Node& node);

// Reads and parses a YAML file; an unreadable file or a syntax error becomes an E001 problem
// with the position yaml-cpp reports.
std::optional<YAML::Node> load_yaml_file(const std::string& path, Problems& problems);

}  // namespace attest::scenarios
