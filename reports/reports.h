// Reports: render an `attest.results/1` document (docs/results-schema.md) for people (HTML)
// and for machines (JUnit XML, ATT&CK Navigator layer, Attire JSON, the results JSON itself),
// and keep a history of runs in SQLite (reports/history.h).
//
// Entry point for `attest run` / `attest check` / `attest report`:
//
//     attest::reports::ReportOptions options;          // all formats, default file names
//     options.history_db = "nightly.sqlite";           // optional: record + diff + trend
//     auto written = attest::reports::write_all_reports(results, out_dir, options);
//     if (!written) { /* written.error().message */ }
//
// write_all_reports() records the run into options.history_db first (when set), so the HTML
// can show the diff against the previous run and the coverage trend; then every selected
// writer renders its document to a string and the file sink writes it atomically (temp file +
// rename). It attempts every format and reports all failures in one error message.
//
// Formatters never touch the file system (render_* below); sinks never know formats
// (core/atomic_file.h). Writers are looked up by name in ReportWriterRegistry ("html", "json",
// "junit", "navigator", "attire").
//
// The results document is read tolerantly: unknown members are ignored, missing or mistyped
// members fall back to empty values. Every string in it is treated as attacker-controlled.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/expected.h"

namespace attest::reports {

struct HistoryView;  // reports/history.h

struct ReportOptions {
    // Writers to run, by registry name. Empty means every registered writer.
    std::vector<std::string> formats;
    // Output file per writer name; a relative path is taken relative to out_dir. Writers not
    // listed use their default file name (report.html, results.json, junit.xml,
    // navigator.json, attire.json).
    std::map<std::string, std::filesystem::path> paths;
    // When set, the run is recorded into this SQLite database before rendering, and the HTML
    // shows the diff against the previous run and the coverage trend.
    std::optional<std::filesystem::path> history_db;
    // Evidence events shown per expectation / detection in the HTML (one line each, the first
    // with all its fields); the rest is counted. The default keeps 500 scenarios x 10
    // expectations with large evidence under 10 MB (bench/report.sh); raise it for small runs.
    std::size_t evidence_cap = 1;
    // Telemetry strings longer than this are cut in the HTML (with the count of the rest).
    std::size_t max_string_chars = 2000;
};

// What a formatter may read besides the results document.
struct RenderContext {
    const ReportOptions* options = nullptr;
    const HistoryView* history = nullptr;  // null: no history available
};

using RenderFn = std::string (*)(const nlohmann::json& results, const RenderContext& context);

struct ReportWriter {
    std::string name;
    std::string default_file;
    std::string description;
    RenderFn render;
};

class ReportWriterRegistry {
public:
    static const ReportWriterRegistry& builtin();
    const ReportWriter* find(const std::string& name) const;
    const std::vector<ReportWriter>& all() const { return m_writers; }
    std::string names() const;  // "html, json, ..." for messages
    void add(ReportWriter writer) { m_writers.push_back(std::move(writer)); }

private:
    std::vector<ReportWriter> m_writers;
};

// Formatters: pure functions of the results (and history), returning the whole document.
std::string render_html(const nlohmann::json& results, const RenderContext& context);
std::string render_json(const nlohmann::json& results, const RenderContext& context);
std::string render_junit(const nlohmann::json& results, const RenderContext& context);
std::string render_navigator(const nlohmann::json& results, const RenderContext& context);
std::string render_attire(const nlohmann::json& results, const RenderContext& context);

// Paths written, in writer order.
struct WrittenReports {
    std::vector<std::filesystem::path> files;
};

// Renders every selected report into out_dir (created if needed). See the top of this file.
Expected<WrittenReports> write_all_reports(const nlohmann::json& results,
                                           const std::filesystem::path& out_dir,
                                           const ReportOptions& options);

// Loads a results document from a results.json file or from a directory containing one.
// Errors carry the path and, for JSON syntax errors, the byte offset.
Expected<nlohmann::json> load_results(const std::filesystem::path& file_or_dir);

}  // namespace attest::reports
