// `attest run` with detections checked in Elastic Security (`siem: elastic`): the harmless
// pack tests/data/packs/siem on the local transport, against the Elasticsearch stand-in
// (which also stands in for Kibana's rules API and scripts when each alert is written). One
// alert appears after two polls (fired in time), one after its deadline (fired late), one
// never (not fired, with the local engine's near misses); two rules are not installed or
// disabled. The requests attest sent are checked body for body, and the API key is looked for
// in everything the run printed or wrote.
#include <gtest/gtest.h>

#include "tests/net/elastic_standin.h"

using namespace attest::test;
using json = nlohmann::json;

namespace {

const char* kApiKey = "c2llbS1pZDpzaWVtLXNlY3JldC1rZXk=";  // base64("siem-id:siem-secret-key")
const char* kGuid = "5e000000-0000-4000-8000-000000000105";

const json* detection(const json& scenario, const std::string& rule_id) {
    for (const auto& d : scenario["detections"])
        if (d.value("rule_id", "") == rule_id) return &d;
    return nullptr;
}

std::string lab_file(const std::string& url, const std::string& ca, const std::string& log) {
    return "lab: siem-standin\n"
           "concurrency: 1\n"
           "timeouts: {execution: 30s, cleanup: 10s, collection: 1s}\n"
           "siem:\n"
           "  elastic: {url: " +
           url + ", kibana: " + url + ", ca_file: " + ca +
           ", poll_interval: 400ms, max_polls: 40, deadline: 5s, late_grace: 4s}\n"
           "targets:\n"
           "- name: lab\n"
           "  platform: linux\n"
           "  transport: local\n"
           "  host: lab-host\n"
           "  sources:\n"
           "    sysmon_linux: {log: " +
           log + "}\n";
}

}  // namespace

