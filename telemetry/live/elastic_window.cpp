#include "telemetry/live/elastic_window.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/json.h"
#include "telemetry/open.h"

namespace attest::telemetry {

using ojson = nlohmann::ordered_json;

ojson elastic_window_query(const ElasticSource& source, const ElasticWindow& window) {
    ojson filter = ojson::array();
    if (!window.from.empty() || !window.to.empty())
        filter.push_back(net::time_range_filter("@timestamp", window.from, window.to));
    if (!source.host.empty()) filter.push_back(ojson{{"term", {{source.host_field, source.host}}}});
    return ojson{{"bool", {{"filter", std::move(filter)}}}};
}

std::string elastic_origin(const ElasticSource& source) {
    return source.connection.url + " " + source.index;
}

namespace {

// Pulls one page at a time; each hit's _source is decoded as the ndjson collector decodes a
// line (member order kept). The client lives here, so the pager's reference stays valid.
class ElasticWindowCollector final : public Collector {
public:
    ElasticWindowCollector(std::unique_ptr<net::ElasticClient> client, std::string origin,
                           DiagnosticSink& sink)
        : m_client(std::move(client)), m_origin(std::move(origin)), m_sink(sink) {}

    Expected<void> start(const ElasticSource& source, const ElasticWindow& window) {
        auto pager = net::HitPager::open(*m_client, source.index,
                                         elastic_window_query(source, window), source.page_size);
        if (!pager) return pager.error();
        m_pager = std::make_unique<net::HitPager>(std::move(*pager));
        return {};
    }

    bool next(Event& out) override {
        while (m_pager) {
            if (m_pos < m_page.size()) {
                if (decode(m_page[m_pos++], out)) return true;
                continue;
            }
            auto page = m_pager->next_page();
            if (!page) {
                m_sink.error(m_origin, 0, 0, page.error().message);
                m_pager.reset();
                return false;
            }
            if (page->empty()) {
                m_pager.reset();  // closes the point in time now, not when the stream ends
                return false;
            }
            m_page = std::move(*page);
            m_pos = 0;
        }
        return false;
    }

private:
    bool decode(Value& hit, Event& out) {
        ++m_stats.records;
        Value* source = hit.is_object() ? hit.get("_source") : nullptr;
        if (source == nullptr || !source->is_object()) {
            m_sink.error(m_origin, m_stats.records, 0, "a hit without a _source object; skipped");
            ++m_stats.skipped;
            return false;
        }
        out = std::move(*source);
        ++m_stats.events;
        return true;
    }

