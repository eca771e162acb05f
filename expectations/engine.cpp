#include "expectations/engine.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/closest_name.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "expectations/eql/field_types.h"
#include "expectations/eql/rule.h"
#include "expectations/eql/value_index.h"
#include "expectations/rule_fields.h"
#include "expectations/rules.h"
#include "expectations/sigma/sigma.h"
#include "telemetry/event_facts.h"
#include "telemetry/host.h"
#include "telemetry/lineage.h"
#include "telemetry/open.h"
#include "telemetry/sources.h"
#include "telemetry/vocabulary.h"

namespace attest::expectations {

std::string_view verdict_name(ExpectationVerdict v) {
    switch (v) {
        case ExpectationVerdict::Observed:
            return "observed";
        case ExpectationVerdict::Missing:
            return "missing";
        case ExpectationVerdict::NotCollected:
            return "not_collected";
        case ExpectationVerdict::Pending:
            return "pending";
    }
    return "?";
}
std::string_view verdict_name(DetectionVerdict v) {
    switch (v) {
        case DetectionVerdict::Fired:
            return "fired";
        case DetectionVerdict::NotFired:
            return "not_fired";
        case DetectionVerdict::NotEvaluated:
            return "not_evaluated";
        case DetectionVerdict::NotEvaluable:
            return "not_evaluable";
        case DetectionVerdict::Error:
            return "error";
    }
    return "?";
}
std::string_view verdict_name(ScenarioVerdict v) {
    switch (v) {
        case ScenarioVerdict::Passed:
            return "passed";
        case ScenarioVerdict::Failed:
            return "failed";
        case ScenarioVerdict::Error:
            return "error";
        case ScenarioVerdict::Inconclusive:
            return "inconclusive";
        case ScenarioVerdict::Skipped:
            return "skipped";
        case ScenarioVerdict::Executed:
            return "executed";
    }
    return "?";
}
std::optional<ScenarioVerdict> parse_scenario_verdict(std::string_view name) {
    for (auto v :
         {ScenarioVerdict::Passed, ScenarioVerdict::Failed, ScenarioVerdict::Error,
          ScenarioVerdict::Inconclusive, ScenarioVerdict::Skipped, ScenarioVerdict::Executed})
        if (verdict_name(v) == name) return v;
    return std::nullopt;
}

namespace {

// A source not collected: the runner's reason when it knows one (the sensor's preflight
// error), else the plain fact.
std::string not_collected_reason(const RunFacts& facts, const ExpectationSpec& spec) {
    if (auto why = facts.not_logged.find(spec.id); why != facts.not_logged.end())
        return why->second;
    return "source '" + spec.source + "' was not collected";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += sep;
        out += i;
    }
    return out;
}

// A detection compiled: its query, or for a Sigma correlation the rule set that evaluates it.
struct CompiledDetection {
    rules::CompiledRule rule;
    std::shared_ptr<const sigma::RuleSet> sigma_set;  // set: a correlation, rule.query null
    std::size_t correlation = 0;                      // its index in sigma_set
    std::vector<std::string> sigma_fields;            // Sigma: the field names its items use
};

// The fields a detection's rule names, each with the event paths it is read from.
struct WatchedField {
    std::string name;
    std::vector<std::string> paths;
    bool sigma = false;
};

std::vector<WatchedField> watched_fields(const DetectionSpec& spec, const CompiledDetection& c) {
    std::vector<WatchedField> out;
    if (spec.language == "sigma") {
        for (const auto& f : c.sigma_fields) out.push_back({f, sigma::field_paths(f), true});
        return out;
    }
    eql::Rule bare;  // a bare EQL query (hand-built specs) read as an EQL rule
    bare.query = spec.query;
    for (const auto& f : rules::query_fields(spec.loaded ? *spec.loaded : bare))
        if (f.name.find('*') == std::string::npos) out.push_back({f.name, {f.name}, false});
    return out;
}

bool carries(const Event& e, const WatchedField& f) {
    for (const auto& p : f.paths) {
        if (e.find(p)) return true;
        bool seen = false;
        e.for_each_at(p, [&seen](const Value&) { seen = true; });
        if (seen) return true;
    }
    return false;
}

// "; `process.nme`: no event has this field; did you mean `process.name`?" for each field
// the rule names that no event it read carried (a misspelt field silently never matches).
std::string absent_fields_note(const std::vector<WatchedField>& absent) {
    std::string out;
    for (const auto& f : absent) {
        bool path = !f.sigma || f.name.find('.') != std::string::npos;
        std::string hint =
            closest_name(f.name, path ? rules::known_field_names() : sigma::field_names());
        out += "; `" + f.name + "`: no event has this field";
        if (!hint.empty() && hint != f.name) out += "; did you mean `" + hint + "`?";
    }
    return out;
}

// A detection's query in its own language (EQL, KQL, Sigma) compiled into the one query form;
// a rule that did not load is an error here too.
Expected<CompiledDetection> compile_detection(const DetectionSpec& spec,
                                              const eql::QueryOptions& options) {
    if (!spec.load_error.empty()) return make_error(spec.load_error);
    if (spec.language == "sigma") {
        std::vector<sigma::Source> sources{{spec.rule, spec.query}};
        for (const auto& [path, text] : spec.sigma_inputs) sources.push_back({path, text});
        auto set = sigma::parse(sources);
        if (!set) return make_error(set.error().message);
        auto rule = sigma::single_rule(*set, spec.rule);
        if (!rule) return make_error(rule.error().message);
        std::vector<std::string> fields;
        for (const auto& r : set->rules)  // a correlation's inputs are the file's other rules
            for (const auto& f : r.fields)
                if (std::find(fields.begin(), fields.end(), f.name) == fields.end())
                    fields.push_back(f.name);
        if ((*rule)->query) return CompiledDetection{{(*rule)->query, ""}, nullptr, 0, fields};
        auto index = static_cast<std::size_t>(*rule - set->rules.data());
        return CompiledDetection{
            {}, std::make_shared<const sigma::RuleSet>(std::move(*set)), index, fields};
    }
    if (spec.loaded) {
        auto compiled = rules::compile_rule(*spec.loaded, options);
        if (!compiled) return make_error(compiled.error().message);
        return CompiledDetection{*compiled, nullptr, 0, {}};
    }
    auto q = eql::compile(spec.query, spec.rule, options);
    if (!q) return make_error(q.error().message);
    return CompiledDetection{{*q, ""}, nullptr, 0, {}};
}

// The hits of a correlation detection in the EQL matcher's form: its events and group values.
std::vector<eql::Hit> correlation_hits(const sigma::RuleSetMatcher& m, std::size_t rule) {
    std::vector<eql::Hit> out;
    for (const auto& h : m.hits())
        if (h.rule == rule) out.push_back({h.events, h.group});
    return out;
}

// Why a correlation did not fire: how many events each input rule matched, so an input that
// never matched stands out from a threshold that was not reached.
std::string correlation_miss(const sigma::RuleSet& set, std::size_t rule,
                             const sigma::RuleSetMatcher& m) {
    const sigma::Correlation& c = *set.rules[rule].correlation;
    std::string inputs;
    for (std::size_t index : c.rule_index)
        inputs += (inputs.empty() ? "" : ", ") + std::string("'") + set.rules[index].title +
                  "' matched " + std::to_string(m.input_matches(index)) + " event(s)";
    std::string by = c.group_by.empty() ? "" : " of " + join(c.group_by, ", ");
    return "the correlation's condition held for no group" + by +
           (inputs.empty() ? "" : " (" + inputs + ")");
}

}  // namespace

