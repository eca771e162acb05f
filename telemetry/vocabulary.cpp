#include "telemetry/vocabulary.h"

#include "core/text.h"
#include "telemetry/sources.h"

namespace attest::telemetry {

namespace {

Value string_array(const std::vector<std::string_view>& items) {
    Array a;
    a.reserve(items.size());
    for (auto s : items) a.emplace_back(s);
    return Value(std::move(a));
}

}  // namespace

const VocabularyRule* endpoint_rule(const SourceSpec& spec, const Event& event) {
    if (spec.endpoint_vocabulary.empty()) return nullptr;
    const Value* code = event.find("event.code");
    if (code == nullptr || !code->is_string()) return nullptr;
    for (const auto& rule : spec.endpoint_vocabulary) {
        if (rule.code != code->as_string()) continue;
        if (rule.when_field.empty()) return &rule;
        const Value* v = event.find(rule.when_field);
        if (v != nullptr && v->is_string() && iequals(v->as_string(), rule.when_value))
            return &rule;
    }
    return nullptr;
}

void translate(Event& event, Profile profile) {
    if (profile != Profile::Endpoint) return;
    const Value* dataset = event.find("event.dataset");
    if (dataset == nullptr || !dataset->is_string()) return;
    const SourceSpec* spec = source_of_dataset(dataset->as_string());
    if (spec == nullptr) return;
    const VocabularyRule* rule = endpoint_rule(*spec, event);
    if (rule == nullptr) return;
    event.set("event.action", Value(rule->action));
    if (!rule->category.empty()) event.set("event.category", string_array(rule->category));
    if (!rule->type.empty()) event.set("event.type", string_array(rule->type));
}

}  // namespace attest::telemetry
