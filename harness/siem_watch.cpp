#include "harness/siem_watch.h"

#include <algorithm>
#include <cstdio>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/eql/rule.h"
#include "net/elastic_client.h"

namespace attest::run {

namespace ex = attest::expectations;
using ojson = nlohmann::ordered_json;

ojson alert_query(const std::string& rule_id, const std::string& from, const std::string& to,
                  const std::string& host_field, const std::string& host) {
    ojson filters = ojson::array();
    filters.push_back(ojson{{"term", {{"kibana.alert.rule.rule_id", rule_id}}}});
    filters.push_back(net::time_range_filter("@timestamp", from, to));
    if (!host.empty()) filters.push_back(ojson{{"term", {{host_field, host}}}});
    return ojson{{"bool", {{"filter", filters}}}};
}

namespace {

// Kibana's defaults for a rule that does not say (interval 5m, from now-6m).
constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kDefaultIntervalNs = 5 * kMinuteNs;
constexpr std::int64_t kDefaultLookbackNs = 6 * kMinuteNs;

std::string seconds(std::int64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ns) / 1e9);
    return buf;
}

struct RuleState {
    std::string status;  // enabled | disabled | not_installed
    std::optional<std::int64_t> interval_ns, lookback_ns;
};

// GET /api/detection_engine/rules?rule_id=ID: the rule object, or 404 when not installed.
Expected<RuleState> rule_state(net::ElasticClient& kibana, const std::string& rule_id) {
    auto r =
        kibana.request("GET", "/api/detection_engine/rules?rule_id=" + net::url_encode(rule_id));
    if (!r) return r.error();
    if (r->status == 404) return RuleState{"not_installed", {}, {}};
    if (r->status >= 300)
        return make_error("Kibana rules API: " + net::elastic_error_message(r->status, r->body));
    auto j = ojson::parse(r->body, nullptr, false);
    if (!j.is_object() || !j.contains("enabled") || !j["enabled"].is_boolean())
        return make_error("Kibana rules API: the answer for rule_id " + rule_id +
                          " has no boolean 'enabled'");
    RuleState s{j["enabled"].get<bool>() ? "enabled" : "disabled", {}, {}};
    if (j.contains("interval") && j["interval"].is_string())
        s.interval_ns = eql::schedule_interval_ns(j["interval"].get<std::string>());
    if (j.contains("from") && j["from"].is_string())
        s.lookback_ns = eql::schedule_lookback_ns(j["from"].get<std::string>());
    return s;
}

// The deadline after the execution end, and where it comes from: the pack, the lab, else the
// rule's schedule (installed rule, rule file, Kibana's defaults): one run plus its look-back.
std::pair<std::int64_t, std::string> deadline_for(const ex::DetectionSpec& d,
                                                  const SiemElasticConfig& c,
                                                  const std::optional<RuleState>& state) {
    if (d.siem_deadline_ns) return {*d.siem_deadline_ns, "the pack's deadline"};
    if (c.deadline)
        return {std::chrono::nanoseconds(*c.deadline).count(), "the lab's siem.elastic.deadline"};
    std::optional<std::int64_t> interval, lookback;
    std::string basis = "Kibana's default schedule";
    if (state && state->interval_ns) {
        interval = state->interval_ns, lookback = state->lookback_ns;
        basis = "the installed rule's schedule";
    } else if (d.loaded && d.loaded->interval_ns) {
        interval = d.loaded->interval_ns, lookback = d.loaded->lookback_ns;
        basis = "the rule file's schedule";
    }
    std::int64_t i = interval.value_or(kDefaultIntervalNs);
    std::int64_t l = lookback.value_or(std::max(i, kDefaultLookbackNs));
    return {i + l, basis + " (interval " + seconds(i) + " + look-back " + seconds(l) + ")"};
}

struct Pending {
    const ex::DetectionSpec* spec = nullptr;
    ex::SiemObservation obs;
    std::string from;          // the alerts' @timestamp lower bound (ISO)
    std::int64_t stop_ns = 0;  // deadline + late grace
    bool done = false;
};

// The alerts of one detection so far, in @timestamp order; alerts without a readable
// @timestamp are left out (they cannot be placed against the deadline).
Expected<std::vector<ex::SiemAlert>> search_alerts(net::ElasticClient& es,
                                                   const SiemElasticConfig& c, const Pending& p,
                                                   const std::string& host) {
    std::vector<ex::SiemAlert> out;
    auto n =
        es.export_hits(c.alerts_index, alert_query(p.spec->rule_id, p.from, "", c.host_field, host),
                       100, [&](Value& hit) {
                           Value* found = hit.is_object() ? hit.get("_source") : nullptr;
                           if (found == nullptr) return true;
                           const Value& source = *found;
                           const Value* ts = source.find("@timestamp");
                           auto written = ts ? timestamp_value_ns(*ts) : std::nullopt;
                           if (!written) return true;
                           ex::SiemAlert a;
                           if (const Value* id = hit.get("_id"); id && id->is_string())
                               a.id = id->as_string();
                           a.written_ns = *written;
                           if (const Value* o = source.find("kibana.alert.original_time"))
                               a.original_ns = timestamp_value_ns(*o);
                           out.push_back(std::move(a));
                           return out.size() < 1000;
                       });
    if (!n) return n.error();
    return out;
}

