// The field names a detection rule's query reads (EQL and KQL, through their parsers), with
// their positions, so that a misspelt field (`process.nme`) can be reported with the nearest
// known one instead of a rule that silently never fires.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "expectations/eql/rule.h"

namespace attest::rules {

struct FieldRef {
    std::string name;        // dotted path as written (KQL nested fields made absolute)
    std::uint64_t line = 1;  // in the rule file (the query's own position added)
    std::uint64_t column = 1;
};

// Every field the rule's query and filters name, once each, in order of first appearance.
// Empty for a query that does not parse (its error is reported elsewhere) and for languages
// other than EQL and KQL.
std::vector<FieldRef> query_fields(const eql::Rule& rule);

// Whether anything is known to write `field`: ECS, a telemetry source's field table
// (telemetry/sources), or `types` (an index mapping, may be null). KQL wildcards in a field
// name (`process.*`) count as known.
bool known_field(const std::string& field, const eql::FieldTypes* types);

// Every field name known without a mapping (ECS and the source tables), sorted, for the
// nearest-name hint.
const std::vector<std::string>& known_field_names();

}  // namespace attest::rules
