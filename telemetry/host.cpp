#include "telemetry/host.h"

#include "core/text.h"

namespace attest::telemetry {

namespace {

std::string_view first_label(std::string_view name) {
    return name.substr(0, name.find('.'));
}

}  // namespace

bool same_host(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    if (iequals(a, b)) return true;
    bool a_bare = a.find('.') == std::string_view::npos;
    bool b_bare = b.find('.') == std::string_view::npos;
    if (!a_bare && !b_bare) return false;
    return iequals(first_label(a), first_label(b));
}

}  // namespace attest::telemetry
