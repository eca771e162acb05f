// Evaluating a Sigma rule set: plain rules through eql::Matcher, correlations over the same
// per-event filter results with bounded state per group key.
//
// event_count / value_count with only lower bounds (gt, gte) use a sliding window: a group
// fires as soon as its window holds enough, then starts afresh, so its state never exceeds the
// threshold. With an upper bound (lt, lte, eq) the count is only known when the window ends:
// windows then tumble from each group's first event and are judged when they close. Groups
// whose window has passed are swept, so memory follows the live groups, not the input.
#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <unordered_map>

#include "expectations/sigma/internal.h"

namespace attest::sigma {

using namespace detail;

namespace {

bool filter_matches(const eql::Query& q, const Event& e) {
    const auto& f = q.terms[0].filter;
    return eql::detail::category_matches(q, f, e) && f.condition->test(e);
}

bool holds(const std::vector<std::pair<CountOp, std::int64_t>>& cond, std::int64_t n) {
    for (const auto& [op, v] : cond) {
        bool ok = op == CountOp::Gt    ? n > v
                  : op == CountOp::Gte ? n >= v
                  : op == CountOp::Lt  ? n < v
                  : op == CountOp::Lte ? n <= v
                                       : n == v;
        if (!ok) return false;
    }
    return true;
}

bool lower_bounds_only(const std::vector<std::pair<CountOp, std::int64_t>>& cond) {
    return std::all_of(cond.begin(), cond.end(), [](const auto& c) {
        return c.first == CountOp::Gt || c.first == CountOp::Gte;
    });
}

// The smallest count the lower bounds need (the sliding window's capacity).
std::int64_t threshold(const std::vector<std::pair<CountOp, std::int64_t>>& cond) {
    std::int64_t t = 1;
    for (const auto& [op, v] : cond) t = std::max(t, op == CountOp::Gt ? v + 1 : v);
    return t;
}

// How many distinct values an upper-bounded value_count must remember to decide.
std::size_t distinct_cap(const std::vector<std::pair<CountOp, std::int64_t>>& cond) {
    std::int64_t cap = 1;
    for (const auto& [op, v] : cond) cap = std::max(cap, v + 2);
    return static_cast<std::size_t>(std::min<std::int64_t>(cap, 1 << 20));
}

struct Group {
    std::vector<Value> key;
    std::int64_t start = 0;  // tumbling window start
    std::deque<std::pair<std::int64_t, std::shared_ptr<const Event>>>
        events;  // evidence / sliding window
    std::uint64_t count = 0;
    std::map<std::string, std::int64_t> values;  // value_count: value -> last seen
    std::vector<std::optional<std::pair<std::int64_t, std::shared_ptr<const Event>>>>
        slots;  // temporal
    std::vector<std::optional<std::pair<std::int64_t, std::vector<std::shared_ptr<const Event>>>>>
        chain;  // ordered
    std::int64_t last = 0;
};

class CorrelationState {
public:
    CorrelationState(const RuleSet& set, std::size_t rule, const MatcherOptions& options)
        : m_rule(rule), m_c(*set.rules[rule].correlation), m_options(options) {
        for (const auto& g : m_c.group_by) m_group_fields.push_back(field_ref(g));
        if (!m_c.field.empty()) m_value_field = field_ref(m_c.field);
        m_sliding = lower_bounds_only(m_c.condition);
    }

