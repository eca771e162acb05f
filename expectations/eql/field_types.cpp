#include "expectations/eql/field_types.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/diagnostics.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/eql/functions.h"

namespace attest::eql {

FieldType field_type_family(std::string_view t) {
    struct Row {
        const char* name;
        FieldType type;
    };
    static const Row kRows[] = {
        {"keyword", FieldType::Keyword},
        {"constant_keyword", FieldType::Keyword},
        {"wildcard", FieldType::Keyword},
        {"text", FieldType::Text},
        {"match_only_text", FieldType::Text},
        {"date", FieldType::Date},
        {"date_nanos", FieldType::Date},
        {"version", FieldType::Version},
        {"ip", FieldType::Ip},
        {"long", FieldType::Number},
        {"integer", FieldType::Number},
        {"short", FieldType::Number},
        {"byte", FieldType::Number},
        {"double", FieldType::Number},
        {"float", FieldType::Number},
        {"half_float", FieldType::Number},
        {"scaled_float", FieldType::Number},
        {"unsigned_long", FieldType::Number},
        {"boolean", FieldType::Boolean},
        {"object", FieldType::Object},
        {"nested", FieldType::Object},
        {"flattened", FieldType::Keyword},
    };
    for (const auto& r : kRows)
        if (t == r.name) return r.type;
    return t.empty() ? FieldType::Unknown : FieldType::Other;
}

std::string_view ecs_field_type(std::string_view field) {
    const auto* begin = detail::kEcsFields;
    const auto* end = begin + detail::kEcsFieldCount;
    const auto* it =
        std::lower_bound(begin, end, field, [](const detail::EcsFieldRow& r, std::string_view f) {
            return std::string_view(r.field) < f;
        });
    if (it == end || std::string_view(it->field) != field) return {};
    return it->type;
}

namespace {

struct MappingError {
    std::string message;
};

// Walks `properties` recursively, recording every leaf (and multi-field) by dotted path.
class MappingWalker {
public:
    explicit MappingWalker(std::unordered_map<std::string, FieldInfo>& out) : m_out(out) {}

    void properties(const Value& props, const std::string& prefix, int depth) {
        if (depth > 64) throw MappingError{"mapping nested too deeply"};
        if (!props.is_object())
            throw MappingError{"'properties' of '" + prefix + "' is not an object"};
        for (const auto& m : props.as_object())
            field(prefix.empty() ? m.key : prefix + "." + m.key, m.value, depth);
    }

    void resolve_aliases() {
        for (auto& [name, target] : m_aliases) {
            auto it = m_out.find(target);
            if (it != m_out.end()) m_out[name] = it->second;
        }
    }

private:
    void field(const std::string& path, const Value& def, int depth) {
        if (!def.is_object()) throw MappingError{"the mapping of '" + path + "' is not an object"};
        const Value* type = def.get("type");
        if (type && type->is_string() && type->as_string() == "alias") {
            if (const Value* p = def.get("path"); p && p->is_string())
                m_aliases.emplace_back(path, p->as_string());
            return;
        }
        if (const Value* props = def.get("properties")) properties(*props, path, depth + 1);
        if (type && type->is_string()) {
            FieldInfo info;
            info.es_type = type->as_string();
            info.type = field_type_family(info.es_type);
            if (const Value* nv = def.get("null_value"); nv && !nv->is_null())
                info.null_value = *nv;
            m_out[path] = std::move(info);
        } else if (def.get("properties")) {
            m_out[path] = FieldInfo{FieldType::Object, "object", std::nullopt, ""};
        }
        if (const Value* multi = def.get("fields")) {
            if (!multi->is_object())
                throw MappingError{"'fields' of '" + path + "' is not an object"};
            for (const auto& m : multi->as_object()) {
                field(path + "." + m.key, m.value, depth + 1);
                if (auto it = m_out.find(path + "." + m.key); it != m_out.end())
                    it->second.multi_field_of = path;
            }
        }
    }

