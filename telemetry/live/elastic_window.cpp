#include "telemetry/live/elastic_window.h"

#include <filesystem>
#include <fstream>

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
