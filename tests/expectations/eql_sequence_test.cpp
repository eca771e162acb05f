// Sequence and sample semantics (shared/spec/eql.md "Sequences").
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

// Events: id = seconds after the base time; category "a"/"b"/"c" ...; host h1 unless given.
Event e(int id, const std::string& cat, const std::string& host = "h1", const std::string& extra = "") {
    std::string x = "\"host\":{\"name\":\"" + host + "\"}";
    if (!extra.empty()) x += "," + extra;
    return tev(id, cat, x);
}

TEST(EqlSequence, NewestCandidateWins) {
    EXPECT_EQ(run("sequence [a where true] [b where true]", {e(1, "a"), e(2, "a"), e(3, "b")}), "[2,3]");
}

TEST(EqlSequence, OnePendingMatchPerStage) {
    EXPECT_EQ(run("sequence [a where true] [b where true]", {e(1, "a"), e(2, "b"), e(3, "b"), e(4, "b")}), "[1,2]");
}

TEST(EqlSequence, ChainOfEventsMatchingEveryStage) {
    EXPECT_EQ(run("sequence [any where true] [any where true]", {e(1, "x"), e(2, "x"), e(3, "x"), e(4, "x")}),
              "[1,2] [2,3] [3,4]");
}

TEST(EqlSequence, JoinsByKey) {
    std::vector<Event> events = {e(1, "a", "h1"), e(2, "a", "h2"), e(3, "b", "h2"), e(4, "b", "h1"), e(5, "b", "h3")};
    // Completion order: h2's sequence ends first (eql_elasticsearch_test covers the order).
    EXPECT_EQ(run("sequence by host.name [a where true] [b where true]", events), "[2,3] [1,4]");
    // Per-term keys: the same key value under different field names.
    std::vector<Event> per_term = {e(1, "a", "h1", "\"x\":\"k\""), e(2, "b", "h1", "\"y\":\"k\""), e(3, "b", "h1", "\"y\":\"z\"")};
    EXPECT_EQ(run("sequence [a where true] by x [b where true] by y", per_term), "[1,2]");
}

TEST(EqlSequence, JoinKeysAreReported) {
    auto q = must_compile("sequence by host.name [a where true] by id2 [b where true] by id2");
    Matcher m(q);
    m.feed(e(1, "a", "h1", "\"id2\":7"));
    m.feed(e(2, "b", "h1", "\"id2\":7"));
    m.finish();
    ASSERT_EQ(m.hits().size(), 1u);
    ASSERT_EQ(m.hits()[0].join_keys.size(), 2u);
    EXPECT_EQ(m.hits()[0].join_keys[0], Value("h1"));
    EXPECT_EQ(m.hits()[0].join_keys[1], Value(7));
}

TEST(EqlSequence, MaxspanAllowsAnExactlyEqualGap) {
    std::string q = "sequence with maxspan=5s [a where true] [b where true]";
    EXPECT_EQ(run(q, {e(10, "a"), e(15, "b")}), "[10,15]");
    EXPECT_EQ(run(q, {e(10, "a"), e(16, "b")}), "");
    EXPECT_EQ(run("sequence with maxspan=5000ms [a where true] [b where true]", {e(10, "a"), e(15, "b")}), "[10,15]");
    EXPECT_EQ(run("sequence with maxspan=1m [a where true] [b where true] [c where true]", {e(0, "a"), e(30, "b"), e(61, "c")}), "");
}

TEST(EqlSequence, MaxspanMeasuredFromTheFirstEvent) {
    EXPECT_EQ(run("sequence with maxspan=10s [a where true] [b where true] [c where true]",
                  {e(0, "a"), e(6, "b"), e(11, "c")}), "");
    EXPECT_EQ(run("sequence with maxspan=10s [a where true] [b where true] [c where true]",
                  {e(0, "a"), e(6, "b"), e(10, "c")}), "[0,6,10]");
}

TEST(EqlSequence, EpochMillisecondTimestamps) {
    std::vector<Event> events = {ev(R"({"id":1,"@timestamp":1000,"event":{"category":"a"}})"),
                                 ev(R"({"id":2,"@timestamp":3000,"event":{"category":"b"}})")};
    EXPECT_EQ(run("sequence with maxspan=2s [a where true] [b where true]", events), "[1,2]");
    EXPECT_EQ(run("sequence with maxspan=1999ms [a where true] [b where true]", events), "");
}

TEST(EqlSequence, UntilCancelsPartialMatches) {
    std::string q = "sequence by host.name [a where true] [b where true] until [c where true]";
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "c"), e(3, "b")}), "");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "c", "h2"), e(3, "b")}), "[1,3]");  // other key
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "c"), e(3, "a"), e(4, "b")}), "[3,4]");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "b"), e(3, "c")}), "[1,2]");  // already complete
}