    // `matched[i]`: whether input i (m_c.rule_index[i]) matched the event.
    void feed(const Event& e, std::int64_t ts, const std::vector<char>& matched,
              std::vector<Hit>& out) {
        if (++m_fed % 4096 == 0) sweep(ts, out);
        if (std::none_of(matched.begin(), matched.end(), [](char c) { return c != 0; })) return;
        std::string enc;
        std::vector<Value> key;
        for (const auto& f : m_group_fields) {
            const Value* v = f.resolve(e);
            key.push_back(v ? *v : Value());
            enc += key.back().to_json();
            enc += '\x1f';
        }
        auto [it, fresh] = m_groups.try_emplace(enc);
        Group& g = it->second;
        if (fresh) {
            g.key = std::move(key);
            g.start = ts;
        }
        g.last = ts;
        switch (m_c.type) {
            case CorrelationType::EventCount:
            case CorrelationType::ValueCount:
                count(g, e, ts, out);
                break;
            case CorrelationType::Temporal:
                temporal(g, e, ts, matched, out);
                break;
            case CorrelationType::TemporalOrdered:
                ordered(g, e, ts, matched, out);
                break;
        }
        if (g.events.empty() && g.values.empty() && g.count == 0 && empty_slots(g))
            m_groups.erase(it);
    }

    void finish(std::vector<Hit>& out) {
        sweep(std::numeric_limits<std::int64_t>::max(), out);
        m_groups.clear();
    }

    std::size_t live() const { return m_groups.size(); }

private:
    static bool empty_slots(const Group& g) {
        return std::none_of(g.slots.begin(), g.slots.end(),
                            [](const auto& s) { return s.has_value(); }) &&
               std::none_of(g.chain.begin(), g.chain.end(),
                            [](const auto& s) { return s.has_value(); });
    }

    std::shared_ptr<const Event> keep(const Event& e) { return std::make_shared<const Event>(e); }

    void emit(Group& g, std::vector<std::shared_ptr<const Event>> events, std::vector<Hit>& out) {
        if (events.size() > m_options.max_events_per_hit)
            events.resize(m_options.max_events_per_hit);
        out.push_back(Hit{m_rule, std::move(events), g.key});
    }

    void reset(Group& g) {
        g.events.clear();
        g.values.clear();
        g.count = 0;
        for (auto& s : g.slots) s.reset();
        for (auto& s : g.chain) s.reset();
    }

    std::string value_of(const Event& e) const {
        const Value* v = m_value_field.resolve(e);
        return v == nullptr || v->is_null() ? std::string() : v->to_json();
    }

    void count(Group& g, const Event& e, std::int64_t ts, std::vector<Hit>& out) {
        bool values = m_c.type == CorrelationType::ValueCount;
        std::string value = values ? value_of(e) : std::string();
        if (values && value.empty()) return;  // no value: nothing to count
        if (m_sliding) {
            std::int64_t from = ts - m_c.timespan_ns;
            while (!g.events.empty() && g.events.front().first < from) g.events.pop_front();
            std::erase_if(g.values, [from](const auto& kv) { return kv.second < from; });
            g.events.emplace_back(ts, keep(e));
            if (values) g.values[value] = ts;
            std::int64_t n = values ? static_cast<std::int64_t>(g.values.size())
                                    : static_cast<std::int64_t>(g.events.size());
            // Without a value to count, the window holds the last `threshold` events at most.
            if (!values && g.events.size() > static_cast<std::size_t>(threshold(m_c.condition)))
                g.events.pop_front();
            if (values && g.events.size() > m_options.max_events_per_hit) g.events.pop_front();
            if (holds(m_c.condition, n)) {
                std::vector<std::shared_ptr<const Event>> ev;
                for (auto& [t, p] : g.events) ev.push_back(p);
                emit(g, std::move(ev), out);
                reset(g);
            }
            return;
        }
        if (ts - g.start > m_c.timespan_ns) {  // the window ended: judge it, start another
            close(g, out);
            g.start = ts;
        }
        ++g.count;
        if (g.events.size() < m_options.max_events_per_hit) g.events.emplace_back(ts, keep(e));
        if (values && g.values.size() < distinct_cap(m_c.condition)) g.values.emplace(value, ts);
    }

