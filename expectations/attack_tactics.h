// ATT&CK tactics of a technique, from the table the project ships (attack_tactics.inc,
// regenerated from MITRE's STIX data by scripts/attack_tactics.py). A scenario's `tactics:` in
// the pack overrides it; a technique the table does not know gets no tactic rather than a
// guessed one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attest::expectations {

// Tactic short names ("discovery", "defense-evasion") in kill-chain order. A sub-technique
// (T1552.001) not listed itself takes its parent's (T1552) tactics. Empty when unknown.
std::vector<std::string> tactics_for_technique(std::string_view technique);

// The enterprise tactic short names, kill-chain order.
bool is_tactic_name(std::string_view name);
std::string tactic_names();  // "reconnaissance, resource-development, ..." for messages

}  // namespace attest::expectations
