#include "reports/reports.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "reports/history.h"
#include "reports/text.h"

namespace attest::reports {

std::string render_json(const nlohmann::json& results, const RenderContext&) {
    return dump_json(results, 2) + "\n";
}

const ReportWriterRegistry& ReportWriterRegistry::builtin() {
    static const ReportWriterRegistry registry = [] {
        ReportWriterRegistry r;
        r.add({"html", "report.html", "self-contained HTML report for people", render_html});
        r.add({"json", "results.json", "the results document (attest.results/1), pretty-printed", render_json});
        r.add({"junit", "junit.xml", "JUnit XML for CI (a testcase per scenario x target)", render_junit});
        r.add({"navigator", "navigator.json", "ATT&CK Navigator layer (format 4.5)", render_navigator});
        r.add({"attire", "attire.json", "Attire JSON (Invoke-AtomicRedTeam log format, VECTR import)", render_attire});
        return r;
    }();
    return registry;
}

const ReportWriter* ReportWriterRegistry::find(const std::string& name) const {
    for (const auto& w : m_writers)
        if (w.name == name) return &w;
    return nullptr;
}

std::string ReportWriterRegistry::names() const {
    std::string out;
    for (const auto& w : m_writers) out += (out.empty() ? "" : ", ") + w.name;
    return out;
}

Expected<WrittenReports> write_all_reports(const nlohmann::json& results, const std::filesystem::path& out_dir,
                                           const ReportOptions& options) {
    const auto& registry = ReportWriterRegistry::builtin();
    std::vector<const ReportWriter*> selected;
    std::string problems;
    if (options.formats.empty()) {
        for (const auto& w : registry.all()) selected.push_back(&w);
    } else {
        for (const auto& name : options.formats) {
            if (const auto* w = registry.find(name)) selected.push_back(w);
            else problems += "unknown report format '" + name + "' (known: " + registry.names() + ")\n";
        }
    }
    for (const auto& [name, path] : options.paths)
        if (!registry.find(name)) problems += "unknown report format '" + name + "' (known: " + registry.names() + ")\n";
    if (!results.is_object()) problems += "results are not a JSON object\n";
    if (!problems.empty()) {
        problems.pop_back();
        return make_error(problems);
    }

    // History first, so the HTML can compare this run with the previous one.
    std::optional<HistoryView> history;
    if (options.history_db) {
        auto db = HistoryDb::open(*options.history_db);
        if (!db) {
            problems += db.error().message + "\n";
        } else if (auto rec = db->record(results); !rec) {
            problems += rec.error().message + "\n";
        } else if (auto view = db->view_for(text(member(results, "run"), "id")); !view) {
            problems += view.error().message + "\n";
        } else {
            history = std::move(*view);
        }
    }

    RenderContext context{&options, history ? &*history : nullptr};
    WrittenReports written;
    for (const auto* w : selected) {
        std::filesystem::path path = out_dir / w->default_file;
        if (auto it = options.paths.find(w->name); it != options.paths.end())
            path = it->second.is_absolute() ? it->second : out_dir / it->second;
        std::string document;
        try {
            document = w->render(results, context);
        } catch (const std::exception& e) {
            // Formatters read tolerantly; this is a bug, but one report must not stop the others.
            problems += path.string() + ": cannot render " + w->name + " report: " + e.what() + "\n";
            continue;
        }
        if (auto r = write_file_atomic(path, document); !r) problems += r.error().message + "\n";
        else written.files.push_back(path);
    }
    if (!problems.empty()) {
        problems.pop_back();
        return make_error(problems);
    }
    return written;
}

Expected<nlohmann::json> load_results(const std::filesystem::path& file_or_dir) {
    std::filesystem::path path = file_or_dir;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) path /= "results.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path.string() + ": cannot open results: " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string content = buffer.str();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(content);
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is 1-based; the message already says what was expected.
        std::string what = e.what();
        if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
        return make_error(path.string() + ": byte " + std::to_string(e.byte) + ": " + what);
    }
    if (!j.is_object()) return make_error(path.string() + ": results must be a JSON object");
    std::string schema = text(j, "schema");
    if (schema.rfind("attest.results/", 0) != 0)
        return make_error(path.string() + ": not an attest results document (schema '" + schema + "')");
    if (schema != "attest.results/1")
        return make_error(path.string() + ": unsupported results schema '" + schema + "' (this attest reads attest.results/1)");
    return j;
}

}  // namespace attest::reports
