// Streaming evaluation of compiled queries.
//
// Sequences run one state machine per join-key value. Each positive stage holds at most one
// pending partial match per key: when an event advances stage p, it takes the newest partial
// of stage p-1 (older ones are dropped, as in Elasticsearch's SequenceMatcher, which trims
// everything before the candidate it picks). Stages are visited from last to first so one
// event can complete a sequence and start the next one without joining itself. Missing-event
// terms do not drive the machine: a matching event with the same keys poisons the partial
// matches whose gap it falls in, and poisoned candidates are dropped when they complete (or,
// for a trailing missing term, once the maxspan window has passed).
#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "expectations/eql/compiled.h"
#include "expectations/eql/functions.h"

namespace attest::eql {

using namespace detail;

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Partial {
    std::vector<std::shared_ptr<const Event>> events;  // positive stages so far
    std::int64_t start_ts = 0;
    std::uint64_t first_index = 0;
    std::uint64_t last_index = 0;
    std::optional<std::int64_t> lead_missing_ts;  // latest leading missing event before start
    bool poisoned = false;
};

struct Waiting {
    Partial partial;
    std::int64_t deadline = 0;  // first event + maxspan
    std::vector<Value> key_values;
};

struct KeyState {
    std::vector<Value> key_values;
    std::vector<std::optional<Partial>> pending;  // per positive stage except the last
    std::optional<std::int64_t> lead_missing_ts;
    std::vector<std::shared_ptr<Waiting>> waiting;
    // sample: one slot per filter
    std::vector<std::shared_ptr<const Event>> slots;
    std::uint64_t first_index = 0;
    bool sampled = false;
};

// Appends a type-tagged encoding of a scalar so equal keys give equal bytes (1 and 1.0 too).
void encode_scalar(std::string& out, const Value& v) {
    switch (v.kind()) {
        case Value::Kind::String: {
            out.push_back('s');
            auto n = static_cast<std::uint32_t>(v.as_string().size());
            out.append(reinterpret_cast<const char*>(&n), sizeof n);
            out.append(v.as_string());
            return;
        }
        case Value::Kind::Int: {
            out.push_back('i');
            std::int64_t i = v.as_int();
            out.append(reinterpret_cast<const char*>(&i), sizeof i);
            return;
        }
        case Value::Kind::Double: {
            double d = v.as_double();
            if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -9e18 && d < 9e18) {
                encode_scalar(out, Value(static_cast<std::int64_t>(d)));
                return;
            }
            out.push_back('d');
            out.append(reinterpret_cast<const char*>(&d), sizeof d);
            return;
        }
        case Value::Kind::Bool:
            out.push_back(v.as_bool() ? 'T' : 'F');
            return;
        default:
            out.push_back('n');
            return;
    }
}

// Orders join keys for sample output: null first, then booleans, numbers, strings.
int kind_rank(const Value& v) {
    if (v.is_null()) return 0;
    if (v.is_bool()) return 1;
    if (v.is_number()) return 2;
    return 3;
}
bool key_less(const std::vector<Value>& a, const std::vector<Value>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        int ra = kind_rank(a[i]), rb = kind_rank(b[i]);
        if (ra != rb) return ra < rb;
        if (ra == 0) continue;
        auto c = compare_scalars(a[i], b[i]);
        if (c && *c != 0) return *c < 0;
    }
    return a.size() < b.size();
}

}  // namespace

// One group of a threshold query: its count, the first event (evidence) and the distinct
// values of the cardinality field (collected only up to the number the rule asks for).
struct ThresholdGroup {
    std::vector<Value> key_values;
    std::uint64_t count = 0;
    std::uint64_t first_index = 0;
    std::shared_ptr<const Event> first;
    std::unordered_set<std::string> distinct;
};

struct Matcher::Impl {
    std::shared_ptr<const Query> q;
    MatcherOptions options;
    std::vector<Hit> hits;
    // (last event index, hit): Elasticsearch returns sequences in completion order, i.e. by
    // each sequence's last event (timestamp, then tiebreaker, which the feed order already is).
    std::vector<std::pair<std::uint64_t, Hit>> pending_hits;
    Diagnostics diag;
    bool finished = false;
    std::uint64_t index = 0;
    std::int64_t now_ts = std::numeric_limits<std::int64_t>::min();
    std::int64_t last_ts = 0;