TEST(SiemRun, AlertInTimeLateNeverAndRuleStatusAgainstTheStandin) {
    TempDir tmp("siem-run");
    StandinCertificates certs(tmp.path + "/certs");
    if (!certs.ok) GTEST_SKIP() << "openssl could not make the test certificates";
    write_text(tmp.path + "/alerts.ndjson",
               R"({"rule_id":"siem-in-time","host":"lab-host","after_polls":2})"
               "\n"
               R"({"rule_id":"siem-late","host":"lab-host","after_ms":4500})"
               "\n"
               R"({"rule_id":"siem-never","host":"other-host","after_polls":0})"
               "\n");
    write_text(
        tmp.path + "/rules.json",
        R"([{"id":"1","rule_id":"siem-in-time","enabled":true,"interval":"5m","from":"now-6m"},
                   {"id":"2","rule_id":"siem-late","enabled":true,"interval":"5m","from":"now-6m"},
                   {"id":"3","rule_id":"siem-never","enabled":true},
                   {"id":"4","rule_id":"siem-disabled","enabled":false}])");
    ElasticStandin standin(tmp.path + "/standin", certs,
                           {"--api-key", kApiKey, "--alerts-script", tmp.path + "/alerts.ndjson",
                            "--kibana-rules", tmp.path + "/rules.json"});
    ASSERT_GT(standin.port(), 0);
    std::string log = tmp.path + "/syslog";
    write_text(log, "");
    write_text(tmp.path + "/lab.yaml", lab_file(standin.url(), certs.ca, log));
    std::string out = tmp.path + "/out";
    ::setenv("ATTEST_ELASTIC_API_KEY", kApiKey, 1);
    auto r = run_attest({"run", "--lab", tmp.path + "/lab.yaml", "--pack",
                         std::string(ATTEST_SOURCE_DIR) + "/tests/data/packs/siem", "--arg",
                         "log=" + log, "--out", out},
                        out, std::chrono::seconds(120));
    ::unsetenv("ATTEST_ELASTIC_API_KEY");
    ASSERT_TRUE(r.results.is_object()) << r.err;
    const json* s = find_scenario(r.results, "lab", kGuid);
    ASSERT_NE(s, nullptr) << r.err;
    EXPECT_EQ((*s)["verdict"], "failed") << s->dump(2);
    EXPECT_NE((*s)["reason"].get<std::string>().find("siem-late in elastic: fired_late"),
              std::string::npos);

    const json* in_time = detection(*s, "siem-in-time");
    ASSERT_NE(in_time, nullptr);
    EXPECT_EQ((*in_time)["verdict"], "fired");
    EXPECT_EQ((*in_time)["siem"]["verdict"], "fired") << in_time->dump(2);
    EXPECT_TRUE((*in_time)["siem"]["passed"].get<bool>());
    EXPECT_EQ((*in_time)["siem"]["polls"], 3);
    EXPECT_EQ((*in_time)["siem"]["rule_status"], "enabled");
    EXPECT_EQ((*in_time)["siem"]["deadline_basis"], "the lab's siem.elastic.deadline");
    EXPECT_GT((*in_time)["siem"]["latency_seconds"].get<double>(), 0.0);
    // The source event lies in the execution window: the alert is the run's, not cleanup's.
    EXPECT_GE((*in_time)["siem"]["alert"]["original_time"].get<std::string>(),
              (*s)["window"]["start"].get<std::string>());

    const json* late = detection(*s, "siem-late");
    ASSERT_NE(late, nullptr);
    EXPECT_EQ((*late)["siem"]["verdict"], "fired_late") << late->dump(2);
    EXPECT_FALSE((*late)["siem"]["passed"].get<bool>());
    EXPECT_EQ((*late)["siem"]["deadline_basis"], "the pack's deadline");
    EXPECT_GT((*late)["siem"]["alert"]["timestamp"].get<std::string>(),
              (*late)["siem"]["deadline"].get<std::string>());

    const json* never = detection(*s, "siem-never");
    ASSERT_NE(never, nullptr);
    EXPECT_EQ((*never)["verdict"], "not_fired");
    EXPECT_EQ((*never)["siem"]["verdict"], "not_fired") << never->dump(2);
    EXPECT_EQ((*never)["siem"]["telemetry"], "present");
    ASSERT_FALSE((*never)["near_misses"].empty());
    EXPECT_NE((*never)["near_misses"][0]["failed_clause"].get<std::string>().find("process.args"),
              std::string::npos);
    // Polled until the deadline plus the late grace, no further and no more than max_polls.
    EXPECT_GE((*never)["siem"]["polls"].get<int>(), 10);
    EXPECT_LE((*never)["siem"]["polls"].get<int>(), 40);

    EXPECT_EQ((*detection(*s, "siem-not-installed"))["siem"]["verdict"], "rule_missing");
    EXPECT_EQ((*detection(*s, "siem-not-installed"))["siem"]["rule_status"], "not_installed");
    EXPECT_EQ((*detection(*s, "siem-disabled"))["siem"]["verdict"], "rule_missing");
    EXPECT_EQ((*detection(*s, "siem-disabled"))["siem"]["rule_status"], "disabled");
    EXPECT_EQ((*detection(*s, "siem-disabled"))["siem"]["polls"], 0);

    // The exact alert search attest sent, and the rules API question, with the API key.
    json expected_query = {{"bool",
                            {{"filter",
                              {{{"term", {{"kibana.alert.rule.rule_id", "siem-in-time"}}}},
                               {{"range", {{"@timestamp", {{"gte", (*s)["window"]["start"]}}}}}},
                               {{"term", {{"host.name", "lab-host"}}}}}}}}};
    int alert_searches = 0;
    bool asked_kibana = false;
    for (const auto& q : standin.requests()) {
        EXPECT_EQ(q["auth"], "ApiKey");
        if (q["target"] == "/api/detection_engine/rules?rule_id=siem-in-time") asked_kibana = true;
        if (q["target"] != "/_search") continue;
        json body = json::parse(q["body"].get<std::string>());
        if (body["query"]["bool"]["filter"][0]["term"]["kibana.alert.rule.rule_id"] !=
            "siem-in-time")
            continue;
        ++alert_searches;
        EXPECT_EQ(body["query"], expected_query);
        EXPECT_EQ(body["sort"], json::parse(R"([{"@timestamp":"asc"},{"_shard_doc":"asc"}])"));
    }
    EXPECT_EQ(alert_searches, 3);
    EXPECT_TRUE(asked_kibana);

    // The SIEM column of the reports, and no secret anywhere.
    std::string html = read_text(out + "/report.html");
    EXPECT_NE(html.find("elastic: fired, alert latency"), std::string::npos);
    EXPECT_NE(html.find("fired_late"), std::string::npos);
    std::string junit = read_text(out + "/junit.xml");
    EXPECT_NE(junit.find("siem-never in elastic: not_fired (telemetry present)"), std::string::npos);
    for (const std::string& text : {r.out, r.err, everything_under(out)}) {
        EXPECT_EQ(text.find(kApiKey), std::string::npos);
        EXPECT_EQ(text.find("siem-secret-key"), std::string::npos);
    }
}
