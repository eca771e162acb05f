#include "harness/mapping_option.h"

#include <cstdio>
#include <string>

namespace attest::cli {

bool load_mapping_option(const Options& opts, std::string_view command,
                         std::shared_ptr<const eql::FieldTypes>& out) {
    auto path = opts.get("mapping");
    if (!path) return true;
    auto types = eql::FieldTypes::load_mapping(*path);
    if (!types) {
        std::fprintf(stderr, "attest %s: %s\n", std::string(command).c_str(),
                     types.error().message.c_str());
        return false;
    }
    out = *types;
    return true;
}

}  // namespace attest::cli
