// Elasticsearch EQL, evaluated locally (shared/spec/eql.md).
//
// CONTRACT used by the expectations engine (expectations/) and `attest query`. The EQL module
// owns the implementation and may extend this API, but these names keep working.
//
//   auto q = eql::compile(text, "rule.eql", {});        // parse, check, compile
//   if (!q) { /* q.error().message: "rule.eql:3:17: expected ']' ...\n<line>\n<caret>" */ }
//   eql::Matcher m(*q, {.collect_diagnostics = true});
//   for each event (in timestamp order): m.feed(event);   // events are copied only if kept
//                                                          // (or shared: feed(shared_ptr))
//   m.finish();
//   for (auto& hit : m.hits()) ...                         // Elasticsearch's order
//   if (m.hits().empty()) m.diagnostics() ...              // per-clause counts, near misses
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/value.h"

namespace attest::eql {

class FieldTypes;  // field_types.h

struct QueryOptions {
    std::string category_field = "event.category";
    std::string timestamp_field = "@timestamp";
    std::string tiebreaker_field;  // empty: none
    // Field types (an index mapping); null: ECS types. Date and version fields compare by
    // type, `null_value` defaults apply, and with a mapping a `?field` the index does not have
    // is planned as a null literal, as Elasticsearch plans it.
    std::shared_ptr<const FieldTypes> types;
    // The evaluation time for date math (`now-5m` in KQL); none: the time of compiling.
    std::optional<std::int64_t> now_ns;
};

class Query;  // compiled form; immutable, shareable between threads

// Parses, checks and compiles. Errors name origin:line:column and carry the source line and a
// caret (the message holds all three lines).
Expected<std::shared_ptr<const Query>> compile(std::string_view text, std::string_view origin,
                                               const QueryOptions& options);

enum class QueryKind { Event, Sequence, Sample };
QueryKind query_kind(const Query& q);
std::string_view query_text(const Query& q);

// One result. For an event query: one event. For a sequence: one event per term, with
// `missing` set for a missing-event term (its event is null). Events are shared, not copied
// per hit.
struct Hit {
    std::vector<std::shared_ptr<const Event>> events;  // nullptr for a missing-event term
    std::vector<Value> join_keys;                      // empty for event queries
};

// Why a query matched nothing: per clause of the (first unmatched) term, how many events of
// the term's category satisfied it, and near misses (events that satisfied all but one
// clause), naming that clause.
struct ClauseCount {
    std::string clause;  // source text of the clause
    std::uint64_t satisfied = 0;
};
struct NearMiss {
    std::shared_ptr<const Event> event;
    std::string failed_clause;  // source text of the one clause it failed
    std::size_t term = 0;       // term index for sequences
};
// Per written term (runs not expanded; `until` not included).
struct TermDiagnostics {
    std::size_t term = 0;
    std::string category;               // empty for `any`
    std::string text;                   // the term's filter as written
    std::uint64_t category_events = 0;  // events of the term's category seen
    std::uint64_t matched = 0;          // events that satisfied the whole filter
    std::vector<ClauseCount> clauses;
    std::vector<NearMiss> near_misses;  // capped (MatcherOptions::max_near_misses)
};
struct Diagnostics {
    // The first term no event satisfied (or the last term when every term had events but no
    // sequence joined): its figures, repeated from `terms` for convenience.
    std::size_t term = 0;
    std::uint64_t category_events = 0;  // events of the term's category seen
    std::vector<ClauseCount> clauses;
    std::vector<NearMiss> near_misses;  // capped (MatcherOptions::max_near_misses)
    std::vector<TermDiagnostics> terms; // every term
    std::uint64_t events = 0;           // events fed
};

struct MatcherOptions {
    bool collect_diagnostics = false;
    std::size_t max_near_misses = 5;
    std::optional<std::size_t> size_limit;  // none by default (no default size limit)
    // Event queries without pipes: hits after the first max_hit_events carry no events (they
    // are counted, not kept). None by default.
    std::optional<std::size_t> max_hit_events;
};

// Streaming evaluation: feed events in timestamp/tiebreaker order; memory depends on live
// partial matches, not on input size.
class Matcher {
public:
    Matcher(std::shared_ptr<const Query> query, MatcherOptions options = {});
    ~Matcher();
    Matcher(Matcher&&) noexcept;
    Matcher& operator=(Matcher&&) noexcept;

    void feed(const Event& event);
    // The same, for a caller that owns its events: an event kept (hit, partial match, near
    // miss) is shared instead of copied. The event must not be modified afterwards.
    void feed(const std::shared_ptr<const Event>& event);
    // The same for an event that lives (unmodified) as long as `owner` does, e.g. an element
    // of a vector that `owner` holds: kept events alias `owner`, and nothing is copied or
    // reference-counted for the events that are not kept.
    void feed(const Event& event, const std::shared_ptr<const void>& owner);
    void finish();
    const std::vector<Hit>& hits() const;
    const Diagnostics& diagnostics() const;

    // Live state, for memory checks: join keys with pending partial matches and the partial
    // matches themselves.
    std::size_t live_keys() const;
    std::size_t live_partials() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace attest::eql
