#include "scenarios/yaml_util.h"

#include <fstream>
#include <sstream>

#include "core/yaml_load.h"

namespace attest::scenarios {

std::pair<std::uint64_t, std::uint64_t> node_position(const YAML::Node& node) {
    if (!node.IsDefined()) return {0, 0};
    const YAML::Mark m = node.Mark();
    if (m.line < 0 || m.column < 0) return {0, 0};
    return {static_cast<std::uint64_t>(m.line) + 1, static_cast<std::uint64_t>(m.column) + 1};
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, Problems& problems) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problems.add(Code::E001, path, 0, 0, "", "cannot read the file");
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    YamlDocuments yaml = load_one_yaml(ss.str());
    if (yaml.error) {
        problems.add(Code::E001, path, yaml.error->line, yaml.error->column, "",
                     "YAML syntax error: " + yaml.error->message);
        return std::nullopt;
    }
    if (yaml.documents.empty() || yaml.documents.front().IsNull()) {
        problems.add(Code::E001, path, 0, 0, "", "the file is empty");
        return std::nullopt;
    }
    return yaml.documents.front();
}

}  // namespace attest::scenarios
