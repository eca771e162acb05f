// The HTML report: one self-contained file for people. No network fetches (labs are
// air-gapped): inline CSS and JS only, allowed by a Content-Security-Policy with their SHA-256
// hashes and default-src 'none', so even a bug in escaping could not run injected script.
// Every string from the results is escaped for its context (text or attribute); data for the
// script travels as JSON in a <script type="application/json"> block with <, >, & and
// U+2028/2029 escaped. Nothing from the results ever becomes a URL.
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/timeutil.h"
#include "reports/coverage.h"
#include "reports/history.h"
#include "reports/html_assets.h"
#include "reports/reports.h"
#include "reports/text.h"

namespace attest::reports {

namespace {

using nlohmann::json;

std::string base64(const unsigned char* data, std::size_t n) {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        std::uint32_t v = static_cast<std::uint32_t>(data[i]) << 16;
        if (i + 1 < n) v |= static_cast<std::uint32_t>(data[i + 1]) << 8;
        if (i + 2 < n) v |= data[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
    }
    return out;
}

std::string csp_hash(std::string_view content) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
    return "'sha256-" + base64(digest, sizeof digest) + "'";
}

std::string verdict_class(const std::string& verdict) {
    static const char* kKnown[] = {"passed", "failed", "error", "inconclusive", "skipped"};
    for (const char* k : kKnown)
        if (verdict == k) return std::string("v-") + k;
    return "v-unknown";
}

// Badge class of a coverage verdict (reports/coverage.h), in the scenario verdicts' colours.
std::string coverage_class(const std::string& verdict) {
    if (verdict == "validated") return "v-passed";
    if (verdict == "partial") return "v-inconclusive";
    if (verdict == "blind") return "v-failed";
    return verdict_class(verdict);
}

// Colour class of an expectation cell.
std::string expectation_class(const json& e) {
    std::string verdict = text(e, "verdict");
    if (verdict == "observed") return "c-ok";
    if (verdict == "missing") return flag(e, "required", true) ? "c-bad" : "c-soft";
    if (verdict == "not_collected" || verdict == "pending") return "c-warn";
    return "c-na";
}

std::string detection_class(const json& d) {
    std::string verdict = text(d, "verdict");
    if (verdict == "not_evaluated" || verdict == "not_evaluable" || verdict.empty()) return "c-na";
    return detection_passed(d) ? "c-ok" : "c-bad";
}

std::string detection_label(const json& d) {
    std::string verdict = text(d, "verdict", "not_evaluated");
    std::string expected = text(d, "expected", "fires");
    std::string siem = siem_summary(d);
    std::string local =
        verdict == "not_evaluated" || verdict == "not_evaluable"
            ? verdict
            : verdict +
                  (flag(d, "passed", verdict == "fired") ? "" : " (expected " + expected + ")");
    // Local and SIEM outcomes side by side.
    return siem.empty() ? local : "local: " + local + " · " + siem;
}

// Looks a dotted path up through nested objects and flat dotted keys (ECS events use both).
const json* find_path(const json& j, std::string_view path) {
    if (!j.is_object()) return nullptr;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (path.size() < key.size() || path.compare(0, key.size(), key) != 0) continue;
        if (path.size() == key.size()) return &*it;
        if (path[key.size()] == '.')
            if (const json* found = find_path(*it, path.substr(key.size() + 1))) return found;
    }
    return nullptr;
}

// Removes a dotted path (nested or flat keys), then any object it leaves empty.
void erase_path(json& j, std::string_view path) {
    if (!j.is_object()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (path.size() < key.size() || path.compare(0, key.size(), key) != 0) continue;
        if (path.size() == key.size()) {
            j.erase(it);
            return;
        }
        if (path[key.size()] == '.') {
            erase_path(*it, path.substr(key.size() + 1));
            if (it->is_object() && it->empty()) j.erase(it);
            return;
        }
    }
}

std::string field_text(const json& event, std::string_view path) {
    const json* v = find_path(event, path);
    return v ? display(*v) : "";
}

std::optional<std::int64_t> event_time(const json& event) {
    const json* ts = find_path(event, "@timestamp");
    if (!ts || !ts->is_string()) return std::nullopt;
    return parse_iso8601_ns(ts->get_ref<const std::string&>());
}

std::string format_duration(std::int64_t ns) {
    char buf[48];
    double s = static_cast<double>(ns) / 1e9;
    if (s < 120)
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    else if (s < 7200)
        std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
    else
        std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    return buf;
}

// Display order: scenarios that ran first, grouped by verdict with failures on top (pack
// order within a group); skipped ones last, where the report collapses them.
int verdict_rank(const std::string& verdict) {
    static const char* kOrder[] = {"failed", "error", "inconclusive", "passed"};
    for (int i = 0; i < 4; ++i)
        if (verdict == kOrder[i]) return i;
    return verdict == "skipped" ? 5 : 1;  // an unknown verdict sits with the errors
}

std::vector<std::size_t> display_order(const json& scenarios) {
    std::vector<std::size_t> order(scenarios.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return verdict_rank(text(scenarios[a], "verdict", "error")) <
               verdict_rank(text(scenarios[b], "verdict", "error"));
    });
    return order;
}

bool is_skipped(const json& s) {
    return text(s, "verdict", "error") == "skipped";
}

// Field names a query mentions (identifier tokens outside string literals), to highlight the
// fields of an evidence event the expectation matched on.
std::set<std::string> query_fields(std::string_view query) {
    std::set<std::string> out;
    std::size_t i = 0;
    auto ident = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@';
    };
    while (i < query.size()) {
        char c = query[i];
        if (c == '"' || c == '\'') {
            for (++i; i < query.size() && query[i] != c; ++i)
                if (query[i] == '\\') ++i;
            ++i;
        } else if (ident(c) && !std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t start = i;
            while (i < query.size() && ident(query[i])) ++i;
            out.emplace(query.substr(start, i - start));
        } else {
            ++i;
        }
    }
    return out;
}

// Leaf fields of an event as dotted paths, in document order (nested and flat keys alike).
void flatten(const json& j, const std::string& prefix,
             std::vector<std::pair<std::string, const json*>>& out) {
    if (j.is_object() && !j.empty()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            flatten(*it, prefix.empty() ? it.key() : prefix + "." + it.key(), out);
        return;
    }
    out.emplace_back(prefix, &j);
}

// A path as the reader knows it: relative to the working directory when inside it.
std::string relative_path(const std::string& path) {
    std::error_code ec;
    std::filesystem::path p(path);
    if (!p.is_absolute()) return path;
    auto cwd = std::filesystem::current_path(ec);
    if (ec) return path;
    auto rel = p.lexically_relative(cwd);
    if (rel.empty() || rel.native().starts_with("..")) return path;
    return rel.string();
}

// A round axis step giving at most ~6 ticks over `span_ns`.
std::int64_t axis_step(std::int64_t span_ns) {
    static const std::int64_t kSteps[] = {1'000'000,          10'000'000,        100'000'000,
                                          1'000'000'000,      2'000'000'000,     5'000'000'000,
                                          10'000'000'000,     15'000'000'000,    30'000'000'000,
                                          60'000'000'000,     120'000'000'000,   300'000'000'000,
                                          600'000'000'000,    1'800'000'000'000, 3'600'000'000'000,
                                          21'600'000'000'000, 86'400'000'000'000};
    for (auto step : kSteps)
        if (span_ns / step <= 6) return step;
    return span_ns / 6 + 1;
}

