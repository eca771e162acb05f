#include "harness/run_modes.h"

#include <algorithm>
#include <map>

#include "harness/cli.h"

namespace attest::cli {
namespace {

std::string text_of(const Value& v, const char* key) {
    const Value* x = v.get(key);
    return x && x->is_string() ? x->as_string() : std::string();
}

// The words the report prints for each outcome, and its colour (as a verdict's).
struct OutcomeText {
    const char* outcome;
    const char* shown;
    const char* verdict;  // the verdict whose colour it takes
};
constexpr OutcomeText kOutcomes[] = {
    {"met", "prerequisites met", "passed"},
    {"unmet", "prerequisites not met", "failed"},
    {"cleaned", "cleanup done", "passed"},
    {"failed", "cleanup failed", "failed"},
    {"no_cleanup", "no cleanup command", "skipped"},
    {"skipped", "skipped", "skipped"},
    {"error", "error", "error"},
};

const OutcomeText& outcome_text(const std::string& outcome) {
    for (const auto& o : kOutcomes)
        if (outcome == o.outcome) return o;
    return kOutcomes[std::size(kOutcomes) - 1];
}

void render_prerequisites(std::string& out, const Value& record) {
    const Value* prereqs = record.get("prerequisites");
    if (!prereqs || !prereqs->is_array()) return;
    for (const Value& p : prereqs->as_array()) {
        const Value* met = p.get("met");
        bool ok = met && met->is_bool() && met->as_bool();
        std::string description = text_of(p, "description");
        if (auto nl = description.find('\n'); nl != std::string::npos) description.resize(nl);
        out += std::string("    ") + (ok ? "met:     " : "not met: ") + description + "\n";
    }
}

}  // namespace

std::string render_mode_report(run::Mode mode, const std::vector<Value>& records, FILE* stream) {
    std::vector<const Value*> sorted;
    for (const Value& r : records) sorted.push_back(&r);
    // Pack order is lost when targets finish at different times: sort by test, then target.
    std::stable_sort(sorted.begin(), sorted.end(), [](const Value* a, const Value* b) {
        return std::pair(text_of(*a, "test"), text_of(*a, "target")) <
               std::pair(text_of(*b, "test"), text_of(*b, "target"));
    });
    std::string out;
    std::map<std::string, int> counts;
    for (const Value* r : sorted) {
        const std::string outcome = text_of(*r, "outcome");
        const OutcomeText& shown = outcome_text(outcome);
        ++counts[shown.shown];
        std::string reason = text_of(*r, "reason");
        out += "[" + text_of(*r, "target") + "] " + text_of(*r, "test") + ": " +
               paint(shown.shown, verdict_colour(shown.verdict), stream) +
               (reason.empty() || outcome == "unmet" ? "" : " (" + reason + ")") + "\n";
        if (mode == run::Mode::CheckPrereqs && outcome != "met") render_prerequisites(out, *r);
    }
    std::string summary;
    for (const auto& o : kOutcomes)
        if (auto it = counts.find(o.shown); it != counts.end())
            summary += (summary.empty() ? "" : ", ") + std::to_string(it->second) + " " + o.shown;
    out += std::string(mode == run::Mode::CheckPrereqs ? "check-prereqs" : "cleanup") + ": " +
           (summary.empty() ? "no tests" : summary) + "\n";
    return out;
}

int mode_exit_code(const std::vector<Value>& records) {
    int code = kExitOk;
    for (const Value& r : records) {
        const std::string outcome = text_of(r, "outcome");
        if (outcome == "error") return kExitUsage;
        if (outcome == "unmet" || outcome == "failed") code = kExitFailed;
    }
    return code;
}

}  // namespace attest::cli
