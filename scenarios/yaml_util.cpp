#include "scenarios/yaml_util.h"

#include "core/yaml_guard.h"

#include <fstream>
#include <sstream>

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
    if (auto hazard = find_yaml_hazard(ss.str())) {
        problems.add(Code::E001, path, hazard->line, hazard->column, "", "YAML syntax error: " + hazard->message);
        return std::nullopt;
    }
    try {
        YAML::Node n = YAML::Load(ss.str());
        if (!n.IsDefined() || n.IsNull()) {
            problems.add(Code::E001, path, 0, 0, "", "the file is empty");
            return std::nullopt;
        }
        return n;
    } catch (const YAML::Exception& e) {
        problems.add(Code::E001, path, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                     e.mark.column >= 0 ? e.mark.column + 1 : 0, "", "YAML syntax error: " + e.msg);
        return std::nullopt;
    }
}

}  // namespace attest::scenarios
