#include "harness/o365_api.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "core/timeutil.h"

namespace attest::run {

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
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
        u.host = authority.substr(0, colon);
        u.port = authority.substr(colon + 1);
    } else {
        u.host = authority;
    }
    if (u.host.empty()) return make_error("URL without a host: " + url.substr(0, 100));
    return u;
}

namespace {

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string api_time(std::int64_t ns) {
    // The API wants YYYY-MM-DDTHH:MM:SS (UTC), no fraction.
    std::string iso = format_iso8601(ns, 3);
    return iso.substr(0, 19);
}

}  // namespace

Expected<O365Client::Response> O365Client::request(const std::string& method,
                                                   const std::string& url,
                                                   const std::string& body,
                                                   const std::string& content_type,
                                                   const std::string& bearer) {
    auto u = parse_https_url(url);
    if (!u) return u.error();
    ++m_requests;
    try {
        boost::asio::io_context io;
        ssl::context ctx(ssl::context::tls_client);
        ctx.set_default_verify_paths();
        if (!m_config.ca_file.empty()) ctx.load_verify_file(m_config.ca_file);
        ctx.set_verify_mode(ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
        if (!SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str()))
            return make_error("TLS SNI setup failed for " + u->host);
        stream.set_verify_callback(ssl::host_name_verification(u->host));
        tcp::resolver resolver(io);
        auto endpoints = resolver.resolve(u->host, u->port);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
        beast::get_lowest_layer(stream).connect(endpoints);
        stream.handshake(ssl::stream_base::client);
        http::request<http::string_body> req{
            method == "POST" ? http::verb::post : http::verb::get, u->target, 11};
        req.set(http::field::host, u->host);
        req.set(http::field::user_agent, "attest/" ATTEST_VERSION);
        if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
        if (!body.empty()) {
            req.set(http::field::content_type, content_type);
            req.body() = body;
            req.prepare_payload();
        }
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256ull << 20);
        http::read(stream, buffer, parser);
        auto& res = parser.get();
        Response out;
        out.status = static_cast<int>(res.result_int());
        out.body = std::move(res.body());
        if (auto it = res.find("NextPageUri"); it != res.end()) out.next_page = std::string(it->value());
        beast::error_code ec;
        stream.shutdown(ec);  // servers often just close; not an error for us
        return out;
    } catch (const std::exception& e) {
        return make_error(method + " https://" + u->host + ":" + u->port + " failed: " + e.what());
    }
}

Expected<std::string> O365Client::token() {
    if (!m_token.empty()) return m_token;
    const char* secret = std::getenv(m_config.client_secret_env.c_str());
    if (secret == nullptr || *secret == '\0')
        return make_error("environment variable " + m_config.client_secret_env + " is not set");
    std::string body = "grant_type=client_credentials&client_id=" + url_encode(m_config.client_id) +
                       "&client_secret=" + url_encode(secret) +
                       "&resource=" + url_encode(m_config.api_endpoint);
    auto r = request("POST", m_config.login_endpoint + "/" + url_encode(m_config.tenant) +
                                 "/oauth2/token",
                     body, "application/x-www-form-urlencoded", "");
    if (!r) return r.error();
    if (r->status != 200)
        return make_error("o365 token request refused (HTTP " + std::to_string(r->status) + ")");
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded() || !j.contains("access_token") || !j["access_token"].is_string())
        return make_error("o365 token response without access_token");
    m_token = j["access_token"].get<std::string>();
    return m_token;
}

Expected<std::string> O365Client::fetch_audit(std::int64_t from_ns, std::int64_t to_ns) {
    auto tok = token();
    if (!tok) return tok.error();
    std::string url = m_config.api_endpoint + "/api/v1.0/" + url_encode(m_config.tenant) +
                      "/activity/feed/subscriptions/content?contentType=" +
                      url_encode(m_config.content_type) + "&startTime=" + api_time(from_ns) +
                      "&endTime=" + api_time(to_ns);
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (int page = 0; !url.empty(); ++page) {
        if (page > 10000) return make_error("o365: too many content pages (paging loop?)");
        auto r = request("GET", url, "", "", *tok);
        if (!r) return r.error();
        if (r->status != 200)
            return make_error("o365 content listing: HTTP " + std::to_string(r->status) + ": " +
                              r->body.substr(0, 200));
        auto list = nlohmann::json::parse(r->body, nullptr, false);
        if (!list.is_array()) return make_error("o365 content listing is not a JSON array");
        for (const auto& blob : list) {
            if (!blob.contains("contentUri") || !blob["contentUri"].is_string()) continue;
            auto c = request("GET", blob["contentUri"].get<std::string>(), "", "", *tok);
            if (!c) return c.error();
            if (c->status != 200)
                return make_error("o365 content blob: HTTP " + std::to_string(c->status));
            auto records = nlohmann::ordered_json::parse(c->body, nullptr, false);
            if (!records.is_array()) return make_error("o365 content blob is not a JSON array");
            for (auto& rec : records) all.push_back(std::move(rec));
        }
        url = r->next_page;
    }
    return all.dump();
}

}  // namespace attest::run
