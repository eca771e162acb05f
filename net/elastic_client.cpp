#include "net/elastic_client.h"

#include <cstdlib>
#include <thread>
#include <utility>

#include "core/encoding.h"
#include "core/json.h"
#include "core/json_record.h"

namespace attest::net {

using ojson = nlohmann::ordered_json;

std::string elastic_error_message(int status, const std::string& body) {
    std::string out = "HTTP " + std::to_string(status);
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("error")) {
        const auto& e = j["error"];
        if (e.is_string()) return out + ": " + e.get<std::string>();
        if (e.is_object()) {
            std::string type = e.value("type", ""), reason = e.value("reason", "");
            out += " " + type + ": " + reason;
            if (e.contains("root_cause") && e["root_cause"].is_array() &&
                !e["root_cause"].empty() && e["root_cause"][0].is_object()) {
                std::string root = e["root_cause"][0].value("reason", "");
                if (!root.empty() && root != reason) out += " (" + root + ")";
            }
            for (char& c : out)
                if (c == '\n' || c == '\r') c = ' ';
            return out;
        }
    }
    std::string text = body.substr(0, 200);
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return text.empty() ? out : out + ": " + text;
}

std::string index_path(const std::string& pattern) {
    return url_encode(pattern, ",*");
}

ojson time_range_filter(const std::string& field, const std::string& from, const std::string& to) {
    ojson bounds = ojson::object();
    if (!from.empty()) bounds["gte"] = from;
    if (!to.empty()) bounds["lte"] = to;
    return ojson{{"range", {{field, bounds}}}};
}

Expected<ElasticClient> ElasticClient::connect(const ElasticConfig& config) {
    auto u = parse_https_url(config.url);
    if (!u) return u.error();
    std::string prefix = u->target;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (prefix.find('?') != std::string::npos)
        return make_error("the Elasticsearch URL must not have a query string");
    if (!config.trust.fingerprint.empty()) {
        auto fp = normalize_fingerprint(config.trust.fingerprint);
        if (!fp) return fp.error();
    }
    std::string auth;
    const char* key = std::getenv(config.api_key_env.c_str());
    const char* user = std::getenv(config.username_env.c_str());
    const char* password = std::getenv(config.password_env.c_str());
    if (key != nullptr && *key != '\0') {
        auth = "ApiKey " + std::string(key);
    } else if (user != nullptr && *user != '\0') {
        if (password == nullptr)
            return make_error(config.username_env + " is set but " + config.password_env +
                              " is not");
        auth = "Basic " + base64_encode(std::string(user) + ":" + password);
    }
    HttpsUrl origin{u->host, u->port, "/"};
    return ElasticClient(HttpsClient(origin, config.trust, config.timeout), prefix, auth,
                         config.retry);
}

Expected<HttpResponse> ElasticClient::send(const std::string& method, const std::string& path,
                                           std::string_view body, const std::string& content_type) {
    HttpRequest req;
    req.method = method;
    req.target = m_prefix + path;
    req.body = body;
    req.content_type = content_type;
    if (!m_authorization.empty()) req.headers.emplace_back("Authorization", m_authorization);
    return m_http.send_with_retry(req, m_retry);
}

Expected<std::string> ElasticClient::answer(const std::string& method, const std::string& path,
                                            std::string_view body,
                                            const std::string& content_type) {
    auto r = send(method, path, body, content_type);
    if (!r) return r.error();
    if (r->status >= 300)
        return make_error(method + " " + path + ": " + elastic_error_message(r->status, r->body));
    return std::move(r->body);
}

Expected<ojson> ElasticClient::call(const std::string& method, const std::string& path,
                                    const std::string& body) {
    auto text = answer(method, path, body, "application/json");
    if (!text) return text.error();
    auto j = ojson::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return make_error(method + " " + path + ": the answer is not a JSON object");
    return j;
}

Expected<Value> ElasticClient::call_value(const std::string& method, const std::string& path,
                                          const std::string& body) {
    auto text = answer(method, path, body, "application/json");
    if (!text) return text.error();
    Value v;
    std::string error;
    std::size_t offset = 0;
    if (!parse_json_record(*text, v, error, offset) || !v.is_object())
        return make_error(
            method + " " + path + ": the answer is not a JSON object" +
            (error.empty() ? "" : " (" + error + " at byte " + std::to_string(offset) + ")"));
    return v;
}

Expected<ojson> ElasticClient::eql_search(const std::string& index, const ojson& body,
                                          std::chrono::milliseconds deadline) {
    auto start = std::chrono::steady_clock::now();
    auto r = call("POST", "/" + index_path(index) + "/_eql/search", body.dump());
    if (!r) return r;
    std::string id =
        r->contains("id") && (*r)["id"].is_string() ? (*r)["id"].get<std::string>() : "";
    while (r->value("is_running", false)) {
        if (id.empty()) return make_error("_eql/search: a running search without an id");
        if (std::chrono::steady_clock::now() - start > deadline) {
            (void)call("DELETE", "/_eql/search/" + url_encode(id));
            return make_error("_eql/search: still running after " +
                              std::to_string(deadline.count() / 1000) +
                              "s (cancelled); narrow the time range");
        }
        r = call("GET", "/_eql/search/" + url_encode(id) + "?wait_for_completion_timeout=2s");
        if (!r) return r;
    }
    // A search that went async keeps its result until keep_alive: free it now.
    if (!id.empty()) (void)call("DELETE", "/_eql/search/" + url_encode(id));
    return r;
}

