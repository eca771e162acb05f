#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "reports/history.h"
#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

std::size_t count_of(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

TEST(Html, SelfContainedWithStrictCsp) {
    std::string html = render_html(load_fixture("results-basic.json"), {});
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        html, m, std::regex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">")));
    std::string csp = m[1];
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_TRUE(std::regex_search(csp, std::regex("script-src 'sha256-[A-Za-z0-9+/]{43}='")));
    EXPECT_TRUE(std::regex_search(csp, std::regex("style-src 'sha256-[A-Za-z0-9+/]{43}='")));
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    // Nothing is fetched: no external URLs in src/href, no @import, no url().
    EXPECT_FALSE(std::regex_search(html, std::regex("(src|href)=\"(https?:|//)")));
    EXPECT_EQ(html.find("@import"), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
    // Exactly one executable script (the other is a JSON data block).
    EXPECT_EQ(count_of(html, "<script>"), 1u);
    EXPECT_EQ(count_of(html, "<script type=\"application/json\" id=\"attest-data\">"), 1u);
}

TEST(Html, HeaderMatrixTimelineAndEvidence) {
    std::string html = render_html(load_fixture("results-basic.json"), {});
    EXPECT_NE(html.find("20261122T083000Z-3f2a"), std::string::npos);
    for (const char* v : {"passed", "failed", "error", "inconclusive", "skipped"})
        EXPECT_NE(html.find(std::string("<div class=\"total v-") + v + "\"><b>1</b>"),
                  std::string::npos)
            << v;
    EXPECT_NE(html.find("<table class=\"matrix\">"), std::string::npos);
    // Matrix cells: 5 expectations (squares) and 2 detections (round).
    EXPECT_EQ(count_of(html, "<a class=\"cell c-"), 5u);
    EXPECT_EQ(count_of(html, "<a class=\"cell det c-"), 2u);
    EXPECT_NE(html.find("<a class=\"cell c-soft\""), std::string::npos);  // optional + missing
    EXPECT_NE(html.find("<a class=\"cell det c-bad\""), std::string::npos);
    // Timelines for the two executed scenarios, with start/end/cleanup markers.
    EXPECT_EQ(count_of(html, "<svg class=\"timeline\""), 2u);
    EXPECT_NE(html.find(">cleanup failed</text>"), std::string::npos);
    // Evidence with provenance, near miss with its failed clause, command output, prerequisites.
    EXPECT_NE(html.find("<code>telemetry/sysmon.xml:line 120</code>"), std::string::npos);
    EXPECT_NE(html.find("Failed clause: <code>process.args : \"*Maildir*\"</code>"),
              std::string::npos);
    EXPECT_NE(html.find("tar: Removing leading '/'"), std::string::npos);
    EXPECT_NE(html.find("Prerequisites: 0 of 1 met"), std::string::npos);
    EXPECT_NE(html.find("sh: curl: not found"), std::string::npos);
    EXPECT_NE(html.find("rm: cannot remove '/tmp/stage': Permission denied"), std::string::npos);
    EXPECT_NE(html.find("@media print"), std::string::npos);
    EXPECT_NE(html.find("id=\"only-failures\""), std::string::npos);
    // No history given: no history section.
    EXPECT_EQ(html.find("id=\"history\""), std::string::npos);
}

// Latency on the timeline: an expectation's first event ingested later (event.ingested) and a
// SIEM alert written after its source event are drawn as dashed spans with their durations.
TEST(Html, TimelineShowsIngestAndAlertLatency) {
    json results = load_fixture("results-basic.json");
    json* scenario = nullptr;
    for (auto& s : results["scenarios"])
        if (s.contains("execution") && !s["expectations"].empty() && !scenario) scenario = &s;
    ASSERT_NE(scenario, nullptr);
    json& e = (*scenario)["expectations"][0];
    ASSERT_FALSE(e["evidence"].empty());
    std::string first = e["evidence"][0]["@timestamp"];
    for (auto& ev : e["evidence"]) ev["@timestamp"] = first;
    e["evidence"][0]["event"]["ingested"] = first.substr(0, 17) + "59.000Z";
    json d = {{"rule", "rules/x.eql"},
              {"name", "Mail export"},
              {"verdict", "fired"},
              {"expected", "fires"},
              {"passed", true},
              {"hits", 0},
              {"evidence", json::array()},
              {"siem",
               {{"siem", "elastic"},
                {"verdict", "fired"},
                {"passed", true},
                {"alert",
                 {{"id", "a1"},
                  {"timestamp", "2026-11-22T08:32:30.000Z"},
                  {"original_time", "2026-11-22T08:30:02.000Z"}}}}}};
    (*scenario)["detections"].push_back(d);
    std::string html = render_html(results, {});
    EXPECT_NE(html.find("first ingested "), std::string::npos);
    EXPECT_NE(
        html.find(
            "<title>SIEM alert for Mail export: written 2.5 min after its source event</title>"),
        std::string::npos);
    EXPECT_GE(count_of(html, "stroke-dasharray=\"4 3\""), 2u);
    EXPECT_NE(html.find("<span>purple dots: SIEM alerts</span>"), std::string::npos);
    EXPECT_NE(html.find("<span>dashed: ingest and alert latency</span>"), std::string::npos);
    // Without either, neither legend entry.
    std::string plain = render_html(load_fixture("results-basic.json"), {});
    EXPECT_EQ(plain.find("dashed: ingest"), std::string::npos);
    EXPECT_EQ(plain.find("purple dots"), std::string::npos);
}