    void close(Group& g, std::vector<Hit>& out) {
        if (g.count > 0 || !g.values.empty()) {
            std::int64_t n = m_c.type == CorrelationType::ValueCount
                                 ? static_cast<std::int64_t>(g.values.size())
                                 : static_cast<std::int64_t>(g.count);
            if (holds(m_c.condition, n)) {
                std::vector<std::shared_ptr<const Event>> ev;
                for (auto& [t, p] : g.events) ev.push_back(p);
                emit(g, std::move(ev), out);
            }
        }
        reset(g);
    }

    void temporal(Group& g, const Event& e, std::int64_t ts, const std::vector<char>& matched,
                  std::vector<Hit>& out) {
        g.slots.resize(matched.size());
        std::shared_ptr<const Event> kept;
        for (std::size_t i = 0; i < matched.size(); ++i)
            if (matched[i]) {
                if (!kept) kept = keep(e);
                g.slots[i] = std::make_pair(ts, kept);
            }
        std::size_t filled = 0;
        for (auto& s : g.slots) {
            if (s && s->first < ts - m_c.timespan_ns) s.reset();
            filled += s.has_value();
        }
        std::int64_t need = m_c.condition.empty() ? static_cast<std::int64_t>(matched.size())
                                                  : threshold(m_c.condition);
        if (static_cast<std::int64_t>(filled) >= need) {
            std::vector<std::shared_ptr<const Event>> ev;
            for (auto& s : g.slots)
                if (s && (ev.empty() || ev.back() != s->second)) ev.push_back(s->second);
            emit(g, std::move(ev), out);
            reset(g);
        }
    }

    void ordered(Group& g, const Event& e, std::int64_t ts, const std::vector<char>& matched,
                 std::vector<Hit>& out) {
        const std::size_t n = matched.size();
        g.chain.resize(n);
        // Last stage first, so one event never advances a chain it just started.
        for (std::size_t i = n; i-- > 0;) {
            if (!matched[i]) continue;
            if (i == 0) {
                g.chain[0] = std::make_pair(ts, std::vector<std::shared_ptr<const Event>>{keep(e)});
            } else if (g.chain[i - 1] && ts - g.chain[i - 1]->first <= m_c.timespan_ns) {
                auto next = std::move(*g.chain[i - 1]);
                g.chain[i - 1].reset();
                next.second.push_back(keep(e));
                g.chain[i] = std::move(next);
            }
            if (i + 1 == n && g.chain[i]) {
                emit(g, std::move(g.chain[i]->second), out);
                reset(g);
                return;
            }
        }
    }

    void sweep(std::int64_t now, std::vector<Hit>& out) {
        for (auto it = m_groups.begin(); it != m_groups.end();) {
            Group& g = it->second;
            bool tumbling = !m_sliding && (m_c.type == CorrelationType::EventCount ||
                                           m_c.type == CorrelationType::ValueCount);
            // A tumbling window ends a timespan after it started; other state once it is stale.
            bool over = now == std::numeric_limits<std::int64_t>::max() ||
                        now - (tumbling ? g.start : g.last) > m_c.timespan_ns;
            if (tumbling && over) close(g, out);
            if (over)
                it = m_groups.erase(it);
            else
                ++it;
        }
    }

    std::size_t m_rule;
    const Correlation& m_c;
    MatcherOptions m_options;
    std::vector<FieldRef> m_group_fields;
    FieldRef m_value_field;
    bool m_sliding = true;
    std::uint64_t m_fed = 0;
    std::unordered_map<std::string, Group> m_groups;
};

}  // namespace

struct RuleSetMatcher::Impl {
    std::shared_ptr<const RuleSet> set;
    MatcherOptions options;
    std::vector<std::pair<std::size_t, eql::Matcher>> plain;  // (rule, matcher)
    std::vector<CorrelationState> correlations;
    std::vector<std::size_t> inputs;  // rules read by some correlation
    std::vector<std::vector<Hit>> per_rule;
    std::vector<Hit> hits;
    std::vector<char> input_matched;  // by rule index
    std::vector<std::uint64_t> input_counts;  // events each input rule matched, by rule index
    std::vector<char> scratch;

