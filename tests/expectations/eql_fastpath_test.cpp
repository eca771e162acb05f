// The matcher's fast paths give the answers of the straightforward ones: shared feeding
// against copying; diagnostics' cached filter verdicts against a matcher without diagnostics.
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

std::vector<Event> mixed_events() {
    std::vector<Event> out;
    for (int i = 0; i < 40; ++i) {
        std::string extra = "\"host\":{\"name\":\"h" + std::to_string(i % 3) + "\"},\"process\":{\"name\":\"" +
                            (i % 4 == 0 ? "cmd.exe" : "other.exe") + "\",\"entity_id\":\"e" + std::to_string(i % 5) + "\"}";
        out.push_back(tev(i, i % 2 ? "file" : "process", extra));
    }
    return out;
}

std::string run_with(const std::string& q, const std::vector<Event>& events, bool shared, bool diagnostics) {
    auto query = must_compile(q);
    if (!query) return "<error>";
    MatcherOptions options;
    options.collect_diagnostics = diagnostics;
    Matcher m(query, options);
    std::vector<std::shared_ptr<const Event>> owned;
    for (const auto& e : events) {
        if (shared) {
            owned.push_back(std::make_shared<const Event>(e));
            m.feed(owned.back());
        } else {
            m.feed(e);
        }
    }
    m.finish();
    return describe(m.hits(), query_kind(*query) != QueryKind::Event);
}

TEST(FastPaths, SharedFeedingAndDiagnosticsGiveTheSameHits) {
    auto events = mixed_events();
    const char* queries[] = {
        "process where process.name == \"cmd.exe\"",
        "sequence by host.name [process where process.name : \"CMD.EXE\"] [file where true]",
        "sequence by host.name with maxspan=20s [process where true] by process.entity_id [file where true] by process.entity_id",
        "sequence by host.name with maxspan=20s [process where true] ![file where process.name == \"cmd.exe\"] [file where true]",
        "sequence [process where true] with runs=2 [file where process.name != \"cmd.exe\"]",
        "sample by host.name [process where true] [file where true]",
        "sequence by host.name [process where process.name == \"cmd.exe\"] [file where true] until [process where process.name == \"other.exe\"]",
    };
    for (const char* q : queries) {
        std::string plain = run_with(q, events, false, false);
        EXPECT_NE(plain, "") << q;
        EXPECT_EQ(run_with(q, events, true, false), plain) << q;
        EXPECT_EQ(run_with(q, events, false, true), plain) << q;
        EXPECT_EQ(run_with(q, events, true, true), plain) << q;
    }
}

TEST(FastPaths, SharedEventsAreKeptNotCopied) {
    auto query = must_compile("process where true");
    MatcherOptions options;
    options.collect_diagnostics = true;
    Matcher m(query, options);
    auto e = std::make_shared<const Event>(tev(1, "process"));
    m.feed(e);
    m.finish();
    ASSERT_EQ(m.hits().size(), 1u);
    EXPECT_EQ(m.hits()[0].events[0].get(), e.get());
}

TEST(FastPaths, HitsBeyondMaxHitEventsAreCountedWithoutEvents) {
    auto query = must_compile("process where true");
    MatcherOptions options;
    options.max_hit_events = 2;
    Matcher m(query, options);
    for (int i = 0; i < 5; ++i) m.feed(tev(i, "process"));
    m.finish();
    ASSERT_EQ(m.hits().size(), 5u);
    EXPECT_EQ(describe({m.hits().begin(), m.hits().begin() + 2}, false), "0 1");
    EXPECT_TRUE(m.hits()[2].events.empty());
    EXPECT_TRUE(m.hits()[4].events.empty());
}

}  // namespace
}  // namespace attest::eql::test
