// ship_files against the Elasticsearch stand-in: documents normalized as `attest events` prints
// them arrive in the target index, a whole-request 429 and a per-item 429 are sent again, and
// a document Elasticsearch refuses is reported by its file and position.
#include "telemetry/live/elastic_ship.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/net/elastic_standin.h"

using namespace attest;
using namespace attest::test;

TEST(ElasticShip, DocumentsArriveRetriedAndRefusalsAreReportedByPosition) {
    TempDir tmp("elastic-ship");
    StandinCertificates certs(tmp.path + "/certs");
    ASSERT_TRUE(certs.ok);
    ElasticStandin standin(tmp.path + "/standin", certs, {"--bulk-faults"});
    std::string file = tmp.path + "/events.ndjson";
    write_text(file, R"({"@timestamp":"2026-12-01T10:00:00.000Z","seq":1})"
                     "\n"
                     R"({"@timestamp":"2026-12-01T10:00:01.000Z","seq":2})"
                     "\n"
                     R"({"seq":3})"
                     "\n"
                     R"({"@timestamp":"2026-12-01T10:00:03.000Z","seq":4})"
                     "\n");
    net::ElasticConfig c;
    c.url = standin.url();
    c.trust.ca_file = certs.ca;
    c.api_key_env = "ATTEST_TEST_NO_KEY";
    c.retry.initial_backoff = std::chrono::milliseconds(5);
    auto client = net::ElasticClient::connect(c);
    ASSERT_TRUE(client.ok()) << client.error().message;
    telemetry::ShipOptions options;
    options.index = "logs-test-lab";
    DiagnosticSink sink;
    auto shipped = telemetry::ship_files(
        *client, {{file, "ndjson"}, {tmp.path + "/absent.ndjson", ""}}, options, sink);
    ASSERT_TRUE(shipped.ok()) << shipped.error().message;
    EXPECT_EQ(shipped->indexed, 3u);
    EXPECT_EQ(shipped->refused, 1u);
    ASSERT_EQ(shipped->refusals.size(), 1u);
    EXPECT_EQ(shipped->refusals[0].file, file);
    EXPECT_EQ(shipped->refusals[0].event, 3u);
    EXPECT_EQ(shipped->refusals[0].status, 400);
    ASSERT_EQ(shipped->input_errors.size(), 1u);
    EXPECT_NE(shipped->input_errors[0].find("absent.ndjson"), std::string::npos);

    // The whole-request 429 sent again as it was, then the item refused with 429 alone.
    auto reqs = standin.requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[0]["body"], reqs[1]["body"]);
    EXPECT_EQ(reqs[0]["content_type"], "application/x-ndjson");
    EXPECT_EQ(reqs[2]["body"],
              "{\"create\":{\"_index\":\"logs-test-lab\"}}\n"
              R"({"@timestamp":"2026-12-01T10:00:01.000Z","seq":2})"
              "\n");
}

// Many small requests go out over two connections at once: every document arrives once, and
// the refusals still come back in input order.
TEST(ElasticShip, ManyRequestsInFlightIndexEachDocumentOnce) {
    TempDir tmp("elastic-ship-many");
    StandinCertificates certs(tmp.path + "/certs");
    ASSERT_TRUE(certs.ok);
    ElasticStandin standin(tmp.path + "/standin", certs);
    std::string text;
    const std::set<int> untimed = {5, 17, 33, 34};
    for (int seq = 1; seq <= 60; ++seq) {
        if (untimed.count(seq) != 0)
            text += "{\"seq\":" + std::to_string(seq) + "}\n";
        else
            text += "{\"@timestamp\":\"2026-12-01T10:00:" + std::string(seq % 60 < 10 ? "0" : "") +
                    std::to_string(seq % 60) + ".000Z\",\"seq\":" + std::to_string(seq) + "}\n";
    }
    std::string file = tmp.path + "/events.ndjson";
    write_text(file, text);
    net::ElasticConfig c;
    c.url = standin.url();
    c.trust.ca_file = certs.ca;
    c.api_key_env = "ATTEST_TEST_NO_KEY";
    auto client = net::ElasticClient::connect(c);
    ASSERT_TRUE(client.ok()) << client.error().message;
    telemetry::ShipOptions options;
    options.index = "logs-many-lab";
    options.max_request_bytes = 300;  // three or four documents per request
    DiagnosticSink sink;
    auto shipped = telemetry::ship_files(*client, {{file, "ndjson"}}, options, sink);
    ASSERT_TRUE(shipped.ok()) << shipped.error().message;
    EXPECT_EQ(shipped->indexed, 56u);
    EXPECT_EQ(shipped->refused, 4u);
    EXPECT_GE(shipped->requests, 15u);
    std::vector<std::uint64_t> refused;
    for (const auto& r : shipped->refusals) refused.push_back(r.event);
    EXPECT_EQ(refused, (std::vector<std::uint64_t>{5, 17, 33, 34}));

    std::multiset<std::int64_t> seen;
    auto exported = client->export_hits(
        "logs-many-lab", {{"match_all", nlohmann::ordered_json::object()}}, 7, [&](Value& hit) {
            seen.insert(hit.find("_source.seq")->as_int());
            return true;
        });
    ASSERT_TRUE(exported.ok()) << exported.error().message;
    EXPECT_EQ(*exported, 56u);
    for (int seq = 1; seq <= 60; ++seq)
        EXPECT_EQ(seen.count(seq), untimed.count(seq) != 0 ? 0u : 1u) << seq;
}