// Attribute names of every start tag, tokenized the way a browser does for our output
// (every value quoted); the contents of <script> and <style> are raw text and skipped.
std::vector<std::string> attribute_names(const std::string& html) {
    std::vector<std::string> names;
    auto is_space = [](char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
    };
    std::size_t i = 0;
    while ((i = html.find('<', i)) != std::string::npos) {
        ++i;
        if (i >= html.size() || !std::isalpha(static_cast<unsigned char>(html[i]))) continue;
        std::size_t start = i;
        while (i < html.size() && !is_space(html[i]) && html[i] != '>' && html[i] != '/') ++i;
        std::string tag = html.substr(start, i - start);
        while (i < html.size()) {
            while (i < html.size() && (is_space(html[i]) || html[i] == '/')) ++i;
            if (i >= html.size() || html[i] == '>') break;
            std::size_t ns = i;
            while (i < html.size() && !is_space(html[i]) && html[i] != '=' && html[i] != '>' &&
                   html[i] != '/')
                ++i;
            names.push_back(html.substr(ns, i - ns));
            if (i < html.size() && html[i] == '=') {
                ++i;
                if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
                    char q = html[i++];
                    i = html.find(q, i);
                    if (i == std::string::npos) return names;
                    ++i;
                } else {
                    while (i < html.size() && !is_space(html[i]) && html[i] != '>') ++i;
                }
            }
        }
        if (tag == "script" || tag == "style") {
            i = html.find("</" + tag, i);
            if (i == std::string::npos) break;
        }
    }
    return names;
}

TEST(Html, HostileTelemetryIsEscapedEverywhere) {
    const std::string payloads[] = {"<script>alert(1)</script>",
                                    "\"><img src=x onerror=alert(2)>",
                                    "</textarea><b>x</b>",
                                    "javascript:alert(3)",
                                    "</script><script>alert(4)</script>",
                                    "'\" onmouseover='alert(5)"};
    json scenarios = json::array();
    int n = 0;
    for (const auto& p : payloads) {
        json s = make_scenario("g" + std::to_string(n++), "T1059.001", "failed");
        s["name"] = p;
        s["reason"] = p;
        s["target"] = p;
        s["execution"]["command"] = p;
        s["execution"]["stdout"] = p;
        s["expectations"][0]["id"] = p;
        s["expectations"][0]["query"] = p;
        s["expectations"][0]["near_misses"][0]["failed_clause"] = p;
        s["expectations"][0]["near_misses"][0]["event"]["process"]["command_line"] = p;
        s["expectations"][0]["near_misses"][0]["event"]["attest"]["origin"] = p;
        s["arguments"] = {{p, p}};
        scenarios.push_back(s);
    }
    json results = make_results("run-<script>", "2026-11-22T00:00:00Z", scenarios);
    results["run"]["lab"] = "</title><script>alert(6)</script>";
    std::string html = render_html(results, {});
    for (const auto& p : payloads) {
        // Payloads with markup must never appear raw; the others are harmless as text.
        if (p.find('<') != std::string::npos) {
            EXPECT_EQ(html.find(p), std::string::npos) << "raw payload in output: " << p;
        }
    }
    static const std::set<std::string> kOurAttributes = {"lang",
                                                         "charset",
                                                         "http-equiv",
                                                         "content",
                                                         "name",
                                                         "class",
                                                         "id",
                                                         "type",
                                                         "for",
                                                         "href",
                                                         "title",
                                                         "data-verdict",
                                                         "viewBox",
                                                         "role",
                                                         "aria-label",
                                                         "xmlns",
                                                         "x",
                                                         "y",
                                                         "x1",
                                                         "y1",
                                                         "x2",
                                                         "y2",
                                                         "width",
                                                         "height",
                                                         "rx",
                                                         "fill",
                                                         "fill-opacity",
                                                         "stroke",
                                                         "stroke-width",
                                                         "points",
                                                         "font-size",
                                                         "text-anchor",
                                                         "cx",
                                                         "cy",
                                                         "r"};
    auto names = attribute_names(html);
    EXPECT_GT(names.size(), 100u);
    for (const auto& n : names)
        EXPECT_TRUE(kOurAttributes.count(n)) << "unexpected attribute " << n;
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>x"), std::string::npos);
    EXPECT_EQ(html.find("onerror=alert(2)>"), std::string::npos);
    EXPECT_EQ(html.find("href=\"javascript"), std::string::npos);
    EXPECT_EQ(count_of(html, "<script"), 2u);  // the data block and our script
    EXPECT_EQ(count_of(html, "</script>"), 2u);
    // Escaped forms are there (shown as text).
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("title=\"expectation &quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
              std::string::npos);
}