std::string axis_label(std::int64_t offset_ns) {
    char buf[32];
    double s = static_cast<double>(offset_ns) / 1e9;
    if (offset_ns % 1'000'000'000 != 0 && s < 10)
        std::snprintf(buf, sizeof buf, "+%.2gs", s);
    else if (s < 120)
        std::snprintf(buf, sizeof buf, "+%.0fs", s);
    else if (s < 7200)
        std::snprintf(buf, sizeof buf, "+%.0fm", s / 60);
    else
        std::snprintf(buf, sizeof buf, "+%.0fh", s / 3600);
    return buf;
}

struct TimelineDot {
    enum Kind { Expectation, Detection, Alert };
    std::int64_t at;
    std::string label;
    Kind kind;
    // A latency drawn as a dashed line to `at`: for an expectation's first event, when it was
    // ingested (event.ingested); for an alert, the time of its source event.
    std::optional<std::int64_t> other;
};
constexpr std::size_t kMaxTicks = 200;  // the SVG stays small whatever the evidence size

// Times to x coordinates of the timeline's SVG.
struct TimeScale {
    std::int64_t lo, hi;
    double left = 20, right = 980;
    double operator()(std::int64_t at) const {
        return left + (right - left) * static_cast<double>(at - lo) / static_cast<double>(hi - lo);
    }
};

std::optional<std::int64_t> time_at(const json& object, std::string_view path) {
    const json* v = find_path(object, path);
    if (!v || !v->is_string()) return std::nullopt;
    return parse_iso8601_ns(v->get_ref<const std::string&>());
}

// An expectation's first event, with its ingest latency when the event says when it was
// ingested.
std::optional<TimelineDot> expectation_dot(const json& e) {
    const json* first = nullptr;
    std::optional<std::int64_t> first_at;
    for (const auto& ev : list(e, "evidence"))
        if (auto at = event_time(ev); at && (!first_at || *at < *first_at))
            first_at = at, first = &ev;
    if (!first) return std::nullopt;
    TimelineDot dot{*first_at,
                    text(e, "id") + ": " + std::to_string(integer(e, "count")) + " events",
                    TimelineDot::Expectation, time_at(*first, "event.ingested")};
    if (dot.other)
        dot.label +=
            "; first ingested " + format_duration(*dot.other - dot.at) + " after it happened";
    return dot;
}

// A detection's first hit, and the SIEM's alert (drawn from its source event) when there is one.
void detection_dots(const json& d, std::vector<TimelineDot>& out) {
    std::string name = text(d, "name", text(d, "rule"));
    std::optional<std::int64_t> first;
    for (const auto& hit : list(d, "evidence"))
        for (const auto& ev : list(hit, "events"))
            if (auto at = event_time(ev); at && (!first || *at < *first)) first = at;
    if (first)
        out.push_back({*first,
                       "detection " + name + ": " + std::to_string(integer(d, "hits")) + " hits",
                       TimelineDot::Detection,
                       {}});
    const json& alert = member(member(d, "siem"), "alert");
    if (auto written = time_at(alert, "timestamp")) {
        TimelineDot dot{*written, "SIEM alert for " + name, TimelineDot::Alert,
                        time_at(alert, "original_time")};
        if (dot.other)
            dot.label +=
                ": written " + format_duration(dot.at - *dot.other) + " after its source event";
        out.push_back(std::move(dot));
    }
}

// One dot per expectation / detection at its earliest event keeps the SVG small; the
// evidence lists below have the individual events.
std::vector<TimelineDot> timeline_dots(const json& s) {
    std::vector<TimelineDot> ticks;
    for (const auto& e : list(s, "expectations"))
        if (auto dot = expectation_dot(e); dot && ticks.size() < kMaxTicks)
            ticks.push_back(std::move(*dot));
    for (const auto& d : list(s, "detections"))
        if (ticks.size() < kMaxTicks) detection_dots(d, ticks);
    return ticks;
}

class HtmlWriter {
public:
    HtmlWriter(const json& results, const RenderContext& context)
        : m_results(results), m_history(context.history) {
        if (context.options) {
            m_cap = context.options->evidence_cap;
            m_max_chars = std::max<std::size_t>(context.options->max_string_chars, 16);
        }
        // Evidence JSON is allowed more room than single fields, but stays bounded.
        m_max_event_bytes = m_max_chars;
    }

    std::string render();

private:
    std::string& o() { return m_out; }
    void t(std::string_view s) { append_html_text(m_out, s); }
    void a(std::string_view s) { append_html_attr(m_out, s); }
    // Telemetry text, cut to the configured size with the count of what was cut.
    void cut(std::string_view s, std::size_t max) {
        std::size_t rest = 0;
        t(cut_utf8(s, max, rest));
        if (rest) o() += "<span class=\"cut\"> … " + std::to_string(rest) + " more bytes</span>";
    }
    void pre(std::string_view s, std::size_t max) {
        o() += "<pre>";
        cut(s, max);
        o() += "</pre>";
    }

    void head(const std::string& title);
    void header();
    void controls();
    void history_section();
    void trend_svg();
    void matrix();
    void matrix_row(const json& s, std::size_t index);
    void coverage_matrix();
    void incomplete_banner();
    void telemetry_stats();
    void scenario(const json& s, std::size_t index);
    void attack_step(const json& s);
    void shipped(const json& s);
    void timeline(const json& s);
    void timeline_dots_svg(const std::vector<TimelineDot>& ticks, const TimeScale& x);
    void timeline_legend(const json& s, const std::vector<TimelineDot>& ticks);
    void timeline_axis(std::int64_t lo, std::int64_t hi, std::int64_t origin, double left,
                       double right);
    void execution(const json& s);
    void expectation(const json& e, const std::string& anchor);
    void detection(const json& d, const std::string& anchor);
    void siem_outcome(const json& siem);
    void event_item(const json& event, bool full, const std::set<std::string>& matched = {});
    void field_table(const json& event, const std::set<std::string>& matched);
    void evidence_list(const json& events, std::int64_t omitted_by_engine,
                       const std::set<std::string>& matched = {});
    void near_misses(const json& item);
    std::string previous_verdict(const json& s) const;

    const json& m_results;
    const HistoryView* m_history;
    std::size_t m_cap = 1;
    std::size_t m_max_chars = 2000;
    std::size_t m_max_event_bytes = 4000;
    std::string m_out;
};

std::string HtmlWriter::previous_verdict(const json& s) const {
    if (!m_history || !m_history->previous) return "";
    auto it = m_history->previous_verdicts.find(
        scenario_key(text(s, "guid"), text(s, "name"), text(s, "target")));
    return it == m_history->previous_verdicts.end() ? "" : it->second;
}

void HtmlWriter::head(const std::string& title) {
    std::string csp =
        "default-src 'none'; style-src " + csp_hash(html_assets::kStyle) + "; script-src " +
        csp_hash(html_assets::kScript) +
        "; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    o() += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    o() += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp + "\">\n";
    o() += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    o() += "<meta name=\"referrer\" content=\"no-referrer\">\n<title>";
    t(title);
    o() += "</title>\n<style>";
    o() += html_assets::kStyle;
    o() += "</style>\n</head>\n";
}

void HtmlWriter::header() {
    const json& run = member(m_results, "run");
    o() += "<header class=\"top\"><div class=\"inner\"><h1>attest report<small>";
    t(text(run, "id", "(no run id)"));
    o() += "</small></h1><dl class=\"meta\">";
    auto meta = [&](const char* label, const std::string& value) {
        if (value.empty()) return;
        o() += "<div><dt>";
        o() += label;
        o() += "</dt><dd>";
        cut(value, 300);
        o() += "</dd></div>";
    };
    meta("mode", text(run, "mode"));
    meta("lab", text(run, "lab"));
    meta("pack", relative_path(text(run, "pack")));
    meta("started", text(run, "started"));
    meta("finished", text(run, "finished"));
    auto start = parse_iso8601_ns(text(run, "started")),
         end = parse_iso8601_ns(text(run, "finished"));
    if (start && end && *end >= *start) meta("duration", format_duration(*end - *start));
    meta("attest", text(run, "attest_version"));
    std::string telemetry;
    for (const auto& f : list(run, "telemetry"))
        telemetry += (telemetry.empty() ? "" : ", ") + relative_path(display(f));
    meta("telemetry", telemetry);
    meta("coverage", run_coverage(m_results).label());
    o() += "</dl>";
    telemetry_stats();
    o() += "<div class=\"totals\">";
    std::map<std::string, std::int64_t> counted;
    for (const auto& s : list(m_results, "scenarios")) ++counted[text(s, "verdict", "error")];
    const json& totals = member(m_results, "totals");
    for (const char* v : {"passed", "failed", "error", "inconclusive", "skipped"}) {
        std::int64_t n = totals.is_object() ? integer(totals, v, counted[v]) : counted[v];
        o() += "<div class=\"total v-" + std::string(v) + "\"><b>" + std::to_string(n) +
               "</b><span>" + v + "</span></div>";
    }
    o() += "</div></div></header>\n<main>\n";
    incomplete_banner();
}

// run.incomplete (a string or a list of them): why the run did not complete. The verdicts
// below are then not a result, and the report says so before anything else.
void HtmlWriter::incomplete_banner() {
    const json& why = member(member(m_results, "run"), "incomplete");
    std::vector<std::string> reasons;
    if (why.is_string()) reasons.push_back(why.get<std::string>());
    for (const auto& r : list(member(m_results, "run"), "incomplete"))
        reasons.push_back(display(r));
    if (reasons.empty()) return;
    o() +=
        "<section class=\"card incomplete\" id=\"incomplete\"><h2>This run did not complete</h2>"
        "<p>The verdicts below are not a result: the input could not be read completely.</p><ul>";
    for (const auto& r : reasons) {
        o() += "<li>";
        cut(r, m_max_chars);
        o() += "</li>";
    }
    o() += "</ul></section>\n";
}

// run.telemetry_stats: what the reader skipped or could not place in time.
void HtmlWriter::telemetry_stats() {
    const json& stats = member(member(m_results, "run"), "telemetry_stats");
    if (!stats.is_object()) return;
    std::string line = std::to_string(integer(stats, "events")) + " events";
    auto add = [&](const char* key, const char* label) {
        if (integer(stats, key) > 0)
            line += " · " + std::to_string(integer(stats, key)) + " " + label;
    };
    add("skipped_records", "records skipped");
    add("out_of_order", "out of order");
    add("untimed", "without @timestamp");
    for (const char* key : {"skipped_by_reason", "per_source"}) {
        const json& m = member(stats, key);
        if (!m.is_object()) continue;
        for (auto it = m.begin(); it != m.end(); ++it)
            line += " · " + it.key() + ": " + display(*it);
    }
    o() += "<p class=\"stats\">telemetry: ";
    cut(line, m_max_chars);
    o() += "</p>";
}

void HtmlWriter::controls() {
    o() +=
        "<div class=\"controls\"><input type=\"checkbox\" id=\"only-failures\"><label "
        "for=\"only-failures\">"
        "Show only failures (failed, error)</label><span id=\"shown-count\" class=\"hint\"></span>"
        "<span class=\"hint\">Details open on click; printing expands them.</span></div>\n";
}

void HtmlWriter::trend_svg() {
    const auto& runs = m_history->runs;
    if (runs.size() < 2) return;
    // Coverage (reports/coverage.h) per run, oldest to newest; an unmeasured run sits at 0.
    const double width = 640, height = 180, left = 40, right = 16, top = 14, bottom = 34;
    double step = (width - left - right) / static_cast<double>(runs.size() - 1);
    auto x = [&](std::size_t i) { return left + step * static_cast<double>(i); };
    auto y = [&](double pct) { return top + (height - top - bottom) * (1.0 - pct / 100.0); };
    char buf[160];
    o() +=
        "<svg class=\"trend\" viewBox=\"0 0 640 180\" role=\"img\" aria-label=\"coverage trend\" "
        "xmlns=\"http://www.w3.org/2000/svg\">";
    for (int pct : {0, 50, 100}) {
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d9dde5\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6475\" "
                      "text-anchor=\"end\">%d%%</text>",
                      left, y(pct), width - right, y(pct), left - 6, y(pct) + 4, pct);
        o() += buf;
    }
    std::string points;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x(i),
                      y(runs[i].coverage().percent().value_or(0)));
        points += buf;
    }
    o() += "<polyline fill=\"none\" stroke=\"#2f5bd3\" stroke-width=\"2.5\" points=\"" + points +
           "\"/>";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        bool last = i + 1 == runs.size();
        double pct = runs[i].coverage().percent().value_or(0);
        bool dropped = i > 0 && pct < runs[i - 1].coverage().percent().value_or(0);
        std::snprintf(buf, sizeof buf,
                      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>", x(i), y(pct),
                      last ? "5" : "3.5", dropped ? "#c62828" : "#2f5bd3");
        o() += buf;
        t(runs[i].run_id + ": " + runs[i].coverage().label());
        o() += "</title></circle>";
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6475\">",
                  left, height - 10);
    o() += buf;
    cut(runs.front().started.empty() ? runs.front().run_id : runs.front().started, 40);
    std::snprintf(
        buf, sizeof buf,
        "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"end\">",
        width - right, height - 10);
    o() += buf;
    cut(runs.back().started.empty() ? runs.back().run_id : runs.back().started, 40);
    o() += "</text></svg>";
}

