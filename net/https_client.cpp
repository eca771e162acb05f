#include "net/https_client.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>
#include <thread>

namespace attest::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

Expected<HttpsUrl> parse_https_url(const std::string& url) {
    const std::string scheme = "https://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        return make_error("not an https URL: " + url.substr(0, 100));
    HttpsUrl u;
    std::string rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (authority.find('@') != std::string::npos)
        return make_error(
            "credentials in the URL are not accepted (use the environment variables)");
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
        u.host = authority.substr(0, colon);
        u.port = authority.substr(colon + 1);
    } else {
        u.host = authority;
    }
    if (u.host.empty()) return make_error("URL without a host: " + url.substr(0, 100));
    if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
        return make_error("URL with a bad port: " + url.substr(0, 100));
    return u;
}

Expected<std::string> normalize_fingerprint(const std::string& text) {
    std::string hex;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return make_error("fingerprint '" + text.substr(0, 120) + "' is not hexadecimal");
        hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (hex.size() != 64)
        return make_error("fingerprint has " + std::to_string(hex.size() / 2) +
                          " bytes; a SHA-256 one has 32");
    return hex;
}

std::string url_encode(const std::string& s, const std::string& keep) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            keep.find(static_cast<char>(c)) != std::string::npos) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

void init_tls() { OPENSSL_init_ssl(0, nullptr); }

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (k.size() == name.size() &&
            std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return v;
    return "";
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt, const std::string& retry_after) const {
    std::chrono::milliseconds wait = initial_backoff * (1LL << std::min(attempt - 1, 20));
    if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos &&
        retry_after.size() < 6)
        wait = std::max(wait, std::chrono::milliseconds(std::stoll(retry_after) * 1000));
    return std::min(wait, max_backoff);
}

namespace {

std::string sha256_hex(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return "";
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

std::string colon_hex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i) out.push_back(':');
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i]))));
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1]))));
    }
    return out;
}

// Runs the io_context until the operation started by `start` completes; the tcp_stream's
// expiry (set by the caller) bounds it.
template <class Start>
boost::system::error_code run_op(boost::asio::io_context& io, Start&& start) {
    std::optional<boost::system::error_code> result;
    start([&](boost::system::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result.value_or(boost::asio::error::operation_aborted);
}

}  // namespace

struct HttpsClient::Connection {
    boost::asio::io_context io;
    ssl::context ctx{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
};

HttpsClient::HttpsClient(HttpsUrl origin, TlsTrust trust, std::chrono::milliseconds timeout)
    : m_origin(std::move(origin)), m_trust(std::move(trust)), m_timeout(timeout) {}
HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

std::string HttpsClient::where() const {
    return "https://" + m_origin.host + ":" + m_origin.port;
}

Expected<void> HttpsClient::open() {
    m_conn = std::make_unique<Connection>();
    auto& c = *m_conn;
    std::string pin;
    try {
        if (!m_trust.fingerprint.empty()) {
            auto fp = normalize_fingerprint(m_trust.fingerprint);
            if (!fp) return fp.error();
            pin = *fp;
            // The pin is the trust decision; the chain is checked against it after the handshake.
            c.ctx.set_verify_mode(ssl::verify_none);
        } else {
            c.ctx.set_default_verify_paths();
            if (!m_trust.ca_file.empty()) c.ctx.load_verify_file(m_trust.ca_file);
            c.ctx.set_verify_mode(ssl::verify_peer);
        }
    } catch (const std::exception& e) {
        return make_error("TLS setup failed (CA file " + m_trust.ca_file + "): " + e.what());
    }
    c.stream.emplace(c.io, c.ctx);
    auto& stream = *c.stream;
    if (!SSL_set_tlsext_host_name(stream.native_handle(), m_origin.host.c_str()))
        return make_error("TLS SNI setup failed for " + m_origin.host);
    if (pin.empty()) stream.set_verify_callback(ssl::host_name_verification(m_origin.host));

    tcp::resolver resolver(c.io);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(m_origin.host, m_origin.port, ec);
    if (ec) return make_error(where() + ": cannot resolve: " + ec.message());
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(m_timeout);
    ec = run_op(c.io, [&](auto&& h) { tcp_layer.async_connect(endpoints, h); });
    if (ec) return make_error(where() + ": cannot connect: " + ec.message());
    // Requests are written whole: Nagle's algorithm would only hold their last segment back
    // until the server's delayed ACK (40 ms a request).
    tcp_layer.socket().set_option(tcp::no_delay(true), ec);
    tcp_layer.expires_after(m_timeout);
    ec = run_op(c.io, [&](auto&& h) { stream.async_handshake(ssl::stream_base::client, h); });
    if (ec) return make_error(where() + ": TLS handshake failed: " + ec.message());
    ++m_connections;
    if (!pin.empty()) {
        STACK_OF(X509)* chain = SSL_get_peer_cert_chain(stream.native_handle());
        std::string presented;
        bool matched = false;
        for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
            std::string fp = sha256_hex(sk_X509_value(chain, i));
            if (i == 0) presented = fp;
            matched = matched || fp == pin;
        }
        if (!matched) {
            m_conn.reset();  // closes the socket: nothing was written
            return make_error(where() +
                              ": no certificate of the presented chain has the pinned SHA-256 "
                              "fingerprint (leaf " +
                              colon_hex(presented) + "); refused before sending anything");
        }
    }
    return {};
}

Expected<HttpResponse> HttpsClient::exchange(const HttpRequest& request) {
    auto& c = *m_conn;
    auto& stream = *c.stream;
    // The body is sent from the caller's buffer (a bulk request is megabytes): no copy.
    http::request<http::span_body<const char>> req;
    req.method_string(request.method);
    req.target(request.target);
    req.version(11);
    req.set(http::field::host, m_origin.host);
    req.set(http::field::user_agent, "attest/" ATTEST_VERSION);
    req.keep_alive(true);
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        req.set(http::field::content_type, request.content_type);
        req.body() = {request.body.data(), request.body.size()};
    }
    req.prepare_payload();
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(m_timeout);
    auto ec = run_op(c.io, [&](auto&& h) { http::async_write(stream, req, h); });
    if (ec) return make_error(request.method + " " + where() + ": sending failed: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(512ull << 20);
    tcp_layer.expires_after(m_timeout);
    ec = run_op(c.io, [&](auto&& h) { http::async_read(stream, c.buffer, parser, h); });
    if (ec) return make_error(request.method + " " + where() + ": no response: " + ec.message());
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& f : res)
        out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (!res.keep_alive()) m_conn.reset();
    return out;
}

Expected<HttpResponse> HttpsClient::send(const HttpRequest& request) {
    ++m_requests;
    // A kept-alive connection the server closed meanwhile fails on first use: reopen once.
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = m_conn != nullptr;
        if (!m_conn) {
            auto o = open();
            if (!o) {
                m_conn.reset();
                return o.error();
            }
        }
        auto r = exchange(request);
        if (r) return r;
        m_conn.reset();
        if (!reused) return r.error();
    }
    return make_error(request.method + " " + where() + ": connection closed twice");
}

Expected<HttpResponse> HttpsClient::send_with_retry(const HttpRequest& request,
                                                    const RetryPolicy& policy) {
    auto start = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        auto r = send(request);
        if (!r || !RetryPolicy::retryable(r->status) || attempt >= policy.max_attempts) return r;
        auto wait = policy.backoff(attempt, r->header("Retry-After"));
        if (std::chrono::steady_clock::now() + wait - start > policy.max_total) return r;
        std::this_thread::sleep_for(wait);
    }
}

}  // namespace attest::net