TEST(Html, EvidenceIsCappedWithTheCountOfTheRest) {
    json s = make_scenario("g1", "T1059.001", "passed");
    s["expectations"][0] = make_expectation("many", "observed", 9);
    s["expectations"][0]["evidence_omitted"] = 40;
    s["expectations"][0]["evidence"][0]["process"]["command_line"] = std::string(10000, 'A');
    ReportOptions options;
    options.evidence_cap = 2;
    options.max_string_chars = 100;
    std::string html = render_html(make_results("r", "2026-11-22T00:00:00Z", json::array({s})),
                                   {&options, nullptr});
    EXPECT_EQ(count_of(html, "<li><span class=\"prov\">"), 2u);        // 2 events shown
    EXPECT_EQ(count_of(html, "<summary>other fields</summary>"), 1u);  // the first in full
    EXPECT_NE(html.find("… and 47 more matching events not shown"),
              std::string::npos);  // 7 capped + 40 omitted
    EXPECT_EQ(html.find(std::string(101, 'A')), std::string::npos);
    EXPECT_NE(html.find("more bytes</span>"), std::string::npos);
}

TEST(Html, HistoryDiffAndTrend) {
    HistoryView view;
    RunSummary r1{"run-1", "run", "2026-11-21T02:00:00Z", "local", "p", 3, 0, 0, 0, 0};
    RunSummary r2{"run-2", "run", "2026-11-22T02:00:00Z", "local", "p", 2, 1, 0, 0, 0};
    view.runs = {r1, r2};
    view.previous = r1;
    view.changes = {{ScenarioChange::Kind::Regression, "g1", "scenario g1", "T1114.001", "lab-win",
                     "passed", "failed"}};
    view.previous_verdicts[scenario_key("g1", "scenario g1", "lab-win")] = "passed";
    json results = nightly_run(2);
    std::string html = render_html(results, {nullptr, &view});
    EXPECT_NE(html.find("id=\"history\""), std::string::npos);
    EXPECT_NE(html.find("Compared with the previous run <code>run-1</code>"), std::string::npos);
    EXPECT_NE(html.find("coverage 100% (3 of 3 measured) → 67% (2 of 3 measured)"),
              std::string::npos)
        << html.substr(0, 4000);
    EXPECT_NE(html.find("<tr class=\"regression\">"), std::string::npos);
    EXPECT_NE(html.find("<svg class=\"trend\""), std::string::npos);
    EXPECT_NE(html.find("<polyline"), std::string::npos);
    // The regressed scenario is marked in the matrix and its section.
    // (changes table, matrix row, scenario heading)
    EXPECT_EQ(count_of(html, "<span class=\"badge regression\">regression</span>"), 3u);
    EXPECT_NE(html.find("scenario v-failed changed-bad"), std::string::npos);
}

TEST(Html, OddDocumentsStillRender) {
    for (const json& doc :
         {json::object(), json{{"scenarios", json::array({1, "x", nullptr, json::object()})}},
          json{{"run", "x"},
               {"scenarios", {{{"expectations", 3}, {"detections", {{{"evidence", "x"}}}}}}}}}) {
        std::string html = render_html(doc, {});
        EXPECT_NE(html.find("</html>"), std::string::npos);
    }
}