struct Evaluator::Impl {
    struct Slot {
        std::size_t scenario = 0;
        bool detection = false;
        std::size_t index = 0;
        std::vector<std::string> sources;  // empty: every source
        Profile profile = Profile::Sysmon;
        std::int64_t lo = INT64_MIN, hi = INT64_MAX;
        std::string host;      // empty: any
        bool lineage = false;  // only events of the scenario's process tree (`anchor`)
        std::size_t anchor = telemetry::LineageTracker::kNone;
        std::optional<eql::Matcher> matcher;  // or, for a Sigma correlation:
        std::optional<sigma::RuleSetMatcher> correlation;
        std::shared_ptr<const sigma::RuleSet> sigma_set;
        std::size_t correlation_rule = 0;
        std::uint64_t seen = 0;
        std::vector<WatchedField> absent;  // pack detections: named fields no event carried yet
        // A --rules rule (its misses are never shown): filed in a value index when its query
        // has keys, else tried on every event.
        bool informational = false;
        std::shared_ptr<const eql::Query> query;  // informational ones
        bool indexed = false;
        std::size_t admission = 0;      // indexed: its Admission (what `seen` is counted from)
        std::set<std::string> actions;  // observed event.action values (detections), capped
    };

    EngineOptions options;
    std::vector<ScenarioResult> scenarios;
    std::vector<Slot> slots;
    std::vector<std::size_t> data_profile_slots, translated_slots;
    // Indexed slots, by the vocabulary they read; an indexed slot sees only its candidates, so
    // the events it admits are counted per (window, host) and source instead.
    eql::ValueIndex data_index, translated_index;
    struct Admission {
        std::int64_t lo, hi;
        std::string host;
        std::unordered_map<std::string_view, std::uint64_t> per_source;
        std::uint64_t total = 0;
    };
    std::vector<Admission> admissions;
    telemetry::LineageTracker lineage;  // one per evaluation: each event observed once
    // Lineage-bound matchers get each event its source's ProcessIdentity::late_ns of event
    // time late, so that an event dated before the one that ties its process to a tree still
    // counts (Sysmon dates a connection from before its process's creation event). Memory:
    // that much telemetry of the sources that have a lineage.
    struct Deferred {
        std::shared_ptr<const Event> event;
        telemetry::EventFacts facts;  // its time, source, host and lineage ids
        std::size_t owner;            // as observed; kNone: ask the tracker again on delivery
    };
    std::vector<std::vector<std::size_t>> lineage_slots;  // by anchor
    std::deque<Deferred> deferred;
    std::map<std::string, std::uint64_t> events_per_source;
    std::uint64_t* last_source_count = nullptr;  // events_per_source entry of the last event
    std::string_view last_source;
    // Read by the progress line from another thread; only the feeding thread writes it.
    std::atomic<std::uint64_t> fed{0};
    bool finished = false;

