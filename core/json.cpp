#include "core/json.h"

namespace attest {

Value parse_json_value(std::string_view text) {
    return value_from_json(nlohmann::ordered_json::parse(text.begin(), text.end()));
}

}  // namespace attest
