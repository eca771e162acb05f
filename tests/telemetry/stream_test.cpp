#include "telemetry/stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace attest::telemetry {
namespace {

namespace fs = std::filesystem;

// A scratch directory with NDJSON inputs, removed at the end.
class StreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/attest_stream_XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        fs::create_directories(m_dir / "spill");
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& text) {
        auto p = m_dir / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
    // One NDJSON event with an id and a timestamp (absent when ts is empty).
    static std::string event(int id, const std::string& ts) {
        std::string s = "{\"id\":" + std::to_string(id);
        if (!ts.empty()) s += ",\"@timestamp\":" + ts;
        return s + ",\"event\":{\"dataset\":\"test\"}}\n";
    }
    // n seconds after 2024-03-01T00:00:00Z (n < 3600).
    static std::string stamp(int n) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "\"2024-03-01T00:%02d:%02dZ\"", n / 60, n % 60);
        return buf;
    }
    static std::string at(int second) {
        return "\"2024-03-01T00:00:" + std::string(second < 10 ? "0" : "") +
               std::to_string(second) + "Z\"";
    }

    struct Result {
        std::vector<std::int64_t> ids;
        StreamStats stats;
        int restarts = 0;
    };
    Result run(const std::vector<std::string>& files, StreamOptions options,
               DiagnosticSink* sink = nullptr) {
        DiagnosticSink own;
        Result r;
        Stream s(Stream::files(files, options), sink ? *sink : own, options);
        r.stats =
            s.run([&](std::shared_ptr<Event>& e) { r.ids.push_back(e->find("id")->as_int()); },
                  [&] {
                      ++r.restarts;
                      r.ids.clear();
                  });
        return r;
    }
    StreamOptions small() const {
        StreamOptions o;
        o.reorder_window = 2;
        o.memory_budget = 300;  // a handful of events per run: several runs to merge
        o.spill_dir = (m_dir / "spill").string();
        return o;
    }

    fs::path m_dir;
};

// Two overlapping exports of one Windows log: a record (channel, host, record id) delivered by
// one input is not counted again from the other, but identical records within one input (a
// dataset that holds them) all count.
TEST_F(StreamTest, RecordsExportedTwiceCountOnce) {
    auto rec = [](int id, int record, const std::string& host, const std::string& ts) {
        return "{\"id\":" + std::to_string(id) + ",\"@timestamp\":" + ts +
               ",\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"record_id\":" +
               std::to_string(record) + ",\"computer_name\":\"" + host + "\"}}\n";
    };
    std::string a = write("a.ndjson", rec(1, 100, "WS1", at(1)) + rec(2, 101, "WS1", at(2)) +
                                          rec(3, 101, "WS1", at(2)));
    std::string b =
        write("b.ndjson", rec(4, 101, "ws1.lab.local", at(2)) + rec(5, 102, "WS1", at(3)));
    Result r = run({a, b}, {});
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{1, 2, 3, 5}));
    EXPECT_EQ(r.stats.duplicates, 1u);
    EXPECT_EQ(r.stats.events, 4u);
    Result sorted = run({a, b}, small());
    EXPECT_EQ(sorted.stats.duplicates, 1u);
}

TEST_F(StreamTest, InOrderInputsAreMergedWithoutSorting) {
    std::string a = write("a.ndjson", event(1, at(1)) + event(3, at(3)) + event(5, at(5)));
    std::string b = write("b.ndjson", event(2, at(2)) + event(4, at(4)) + event(6, at(6)));
    auto r = run({a, b}, small());
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(r.restarts, 0);
    EXPECT_FALSE(r.stats.sorted);
    EXPECT_EQ(r.stats.spilled_runs, 0u);
    EXPECT_EQ(r.stats.files, 2u);
    EXPECT_EQ(r.stats.events, 6u);
    EXPECT_EQ(r.stats.per_source.at("ndjson"), 6u);
}