    // The steps of Evaluator::add_scenario: a slot per expectation and detection, then which
    // events each slot is fed.
    struct Adding {
        std::size_t scenario;
        const RunFacts& facts;
        std::map<std::string, std::string> run_facts;  // run.host, run.start, run.end
        eql::QueryOptions qopts;
        eql::MatcherOptions mopts;
        std::vector<std::string> errors;
    };
    Adding adding(std::size_t scenario, const ScenarioChecks& checks, const RunFacts& f) const;
    static void bounds(const RunFacts& f, const std::optional<Window>& w, std::int64_t& lo,
                       std::int64_t& hi);
    ExpectationResult add_expectation(Adding& a, const ExpectationSpec& spec, std::size_t i);
    DetectionResult add_detection(Adding& a, const DetectionSpec& spec, std::size_t i);
    void route_slots(std::size_t first_slot);

    // The steps of Evaluator::finish: each slot's verdict, then each scenario's.
    bool collected(const RunFacts& f, std::string_view source) const;
    void judge_expectation(Slot& slot, const std::vector<eql::Hit>& hits,
                           const eql::Diagnostics& diag);
    void judge_detection(Slot& slot, const std::vector<eql::Hit>& hits,
                         const eql::Diagnostics& diag);
    void judge_scenario(ScenarioResult& sc) const;

    static bool in_bounds(std::int64_t lo, std::int64_t hi, const std::string& lab_host,
                          std::int64_t ts, bool host_bound, const std::string* host) {
        if (ts != INT64_MIN && (ts < lo || ts > hi)) return false;
        if ((lo != INT64_MIN || hi != INT64_MAX) && ts == INT64_MIN) return false;
        if (!lab_host.empty() && host_bound) {
            if (host == nullptr) return false;
            // Computer names are FQDNs or upper-case NetBIOS names, the lab's either.
            if (!telemetry::same_host(*host, lab_host)) return false;
        }
        return true;
    }

    bool admits(const Slot& s, std::string_view source, bool host_bound, std::int64_t ts,
                const std::string* host, std::size_t owner) const {
        if (s.lineage && owner != s.anchor) return false;
        if (!s.sources.empty() &&
            std::find(s.sources.begin(), s.sources.end(), source) == s.sources.end())
            return false;
        return in_bounds(s.lo, s.hi, s.host, ts, host_bound, host);
    }

    // Files slot k in the value index of its vocabulary when its query has keys.
    bool index_slot(std::size_t k, bool translate) {
        Slot& s = slots[k];
        if (!options.value_index || !s.informational ||
            !(translate ? translated_index : data_index)
                 .add(static_cast<std::uint32_t>(k), *s.query))
            return false;
        s.indexed = true;
        auto same = [&s](const Admission& a) {
            return a.lo == s.lo && a.hi == s.hi && a.host == s.host;
        };
        auto it = std::find_if(admissions.begin(), admissions.end(), same);
        s.admission = static_cast<std::size_t>(it - admissions.begin());
        if (it == admissions.end()) admissions.push_back({s.lo, s.hi, s.host, {}, 0});
        return true;
    }

    void count_admissions(std::string_view source, bool host_bound, std::int64_t ts,
                          const std::string* host) {
        for (auto& a : admissions)
            if (in_bounds(a.lo, a.hi, a.host, ts, host_bound, host))
                ++a.per_source[source], ++a.total;
    }

    // What an indexed slot would have been fed: the events of its sources within its bounds.
    std::uint64_t admitted(const Slot& s) const {
        const Admission& a = admissions[s.admission];
        if (s.sources.empty()) return a.total;
        std::uint64_t n = 0;
        for (const auto& src : s.sources)
            if (auto it = a.per_source.find(src); it != a.per_source.end()) n += it->second;
        return n;
    }

    void feed_candidates(eql::ValueIndex& index, const std::shared_ptr<const Event>& e,
                         std::string_view source, bool host_bound, std::int64_t ts,
                         const std::string* host) {
        for (std::uint32_t k : index.candidates(*e))
            if (admits(slots[k], source, host_bound, ts, host, telemetry::LineageTracker::kNone))
                feed_slot(slots[k], e);
    }

    // One anchor per scenario: its executor, from the earliest start to the latest end of its
    // lineage-bound expectations' windows (a window's `before` allows for the target's clock).
    // Without an executor pid the expectations read every process and say so.
    void anchor_lineage(std::size_t first_slot, ScenarioResult& result) {
        std::int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (std::size_t k = first_slot; k < slots.size(); ++k)
            if (slots[k].lineage) lo = std::min(lo, slots[k].lo), hi = std::max(hi, slots[k].hi);
        if (lo > hi) return;
        const auto& anchor = result.facts.anchor;
        bool known = anchor && (!anchor->pid.empty() || !anchor->entity_id.empty());
        std::size_t index = telemetry::LineageTracker::kNone;
        if (known)
            index = lineage.add_anchor(
                {result.checks.guid, result.facts.host, anchor->pid, anchor->entity_id, lo, hi});
        for (std::size_t k = first_slot; k < slots.size(); ++k) {
            if (!slots[k].lineage) continue;
            slots[k].lineage = known;
            slots[k].anchor = index;
            result.expectations[slots[k].index].lineage_applied = known;
        }
    }

