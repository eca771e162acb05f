#include "expectations/spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace attest::expectations {

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