    std::unique_ptr<net::ElasticClient> m_client;
    std::unique_ptr<net::HitPager> m_pager;  // after the client: closed before it goes
    std::vector<Value> m_page;
    std::size_t m_pos = 0;
    std::string m_origin;
    DiagnosticSink& m_sink;
};

}  // namespace

Expected<std::unique_ptr<Collector>> open_elastic_window(const ElasticSource& source,
                                                         const ElasticWindow& window,
                                                         const std::string& origin,
                                                         DiagnosticSink& sink) {
    auto client = net::ElasticClient::connect(source.connection);
    if (!client) return client.error();
    auto collector = std::make_unique<ElasticWindowCollector>(
        std::make_unique<net::ElasticClient>(std::move(*client)), origin, sink);
    if (auto started = collector->start(source, window); !started)
        return make_error(origin + ": " + started.error().message);
    return std::unique_ptr<Collector>(std::move(collector));
}

StreamInput elastic_window_input(const ElasticSource& source, const ElasticWindow& window,
                                 const StreamOptions& options) {
    StreamInput in;
    in.name = elastic_origin(source);
    in.source = "ndjson";
    Profile profile = options.profile;
    in.open = [source, window, profile, name = in.name](
                  DiagnosticSink& sink, std::string& collector,
                  std::uint64_t& bytes) -> Expected<std::unique_ptr<Collector>> {
        collector = "ndjson";
        bytes = 0;
        auto c = open_elastic_window(source, window, name, sink);
        if (!c) return c;
        return with_vocabulary(std::move(*c), profile);
    };
    return in;
}

namespace {

const ojson& hits_of(const ojson& answer) {
    static const ojson kNone = ojson::object();
    return answer.is_object() && answer.contains("hits") ? answer["hits"] : kNone;
}

// The hits of one _eql/search answer (pointers into it): events, or the events of each
// sequence (a missing-event term has none).
std::vector<const ojson*> answer_hits(const ojson& answer) {
    std::vector<const ojson*> out;
    const ojson& hits = hits_of(answer);
    if (hits.contains("events") && hits["events"].is_array())
        for (const auto& e : hits["events"]) out.push_back(&e);
    if (hits.contains("sequences") && hits["sequences"].is_array())
        for (const auto& seq : hits["sequences"])
            if (seq.contains("events") && seq["events"].is_array())
                for (const auto& e : seq["events"])
                    if (!(e.is_object() && e.contains("missing") && e["missing"] == true))
                        out.push_back(&e);
    return out;
}

const ojson* source_of(const ojson& hit) {
    if (!hit.is_object() || !hit.contains("_source") || !hit["_source"].is_object()) return nullptr;
    return &hit["_source"];
}

std::string text_member(const ojson& hit, const char* name) {
    return hit.contains(name) && hit[name].is_string() ? hit[name].get<std::string>() : "";
}

}  // namespace

Expected<std::shared_ptr<std::vector<Event>>> elastic_matched_documents(
    const ElasticSource& source, const ElasticWindow& window,
    const std::vector<std::string>& queries, std::size_t size) {
    auto client = net::ElasticClient::connect(source.connection);
    if (!client) return client.error();
    auto documents = std::make_shared<std::vector<Event>>();
    std::set<std::pair<std::string, std::string>> seen;  // (_index, _id)
    std::vector<std::pair<std::int64_t, std::size_t>> order;
    for (const auto& query : queries) {
        ojson body{{"query", query},
                   {"size", size},
                   {"filter", elastic_window_query(source, window)},
                   {"wait_for_completion_timeout", "2s"}};
        auto answer = client->eql_search(source.index, body, std::chrono::minutes(10));
        if (!answer) return answer.error();
        for (const ojson* hit : answer_hits(*answer)) {
            const ojson* source = source_of(*hit);
            if (source == nullptr) return make_error("_eql/search: a hit without a _source object");
            auto key = std::make_pair(text_member(*hit, "_index"), text_member(*hit, "_id"));
            if (!key.second.empty() && !seen.insert(key).second) continue;
            Event doc = value_from_json(*source);
            order.emplace_back(event_time_ns(doc, "@timestamp").value_or(INT64_MAX),
                               documents->size());
            documents->push_back(std::move(doc));
        }
    }
    std::stable_sort(order.begin(), order.end());
    std::vector<Event> sorted;
    sorted.reserve(order.size());
    for (const auto& [ts, i] : order) sorted.push_back(std::move((*documents)[i]));
    *documents = std::move(sorted);
    return documents;
}

StreamInput elastic_documents_input(std::string name,
                                    std::shared_ptr<const std::vector<Event>> documents,
                                    const StreamOptions& options) {
    StreamInput in = memory_input(std::move(name), "ndjson", std::move(documents));
    Profile profile = options.profile;
    in.open = [open = in.open, profile](
                  DiagnosticSink& sink, std::string& collector,
                  std::uint64_t& bytes) -> Expected<std::unique_ptr<Collector>> {
        auto c = open(sink, collector, bytes);
        if (!c) return c;
        return with_vocabulary(std::move(*c), profile);
    };
    return in;
}

Expected<std::uint64_t> write_elastic_window(const ElasticSource& source,
                                             const ElasticWindow& window, const std::string& path) {
    auto client = net::ElasticClient::connect(source.connection);
    if (!client) return client.error();
    std::string part = path + ".part";
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(part + ": cannot write");
    auto n = client->export_hits(
        source.index, elastic_window_query(source, window), source.page_size, [&](Value& hit) {
            const Value* s = hit.is_object() ? hit.get("_source") : nullptr;
            if (s != nullptr && s->is_object()) out << s->to_json() << '\n';
            return bool(out);
        });
    out.close();
    std::error_code ec;
    if (!n || !out) {
        std::filesystem::remove(part, ec);
        if (!n) return n.error();
        return make_error(path + ": write error");
    }
    std::filesystem::rename(part, path, ec);
    if (ec) return make_error(path + ": " + ec.message());
    return n;
}

}  // namespace attest::telemetry