    void feed(const Event& e) {
        for (auto& [rule, m] : plain) m.feed(e);
        if (correlations.empty()) return;
        for (std::size_t i : inputs)
            input_counts[i] += input_matched[i] = filter_matches(*set->rules[i].query, e);
        std::int64_t ts = eql::detail::event_timestamp_ns(e, "@timestamp").value_or(0);
        for (auto& c : correlations) {
            const Correlation& corr = *set->rules[rule_of(c)].correlation;
            scratch.assign(corr.rule_index.size(), 0);
            for (std::size_t k = 0; k < corr.rule_index.size(); ++k)
                scratch[k] = input_matched[corr.rule_index[k]];
            c.feed(e, ts, scratch, per_rule[rule_of(c)]);
        }
    }
    std::vector<std::size_t> correlation_rules;
    std::size_t rule_of(const CorrelationState& c) const {
        return correlation_rules[static_cast<std::size_t>(&c - correlations.data())];
    }
};

RuleSetMatcher::RuleSetMatcher(std::shared_ptr<const RuleSet> set, MatcherOptions options)
    : m_impl(std::make_unique<Impl>()) {
    auto& d = *m_impl;
    d.set = std::move(set);
    d.options = options;
    const auto& rules = d.set->rules;
    d.per_rule.resize(rules.size());
    d.input_matched.assign(rules.size(), 0);
    d.input_counts.assign(rules.size(), 0);
    eql::MatcherOptions mo;
    mo.collect_diagnostics = options.collect_diagnostics;
    mo.max_near_misses = options.max_near_misses;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].query && rules[i].generate)
            d.plain.emplace_back(i, eql::Matcher(rules[i].query, mo));
        if (rules[i].correlation) {
            d.correlations.emplace_back(*d.set, i, options);
            d.correlation_rules.push_back(i);
            for (std::size_t k : rules[i].correlation->rule_index)
                if (std::find(d.inputs.begin(), d.inputs.end(), k) == d.inputs.end())
                    d.inputs.push_back(k);
        }
    }
}
RuleSetMatcher::~RuleSetMatcher() = default;
RuleSetMatcher::RuleSetMatcher(RuleSetMatcher&&) noexcept = default;
RuleSetMatcher& RuleSetMatcher::operator=(RuleSetMatcher&&) noexcept = default;

void RuleSetMatcher::feed(const Event& event) {
    m_impl->feed(event);
}

void RuleSetMatcher::finish() {
    auto& d = *m_impl;
    for (auto& [rule, m] : d.plain) {
        m.finish();
        for (const auto& h : m.hits()) d.per_rule[rule].push_back(Hit{rule, h.events, {}});
    }
    for (auto& c : d.correlations) c.finish(d.per_rule[d.rule_of(c)]);
    d.hits.clear();
    for (auto& hs : d.per_rule)
        for (auto& h : hs) d.hits.push_back(std::move(h));
    d.per_rule.assign(d.set->rules.size(), {});
}

const std::vector<Hit>& RuleSetMatcher::hits() const {
    return m_impl->hits;
}

std::vector<std::pair<std::size_t, eql::Diagnostics>> RuleSetMatcher::diagnostics() const {
    std::vector<std::pair<std::size_t, eql::Diagnostics>> out;
    for (const auto& [rule, m] : m_impl->plain) out.emplace_back(rule, m.diagnostics());
    return out;
}

std::uint64_t RuleSetMatcher::input_matches(std::size_t rule) const {
    return rule < m_impl->input_counts.size() ? m_impl->input_counts[rule] : 0;
}

std::size_t RuleSetMatcher::live_groups() const {
    std::size_t n = 0;
    for (const auto& c : m_impl->correlations) n += c.live();
    return n;
}

}  // namespace attest::sigma