// Delivered events are destroyed on their input's decoding thread; one the consumer keeps
// stays whole after the stream is gone, and may be released from any thread then (run under
// ASan in CI).
TEST_F(StreamTest, KeptEventsOutliveTheStream) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += event(i, stamp(i % 3600));
    std::string a = write("a.ndjson", text);
    std::vector<std::shared_ptr<Event>> kept;
    std::uint64_t seen = 0;
    {
        DiagnosticSink sink;
        Stream s(Stream::files({a}, {}), sink, {});
        s.run(
            [&](std::shared_ptr<Event>& e) {
                if (++seen % 7 == 0) kept.push_back(e);
            },
            [&] {
                kept.clear();
                seen = 0;
            });
    }
    ASSERT_EQ(seen, 2000u);
    ASSERT_EQ(kept.size(), 2000u / 7);
    for (std::size_t k = 0; k < kept.size(); ++k)
        EXPECT_EQ(kept[k]->find("id")->as_int(), static_cast<std::int64_t>(7 * (k + 1) - 1));
    std::thread([&] { kept.clear(); }).join();
    EXPECT_TRUE(kept.empty());
}

TEST_F(StreamTest, DisorderWithinTheWindowIsFixedInPlace) {
    std::string a = write("a.ndjson", event(2, at(2)) + event(1, at(1)) + event(3, at(3)));
    auto r = run({a}, small());
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(r.restarts, 0);
    EXPECT_EQ(r.stats.out_of_order, 1u);
}

// Shuffled input beyond the window: the consumer starts over once and gets every event in
// order, through runs spilled to disk; the spill directory is gone afterwards.
TEST_F(StreamTest, ShuffledInputIsSortedThroughSpilledRuns) {
    for (unsigned seed : {1u, 2u, 3u}) {
        std::vector<int> ids(200);
        for (int i = 0; i < 200; ++i) ids[i] = i;
        std::shuffle(ids.begin(), ids.end(), std::mt19937(seed));
        std::string a, b;
        for (std::size_t i = 0; i < ids.size(); ++i)
            (i % 2 ? a : b) += event(ids[i], stamp(ids[i]));
        auto r = run({write("a.ndjson", a), write("b.ndjson", b)}, small());
        std::vector<std::int64_t> want(200);
        for (int i = 0; i < 200; ++i) want[i] = i;
        EXPECT_EQ(r.ids, want) << "seed " << seed;
        EXPECT_EQ(r.restarts, 1);
        EXPECT_TRUE(r.stats.sorted);
        EXPECT_GT(r.stats.spilled_runs, 3u);
        EXPECT_EQ(r.stats.events, 200u);
        EXPECT_GT(r.stats.out_of_order, 0u);
        EXPECT_TRUE(fs::is_empty(m_dir / "spill"));
    }
}

// Ties: input order decides, the same way whether the stream sorted or merged in place.
TEST_F(StreamTest, SortedAndMergedOrdersAgree) {
    std::string a = write(
        "a.ndjson", event(10, at(5)) + event(11, at(1)) + event(12, at(5)) + event(13, at(3)));
    std::string b = write("b.ndjson", event(20, at(5)) + event(21, at(3)) + event(22, at(9)));
    StreamOptions wide = small();
    wide.reorder_window = 100;
    wide.memory_budget = 1 << 20;
    auto merged = run({a, b}, wide);
    auto sorted = run({a, b}, small());
    EXPECT_EQ(merged.restarts, 0);
    EXPECT_EQ(sorted.restarts, 1);
    EXPECT_EQ(merged.ids, (std::vector<std::int64_t>{11, 13, 21, 10, 12, 20, 22}));
    EXPECT_EQ(sorted.ids, merged.ids);
}

