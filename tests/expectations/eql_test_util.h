// Helpers for the EQL tests: build events from JSON, run a query, describe hits by event ids.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "expectations/eql/eql.h"

namespace attest::eql::test {

inline Event ev(const std::string& json) { return parse_json_value(json); }

// Events with "id" and "@timestamp" = id seconds after a base, plus extra JSON members.
inline Event tev(int id, const std::string& category, const std::string& extra = "") {
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-01-01T00:%02d:%02d.000Z", id / 60, id % 60);
    std::string j = "{\"id\":" + std::to_string(id) + ",\"@timestamp\":\"" + ts + "\",\"event\":{\"category\":\"" +
                    category + "\"}";
    if (!extra.empty()) j += "," + extra;
    j += "}";
    return ev(j);
}

inline std::shared_ptr<const Query> must_compile(const std::string& q, QueryOptions o = {}) {
    auto r = compile(q, "test.eql", o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return nullptr;
    return *r;
}

inline std::string compile_error(const std::string& q) {
    auto r = compile(q, "rule.eql", {});
    if (r.ok()) return "<compiled>";
    return r.error().message;
}

// "[1,2] [3,4]" for sequences (missing terms as "_"), "1 2 3" for event queries.
inline std::string describe(const std::vector<Hit>& hits, bool sequence) {
    std::string out;
    for (const auto& h : hits) {
        if (!out.empty()) out += " ";
        if (sequence) out += "[";
        for (std::size_t i = 0; i < h.events.size(); ++i) {
            if (i) out += ",";
            if (!h.events[i]) {
                out += "_";
                continue;
            }
            const Value* id = h.events[i]->find("id");
            out += id ? id->to_json() : "?";
        }
        if (sequence) out += "]";
    }
    return out;
}

inline std::string run(const std::string& q, const std::vector<Event>& events, QueryOptions o = {}) {
    auto query = must_compile(q, o);
    if (!query) return "<error>";
    Matcher m(query);
    for (const auto& e : events) m.feed(e);
    m.finish();
    return describe(m.hits(), query_kind(*query) != QueryKind::Event);
}

// Does the event-query condition match one event?
inline bool matches(const std::string& condition, const std::string& event_json) {
    auto query = must_compile("any where " + condition);
    if (!query) return false;
    Matcher m(query);
    m.feed(ev(event_json));
    m.finish();
    return m.hits().size() == 1;
}

}  // namespace attest::eql::test
