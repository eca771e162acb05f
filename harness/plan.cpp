#include "harness/plan.h"

#include <algorithm>
#include <set>

#include "harness/safety.h"
#include "scenarios/selection.h"

namespace attest::run {
namespace {

namespace sc = attest::scenarios;

bool supports(const sc::AtomicTest& test, Platform p) {
    auto name = platform_name(p);
    return std::find(test.platforms.begin(), test.platforms.end(), name) != test.platforms.end();
}

std::string excluded(const std::vector<sc::RiskTag>& risks, const std::vector<std::string>& exclude) {
    for (const sc::RiskTag& r : risks)
        for (const std::string& e : exclude)
            if (e == sc::risk_name(r.risk) || (e == "destructive" && sc::is_destructive(r.risk)))
                return "risk " + std::string(sc::risk_name(r.risk)) + " (" + r.reason + ") excluded by --exclude-risks";
    return {};
}

std::vector<std::string> sensors_of(const sc::Pack& pack, const sc::AtomicTest& test) {
    std::set<std::string> names;
    for (const auto& e : pack.checks_for(test).expectations) names.insert(e.source);
    return {names.begin(), names.end()};
}

void indent_block(std::string& out, const std::string& label, const std::string& text) {
    if (text.empty()) return;
    out += "  " + label + ":\n";
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t eol = text.find('\n', start);
        std::string line = text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
        out += "    | " + line + "\n";
        if (eol == std::string::npos) break;
        start = eol + 1;
    }
}

std::string heading(const PlanEntry& e) {
    return "[" + (e.target ? e.target->name : std::string("-")) + "] " + test_label(*e.test);
}

void render_entry(std::string& out, const PlanEntry& e) {
    out += heading(e) + "\n";
    if (!e.skip_reason.empty()) {
        out += "  would be skipped: " + e.skip_reason + "\n";
        if (e.risks.empty()) return;
    }
    out += "  executor: " + e.test->executor.name + ", elevation " +
           (e.test->executor.elevation_required ? "required" : "not required") + "\n";
    std::string sensors;
    for (const std::string& s : e.sensors) sensors += (sensors.empty() ? "" : ", ") + s;
    out += "  sensors: " + (sensors.empty() ? std::string("none declared") : sensors) + "; detections: " +
           std::to_string(e.detections) + "\n";
    std::string risks;
    for (const sc::RiskTag& r : e.risks) risks += "\n    " + std::string(sc::risk_name(r.risk)) + ": " + r.reason;
    out += "  risks:" + (risks.empty() ? std::string(" none") : risks) + "\n";
    if (!e.error.empty()) out += "  error: " + e.error + "\n";
    for (const sc::Dependency& d : e.dependencies) {
        indent_block(out, "prerequisite check", d.prereq_command);
        indent_block(out, "prerequisite fetch (--get-prereqs)", d.get_prereq_command);
    }
    indent_block(out, "command", e.command);
    indent_block(out, "cleanup", e.cleanup_command);
}

}  // namespace

std::string test_label(const sc::AtomicTest& test) {
    return test.technique + " #" + std::to_string(sc::test_number(test)) + " " + test.name + " (" +
           test.guid + ")";
}

std::string placement_refusal(const Lab& lab, const TargetConfig& target, const sc::Pack& pack,
                              const sc::AtomicTest& test, const PlanOptions& options) {
    if (!supports(test, target.platform))
        return "platform not supported: the test runs on " +
               [&] {
                   std::string p;
                   for (const auto& x : test.platforms) p += (p.empty() ? "" : ", ") + x;
                   return p;
               }() +
               ", target " + target.name + " is " + std::string(platform_name(target.platform));
    auto resolved = sc::resolve_test(test, options.arguments, pack.atomics_folder);
    if (!resolved) return {};  // the runner reports the argument error as the test's error
    auto risks = test_risks(*resolved, pack.checks_for(test).risks);
    if (std::string why = excluded(risks, options.exclude_risks); !why.empty()) return why;
    return refusal(lab, target, test, risks, options.allow_destructive);
}

std::vector<PlanEntry> build_plan(const Lab& lab, const sc::Pack& pack, const std::vector<const sc::AtomicTest*>& tests,
                                  const PlanOptions& options) {
    std::vector<PlanEntry> plan;
    for (const sc::AtomicTest* test : tests) {
        for (const TargetConfig& target : lab.targets) {
            if (!options.targets.empty() &&
                std::find(options.targets.begin(), options.targets.end(), target.name) == options.targets.end())
                continue;
            PlanEntry e;
            e.test = test;
            e.target = &target;
            e.sensors = sensors_of(pack, *test);
            e.detections = pack.checks_for(*test).detections.size();
            if (auto r = sc::resolve_test(*test, options.arguments, pack.atomics_folder)) {
                e.command = r->command;
                e.cleanup_command = r->cleanup_command;
                e.dependencies = r->dependencies;
                e.risks = test_risks(*r, pack.checks_for(*test).risks);
            } else {
                e.error = r.error().message;
            }
            e.skip_reason = placement_refusal(lab, target, pack, *test, options);
            plan.push_back(std::move(e));
        }
    }
    return plan;
}

std::string render_plan(const Lab& lab, const std::vector<PlanEntry>& plan) {
    std::size_t runs = std::count_if(plan.begin(), plan.end(), [](const PlanEntry& e) { return e.skip_reason.empty(); });
    std::string out = "plan for lab " + lab.name + " (" + lab.path + "): " + std::to_string(runs) + " would run, " +
                      std::to_string(plan.size() - runs) + " would be skipped; nothing is executed\n\n";
    for (const PlanEntry& e : plan) {
        render_entry(out, e);
        out += "\n";
    }
    return out;
}

}  // namespace attest::run
