#include "expectations/results.h"

#include <random>

#include "core/timeutil.h"
#include "expectations/eql/rule.h"

namespace attest::expectations {
namespace {

Value event_value(const std::shared_ptr<const Event>& e) {
    return e ? Value(*e) : Value();
}

Value near_misses_json(const std::vector<eql::NearMiss>& misses) {
    Value out = Value::array();
    for (const auto& m : misses) {
        Value o = Value::object();
        o.set_key("failed_clause", Value(m.failed_clause));
        if (m.term > 0) o.set_key("term", Value(static_cast<std::int64_t>(m.term)));
        o.set_key("event", event_value(m.event));
        out.push_back(std::move(o));
    }
    return out;
}

Value clause_counts_json(const std::vector<eql::ClauseCount>& counts) {
    Value out = Value::array();
    for (const auto& c : counts) {
        Value o = Value::object();
        o.set_key("clause", Value(c.clause));
        o.set_key("satisfied", Value(static_cast<std::int64_t>(c.satisfied)));
        out.push_back(std::move(o));
    }
    return out;
}

// The SIEM's verdict on a detection (docs/results-schema.md, `detections[].siem`).
Value siem_json(const SiemResult& r) {
    const SiemObservation& o = r.observation;
    Value v = Value::object();
    v.set_key("siem", Value(o.siem));
    v.set_key("verdict", Value(verdict_name(r.verdict)));
    v.set_key("passed", Value(r.passed));
    v.set_key("reason", Value(r.reason));
    if (auto t = telemetry_presence(r.verdict); !t.empty()) v.set_key("telemetry", Value(t));
    if (!o.rule_status.empty()) v.set_key("rule_status", Value(o.rule_status));
    if (o.deadline_ns != 0) v.set_key("deadline", Value(format_iso8601(o.deadline_ns, 3)));
    if (!o.deadline_basis.empty()) v.set_key("deadline_basis", Value(o.deadline_basis));
    v.set_key("polls", Value(static_cast<std::int64_t>(o.polls)));
    v.set_key("alerts", Value(static_cast<std::int64_t>(o.alerts.size())));
    if (r.alert) {
        Value a = Value::object();
        a.set_key("id", Value(r.alert->id));
        a.set_key("timestamp", Value(format_iso8601(r.alert->written_ns, 3)));
        if (r.alert->original_ns)
            a.set_key("original_time", Value(format_iso8601(*r.alert->original_ns, 3)));
        v.set_key("alert", std::move(a));
    }
    if (r.latency_ns) v.set_key("latency_seconds", Value(static_cast<double>(*r.latency_ns) / 1e9));
    return v;
}

}  // namespace

namespace {

Value strings_json(const std::vector<std::string>& list) {
    Value out = Value::array();
    for (const auto& x : list) out.push_back(Value(x));
    return out;
}

Value expectation_json(const ExpectationResult& e) {
    Value o = Value::object();
    o.set_key("id", Value(e.spec.id));
    o.set_key("description", Value(e.spec.description));
    o.set_key("source", Value(e.spec.source));
    o.set_key("query", Value(e.query));
    o.set_key("min_count", Value(static_cast<std::int64_t>(e.spec.min_count)));
    o.set_key("required", Value(e.spec.required));
    if (e.spec.baseline) o.set_key("baseline", Value(true));
    if (e.spec.lineage) {
        o.set_key("lineage", Value(true));
        o.set_key("lineage_applied", Value(e.lineage_applied));
    }
    o.set_key("verdict", Value(verdict_name(e.verdict)));
    o.set_key("reason", Value(e.reason));
    o.set_key("count", Value(static_cast<std::int64_t>(e.count)));
    if (e.count_capped) o.set_key("count_capped", Value(true));
    Value ev = Value::array();
    for (const auto& x : e.evidence) ev.push_back(event_value(x));
    o.set_key("evidence", std::move(ev));
    o.set_key("evidence_omitted", Value(static_cast<std::int64_t>(e.evidence_omitted)));
    o.set_key("near_misses", near_misses_json(e.near_misses));
    o.set_key("clause_counts", clause_counts_json(e.clause_counts));
    o.set_key("events_seen", Value(static_cast<std::int64_t>(e.events_seen)));
    return o;
}

// The rule: its names, language, level, tags and vocabularies.
void put_rule_json(const DetectionResult& d, Value& o) {
    o.set_key("rule", Value(d.spec.rule));
    o.set_key("rule_id", Value(d.spec.rule_id));
    o.set_key("name", Value(d.spec.name));
    // A TOML rule says its own language (kuery, eql); `spec.language` is eql or sigma.
    o.set_key("language",
              Value(d.spec.loaded && d.spec.language != "sigma" ? d.spec.loaded->language
                                                                : d.spec.language));
    if (!d.spec.level.empty()) o.set_key("level", Value(d.spec.level));
    if (!d.spec.tags.empty()) o.set_key("tags", strings_json(d.spec.tags));
    o.set_key("profile", Value(profile_name(d.evaluated_profile)));
    o.set_key("rule_profile", Value(profile_name(d.spec.profile)));
}

Value detection_json(const DetectionResult& d) {
    Value o = Value::object();
    put_rule_json(d, o);
    o.set_key("expected", Value(d.spec.informational  ? "informational"
                                : d.spec.expect_fires ? "fires"
                                                      : "does_not_fire"));
    o.set_key("verdict", Value(verdict_name(d.verdict)));
    o.set_key("passed", Value(d.passed));
    o.set_key("reason", Value(d.reason));
    o.set_key("vocabulary_mismatch", Value(d.vocabulary_mismatch));
    o.set_key("hits", Value(static_cast<std::int64_t>(d.hits)));
    Value ev = Value::array();
    for (const auto& hit : d.evidence) {
        Value h = Value::object();
        Value events = Value::array();
        for (const auto& x : hit) events.push_back(event_value(x));
        h.set_key("events", std::move(events));
        ev.push_back(std::move(h));
    }
    o.set_key("evidence", std::move(ev));
    o.set_key("near_misses", near_misses_json(d.near_misses));
    o.set_key("clause_counts", clause_counts_json(d.clause_counts));
    o.set_key("events_seen", Value(static_cast<std::int64_t>(d.events_seen)));
    if (d.siem) o.set_key("siem", siem_json(*d.siem));
    return o;
}

}  // namespace

Value scenario_to_json(const ScenarioResult& r) {
    Value s = Value::object();
    s.set_key("guid", Value(r.checks.guid));
    s.set_key("name", Value(r.checks.name));
    s.set_key("technique", Value(r.checks.technique));
    s.set_key("tactics", strings_json(r.checks.tactics));
    s.set_key("platforms", strings_json(r.checks.platforms));
    if (!r.facts.host.empty()) s.set_key("target", Value(r.facts.host));
    s.set_key("verdict", Value(verdict_name(r.verdict)));
    s.set_key("reason", Value(r.reason));
    Value args = Value::object();
    for (const auto& [k, v] : r.facts.arguments)
        args.set_key(k, Value(is_secret_argument(r.checks, k) ? std::string("********") : v));
    s.set_key("arguments", std::move(args));
    if (r.facts.start_ns || r.facts.end_ns) {
        Value window = Value::object();
        if (r.facts.start_ns) window.set_key("start", Value(format_iso8601(*r.facts.start_ns)));
        if (r.facts.end_ns) window.set_key("end", Value(format_iso8601(*r.facts.end_ns)));
        s.set_key("window", std::move(window));
    }
    Value exps = Value::array();
    for (const auto& e : r.expectations) exps.push_back(expectation_json(e));
    s.set_key("expectations", std::move(exps));
    Value dets = Value::array();
    for (const auto& d : r.detections)
        // Of the --rules DIR rules, only those that fired are worth a record.
        if (!d.spec.informational || d.verdict == DetectionVerdict::Fired)
            dets.push_back(detection_json(d));
    s.set_key("detections", std::move(dets));
    return s;
}

Value results_document(Value run, std::vector<Value> scenarios) {
    Value doc = Value::object();
    doc.set_key("schema", Value(kResultsSchema));
    doc.set_key("run", std::move(run));
    std::int64_t counts[5] = {0, 0, 0, 0, 0};
    const char* names[5] = {"passed", "failed", "error", "inconclusive", "skipped"};
    for (const auto& s : scenarios)
        if (const Value* v = s.get("verdict"); v && v->is_string())
            for (int i = 0; i < 5; ++i)
                if (v->as_string() == names[i]) ++counts[i];
    Value totals = Value::object();
    for (int i = 0; i < 5; ++i) totals.set_key(names[i], Value(counts[i]));
    doc.set_key("totals", std::move(totals));
    doc.set_key("scenarios", Value(Array(std::make_move_iterator(scenarios.begin()),
                                         std::make_move_iterator(scenarios.end()))));
    return doc;
}

std::string make_run_id(std::int64_t now_ns) {
    std::string iso = format_iso8601(now_ns, 3);  // 2026-11-22T08:30:00.000Z
    std::string compact;
    for (char c : iso.substr(0, 19))
        if (c != '-' && c != ':') compact += c;
    static const char* hex = "0123456789abcdef";
    std::random_device rd;
    unsigned r = rd();
    std::string suffix;
    for (int i = 0; i < 4; ++i) suffix += hex[(r >> (i * 4)) & 15];
    return compact + "Z-" + suffix;
}

}  // namespace attest::expectations
