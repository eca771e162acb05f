// elastic-standin: a STAND-IN for Elasticsearch, for tests and benchmarks only.
//
// Elasticsearch cannot run on the build machines, so attest's Elasticsearch client is tested
// against this HTTPS server, which speaks exactly the documented subset attest uses
// (../shared/spec/elastic.md) and in that shape: _bulk create actions, _eql/search (events and
// sequences, evaluated by attest's own EQL engine, always answered through one async round),
// point in time + _search with search_after, the alerts index (any index loaded with --load),
// and Elasticsearch's error bodies. It records every request (method, target, content type,
// the Authorization scheme without the credential, body) as NDJSON, so tests assert the exact
// bodies attest sends.
//
// usage: elastic-standin --cert CHAIN.pem --key KEY.pem --port-file FILE [--record FILE]
//                        [--api-key ENCODED] [--load INDEX=FILE.ndjson]... [--bulk-faults]
//                        [--alerts-script FILE.ndjson] [--kibana-rules FILE.json]
//   --bulk-faults: the first _bulk request is refused whole with 429, and the second item of the
//   next one with a per-item 429, once each (documents without @timestamp always get a 400).
//   --alerts-script: scripts when the detection engine writes alerts, so a test can make an
//   alert appear late. One line per alert: {"rule_id","host","after_polls":N | "after_ms":MS,
//   "original_offset_ms":MS (default 500), "index" (default .alerts-security.alerts-default)}.
//   A poll is a first-page _search (no search_after) whose query has a term on
//   kibana.alert.rule.rule_id; the alert is written (@timestamp: now) by the search that comes
//   after N such polls, or MS after the first one. Its kibana.alert.original_time is
//   original_offset_ms after the lower bound of that search's @timestamp range (the start of
//   the window the client asks about), so the source event falls inside the run's window.
//   --kibana-rules: Kibana's GET /api/detection_engine/rules?rule_id=ID answered from this JSON
//   array of rule objects (the rule, or 404 {"message","status_code"} when absent), so the
//   same server stands in for Kibana's rules API.
// A thread per connection (keep-alive honored), one lock around the store; stops on SIGTERM.
#include <fnmatch.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collectors/json_stream.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/eql/eql.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
// Ordered: Elasticsearch returns _source as it was sent, member order included.
using json = nlohmann::ordered_json;
using attest::Value;

struct Doc {
    std::string index;
    std::string id;
    std::string source;  // the document as sent
    std::int64_t ts_ms = 0;
};

struct Reply {
    int status = 200;
    std::string body;
};

Reply es_error(int status, const std::string& type, const std::string& reason) {
    json e{{"type", type}, {"reason", reason}};
    json body{{"error", {{"root_cause", json::array({e})}, {"type", type}, {"reason", reason}}},
              {"status", status}};
    return Reply{status, body.dump()};
}

// The document's @timestamp in epoch milliseconds; nullopt when the text is not a JSON object
// or has no date there (error set).
std::optional<std::int64_t> document_timestamp(std::string_view text, std::string& error) {
    if (text.empty() || text.front() != '{') {
        error = "failed to parse: not a JSON object";
        return std::nullopt;
    }
    // attest's strict RFC 8259 record parser (collectors/json_stream.h): several times faster
    // than a SAX pass of nlohmann's, so the stand-in keeps up with attest ship in the benchmark.
    Value doc;
    std::size_t offset = 0;
    if (!attest::parse_json_record(text, doc, error, offset)) {
        error = "failed to parse: " + error + " at offset " + std::to_string(offset);
        return std::nullopt;
    }
    const Value* ts = doc.get("@timestamp");
    if (ts == nullptr || !ts->is_string()) {
        error = "data stream timestamp field [@timestamp] is missing";
        return std::nullopt;
    }
    auto ns = attest::parse_iso8601_ns(ts->as_string());
    if (!ns) {
        error = "failed to parse field [@timestamp] of type [date]";
        return std::nullopt;
    }
    return *ns / 1000000;
}

bool index_matches(const std::string& patterns, const std::string& index) {
    std::size_t start = 0;
    while (start <= patterns.size()) {
        auto comma = patterns.find(',', start);
        std::string p =
            patterns.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!p.empty() && ::fnmatch(p.c_str(), index.c_str(), 0) == 0) return true;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return false;
}

std::optional<std::int64_t> bound_ms(const json& v) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_string())
        if (auto ns = attest::parse_iso8601_ns(v.get<std::string>())) return *ns / 1000000;
    return std::nullopt;
}

