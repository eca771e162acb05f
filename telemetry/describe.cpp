#include "telemetry/describe.h"

#include <algorithm>

#include "telemetry/sources.h"

namespace attest::telemetry {

namespace {

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
    std::string out;
    for (auto i : items) {
        if (!out.empty()) out += sep;
        out += i;
    }
    return out;
}

std::string live_summary(const SourceSpec& spec) {
    std::string out;
    for (const auto& a : spec.live) {
        if (!out.empty()) out += "; ";
        out += acquisition_key(a.kind);
        if (!a.location.empty()) out += " " + std::string(a.location);
    }
    return out;
}

// Pads every column but the last to its widest cell.
std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width;
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string vocabulary_text(const SourceSpec& spec) {
    if (spec.endpoint_vocabulary.empty())
        return "endpoint vocabulary: none (events read the same under both profiles)\n";
    std::vector<std::vector<std::string>> rows = {
        {"CODE", "WHEN", "EVENT.ACTION", "CATEGORY", "TYPE", "WHY"}};
    for (const auto& r : spec.endpoint_vocabulary) {
        std::string when = r.when_field.empty()
                               ? "-"
                               : std::string(r.when_field) + "=" + std::string(r.when_value);
        rows.push_back({std::string(r.code), when, std::string(r.action), join(r.category, ","),
                        join(r.type, ","), std::string(r.why)});
    }
    return "endpoint vocabulary (Elastic Defend); codes not listed keep the sysmon one:\n" +
           table(rows);
}

}  // namespace

std::string describe_sources() {
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "DATASETS", "FORMATS", "LAG", "HOST", "LIVE"}};
    for (const SourceSpec* s : all_sources())
        rows.push_back({std::string(s->name), join(s->datasets, ","), join(s->collectors, ","),
                        s->lagging ? "yes" : "no", s->host_bound ? "yes" : "no", live_summary(*s)});
    return table(rows);
}

namespace {

// "10 s", "1 s", "250 ms".
std::string late_text(std::int64_t ns) {
    if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + " s";
    return std::to_string(ns / 1'000'000) + " ms";
}

// How lineage-bound expectations follow the source's process trees.
std::string lineage_text(const ProcessIdentity& id) {
    if (id.self.empty()) return "process lineage: none (its events name no process to follow)\n";
    std::string out =
        "process lineage: " + std::string(id.self) + " under " + std::string(id.parent);
    out += id.reused ? " (reused ids: a new parent outside the tree ends ownership)"
                     : " (never reused)";
    if (!id.forked.empty())
        out += "; fork records (" + join(id.fork_actions, ", ") + ") name the child in " +
               std::string(id.forked);
    out += "; events checked " + late_text(id.late_ns) +
           " late (a process's events may be dated before the one tying it to a tree)";
    return out + "\n";
}

}  // namespace

std::string describe_fields(const SourceSpec& spec) {
    std::string out = std::string(spec.name) + ": " + std::string(spec.description) + "\n";
    out += "datasets: " + join(spec.datasets, ", ") + "\n";
    out += "formats: " + join(spec.collectors, ", ") + "\n";
    out += std::string("lags: ") + (spec.lagging ? "yes" : "no") +
           "; events name the lab host: " + (spec.host_bound ? "yes" : "no") + "\n";
    for (const auto& a : spec.live)
        out += "live: " + std::string(acquisition_key(a.kind)) + " (" +
               std::string(acquisition_description(a.kind)) + ")" +
               (a.location.empty() ? "" : ", default " + std::string(a.location)) + ", read by " +
               std::string(a.collector) + "\n";
    out += lineage_text(spec.lineage);
    out += vocabulary_text(spec);
    std::vector<std::vector<std::string>> rows = {{"FIELD", "TYPE", "DESCRIPTION"}};
    for (const auto& f : spec.fields)
        rows.push_back({std::string(f.name), std::string(f.type), std::string(f.description)});
    return out + "fields (" + std::to_string(spec.fields.size()) + "):\n" + table(rows);
}

}  // namespace attest::telemetry
