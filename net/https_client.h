// A small HTTPS/1.1 client on Boost.Beast + OpenSSL, shared by the API clients (O365
// Management API, Elasticsearch). One origin per client; the connection is kept alive between
// requests and reopened when the server closed it.
//
// Trust: the system store by default, plus a CA file; or a pinned SHA-256 fingerprint of the
// DER certificate, matched against every certificate of the presented chain (Elasticsearch 8
// prints its CA's fingerprint at first start; the official clients call it ca_fingerprint). A
// pin replaces CA and host-name verification, and a mismatch closes the connection right after
// the handshake, before any request byte is written.
//
// Secrets travel in request headers only; no error message of this client quotes a header or a
// request body.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.h"

namespace attest::net {

struct HttpsUrl {
    std::string host;
    std::string port = "443";
    std::string target = "/";  // path and query
};
Expected<HttpsUrl> parse_https_url(const std::string& url);

struct TlsTrust {
    std::string ca_file;      // extra trusted CA (PEM), besides the system store
    std::string fingerprint;  // SHA-256 hex, colons and case ignored; replaces CA verification
};

// "AB:CD:..." or "abcd..." -> 64 lowercase hex digits; error when it is not a SHA-256 digest.
Expected<std::string> normalize_fingerprint(const std::string& text);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string target = "/";
    std::string_view body;  // not owned: a bulk body is megabytes, and it must outlive send()
    std::string content_type = "application/json";
    Headers headers;  // e.g. Authorization: never printed
};

struct HttpResponse {
    int status = 0;
    std::string body;
    Headers headers;
    std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

// Retries of answers that say "try again later". Bounded both ways: at most max_attempts sends,
// and no retry that would start after max_total has elapsed.
struct RetryPolicy {
    int max_attempts = 6;
    std::chrono::milliseconds initial_backoff{250};
    std::chrono::milliseconds max_backoff{8000};
    std::chrono::milliseconds max_total{120000};
    static bool retryable(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }
    // The pause before attempt `attempt` (1-based retry count), honoring a Retry-After in seconds.
    std::chrono::milliseconds backoff(int attempt, const std::string& retry_after) const;
};

class HttpsClient {
public:
    HttpsClient(HttpsUrl origin, TlsTrust trust,
                std::chrono::milliseconds timeout = std::chrono::seconds(60));
    ~HttpsClient();
    HttpsClient(HttpsClient&&) noexcept;
    HttpsClient& operator=(HttpsClient&&) noexcept;

    // One exchange. Transport and TLS failures are errors; any HTTP status is a response.
    Expected<HttpResponse> send(const HttpRequest& request);
    // send(), repeated with backoff while the status is retryable (see RetryPolicy).
    Expected<HttpResponse> send_with_retry(const HttpRequest& request, const RetryPolicy& policy);

    const HttpsUrl& origin() const { return m_origin; }
    // A client of the same origin, trust and timeout with a connection of its own (opened on
    // its first request): for requests in flight side by side.
    HttpsClient sibling() const { return HttpsClient(m_origin, m_trust, m_timeout); }
    std::uint64_t requests() const { return m_requests; }
    std::uint64_t connections() const { return m_connections; }

private:
    struct Connection;
    Expected<HttpResponse> exchange(const HttpRequest& request);
    Expected<void> open();
    std::string where() const;

    HttpsUrl m_origin;
    TlsTrust m_trust;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<Connection> m_conn;
    std::uint64_t m_requests = 0;
    std::uint64_t m_connections = 0;
};

// Initialises OpenSSL now (idempotent). Its exit-time cleanup then runs after the destructors
// of statics constructed later: a thread pool built after this call joins its threads, which
// free their OpenSSL per-thread state (error queue, DRBG) as they exit, before the cleanup
// removes the thread-exit hook. Call it before building a long-lived pool that makes requests.
void init_tls();

// Percent-encodes everything but unreserved characters and `keep` (e.g. ",*" for index
// patterns in a path).
std::string url_encode(const std::string& s, const std::string& keep = "");

}  // namespace attest::net