bool has_run_alert(const ex::SiemObservation& o, std::optional<std::int64_t> cleanup_start_ns) {
    return std::any_of(o.alerts.begin(), o.alerts.end(), [&](const ex::SiemAlert& a) {
        return !cleanup_start_ns || !a.original_ns || *a.original_ns < *cleanup_start_ns;
    });
}

Expected<net::ElasticClient> connect_to(const std::string& url, const SiemElasticConfig& c) {
    net::ElasticConfig e;
    e.url = url;
    e.trust.ca_file = c.ca_file;
    e.trust.fingerprint = c.ca_fingerprint;
    e.timeout = std::chrono::seconds(30);
    return net::ElasticClient::connect(e);
}

// Asks Kibana about each rule (when a Kibana URL is given) and sets the deadlines.
std::vector<Pending> prepare(const ex::ScenarioChecks& checks, const SiemWatch& w,
                             net::ElasticClient* kibana) {
    std::vector<Pending> out;
    for (const auto& d : checks.detections) {
        if (d.siem.empty()) continue;
        Pending p;
        p.spec = &d;
        std::optional<RuleState> state;
        if (kibana != nullptr) {
            auto s = rule_state(*kibana, d.rule_id);
            if (!s)
                p.obs.error = s.error().message;
            else
                state = *s, p.obs.rule_status = s->status;
        }
        auto [deadline, basis] = deadline_for(d, *w.config, state);
        p.obs.deadline_ns = w.end_ns + deadline;
        p.obs.deadline_basis = basis;
        p.stop_ns = p.obs.deadline_ns + std::chrono::nanoseconds(w.config->late_grace).count();
        p.from = format_iso8601(w.start_ns - (d.window ? d.window->before_ns : 0), 3);
        p.done = !p.obs.error.empty() || p.obs.rule_status == "not_installed" ||
                 p.obs.rule_status == "disabled";
        out.push_back(std::move(p));
    }
    return out;
}

// One poll of every detection still waiting; false when none is left.
Task<bool> poll_once(std::vector<Pending>& pending, net::ElasticClient& es, const SiemWatch& w) {
    bool waiting = false;
    for (auto& p : pending) {
        if (p.done) continue;
        auto found = co_await offload(blocking_pool(),
                                      [&] { return search_alerts(es, *w.config, p, w.host); });
        ++p.obs.polls;
        if (!found) {
            p.obs.error = found.error().message;
            p.done = true;
            continue;
        }
        p.obs.alerts = std::move(*found);
        p.done = has_run_alert(p.obs, w.cleanup_start_ns) || p.obs.polls >= w.config->max_polls ||
                 now_ns() >= p.stop_ns;
        waiting = waiting || !p.done;
    }
    co_return waiting;
}

void report(const std::vector<Pending>& pending, const SiemWatch& w) {
    if (!w.progress) return;
    for (const auto& p : pending) {
        std::string line = "siem: " + p.spec->rule_id + ": ";
        if (!p.obs.error.empty())
            line += "error: " + p.obs.error;
        else if (!p.obs.rule_status.empty() && p.obs.rule_status != "enabled")
            line += "rule " + p.obs.rule_status;
        else
            line += std::to_string(p.obs.alerts.size()) + " alert(s) after " +
                    std::to_string(p.obs.polls) + " poll(s)";
        w.progress(line);
    }
}

}  // namespace

Task<std::map<std::string, ex::SiemObservation>> watch_siem(const ex::ScenarioChecks& checks,
                                                            const SiemWatch& w,
                                                            const CancelToken& cancel) {
    std::map<std::string, ex::SiemObservation> out;
    bool any = std::any_of(checks.detections.begin(), checks.detections.end(),
                           [](const ex::DetectionSpec& d) { return !d.siem.empty(); });
    if (!any) co_return out;
    auto fail_all = [&](const std::string& why) {
        for (const auto& d : checks.detections)
            if (!d.siem.empty()) out[d.rule_id].error = why;
        return out;
    };
    if (w.config == nullptr)
        co_return fail_all("the lab configures no siem.elastic (url of Elasticsearch)");
    auto es = connect_to(w.config->url, *w.config);
    if (!es) co_return fail_all("Elasticsearch: " + es.error().message);
    std::optional<net::ElasticClient> kibana;
    if (!w.config->kibana.empty()) {
        auto k = connect_to(w.config->kibana, *w.config);
        if (!k) co_return fail_all("Kibana: " + k.error().message);
        kibana.emplace(std::move(*k));
    }
    std::vector<Pending> pending = co_await offload(
        blocking_pool(), [&] { return prepare(checks, w, kibana ? &*kibana : nullptr); });
    while (co_await poll_once(pending, *es, w)) {
        std::int64_t next_stop = INT64_MAX;
        for (const auto& p : pending)
            if (!p.done) next_stop = std::min(next_stop, p.stop_ns);
        auto left = std::chrono::duration_cast<Millis>(
            std::chrono::nanoseconds(std::max<std::int64_t>(0, next_stop - now_ns())));
        if (!co_await sleep_for(std::min(w.config->poll_interval, left), cancel, 1)) {
            for (auto& p : pending)
                if (!p.done && !has_run_alert(p.obs, w.cleanup_start_ns))
                    p.obs.error = "interrupted before the deadline";
            break;
        }
    }
    report(pending, w);
    for (auto& p : pending) out[p.spec->rule_id] = std::move(p.obs);
    co_return out;
}

}  // namespace attest::run
