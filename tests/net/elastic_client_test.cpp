// The Elasticsearch client against the stand-in: error bodies to one line, async EQL polling,
// point-in-time export over several pages, bulk refusals, and the exact request bodies.
#include "net/elastic_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "tests/net/elastic_standin.h"

using namespace attest::net;
using namespace attest::test;
using ojson = nlohmann::ordered_json;

TEST(ElasticClient, ErrorBodiesBecomeOneLine) {
    struct Case {
        int status;
        std::string body, expected;
    } cases[] = {
        {401,
         R"({"error":{"root_cause":[{"type":"security_exception","reason":"unable to authenticate"}],"type":"security_exception","reason":"unable to authenticate"},"status":401})",
         "HTTP 401 security_exception: unable to authenticate"},
        {400,
         R"({"error":{"root_cause":[{"type":"parsing_exception","reason":"line 1:5: bad\ntoken"}],"type":"verification_exception","reason":"Found 1 problem"},"status":400})",
         "HTTP 400 verification_exception: Found 1 problem (line 1:5: bad token)"},
        {404, R"({"error":"no handler found","status":404})", "HTTP 404: no handler found"},
        {502, "<html>\nBad Gateway\n</html>", "HTTP 502: <html> Bad Gateway </html>"},
        {503, "", "HTTP 503"},
    };
    for (const auto& c : cases) EXPECT_EQ(elastic_error_message(c.status, c.body), c.expected);
}

namespace {

struct Fixture {
    TempDir tmp;
    StandinCertificates certs;
    std::unique_ptr<ElasticStandin> standin;
    explicit Fixture(const std::string& name, std::vector<std::string> extra = {})
        : tmp(name), certs(tmp.path + "/certs") {
        if (certs.ok)
            standin = std::make_unique<ElasticStandin>(tmp.path + "/standin", certs, extra);
    }
    ElasticClient client() {
        ElasticConfig c;
        c.url = standin->url();
        c.trust.ca_file = certs.ca;
        c.retry.initial_backoff = std::chrono::milliseconds(5);
        c.api_key_env = "ATTEST_TEST_NO_KEY";
        auto client = ElasticClient::connect(c);
        return std::move(client.value());
    }
};

std::string event_line(int i) {
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-12-01T10:%02d:%02d.000Z", i / 60, i % 60);
    return ojson{{"@timestamp", ts}, {"event", {{"category", "process"}}}, {"seq", i}}.dump();
}

}  // namespace