    std::unordered_map<std::string, FieldInfo>& m_out;
    std::vector<std::pair<std::string, std::string>> m_aliases;
};

// The `properties` objects of a mapping document, whichever of the three shapes it has.
std::vector<const Value*> mapping_properties(const Value& doc) {
    if (!doc.is_object()) throw MappingError{"a mapping is a JSON object"};
    if (const Value* p = doc.get("properties")) return {p};
    if (const Value* m = doc.get("mappings")) return mapping_properties(*m);
    std::vector<const Value*> out;
    for (const auto& idx : doc.as_object()) {
        const Value* m = idx.value.is_object() ? idx.value.get("mappings") : nullptr;
        if (m == nullptr) throw MappingError{"index '" + idx.key + "' has no 'mappings'"};
        if (const Value* p = m->get("properties")) out.push_back(p);
    }
    if (out.empty()) throw MappingError{"no 'properties' in the mapping"};
    return out;
}

}  // namespace

Expected<std::shared_ptr<const FieldTypes>> FieldTypes::parse_mapping(std::string_view json,
                                                                      std::string_view origin) {
    Value doc;
    try {
        doc = parse_json_value(json);
    } catch (const nlohmann::json::parse_error& e) {
        std::uint64_t line = 0, column = 0;
        offset_to_line_column(json, e.byte > 0 ? e.byte - 1 : 0, line, column);
        return make_error(std::string(origin) + ":" + std::to_string(line) + ":" +
                          std::to_string(column) + ": invalid JSON in the mapping: " + e.what());
    }
    auto types = std::make_shared<FieldTypes>();
    try {
        MappingWalker w(types->m_fields);
        for (const Value* p : mapping_properties(doc)) w.properties(*p, "", 0);
        w.resolve_aliases();
    } catch (const MappingError& e) {
        return make_error(std::string(origin) + ": " + e.message);
    }
    if (types->m_fields.empty())
        return make_error(std::string(origin) + ": the mapping defines no field");
    return std::shared_ptr<const FieldTypes>(std::move(types));
}

Expected<std::shared_ptr<const FieldTypes>> FieldTypes::load_mapping(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot open the mapping file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_mapping(ss.str(), path);
}

// Integration fields that ECS does not define but whose type changes how KQL matches them.
struct IntegrationField {
    const char* field;
    const char* type;
};
const IntegrationField kIntegrationFields[] = {
    {"powershell.file.script_block_text", "match_only_text"},
};

FieldInfo FieldTypes::lookup(std::string_view field) const {
    if (auto it = m_fields.find(std::string(field)); it != m_fields.end()) return it->second;
    std::string_view ecs = ecs_field_type(field);
    for (const auto& f : kIntegrationFields)
        if (ecs.empty() && field == f.field) ecs = f.type;
    FieldInfo info{field_type_family(ecs), std::string(ecs), std::nullopt, ""};
    // ECS's `.text` multi-fields: `process.command_line.text` reads process.command_line.
    constexpr std::string_view kText = ".text";
    if (field.size() > kText.size() && field.substr(field.size() - kText.size()) == kText) {
        std::string_view parent = field.substr(0, field.size() - kText.size());
        if (!ecs_field_type(parent).empty() && info.type == FieldType::Text)
            info.multi_field_of = parent;
    }
    return info;
}

bool FieldTypes::index_has(std::string_view field) const {
    if (has_mapping()) return m_fields.count(std::string(field)) > 0;
    return !ecs_field_type(field).empty();
}

namespace {

struct SemVer {
    std::uint64_t part[3] = {};
    std::vector<std::string_view> pre;
};

bool parse_number_part(std::string_view s, std::uint64_t& out) {
    if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::optional<SemVer> parse_semver(std::string_view s) {
    if (auto plus = s.find('+'); plus != std::string_view::npos) s = s.substr(0, plus);
    std::string_view pre;
    if (auto dash = s.find('-'); dash != std::string_view::npos) {
        pre = s.substr(dash + 1);
        s = s.substr(0, dash);
        if (pre.empty()) return std::nullopt;
    }
    SemVer v;
    for (int i = 0; i < 3; ++i) {
        auto dot = s.find('.');
        std::string_view part = i < 2 ? s.substr(0, dot) : s;
        if ((i < 2 && dot == std::string_view::npos) || !parse_number_part(part, v.part[i]))
            return std::nullopt;
        if (i < 2) s.remove_prefix(dot + 1);
    }
    while (!pre.empty()) {
        auto dot = pre.find('.');
        std::string_view id = pre.substr(0, dot);
        if (id.empty()) return std::nullopt;
        v.pre.push_back(id);
        pre = dot == std::string_view::npos ? std::string_view() : pre.substr(dot + 1);
    }
    return v;
}

int compare_pre(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    if (a.empty() != b.empty())
        return a.empty() ? 1 : -1;  // a release sorts after its pre-releases
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        std::uint64_t x = 0, y = 0;
        bool xn = parse_number_part(a[i], x), yn = parse_number_part(b[i], y);
        if (xn && yn && x != y) return x < y ? -1 : 1;
        if (xn != yn) return xn ? -1 : 1;  // numeric identifiers sort first
        if (!xn && a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
    auto va = parse_semver(a), vb = parse_semver(b);
    if (!va || !vb) {
        if (va.has_value() != vb.has_value()) return va ? -1 : 1;
        return a == b ? 0 : a < b ? -1 : 1;
    }
    for (int i = 0; i < 3; ++i)
        if (va->part[i] != vb->part[i]) return va->part[i] < vb->part[i] ? -1 : 1;
    return compare_pre(va->pre, vb->pre);
}

// A date field's value as Elasticsearch reads it: what timestamp_value_ns() reads (ISO-8601,
// epoch milliseconds as a number or text), and a bare `yyyy-MM-dd` as that day's start.
std::optional<std::int64_t> date_value_ns(const Value& v) {
    if (v.is_string()) {
        const std::string& s = v.as_string();
        if (s.size() == 10 && s[4] == '-' && s[7] == '-') return parse_iso8601_ns(s + "T00:00:00Z");
    }
    return timestamp_value_ns(v);
}

}  // namespace attest::eql
