#include "harness/safety.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "scenarios/selection.h"

namespace attest::run {
namespace {

namespace sc = attest::scenarios;

// A deny_tests entry: a technique (`T1114.001`), a numbered test (`T1114.001#3`), a test
// name (case-insensitive) or a GUID prefix.
bool denies(const std::string& entry, const sc::AtomicTest& test) {
    std::string e = ascii_lowercase(entry);
    std::string technique = ascii_lowercase(test.technique);
    if (e == technique) return true;
    if (e == technique + "#" + std::to_string(sc::test_number(test))) return true;
    if (e == ascii_lowercase(test.name)) return true;
    return e.size() >= 8 && test.guid.rfind(e, 0) == 0;
}

std::string where(const SafetyPolicy& p) {
    return p.line > 0 ? " (" + p.file + ":" + std::to_string(p.line) + ")" : "";
}

}  // namespace

std::vector<sc::RiskTag> test_risks(const sc::ResolvedTest& test,
                                    const std::vector<std::string>& declared) {
    const std::string& executor = test.test->executor.name;
    std::vector<sc::RiskTag> tags =
        sc::derive_risks(sc::analyze_command(executor, test.command), test.command);
    for (sc::RiskTag& t : sc::derive_risks(sc::analyze_command(executor, test.cleanup_command),
                                           test.cleanup_command))
        if (std::none_of(tags.begin(), tags.end(),
                         [&](const sc::RiskTag& x) { return x.risk == t.risk; }))
            tags.push_back({t.risk, "cleanup: " + t.reason});
    for (const std::string& name : declared) {
        auto risk = sc::parse_risk(name);
        if (risk && std::none_of(tags.begin(), tags.end(),
                                 [&](const sc::RiskTag& x) { return x.risk == *risk; }))
            tags.push_back({*risk, "declared by the pack"});
    }
    std::sort(tags.begin(), tags.end(),
              [](const sc::RiskTag& a, const sc::RiskTag& b) { return a.risk < b.risk; });
    return tags;
}

std::string refusal(const Lab& lab, const TargetConfig& target, const sc::AtomicTest& test,
                    const std::vector<sc::RiskTag>& risks, bool allow_destructive) {
    for (const std::string& entry : lab.safety.deny_tests)
        if (denies(entry, test)) return "denied by the lab (deny_tests: " + entry + ")";
    for (const sc::RiskTag& r : risks) {
        std::string name(sc::risk_name(r.risk));
        const auto& allowed = lab.safety.allow_risks;
        if (allowed && std::none_of(allowed->begin(), allowed->end(), [&](const std::string& a) {
                return ascii_lowercase(a) == name;
            }))
            return "risk " + name + " (" + r.reason + ") is not in the lab's allow_risks" +
                   where(lab.safety);
        if (sc::is_destructive(r.risk) && !target.can_revert() && !allow_destructive)
            return "destructive: " + name + " (" + r.reason + "), and target " + target.name +
                   " has no snapshot to revert to; --allow-destructive runs it anyway";
    }
    return {};
}

}  // namespace attest::run
