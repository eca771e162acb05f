// ATT&CK Navigator layer (layer format 4.5, domain enterprise-attack). One technique entry
// per technique and tactic tested (the scenario's `tactics`; a scenario without tactics gives
// an entry without one, which Navigator shows under every tactic of the technique, rather than
// a wrong tactic); score = coverage (reports/coverage.h) of its scenarios (for tests judged on
// their baseline expectations: the share validated); the comment lists each scenario with its
// verdict (coverage verdict for those). Techniques whose scenarios were all skipped or inconclusive
// get no score and a grey colour, so "not measured" never looks like "not detected". Parents of
// tested sub-techniques get showSubtechniques so the cell opens.
#include <map>
#include <set>

#include "reports/coverage.h"
#include "reports/reports.h"
#include "reports/text.h"

namespace attest::reports {

namespace {

constexpr const char* kColorPassed = "#8ec843";
constexpr const char* kColorPartial = "#ffe766";
constexpr const char* kColorFailed = "#ff6666";
constexpr const char* kColorNotMeasured = "#c8c8c8";

struct TechniqueCell {
    std::string technique, tactic;
    Coverage coverage;
    std::vector<std::pair<std::string, std::string>> scenarios;  // name, verdict
};

// Navigator wants tactic short names ("defense-evasion"); accept "Defense Evasion" too.
std::string tactic_shortname(const std::string& tactic) {
    std::string out;
    for (char c : tactic) {
        if (c == ' ' || c == '_')
            out.push_back('-');
        else if (c >= 'A' && c <= 'Z')
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        else if ((c >= 'a' && c <= 'z') || c == '-')
            out.push_back(c);
    }
    return out;
}

bool looks_like_technique(const std::string& id) {
    // T1234 or T1234.567
    if (id.size() != 5 && id.size() != 9) return false;
    if (id[0] != 'T') return false;
    for (std::size_t i = 1; i < 5; ++i)
        if (id[i] < '0' || id[i] > '9') return false;
    if (id.size() == 9) {
        if (id[5] != '.') return false;
        for (std::size_t i = 6; i < 9; ++i)
            if (id[i] < '0' || id[i] > '9') return false;
    }
    return true;
}

// The scenario's tactics (`tactics`, or the older single `tactic`); {""} when it has none, so
// the technique still gets its one tactic-less entry.
std::vector<std::string> scenario_tactics(const nlohmann::json& scenario) {
    std::vector<std::string> out;
    for (const auto& t : list(scenario, "tactics"))
        if (t.is_string() && !tactic_shortname(t.get<std::string>()).empty())
            out.push_back(tactic_shortname(t.get<std::string>()));
    if (out.empty() && has(scenario, "tactic"))
        out.push_back(tactic_shortname(text(scenario, "tactic")));
    if (out.empty()) out.emplace_back();
    return out;
}

using nlohmann::ordered_json;
using Cells = std::map<std::pair<std::string, std::string>, TechniqueCell>;

// One cell per (technique, tactic) of the run's scenarios; `parents_with_subs` gets
// "T1234|tactic" for each sub-technique's parent, `ignored` the scenarios without a technique id.
Cells collect_cells(const nlohmann::json& results, std::set<std::string>& parents_with_subs,
                    std::vector<std::string>& ignored) {
    Cells cells;
    for (const auto& s : list(results, "scenarios")) {
        std::string technique = text(s, "technique");
        if (!looks_like_technique(technique)) {
            ignored.push_back(text(s, "name") + " (technique '" + technique + "')");
            continue;
        }
        // A test judged on its baseline shows its coverage verdict (validated / partial / blind).
        auto judged = test_coverage(s);
        std::string verdict = judged ? judged->verdict : text(s, "verdict", "error");
        std::string name = text(s, "name", text(s, "guid"));
        if (has(s, "target")) name += " [" + text(s, "target") + "]";
        for (const auto& tactic : scenario_tactics(s)) {
            auto& cell = cells[{technique, tactic}];
            cell.technique = technique;
            cell.tactic = tactic;
            cell.coverage.add(verdict);
            cell.scenarios.emplace_back(name, verdict);
            if (technique.size() == 9)
                parents_with_subs.insert(technique.substr(0, 5) + "|" + tactic);
        }
    }
    return cells;
}

ordered_json technique_entry(const TechniqueCell& cell) {
    ordered_json t;
    t["techniqueID"] = cell.technique;
    if (!cell.tactic.empty()) t["tactic"] = cell.tactic;
    std::string comment;
    for (const auto& [name, verdict] : cell.scenarios) {
        if (!comment.empty()) comment += "\n";
        comment += verdict + ": " + name;
    }
    const Coverage& c = cell.coverage;
    if (auto score = c.rounded()) {
        t["score"] = *score;
        t["color"] = c.passed == c.measured ? kColorPassed
                     : c.passed == 0        ? kColorFailed
                                            : kColorPartial;
    } else {
        t["color"] = kColorNotMeasured;
    }
    t["comment"] = valid_utf8(comment);
    t["enabled"] = true;
    t["metadata"] =
        ordered_json::array({{{"name", "scenarios"}, {"value", std::to_string(c.total)}},
                             {{"name", "passed"}, {"value", std::to_string(c.passed)}}});
    t["links"] = ordered_json::array();
    t["showSubtechniques"] = false;
    return t;
}

// A parent technique whose sub-techniques were tested shows them expanded: its own entry
// when it has one, else an unscored entry of its own.
void add_parents(const Cells& cells, const std::set<std::string>& parents_with_subs,
                 ordered_json& techniques) {
    for (const auto& parent : parents_with_subs) {
        auto bar = parent.find('|');
        std::string technique = parent.substr(0, bar), tactic = parent.substr(bar + 1);
        if (cells.count({technique, tactic}) > 0) {
            for (auto& t : techniques)
                if (t["techniqueID"] == technique && t.value("tactic", "") == tactic)
                    t["showSubtechniques"] = true;
            continue;
        }
        ordered_json t;
        t["techniqueID"] = technique;
        if (!tactic.empty()) t["tactic"] = tactic;
        t["comment"] = "sub-techniques tested";
        t["enabled"] = true;
        t["metadata"] = ordered_json::array();
        t["links"] = ordered_json::array();
        t["showSubtechniques"] = true;
        techniques.push_back(std::move(t));
    }
}

std::string layer_description(const nlohmann::json& results, std::size_t ignored) {
    const auto& run = member(results, "run");
    std::string description = "Atomic tests validated by attest";
    if (has(run, "pack")) description += ", pack " + text(run, "pack");
    if (has(run, "lab")) description += ", lab " + text(run, "lab");
    if (has(run, "started")) description += ", " + text(run, "started");
    description += ". Coverage " + run_coverage(results).label() +
                   ". Score: share of measured (not skipped / inconclusive) scenarios that passed.";
    if (ignored != 0)
        description += " Not shown (no ATT&CK technique id): " + std::to_string(ignored) + ".";
    return valid_utf8(description);
}

// The layer's fixed presentation settings (Navigator layer format 4.5).
void set_presentation(ordered_json& layer) {
    layer["filters"] = {
        {"platforms",
         {"Windows", "Linux", "macOS", "Office Suite", "Identity Provider", "SaaS", "IaaS"}}};
    layer["sorting"] = 0;
    layer["layout"] = {{"layout", "side"},
                       {"aggregateFunction", "average"},
                       {"showID", true},
                       {"showName", true},
                       {"showAggregateScores", false},
                       {"countUnscored", false},
                       {"expandedSubtechniques", "annotated"}};
    layer["hideDisabled"] = false;
}

}  // namespace

std::string render_navigator(const nlohmann::json& results, const RenderContext&) {
    const auto& run = member(results, "run");
    std::set<std::string> parents_with_subs;
    std::vector<std::string> ignored;
    Cells cells = collect_cells(results, parents_with_subs, ignored);
    ordered_json techniques = ordered_json::array();
    for (const auto& [key, cell] : cells) techniques.push_back(technique_entry(cell));
    add_parents(cells, parents_with_subs, techniques);

    ordered_json layer;
    layer["name"] = valid_utf8("attest " + text(run, "id", "run"));
    layer["versions"] = {{"attack", "16"}, {"navigator", "5.1.0"}, {"layer", "4.5"}};
    layer["domain"] = "enterprise-attack";
    layer["description"] = layer_description(results, ignored.size());
    set_presentation(layer);
    layer["techniques"] = std::move(techniques);
    layer["gradient"] = {{"colors", {kColorFailed, kColorPartial, kColorPassed}},
                         {"minValue", 0},
                         {"maxValue", 100}};
    layer["legendItems"] = ordered_json::array(
        {{{"label", "all scenarios passed"}, {"color", kColorPassed}},
         {{"label", "some scenarios passed"}, {"color", kColorPartial}},
         {{"label", "no scenario passed"}, {"color", kColorFailed}},
         {{"label", "not measured (skipped / inconclusive)"}, {"color", kColorNotMeasured}}});
    layer["metadata"] = ordered_json::array();
    for (const char* key : {"id", "mode", "lab", "pack"})
        if (has(run, key))
            layer["metadata"].push_back({{"name", std::string("attest.run.") + key},
                                         {"value", valid_utf8(text(run, key))}});
    layer["metadata"].push_back(
        {{"name", "attest.coverage"}, {"value", run_coverage(results).label()}});
    layer["links"] = ordered_json::array();
    layer["showTacticRowBackground"] = false;
    layer["tacticRowBackground"] = "#dddddd";
    layer["selectTechniquesAcrossTactics"] = true;
    layer["selectSubtechniquesWithParent"] = false;
    layer["selectVisibleTechniques"] = false;
    return dump_json(layer, 2) + "\n";
}

}  // namespace attest::reports