    // Whether an event is more than its source's delay older than `now` (exact for any times).
    static bool older_than_its_delay(const telemetry::EventFacts& f, std::int64_t now) {
        return now > f.ts && static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(f.ts) >
                                 static_cast<std::uint64_t>(f.source->lineage.late_ns);
    }

    // Held: events already owned, and those a tree may still claim (a source with a lineage,
    // a process id, an anchor's window open). Delivered in order once they are their
    // source's delay old (an earlier event of a slower source holds later ones back).
    void defer(const std::shared_ptr<const Event>& e, const telemetry::EventFacts& facts,
               std::size_t owner) {
        std::int64_t ts = facts.ts;
        if (lineage_slots.empty() || ts == INT64_MIN) return;
        bool followed = facts.source && !facts.source->lineage.self.empty() && !facts.self.empty();
        if (owner != telemetry::LineageTracker::kNone || (followed && lineage.active()))
            deferred.push_back({e, facts, owner});
        while (!deferred.empty() && older_than_its_delay(deferred.front().facts, ts)) {
            deliver(deferred.front());
            deferred.pop_front();
        }
    }

    void deliver(const Deferred& d) {
        std::size_t owner =
            d.owner != telemetry::LineageTracker::kNone ? d.owner : lineage.owner_now(d.facts);
        if (owner == telemetry::LineageTracker::kNone) return;
        const telemetry::SourceSpec* spec = d.facts.source;
        std::string_view source = spec ? spec->name : std::string_view();
        bool host_bound = spec ? spec->host_bound : true;
        const std::string* host = d.facts.host_name();
        std::shared_ptr<const Event> translated;
        for (std::size_t k : lineage_slots[owner]) {
            auto& s = slots[k];
            if (!admits(s, source, host_bound, d.facts.ts, host, owner)) continue;
            bool translate =
                s.profile == Profile::Endpoint && options.data_profile == Profile::Sysmon;
            if (translate && !translated) {
                auto copy = std::make_shared<Event>(*d.event);
                telemetry::translate(*copy, Profile::Endpoint);
                translated = std::move(copy);
            }
            feed_slot(s, translate ? translated : d.event);
        }
    }

    void feed_slot(Slot& s, const std::shared_ptr<const Event>& e) {
        ++s.seen;
        if (!s.absent.empty())
            std::erase_if(s.absent, [&e](const WatchedField& f) { return carries(*e, f); });
        if (s.detection && s.actions.size() < 64)
            if (const Value* a = e->find("event.action"); a && a->is_string())
                s.actions.insert(a->as_string());
        if (s.correlation)
            s.correlation->feed(*e);
        else
            s.matcher->feed(e);
    }
};

Evaluator::Evaluator(EngineOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = options;
}
Evaluator::~Evaluator() = default;

std::uint64_t Evaluator::events_fed() const {
    return m_impl->fed.load(std::memory_order_relaxed);
}

void Evaluator::add_scenario(const ScenarioChecks& checks, RunFacts facts) {
    auto& impl = *m_impl;
    ScenarioResult result;
    result.checks = checks;
    result.facts = std::move(facts);
    const std::size_t first_slot = impl.slots.size();
    Impl::Adding a = impl.adding(impl.scenarios.size(), checks, result.facts);
    for (std::size_t i = 0; i < checks.expectations.size(); ++i)
        result.expectations.push_back(impl.add_expectation(a, checks.expectations[i], i));
    impl.anchor_lineage(first_slot, result);
    for (std::size_t i = 0; i < checks.detections.size(); ++i)
        result.detections.push_back(impl.add_detection(a, checks.detections[i], i));
    if (!a.errors.empty()) {
        result.verdict = ScenarioVerdict::Error;
        result.reason = join(a.errors, "; ");
    }
    impl.scenarios.push_back(std::move(result));
    impl.route_slots(first_slot);
}

Evaluator::Impl::Adding Evaluator::Impl::adding(std::size_t scenario, const ScenarioChecks& checks,
                                                const RunFacts& f) const {
    Adding a{scenario, f, {}, {}, {}, {}};
    a.run_facts = placeholder_facts(f);
    a.qopts.types = options.types ? options.types : checks.mapping;
    a.qopts.now_ns = f.end_ns ? f.end_ns : f.start_ns;  // date math is relative to the run
    a.mopts.collect_diagnostics = true;
    a.mopts.max_near_misses = options.max_near_misses;
    a.mopts.size_limit = options.max_hits;
    a.mopts.max_hit_events = options.max_evidence;  // only these become evidence
    return a;
}