// One rule for untimed events: after every timed event, in input order, counted by kind.
TEST_F(StreamTest, UntimedEventsComeLastInInputOrder) {
    std::string a = write("a.ndjson", event(1, "") + event(2, at(2)) + event(3, "\"yesterday\""));
    std::string b = write("b.ndjson", event(4, at(1)) + event(5, ""));
    for (std::size_t window : {std::size_t(1), std::size_t(100)}) {
        StreamOptions o = small();
        o.reorder_window = window;
        auto r = run({a, b}, o);
        EXPECT_EQ(r.ids, (std::vector<std::int64_t>{4, 2, 1, 3, 5})) << window;
        EXPECT_EQ(r.stats.untimed, 3u);
        EXPECT_EQ(r.stats.untimed_absent, 2u);
        EXPECT_EQ(r.stats.first_absent, a + ": event 1");
        EXPECT_EQ(r.stats.first_unusable, a + ": event 3 has @timestamp \"yesterday\"");
    }
}

TEST_F(StreamTest, EpochMillisecondsAreTimes) {
    std::string a = write("a.ndjson", event(2, "1700000000500") + event(1, "\"1700000000000\"") +
                                          event(3, "1700000001000.5"));
    auto r = run({a}, small());
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(r.stats.untimed, 0u);
}

TEST_F(StreamTest, TiebreakerOrdersEqualTimestamps) {
    std::string a = write("a.ndjson", "{\"id\":1,\"@timestamp\":" + at(1) +
                                          ",\"seq\":3}\n{\"id\":2,\"@timestamp\":" + at(1) +
                                          ",\"seq\":1}\n{\"id\":3,\"@timestamp\":" + at(1) +
                                          "}\n{\"id\":4,\"@timestamp\":" + at(1) + ",\"seq\":2}\n");
    StreamOptions o = small();
    o.tiebreaker_field = "seq";
    auto r = run({a}, o);
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{2, 4, 1, 3}));  // missing tiebreaker last
}

// A bad record is reported once even though the stream read the file twice.
TEST_F(StreamTest, DiagnosticsAreNotRepeatedAfterStartingOver) {
    std::string a = write("a.ndjson", event(3, at(3)) + "{broken\n" + event(2, at(2)) +
                                          event(1, at(1)) + event(0, at(0)));
    DiagnosticSink sink;
    auto r = run({a}, small(), &sink);
    EXPECT_EQ(r.restarts, 1);
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(sink.error_count(), 1u);
    EXPECT_EQ(r.stats.skipped_records, 1u);
}

TEST_F(StreamTest, UnreadableInputsAreListedAndTheOthersRead) {
    std::string a = write("a.ndjson", event(1, at(1)));
    auto r = run(
        {a, (m_dir / "missing.ndjson").string(), write("junk.bin", std::string("\x01\x02\x03", 3))},
        small());
    EXPECT_EQ(r.ids, (std::vector<std::int64_t>{1}));
    ASSERT_EQ(r.stats.unreadable.size(), 2u);
    EXPECT_NE(r.stats.unreadable[0].find("missing.ndjson: cannot open"), std::string::npos)
        << r.stats.unreadable[0];
    EXPECT_NE(r.stats.unreadable[1].find("cannot tell the format"), std::string::npos)
        << r.stats.unreadable[1];
}

TEST_F(StreamTest, MemoryInputsReplayEventsKeptFromEarlierReads) {
    auto kept = std::make_shared<std::vector<Event>>();
    for (int i : {7, 8}) {
        Event e = Value::object();
        e.set_key("id", Value(std::int64_t(i)));
        e.set_key("@timestamp", Value(i == 7 ? "2024-03-01T00:00:04Z" : "2024-03-01T00:00:06Z"));
        kept->push_back(e);
    }
    std::vector<StreamInput> inputs = Stream::files({write("a.ndjson", event(1, at(5)))}, {});
    inputs.push_back(memory_input("earlier", "auditd", kept));
    DiagnosticSink sink;
    std::vector<std::int64_t> ids;
    Stream s(std::move(inputs), sink);
    auto stats =
        s.run([&](std::shared_ptr<Event>& e) { ids.push_back(e->find("id")->as_int()); }, [] {});
    EXPECT_EQ(ids, (std::vector<std::int64_t>{7, 1, 8}));
    EXPECT_EQ(stats.per_source.at("auditd"), 2u);
}

}  // namespace
}  // namespace attest::telemetry
