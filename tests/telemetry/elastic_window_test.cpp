// The `elastic` acquisition against the Elasticsearch stand-in: a window paged with a point in
// time and search_after feeds the one time-ordered stream every event once and in order, with
// exactly the documented request bodies, and its documents read exactly as the same documents
// read from an ECS NDJSON file (vocabulary and source inference included).
#include "telemetry/live/elastic_window.h"

#include <gtest/gtest.h>

#include "tests/net/elastic_standin.h"

using namespace attest;
using namespace attest::test;
using ojson = nlohmann::ordered_json;

namespace {

struct Standin {
    TempDir tmp;
    StandinCertificates certs;
    std::unique_ptr<ElasticStandin> server;
    Standin(const std::string& name, const std::string& index, const std::string& ndjson,
            std::vector<std::string> extra = {})
        : tmp(name), certs(tmp.path + "/certs") {
        write_text(tmp.path + "/docs.ndjson", ndjson);
        extra.insert(extra.end(), {"--load", index + "=" + tmp.path + "/docs.ndjson"});
        if (certs.ok)
            server = std::make_unique<ElasticStandin>(tmp.path + "/standin", certs, extra);
    }
    telemetry::ElasticSource source(const std::string& index) const {
        telemetry::ElasticSource s;
        s.connection.url = server->url();
        s.connection.trust.ca_file = certs.ca;
        s.connection.api_key_env = "ATTEST_TEST_NO_KEY";
        s.index = index;
        return s;
    }
};

// A Sysmon process start (event.code 1) as an agent ships it.
std::string sysmon_doc(int i, const std::string& host) {
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-12-01T10:00:%02d.000Z", i);
    return ojson{{"@timestamp", ts},
                 {"event",
                  {{"code", "1"},
                   {"dataset", "windows.sysmon_operational"},
                   {"category", ojson::array({"process"})},
                   {"type", ojson::array({"start"})},
                   {"action", "Process Create (rule: ProcessCreate)"}}},
                 {"host", {{"name", host}}},
                 {"process", {{"name", "cmd.exe"}, {"pid", 1000 + i}}},
                 {"seq", i}}
        .dump();
}

std::vector<std::string> read_stream(std::vector<telemetry::StreamInput> inputs,
                                     const telemetry::StreamOptions& options, DiagnosticSink& sink,
                                     telemetry::StreamStats& stats) {
    std::vector<std::string> out;
    telemetry::Stream stream(std::move(inputs), sink, options);
    stats = stream.run(
        [&](std::shared_ptr<Event>& e) {
            std::string text;
            e->append_json(text);
            out.push_back(text);
        },
        [&] { out.clear(); });
    return out;
}

}  // namespace

TEST(ElasticWindow, AThreePageWindowGivesEveryEventOnceInOrder) {
    // 25 documents of host A written out of order, 5 of host B and 2 of A outside the window.
    std::string lines;
    for (int i :
         {3, 0, 1, 2, 24, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
        lines += sysmon_doc(i + 10, "A") + "\n";
    for (int i = 0; i < 5; ++i) lines += sysmon_doc(i + 10, "B") + "\n";
    lines += sysmon_doc(1, "A") + "\n" + sysmon_doc(50, "A") + "\n";
    Standin s("elastic-window", "logs-windows.sysmon_operational-lab", lines);
    ASSERT_TRUE(s.certs.ok);
    auto source = s.source("logs-windows.*");
    source.host = "A";
    source.page_size = 10;
    telemetry::ElasticWindow window{"2026-12-01T10:00:10.000Z", "2026-12-01T10:00:34.000Z"};
    telemetry::StreamOptions options;
    DiagnosticSink sink;
    telemetry::StreamStats stats;
    auto events = read_stream({telemetry::elastic_window_input(source, window, options)}, options,
                              sink, stats);
    EXPECT_EQ(sink.error_count(), 0u);
    ASSERT_EQ(events.size(), 25u);
    for (int i = 0; i < 25; ++i)
        EXPECT_EQ(nlohmann::json::parse(events[i])["seq"], i + 10) << events[i];
    EXPECT_FALSE(stats.sorted);
    EXPECT_EQ(stats.per_source["ndjson"], 25u);

    auto reqs = s.server->requests();
    ASSERT_EQ(reqs.size(), 5u);  // _pit, 3 pages, DELETE _pit
    EXPECT_EQ(reqs[0]["target"], "/logs-windows.*/_pit?keep_alive=1m");
    EXPECT_EQ(
        reqs[1]["body"],
        R"({"size":10,"pit":{"id":"pit-1","keep_alive":"1m"},"sort":[{"@timestamp":"asc"},{"_shard_doc":"asc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"2026-12-01T10:00:10.000Z","lte":"2026-12-01T10:00:34.000Z"}}},{"term":{"host.name":"A"}}]}}})");
    EXPECT_EQ(nlohmann::json::parse(reqs[3]["body"].get<std::string>())["search_after"].size(), 2u);
    EXPECT_EQ(reqs[4]["method"], "DELETE");
}

TEST(ElasticWindow, DocumentsReadAsTheSameNdjsonFileWouldBe) {
    std::string lines;
    for (int i = 0; i < 6; ++i) lines += sysmon_doc(i, "A") + "\n";
    Standin s("elastic-window-ndjson", "logs-windows.sysmon_operational-lab", lines);
    ASSERT_TRUE(s.certs.ok);
    // Under both profiles: the endpoint vocabulary is inferred from event.dataset either way.
    for (Profile profile : {Profile::Sysmon, Profile::Endpoint}) {
        telemetry::StreamOptions options;
        options.profile = profile;
        DiagnosticSink sink;
        telemetry::StreamStats from_file, from_elastic;
        auto expected = read_stream({telemetry::file_input(s.tmp.path + "/docs.ndjson", options)},
                                    options, sink, from_file);
        auto got = read_stream({telemetry::elastic_window_input(s.source("logs-*"), {}, options)},
                               options, sink, from_elastic);
        ASSERT_EQ(expected.size(), 6u);
        EXPECT_EQ(got, expected) << profile_name(profile);
        EXPECT_EQ(from_elastic.per_source, from_file.per_source);
        if (profile == Profile::Endpoint) {
            EXPECT_EQ(nlohmann::json::parse(got[0])["event"]["action"], "start");
        }
    }
}

TEST(ElasticWindow, AnUnreachableOrRefusingClusterIsAnErrorNamingTheWindow) {
    Standin s("elastic-window-errors", "logs-x", sysmon_doc(1, "A") + "\n",
              {"--api-key", "cmlnaHQ6a2V5"});
    ASSERT_TRUE(s.certs.ok);
    struct Case {
        std::string url, expected;
    } cases[] = {
        {"http://localhost:1", "https"},
        {s.server->url(), "security_exception"},  // a wrong API key: 401
    };
    ::setenv("ATTEST_TEST_WRONG_KEY", "d3Jvbmc6a2V5", 1);
    for (const auto& c : cases) {
        auto source = s.source("logs-*");
        source.connection.url = c.url;
        source.connection.api_key_env = "ATTEST_TEST_WRONG_KEY";
        DiagnosticSink sink;
        auto opened = telemetry::open_elastic_window(source, {}, "win", sink);
        ASSERT_FALSE(opened.ok()) << c.url;
        EXPECT_NE(opened.error().message.find(c.expected), std::string::npos)
            << opened.error().message;
        EXPECT_EQ(opened.error().message.find("d3Jvbmc6a2V5"), std::string::npos);
    }
    ::unsetenv("ATTEST_TEST_WRONG_KEY");
}