bool scalar_equals(const Value& v, const json& want) {
    if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (scalar_equals(e, want)) return true;
        return false;
    }
    if (want.is_string()) return v.is_string() && v.as_string() == want.get<std::string>();
    if (want.is_number())
        return (v.is_int() || v.is_double()) && v.as_number() == want.get<double>();
    if (want.is_boolean()) return v.is_bool() && v.as_bool() == want.get<bool>();
    return false;
}

// The Query DSL subset of the spec: match_all, bool (filter/must/must_not/should), range on
// @timestamp, term, terms. Throws std::invalid_argument for anything else (a 400).
// A document's _source, parsed on first use: most windows are time ranges only.
struct LazySource {
    const Doc& doc;
    std::optional<Value> parsed;
    const Value& get() {
        if (!parsed) parsed = attest::parse_json_value(doc.source);
        return *parsed;
    }
};

bool matches(const json& q, const Doc& doc, LazySource& source) {
    if (!q.is_object() || q.size() != 1)
        throw std::invalid_argument("a query clause must be an object with one key");
    const std::string& kind = q.begin().key();
    const json& body = q.begin().value();
    if (kind == "match_all") return true;
    if (kind == "bool") {
        for (const char* all : {"filter", "must"})
            if (body.contains(all))
                for (const auto& c : body[all].is_array() ? body[all] : json::array({body[all]}))
                    if (!matches(c, doc, source)) return false;
        if (body.contains("must_not"))
            for (const auto& c :
                 body["must_not"].is_array() ? body["must_not"] : json::array({body["must_not"]}))
                if (matches(c, doc, source)) return false;
        return true;
    }
    if (!body.is_object() || body.size() != 1)
        throw std::invalid_argument("[" + kind + "] needs one field");
    const std::string& field = body.begin().key();
    const json& arg = body.begin().value();
    if (kind == "range") {
        if (field != "@timestamp")
            throw std::invalid_argument("the stand-in ranges on @timestamp only");
        for (const auto& [op, v] : arg.items()) {
            if (op == "format") continue;
            auto b = bound_ms(v);
            if (!b) throw std::invalid_argument("failed to parse date field [" + v.dump() + "]");
            if ((op == "gte" && doc.ts_ms < *b) || (op == "gt" && doc.ts_ms <= *b) ||
                (op == "lte" && doc.ts_ms > *b) || (op == "lt" && doc.ts_ms >= *b))
                return false;
        }
        return true;
    }
    const Value* v = source.get().find(field);
    if (kind == "term")
        return v != nullptr &&
               scalar_equals(*v, arg.is_object() ? arg.value("value", json()) : arg);
    if (kind == "terms") {
        for (const auto& want : arg)
            if (v != nullptr && scalar_equals(*v, want)) return true;
        return false;
    }
    throw std::invalid_argument("unknown query [" + kind + "]");
}

class Store {
public:
    bool bulk_faults = false;

    Reply bulk(const std::string& body);
    Reply eql_search(const std::string& index, const std::string& body);
    Reply eql_get(const std::string& id);
    Reply eql_delete(const std::string& id);
    Reply open_pit(const std::string& index);
    Reply search(const std::string& body);
    Reply close_pit(const std::string& body);
    void load(const std::string& index, const std::string& path);
    void load_alert_script(const std::string& path);
    void load_kibana_rules(const std::string& path);
    Reply kibana_rule(const std::string& rule_id) const;

private:
    // Adds the document; false with the reason when Elasticsearch would refuse it.
    bool add(const std::string& index, std::string_view source, std::string& error);
    std::vector<std::size_t> select(const std::string& index, const json& query);
    json hit(std::size_t i) const;

    std::vector<Doc> m_docs;
    std::map<std::string, std::string> m_async;  // id -> completed answer
    struct Pit {
        std::string index;
        std::size_t visible;             // documents added later are not seen
        std::string query;               // the query the order below is for
        std::vector<std::size_t> order;  // matching documents, (ts, shard_doc) order
    };
    std::map<std::string, Pit> m_pits;
    struct ScriptedAlert {
        json line;
        int polls = 0;  // polls for its rule seen so far
        std::optional<std::chrono::steady_clock::time_point> first_poll;
        bool written = false;
    };
    // Writes the scripted alerts that this search makes visible; true when any was.
    bool write_scripted_alerts(const json& query);
    std::vector<ScriptedAlert> m_script;
    json m_kibana_rules = json::array();
    int m_bulk_requests = 0;
    int m_next_id = 0;
};