// Issue 15's report: what ran first, grouped by verdict; skipped rows grey and collapsed; a time
// axis; evidence as a field table with the queried fields highlighted; relative paths; no empty
// stderr box; the attack step's own outcome; the telemetry statistics; an incomplete run says so.
TEST(Html, RanScenariosFirstSkippedCollapsedAndGrey) {
    json skipped = make_scenario("s0", "T1114.001", "skipped");
    skipped["expectations"][0]["verdict"] = "not_collected";
    json results = make_results("r", "2026-11-22T08:30:00.000Z",
                                json::array({skipped, make_scenario("p1", "T1082", "passed"),
                                             make_scenario("f1", "T1005", "failed")}));
    std::string html = render_html(results, {});
    auto failed_row = html.find("<tr class=\"v-failed\"");
    auto passed_row = html.find("<tr class=\"v-passed\"");
    auto group = html.find("<details class=\"skipped-rows\"><summary>1 skipped scenario");
    auto skipped_row = html.find("<tr class=\"v-skipped\"");
    ASSERT_NE(failed_row, std::string::npos);
    EXPECT_LT(failed_row, passed_row);
    EXPECT_LT(passed_row, group);
    EXPECT_LT(group, skipped_row);
    // The skipped scenario's expectation is grey (never evaluated), not the orange of a gap.
    EXPECT_EQ(html.find("<a class=\"cell c-warn\""), std::string::npos);
    EXPECT_NE(html.find("expectation s0-e1: not evaluated"), std::string::npos);
    // Its card is in the collapsed group; anchors keep the pack index.
    EXPECT_LT(html.find("<details class=\"skipped-cards\""), html.find("id=\"s-0\""));
    EXPECT_LT(html.find("id=\"s-2\""), html.find("id=\"s-1\""));
}

TEST(Html, TimelineHasATimeAxis) {
    json s = make_scenario("g1", "T1082", "passed");
    s["execution"]["start"] = "2026-11-22T08:30:00.000Z";
    s["execution"]["end"] = "2026-11-22T08:30:40.000Z";
    std::string html =
        render_html(make_results("r", "2026-11-22T08:30:00.000Z", json::array({s})), {});
    EXPECT_NE(html.find("<g class=\"axis\">"), std::string::npos);
    EXPECT_GE(count_of(html, "<line class=\"tick\""), 3u);
    EXPECT_NE(html.find(">+0s</text>"), std::string::npos);
    EXPECT_NE(html.find(">+10s</text>"), std::string::npos);
}

TEST(Html, EvidenceFieldTableHighlightsQueriedFields) {
    json s = make_scenario("g1", "T1082", "passed");
    auto& e = s["expectations"][0];
    e["query"] = "process where process.executable : \"*cmd.exe\" and event.code == \"1\"";
    std::string html =
        render_html(make_results("r", "2026-11-22T08:30:00.000Z", json::array({s})), {});
    EXPECT_NE(html.find("<table class=\"fields\">"), std::string::npos);
    EXPECT_NE(html.find("<tr class=\"matched\"><th>event.code</th>"), std::string::npos) << html;
    EXPECT_NE(html.find("<tr class=\"matched\"><th>process.executable</th>"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>event.action</th>"), std::string::npos);
    // A word inside a string literal is not a field.
    EXPECT_EQ(html.find("<tr class=\"matched\"><th>event.action</th>"), std::string::npos);
}

TEST(Html, AttackStepStatsRelativePathsAndNoEmptyBoxes) {
    json s = make_scenario("g1", "T1048.003", "passed");
    s["execution"]["exit_code"] = 22;
    s["execution"]["stderr"] = "";
    json results = make_results("r", "2026-11-22T08:30:00.000Z", json::array({s}));
    results["run"]["telemetry"] = {
        std::filesystem::current_path().string() + "/telemetry/audit.log", "/elsewhere/x.log"};
    results["run"]["telemetry_stats"] = {
        {"events", 147000}, {"skipped_records", 1499}, {"out_of_order", 127836}, {"untimed", 0}};
    std::string html = render_html(results, {});
    EXPECT_NE(html.find("attack step: <span class=\"badge c-bad\">failed</span> <span "
                        "class=\"sub\">exit code 22"),
              std::string::npos);
    EXPECT_NE(html.find("<dd>telemetry/audit.log, /elsewhere/x.log</dd>"), std::string::npos);
    EXPECT_NE(html.find("147000 events · 1499 records skipped · 127836 out of order"),
              std::string::npos);
    EXPECT_EQ(html.find("<h4>stderr</h4>"), std::string::npos);
    EXPECT_EQ(html.find("This run did not complete"), std::string::npos);
    results["run"]["incomplete"] = {"telemetry /data/big.evtx: truncated chunk at byte 65536"};
    html = render_html(results, {});
    EXPECT_LT(html.find("This run did not complete"), html.find("id=\"matrix\""));
    EXPECT_NE(html.find("truncated chunk at byte 65536"), std::string::npos);
}

}  // namespace
}  // namespace attest::reports
