// A guard in front of yaml-cpp 0.7 (Debian 12): it never returns on some invalid documents in
// which a line starts with `,` outside a flow collection (found by the Sigma fuzzer, e.g.
// "    sel:\n,ogsource:"). YAML does not allow a plain scalar to start with `,`, so such a
// line is a syntax error anyway: the loaders report it with its position instead of handing
// the text to the library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace attest {

struct YamlHazard {
    std::uint64_t line = 0;    // 1-based
    std::uint64_t column = 0;  // 1-based
    std::string message;
};

// The first line that holds a control character YAML does not allow (NUL, ...: another input
// yaml-cpp never returns on) or that begins (after its indentation) with `,` outside a flow
// collection, a quoted scalar and a block scalar; nullopt when there is none.
std::optional<YamlHazard> find_yaml_hazard(std::string_view text);

}  // namespace attest