// The time bounds of a check: the run's start and end widened by its window, and never past
// the start of cleanup.
void Evaluator::Impl::bounds(const RunFacts& f, const std::optional<Window>& w, std::int64_t& lo,
                             std::int64_t& hi) {
    if (f.start_ns) lo = *f.start_ns - (w ? w->before_ns : 0);
    if (f.end_ns)
        hi = *f.end_ns + (w ? w->after_ns : 0);
    else if (f.start_ns && w)
        hi = *f.start_ns + w->after_ns;
    if (f.cleanup_start_ns) hi = std::min(hi, *f.cleanup_start_ns);
}

ExpectationResult Evaluator::Impl::add_expectation(Adding& a, const ExpectationSpec& spec,
                                                   std::size_t i) {
    const RunFacts& f = a.facts;
    ExpectationResult er;
    er.spec = spec;
    er.spec.description = substitute_text(spec.description, f.arguments, a.run_facts);
    auto q = substitute_query(spec.query, f.arguments, a.run_facts);
    if (!q) {
        a.errors.push_back("expectation " + spec.id + ": " + q.error().message);
        er.query = spec.query;
        return er;
    }
    er.query = *q;
    auto compiled =
        eql::compile(*q, spec.position.file.empty() ? spec.id : spec.position.file, a.qopts);
    if (!compiled) {
        a.errors.push_back("expectation " + spec.id + ": " + compiled.error().message);
        return er;
    }
    Slot slot;
    slot.scenario = a.scenario;
    slot.index = i;
    slot.sources = {spec.source};
    slot.profile = options.profile_override.value_or(spec.profile.value_or(Profile::Sysmon));
    const telemetry::SourceSpec* source = telemetry::find_source(spec.source);
    slot.host = source != nullptr && source->host_bound ? f.host : "";
    slot.lineage = spec.lineage;
    bounds(f, spec.window, slot.lo, slot.hi);
    slot.matcher.emplace(*compiled, a.mopts);
    slots.push_back(std::move(slot));
    return er;
}

DetectionResult Evaluator::Impl::add_detection(Adding& a, const DetectionSpec& spec,
                                               std::size_t i) {
    DetectionResult dr;
    dr.spec = spec;
    dr.evaluated_profile = options.profile_override.value_or(
        spec.profile_from_data ? options.data_profile : spec.profile);
    Slot slot;
    slot.scenario = a.scenario;
    slot.detection = true;
    slot.index = i;
    slot.sources = spec.sources;
    slot.profile = dr.evaluated_profile;
    slot.host = a.facts.host;  // rules read endpoint data: scope to the lab host when known
    bounds(a.facts, spec.window, slot.lo, slot.hi);
    auto compiled = compile_detection(spec, a.qopts);
    if (!compiled) {
        dr.verdict = DetectionVerdict::Error;
        dr.reason = compiled.error().message;
        // A --rules DIR rule that does not compile is its own problem, not the scenario's.
        if (!spec.informational)
            a.errors.push_back("rule " + spec.rule + ": " + compiled.error().message);
    } else if (compiled->sigma_set) {
        slot.absent = watched_fields(spec, *compiled);
        slot.sigma_set = compiled->sigma_set;
        slot.correlation_rule = compiled->correlation;
        slot.correlation.emplace(compiled->sigma_set,
                                 sigma::MatcherOptions{.collect_diagnostics = true});
        slots.push_back(std::move(slot));
    } else if (!compiled->rule.query) {
        dr.verdict = DetectionVerdict::NotEvaluable;
        dr.reason = "not locally evaluable: " + compiled->rule.not_evaluable;
    } else {
        // The misses of a --rules rule are never shown: no diagnostics to collect.
        eql::MatcherOptions own = a.mopts;
        own.collect_diagnostics = !spec.informational;
        slot.informational = spec.informational;
        if (spec.informational)
            slot.query = compiled->rule.query;
        else
            slot.absent = watched_fields(spec, *compiled);
        slot.matcher.emplace(compiled->rule.query, own);
        slots.push_back(std::move(slot));
    }
    return dr;
}

// Matchers needing the other vocabulary run after the in-place translation; lineage-bound ones
// get their events late (defer); slots from `first_slot` on are new and may be indexed.
void Evaluator::Impl::route_slots(std::size_t first_slot) {
    data_profile_slots.clear();
    translated_slots.clear();
    lineage_slots.clear();
    for (std::size_t k = 0; k < slots.size(); ++k) {
        if (slots[k].lineage) {
            lineage_slots.resize(lineage.anchor_count());
            lineage_slots[slots[k].anchor].push_back(k);
            continue;
        }
        bool translate =
            slots[k].profile == Profile::Endpoint && options.data_profile == Profile::Sysmon;
        if (slots[k].indexed || (k >= first_slot && index_slot(k, translate))) continue;
        (translate ? translated_slots : data_profile_slots).push_back(k);
    }
}

void Evaluator::feed(Event& event) {
    auto shared = std::make_shared<Event>(std::move(event));
    feed(shared);
    if (shared.use_count() == 1)
        event = std::move(*shared);
    else
        event = *shared;
}

