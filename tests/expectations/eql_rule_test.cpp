// Rule files (bare .eql and detection-rules TOML) and the seed rule (Elastic T1114 card).
#include <fstream>
#include <sstream>

#include "expectations/eql/rule.h"
#include "tests/expectations/eql_test_util.h"

namespace attest::eql::test {
namespace {

const std::string kData = ATTEST_SOURCE_DIR "/tests/data/eql/";

// An Elastic Defend (endpoint vocabulary) file event.
std::string file_event(int second, const std::string& action, const std::string& extension, const std::string& process,
                       const std::string& path, const std::string& host = "WS01", const std::string& entity = "{guid-1}") {
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-11-22T08:%02d:%02d.000Z", second / 60, second % 60);
    return std::string("{\"@timestamp\":\"") + ts + "\",\"event\":{\"category\":[\"file\"],\"type\":[\"creation\"],\"action\":\"" +
           action + "\"},\"host\":{\"name\":\"" + host + "\"},\"file\":{\"extension\":\"" + extension + "\",\"path\":\"" + path +
           "\",\"name\":\"x." + extension + "\"},\"process\":{\"name\":\"" + process + "\",\"entity_id\":\"" + entity + "\"}}";
}

std::vector<Hit> run_rule(const Rule& rule, const std::vector<std::string>& events) {
    auto q = compile_rule(rule, {});
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
    if (!q.ok()) return {};
    Matcher m(*q);
    for (const auto& e : events) m.feed(ev(e));
    m.finish();
    return m.hits();
}

TEST(EqlRule, SeedRuleRunsAsWrittenFromEqlFile) {
    auto rule = load_rule(kData + "seed_t1114.eql");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    EXPECT_EQ(rule->query.rfind("sequence by host.name with maxspan=5m", 0), 0u);
    const std::string staging = "C:\\\\Users\\\\bob\\\\AppData\\\\Local\\\\Temp\\\\email_staging\\\\x.pst";
    auto hits = run_rule(*rule, {file_event(1, "creation", "pst", "powershell.exe", staging)});
    ASSERT_EQ(hits.size(), 1u);
    ASSERT_EQ(hits[0].join_keys.size(), 2u);
    EXPECT_EQ(hits[0].join_keys[0], Value("WS01"));
    EXPECT_EQ(hits[0].join_keys[1], Value("{guid-1}"));
    // Outlook's own profile path matches through the path clause for any non-mail process.
    EXPECT_EQ(run_rule(*rule, {file_event(1, "rename", "ost", "backup.exe",
                                          "C:\\\\Users\\\\bob\\\\AppData\\\\Local\\\\Microsoft\\\\Outlook\\\\a.ost")}).size(), 1u);
}

TEST(EqlRule, SeedRuleIgnoresNearVariants) {
    auto rule = load_rule(kData + "seed_t1114.eql");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    const std::string staging = "C:\\\\Temp\\\\x.pst";
    const std::vector<std::string> variants = {
        file_event(1, "deletion", "pst", "powershell.exe", staging),                    // action not listed
        file_event(1, "creation", "pdf", "powershell.exe", staging),                    // extension not listed
        file_event(1, "creation", "PST", "powershell.exe", staging),                    // `in` is case-sensitive
        file_event(1, "creation", "pst", "OUTLOOK.EXE", "C:\\\\AppData\\\\Outlook\\\\x.pst"),  // mail client
        file_event(1, "creation", "pst", "Outlook.exe", "C:\\\\AppData\\\\Outlook\\\\x.pst"),  // in~ ignores case
        file_event(1, "creation", "pst", "notepad.exe", staging),                       // neither path nor tool
    };
    for (const auto& v : variants) EXPECT_TRUE(run_rule(*rule, {v}).empty()) << v;
    // Not a file event.
    std::string process_event = file_event(1, "creation", "pst", "powershell.exe", staging);
    process_event.replace(process_event.find("[\"file\"]"), 8, "[\"process\"]");
    EXPECT_TRUE(run_rule(*rule, {process_event}).empty());
    // PowerShell in any case is a listed tool (in~).
    EXPECT_EQ(run_rule(*rule, {file_event(1, "overwrite", "msg", "PowerShell.EXE", staging)}).size(), 1u);
}

TEST(EqlRule, SeedRuleFromDetectionRulesToml) {
    auto rule = load_rule(kData + "seed_t1114.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    EXPECT_EQ(rule->name, "Detect Email Collection in Elastic Security");
    EXPECT_EQ(rule->rule_id, "a8c52509-29ea-4f30-9e00-000000000000");
    ASSERT_EQ(rule->index.size(), 2u);
    ASSERT_TRUE(rule->profile.has_value());
    EXPECT_EQ(*rule->profile, Profile::Endpoint);
    EXPECT_EQ(rule->techniques, (std::vector<std::string>{"T1114", "T1114.001"}));
    std::ifstream eql(kData + "seed_t1114.eql");
    std::stringstream ss;
    ss << eql.rdbuf();
    EXPECT_EQ(rule->query, ss.str());  // the ''' literal keeps the text verbatim
    EXPECT_EQ(run_rule(*rule, {file_event(1, "creation", "pst", "powershell.exe", "C:\\\\t\\\\x.pst")}).size(), 1u);
}

TEST(EqlRule, InlineStringQueryAndInlineTables) {
    auto rule = load_rule(kData + "sysmon_rule.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    EXPECT_EQ(rule->query, "file where file.extension : \"pst\"");
    ASSERT_TRUE(rule->profile.has_value());
    EXPECT_EQ(*rule->profile, Profile::Sysmon);
    EXPECT_EQ(rule->techniques, (std::vector<std::string>{"T1114", "T1114.001"}));
}

TEST(EqlRule, QueryErrorsPointIntoTheTomlFile) {
    auto rule = load_rule(kData + "bad_query.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    auto q = compile_rule(*rule, {});
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.error().message.rfind(kData + "bad_query.toml:8:16: use '==' to compare", 0), 0u) << q.error().message;
    EXPECT_NE(q.error().message.find("\n  process.name = \"cmd.exe\"\n               ^"), std::string::npos) << q.error().message;
}

TEST(EqlRule, TomlSyntaxErrorsHavePositions) {
    auto rule = load_rule(kData + "bad_syntax.toml");
    ASSERT_FALSE(rule.ok());
    EXPECT_NE(rule.error().message.find("bad_syntax.toml:"), std::string::npos);
    EXPECT_NE(rule.error().message.find("unterminated multi-line string"), std::string::npos) << rule.error().message;
    auto missing = load_rule(kData + "does_not_exist.toml");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST(EqlRule, ProfileFromIndexPatterns) {
    EXPECT_EQ(profile_from_index({"logs-endpoint.events.*"}), Profile::Endpoint);
    EXPECT_EQ(profile_from_index({"winlogbeat-*", "logs-windows.*"}), Profile::Sysmon);
    EXPECT_EQ(profile_from_index({"logs-endpoint.events.*", "winlogbeat-*"}), std::nullopt);
    EXPECT_EQ(profile_from_index({"filebeat-*"}), std::nullopt);
    // Without the dot, as many Elastic rules write it, it is still Elastic Defend.
    EXPECT_EQ(profile_from_index({"logs-endpoint*"}), Profile::Endpoint);
    EXPECT_EQ(profile_from_index({"logs-windows*"}), Profile::Sysmon);
    EXPECT_TRUE(index_names_both_vocabularies({"logs-endpoint*", "logs-windows.sysmon_operational-*"}));
    EXPECT_TRUE(index_names_both_vocabularies({"winlogbeat-*", "logs-endpoint.events.process-*"}));
    EXPECT_FALSE(index_names_both_vocabularies({"winlogbeat-*", "logs-windows.*"}));
    EXPECT_FALSE(index_names_both_vocabularies({"logs-endpoint*"}));
}

TEST(EqlRule, BothVocabulariesMeansTheDataDecides) {
    auto r = parse_rule("[rule]\nindex = [\"logs-endpoint*\", \"winlogbeat-*\"]\nquery = \"any where true\"\n", "b.toml", true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->profile, std::nullopt);
    EXPECT_TRUE(r->profile_from_data);
}

TEST(EqlRule, OtherLanguagesLoadWithTheirLanguageAndType) {
    auto r = parse_rule("[rule]\nlanguage = \"kuery\"\ntype = \"threshold\"\nquery = \"a:b\"\n"
                        "[rule.threshold]\nfield = [\"user.name\"]\nvalue = 3\n",
                        "k.toml", true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->language, "kuery");
    EXPECT_EQ(r->type, "threshold");
    ASSERT_TRUE(r->threshold.has_value());
    EXPECT_EQ(r->threshold->fields, std::vector<std::string>{"user.name"});
    EXPECT_EQ(r->threshold->value, 3u);
    auto ml = parse_rule("[rule]\ntype = \"machine_learning\"\nname = \"x\"\n", "ml.toml", true);
    ASSERT_TRUE(ml.ok()) << ml.error().message;  // no query: the job is the rule
    EXPECT_EQ(ml->type, "machine_learning");
}

TEST(EqlRule, ScheduleFromIntervalAndFrom) {
    const std::string head =
        "[rule]\nname = \"x\"\nrule_id = \"x\"\nlanguage = \"eql\"\nquery = \"any where true\"\n";
    auto rule = parse_rule(head + "interval = \"10m\"\nfrom = \"now-13m\"\n", "r.toml", true);
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    EXPECT_EQ(rule->interval_ns, 600'000'000'000LL);
    EXPECT_EQ(rule->lookback_ns, 780'000'000'000LL);
    auto plain = parse_rule(head, "r.toml", true);
    ASSERT_TRUE(plain.ok());
    EXPECT_FALSE(plain->interval_ns.has_value());
    EXPECT_FALSE(plain->lookback_ns.has_value());
    // Kibana writes `from` as date math relative to now: anything else is an error in place.
    auto bad = parse_rule(head + "from = \"13m\"\n", "r.toml", true);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message.rfind("r.toml:6:8: rule.from '13m' is not now-DURATION", 0), 0u)
        << bad.error().message;
    EXPECT_EQ(schedule_lookback_ns("now-9m"), 540'000'000'000LL);
    EXPECT_FALSE(schedule_interval_ns("soon").has_value());
}

}  // namespace
}  // namespace attest::eql::test