TEST(EqlSequence, Runs) {
    std::string q = "sequence [a where true] with runs=3 [b where true]";
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "a"), e(3, "b")}), "");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "a"), e(3, "a"), e(4, "b")}), "[1,2,3,4]");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "a"), e(3, "a"), e(4, "a"), e(5, "b")}), "[2,3,4,5]");
}

TEST(EqlSequence, MissingEventInTheMiddle) {
    std::string q = "sequence by host.name with maxspan=1m [a where true] ![m where true] [b where true]";
    EXPECT_EQ(run(q, {e(1, "a"), e(3, "b")}), "[1,_,3]");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "m"), e(3, "b")}), "");
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "m", "h2"), e(3, "b")}), "[1,_,3]");  // other key
    EXPECT_EQ(run(q, {e(1, "a"), e(2, "m"), e(3, "a"), e(4, "b")}), "[3,_,4]");
}

TEST(EqlSequence, MissingEventAtTheEnd) {
    std::string q = "sequence by host.name with maxspan=10s [a where true] ![m where true]";
    EXPECT_EQ(run(q, {e(1, "a")}), "[1,_]");
    EXPECT_EQ(run(q, {e(1, "a"), e(5, "m")}), "");
    EXPECT_EQ(run(q, {e(1, "a"), e(11, "m")}), "");   // the window includes first + maxspan
    EXPECT_EQ(run(q, {e(1, "a"), e(12, "m")}), "[1,_]");  // outside the window
    EXPECT_EQ(run(q, {e(1, "a"), e(5, "m", "h2")}), "[1,_]");
}

TEST(EqlSequence, MissingEventAtTheStart) {
    std::string q = "sequence by host.name with maxspan=10s ![m where true] [a where true] [b where true]";
    EXPECT_EQ(run(q, {e(5, "a"), e(6, "b")}), "[_,5,6]");
    EXPECT_EQ(run(q, {e(1, "m"), e(5, "a"), e(6, "b")}), "");
    EXPECT_EQ(run(q, {e(1, "m"), e(15, "a"), e(16, "b")}), "[_,15,16]");  // m too long before
    EXPECT_EQ(run(q, {e(1, "m", "h2"), e(5, "a"), e(6, "b")}), "[_,5,6]");
}

TEST(EqlSequence, MultiValuedJoinKeysExpand) {
    std::vector<Event> events = {tev(1, "a", R"("k":["x","y"])"), tev(2, "b", R"("k":"y")"), tev(3, "b", R"("k":"x")")};
    EXPECT_EQ(run("sequence by k [a where true] [b where true]", events), "[1,2] [1,3]");
}

TEST(EqlSequence, NullKeysDoNotJoinUnlessOptional) {
    std::vector<Event> events = {tev(1, "a"), tev(2, "b")};
    EXPECT_EQ(run("sequence by k [a where true] [b where true]", events), "");
    EXPECT_EQ(run("sequence by ?k [a where true] [b where true]", events), "[1,2]");
}

TEST(EqlSequence, OneTermSequence) {
    std::vector<Event> events = {e(1, "a"), e(2, "b"), e(3, "a", "h2")};
    EXPECT_EQ(run("sequence by host.name with maxspan=5m [a where true]", events), "[1] [3]");
}

TEST(EqlSequence, HeadAndTail) {
    std::vector<Event> events = {e(1, "a"), e(2, "b"), e(3, "a"), e(4, "b"), e(5, "a"), e(6, "b")};
    EXPECT_EQ(run("sequence [a where true] [b where true] | head 2", events), "[1,2] [3,4]");
    EXPECT_EQ(run("sequence [a where true] [b where true] | tail 1", events), "[5,6]");
}

TEST(EqlSequence, ExpiredPartialsAreEvicted) {
    auto q = must_compile("sequence by k with maxspan=1s [a where true] [b where true]");
    Matcher m(q);
    for (int i = 0; i < 100000; ++i)
        m.feed(ev("{\"@timestamp\":" + std::to_string(i * 10) + ",\"event\":{\"category\":\"a\"},\"k\":" + std::to_string(i) + "}"));
    // 1 s of 10 ms events is about 100 live keys; eviction keeps the map near that, not 100000.
    EXPECT_LT(m.live_keys(), 5000u);
    EXPECT_GE(m.live_partials(), 100u);
}

TEST(EqlSample, OneSamplePerKeyOrderIgnored) {
    std::vector<Event> events = {e(1, "b", "h1"), e(2, "a", "h2"), e(3, "a", "h1"), e(4, "a", "h1"), e(5, "c", "h3")};
    EXPECT_EQ(run("sample by host.name [a where true] [b where true]", events), "[3,1]");
}

}  // namespace
}  // namespace attest::eql::test