bool Store::add(const std::string& index, std::string_view source, std::string& error) {
    auto ts = document_timestamp(source, error);
    if (!ts) return false;
    m_docs.push_back(
        Doc{index, "doc-" + std::to_string(m_docs.size() + 1), std::string(source), *ts});
    return true;
}

void Store::load(const std::string& index, const std::string& path) {
    std::ifstream in(path);
    std::string line, error;
    while (std::getline(in, line))
        if (!line.empty() && !add(index, line, error))
            std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
}

void Store::load_alert_script(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) m_script.push_back(ScriptedAlert{json::parse(line), 0, {}, false});
}

void Store::load_kibana_rules(const std::string& path) {
    std::ifstream in(path);
    m_kibana_rules = json::parse(in);
}

Reply Store::kibana_rule(const std::string& rule_id) const {
    for (const auto& r : m_kibana_rules)
        if (r.value("rule_id", "") == rule_id) return Reply{200, r.dump()};
    // The detection engine's error shape (not Elasticsearch's).
    return Reply{
        404,
        json{{"message", "rule_id: \"" + rule_id + "\" not found"}, {"status_code", 404}}.dump()};
}

// The first value of `key` anywhere in `j` (depth first), or null.
const json* find_member(const json& j, const std::string& key) {
    if (j.is_object()) {
        if (auto it = j.find(key); it != j.end()) return &*it;
        for (const auto& [k, v] : j.items())
            if (const json* f = find_member(v, key)) return f;
    } else if (j.is_array()) {
        for (const auto& v : j)
            if (const json* f = find_member(v, key)) return f;
    }
    return nullptr;
}

bool Store::write_scripted_alerts(const json& query) {
    const json* rule = find_member(query, "kibana.alert.rule.rule_id");
    if (rule == nullptr || m_script.empty()) return false;
    const json* ts = find_member(query, "@timestamp");
    std::optional<std::int64_t> from =
        ts && ts->is_object() && ts->contains("gte") ? bound_ms((*ts)["gte"]) : std::nullopt;
    const json& rule_id = rule->is_object() ? (*rule)["value"] : *rule;
    auto now = std::chrono::steady_clock::now();
    bool wrote = false;
    for (auto& a : m_script) {
        if (a.written || a.line.value("rule_id", "") != rule_id) continue;
        if (!a.first_poll) a.first_poll = now;
        bool due =
            a.line.contains("after_polls")
                ? a.polls >= a.line["after_polls"].get<int>()
                : now - *a.first_poll >= std::chrono::milliseconds(a.line.value("after_ms", 0));
        ++a.polls;
        if (!due) continue;
        std::int64_t written = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count() *
                               1000000;
        std::int64_t original_ms =
            from.value_or(written / 1000000) + a.line.value("original_offset_ms", 500);
        json doc{{"@timestamp", attest::format_iso8601(written, 3)},
                 {"kibana.alert.rule.rule_id", a.line["rule_id"]},
                 {"kibana.alert.rule.name", a.line["rule_id"]},
                 {"kibana.alert.original_time", attest::format_iso8601(original_ms * 1000000, 3)},
                 {"kibana.alert.workflow_status", "open"},
                 {"host", {{"name", a.line.value("host", "")}}}};
        std::string error;
        add(a.line.value("index", ".alerts-security.alerts-default"), doc.dump(), error);
        a.written = wrote = true;
    }
    return wrote;
}

