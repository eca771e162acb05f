// The shared HTTPS client: URL and fingerprint parsing, backoff, and TLS trust (CA file,
// system store, pinned fingerprint of any chain certificate) against the Elasticsearch
// stand-in with a certificate chain made for the test.
#include "net/https_client.h"

#include <gtest/gtest.h>

#include "tests/net/elastic_standin.h"

using namespace attest::net;
using namespace attest::test;

TEST(HttpsClient, ParsesUrls) {
    struct Case {
        std::string url;
        bool ok;
        std::string host, port, target;
    } cases[] = {
        {"https://es.lab:9200", true, "es.lab", "9200", "/"},
        {"https://es.lab/prefix/", true, "es.lab", "443", "/prefix/"},
        {"https://manage.office.com:8443/api/v1.0?x=1", true, "manage.office.com", "8443",
         "/api/v1.0?x=1"},
        {"http://es.lab:9200", false, "", "", ""},
        {"https://user:pw@es.lab:9200", false, "", "", ""},
        {"https://es.lab:92a0", false, "", "", ""},
        {"https://:9200", false, "", "", ""},
    };
    for (const auto& c : cases) {
        auto u = parse_https_url(c.url);
        ASSERT_EQ(u.ok(), c.ok) << c.url;
        if (!c.ok) {
            EXPECT_EQ(u.error().message.find("pw@"), std::string::npos) << "credentials echoed";
            continue;
        }
        EXPECT_EQ(u->host, c.host) << c.url;
        EXPECT_EQ(u->port, c.port) << c.url;
        EXPECT_EQ(u->target, c.target) << c.url;
    }
}

TEST(HttpsClient, NormalizesFingerprints) {
    std::string hex(64, 'a');
    std::string colons;
    for (int i = 0; i < 32; ++i) colons += std::string(i ? ":" : "") + "AA";
    EXPECT_EQ(*normalize_fingerprint(colons), hex);
    EXPECT_EQ(*normalize_fingerprint(hex), hex);
    EXPECT_FALSE(normalize_fingerprint("AA:BB").ok());
    EXPECT_FALSE(normalize_fingerprint(std::string(64, 'g')).ok());
}

TEST(HttpsClient, BacksOffExponentiallyWithinBounds) {
    RetryPolicy p;
    p.initial_backoff = std::chrono::milliseconds(100);
    p.max_backoff = std::chrono::milliseconds(1000);
    EXPECT_EQ(p.backoff(1, "").count(), 100);
    EXPECT_EQ(p.backoff(2, "").count(), 200);
    EXPECT_EQ(p.backoff(4, "").count(), 800);
    EXPECT_EQ(p.backoff(9, "").count(), 1000);
    EXPECT_EQ(p.backoff(1, "1").count(), 1000);    // Retry-After seconds, capped
    EXPECT_EQ(p.backoff(1, "soon").count(), 100);  // not a number: ignored
    for (int s : {429, 502, 503, 504}) EXPECT_TRUE(RetryPolicy::retryable(s));
    for (int s : {200, 400, 401, 404, 500}) EXPECT_FALSE(RetryPolicy::retryable(s));
}

namespace {

HttpRequest pit_request() {
    HttpRequest r;
    r.method = "POST";
    r.target = "/logs-*/_pit?keep_alive=1m";
    r.body = R"({"marker":"sent"})";
    return r;
}

}  // namespace

TEST(HttpsClient, TrustDecisions) {
    TempDir tmp("https-trust");
    StandinCertificates certs(tmp.path + "/certs");
    ASSERT_TRUE(certs.ok) << "openssl could not make the test certificates";
    ElasticStandin standin(tmp.path + "/standin", certs);
    ASSERT_GT(standin.port(), 0);
    HttpsUrl origin{"localhost", std::to_string(standin.port()), "/"};
    std::string wrong = certs.ca_fingerprint;
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    struct Case {
        const char* name;
        TlsTrust trust;
        bool accepted;
    } cases[] = {
        {"CA file", {certs.ca, ""}, true},
        {"system store only", {"", ""}, false},
        {"pinned CA", {"", certs.ca_fingerprint}, true},
        {"pinned leaf", {"", certs.leaf_fingerprint}, true},
        {"pinned other", {"", wrong}, false},
        {"pin beats a trusted CA file", {certs.ca, wrong}, false},
    };
    std::size_t accepted = 0;
    for (const auto& c : cases) {
        HttpsClient client(origin, c.trust, std::chrono::seconds(10));
        auto r = client.send(pit_request());
        EXPECT_EQ(r.ok(), c.accepted) << c.name << ": " << (r ? "" : r.error().message);
        if (r) {
            EXPECT_EQ(r->status, 200) << c.name;
        }
        if (c.accepted) ++accepted;
        // A refused server never receives a request: the requests recorded are the accepted ones.
        EXPECT_EQ(standin.requests().size(), accepted) << c.name;
        if (!c.accepted && std::string(c.name).find("pin") != std::string::npos) {
            EXPECT_NE(r.error().message.find("pinned SHA-256 fingerprint"), std::string::npos)
                << r.error().message;
        }
    }
}

TEST(HttpsClient, KeepsTheConnectionAliveAndRetries429) {
    TempDir tmp("https-alive");
    StandinCertificates certs(tmp.path + "/certs");
    ASSERT_TRUE(certs.ok);
    ElasticStandin standin(tmp.path + "/standin", certs, {"--bulk-faults"});
    HttpsClient client({"localhost", std::to_string(standin.port()), "/"}, {certs.ca, ""});
    HttpRequest bulk;
    bulk.method = "POST";
    bulk.target = "/_bulk";
    bulk.content_type = "application/x-ndjson";
    bulk.body =
        "{\"create\":{\"_index\":\"logs-a-b\"}}\n{\"@timestamp\":\"2026-12-01T10:00:00Z\"}\n";
    // The stand-in refuses the first _bulk whole with 429; one retry gets it in.
    RetryPolicy policy;
    policy.initial_backoff = std::chrono::milliseconds(10);
    auto r = client.send_with_retry(bulk, policy);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(client.requests(), 2u);
    auto once = client.send(pit_request());
    ASSERT_TRUE(once.ok());
    EXPECT_EQ(client.connections(), 1u);
    // Without retries the 429 is the answer.
    policy.max_attempts = 1;
    ElasticStandin fresh(tmp.path + "/fresh", certs, {"--bulk-faults"});
    HttpsClient other({"localhost", std::to_string(fresh.port()), "/"}, {certs.ca, ""});
    auto refused = other.send_with_retry(bulk, policy);
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 429);
}
