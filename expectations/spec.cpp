#include "expectations/spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace attest::expectations {

std::optional<std::int64_t> parse_duration_ns(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t n = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (r.ec != std::errc() || n < 0) return std::nullopt;
    std::string_view unit(r.ptr, static_cast<std::size_t>(text.data() + text.size() - r.ptr));
    std::int64_t mult = 0;
    if (unit.empty() && n == 0) mult = 1;
    else if (unit == "ms") mult = 1'000'000LL;
    else if (unit == "s") mult = 1'000'000'000LL;
    else if (unit == "m") mult = 60'000'000'000LL;
    else if (unit == "h") mult = 3'600'000'000'000LL;
    else if (unit == "d") mult = 86'400'000'000'000LL;
    else return std::nullopt;
    if (n > INT64_MAX / mult) return std::nullopt;
    return n * mult;
}

bool is_secret_argument(const ScenarioChecks& checks, std::string_view name) {
    if (std::find(checks.secrets.begin(), checks.secrets.end(), name) != checks.secrets.end())
        return true;
    std::string lower(name);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* word : {"password", "passwd", "secret", "token", "api_key", "apikey",
                             "access_key", "credential"})
        if (lower.find(word) != std::string::npos) return true;
    return false;
}

}  // namespace attest::expectations
