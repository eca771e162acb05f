// Sigma correlation rules: event_count, value_count, temporal, temporal_ordered over the
// streaming matcher, with bounded state per group key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "expectations/sigma/sigma.h"

namespace attest::sigma {
namespace {

// An O365 event at `second` seconds past the base, by `user`, with operation `op`.
Event o365(int second, const std::string& user, const std::string& op,
           const std::string& ip = "1.1.1.1") {
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-01-01T%02d:%02d:%02dZ", second / 3600, second / 60 % 60,
                  second % 60);
    return parse_json_value(std::string(R"({"@timestamp":")") + ts +
                            R"(","event":{"dataset":"o365.audit"},"o365":{"audit":{)" +
                            R"("Operation":")" + op + R"(","UserId":")" + user +
                            R"(","ClientIP":")" + ip + R"("}}})");
}

const char* kBase =
    "title: Login failed\nname: failed\nlogsource:\n    product: m365\n    service: audit\n"
    "detection:\n    sel:\n        Operation: UserLoginFailed\n    condition: sel\n---\n"
    "title: Mail rule\nname: rule\nlogsource:\n    product: m365\n    service: audit\n"
    "detection:\n    sel:\n        Operation: New-InboxRule\n    condition: sel\n---\n";

std::shared_ptr<const RuleSet> set_of(const std::string& correlation) {
    auto s = parse(std::string(kBase) + correlation, "corr.yml");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    if (!s.ok()) return nullptr;
    return std::make_shared<const RuleSet>(std::move(*s));
}

// "user:n" per hit, n = events kept as evidence.
std::string run(const std::shared_ptr<const RuleSet>& set, const std::vector<Event>& events,
                std::size_t* live_max = nullptr) {
    if (!set) return "<no set>";
    RuleSetMatcher m(set);
    for (const auto& e : events) {
        m.feed(e);
        if (live_max) *live_max = std::max(*live_max, m.live_groups());
    }
    m.finish();
    std::string out;
    for (const auto& h : m.hits()) {
        if (!out.empty()) out += ' ';
        out += (h.group.empty()          ? std::string("-")
                : h.group[0].is_string() ? h.group[0].as_string()
                                         : h.group[0].to_json()) +
               ":" + std::to_string(h.events.size());
    }
    return out;
}

TEST(SigmaCorrelation, EventCountSlidesAndFiresOncePerBurst) {
    auto set = set_of(
        "title: Many failures\ncorrelation:\n    type: event_count\n    rules: [failed]\n    "
        "group-by: [UserId]\n"
        "    timespan: 1m\n    condition:\n        gte: 3\n");
    std::vector<Event> ev = {o365(0, "a", "UserLoginFailed"),  o365(10, "b", "UserLoginFailed"),
                             o365(20, "a", "UserLoginFailed"), o365(30, "a", "New-InboxRule"),
                             o365(50, "a", "UserLoginFailed"), o365(100, "b", "UserLoginFailed"),
                             o365(200, "b", "UserLoginFailed")};
    // a: 0, 20, 50 within a minute -> one hit of 3 events; b: 10, 100, 200 never 3 in a minute.
    // The mail-rule rule is no correlation's input, so it reports its own hit ("-:1") first.
    EXPECT_EQ(run(set, ev), "-:1 a:3");
    // The base rules do not produce results of their own (generate defaults to false).
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->rules[0].generate);
}

TEST(SigmaCorrelation, EventCountWithUpperBoundJudgesClosedWindows) {
    auto set = set_of(
        "title: Few failures\ncorrelation:\n    type: event_count\n    rules: failed\n    "
        "group-by: UserId\n"
        "    timespan: 1m\n    condition:\n        gte: 2\n        lt: 4\n");
    std::vector<Event> ev = {
        o365(0, "a", "UserLoginFailed"), o365(5, "a", "UserLoginFailed"),  // a: 2 -> hit
        o365(0, "b", "UserLoginFailed"), o365(1, "b", "UserLoginFailed"),
        o365(2, "b", "UserLoginFailed"), o365(3, "b", "UserLoginFailed"),  // b: 4 -> no hit
        o365(1, "c", "UserLoginFailed")};                                  // c: 1 -> no hit
    EXPECT_EQ(run(set, ev), "a:2");
}

TEST(SigmaCorrelation, ValueCountCountsDistinctValues) {
    auto set = set_of(
        "title: Spray\ncorrelation:\n    type: value_count\n    rules: [failed]\n    group-by: "
        "[UserId]\n    timespan: 5m\n"
        "    condition:\n        field: ClientIP\n        gte: 3\n");
    std::vector<Event> ev = {
        o365(0, "a", "UserLoginFailed", "1.1.1.1"), o365(1, "a", "UserLoginFailed", "1.1.1.1"),
        o365(2, "a", "UserLoginFailed", "2.2.2.2"), o365(3, "b", "UserLoginFailed", "9.9.9.9"),
        o365(4, "a", "UserLoginFailed", "3.3.3.3")};
    EXPECT_EQ(run(set, ev), "a:4");
}