Reply Store::bulk(const std::string& body) {
    ++m_bulk_requests;
    if (bulk_faults && m_bulk_requests == 1)
        return es_error(429, "es_rejected_execution_exception",
                        "rejected execution of coordinating operation");
    if (body.empty() || body.back() != '\n')
        return es_error(400, "illegal_argument_exception",
                        "The bulk request must be terminated by a newline [\\n]");
    std::string items, index, index_json;
    std::optional<std::string_view> last_action;
    bool errors = false;
    std::size_t pos = 0, n = 0;
    while (pos < body.size()) {
        std::size_t eol = body.find('\n', pos);
        std::string_view action(body.data() + pos, eol - pos);
        std::size_t eol2 = body.find('\n', eol + 1);
        if (eol2 == std::string::npos)
            return es_error(400, "illegal_argument_exception", "action without a document");
        std::string_view source(body.data() + eol + 1, eol2 - eol - 1);
        pos = eol2 + 1;
        if (action != last_action) {  // (nullopt never equals) bulk bodies repeat one action line:
                                      // parsed once
            auto a = json::parse(action, nullptr, false);
            if (!a.is_object() || !a.contains("create") || !a["create"].contains("_index") ||
                !a["create"]["_index"].is_string())
                return es_error(400, "illegal_argument_exception",
                                "Malformed action/metadata line [" + std::to_string(n + 1) + "]");
            index = a["create"]["_index"].get<std::string>();
            index_json = json(index).dump();
            last_action = action;
        }
        std::string error;
        json item;
        if (bulk_faults && m_bulk_requests == 2 && n == 1) {
            item = {
                {"_index", index},
                {"status", 429},
                {"error",
                 {{"type", "es_rejected_execution_exception"}, {"reason", "rejected execution"}}}};
        } else if (!add(index, source, error)) {
            item = {{"_index", index},
                    {"status", 400},
                    {"error", {{"type", "document_parsing_exception"}, {"reason", error}}}};
        } else {  // the common case, written directly
            items += n++ ? ",{\"create\":{\"_index\":" : "{\"create\":{\"_index\":";
            items += index_json;
            items +=
                ",\"_id\":\"" + m_docs.back().id + "\",\"status\":201,\"result\":\"created\"}}";
            continue;
        }
        errors = true;
        items += (n++ ? "," : "") + json{{"create", item}}.dump();
    }
    return Reply{200, "{\"took\":1,\"errors\":" + std::string(errors ? "true" : "false") +
                          ",\"items\":[" + items + "]}"};
}

std::vector<std::size_t> Store::select(const std::string& index, const json& query) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < m_docs.size(); ++i) {
        if (!index_matches(index, m_docs[i].index)) continue;
        LazySource source{m_docs[i], std::nullopt};
        if (query.is_null() || matches(query, m_docs[i], source)) out.push_back(i);
    }
    std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
        return m_docs[a].ts_ms < m_docs[b].ts_ms;
    });
    return out;
}

json Store::hit(std::size_t i) const {
    return json{{"_index", m_docs[i].index},
                {"_id", m_docs[i].id},
                {"_source", json::parse(m_docs[i].source)}};
}

Reply Store::eql_search(const std::string& index, const std::string& text) {
    auto body = json::parse(text, nullptr, false);
    if (!body.is_object() || !body.contains("query") || !body["query"].is_string())
        return es_error(400, "parsing_exception", "request body or [query] is missing");
    attest::eql::QueryOptions qo;
    qo.category_field = body.value("event_category_field", qo.category_field);
    qo.timestamp_field = body.value("timestamp_field", qo.timestamp_field);
    qo.tiebreaker_field = body.value("tiebreaker_field", "");
    auto query = attest::eql::compile(body["query"].get<std::string>(), "query", qo);
    if (!query) return es_error(400, "verification_exception", query.error().message);
    attest::eql::MatcherOptions mo;
    mo.size_limit = body.value("size", 10);
    attest::eql::Matcher matcher(*query, mo);
    std::unordered_map<const Value*, std::size_t> doc_of;
    for (std::size_t i : select(index, body.value("filter", json()))) {
        auto e = std::make_shared<const Value>(attest::parse_json_value(m_docs[i].source));
        doc_of[e.get()] = i;
        matcher.feed(e);
    }
    matcher.finish();
    bool sequence = attest::eql::query_kind(**query) != attest::eql::QueryKind::Event;
    json list = json::array();
    for (const auto& h : matcher.hits()) {
        if (!sequence) {
            list.push_back(hit(doc_of.at(h.events[0].get())));
            continue;
        }
        json seq{{"join_keys", json::array()}, {"events", json::array()}};
        for (const auto& k : h.join_keys)
            seq["join_keys"].push_back(attest::value_to_json<json>(k));
        for (const auto& e : h.events)
            seq["events"].push_back(e ? hit(doc_of.at(e.get())) : json{{"missing", true}});
        list.push_back(seq);
    }
    std::string id = "eql-" + std::to_string(++m_next_id);
    json answer{{"id", id},
                {"is_partial", false},
                {"is_running", false},
                {"took", 1},
                {"timed_out", false},
                {"hits",
                 {{"total", {{"value", list.size()}, {"relation", "eq"}}},
                  {sequence ? "sequences" : "events", list}}}};
    m_async[id] = answer.dump();
    return Reply{200, json{{"id", id},
                           {"is_partial", true},
                           {"is_running", true},
                           {"took", 1},
                           {"timed_out", false}}
                          .dump()};
}