Expected<HitPager> HitPager::open(ElasticClient& client, const std::string& index, ojson query,
                                  std::size_t page_size, std::string timestamp_field) {
    auto pit = client.call("POST", "/" + index_path(index) + "/_pit?keep_alive=1m");
    if (!pit) return pit.error();
    if (!pit->contains("id") || !(*pit)["id"].is_string())
        return make_error("_pit: no id in the answer");
    HitPager pager;
    pager.m_client = &client;
    pager.m_pit_id = (*pit)["id"].get<std::string>();
    pager.m_query = std::move(query);
    pager.m_page_size = page_size == 0 ? 1 : page_size;
    pager.m_timestamp_field = std::move(timestamp_field);
    return pager;
}

HitPager& HitPager::operator=(HitPager&& other) noexcept {
    if (this == &other) return *this;
    close();
    m_client = std::exchange(other.m_client, nullptr);
    m_pit_id = std::move(other.m_pit_id);
    m_query = std::move(other.m_query);
    m_search_after = std::move(other.m_search_after);
    m_page_size = other.m_page_size;
    m_timestamp_field = std::move(other.m_timestamp_field);
    m_done = other.m_done;
    return *this;
}

Expected<std::vector<Value>> HitPager::next_page() {
    if (m_done || m_client == nullptr) return std::vector<Value>{};
    ojson body{
        {"size", m_page_size},
        {"pit", {{"id", m_pit_id}, {"keep_alive", "1m"}}},
        {"sort", ojson::array({ojson{{m_timestamp_field, "asc"}}, ojson{{"_shard_doc", "asc"}}})},
        {"query", m_query}};
    if (!m_search_after.is_null()) body["search_after"] = m_search_after;
    m_done = true;  // until the page proves there may be more
    auto page = m_client->call_value("POST", "/_search", body.dump());
    if (!page) return page.error();
    if (const Value* pit = page->get("pit_id"); pit && pit->is_string())
        m_pit_id = pit->as_string();
    Value* hits = page->get("hits");
    hits = hits && hits->is_object() ? hits->get("hits") : nullptr;
    if (hits == nullptr || !hits->is_array())
        return make_error("_search: no hits.hits in the answer");
    std::vector<Value> out = std::move(hits->as_array());
    if (out.size() < m_page_size || out.empty()) return out;
    const Value* sort = out.back().is_object() ? out.back().get("sort") : nullptr;
    if (sort == nullptr) return make_error("_search: a hit without sort values (cannot page)");
    m_search_after = value_to_json<ojson>(*sort);
    m_done = false;
    return out;
}

void HitPager::close() {
    if (m_client == nullptr) return;
    (void)m_client->call("DELETE", "/_pit", ojson{{"id", m_pit_id}}.dump());
    m_client = nullptr;
}

Expected<std::uint64_t> ElasticClient::export_hits(const std::string& index, const ojson& query,
                                                   std::size_t page_size,
                                                   const std::function<bool(Value& hit)>& fn,
                                                   const std::string& timestamp_field) {
    auto pager = HitPager::open(*this, index, query, page_size, timestamp_field);
    if (!pager) return pager.error();
    std::uint64_t count = 0;
    for (;;) {
        auto hits = pager->next_page();
        if (!hits) return hits.error();
        if (hits->empty()) return count;
        for (auto& hit : *hits) {
            ++count;
            if (!fn(hit)) return count;
        }
    }
}

namespace {

// An item's error as one line: "type: reason".
std::string bulk_item_reason(const Value& action) {
    const Value* error = action.get("error");
    if (error == nullptr || !error->is_object()) return "";
    auto text = [error](std::string_view key) {
        const Value* v = error->get(key);
        return v && v->is_string() ? v->as_string() : std::string();
    };
    std::string reason = text("type") + ": " + text("reason");
    for (char& c : reason)
        if (c == '\n' || c == '\r') c = ' ';
    return reason;
}

}  // namespace

// The answer is parsed with the record parser (a few MB per request: nlohmann's DOM cost a
// twentieth of `attest ship`'s time).
Expected<std::vector<BulkRejection>> ElasticClient::bulk(std::string_view ndjson,
                                                         std::size_t documents) {
    auto text = answer("POST", "/_bulk", ndjson, "application/x-ndjson");
    if (!text) return text.error();
    Value j;
    std::string error;
    std::size_t offset = 0;
    if (!parse_json_record(*text, j, error, offset) || !j.is_object())
        return make_error(
            "POST /_bulk: the answer is not a JSON object" +
            (error.empty() ? "" : " (" + error + " at byte " + std::to_string(offset) + ")"));
    const Value* items = j.get("items");
    if (items == nullptr || !items->is_array())
        return make_error("POST /_bulk: the answer has no items");
    const Array& list = items->as_array();
    if (list.size() != documents)
        return make_error("POST /_bulk: " + std::to_string(list.size()) + " items answered for " +
                          std::to_string(documents) + " documents");
    std::vector<BulkRejection> rejected;
    const Value* errors = j.get("errors");
    if (errors != nullptr && errors->is_bool() && !errors->as_bool()) return rejected;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Value& item = list[i];
        if (!item.is_object() || item.as_object().empty())
            return make_error("POST /_bulk: a malformed item");
        const Value& action = item.as_object().front().value;
        const Value* status = action.is_object() ? action.get("status") : nullptr;
        int code = status && status->is_int() ? static_cast<int>(status->as_int()) : 0;
        if (code >= 200 && code < 300) continue;
        rejected.push_back(
            BulkRejection{i, code, action.is_object() ? bulk_item_reason(action) : ""});
    }
    return rejected;
}

}  // namespace attest::net