void Evaluator::feed(std::shared_ptr<Event>& shared) {
    auto& impl = *m_impl;
    // What every step below reads of the event, read once (and kept with it when deferred).
    const telemetry::EventFacts facts = telemetry::EventFacts::of(*shared);
    impl.fed.store(impl.fed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    const telemetry::SourceSpec* spec = facts.source;
    std::string_view source = spec ? spec->name : std::string_view();
    bool host_bound = spec ? spec->host_bound : true;
    // Source names come from the source table, so consecutive events mostly hit the same entry.
    if (impl.last_source_count == nullptr || source.data() != impl.last_source.data() ||
        source.size() != impl.last_source.size()) {
        impl.last_source_count = &impl.events_per_source[std::string(source)];
        impl.last_source = source;
    }
    ++*impl.last_source_count;
    std::int64_t ts = facts.ts;
    const std::string* host = facts.host_name();
    // Before any translation: the lineage ids are the source's own fields.
    std::size_t owner = impl.lineage.anchor_count() == 0 ? telemetry::LineageTracker::kNone
                                                         : impl.lineage.observe(*shared, facts);
    bool any_translated = false;
    std::shared_ptr<const Event> view = shared;
    impl.defer(view, facts, owner);
    for (std::size_t k : impl.data_profile_slots) {
        auto& s = impl.slots[k];
        if (impl.admits(s, source, host_bound, ts, host, owner)) impl.feed_slot(s, view);
    }
    if (!impl.admissions.empty()) {
        impl.count_admissions(source, host_bound, ts, host);
        if (!impl.data_index.empty())
            impl.feed_candidates(impl.data_index, view, source, host_bound, ts, host);
    }
    auto translate_once = [&] {
        if (any_translated) return;
        // A matcher above may have kept the event as it is: translate a copy then.
        view.reset();
        if (shared.use_count() > 1) shared = std::make_shared<Event>(*shared);
        telemetry::translate(*shared, Profile::Endpoint);
        view = shared;
        any_translated = true;
    };
    for (std::size_t k : impl.translated_slots) {
        auto& s = impl.slots[k];
        if (!impl.admits(s, source, host_bound, ts, host, owner)) continue;
        translate_once();
        impl.feed_slot(s, view);
    }
    if (!impl.translated_index.empty()) {
        translate_once();
        impl.feed_candidates(impl.translated_index, view, source, host_bound, ts, host);
    }
}

bool Evaluator::Impl::collected(const RunFacts& f, std::string_view source) const {
    if (f.collected) return f.collected->count(std::string(source)) > 0;
    auto it = events_per_source.find(std::string(source));
    return it != events_per_source.end() && it->second > 0;
}

namespace {

// The clause the fewest events met, for a reason: "" when no clause was counted.
std::string weakest_clause(const eql::Diagnostics& diag, std::uint64_t& least) {
    std::string weakest;
    least = UINT64_MAX;
    for (const auto& c : diag.clauses)
        if (c.satisfied < least) least = c.satisfied, weakest = c.clause;
    return weakest;
}

// Why an expectation found too few events.
std::string missing_reason(const ExpectationResult& r, std::uint64_t seen, bool lineage,
                           const eql::Diagnostics& diag) {
    const std::string& source = r.spec.source;
    if (r.count > 0)
        return std::to_string(r.count) + " matching event(s), " + std::to_string(r.spec.min_count) +
               " required";
    if (seen == 0)
        return "no " + source + " event" + (lineage ? " of the test's process tree" : "") +
               " in the time window";
    std::string among = "no match among " + std::to_string(seen) + " " + source + " event(s)";
    if (!diag.near_misses.empty())
        return among + "; closest: failed " + diag.near_misses.front().failed_clause;
    std::uint64_t least = 0;
    std::string weakest = weakest_clause(diag, least);
    return weakest.empty() ? among : among + "; " + weakest + " held for " + std::to_string(least);
}

// A rule can be unable to match because its literals belong to another vocabulary: the
// reason says so rather than a bare "not fired". "" when the vocabulary is not the cause.
std::string vocabulary_mismatch(const DetectionResult& r, const std::set<std::string>& actions) {
    auto literals = event_action_literals(r.spec.query);
    bool any_possible = false;
    for (const auto& lit : literals)
        for (const auto& a : actions) any_possible = any_possible || iequals(lit, a);
    if (literals.empty() || actions.empty() || any_possible) return "";
    std::vector<std::string> seen(actions.begin(), actions.end());
    if (seen.size() > 8) seen.resize(8), seen.push_back("...");
    std::string reason =
        "vocabulary mismatch: the rule (profile " + std::string(profile_name(r.spec.profile)) +
        ") requires event.action in (" + join(literals, ", ") +
        "), but the data evaluated under profile " +
        std::string(profile_name(r.evaluated_profile)) + " has event.action values (" +
        join(seen, ", ") + "): it cannot fire on this vocabulary";
    if (r.spec.profile != r.evaluated_profile)
        reason += "; evaluate it under its own profile (" +
                  std::string(profile_name(r.spec.profile)) + ")";
    return reason;
}

// A failed SIEM verdict as the scenario's reason names it.
std::string siem_failure(const DetectionResult& r) {
    std::string siem =
        r.spec.rule_id + " in " + r.spec.siem + ": " + std::string(verdict_name(r.siem->verdict));
    if (auto t = telemetry_presence(r.siem->verdict); !t.empty())
        siem += " (telemetry " + std::string(t) + ")";
    if (!r.siem->observation.rule_status.empty() && verdict_name(r.siem->verdict) == "rule_missing")
        siem += " (" + r.siem->observation.rule_status + ")";
    return siem;
}

}  // namespace

void Evaluator::Impl::judge_expectation(Slot& slot, const std::vector<eql::Hit>& hits,
                                        const eql::Diagnostics& diag) {
    auto& sc = scenarios[slot.scenario];
    auto& r = sc.expectations[slot.index];
    r.events_seen = slot.seen;
    r.count = hits.size();
    r.count_capped = hits.size() >= options.max_hits;
    for (const auto& h : hits) {
        if (r.evidence.size() >= options.max_evidence) break;
        for (const auto& e : h.events)
            if (e && r.evidence.size() < options.max_evidence) r.evidence.push_back(e);
    }
    r.evidence_omitted = r.count > r.evidence.size() ? r.count - r.evidence.size() : 0;
    if (!collected(sc.facts, r.spec.source)) {
        r.verdict = ExpectationVerdict::NotCollected;
        r.reason = not_collected_reason(sc.facts, r.spec);
    } else if (r.count >= r.spec.min_count) {
        r.verdict = ExpectationVerdict::Observed;
        r.reason = std::to_string(r.count) + (r.count_capped ? "+" : "") + " matching event(s)";
    } else if (auto why = sc.facts.not_logged.find(r.spec.id); why != sc.facts.not_logged.end()) {
        r.verdict = ExpectationVerdict::NotCollected;
        r.reason = why->second;
    } else if (sc.facts.pending.count(r.spec.source)) {
        r.verdict = ExpectationVerdict::Pending;
        r.reason = "source '" + r.spec.source + "' lags and its deadline has not passed";
    } else {
        r.verdict = ExpectationVerdict::Missing;
        r.near_misses = diag.near_misses;
        r.clause_counts = diag.clauses;
        r.reason = missing_reason(r, slot.seen, slot.lineage, diag);
    }
}

void Evaluator::Impl::judge_detection(Slot& slot, const std::vector<eql::Hit>& hits,
                                      const eql::Diagnostics& diag) {
    auto& sc = scenarios[slot.scenario];
    auto& r = sc.detections[slot.index];
    if (slot.indexed) slot.seen = admitted(slot);
    r.events_seen = slot.seen;
    r.hits = hits.size();
    for (const auto& h : hits) {
        if (r.evidence.size() >= options.max_evidence) break;
        r.evidence.emplace_back(h.events.begin(), h.events.end());
    }
    bool any_collected = false;
    if (r.spec.sources.empty()) {
        for (const auto* s : telemetry::all_sources())
            any_collected = any_collected || collected(sc.facts, s->name);
    } else {
        for (const auto& s : r.spec.sources)
            any_collected = any_collected || collected(sc.facts, s);
    }
    if (!r.spec.unsupplied_logsource.empty()) {
        r.verdict = DetectionVerdict::NotEvaluated;
        r.reason = "not_collected: no source attest reads supplies the Sigma logsource " +
                   r.spec.unsupplied_logsource;
    } else if (!any_collected) {
        r.verdict = DetectionVerdict::NotEvaluated;
        r.reason = "none of the rule's sources was collected";
    } else if (r.hits > 0) {
        r.verdict = DetectionVerdict::Fired;
        r.reason = std::to_string(r.hits) + " hit(s)";
    } else {
        r.verdict = DetectionVerdict::NotFired;
        r.near_misses = diag.near_misses;
        r.clause_counts = diag.clauses;
        std::string mismatch = vocabulary_mismatch(r, slot.actions);
        r.vocabulary_mismatch = !mismatch.empty();
        std::uint64_t least = 0;
        std::string weakest = weakest_clause(diag, least);
        if (r.vocabulary_mismatch)
            r.reason = mismatch;
        else if (slot.seen == 0)
            r.reason = "no event reached the rule (time window, host or sources)";
        else if (slot.correlation)
            r.reason = correlation_miss(*slot.sigma_set, slot.correlation_rule, *slot.correlation);
        else if (!diag.near_misses.empty())
            r.reason = "no event met " + diag.near_misses.front().failed_clause;
        else
            r.reason = weakest.empty() ? "no hit among " + std::to_string(slot.seen) + " event(s)"
                                       : "no event met " + weakest;
        if (slot.seen > 0) r.reason += absent_fields_note(slot.absent);
    }
    r.passed =
        r.spec.informational ||
        (was_evaluated(r.verdict) && (r.verdict == DetectionVerdict::Fired) == r.spec.expect_fires);
}

void Evaluator::Impl::judge_scenario(ScenarioResult& sc) const {
    if (!sc.facts.preset_verdict.empty()) {
        sc.verdict =
            parse_scenario_verdict(sc.facts.preset_verdict).value_or(ScenarioVerdict::Error);
        sc.reason = sc.facts.preset_reason;
        return;
    }
    if (sc.verdict == ScenarioVerdict::Error) return;
    std::vector<std::string> failed, unknown;
    // Baseline expectations are judged by the coverage verdict (reports/coverage.h), not
    // here: a coverage gap of a stock test is the nightly's finding, not a failed test.
    bool hand_written = false;
    for (const auto& r : sc.expectations) {
        hand_written = hand_written || !r.spec.baseline;
        if (!r.spec.required || r.spec.baseline) continue;
        if (r.verdict == ExpectationVerdict::Missing)
            failed.push_back(r.spec.id + " missing");
        else if (r.verdict != ExpectationVerdict::Observed)
            unknown.push_back(r.spec.id + " " + std::string(verdict_name(r.verdict)));
    }
    for (const auto& r : sc.detections) {
        if (r.spec.informational) continue;
        if (!was_evaluated(r.verdict)) {
            unknown.push_back(r.spec.rule_id + (r.verdict == DetectionVerdict::NotEvaluable
                                                    ? " not locally evaluable"
                                                    : " not evaluated"));
        } else if (!r.passed) {
            failed.push_back(r.spec.rule_id + (r.spec.expect_fires ? " did not fire" : " fired") +
                             (r.vocabulary_mismatch ? " (vocabulary mismatch)" : ""));
        }
        if (r.siem && !r.siem->passed)
            (r.siem->verdict == SiemVerdict::Error ? unknown : failed).push_back(siem_failure(r));
    }
    if (!failed.empty()) {
        sc.verdict = ScenarioVerdict::Failed;
        sc.reason = join(failed, "; ");
    } else if (!unknown.empty()) {
        sc.verdict = ScenarioVerdict::Inconclusive;
        sc.reason = join(unknown, "; ");
    } else if (!hand_written &&
               std::all_of(sc.detections.begin(), sc.detections.end(),
                           [](const DetectionResult& d) { return d.spec.informational; })) {
        // Only a run knows the test executed; over recorded telemetry alone it is unknown.
        sc.verdict = sc.facts.start_ns ? ScenarioVerdict::Executed : ScenarioVerdict::Inconclusive;
        sc.reason = sc.expectations.empty()
                        ? "the pack declares no expectation or detection for this test"
                        : "judged by its baseline expectations only (see its coverage verdict)";
    } else {
        sc.verdict = ScenarioVerdict::Passed;
        sc.reason.clear();
    }
}

void Evaluator::finish() {
    auto& impl = *m_impl;
    if (impl.finished) return;
    impl.finished = true;
    for (const auto& d : impl.deferred) impl.deliver(d);
    impl.deferred.clear();

    const eql::Diagnostics no_diagnostics;
    for (auto& slot : impl.slots) {
        std::vector<eql::Hit> correlated;
        if (slot.correlation) {
            slot.correlation->finish();
            correlated = correlation_hits(*slot.correlation, slot.correlation_rule);
        } else {
            slot.matcher->finish();
        }
        const auto& hits = slot.correlation ? correlated : slot.matcher->hits();
        const auto& diag = slot.correlation ? no_diagnostics : slot.matcher->diagnostics();
        if (slot.detection)
            impl.judge_detection(slot, hits, diag);
        else
            impl.judge_expectation(slot, hits, diag);
    }
    // Detections whose rule did not compile, and expectations whose query could not be
    // built, stay at their defaults; the scenario is already `error`.
    for (auto& sc : impl.scenarios)
        for (auto& r : sc.expectations)
            if (r.spec.lineage && !r.lineage_applied && !r.reason.empty())
                r.reason += " (process lineage not applied: the run reported no executor process)";

    for (auto& sc : impl.scenarios) {
        // Expectations of sources not collected are decided even without a matcher.
        for (auto& r : sc.expectations)
            if (r.reason.empty() && sc.verdict != ScenarioVerdict::Error &&
                !impl.collected(sc.facts, r.spec.source)) {
                r.verdict = ExpectationVerdict::NotCollected;
                r.reason = not_collected_reason(sc.facts, r.spec);
            }
        for (auto& r : sc.detections)
            if (auto it = sc.facts.siem.find(r.spec.rule_id);
                !r.spec.siem.empty() && it != sc.facts.siem.end())
                r.siem = siem_verdict(it->second,
                                      LocalOutcome{r.spec.expect_fires, r.events_seen, r.reason},
                                      sc.facts.cleanup_start_ns);
        impl.judge_scenario(sc);
    }
}

std::vector<ScenarioResult> Evaluator::results() const {
    return m_impl->scenarios;
}

void Evaluator::restart() {
    std::vector<ScenarioResult> added = std::move(m_impl->scenarios);
    EngineOptions options = m_impl->options;
    m_impl = std::make_unique<Impl>();
    m_impl->options = options;
    for (auto& r : added) add_scenario(r.checks, std::move(r.facts));
}

std::map<std::string, std::string> placeholder_facts(const RunFacts& f) {
    std::map<std::string, std::string> out;
    if (!f.host.empty()) out["run.host"] = f.host;
    if (f.start_ns) out["run.start"] = format_iso8601(*f.start_ns);
    if (f.end_ns) out["run.end"] = format_iso8601(*f.end_ns);
    return out;
}

}  // namespace attest::expectations