Reply Store::eql_get(const std::string& id) {
    auto it = m_async.find(id);
    if (it == m_async.end()) return es_error(404, "resource_not_found_exception", id);
    return Reply{200, it->second};
}

Reply Store::eql_delete(const std::string& id) {
    if (m_async.erase(id) == 0) return es_error(404, "resource_not_found_exception", id);
    return Reply{200, R"({"acknowledged":true})"};
}

Reply Store::open_pit(const std::string& index) {
    std::string id = "pit-" + std::to_string(++m_next_id);
    m_pits[id] = Pit{index, m_docs.size(), "", {}};
    return Reply{200, json{{"id", id}}.dump()};
}

Reply Store::search(const std::string& text) {
    auto body = json::parse(text, nullptr, false);
    if (!body.is_object() || !body.contains("pit"))
        return es_error(400, "action_request_validation_exception",
                        "the stand-in searches through a point in time only");
    auto it = m_pits.find(body["pit"].value("id", ""));
    if (it == m_pits.end())
        return es_error(404, "search_context_missing_exception", "No search context found");
    Pit& pit = it->second;
    json query = body.value("query", json());
    // The detection engine writes the scripted alerts this poll makes due: the search sees
    // them, as one made just after they were written would.
    if (!body.contains("search_after") && write_scripted_alerts(query)) {
        pit.visible = m_docs.size();
        pit.order.clear();
    }
    if (pit.order.empty() || pit.query != query.dump()) {
        pit.query = query.dump();
        pit.order = select(pit.index, query);
        std::erase_if(pit.order, [&](std::size_t i) { return i >= pit.visible; });
    }
    std::size_t size = body.value("size", 10), start = 0;
    if (body.contains("search_after")) {
        const json& after = body["search_after"];
        if (!after.is_array() || after.size() != 2)
            return es_error(400, "illegal_argument_exception", "search_after needs 2 sort values");
        auto key = std::make_pair(after[0].get<std::int64_t>(), after[1].get<std::size_t>());
        start = std::upper_bound(pit.order.begin(), pit.order.end(), key,
                                 [&](const auto& k, std::size_t i) {
                                     return k < std::make_pair(m_docs[i].ts_ms, i);
                                 }) -
                pit.order.begin();
    }
    // Written as text: _source is returned exactly as it was sent, so it is copied, not
    // parsed and dumped again (which made export the stand-in's slowest path).
    std::string hits;
    std::size_t n = 0;
    for (std::size_t k = start; k < pit.order.size() && n < size; ++k, ++n) {
        const Doc& d = m_docs[pit.order[k]];
        hits += n ? ",{\"_index\":" : "{\"_index\":";
        hits += json(d.index).dump() + ",\"_id\":" + json(d.id).dump() + ",\"_source\":";
        hits += d.source;
        hits += ",\"sort\":[" + std::to_string(d.ts_ms) + "," + std::to_string(pit.order[k]) + "]}";
    }
    json head{{"pit_id", it->first},
              {"took", 1},
              {"timed_out", false},
              {"hits", {{"total", {{"value", pit.order.size()}, {"relation", "eq"}}}}}};
    std::string answer = head.dump();  // ...,"hits":{"total":{...}}}: the hits array goes in
    answer.insert(answer.size() - 2, ",\"hits\":[" + hits + "]");
    return Reply{200, std::move(answer)};
}

