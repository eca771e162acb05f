#include "telemetry/live/o365_api.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/timeutil.h"
#include "net/https_client.h"

namespace attest::telemetry {

using net::HttpRequest;
using net::HttpsClient;
using net::HttpsUrl;
using net::parse_https_url;
using net::TlsTrust;
using net::url_encode;

namespace {

std::string api_time(std::int64_t ns) {
    // The API wants YYYY-MM-DDTHH:MM:SS (UTC), no fraction.
    std::string iso = format_iso8601(ns, 3);
    return iso.substr(0, 19);
}

}  // namespace

Expected<O365Client::Response> O365Client::request(const std::string& method,
                                                   const std::string& url, const std::string& body,
                                                   const std::string& content_type,
                                                   const std::string& bearer) {
    auto u = parse_https_url(url);
    if (!u) return u.error();
    ++m_requests;
    // Login, listing and blobs may be on different hosts: one short-lived client per request.
    HttpsUrl origin = *u;
    HttpRequest req;
    req.method = method;
    req.target = u->target;
    req.body = body;
    req.content_type = content_type;
    if (!bearer.empty()) req.headers.emplace_back("Authorization", "Bearer " + bearer);
    HttpsClient client(origin, TlsTrust{m_config.ca_file, ""}, std::chrono::seconds(30));
    auto r = client.send(req);
    if (!r) return r.error();
    return Response{r->status, std::move(r->body), r->header("NextPageUri")};
}

Expected<std::string> O365Client::token() {
    if (!m_token.empty()) return m_token;
    const char* secret = std::getenv(m_config.client_secret_env.c_str());
    if (secret == nullptr || *secret == '\0')
        return make_error("environment variable " + m_config.client_secret_env + " is not set");
    std::string body = "grant_type=client_credentials&client_id=" + url_encode(m_config.client_id) +
                       "&client_secret=" + url_encode(secret) +
                       "&resource=" + url_encode(m_config.api_endpoint);
    auto r = request("POST",
                     m_config.login_endpoint + "/" + url_encode(m_config.tenant) + "/oauth2/token",
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
    std::string url =
        m_config.api_endpoint + "/api/v1.0/" + url_encode(m_config.tenant) +
        "/activity/feed/subscriptions/content?contentType=" + url_encode(m_config.content_type) +
        "&startTime=" + api_time(from_ns) + "&endTime=" + api_time(to_ns);
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

}  // namespace attest::telemetry
