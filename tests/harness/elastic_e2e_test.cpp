// attest ship / query --elastic / events --elastic / alerts end to end: the attest binary
// against the Elasticsearch stand-in (tests/standin/), with the requests it received checked
// body for body, and the API key looked for in everything attest printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/net/elastic_standin.h"

using namespace attest::test;
using json = nlohmann::json;

namespace {

const char* kApiKey =
    "ZWxhc3RpYy1pZDpzdXBlci1zZWNyZXQta2V5";  // base64("elastic-id:super-secret-key")

struct Output {
    int exit_code = -1;
    std::string out, err;
};

// Runs attest with stdout and stderr in files (outputs can exceed run_process's 1 MiB cap).
Output attest_cli(const std::string& dir, const std::vector<std::string>& args) {
    std::filesystem::create_directories(dir);
    std::vector<std::string> argv = {ATTEST_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    std::string out = dir + "/out", err = dir + "/err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    Output o;
    if (::posix_spawn(&pid, cargs[0], &fa, nullptr, cargs.data(), environ) != 0) return o;
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    ::waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = read_text(out);
    o.err = read_text(err);
    // The key must never be printed, whatever the command did.
    EXPECT_EQ(o.out.find(kApiKey), std::string::npos);
    EXPECT_EQ(o.err.find(kApiKey), std::string::npos);
    EXPECT_EQ(o.err.find("super-secret-key"), std::string::npos);
    return o;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(line);
    return out;
}

struct Lab {
    TempDir tmp;
    StandinCertificates certs;
    std::unique_ptr<ElasticStandin> standin;
    Lab(const std::string& name, std::vector<std::string> extra)
        : tmp(name), certs(tmp.path + "/certs") {
        extra.insert(extra.end(), {"--api-key", kApiKey});
        if (certs.ok)
            standin = std::make_unique<ElasticStandin>(tmp.path + "/standin", certs, extra);
        ::setenv("ATTEST_ELASTIC_API_KEY", kApiKey, 1);
    }
    ~Lab() { ::unsetenv("ATTEST_ELASTIC_API_KEY"); }
    std::vector<std::string> connection() const {
        return {"--elastic", standin->url(), "--ca-file", certs.ca};
    }
    Output attest(const std::string& step, std::vector<std::string> args) const {
        auto conn = connection();
        args.insert(args.begin() + 1, conn.begin(), conn.end());
        return attest_cli(tmp.path + "/" + step, args);
    }
};

std::string process_event(const std::string& ts, const std::string& host, const std::string& name,
                          int pid) {
    return json{{"@timestamp", ts},
                {"event", {{"category", "process"}, {"type", "start"}}},
                {"host", {{"name", host}}},
                {"process", {{"name", name}, {"pid", pid}}}}
        .dump();
}

}  // namespace

TEST(ElasticE2E, ShipThenQueryRoundTripsTheSysmonSamples) {
    std::string data = "../shared/data/xml/";
    std::vector<std::string> files = {
        data + "Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.libevtx.xml",
        data + "AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml"};
    for (const auto& f : files)
        if (!std::filesystem::exists(f))
            GTEST_SKIP() << f << " is absent (../shared/data is not checked out)";
    Lab lab("elastic-roundtrip", {"--bulk-faults"});
    ASSERT_TRUE(lab.certs.ok);
    std::vector<std::string> ship = {"ship", "--index", "logs-windows.sysmon_operational-lab"};
    ship.insert(ship.end(), files.begin(), files.end());
    auto shipped = lab.attest("ship", ship);
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
    EXPECT_NE(shipped.err.find(
                  "573 documents indexed into logs-windows.sysmon_operational-lab, 0 refused"),
              std::string::npos)
        << shipped.err;
    // The whole-request 429 was sent again as it was; the item refused with 429 went alone.
    auto reqs = lab.standin->requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[0]["body"], reqs[1]["body"]);
    auto resent = lines_of(reqs[2]["body"].get<std::string>());
    ASSERT_EQ(resent.size(), 2u);
    EXPECT_EQ(resent[1], lines_of(reqs[0]["body"].get<std::string>())[3]);