Reply Store::close_pit(const std::string& text) {
    auto body = json::parse(text, nullptr, false);
    if (!body.is_object() || m_pits.erase(body.value("id", "")) == 0)
        return es_error(404, "search_context_missing_exception", "no such point in time");
    return Reply{200, R"({"succeeded":true,"num_freed":1})"};
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out.push_back(
                static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

Reply route(Store& store, const std::string& method, const std::string& target,
            const std::string& body) {
    std::string path = target.substr(0, target.find('?'));
    auto suffix = [&](const std::string& s) {
        return path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
    };
    auto index_of = [&](const std::string& s) {
        return percent_decode(path.substr(1, path.size() - s.size() - 1));
    };
    try {
        if (method == "POST" && path == "/_bulk") return store.bulk(body);
        if (method == "POST" && path == "/_search") return store.search(body);
        if (method == "DELETE" && path == "/_pit") return store.close_pit(body);
        if (path.rfind("/_eql/search/", 0) == 0) {
            std::string id = percent_decode(path.substr(13));
            if (method == "GET") return store.eql_get(id);
            if (method == "DELETE") return store.eql_delete(id);
        }
        if (method == "POST" && suffix("/_eql/search"))
            return store.eql_search(index_of("/_eql/search"), body);
        if (method == "POST" && suffix("/_pit")) return store.open_pit(index_of("/_pit"));
        if (method == "GET" && path == "/api/detection_engine/rules") {
            auto q = target.find("?rule_id=");
            if (q == std::string::npos)
                return Reply{400, R"({"message":"rule_id or id is required","status_code":400})"};
            return store.kibana_rule(percent_decode(target.substr(q + 9)));
        }
    } catch (const std::exception& e) {
        return es_error(400, "parsing_exception", e.what());
    }
    return es_error(400, "illegal_argument_exception",
                    "the stand-in does not serve " + method + " " + path);
}

struct Server {
    Store store;
    std::string api_key;
    std::FILE* record = nullptr;
    std::mutex lock;  // the store and the record file

    void note(const http::request<http::string_body>& req) {
        if (record == nullptr) return;
        std::string auth(req[http::field::authorization]);
        json line{{"method", std::string(req.method_string())},
                  {"target", std::string(req.target())},
                  {"content_type", std::string(req[http::field::content_type])},
                  {"auth", auth.substr(0, auth.find(' '))},
                  {"body", req.body()}};
        std::fputs((line.dump() + "\n").c_str(), record);
        std::fflush(record);
    }

    void serve_connection(ssl::stream<tcp::socket&>& stream) {
        beast::flat_buffer buffer;
        std::string spare;  // the last request's body: its capacity is reused (no page faults)
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(512ull << 20);
            parser.get().body() = std::move(spare);
            parser.get().body().clear();
            beast::error_code ec;
            http::read(stream, buffer, parser, ec);
            if (ec) return;
            auto& req = parser.get();
            Reply reply;
            {
                std::lock_guard<std::mutex> guard(lock);
                note(req);
                reply = api_key.empty() || req[http::field::authorization] == "ApiKey " + api_key
                            ? route(store, std::string(req.method_string()),
                                    std::string(req.target()), req.body())
                            : es_error(401, "security_exception",
                                       "unable to authenticate with provided credentials");
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
            res.set(http::field::content_type, "application/json");
            res.keep_alive(req.keep_alive());
            res.body() = std::move(reply.body);
            spare = std::move(req.body());
            res.prepare_payload();
            http::write(stream, res, ec);
            if (ec || !req.keep_alive()) return;
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::string cert, key, port_file;
    Server server;
    std::vector<std::pair<std::string, std::string>> loads;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--cert")
            cert = value();
        else if (a == "--key")
            key = value();
        else if (a == "--port-file")
            port_file = value();
        else if (a == "--record")
            server.record = std::fopen(value().c_str(), "a");
        else if (a == "--api-key")
            server.api_key = value();
        else if (a == "--bulk-faults")
            server.store.bulk_faults = true;
        else if (a == "--alerts-script")
            server.store.load_alert_script(value());
        else if (a == "--kibana-rules")
            server.store.load_kibana_rules(value());
        else if (a == "--load") {
            std::string v = value();
            auto eq = v.find('=');
            loads.emplace_back(v.substr(0, eq), eq == std::string::npos ? "" : v.substr(eq + 1));
        } else {
            std::fprintf(stderr, "elastic-standin: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    for (const auto& [index, path] : loads) server.store.load(index, path);
    boost::asio::io_context io;
    ssl::context ctx(ssl::context::tls_server);
    ctx.use_certificate_chain_file(cert);
    ctx.use_private_key_file(key, ssl::context::pem);
    tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    {
        std::ofstream(port_file + ".tmp") << acceptor.local_endpoint().port() << "\n";
        std::rename((port_file + ".tmp").c_str(), port_file.c_str());
    }
    for (;;) {
        auto socket = std::make_shared<tcp::socket>(io);
        acceptor.accept(*socket);
        socket->set_option(tcp::no_delay(true));  // as Elasticsearch's transport does
        std::thread([&server, &ctx, socket] {
            try {
                ssl::stream<tcp::socket&> stream(*socket, ctx);
                stream.handshake(ssl::stream_base::server);
                server.serve_connection(stream);
            } catch (const std::exception&) {
                // A client that refuses the certificate drops the connection: keep serving.
            }
        }).detach();
    }
}