void HtmlWriter::history_section() {
    if (!m_history) return;
    o() += "<section class=\"card\" id=\"history\"><h2>History</h2>";
    if (!m_history->previous) {
        o() +=
            "<p class=\"muted\">First recorded run: nothing to compare with yet.</p></section>\n";
        return;
    }
    const auto& prev = *m_history->previous;
    std::map<ScenarioChange::Kind, int> counts;
    for (const auto& c : m_history->changes) ++counts[c.kind];
    o() += "<p>Compared with the previous run <code>";
    t(prev.run_id);
    o() += "</code>";
    if (!prev.started.empty()) {
        o() += " (";
        t(prev.started);
        o() += ")";
    }
    std::string now_cov =
        m_history->runs.empty() ? "n/a" : m_history->runs.back().coverage().label();
    o() += ": coverage ";
    t(prev.coverage().label() + " → " + now_cov + ". ");
    o() += "<span class=\"badge regression\">" +
           std::to_string(counts[ScenarioChange::Kind::Regression]) +
           " regressions</span> <span class=\"badge new-failure\">" +
           std::to_string(counts[ScenarioChange::Kind::NewFailure]) +
           " new failures</span> <span class=\"badge fixed\">" +
           std::to_string(counts[ScenarioChange::Kind::Fixed]) + " fixed</span></p>";
    if (!m_history->changes.empty()) {
        o() +=
            "<div class=\"scroll\"><table "
            "class=\"changes\"><thead><tr><th>Change</th><th>Scenario</th><th>Technique</th>"
            "<th>Target</th><th>Before</th><th>Now</th></tr></thead><tbody>";
        for (const auto& c : m_history->changes) {
            std::string kind = change_kind_name(c.kind);
            std::string cls = kind == "new failure" ? "new-failure" : kind;
            o() += "<tr class=\"" + cls + "\"><td><span class=\"badge " + cls + "\">" + kind +
                   "</span></td><td>";
            cut(c.name.empty() ? c.guid : c.name, 300);
            o() += "</td><td>";
            t(c.technique);
            o() += "</td><td>";
            t(c.target);
            o() += "</td><td><span class=\"badge " + verdict_class(c.previous) + "\">";
            t(c.previous.empty() ? "absent" : c.previous);
            o() += "</span></td><td><span class=\"badge " + verdict_class(c.current) + "\">";
            t(c.current);
            o() += "</span></td></tr>";
        }
        o() += "</tbody></table></div>";
    } else {
        o() += "<p class=\"muted\">No scenario changed verdict.</p>";
    }
    if (m_history->runs.size() >= 2) {
        o() += "<h4>Coverage trend (" + std::to_string(m_history->runs.size()) + " runs)</h4>";
        trend_svg();
    }
    o() += "</section>\n";
}

