#include "telemetry/live/elastic_ship.h"

#include <algorithm>
#include <array>
#include <future>
#include <thread>
#include <tuple>

#include "core/json_buffer.h"
#include "telemetry/open.h"

namespace attest::telemetry {

namespace {

// Where a document came from, to report a refusal by input position.
struct Origin {
    std::size_t input;
    std::uint64_t event;  // 1-based within the input
};

// One _bulk request being built: NDJSON (action line + document per item) and, per item, its
// offset in the body and its origin.
struct Batch {
    JsonBuffer body;  // reused: its capacity stays at the request size
    std::vector<std::size_t> offsets;
    std::vector<Origin> origins;
    std::size_t size() const { return offsets.size(); }
    std::string_view item(std::size_t i) const {
        std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : body.size();
        return body.view().substr(offsets[i], end - offsets[i]);
    }
    void clear() {
        body.clear();
        offsets.clear();
        origins.clear();
    }
};

// A refusal with the input index, for the order of the report.
struct Refusal {
    Origin origin;
    int status;
    std::string reason;
};

// Sends batches over one connection and counts what the cluster did with them.
class Shipper {
public:
    Shipper(net::ElasticClient& client, const ShipOptions& options)
        : m_client(client), m_options(options) {}

    // Sends the batch; 429 items again (bounded by the client's retry policy).
    Expected<void> send(const Batch& batch) {
        std::string again_body;  // the items refused with 429, sent again
        std::string_view body = batch.body.view();
        std::vector<std::size_t> items(batch.size());
        for (std::size_t i = 0; i < items.size(); ++i) items[i] = i;
        const auto& policy = m_client.retry();
        for (int round = 1; !items.empty(); ++round) {
            auto rejected = m_client.bulk(body, items.size());
            if (!rejected) return rejected.error();
            std::vector<std::size_t> again;
            for (const auto& r : *rejected) {
                if (r.status == 429 && round < policy.max_attempts)
                    again.push_back(items[r.item]);
                else
                    refuse(batch.origins[items[r.item]], r);
            }
            indexed += items.size() - rejected->size();
            if (again.empty()) break;
            std::this_thread::sleep_for(policy.backoff(round, ""));
            again_body.clear();
            for (std::size_t i : again) again_body += batch.item(i);
            body = again_body;
            items = std::move(again);
        }
        return {};
    }
    std::uint64_t requests() const { return m_client.requests(); }

    std::uint64_t indexed = 0;
    std::uint64_t refused = 0;
    std::vector<Refusal> refusals;  // this connection's first keep_refusals

private:
    void refuse(const Origin& o, const net::BulkRejection& r) {
        if (++refused <= m_options.keep_refusals)
            refusals.push_back(Refusal{o, r.status, r.reason});
    }

    net::ElasticClient& m_client;
    const ShipOptions& m_options;
};

// Two connections, each with one batch in flight, and the next batch built meanwhile
// (collecting, normalizing and encoding): one request is on the wire while the cluster works on
// the other, so neither side waits for the other's turn (a cluster takes concurrent bulk
// requests; one connection left attest idle for a third of the time). Batches alternate
// between the connections; at most three exist.
class Pipeline {
public:
    Pipeline(net::ElasticClient& client, const ShipOptions& options)
        : m_second(client.sibling()),
          m_lanes{Lane{Shipper(client, options), {}, {}},
                  Lane{Shipper(m_second, options), {}, {}}} {}
    ~Pipeline() { (void)wait(); }

    // Hands `batch` over to be sent (once its connection's previous batch is done) and leaves
    // it empty.
    Expected<void> send(Batch& batch) {
        Lane& lane = m_lanes[m_sent++ % m_lanes.size()];
        if (auto done = lane.wait(); !done) return done;
        std::swap(batch, lane.in_flight);
        batch.clear();
        lane.sending =
            std::async(std::launch::async, [&lane] { return lane.shipper.send(lane.in_flight); });
        return {};
    }

    // Waits for every batch in flight; the first error.
    Expected<void> wait() {
        Expected<void> first;
        for (auto& lane : m_lanes)
            if (auto done = lane.wait(); !done && first) first = done;
        return first;
    }

    // What the connections did, refusals in input order (the first keep_refusals).
    void tally(const std::vector<ShipInput>& inputs, std::size_t keep, ShipResult& out) const {
        std::vector<Refusal> all;
        for (const auto& lane : m_lanes) {
            out.indexed += lane.shipper.indexed;
            out.refused += lane.shipper.refused;
            out.requests += lane.shipper.requests();
            all.insert(all.end(), lane.shipper.refusals.begin(), lane.shipper.refusals.end());
        }
        std::stable_sort(all.begin(), all.end(), [](const Refusal& a, const Refusal& b) {
            return std::tie(a.origin.input, a.origin.event) <
                   std::tie(b.origin.input, b.origin.event);
        });
        if (all.size() > keep) all.resize(keep);
        for (const auto& r : all)
            out.refusals.push_back(
                ShipRefusal{inputs[r.origin.input].path, r.origin.event, r.status, r.reason});
    }

private:
    struct Lane {
        Shipper shipper;
        Batch in_flight;
        std::future<Expected<void>> sending;
        Expected<void> wait() {
            if (!sending.valid()) return {};
            return sending.get();
        }
    };
    net::ElasticClient m_second;
    std::array<Lane, 2> m_lanes;
    std::size_t m_sent = 0;
};

}  // namespace

Expected<ShipResult> ship_files(net::ElasticClient& client, const std::vector<ShipInput>& inputs,
                                const ShipOptions& options, DiagnosticSink& sink) {
    const std::string action =
        "{\"create\":{\"_index\":" + nlohmann::json(options.index).dump() + "}}\n";
    ShipResult result;
    Pipeline pipeline(client, options);
    Batch batch;
    for (std::size_t f = 0; f < inputs.size(); ++f) {
        auto collector = open_telemetry(inputs[f].path, inputs[f].collector, options.collector,
                                        options.profile, sink);
        if (!collector) {
            result.input_errors.push_back(collector.error().message);
            continue;
        }
        Event e;
        std::uint64_t n = 0;
        while ((*collector)->next(e)) {
            batch.offsets.push_back(batch.body.size());
            batch.origins.push_back(Origin{f, ++n});
            batch.body.append(action);
            e.append_json(batch.body);
            batch.body.push_back('\n');
            if (batch.body.size() < options.max_request_bytes) continue;
            if (auto sent = pipeline.send(batch); !sent) return sent.error();
        }
    }
    if (batch.size() > 0)
        if (auto sent = pipeline.send(batch); !sent) return sent.error();
    if (auto done = pipeline.wait(); !done) return done.error();
    pipeline.tally(inputs, options.keep_refusals, result);
    return result;
}

}  // namespace attest::telemetry
