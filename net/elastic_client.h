// The Elasticsearch REST subset attest uses (../shared/spec/elastic.md, docs/elastic.md):
// EQL search with async polling, point-in-time + search_after export, _bulk indexing.
// Built on net/https_client.h (one HTTPS client for every API attest talks to).
//
// Credentials come from the environment only (never from the command line, where `ps` shows
// them): ATTEST_ELASTIC_API_KEY (the encoded "id:key" form Elasticsearch returns), or
// ATTEST_ELASTIC_USERNAME + ATTEST_ELASTIC_PASSWORD for basic auth. They go into the
// Authorization header and nowhere else: no message, log or journal entry quotes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/value.h"
#include "net/https_client.h"

namespace attest::net {

struct ElasticConfig {
    std::string url;  // https://host:9200[/prefix]
    TlsTrust trust;
    RetryPolicy retry;
    std::chrono::milliseconds timeout{60000};
    std::string api_key_env = "ATTEST_ELASTIC_API_KEY";
    std::string username_env = "ATTEST_ELASTIC_USERNAME";
    std::string password_env = "ATTEST_ELASTIC_PASSWORD";
};

// One line out of an Elasticsearch error answer: "HTTP 400 parsing_exception: reason" (the
// first root cause is added when it says something else). Bodies that are not the documented
// JSON are cut to 200 characters on one line.
std::string elastic_error_message(int status, const std::string& body);

// A bulk item that was not indexed: its place in the request and Elasticsearch's verdict.
struct BulkRejection {
    std::size_t item = 0;  // 0-based position among the request's documents
    int status = 0;
    std::string reason;  // "type: reason"
};

class ElasticClient {
public:
    // Parses the URL and reads the credentials from the environment (none is allowed: a
    // cluster without security, or a test).
    static Expected<ElasticClient> connect(const ElasticConfig& config);

    // A JSON call: retried on 429/502/503/504, any other status >= 300 becomes an error.
    Expected<nlohmann::ordered_json> call(const std::string& method, const std::string& path,
                                          const std::string& body = "");
    // The same call, its answer parsed by attest's own parser (core/json_record.h) into a
    // Value: for search pages of thousands of documents that go on to the engine as events.
    Expected<Value> call_value(const std::string& method, const std::string& path,
                               const std::string& body = "");

    // POST /<index>/_eql/search with `body`; when Elasticsearch answers with a running async
    // search, polls GET /_eql/search/<id> until it completes (or `deadline` passes) and deletes
    // the stored result. Returns the completed response.
    Expected<nlohmann::ordered_json> eql_search(const std::string& index,
                                                const nlohmann::ordered_json& body,
                                                std::chrono::milliseconds deadline);

    // Every document of `index` matching `query` (Query DSL) in @timestamp order, through a
    // point in time and search_after pages of `page_size` (HitPager); calls fn(hit) for each hit
    // ({"_index","_id","_source","sort"}). The point in time is closed at the end, also on error.
    Expected<std::uint64_t> export_hits(const std::string& index,
                                        const nlohmann::ordered_json& query, std::size_t page_size,
                                        const std::function<bool(Value& hit)>& fn,
                                        const std::string& timestamp_field = "@timestamp");

    // POST /_bulk with an NDJSON body of `documents` create actions. Retries the whole request
    // on 429/5xx (through call's policy); returns the rejected items (429 included: the caller
    // decides whether to resend them).
    Expected<std::vector<BulkRejection>> bulk(std::string_view ndjson, std::size_t documents);

    // A request whose status the caller interprets itself (Kibana's 404 for a rule that is
    // not installed); retried like call().
    Expected<HttpResponse> request(const std::string& method, const std::string& path,
                                   const std::string& body = "") {
        return send(method, path, body, "application/json");
    }

    std::uint64_t requests() const { return m_http.requests(); }
    const RetryPolicy& retry() const { return m_retry; }
    // The same cluster, credentials and policy over a second connection (for a request in
    // flight beside this client's).
    ElasticClient sibling() const {
        return ElasticClient(m_http.sibling(), m_prefix, m_authorization, m_retry);
    }

private:
    ElasticClient(HttpsClient http, std::string prefix, std::string authorization,
                  RetryPolicy retry)
        : m_http(std::move(http)),
          m_prefix(std::move(prefix)),
          m_authorization(std::move(authorization)),
          m_retry(retry) {}
    Expected<HttpResponse> send(const std::string& method, const std::string& path,
                                std::string_view body, const std::string& content_type);
    // send, with any status >= 300 turned into an error; the answer's body.
    Expected<std::string> answer(const std::string& method, const std::string& path,
                                 std::string_view body, const std::string& content_type);

    HttpsClient m_http;
    std::string m_prefix;         // path prefix of the base URL ("" or "/es")
    std::string m_authorization;  // the header value; never printed
    RetryPolicy m_retry;
};

// A point in time on `index` read page by page with search_after, sorted on the timestamp
// field then _shard_doc, so a caller can pull one page at a time (a collector) and memory holds
// one page. The point in time is closed by close() or the destructor, also after an error.
class HitPager {
public:
    static Expected<HitPager> open(ElasticClient& client, const std::string& index,
                                   nlohmann::ordered_json query, std::size_t page_size,
                                   std::string timestamp_field = "@timestamp");
    HitPager(HitPager&& other) noexcept { *this = std::move(other); }
    HitPager& operator=(HitPager&& other) noexcept;
    HitPager(const HitPager&) = delete;
    HitPager& operator=(const HitPager&) = delete;
    ~HitPager() { close(); }

    // The next page's hits; empty once the window is exhausted.
    Expected<std::vector<Value>> next_page();
    void close();

private:
    HitPager() = default;
    ElasticClient* m_client = nullptr;
    std::string m_pit_id;
    nlohmann::ordered_json m_query;
    nlohmann::ordered_json m_search_after;
    std::size_t m_page_size = 0;
    std::string m_timestamp_field;
    bool m_done = false;
};

// Index patterns as a path segment: commas and wildcards kept, anything else encoded.
std::string index_path(const std::string& pattern);

// The @timestamp range filter of a window; empty bounds are left out.
nlohmann::ordered_json time_range_filter(const std::string& field, const std::string& from,
                                         const std::string& to);

}  // namespace attest::net
