// `--mapping FILE`, shared by every command that evaluates rules (query, check, run, rules lint).
#pragma once

#include <memory>
#include <string_view>

#include "expectations/eql/field_types.h"
#include "harness/cli.h"

namespace attest::cli {

// Loads the mapping named by --mapping into `out` (left null without the option). On a bad
// mapping prints "attest COMMAND: file:line:column: ..." and returns false.
bool load_mapping_option(const Options& opts, std::string_view command,
                         std::shared_ptr<const eql::FieldTypes>& out);

}  // namespace attest::cli
