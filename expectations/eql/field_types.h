// Field types for rule evaluation: an Elasticsearch index mapping (`GET index/_mapping`
// output, `--mapping FILE` or a pack's `mapping:`) or, without one, the ECS field table
// (generated into ecs_types.cpp by scripts/gen-ecs-types.py). EQL compares date and version
// fields by their type; KQL matching depends on it entirely (shared/spec/kql.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/expected.h"
#include "core/value.h"

namespace attest::eql {

enum class FieldType { Unknown, Keyword, Text, Date, Version, Ip, Number, Boolean, Object, Other };

// The family of an Elasticsearch type name: keyword / constant_keyword / wildcard → Keyword,
// text / match_only_text → Text, long / float / scaled_float ... → Number, and so on.
FieldType field_type_family(std::string_view es_type);

struct FieldInfo {
    FieldType type = FieldType::Unknown;
    std::string es_type;              // as the mapping (or ECS) names it
    std::optional<Value> null_value;  // what a missing or null value reads as
    // A multi-field (`process.command_line.text`) indexes its parent's value: the parent's path.
    std::string multi_field_of;
};

class FieldTypes {
public:
    // ECS types only (no mapping).
    FieldTypes() = default;

    // Parses mapping JSON: `{"index": {"mappings": {"properties": ...}}}` (several indices are
    // merged), `{"mappings": ...}` or `{"properties": ...}`. Multi-fields become `f.sub`;
    // aliases take their target's type. Errors name origin:line:column.
    static Expected<std::shared_ptr<const FieldTypes>> parse_mapping(std::string_view json,
                                                                     std::string_view origin);
    static Expected<std::shared_ptr<const FieldTypes>> load_mapping(const std::string& path);

    // The field's type: the mapping's when there is one, else ECS's, else the few integration
    // fields that are text (the Windows integration's powershell.file.script_block_text);
    // Unknown when none names it. A mapping does not hide the types of fields it does not list.
    FieldInfo lookup(std::string_view field) const;
    bool has_mapping() const { return !m_fields.empty(); }
    // Whether the index has the field. With a mapping: it lists the field. Without one the
    // index is unknown, so only ECS fields are known to exist.
    bool index_has(std::string_view field) const;

private:
    std::unordered_map<std::string, FieldInfo> m_fields;
};

// ECS's type name for a field; empty when ECS does not define it.
std::string_view ecs_field_type(std::string_view field);

// Semantic-version ordering (Elasticsearch `version` fields): major.minor.patch numerically,
// a pre-release before its release, pre-release identifiers numerically or lexically;
// strings that are not versions sort after every version, lexically.
int compare_versions(std::string_view a, std::string_view b);

// A date value in ns since the epoch: an ISO-8601 string (a bare date is midnight UTC), or
// epoch milliseconds as a number or a numeric string.
std::optional<std::int64_t> date_value_ns(const Value& v);

namespace detail {
struct EcsFieldRow {
    const char* field;
    const char* type;
};
extern const EcsFieldRow kEcsFields[];
extern const std::size_t kEcsFieldCount;
}  // namespace detail

}  // namespace attest::eql