    std::vector<std::string> events_args = {"events"};
    events_args.insert(events_args.end(), files.begin(), files.end());
    auto local = attest_cli(lab.tmp.path + "/events", events_args);
    ASSERT_EQ(local.exit_code, 0);
    auto found = lab.attest("query", {"query", "--index", "logs-windows.*", "--eql",
                                      "any where true", "--size", "100000"});
    ASSERT_EQ(found.exit_code, 0) << found.err;
    // Field for field: the same documents (in Elasticsearch's time order, not file order).
    std::multiset<std::string> expected, got;
    for (const auto& l : lines_of(local.out)) expected.insert(json::parse(l).dump());
    for (const auto& l : lines_of(found.out)) {
        auto hit = json::parse(l);
        ASSERT_EQ(hit["events"].size(), 1u);
        got.insert(hit["events"][0].dump());
    }
    EXPECT_EQ(expected.size(), 573u);
    EXPECT_TRUE(got == expected);
}

TEST(ElasticE2E, ShipReportsRefusalsByInputPosition) {
    Lab lab("elastic-refusals", {"--bulk-faults"});
    ASSERT_TRUE(lab.certs.ok);
    std::string file = lab.tmp.path + "/events.ndjson";
    write_text(file, process_event("2026-12-01T10:00:00Z", "h1", "a.exe", 1) + "\n" +
                         process_event("2026-12-01T10:00:01Z", "h1", "b.exe", 2) + "\n" +
                         R"({"event":{"category":"process"},"process":{"name":"c.exe"}})" + "\n" +
                         process_event("2026-12-01T10:00:03Z", "h1", "d.exe", 4) + "\n");
    auto r = lab.attest("ship", {"ship", "--index", "logs-test-lab", file});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(
        r.err.find(
            file +
            ": event 3: refused: HTTP 400 document_parsing_exception: data stream timestamp field "
            "[@timestamp] is missing"),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("3 documents indexed into logs-test-lab, 1 refused (3 bulk requests)"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out.empty());
    auto reqs = lab.standin->requests();
    ASSERT_EQ(reqs.size(), 3u);
    auto first = lines_of(reqs[0]["body"].get<std::string>());
    ASSERT_EQ(first.size(), 8u);
    EXPECT_EQ(first[0], R"({"create":{"_index":"logs-test-lab"}})");
    EXPECT_EQ(reqs[1]["body"], reqs[0]["body"]);
    EXPECT_EQ(reqs[2]["body"],
              first[2] + "\n" + first[3] + "\n");  // event 2, refused with 429 once
    for (const auto& q : reqs) EXPECT_EQ(q["auth"], "ApiKey");

    auto missing = lab.attest("ship-missing",
                              {"ship", "--index", "logs-test-lab", lab.tmp.path + "/nope.ndjson"});
    EXPECT_EQ(missing.exit_code, 2);
}

TEST(ElasticE2E, QueryElasticMatchesTheLocalQuery) {
    TempDir data("elastic-query-data");
    std::string file = data.path + "/events.ndjson";
    write_text(file,
               process_event("2026-12-01T10:00:00.000Z", "h1", "outlook.exe", 1) + "\n" +
                   process_event("2026-12-01T10:00:01.000Z", "h2", "outlook.exe", 2) + "\n" +
                   process_event("2026-12-01T10:00:02.000Z", "h1", "powershell.exe", 3) + "\n" +
                   process_event("2026-12-01T10:30:00.000Z", "h2", "powershell.exe", 4) + "\n");
    Lab lab("elastic-query", {"--load", "logs-endpoint.events.process-default=" + file});
    ASSERT_TRUE(lab.certs.ok);
    std::string seq =
        "sequence by host.name [process where process.name == \"outlook.exe\"] "
        "[process where process.name == \"powershell.exe\"]";
    auto remote =
        lab.attest("seq", {"query", "--index", "logs-endpoint.events.*", "--eql", seq, "--from",
                           "2026-12-01T10:00:00Z", "--to", "2026-12-01T10:10:00Z"});
    ASSERT_EQ(remote.exit_code, 0) << remote.err;
    // The local query over the whole file also finds h2's pair, which ends outside the window.
    auto windowed = attest_cli(lab.tmp.path + "/local", {"query", "--eql", seq, file});
    ASSERT_EQ(windowed.exit_code, 0);
    auto remote_lines = lines_of(remote.out);
    ASSERT_EQ(remote_lines.size(), 1u);
    EXPECT_EQ(remote_lines[0], lines_of(windowed.out)[0]);
    EXPECT_EQ(json::parse(remote_lines[0])["join_keys"], json::array({"h1"}));
    auto body = json::parse(lab.standin->requests()[0]["body"].get<std::string>());
    EXPECT_EQ(body.dump(), json::parse(R"({"query":)" + json(seq).dump() + R"(,"size":1000,
        "filter":{"range":{"@timestamp":{"gte":"2026-12-01T10:00:00.000Z","lte":"2026-12-01T10:10:00.000Z"}}},
        "wait_for_completion_timeout":"2s"})")
                               .dump());

    auto none = lab.attest("none", {"query", "--index", "logs-endpoint.events.*", "--eql",
                                    "process where process.pid == 99"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_TRUE(none.out.empty());
    auto bad = lab.attest("bad", {"query", "--index", "logs-*", "--eql", "process where ("});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("HTTP 400 verification_exception"), std::string::npos) << bad.err;
    auto unreachable = attest_cli(
        lab.tmp.path + "/down",
        {"query", "--elastic", "https://127.0.0.1:1", "--index", "x", "--eql", "any where true"});
    EXPECT_EQ(unreachable.exit_code, 2);
    EXPECT_NE(unreachable.err.find("cannot connect"), std::string::npos) << unreachable.err;
}

TEST(ElasticE2E, EventsExportsAWindowPageByPage) {
    TempDir data("elastic-events-data");
    std::string file = data.path + "/events.ndjson";
    std::string text;
    for (int i = 0; i < 7; ++i)
        text += process_event("2026-12-01T10:00:0" + std::to_string(i) + ".000Z",
                              i % 2 ? "h1" : "h2", "p.exe", i) +
                "\n";
    write_text(file, text);
    Lab lab("elastic-events", {"--load", "logs-test-default=" + file});
    ASSERT_TRUE(lab.certs.ok);
    auto r =
        lab.attest("export", {"events", "--index", "logs-test-*", "--from", "2026-12-01T10:00:01Z",
                              "--to", "2026-12-01T10:00:06Z", "--host", "h1", "--page-size", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3u);
    for (std::size_t i = 0; i < lines.size(); ++i)
        EXPECT_EQ(json::parse(lines[i])["process"]["pid"], 2 * i + 1);
    EXPECT_EQ(lab.standin->requests().size(), 4u);  // _pit, 2 pages (2 + 1 hits), DELETE _pit
}

TEST(ElasticE2E, AlertsOfARuleOnAHostInAWindow) {
    TempDir data("elastic-alerts-data");
    std::string file = data.path + "/alerts.ndjson";
    auto alert = [](const std::string& ts, const std::string& rule, const std::string& host) {
        return json{{"@timestamp", ts},
                    {"kibana.alert.rule.rule_id", rule},
                    {"kibana.alert.rule.name", "r " + rule},
                    {"kibana.alert.original_time", "2026-12-01T09:59:00.000Z"},
                    {"host", {{"name", host}}}}
            .dump();
    };
    write_text(file, alert("2026-12-01T10:01:00.000Z", "rule-x", "h1") + "\n" +
                         alert("2026-12-01T10:02:00.000Z", "rule-x", "h2") + "\n" +
                         alert("2026-12-01T10:03:00.000Z", "rule-y", "h1") + "\n" +
                         alert("2026-12-01T10:04:00.000Z", "rule-x", "h1") + "\n" +
                         alert("2026-12-01T12:00:00.000Z", "rule-x", "h1") + "\n");
    Lab lab("elastic-alerts",
            {"--load", ".internal.alerts-security.alerts-default-000001=" + file});
    ASSERT_TRUE(lab.certs.ok);
    std::vector<std::string> window = {"--from", "2026-12-01T10:00:00Z", "--to",
                                       "2026-12-01T11:00:00Z"};
    std::vector<std::string> args = {"alerts",
                                     "--rule-id",
                                     "rule-x",
                                     "--host",
                                     "h1",
                                     "--index",
                                     ".internal.alerts-security.alerts-*"};
    args.insert(args.end(), window.begin(), window.end());
    auto r = lab.attest("alerts", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(json::parse(lines[0])["@timestamp"], "2026-12-01T10:01:00.000Z");
    EXPECT_EQ(json::parse(lines[1])["@timestamp"], "2026-12-01T10:04:00.000Z");
    auto search = json::parse(lab.standin->requests()[1]["body"].get<std::string>());
    EXPECT_EQ(
        search["query"].dump(),
        R"({"bool":{"filter":[{"term":{"kibana.alert.rule.rule_id":"rule-x"}},{"range":{"@timestamp":{"gte":"2026-12-01T10:00:00.000Z","lte":"2026-12-01T11:00:00.000Z"}}},{"term":{"host.name":"h1"}}]}})");
    std::vector<std::string> none = {"alerts", "--rule-id", "rule-z", "--index",
                                     ".internal.alerts-security.alerts-*"};
    none.insert(none.end(), window.begin(), window.end());
    EXPECT_EQ(lab.attest("none", none).exit_code, 1);
    auto usage = lab.attest("usage", {"alerts", "--rule-id", "rule-x"});
    EXPECT_EQ(usage.exit_code, 2);
}

TEST(ElasticE2E, AFingerprintMismatchIsRefusedBeforeAnyBodyIsSent) {
    Lab lab("elastic-pin", {});
    ASSERT_TRUE(lab.certs.ok);
    std::string file = lab.tmp.path + "/events.ndjson";
    write_text(file, process_event("2026-12-01T10:00:00Z", "h1", "a.exe", 1) + "\n");
    std::string wrong = lab.certs.ca_fingerprint;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    auto refused = attest_cli(lab.tmp.path + "/refused",
                              {"ship", "--elastic", lab.standin->url(), "--ca-fingerprint", wrong,
                               "--index", "logs-test-lab", file});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("pinned SHA-256 fingerprint"), std::string::npos) << refused.err;
    EXPECT_TRUE(lab.standin->requests().empty());
    auto pinned = attest_cli(lab.tmp.path + "/pinned",
                             {"ship", "--elastic", lab.standin->url(), "--ca-fingerprint",
                              lab.certs.ca_fingerprint, "--index", "logs-test-lab", file});
    EXPECT_EQ(pinned.exit_code, 0) << pinned.err;
    EXPECT_EQ(lab.standin->requests().size(), 1u);
}

namespace {

// Every verdict of a results.json, scenario by scenario: "name: verdict" then each
// expectation's and detection's "  id: verdict".
std::vector<std::string> verdicts_of(const std::string& results_path) {
    std::vector<std::string> out;
    auto doc = json::parse(read_text(results_path), nullptr, false);
    if (!doc.is_object()) return out;
    for (const auto& s : doc["scenarios"]) {
        out.push_back(s.value("name", "") + ": " + s.value("verdict", ""));
        for (const char* part : {"expectations", "detections"})
            if (s.contains(part))
                for (const auto& e : s[part])
                    out.push_back("  " + e.value("id", e.value("rule", "")) + ": " +
                                  e.value("verdict", ""));
    }
    return out;
}

}  // namespace

TEST(ElasticE2E, CheckOverAShippedWindowGivesTheVerdictsOfTheFiles) {
    const std::string data = ATTEST_SOURCE_DIR "/tests/data/t1114/";
    std::vector<std::string> files;
    for (const char* f :
         {"synthetic_s1_sysmon.xml", "synthetic_s2_sysmon.xml", "synthetic_s3_sysmon.xml",
          "synthetic_s3_powershell.xml", "synthetic_s3_o365.json", "synthetic_s4_sysmon.xml",
          "synthetic_s4_powershell.xml", "synthetic_s4_o365.json"})
        files.push_back(data + f);
    Lab lab("elastic-check", {});
    ASSERT_TRUE(lab.certs.ok);
    std::vector<std::string> ship = {"ship", "--index", "logs-t1114-lab"};
    ship.insert(ship.end(), files.begin(), files.end());
    auto shipped = lab.attest("ship", ship);
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;

    const std::string pack = ATTEST_SOURCE_DIR "/scenarios/t1114";
    std::vector<std::string> over_files = {"check",   "--pack", pack,
                                           "--quiet", "--out",  lab.tmp.path + "/files"};
    for (const auto& f : files) over_files.insert(over_files.end(), {"--telemetry", f});
    auto plain = attest_cli(lab.tmp.path + "/check-files", over_files);
    auto remote = lab.attest(
        "check-elastic", {"check", "--pack", pack, "--index", "logs-t1114-*", "--page-size", "7",
                          "--quiet", "--out", lab.tmp.path + "/elastic"});
    EXPECT_EQ(remote.exit_code, plain.exit_code) << remote.err;
    auto expected = verdicts_of(lab.tmp.path + "/files/results.json");
    ASSERT_GT(expected.size(), 4u);
    EXPECT_EQ(verdicts_of(lab.tmp.path + "/elastic/results.json"), expected);
    // The window is one of the run's inputs, named by URL and pattern, never with the key.
    auto results = json::parse(read_text(lab.tmp.path + "/elastic/results.json"));
    EXPECT_EQ(results["run"]["telemetry"], json::array({lab.standin->url() + " logs-t1114-*"}));
    for (const char* f : {"/elastic/results.json", "/elastic/report.html", "/elastic/junit.xml"})
        EXPECT_EQ(read_text(lab.tmp.path + f).find(kApiKey), std::string::npos) << f;
    for (const auto& r : lab.standin->requests()) EXPECT_EQ(r["auth"], "ApiKey");
}

namespace {

// The stand-in with the T1114 scenario 1 and 2 Sysmon recordings shipped to logs-pd-lab.
void ship_pushdown_window(const Lab& lab) {
    const std::string data = ATTEST_SOURCE_DIR "/tests/data/t1114/";
    auto shipped =
        lab.attest("ship", {"ship", "--index", "logs-pd-lab", data + "synthetic_s1_sysmon.xml",
                            data + "synthetic_s2_sysmon.xml"});
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
}

std::vector<std::string> pushdown_check(const std::string& scenario, const std::string& out) {
    return {"check",      "--pack", ATTEST_SOURCE_DIR "/tests/data/packs/pushdown",
            "--scenario", scenario, "--index",
            "logs-pd-*",  "--out",  out,
            "--pushdown"};
}

std::vector<std::string> targets_of(const Lab& lab) {
    std::vector<std::string> out;
    for (const auto& r : lab.standin->requests())
        out.push_back(r["method"].get<std::string>() + " " + r["target"].get<std::string>());
    return out;
}

}  // namespace

// Every check passes over the documents Elasticsearch matched: the verdicts are those of the
// recording read locally, and the window itself is never read (no point in time).
TEST(ElasticE2E, PushdownAnswersPassingChecksWithoutReadingTheWindow) {
    Lab lab("elastic-pushdown", {});
    ASSERT_TRUE(lab.certs.ok);
    ship_pushdown_window(lab);
    const std::string guid = "5e000000-0000-4000-8000-000000001141";
    auto local = attest_cli(
        lab.tmp.path + "/local",
        {"check", "--pack", ATTEST_SOURCE_DIR "/tests/data/packs/pushdown", "--scenario", guid,
         "--telemetry", ATTEST_SOURCE_DIR "/tests/data/t1114/synthetic_s1_sysmon.xml", "--out",
         lab.tmp.path + "/local-out", "--quiet"});
    ASSERT_EQ(local.exit_code, 0) << local.err;
    std::size_t before = lab.standin->requests().size();
    auto pushed = lab.attest("pushdown", pushdown_check(guid, lab.tmp.path + "/pushed"));
    EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
    EXPECT_NE(pushed.err.find("the window was not read"), std::string::npos) << pushed.err;
    EXPECT_EQ(verdicts_of(lab.tmp.path + "/pushed/results.json"),
              verdicts_of(lab.tmp.path + "/local-out/results.json"));
    auto run = json::parse(read_text(lab.tmp.path + "/pushed/results.json"))["run"];
    EXPECT_EQ(run["pushdown"]["used"], true);
    EXPECT_EQ(run["pushdown"]["queries"], 3);
    // copy: the one PowerShell start with Copy-Item; staged and the rule: the same 2 files.
    EXPECT_EQ(run["pushdown"]["documents"], 3);
    auto targets = targets_of(lab);
    targets.erase(targets.begin(), targets.begin() + static_cast<long>(before));
    EXPECT_EQ(std::count(targets.begin(), targets.end(), "POST /logs-pd-*/_eql/search"), 3);
    for (const auto& t : targets)
        EXPECT_EQ(t.find("_pit"), std::string::npos) << "the window was read: " << t;
    auto body = json::parse(lab.standin->requests()[before]["body"].get<std::string>());
    EXPECT_EQ(body["filter"], json::parse(R"({"bool":{"filter":[]}})"));
    EXPECT_EQ(body["size"], 10);
}

// A check that does not pass over the matched documents: the whole window is read after all,
// and the verdict carries the local engine's near misses.
TEST(ElasticE2E, PushdownReadsTheWindowWhenACheckMisses) {
    Lab lab("elastic-pushdown-miss", {});
    ASSERT_TRUE(lab.certs.ok);
    ship_pushdown_window(lab);
    std::size_t before = lab.standin->requests().size();
    auto pushed = lab.attest("pushdown", pushdown_check("5e000000-0000-4000-8000-000000001142",
                                                        lab.tmp.path + "/pushed"));
    EXPECT_EQ(pushed.exit_code, 1) << pushed.err;
    EXPECT_NE(pushed.err.find("not every check was seen; reading the whole window for near misses"),
              std::string::npos)
        << pushed.err;
    auto doc = json::parse(read_text(lab.tmp.path + "/pushed/results.json"));
    EXPECT_EQ(doc["run"]["pushdown"]["used"], false);
    EXPECT_EQ(doc["run"]["telemetry_stats"]["events"], 13) << "both recordings, the window";
    const auto& missed = doc["scenarios"][0]["expectations"][1];
    EXPECT_EQ(missed["id"], "outlook-started");
    EXPECT_EQ(missed["verdict"], "missing");
    EXPECT_FALSE(missed["near_misses"].empty());
    auto targets = targets_of(lab);
    targets.erase(targets.begin(), targets.begin() + static_cast<long>(before));
    EXPECT_EQ(std::count(targets.begin(), targets.end(), "POST /logs-pd-*/_eql/search"), 2);
    EXPECT_EQ(std::count(targets.begin(), targets.end(), "POST /logs-pd-*/_pit?keep_alive=1m"), 1)
        << testing::PrintToString(targets);
}
