#include "expectations/attack_tactics.h"

#include <algorithm>
#include <iterator>

namespace attest::expectations {
namespace {

struct Row {
    std::string_view technique;
    std::string_view tactics;  // comma-separated
};

constexpr std::string_view kTactics[] = {"reconnaissance",  "resource-development",
                                         "initial-access",  "execution",
                                         "persistence",     "privilege-escalation",
                                         "defense-evasion", "credential-access",
                                         "discovery",       "lateral-movement",
                                         "collection",      "command-and-control",
                                         "exfiltration",    "impact"};

constexpr Row kTable[] = {
#include "expectations/attack_tactics.inc"
};

const Row* lookup(std::string_view technique) {
    auto it = std::lower_bound(std::begin(kTable), std::end(kTable), technique,
                               [](const Row& r, std::string_view t) { return r.technique < t; });
    return it != std::end(kTable) && it->technique == technique ? it : nullptr;
}

}  // namespace

std::vector<std::string> tactics_for_technique(std::string_view technique) {
    const Row* row = lookup(technique);
    if (!row) {
        auto dot = technique.find('.');
        if (dot != std::string_view::npos) row = lookup(technique.substr(0, dot));
    }
    std::vector<std::string> out;
    if (!row) return out;
    std::string_view rest = row->tactics;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        out.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return out;
}

bool is_tactic_name(std::string_view name) {
    return std::find(std::begin(kTactics), std::end(kTactics), name) != std::end(kTactics);
}

std::string tactic_names() {
    std::string out;
    for (auto t : kTactics) out += (out.empty() ? "" : ", ") + std::string(t);
    return out;
}

}  // namespace attest::expectations