void HtmlWriter::matrix() {
    const auto& scenarios = list(m_results, "scenarios");
    o() += "<section class=\"card\" id=\"matrix\"><h2>Scenarios × expectations and detections</h2>";
    if (scenarios.empty()) {
        o() += "<p class=\"muted\">No scenarios in this run.</p></section>\n";
        return;
    }
    const char* kHead =
        "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th>Scenario</th><th>Verdict</th>"
        "<th class=\"opt\">Technique</th><th class=\"opt\">Target</th><th>Expectations · "
        "detections</th>"
        "</tr></thead><tbody>";
    std::size_t skipped = std::count_if(scenarios.begin(), scenarios.end(), is_skipped), seen = 0;
    bool ran_any = false;
    for (std::size_t i : display_order(scenarios)) {
        if (is_skipped(scenarios[i])) {
            if (seen++ == 0) {
                if (ran_any) o() += "</tbody></table></div>";
                o() += "<details class=\"skipped-rows\"><summary>" + std::to_string(skipped) +
                       " skipped scenario" + (skipped == 1 ? "" : "s") +
                       " (not run: platform, prerequisites or selection)</summary>";
                o() += kHead;
            }
        } else if (!ran_any) {
            ran_any = true;
            o() += kHead;
        }
        matrix_row(scenarios[i], i);
    }
    o() += "</tbody></table></div>";
    if (skipped) o() += "</details>";
    o() +=
        "<div class=\"legend\">"
        "<span><i class=\"cell c-ok\"></i>observed / fired as expected</span>"
        "<span><i class=\"cell c-bad\"></i>missing / not as expected</span>"
        "<span><i class=\"cell c-soft\"></i>optional, missing</span>"
        "<span><i class=\"cell c-warn\"></i>not collected / pending</span>"
        "<span><i class=\"cell c-na\"></i>not evaluated (or scenario skipped)</span>"
        "<span><i class=\"cell det c-na\"></i>round: detection rule</span></div></section>\n";
}

// Technique x sensor: per cell the coverage verdicts of the technique's tests as that sensor
// saw them, worst first; the last column is the technique's best and worst overall.
void HtmlWriter::coverage_matrix() {
    std::map<std::string, std::map<std::string, std::map<std::string, int>>> cells;
    std::set<std::string> sensors;
    for (const auto& s : list(m_results, "scenarios")) {
        auto c = test_coverage(s);
        if (!c) continue;
        auto& row = cells[text(s, "technique")];
        if (c->sensors.empty()) ++row[""][c->verdict];
        for (const auto& [sensor, v] : c->sensors) {
            sensors.insert(sensor);
            ++row[sensor][v];
        }
    }
    if (cells.empty()) return;
    auto techniques = technique_coverage(m_results);
    o() += "<section class=\"card\" id=\"coverage\"><h2>Coverage: technique × sensor</h2>";
    std::string summary = coverage_summary_text(m_results);
    o() += "<p>";
    t(summary.substr(0, summary.find('\n')));
    o() += "</p><div class=\"scroll\"><table class=\"coverage\"><thead><tr><th>Technique</th>";
    for (const auto& sensor : sensors) {
        o() += "<th>";
        t(sensor);
        o() += "</th>";
    }
    o() += "<th>Best · worst</th></tr></thead><tbody>";
    static const char* kOrder[] = {"blind", "partial", "validated", "error", "skipped"};
    for (const auto& [technique, row] : cells) {
        o() += "<tr><td>";
        t(technique);
        o() += "</td>";
        for (const auto& sensor : sensors) {
            o() += "<td>";
            auto it = row.find(sensor);
            if (it != row.end())
                for (const char* v : kOrder)
                    if (auto n = it->second.find(v); n != it->second.end())
                        o() += "<span class=\"badge " + coverage_class(v) + "\">" +
                               std::to_string(n->second) + " " + v + "</span> ";
            o() += "</td>";
        }
        const Coverage& c = techniques[technique];
        o() += "<td>";
        for (const std::string& v : {c.best, c.worst}) {
            o() += "<span class=\"badge " + coverage_class(v) + "\">";
            t(v.empty() ? "-" : v);
            o() += "</span> ";
        }
        o() += "</td></tr>";
    }
    o() += "</tbody></table></div></section>\n";
}