TEST(ElasticClient, ExportsEveryDocumentOnceInOrderOverThreePages) {
    TempDir data("elastic-export-data");
    // 25 documents written out of order (and two sharing a timestamp): 3 pages of 10.
    std::string lines;
    for (int i :
         {3, 0, 1, 2, 24, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
        lines += event_line(i) + "\n";
    lines +=
        ojson{{"@timestamp", "2026-12-01T10:00:05.000Z"}, {"seq", 5}, {"twin", true}}.dump() + "\n";
    write_text(data.path + "/logs.ndjson", lines);
    Fixture f("elastic-export", {"--load", "logs-test-default=" + data.path + "/logs.ndjson"});
    ASSERT_TRUE(f.certs.ok);
    auto client = f.client();
    std::vector<int> seen;
    auto n = client.export_hits(
        "logs-test-*", ojson{{"match_all", ojson::object()}}, 10, [&](attest::Value& hit) {
            seen.push_back(static_cast<int>(hit.find("_source.seq")->as_int()));
            return true;
        });
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n, 26u);
    std::vector<int> expected;
    for (int i = 0; i < 25; ++i) {
        expected.push_back(i);
        if (i == 5) expected.push_back(5);  // the twin, after its elder (_shard_doc order)
    }
    EXPECT_EQ(seen, expected);
    auto reqs = f.standin->requests();
    ASSERT_EQ(reqs.size(), 5u);  // _pit, 3 pages, DELETE _pit
    EXPECT_EQ(reqs[0]["target"], "/logs-test-*/_pit?keep_alive=1m");
    auto page1 = nlohmann::json::parse(reqs[1]["body"].get<std::string>());
    EXPECT_EQ(
        page1.dump(),
        R"({"pit":{"id":"pit-1","keep_alive":"1m"},"query":{"match_all":{}},"size":10,"sort":[{"@timestamp":"asc"},{"_shard_doc":"asc"}]})");
    auto page3 = nlohmann::json::parse(reqs[3]["body"].get<std::string>());
    EXPECT_EQ(page3["search_after"].size(), 2u);
    EXPECT_EQ(reqs[4]["method"], "DELETE");
    EXPECT_EQ(reqs[4]["body"], R"({"id":"pit-1"})");
}

TEST(ElasticClient, PollsAnAsyncEqlSearchAndDeletesIt) {
    TempDir data("elastic-eql-data");
    write_text(data.path + "/logs.ndjson", event_line(1) + "\n" + event_line(2) + "\n");
    Fixture f("elastic-eql", {"--load", "logs-test-default=" + data.path + "/logs.ndjson"});
    ASSERT_TRUE(f.certs.ok);
    auto client = f.client();
    auto r =
        client.eql_search("logs-test-*", ojson{{"query", "process where seq == 2"}, {"size", 10}},
                          std::chrono::seconds(30));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ((*r)["hits"]["events"].size(), 1u);
    EXPECT_EQ((*r)["hits"]["events"][0]["_source"]["seq"], 2);
    auto reqs = f.standin->requests();
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_EQ(reqs[0]["target"], "/logs-test-*/_eql/search");
    EXPECT_EQ(reqs[1]["method"], "GET");
    EXPECT_EQ(reqs[1]["target"], "/_eql/search/eql-1?wait_for_completion_timeout=2s");
    EXPECT_EQ(reqs[2]["method"], "DELETE");
    // A bad query is Elasticsearch's 400, on one line.
    auto bad = client.eql_search("logs-test-*", ojson{{"query", "process where ("}},
                                 std::chrono::seconds(30));
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("HTTP 400 verification_exception"), std::string::npos)
        << bad.error().message;
    EXPECT_EQ(bad.error().message.find('\n'), std::string::npos);
}

TEST(ElasticClient, BulkReportsRefusedItemsByPosition) {
    Fixture f("elastic-bulk");
    ASSERT_TRUE(f.certs.ok);
    auto client = f.client();
    std::string body;
    for (const std::string& doc :
         {event_line(1), std::string(R"({"no":"timestamp"})"), event_line(2)})
        body += "{\"create\":{\"_index\":\"logs-a-b\"}}\n" + doc + "\n";
    auto r = client.bulk(body, 3);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].item, 1u);
    EXPECT_EQ((*r)[0].status, 400);
    EXPECT_NE((*r)[0].reason.find("document_parsing_exception"), std::string::npos);
    auto mismatch = client.bulk(body, 4);
    EXPECT_FALSE(mismatch.ok());
    auto reqs = f.standin->requests();
    EXPECT_EQ(reqs[0]["content_type"], "application/x-ndjson");
    EXPECT_EQ(reqs[0]["body"], body);
}

TEST(ElasticClient, SendsTheApiKeyOnlyInTheHeader) {
    Fixture f("elastic-auth", {"--api-key", "c2VjcmV0LWlkOnNlY3JldC1rZXk="});
    ASSERT_TRUE(f.certs.ok);
    ElasticConfig c;
    c.url = f.standin->url();
    c.trust.ca_file = f.certs.ca;
    c.api_key_env = "ATTEST_TEST_ELASTIC_KEY";
    ::setenv("ATTEST_TEST_ELASTIC_KEY", "wrong-key", 1);
    auto refused = ElasticClient::connect(c);
    ASSERT_TRUE(refused.ok());
    auto r = refused->call("POST", "/logs-*/_pit?keep_alive=1m");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("HTTP 401 security_exception"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("wrong-key"), std::string::npos);
    ::setenv("ATTEST_TEST_ELASTIC_KEY", "c2VjcmV0LWlkOnNlY3JldC1rZXk=", 1);
    auto accepted = ElasticClient::connect(c);
    ::unsetenv("ATTEST_TEST_ELASTIC_KEY");
    ASSERT_TRUE(accepted->call("POST", "/logs-*/_pit?keep_alive=1m").ok());
    for (const auto& req : f.standin->requests()) EXPECT_EQ(req["auth"], "ApiKey");
}