TEST(SigmaCorrelation, TemporalNeedsEveryRuleInTheSpan) {
    auto set = set_of(
        "title: Fail then rule\ncorrelation:\n    type: temporal\n    rules: [failed, rule]\n    "
        "group-by: [UserId]\n"
        "    timespan: 2m\n");
    std::vector<Event> ev = {
        o365(0, "a", "New-InboxRule"), o365(60, "a", "UserLoginFailed"),    // a: both within 2m
        o365(0, "b", "UserLoginFailed"), o365(300, "b", "New-InboxRule")};  // b: 5m apart
    EXPECT_EQ(run(set, ev), "a:2");
}

TEST(SigmaCorrelation, TemporalOrderedKeepsTheOrder) {
    auto set = set_of(
        "title: Fail then rule, in order\ncorrelation:\n    type: temporal_ordered\n    rules: "
        "[failed, rule]\n"
        "    group-by: [UserId]\n    timespan: 2m\n");
    std::vector<Event> ev = {
        o365(0, "a", "New-InboxRule"), o365(60, "a", "UserLoginFailed"),   // a: wrong order
        o365(0, "b", "UserLoginFailed"), o365(30, "b", "New-InboxRule")};  // b: in order
    EXPECT_EQ(run(set, ev), "b:2");
}

TEST(SigmaCorrelation, StateIsBoundedByLiveGroups) {
    auto set = set_of(
        "title: Many failures\ncorrelation:\n    type: event_count\n    rules: [failed]\n    "
        "group-by: [UserId]\n"
        "    timespan: 10s\n    condition:\n        gte: 1000\n");
    std::vector<Event> ev;
    for (int i = 0; i < 20000; ++i)
        ev.push_back(o365(i, "user" + std::to_string(i), "UserLoginFailed"));
    std::size_t live_max = 0;
    EXPECT_EQ(run(set, ev, &live_max), "");
    // One new group per second with a 10 s span: swept every 4096 events, never all 20000.
    EXPECT_LE(live_max, 4096u + 16);
}

// A correlation alone in its file finds its inputs in the other files of its folder: only the
// rules it names are taken from them, subfolders are not searched, and a name found nowhere is
// an error at the correlation's position.
TEST(SigmaCorrelation, InputsInOtherFilesOfTheFolder) {
    namespace fs = std::filesystem;
    fs::path dir =
        fs::temp_directory_path() / ("attest-sigma-inputs-" + std::to_string(::getpid()));
    fs::create_directories(dir / "sub");
    auto write = [&](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(dir / "base.yml", kBase);
    write(dir / "sub" / "deep.yml",
          "title: Deep\nname: deep\nlogsource:\n    product: m365\n    service: audit\n"
          "detection:\n    sel:\n        Operation: X\n    condition: sel\n");
    const std::string corr =
        "title: Many failures\ncorrelation:\n    type: event_count\n    rules: [failed]\n"
        "    group-by: [UserId]\n    timespan: 1m\n    condition:\n        gte: 2\n";
    write(dir / "corr.yml", corr);
    auto sources = read_with_inputs((dir / "corr.yml").string());
    ASSERT_TRUE(sources.ok()) << sources.error().message;
    ASSERT_EQ(sources->size(), 2u);
    EXPECT_EQ((*sources)[1].path, (dir / "base.yml").string());
    auto set = parse(*sources);
    ASSERT_TRUE(set.ok()) << set.error().message;
    ASSERT_EQ(set->rules.size(), 2u);  // the correlation and `failed`, not `rule`
    auto one = single_rule(*set, (dir / "corr.yml").string());
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_EQ((*one)->title, "Many failures");
    auto shared = std::make_shared<const RuleSet>(std::move(*set));
    EXPECT_EQ(run(shared, {o365(0, "a", "UserLoginFailed"), o365(5, "a", "UserLoginFailed"),
                           o365(6, "a", "New-InboxRule")}),
              "a:2");
    auto loaded = load((dir / "corr.yml").string());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->rules.size(), 2u);
    write(dir / "deepcorr.yml",
          "title: Deep count\ncorrelation:\n    type: event_count\n    rules: [deep]\n"
          "    timespan: 1m\n    condition:\n        gte: 2\n");
    auto missing = load((dir / "deepcorr.yml").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("deepcorr.yml:4:"), std::string::npos)
        << missing.error().message;
    EXPECT_NE(missing.error().message.find("no rule named or with id 'deep'"), std::string::npos)
        << missing.error().message;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace attest::sigma
