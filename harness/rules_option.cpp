#include "harness/rules_option.h"

#include <cstdio>

namespace attest::cli {

bool load_rules_option(const Options& opts, std::string_view command, scenarios::Pack& pack) {
    const std::string name(command);
    std::size_t loaded = 0, failed = 0;
    for (const std::string& dir : opts.all("rules")) {
        std::vector<std::string> errors;
        auto rules = scenarios::rule_folder_detections(dir, pack.default_window, errors);
        if (!rules) {
            std::fprintf(stderr, "attest %s: %s\n", name.c_str(), rules.error().message.c_str());
            return false;
        }
        for (const std::string& e : errors)  // the first line: file:line:column: message
            std::fprintf(stderr, "attest %s: warning: --rules: %s (left out)\n", name.c_str(),
                         e.substr(0, e.find('\n')).c_str());
        loaded += rules->size();
        failed += errors.size();
        for (auto& d : *rules) pack.extra_detections.push_back(std::move(d));
    }
    if (!opts.has("rules")) return true;
    std::string left_out =
        failed ? ", " + std::to_string(failed) + " left out (they do not load)" : "";
    std::fprintf(stderr,
                 "attest %s: --rules: %zu rule(s) evaluated beside the pack's detections%s\n",
                 name.c_str(), loaded, left_out.c_str());
    return true;
}

std::string fired_rules_line(const std::vector<expectations::DetectionResult>& detections) {
    std::string out;
    for (const auto& d : detections) {
        if (!d.spec.informational || d.verdict != expectations::DetectionVerdict::Fired) continue;
        out += (out.empty() ? "other rules that fired: " : ", ") + d.spec.name + " (" +
               std::to_string(d.hits) + (d.hits == 1 ? " hit)" : " hits)");
    }
    return out;
}

}  // namespace attest::cli