    // sequence layout
    std::vector<std::size_t> positive;        // term indices of positive stages
    std::vector<std::size_t> gap_of_missing;  // per term: gap index (missing terms only)
    std::size_t stages = 0;
    bool has_leading = false, has_trailing = false;

    std::unordered_map<std::string, KeyState, StringHash, std::equal_to<>> states;
    std::deque<std::shared_ptr<Waiting>> waiting;  // trailing-missing candidates, by completion
    std::size_t size_after_sweep = 0;
    std::uint64_t last_sweep_index = 0;

    // event-query output bounds from the pipes
    std::optional<std::size_t> head_bound;
    std::optional<std::size_t> tail_bound;

    // scratch, reused between events (no allocation per event once warm)
    std::vector<std::vector<const Value*>> key_choices;
    std::vector<std::string> encoded_keys;
    std::vector<std::vector<const Value*>> key_tuples;  // into the event (copied only when kept)
    std::vector<std::size_t> at;
    std::size_t key_count = 0;
    bool ts_known = false;
    std::int64_t ts_now = 0;
    // Per event: the category field, looked up once for every term; and each term's filter
    // result when the diagnostics already computed it (-1: not known).
    const Value* category_value = nullptr;
    std::vector<signed char> term_result;

    Impl(std::shared_ptr<const Query> query, MatcherOptions opts)
        : q(std::move(query)), options(opts) {
        if (q->kind == QueryKind::Sequence) {
            gap_of_missing.assign(q->terms.size(), 0);
            std::size_t gap = 0;
            for (std::size_t i = 0; i < q->terms.size(); ++i) {
                if (q->terms[i].missing) {
                    gap_of_missing[i] = gap;
                    if (gap == 0) has_leading = true;
                } else {
                    positive.push_back(i);
                    ++gap;
                }
            }
            stages = positive.size();
            for (std::size_t i = 0; i < q->terms.size(); ++i)
                if (q->terms[i].missing && gap_of_missing[i] == stages) has_trailing = true;
        }
        bool all_head = true;
        for (const auto& p : q->pipes) {
            if (p.head)
                head_bound = head_bound ? std::min(*head_bound, p.count) : p.count;
            else
                all_head = false;
        }
        if (!all_head) head_bound.reset();
        if (q->pipes.size() == 1 && !q->pipes[0].head) tail_bound = q->pipes[0].count;
        if (options.size_limit && q->pipes.empty()) head_bound = *options.size_limit;
        if (options.collect_diagnostics) {
            for (std::size_t i = 0; i < q->terms.size(); ++i) {
                if (i > 0 && q->terms[i].source_term == q->terms[i - 1].source_term &&
                    q->kind != QueryKind::Event)
                    continue;
                TermDiagnostics td;
                td.term = q->terms[i].source_term;
                td.category = q->terms[i].filter.category;
                for (const auto& t : q->terms[i].filter.clause_texts)
                    td.clauses.push_back(ClauseCount{t, 0});
                std::string text;
                for (const auto& t : q->terms[i].filter.clause_texts)
                    text += (text.empty() ? "" : " and ") + t;
                td.text = std::move(text);
                diag.terms.push_back(std::move(td));
            }
        }
    }

    bool category_ok(const CompiledFilter& f, const Event& e) const {
        if (f.scope) return f.scope->test(e);
        if (f.any) return true;
        if (category_value == nullptr) return false;
        auto eq = [&f](const Value& v) { return v.is_string() && v.as_string() == f.category; };
        return any_scalar(*category_value, eq);
    }
    bool filter_matches(const CompiledFilter& f, const Event& e) const {
        return category_ok(f, e) && f.condition->test(e);
    }
    // Filter of q->terms[t], reusing the diagnostics' verdict for this event when there is one.
    bool term_matches(std::size_t t, const Event& e) const {
        if (!term_result.empty() && term_result[t] >= 0) return term_result[t] != 0;
        return filter_matches(q->terms[t].filter, e);
    }