void HtmlWriter::matrix_row(const json& s, std::size_t index) {
    std::string verdict = text(s, "verdict", "error");
    std::string anchor = "s-" + std::to_string(index);
    bool skipped = verdict == "skipped";
    o() += "<tr class=\"" + verdict_class(verdict) + "\" data-verdict=\"";
    a(verdict);
    o() += "\"><td class=\"name\"><a href=\"#" + anchor + "\">";
    cut(text(s, "name", text(s, "guid", "(unnamed)")), 200);
    // On a phone the technique column is hidden; the technique stays under the name.
    o() += "</a><span class=\"sub inline-tech\">";
    t(text(s, "technique"));
    o() += "</span></td><td><span class=\"badge " + verdict_class(verdict) + "\">";
    t(verdict);
    o() += "</span>";
    if (auto c = test_coverage(s)) {
        o() += " <span class=\"badge " + coverage_class(c->verdict) + "\" title=\"";
        a(c->reason);
        o() += "\">";
        t(c->verdict);
        o() += "</span>";
    }
    std::string before = previous_verdict(s);
    if (before == "passed" && (verdict == "failed" || verdict == "error"))
        o() += " <span class=\"badge regression\">regression</span>";
    o() += "</td><td class=\"opt\">";
    t(text(s, "technique"));
    o() += "</td><td class=\"opt\">";
    cut(text(s, "target"), 80);
    o() += "</td><td><div class=\"cells\">";
    std::size_t k = 0;
    for (const auto& e : list(s, "expectations")) {
        // A skipped scenario's expectations were never evaluated: grey, not a telemetry gap.
        std::string cls = skipped ? "c-na" : expectation_class(e);
        o() += "<a class=\"cell " + cls + "\" href=\"#" + anchor + "-e" + std::to_string(k++) +
               "\" title=\"";
        std::size_t rest;
        a(cut_utf8("expectation " + text(e, "id") + ": " +
                       (skipped ? "not evaluated" : text(e, "verdict")),
                   200, rest));
        o() += "\"></a>";
    }
    k = 0;
    for (const auto& d : list(s, "detections")) {
        std::string cls = skipped ? "c-na" : detection_class(d);
        o() += "<a class=\"cell det " + cls + "\" href=\"#" + anchor + "-d" + std::to_string(k++) +
               "\" title=\"";
        std::size_t rest;
        a(cut_utf8("detection " + text(d, "name", text(d, "rule")) + ": " + detection_label(d), 200,
                   rest));
        o() += "\"></a>";
    }
    if (list(s, "expectations").empty() && list(s, "detections").empty())
        o() += "<span class=\"muted\">none</span>";
    o() += "</div></td></tr>";
}

