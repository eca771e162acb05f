#include "telemetry/live/elastic_ship.h"

#include <future>
#include <thread>

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

class Shipper {
public:
    Shipper(net::ElasticClient& client, const std::vector<ShipInput>& inputs,
            const ShipOptions& options, ShipResult& result)
        : m_client(client), m_inputs(inputs), m_options(options), m_result(result) {}

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
            m_result.indexed += items.size() - rejected->size();
            if (again.empty()) break;
            std::this_thread::sleep_for(policy.backoff(round, ""));
            again_body.clear();
            for (std::size_t i : again) again_body += batch.item(i);
            body = again_body;
            items = std::move(again);
        }
        return {};
    }

private:
    void refuse(const Origin& o, const net::BulkRejection& r) {
        if (++m_result.refused <= m_options.keep_refusals)
            m_result.refusals.push_back(
                ShipRefusal{m_inputs[o.input].path, o.event, r.status, r.reason});
    }

    net::ElasticClient& m_client;
    const std::vector<ShipInput>& m_inputs;
    const ShipOptions& m_options;
    ShipResult& m_result;
};

// Double buffering: one batch is sent on a worker thread while the next is built (collecting,
// normalizing and encoding), so attest's work overlaps the cluster's. At most two batches exist.
class Pipeline {
public:
    explicit Pipeline(Shipper& shipper) : m_shipper(shipper) {}
    ~Pipeline() { (void)wait(); }

    // Hands `batch` over to be sent (after the previous one is done) and leaves it empty.
    Expected<void> send(Batch& batch) {
        if (auto done = wait(); !done) return done;
        std::swap(batch, m_in_flight);
        batch.clear();
        m_sending = std::async(std::launch::async, [this] { return m_shipper.send(m_in_flight); });
        return {};
    }

    Expected<void> wait() {
        if (!m_sending.valid()) return {};
        return m_sending.get();
    }

private:
    Shipper& m_shipper;
    Batch m_in_flight;
    std::future<Expected<void>> m_sending;
};

}  // namespace

Expected<ShipResult> ship_files(net::ElasticClient& client, const std::vector<ShipInput>& inputs,
                                const ShipOptions& options, DiagnosticSink& sink) {
    const std::string action =
        "{\"create\":{\"_index\":" + nlohmann::json(options.index).dump() + "}}\n";
    ShipResult result;
    std::vector<std::string> input_errors;  // the sender thread owns `result` until the end
    Shipper shipper(client, inputs, options, result);
    Pipeline pipeline(shipper);
    Batch batch;
    for (std::size_t f = 0; f < inputs.size(); ++f) {
        auto collector = open_telemetry(inputs[f].path, inputs[f].collector, options.collector,
                                        options.profile, sink);
        if (!collector) {
            input_errors.push_back(collector.error().message);
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
    result.input_errors = std::move(input_errors);
    return result;
}

}  // namespace attest::telemetry