    // Fills key_tuples/encoded_keys with every key of `e` for `term` (cartesian product of
    // multi-valued keys). Empty when a key is null and not written `?key`.
    void keys_of(const CompiledTerm& term, const Event& e) {
        key_count = 0;
        std::size_t n = term.keys.size();
        if (key_choices.size() < n) key_choices.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            auto& choices = key_choices[k];
            choices.clear();
            auto collect = [&choices](const Value& v) {
                if (choices.size() < 64)
                    choices.push_back(&v);  // cap the product on hostile arrays
                return false;
            };
            term.keys[k].any(e, collect);
            if (choices.empty()) {
                if (!term.keys[k].optional) return;
                static const Value null_value;
                choices.push_back(&null_value);
            }
        }
        at.assign(n, 0);
        while (true) {
            if (key_tuples.size() <= key_count) {
                key_tuples.emplace_back();
                encoded_keys.emplace_back();
            }
            auto& tuple = key_tuples[key_count];
            auto& enc = encoded_keys[key_count];
            tuple.resize(n);
            enc.clear();
            for (std::size_t k = 0; k < n; ++k) {
                tuple[k] = key_choices[k][at[k]];
                encode_scalar(enc, *tuple[k]);
            }
            ++key_count;
            if (key_count >= 256 || n == 0) return;
            std::size_t k = n;
            while (k > 0) {
                --k;
                if (++at[k] < key_choices[k].size()) break;
                at[k] = 0;
                if (k == 0) return;
            }
        }
    }

    std::vector<Value> key_values(std::size_t i) const {
        std::vector<Value> out;
        out.reserve(key_tuples[i].size());
        for (const Value* v : key_tuples[i]) out.push_back(*v);
        return out;
    }

    KeyState& state_for(std::size_t i) {
        auto it = states.find(std::string_view(encoded_keys[i]));
        if (it != states.end()) return it->second;
        KeyState& s = states[encoded_keys[i]];
        s.key_values = key_values(i);
        if (q->kind == QueryKind::Sequence)
            s.pending.resize(stages > 0 ? stages - 1 : 0);
        else
            s.slots.resize(q->terms.size());
        return s;
    }
    KeyState* existing_state(std::size_t i) {
        auto it = states.find(std::string_view(encoded_keys[i]));
        return it == states.end() ? nullptr : &it->second;
    }

    Hit make_hit(Partial& p, const std::vector<Value>& key_values) {
        Hit h;
        h.join_keys = key_values;
        std::size_t next = 0;
        for (const auto& t : q->terms) {
            if (t.missing)
                h.events.push_back(nullptr);
            else
                h.events.push_back(std::move(p.events[next++]));
        }
        return h;
    }

    void complete(Partial&& p, KeyState& s, std::int64_t ts) {
        if (p.poisoned) return;
        if (has_leading && p.lead_missing_ts && q->maxspan_ms &&
            *p.lead_missing_ts >= ts - *q->maxspan_ms * 1'000'000)
            return;
        if (has_trailing) {
            auto w = std::make_shared<Waiting>();
            w->deadline = p.start_ts + *q->maxspan_ms * 1'000'000;
            w->partial = std::move(p);
            w->key_values = s.key_values;
            s.waiting.push_back(w);
            waiting.push_back(std::move(w));
            return;
        }
        std::uint64_t last = p.last_index;
        pending_hits.emplace_back(last, make_hit(p, s.key_values));
    }

    void release_waiting(std::int64_t ts, bool all) {
        while (!waiting.empty() && (all || waiting.front()->deadline < ts)) {
            auto w = std::move(waiting.front());
            waiting.pop_front();
            if (!w->partial.poisoned)
                pending_hits.emplace_back(w->partial.last_index,
                                          make_hit(w->partial, w->key_values));
            w->partial.poisoned = true;  // released: later missing events must not count it
        }
    }

    void sweep(std::int64_t ts) {
        if (!q->maxspan_ms) return;
        std::int64_t span = *q->maxspan_ms * 1'000'000;
        for (auto it = states.begin(); it != states.end();) {
            KeyState& s = it->second;
            bool live = false;
            for (auto& p : s.pending) {
                if (p && ts - p->start_ts > span) p.reset();
                live |= p.has_value();
            }
            if (s.lead_missing_ts && ts - *s.lead_missing_ts > span) s.lead_missing_ts.reset();
            live |= s.lead_missing_ts.has_value();
            std::erase_if(s.waiting,
                          [](const std::shared_ptr<Waiting>& w) { return w->partial.poisoned; });
            live |= !s.waiting.empty();
            if (!live)
                it = states.erase(it);
            else
                ++it;
        }
        size_after_sweep = states.size();
        last_sweep_index = index;
    }

    // The event's timestamp, read only once something needs it (most events match no term).
    std::int64_t timestamp_of(const Event& e) {
        if (!ts_known) {
            ts_now = event_timestamp_ns(e, q->options.timestamp_field).value_or(last_ts);
            last_ts = ts_now;
            ts_known = true;
        }
        return ts_now;
    }

    // The event, shared: made once, and only when something keeps it.
    const std::shared_ptr<const Event>& shared_of(const Event& e,
                                                  std::shared_ptr<const Event>& shared) const {
        if (!shared) shared = keep(e);
        return shared;
    }

    void feed_sequence(const Event& e, std::shared_ptr<const Event>& shared) {
        ts_known = false;
        if (stages == 1 && !q->until && !has_leading && !has_trailing) {
            feed_one_term(e, shared);
            return;
        }
        if (has_trailing) release_waiting(timestamp_of(e), false);
        if (q->until && filter_matches(q->until->filter, e)) {
            keys_of(*q->until, e);
            for (std::size_t k = 0; k < key_count; ++k)
                if (KeyState* s = existing_state(k))
                    for (auto& p : s->pending) p.reset();
        }
        for (std::size_t sp = stages; sp-- > 0;)
            if (term_matches(positive[sp], e)) advance_stage(sp, e, shared);
        for (std::size_t m = 0; m < q->terms.size(); ++m)
            if (q->terms[m].missing && term_matches(m, e)) note_missing(m, e);
        if (q->maxspan_ms && (states.size() >= std::max<std::size_t>(1024, 2 * size_after_sweep) ||
                              index - last_sweep_index >= 65536))
            sweep(timestamp_of(e));
    }

    // One-term sequence: each qualifying event is a hit on its own; no state to keep.
    void feed_one_term(const Event& e, std::shared_ptr<const Event>& shared) {
        const CompiledTerm& term = q->terms[positive[0]];
        if (!term_matches(positive[0], e)) return;
        keys_of(term, e);
        for (std::size_t k = 0; k < key_count; ++k) {
            Hit h;
            h.join_keys = key_values(k);
            h.events.push_back(shared_of(e, shared));
            pending_hits.emplace_back(index, std::move(h));
        }
    }

    // The event matched positive stage `sp`: it starts a partial sequence (stage 0) or extends
    // the one waiting at the stage before, per join key; the last stage completes it.
    void advance_stage(std::size_t sp, const Event& e, std::shared_ptr<const Event>& shared) {
        const std::int64_t span = q->maxspan_ms ? *q->maxspan_ms * 1'000'000 : 0;
        const std::int64_t ts = timestamp_of(e);
        keys_of(q->terms[positive[sp]], e);
        for (std::size_t k = 0; k < key_count; ++k) {
            if (sp == 0) {
                KeyState& s = state_for(k);
                Partial p;
                p.events.push_back(shared_of(e, shared));
                p.start_ts = ts;
                p.first_index = index;
                p.last_index = index;
                p.lead_missing_ts = s.lead_missing_ts;
                if (stages == 1)
                    complete(std::move(p), s, ts);
                else
                    s.pending[0] = std::move(p);
                continue;
            }
            KeyState* s = existing_state(k);
            if (s == nullptr || !s->pending[sp - 1]) continue;
            Partial p = std::move(*s->pending[sp - 1]);
            s->pending[sp - 1].reset();
            if (q->maxspan_ms && ts - p.start_ts > span) continue;  // too late: dropped
            p.events.push_back(shared_of(e, shared));
            p.last_index = index;
            if (sp == stages - 1)
                complete(std::move(p), *s, ts);
            else
                s->pending[sp] = std::move(p);
        }
    }

    // The event matched `missing` term m: a leading one is remembered per key; one between
    // stages poisons the partial waiting there; a trailing one poisons completed sequences
    // still waiting out their maxspan.
    void note_missing(std::size_t m, const Event& e) {
        std::size_t gap = gap_of_missing[m];
        const std::int64_t ts = timestamp_of(e);
        keys_of(q->terms[m], e);
        for (std::size_t k = 0; k < key_count; ++k) {
            if (gap == 0) {
                state_for(k).lead_missing_ts = ts;
                continue;
            }
            KeyState* s = existing_state(k);
            if (s == nullptr) continue;
            if (gap < stages) {
                auto& p = s->pending[gap - 1];
                if (p && p->last_index < index) p->poisoned = true;
            } else {
                for (auto& w : s->waiting)
                    if (w->partial.last_index < index && ts <= w->deadline)
                        w->partial.poisoned = true;
            }
        }
    }

    std::unordered_map<std::string, ThresholdGroup, StringHash, std::equal_to<>> groups;

    void feed_threshold(const Event& e, std::shared_ptr<const Event>& shared) {
        const Threshold& th = *q->threshold;
        if (!term_matches(0, e)) return;
        keys_of(q->terms[0], e);
        for (std::size_t k = 0; k < key_count; ++k) {
            auto [it, fresh] = groups.try_emplace(encoded_keys[k]);
            ThresholdGroup& g = it->second;
            if (fresh) {
                g.key_values = key_values(k);
                g.first_index = index;
                if (!shared) shared = keep(e);
                g.first = shared;
            }
            ++g.count;
            if (th.cardinality_field && g.distinct.size() < th.cardinality_value) {
                auto add = [&g](const Value& v) {
                    std::string enc;
                    encode_scalar(enc, v);
                    g.distinct.insert(std::move(enc));
                    return false;
                };
                th.cardinality_field->any(e, add);
            }
        }
    }

    void finish_threshold() {
        const Threshold& th = *q->threshold;
        std::vector<ThresholdGroup*> met;
        for (auto& [k, g] : groups)
            if (g.count >= th.value &&
                (!th.cardinality_field || g.distinct.size() >= th.cardinality_value))
                met.push_back(&g);
        std::sort(met.begin(), met.end(), [](const ThresholdGroup* a, const ThresholdGroup* b) {
            return a->first_index < b->first_index;
        });
        for (ThresholdGroup* g : met) hits.push_back(Hit{{g->first}, g->key_values});
        groups.clear();
    }

    void feed_sample(const Event& e, std::shared_ptr<const Event>& shared) {
        for (std::size_t t = 0; t < q->terms.size(); ++t) {
            const CompiledTerm& term = q->terms[t];
            if (!term_matches(t, e)) continue;
            keys_of(term, e);
            for (std::size_t k = 0; k < key_count; ++k) {
                KeyState& s = state_for(k);
                if (s.sampled || s.slots[t]) continue;
                if (!shared) shared = keep(e);
                s.slots[t] = shared;
                if (std::all_of(s.slots.begin(), s.slots.end(),
                                [](const auto& p) { return p != nullptr; }))
                    s.sampled = true;
            }
        }
    }

    std::shared_ptr<const Event> keep(const Event& e) const {
        if (owner != nullptr) return std::shared_ptr<const Event>(*owner, &e);
        return std::make_shared<const Event>(e);
    }

    // Counts clauses per term; each clause is tested once and the term's verdict (its filter
    // is the conjunction of these clauses) is kept for the matching itself.
    void collect_diagnostics(const Event& e, std::shared_ptr<const Event>& shared) {
        std::size_t d = 0;
        term_result.assign(q->terms.size(), 0);
        for (std::size_t i = 0; i < q->terms.size(); ++i) {
            if (i > 0 && q->terms[i].source_term == q->terms[i - 1].source_term &&
                q->kind != QueryKind::Event) {
                term_result[i] = term_result[i - 1];  // a runs copy: the same filter
                continue;
            }
            const CompiledFilter& f = q->terms[i].filter;
            TermDiagnostics& td = diag.terms[d++];
            if (!category_ok(f, e)) continue;
            ++td.category_events;
            std::size_t failed = 0, failed_at = 0;
            for (std::size_t c = 0; c < f.clauses.size(); ++c) {
                if (f.clauses[c]->test(e))
                    ++td.clauses[c].satisfied;
                else {
                    ++failed;
                    failed_at = c;
                }
            }
            if (failed == 0) ++td.matched;
            term_result[i] = failed == 0 ? 1 : 0;
            if (failed == 1 && td.near_misses.size() < options.max_near_misses) {
                if (!shared) shared = keep(e);
                td.near_misses.push_back(NearMiss{shared, f.clause_texts[failed_at], td.term});
            }
        }
    }

    // `shared` is the caller's own event when it has one, or an alias of `owner` (kept events
    // are then shared, not copied); otherwise it is made, by copy, the first time something
    // keeps the event.
    const std::shared_ptr<const void>* owner = nullptr;

    void feed(const Event& e, std::shared_ptr<const Event> shared,
              const std::shared_ptr<const void>* event_owner) {
        owner = event_owner;
        ++diag.events;
        category_value = e.find(q->options.category_field);
        if (options.collect_diagnostics) collect_diagnostics(e, shared);
        switch (q->kind) {
            case QueryKind::Event:
                if (q->threshold) {
                    feed_threshold(e, shared);
                    break;
                }
                if (head_bound && hits.size() >= *head_bound) break;
                if (term_matches(0, e)) {
                    Hit h;
                    if (!options.max_hit_events || !q->pipes.empty() ||
                        hits.size() < *options.max_hit_events) {
                        if (!shared) shared = keep(e);
                        h.events.push_back(shared);
                    }
                    hits.push_back(std::move(h));
                    if (tail_bound && hits.size() > 2 * *tail_bound + 1024)
                        hits.erase(hits.begin(),
                                   hits.end() - static_cast<std::ptrdiff_t>(*tail_bound));
                }
                break;
            case QueryKind::Sequence:
                feed_sequence(e, shared);
                break;
            case QueryKind::Sample:
                feed_sample(e, shared);
                break;
        }
        ++index;
    }

    void apply_pipes() {
        for (const auto& p : q->pipes) {
            if (p.head) {
                if (hits.size() > p.count) hits.resize(p.count);
            } else if (hits.size() > p.count) {
                hits.erase(hits.begin(), hits.end() - static_cast<std::ptrdiff_t>(p.count));
            }
        }
        if (options.size_limit && hits.size() > *options.size_limit)
            hits.resize(*options.size_limit);
    }

    void finish() {
        if (finished) return;
        finished = true;
        if (q->kind == QueryKind::Sequence) {
            release_waiting(0, true);
            std::stable_sort(pending_hits.begin(), pending_hits.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            for (auto& [first, h] : pending_hits) hits.push_back(std::move(h));
            pending_hits.clear();
        } else if (q->threshold) {
            finish_threshold();
        } else if (q->kind == QueryKind::Sample) {
            std::vector<KeyState*> done;
            for (auto& [k, s] : states)
                if (s.sampled) done.push_back(&s);
            std::sort(done.begin(), done.end(), [](const KeyState* a, const KeyState* b) {
                return key_less(a->key_values, b->key_values);
            });
            for (KeyState* s : done) hits.push_back(Hit{s->slots, s->key_values});
        }
        states.clear();
        apply_pipes();
        if (options.collect_diagnostics && !diag.terms.empty()) {
            std::size_t pick = diag.terms.size() - 1;
            for (std::size_t i = 0; i < diag.terms.size(); ++i)
                if (diag.terms[i].matched == 0) {
                    pick = i;
                    break;
                }
            const TermDiagnostics& td = diag.terms[pick];
            diag.term = td.term;
            diag.category_events = td.category_events;
            diag.clauses = td.clauses;
            diag.near_misses = td.near_misses;
        }
    }

    std::size_t live_partials() const {
        std::size_t n = 0;
        for (const auto& [k, s] : states)
            for (const auto& p : s.pending) n += p.has_value();
        return n;
    }
};

Matcher::Matcher(std::shared_ptr<const Query> query, MatcherOptions options)
    : m_impl(std::make_unique<Impl>(std::move(query), options)) {}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

void Matcher::feed(const Event& event) {
    m_impl->feed(event, nullptr, nullptr);
}
void Matcher::feed(const std::shared_ptr<const Event>& event) {
    m_impl->feed(*event, event, nullptr);
}
void Matcher::feed(const Event& event, const std::shared_ptr<const void>& owner) {
    m_impl->feed(event, nullptr, &owner);
}
void Matcher::finish() {
    m_impl->finish();
}
const std::vector<Hit>& Matcher::hits() const {
    return m_impl->hits;
}
const Diagnostics& Matcher::diagnostics() const {
    return m_impl->diag;
}
std::size_t Matcher::live_keys() const {
    return m_impl->states.size();
}
std::size_t Matcher::live_partials() const {
    return m_impl->live_partials();
}

}  // namespace attest::eql
