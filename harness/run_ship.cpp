#include "harness/run_ship.h"

#include "telemetry/live/elastic_ship.h"
#include "telemetry/sources.h"

namespace attest::run {

std::string ship_index(const std::string& pattern, const std::string& source) {
    static constexpr std::string_view kDataset = "{dataset}";
    auto at = pattern.find(kDataset);
    if (at == std::string::npos) return pattern;
    const telemetry::SourceSpec* spec = telemetry::find_source(source);
    std::string dataset =
        spec != nullptr && !spec->datasets.empty() ? std::string(spec->datasets.front()) : source;
    return pattern.substr(0, at) + dataset + pattern.substr(at + kDataset.size());
}

namespace {

Value outcome_value(const CollectedFile& file, const std::string& index,
                    const Expected<telemetry::ShipResult>& shipped) {
    Value v = Value::object();
    v.set_key("source", Value(file.source));
    v.set_key("index", Value(index));
    if (!shipped) {
        v.set_key("error", Value(shipped.error().message));
        return v;
    }
    v.set_key("indexed", Value(static_cast<std::int64_t>(shipped->indexed)));
    v.set_key("refused", Value(static_cast<std::int64_t>(shipped->refused)));
    Value refusals = Value::array();
    for (const auto& r : shipped->refusals) {
        Value one = Value::object();
        one.set_key("event", Value(static_cast<std::int64_t>(r.event)));
        one.set_key("status", Value(static_cast<std::int64_t>(r.status)));
        one.set_key("reason", Value(r.reason));
        refusals.push_back(std::move(one));
    }
    v.set_key("refusals", std::move(refusals));
    if (!shipped->input_errors.empty()) v.set_key("error", Value(shipped->input_errors.front()));
    return v;
}

Value ship_all(const ShipElasticConfig& config, const std::vector<CollectedFile>& files) {
    Value out = Value::array();
    auto client = net::ElasticClient::connect(config.connection);
    for (const auto& f : files) {
        std::string index = ship_index(config.index, f.source);
        if (!client) {
            out.push_back(outcome_value(f, index, client.error()));
            continue;
        }
        telemetry::ShipOptions options;
        options.index = index;
        options.profile = config.profile;
        options.keep_refusals = 20;  // enough to see why; the count says how many
        DiagnosticSink sink;         // the file was read once already: its diagnostics are known
        out.push_back(outcome_value(
            f, index, telemetry::ship_files(*client, {{f.path, f.collector}}, options, sink)));
    }
    return out;
}

}  // namespace

Task<Value> ship_collected(const ShipElasticConfig& config, std::vector<CollectedFile> files) {
    // Pointers only in the awaited lambda: GCC 12 destroys a lambda temporary awaited in a
    // coroutine twice (a captured vector was freed twice).
    Value shipped =
        co_await offload(blocking_pool(), [c = &config, f = &files] { return ship_all(*c, *f); });
    co_return shipped;
}

}  // namespace attest::run