void HtmlWriter::timeline(const json& s) {
    const json& exec = member(s, "execution");
    const json& cleanup = member(s, "cleanup");
    // `attest check` has no execution; its run-info window stands for it.
    const json& window = member(s, "window");
    auto start = parse_iso8601_ns(text(exec, "start", text(window, "start")));
    auto end = parse_iso8601_ns(text(exec, "end", text(window, "end")));
    auto cleanup_at = parse_iso8601_ns(text(cleanup, "start"));
    std::vector<TimelineDot> ticks = timeline_dots(s);
    std::vector<std::int64_t> all;
    for (auto p : {start, end, cleanup_at})
        if (p) all.push_back(*p);
    for (const auto& tk : ticks) {
        all.push_back(tk.at);
        if (tk.other) all.push_back(*tk.other);
    }
    if (all.empty()) return;
    std::int64_t lo = *std::min_element(all.begin(), all.end());
    std::int64_t hi = *std::max_element(all.begin(), all.end());
    bool cleanup_ran = flag(cleanup, "ran");
    // Cleanup without its own time is drawn just after the end of the execution.
    if (cleanup_ran && !cleanup_at) {
        std::int64_t pad = std::max<std::int64_t>((hi - lo) / 10, 1'000'000'000);
        cleanup_at = (end ? *end : hi) + pad;
        hi = std::max(hi, *cleanup_at);
    }
    if (hi == lo) hi = lo + 1'000'000'000;
    const TimeScale x{lo, hi};
    char buf[256];
    // In a scroller: on a phone the timeline keeps readable labels and scrolls on its own.
    o() +=
        "<div class=\"scroll\"><svg class=\"timeline\" viewBox=\"0 0 1000 124\" role=\"img\" "
        "aria-label=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\">";
    o() +=
        "<line x1=\"20\" y1=\"48\" x2=\"980\" y2=\"48\" stroke=\"#9aa3b5\" stroke-width=\"1.5\"/>";
    if (start && end) {
        std::snprintf(buf, sizeof buf,
                      "<rect x=\"%.1f\" y=\"36\" width=\"%.1f\" height=\"24\" rx=\"3\" "
                      "fill=\"#dbe4fb\" stroke=\"#2f5bd3\"/>",
                      x(*start), std::max(2.0, x(*end) - x(*start)));
        o() += buf;
    }
    auto marker = [&](std::int64_t at, const char* label, const char* color, int label_y,
                      const char* anchor) {
        std::snprintf(
            buf, sizeof buf,
            "<line x1=\"%.1f\" y1=\"28\" x2=\"%.1f\" y2=\"68\" stroke=\"%s\" stroke-width=\"2\"/>"
            "<text x=\"%.1f\" y=\"%d\" font-size=\"13\" fill=\"%s\" text-anchor=\"%s\">%s</text>",
            x(at), x(at), color, x(at), label_y, color, anchor, label);
        o() += buf;
    };
    // Labels that would overlap go on separate rows.
    bool close = start && end && x(*end) - x(*start) < 80;
    if (start) marker(*start, "start", "#2f5bd3", 22, close ? "end" : "start");
    if (end) marker(*end, "end", "#2f5bd3", close ? 10 : 22, close ? "start" : "end");
    if (cleanup_ran && cleanup_at)
        marker(*cleanup_at, flag(cleanup, "succeeded", true) ? "cleanup" : "cleanup failed",
               flag(cleanup, "succeeded", true) ? "#5b6475" : "#c62828", 82, "end");
    timeline_axis(lo, hi, start ? *start : lo, x.left, x.right);
    timeline_dots_svg(ticks, x);
    o() += "</svg></div>";
    timeline_legend(s, ticks);
}

// A dot per expectation, detection and alert, with a dashed span for a known latency.
void HtmlWriter::timeline_dots_svg(const std::vector<TimelineDot>& ticks, const TimeScale& x) {
    static constexpr const char* kColor[] = {"#2e7d32", "#a15c00", "#6a3fb5"};
    const int y = 48;
    char buf[256];
    for (const auto& tk : ticks) {
        const char* color = kColor[tk.kind];
        if (tk.other) {
            std::snprintf(buf, sizeof buf,
                          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                          "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                          x(*tk.other), y, x(tk.at), y, color);
            o() += buf;
        }
        std::snprintf(
            buf, sizeof buf,
            "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\" fill-opacity=\"0.8\"><title>",
            x(tk.at), y, color);
        o() += buf;
        std::size_t rest;
        t(cut_utf8(tk.label, 200, rest));
        o() += "</title></circle>";
    }
}

void HtmlWriter::timeline_legend(const json& s, const std::vector<TimelineDot>& ticks) {
    bool alerts = std::any_of(ticks.begin(), ticks.end(),
                              [](const TimelineDot& d) { return d.kind == TimelineDot::Alert; });
    bool latency = std::any_of(ticks.begin(), ticks.end(),
                               [](const TimelineDot& d) { return d.other.has_value(); });
    o() +=
        "<div class=\"legend\"><span>blue band: execution</span><span>green dots: first event of "
        "each expectation</span>"
        "<span>amber dots: first hit of each detection</span>";
    if (alerts) o() += "<span>purple dots: SIEM alerts</span>";
    if (latency) o() += "<span>dashed: ingest and alert latency</span>";
    if (ticks.size() >= kMaxTicks)
        o() += "<span>(first " + std::to_string(kMaxTicks) + " events)</span>";
    if (member(s, "window_closed_before_cleanup").is_boolean())
        o() += flag(s, "window_closed_before_cleanup")
                   ? "<span>telemetry window closed before cleanup</span>"
                   : "<span>telemetry window still open at cleanup</span>";
    o() += "</div>";
}

// Whether the attack step itself succeeded, beside the telemetry verdict: a passed verdict
// over a step that failed (an upload rejected with 501) is not the same result.
void HtmlWriter::attack_step(const json& s) {
    const json& exec = member(s, "execution");
    if (!exec.is_object()) return;
    const json& success = member(s, "success");  // the pack's optional per-test success check
    bool timed_out = flag(exec, "timed_out");
    bool has_exit = has(exec, "exit_code");
    bool ok = !timed_out && (!has_exit || integer(exec, "exit_code") == 0);
    if (success.is_object() && member(success, "passed").is_boolean())
        ok = ok && flag(success, "passed");
    o() += "<p class=\"step\">attack step: <span class=\"badge ";
    o() += ok ? "c-ok\">succeeded" : "c-bad\">failed";
    o() += "</span> <span class=\"sub\">";
    std::string detail = timed_out  ? "timed out"
                         : has_exit ? "exit code " + std::to_string(integer(exec, "exit_code"))
                                    : "no exit code";
    if (success.is_object())
        detail += "; success check: " +
                  text(success, "reason", flag(success, "passed") ? "passed" : "failed");
    cut(detail, 300);
    o() += "</span></p>";
}

// The lab's `ship:` outcome per source (collection.shipped): a shipping error or refusal is
// shown, not hidden, though it does not change the verdict.
void HtmlWriter::shipped(const json& s) {
    const json& collection = member(s, "collection");
    if (!collection.is_object() || !member(collection, "shipped").is_array()) return;
    for (const auto& one : member(collection, "shipped")) {
        bool ok = !has(one, "error") && integer(one, "refused") == 0;
        o() += "<p class=\"step\">shipped ";
        t(text(one, "source"));
        o() += " to ";
        t(text(one, "index"));
        o() += ": <span class=\"badge ";
        o() += ok ? "c-ok\">" : "c-bad\">";
        std::string detail = std::to_string(integer(one, "indexed")) + " indexed, " +
                             std::to_string(integer(one, "refused")) + " refused";
        t(detail);
        o() += "</span> <span class=\"sub\">";
        std::string why = text(one, "error");
        const json& refusals = member(one, "refusals");
        if (why.empty() && refusals.is_array() && !refusals.empty())
            why = "event " + std::to_string(integer(refusals[0], "event")) + ": HTTP " +
                  std::to_string(integer(refusals[0], "status")) + " " +
                  text(refusals[0], "reason");
        cut(why, 300);
        o() += "</span></p>";
    }
}

// A time axis under the timeline: round ticks labelled as offsets from the execution start.
void HtmlWriter::timeline_axis(std::int64_t lo, std::int64_t hi, std::int64_t origin, double left,
                               double right) {
    auto x = [&](std::int64_t at) {
        return left + (right - left) * static_cast<double>(at - lo) / static_cast<double>(hi - lo);
    };
    std::int64_t step = axis_step(hi - lo);
    // First tick: the first multiple of step (counted from the origin) at or after lo.
    std::int64_t first = origin + ((lo - origin) / step) * step;
    if (first < lo) first += step;
    char buf[256];
    o() += "<g class=\"axis\"><line x1=\"20\" y1=\"98\" x2=\"980\" y2=\"98\" stroke=\"#c3c9d5\"/>";
    for (std::int64_t at = first; at <= hi; at += step) {
        std::snprintf(
            buf, sizeof buf,
            "<line class=\"tick\" x1=\"%.1f\" y1=\"94\" x2=\"%.1f\" y2=\"102\" stroke=\"#9aa3b5\"/>"
            "<text x=\"%.1f\" y=\"117\" font-size=\"12\" fill=\"#5b6475\" "
            "text-anchor=\"middle\">%s</text>",
            x(at), x(at), x(at),
            at < origin ? ("-" + axis_label(origin - at).substr(1)).c_str()
                        : axis_label(at - origin).c_str());
        o() += buf;
    }
    o() += "</g>";
}

void HtmlWriter::execution(const json& s) {
    const json& exec = member(s, "execution");
    if (exec.is_object()) {
        o() += "<details><summary>Command";
        std::string executor = text(exec, "executor");
        if (!executor.empty()) {
            o() += " (";
            t(executor);
            o() += ")";
        }
        if (has(exec, "exit_code"))
            o() += " · exit code " + std::to_string(integer(exec, "exit_code"));
        if (flag(exec, "timed_out")) o() += " · <b>timed out</b>";
        auto st = parse_iso8601_ns(text(exec, "start")), en = parse_iso8601_ns(text(exec, "end"));
        if (st && en && *en >= *st) o() += " · " + format_duration(*en - *st);
        o() += "</summary><div class=\"body\">";
        pre(text(exec, "command"), m_max_chars * 4);
        if (!text(exec, "stdout").empty()) {
            o() += "<h4>stdout</h4>";
            pre(text(exec, "stdout"), m_max_chars * 4);
        }
        if (!text(exec, "stderr").empty()) {
            o() += "<h4>stderr</h4>";
            pre(text(exec, "stderr"), m_max_chars * 4);
        }
        o() += "</div></details>";
    }
    const auto& arguments = member(s, "arguments");
    if (arguments.is_object() && !arguments.empty()) {
        o() += "<details><summary>Arguments (" + std::to_string(arguments.size()) +
               ")</summary><div class=\"body\"><dl class=\"kv\">";
        for (auto it = arguments.begin(); it != arguments.end(); ++it) {
            o() += "<dt>";
            cut(it.key(), 200);
            o() += "</dt><dd><code>";
            cut(display(*it), m_max_chars);
            o() += "</code></dd>";
        }
        o() += "</dl></div></details>";
    }
    const auto& prereqs = list(s, "prerequisites");
    if (!prereqs.empty()) {
        std::size_t unmet = 0;
        for (const auto& p : prereqs)
            if (!flag(p, "met")) ++unmet;
        o() += "<details><summary>Prerequisites: " + std::to_string(prereqs.size() - unmet) +
               " of " + std::to_string(prereqs.size()) +
               " met</summary><div class=\"body\"><ul class=\"events\">";
        for (const auto& p : prereqs) {
            bool met = flag(p, "met");
            o() += std::string("<li><span class=\"badge ") +
                   (met ? "c-ok\">met" : "c-bad\">unmet") + "</span> ";
            cut(text(p, "description"), m_max_chars);
            if (!text(p, "output").empty()) pre(text(p, "output"), m_max_chars);
            o() += "</li>";
        }
        o() += "</ul></div></details>";
    }
    const json& cleanup = member(s, "cleanup");
    if (cleanup.is_object()) {
        bool ran = flag(cleanup, "ran");
        bool ok = flag(cleanup, "succeeded", ran);
        o() += "<details><summary>Cleanup: ";
        o() += !ran ? "<span class=\"badge c-na\">did not run</span>"
               : ok ? "<span class=\"badge c-ok\">succeeded</span>"
                    : "<span class=\"badge c-bad\">failed</span>";
        if (has(cleanup, "exit_code"))
            o() += " · exit code " + std::to_string(integer(cleanup, "exit_code"));
        o() += "</summary><div class=\"body\">";
        if (has(cleanup, "command")) pre(text(cleanup, "command"), m_max_chars);
        if (!text(cleanup, "output").empty())
            pre(text(cleanup, "output"), m_max_chars * 4);
        else
            o() += "<p class=\"muted\">No output.</p>";
        o() += "</div></details>";
    }
}

void HtmlWriter::event_item(const json& event, bool full, const std::set<std::string>& matched) {
    // One line per event keeps 500 x 10 expectations within a few MB; the full document of the
    // first event shows everything else, and results.json has them all.
    o() += "<li><span class=\"prov\">";
    std::string ts = field_text(event, "@timestamp");
    std::string source = field_text(event, "attest.source"),
                origin = field_text(event, "attest.origin"),
                position = field_text(event, "attest.position");
    t(ts.empty() ? "(no @timestamp)" : ts);
    if (!source.empty() || !origin.empty()) {
        o() += " · ";
        cut(source, 80);
        if (!origin.empty()) {
            o() += " <code>";
            cut(origin, 300);
            if (!position.empty()) {
                o() += ":";
                cut(position, 40);
            }
            o() += "</code>";
        }
    }
    o() += "</span>";
    // The field people look at first.
    static const char* kKeyFields[] = {"process.command_line",
                                       "powershell.file.script_block_text",
                                       "file.path",
                                       "url.full",
                                       "destination.ip",
                                       "process.executable",
                                       "event.action"};
    const char* key_field = nullptr;
    for (const char* f : kKeyFields) {
        std::string v = field_text(event, f);
        if (v.empty()) continue;
        key_field = f;
        o() += "<br><span class=\"k\">";
        o() += f;
        o() += "</span> <code>";
        cut(v, m_max_chars / 4);
        o() += "</code>";
        break;
    }
    if (full) {
        // The rest of the event: what the line above shows is left out.
        json rest = event;
        if (rest.is_object()) {
            rest.erase("@timestamp");
            erase_path(rest, "attest.source");
            erase_path(rest, "attest.origin");
            erase_path(rest, "attest.position");
            if (key_field && !matched.count(key_field)) erase_path(rest, key_field);
        }
        o() += "<details><summary>other fields</summary>";
        field_table(rest, matched);
        o() += "</details>";
    }
    o() += "</li>";
}

// One row per field; the fields the query tests are highlighted and listed first. The table is
// bounded like the rest of an event (m_max_event_bytes of values in all).
void HtmlWriter::field_table(const json& event, const std::set<std::string>& matched) {
    std::vector<std::pair<std::string, const json*>> fields;
    flatten(event, "", fields);
    std::stable_partition(fields.begin(), fields.end(),
                          [&](const auto& f) { return matched.count(f.first) > 0; });
    o() += "<table class=\"fields\"><tbody>";
    std::size_t budget = m_max_event_bytes * 4, shown = 0;
    for (const auto& [path, value] : fields) {
        std::string v = display(*value);
        if (v.size() > budget && shown > 0) break;
        budget -= std::min(budget, v.size());
        ++shown;
        o() += matched.count(path) ? "<tr class=\"matched\"><th>" : "<tr><th>";
        cut(path, 200);
        o() += "</th><td><code>";
        cut(v, m_max_chars);
        o() += "</code></td></tr>";
    }
    o() += "</tbody></table>";
    if (shown < fields.size())
        o() += "<p class=\"more\">… and " + std::to_string(fields.size() - shown) +
               " more fields in results.json</p>";
}

void HtmlWriter::evidence_list(const json& events, std::int64_t omitted_by_engine,
                               const std::set<std::string>& matched) {
    std::size_t n = 0;
    o() += "<ul class=\"events\">";
    for (const auto& ev : events) {
        if (n >= m_cap) break;
        event_item(ev, n++ == 0, matched);
    }
    o() += "</ul>";
    std::int64_t rest =
        static_cast<std::int64_t>(events.size() > m_cap ? events.size() - m_cap : 0) +
        std::max<std::int64_t>(omitted_by_engine, 0);
    if (rest > 0)
        o() += "<p class=\"more\">… and " + std::to_string(rest) +
               " more matching events not shown</p>";
}

void HtmlWriter::near_misses(const json& item) {
    const auto& misses = list(item, "near_misses");
    if (misses.empty()) return;
    o() += "<h4>Near misses (all clauses but one matched)</h4><ul class=\"events\">";
    std::size_t n = 0;
    for (const auto& nm : misses) {
        if (n++ >= m_cap) break;
        o() += "<li>Failed clause: <code>";
        cut(text(nm, "failed_clause"), m_max_chars);
        o() += "</code>";
        const json& ev = member(nm, "event");
        if (ev.is_object()) {
            o() += "<ul class=\"events\">";
            event_item(ev, n == 1);
            o() += "</ul>";
        }
        o() += "</li>";
    }
    o() += "</ul>";
    if (misses.size() > m_cap)
        o() += "<p class=\"more\">… and " + std::to_string(misses.size() - m_cap) +
               " more near misses not shown</p>";
}

void HtmlWriter::expectation(const json& e, const std::string& anchor) {
    std::string cls = expectation_class(e);
    std::string verdict = text(e, "verdict", "pending");
    o() +=
        "<details class=\"item\" id=\"" + anchor + "\"><summary><span class=\"badge " + cls + "\">";
    t(verdict);
    o() += "</span> <b>";
    cut(text(e, "id"), 200);
    o() += "</b>";
    if (!flag(e, "required", true)) o() += " <span class=\"sub\">(optional)</span>";
    std::string description = text(e, "description");
    if (!description.empty()) {
        o() += " — ";
        cut(description, 300);
    }
    o() += " <span class=\"sub\">";
    if (has(e, "source")) {
        t(text(e, "source"));
        o() += " · ";
    }
    o() += std::to_string(integer(e, "count")) + " of min " +
           std::to_string(integer(e, "min_count", 1)) + "</span></summary><div class=\"body\">";
    if (has(e, "reason")) {
        o() += "<p class=\"reason\">";
        cut(text(e, "reason"), m_max_chars);
        o() += "</p>";
    }
    if (has(e, "query")) pre(text(e, "query"), m_max_chars * 2);
    const auto& evidence = list(e, "evidence");
    if (!evidence.empty() || integer(e, "evidence_omitted") > 0) {
        o() += "<h4>Matching events</h4>";
        evidence_list(evidence, integer(e, "evidence_omitted"), query_fields(text(e, "query")));
    }
    near_misses(e);
    const auto& clauses = list(e, "clause_counts");
    if (!clauses.empty()) {
        o() += "<h4>Events satisfying each clause</h4><table><tbody>";
        for (const auto& c : clauses) {
            o() += "<tr><td><code>";
            cut(text(c, "clause"), m_max_chars / 2);
            o() += "</code></td><td>" + std::to_string(integer(c, "satisfied")) + "</td></tr>";
        }
        o() += "</tbody></table>";
    }
    o() += "</div></details>";
}

// The SIEM's side of a detection: verdict, reason, the alert and its latency, the deadline.
void HtmlWriter::siem_outcome(const json& siem) {
    if (!siem.is_object()) return;
    o() += "<p class=\"reason\"><b>";
    t(text(siem, "siem", "siem"));
    o() +=
        "</b> <span class=\"badge " + std::string(flag(siem, "passed") ? "c-ok" : "c-bad") + "\">";
    t(text(siem, "verdict", "?"));
    o() += "</span> ";
    cut(text(siem, "reason"), m_max_chars);
    o() += "</p><p class=\"prov\">";
    if (has(siem, "deadline")) {
        o() += "deadline ";
        t(text(siem, "deadline"));
        o() += " (";
        cut(text(siem, "deadline_basis"), 200);
        o() += ") · ";
    }
    o() += std::to_string(integer(siem, "polls")) + " poll(s) · " +
           std::to_string(integer(siem, "alerts")) + " alert(s)";
    if (const auto& alert = member(siem, "alert"); alert.is_object()) {
        o() += " · alert <code>";
        cut(text(alert, "id"), 100);
        o() += "</code> written ";
        t(text(alert, "timestamp"));
        o() += ", source event ";
        t(text(alert, "original_time"));
    }
    o() += "</p>";
}

void HtmlWriter::detection(const json& d, const std::string& anchor) {
    std::string cls = detection_class(d);
    o() +=
        "<details class=\"item\" id=\"" + anchor + "\"><summary><span class=\"badge " + cls + "\">";
    t(detection_label(d));
    o() += "</span> <b>";
    cut(text(d, "name", text(d, "rule")), 200);
    o() += "</b> <span class=\"sub\">";
    if (has(d, "profile")) {
        t(text(d, "profile"));
        o() += " · ";
    }
    o() += std::to_string(integer(d, "hits")) + " hits</span></summary><div class=\"body\">";
    if (has(d, "rule")) {
        o() += "<p class=\"prov\">rule <code>";
        cut(text(d, "rule"), 300);
        o() += "</code>";
        if (has(d, "rule_id")) {
            o() += " id <code>";
            cut(text(d, "rule_id"), 100);
            o() += "</code>";
        }
        o() += "</p>";
    }
    if (has(d, "reason")) {
        o() += "<p class=\"reason\">";
        cut(text(d, "reason"), m_max_chars);
        o() += "</p>";
    }
    siem_outcome(member(d, "siem"));
    const auto& hits = list(d, "evidence");
    if (!hits.empty()) {
        o() += "<h4>Hits</h4>";
        std::size_t n = 0;
        for (const auto& hit : hits) {
            if (n++ >= m_cap) break;
            evidence_list(list(hit, "events"), 0);
        }
        if (hits.size() > m_cap)
            o() += "<p class=\"more\">… and " + std::to_string(hits.size() - m_cap) +
                   " more hits not shown</p>";
    }
    near_misses(d);
    o() += "</div></details>";
}

void HtmlWriter::scenario(const json& s, std::size_t index) {
    std::string verdict = text(s, "verdict", "error");
    std::string anchor = "s-" + std::to_string(index);
    std::string before = previous_verdict(s);
    bool regression = before == "passed" && (verdict == "failed" || verdict == "error");
    o() += "<section class=\"card scenario " + verdict_class(verdict) +
           (regression ? " changed-bad" : "") + "\" id=\"" + anchor + "\" data-verdict=\"";
    a(verdict);
    o() += "\"><h3><span class=\"badge " + verdict_class(verdict) + "\">";
    t(verdict);
    o() += "</span>";
    if (regression) o() += "<span class=\"badge regression\">regression</span>";
    cut(text(s, "name", text(s, "guid", "(unnamed)")), 300);
    o() += "<span class=\"sub\">";
    std::string sub;
    for (const char* key : {"technique", "tactic", "target", "platform"})
        if (has(s, key)) sub += (sub.empty() ? "" : " · ") + text(s, key);
    for (const auto& tactic : list(s, "tactics"))
        sub += (sub.empty() ? "" : " · ") + display(tactic);
    cut(sub, 300);
    o() += "</span></h3>";
    attack_step(s);
    shipped(s);
    if (!before.empty() && before != verdict) {
        o() += "<p class=\"sub\">previous run: ";
        t(before);
        o() += "</p>";
    }
    if (has(s, "reason")) {
        o() += "<p class=\"reason\">";
        cut(text(s, "reason"), m_max_chars);
        o() += "</p>";
    }
    if (auto c = test_coverage(s)) {
        o() += "<p class=\"reason\">coverage <span class=\"badge " + coverage_class(c->verdict) +
               "\">";
        t(c->verdict);
        o() += "</span> ";
        cut(c->reason, m_max_chars);
        o() += "</p>";
    }
    timeline(s);
    execution(s);
    const auto& expectations = list(s, "expectations");
    if (!expectations.empty()) {
        o() += "<h4>Expectations</h4>";
        std::size_t k = 0;
        for (const auto& e : expectations) expectation(e, anchor + "-e" + std::to_string(k++));
    }
    const auto& detections = list(s, "detections");
    if (!detections.empty()) {
        o() += "<h4>Detections</h4>";
        std::size_t k = 0;
        for (const auto& d : detections) detection(d, anchor + "-d" + std::to_string(k++));
    }
    o() += "</section>\n";
}

std::string HtmlWriter::render() {
    const json& run = member(m_results, "run");
    const auto& scenarios = list(m_results, "scenarios");
    m_out.reserve(4096 + scenarios.size() * 8192);
    head("attest report " + text(run, "id"));
    o() += "<body>\n";
    header();
    controls();
    history_section();
    coverage_matrix();
    matrix();
    bool in_skipped = false;
    for (std::size_t i : display_order(scenarios)) {
        if (is_skipped(scenarios[i]) && !in_skipped) {
            in_skipped = true;
            o() +=
                "<details class=\"skipped-cards\" id=\"skipped\"><summary>Skipped "
                "scenarios</summary>";
        }
        scenario(scenarios[i], i);
    }
    if (in_skipped) o() += "</details>";

    // Data for the script: only what the filter needs, never executable.
    json data = {{"run", text(run, "id")}, {"scenarios", json::array()}};
    for (const auto& s : scenarios)
        data["scenarios"].push_back(
            {{"name", text(s, "name")}, {"verdict", text(s, "verdict", "error")}});
    o() += "</main>\n<script type=\"application/json\" id=\"attest-data\">";
    o() += json_for_script(data);
    o() += "</script>\n<script>";
    o() += html_assets::kScript;
    o() += "</script>\n</body>\n</html>\n";
    return std::move(m_out);
}

}  // namespace

std::string render_html(const nlohmann::json& results, const RenderContext& context) {
    return HtmlWriter(results, context).render();
}

}  // namespace attest::reports
