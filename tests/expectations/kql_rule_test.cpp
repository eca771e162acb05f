// KQL detection rules: Elastic's published rules load and run (or say why they cannot),
// filters and thresholds, and the two PowerShell mailbox rules fire on 4104 telemetry built
// from their own query terms.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "expectations/eql/compiled.h"
#include "expectations/rules.h"

namespace attest::rules {
namespace {

namespace fs = std::filesystem;
const std::string kElastic = "../shared/data/rules/elastic/";

#define SKIP_WITHOUT_SHARED() \
    if (!fs::is_directory(kElastic)) GTEST_SKIP() << "../shared/data/rules/elastic is absent"

std::shared_ptr<const eql::Query> must(const eql::Rule& r) {
    auto c = rules::compile_rule(r, {});
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    if (!c.ok()) return nullptr;
    EXPECT_TRUE(c->query) << c->not_evaluable;
    return c->query;
}

std::size_t hits(const std::shared_ptr<const eql::Query>& q,
                 const std::vector<std::string>& events) {
    eql::Matcher m(q);
    for (const auto& e : events) m.feed(parse_json_value(e));
    m.finish();
    return m.hits().size();
}

// A Windows PowerShell 4104 event as the Windows integration indexes it.
std::string ps4104(const std::string& script) {
    Value e = Value::object();
    e.set("@timestamp", Value("2026-01-01T00:00:00.000Z"));
    e.set("event.category", Value(Array{Value("process")}));
    e.set("event.code", Value("4104"));
    e.set("host.os.type", Value("windows"));
    e.set("powershell.file.script_block_text", Value(script));
    return e.to_json();
}

TEST(KqlRules, EveryElasticRuleLoadsAndRunsOrSaysWhy) {
    SKIP_WITHOUT_SHARED();
    auto checks = check_rules(kElastic, {}, false);
    ASSERT_GE(checks.size(), 20u);
    std::size_t kuery = 0;
    for (const auto& c : checks) {
        EXPECT_NE(c.status, RuleStatus::Error) << c.path << ": " << c.detail;
        if (c.status == RuleStatus::NotEvaluable) {
            EXPECT_FALSE(c.detail.empty()) << c.path;
        }
        kuery += c.language == "kuery";
        if (c.status != RuleStatus::Evaluable) continue;
        // It runs: a matcher takes an event without trouble.
        auto rule = load_rule(c.path);
        ASSERT_TRUE(rule.ok());
        auto q = must(*rule);
        ASSERT_TRUE(q);
        hits(q, {ps4104("Write-Host hello")});
    }
    EXPECT_GE(kuery, 20u);
}

TEST(KqlRules, MailboxExportRuleFiresOnItsOwnTerms) {
    SKIP_WITHOUT_SHARED();
    auto rule = load_rule(kElastic + "collection_mailbox_export_winlog.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    EXPECT_EQ(rule->language, "kuery");
    auto q = must(*rule);
    ASSERT_TRUE(q);
    EXPECT_EQ(
        hits(q,
             {ps4104(
                 "New-MailboxExportRequest -Mailbox alice -FilePath \\\\srv\\share\\alice.pst")}),
        1u);
    EXPECT_EQ(hits(q, {ps4104("Get-Mailbox | New-MailboxExportRequest -FilePath \\\\srv\\x.pst")}),
              1u);
    // One of the required groups missing: no hit.
    EXPECT_EQ(hits(q, {ps4104("New-MailboxExportRequest -Mailbox alice")}), 0u);
    EXPECT_EQ(hits(q, {ps4104("Get-Mailbox -Identity alice -FilePath x.pst")}), 0u);
}

TEST(KqlRules, MailboxAccessRuleFiresOnItsOwnTerms) {
    SKIP_WITHOUT_SHARED();
    auto rule = load_rule(kElastic + "collection_posh_mailbox.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    auto q = must(*rule);
    ASSERT_TRUE(q);
    EXPECT_EQ(
        hits(q,
             {ps4104(
                 "$o = New-Object -ComObject Outlook.Application; $ns = $o.GetNamespace('MAPI')")}),
        1u);
    EXPECT_EQ(
        hits(q, {ps4104("$f = [Microsoft.Exchange.WebServices.Data.Folder]::Bind($s, "
                        "[Microsoft.Exchange.WebServices.Data.WellKnownFolderName]::Inbox)")}),
        1u);
    // The standard analyzer keeps `$s.FindItems` as one token ("s.finditems"), so the term
    // FindItems is not found there, as in Elasticsearch.
    EXPECT_EQ(
        hits(q, {ps4104("$s = New-Object Microsoft.Exchange.WebServices.Data.ExchangeService; "
                        "$s.FindItems($id, $v)")}),
        0u);
    EXPECT_EQ(
        hits(q, {ps4104("$s = New-Object Microsoft.Exchange.WebServices.Data.ExchangeService; $r = "
                        "FindItems $id")}),
        1u);
    EXPECT_EQ(hits(q, {ps4104("$o = New-Object -ComObject Outlook.Application")}), 0u);
    // Not Windows: no hit.
    std::string linux_event =
        ps4104("$o = New-Object -ComObject Outlook.Application; $o.GetNamespace('MAPI')");
    linux_event.replace(linux_event.find("windows"), 7, "linux");
    EXPECT_EQ(hits(q, {linux_event}), 0u);
}

TEST(KqlRules, FiltersAreAndedAndNegated) {
    SKIP_WITHOUT_SHARED();
    auto rule = load_rule(kElastic + "defense_evasion_posh_compressed.toml");
    ASSERT_TRUE(rule.ok()) << rule.error().message;
    ASSERT_FALSE(rule->filters.empty());
    EXPECT_EQ(rule->filters[0].kind, "wildcard");
    EXPECT_EQ(rule->filters[0].field, "file.path");
    EXPECT_TRUE(rule->filters[0].negate);
    EXPECT_TRUE(rule->filters[0].case_insensitive);
    eql::Rule r;
    r.path = "f.toml";
    r.language = "kuery";
    r.type = "query";
    r.query = "process.name : x.exe";
    r.filters = rule->filters;
    auto q = must(r);
    ASSERT_TRUE(q);
    EXPECT_EQ(hits(q, {R"({"process":{"name":"x.exe"},"file":{"path":"C:\\Temp\\a.ps1"}})"}), 1u);
    EXPECT_EQ(
        hits(
            q,
            {R"({"process":{"name":"x.exe"},"file":{"path":"c:\\programdata\\microsoft\\windows defender advanced threat protection\\downloads\\a.ps1"}})"}),
        0u);
    EXPECT_EQ(q->terms[0].filter.clause_texts.back().rfind("NOT filter wildcard file.path", 0), 0u);
}

TEST(KqlRules, ThresholdCountsByFieldsOverTheRun) {
    auto r = eql::parse_rule(R"([rule]
language = "kuery"
type = "threshold"
query = "event.action : MailItemsAccessed"
[rule.threshold]
field = ["user.id"]
value = 3
[[rule.threshold.cardinality]]
field = "source.ip"
value = 2
)",
                             "t.toml", true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto q = must(*r);
    ASSERT_TRUE(q);
    auto ev = [](const char* user, const char* ip) {
        return std::string(R"({"event":{"action":"MailItemsAccessed"},"user":{"id":")") + user +
               R"("},"source":{"ip":")" + ip + "\"}}";
    };
    // alice: 3 events from 2 addresses (fires); bob: 3 from one address (cardinality 1); carol: 2.
    std::vector<std::string> events = {ev("alice", "1.1.1.1"), ev("bob", "9.9.9.9"),
                                       ev("alice", "1.1.1.1"), ev("bob", "9.9.9.9"),
                                       ev("carol", "5.5.5.5"), ev("alice", "2.2.2.2"),
                                       ev("bob", "9.9.9.9"),   ev("carol", "5.5.5.6")};
    eql::Matcher m(q);
    for (const auto& e : events) m.feed(parse_json_value(e));
    m.finish();
    ASSERT_EQ(m.hits().size(), 1u);
    EXPECT_EQ(m.hits()[0].join_keys[0].as_string(), "alice");
}

TEST(KqlRules, NewTermsAndMachineLearningAreNotLocallyEvaluable) {
    auto nt = eql::parse_rule(
        "[rule]\nlanguage = \"kuery\"\ntype = \"new_terms\"\nquery = \"a : b\"\n"
        "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"user.name\"]\n",
        "nt.toml", true);
    ASSERT_TRUE(nt.ok()) << nt.error().message;
    auto c = rules::compile_rule(*nt, {});
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->query);
    EXPECT_NE(c->not_evaluable.find("new_terms"), std::string::npos);
    auto ml = eql::parse_rule("[rule]\ntype = \"machine_learning\"\n", "ml.toml", true);
    ASSERT_TRUE(ml.ok());
    auto cm = rules::compile_rule(*ml, {});
    ASSERT_TRUE(cm.ok());
    EXPECT_FALSE(cm->query);
    EXPECT_NE(cm->not_evaluable.find("machine_learning"), std::string::npos);
    auto esql = eql::parse_rule(
        "[rule]\nlanguage = \"esql\"\ntype = \"esql\"\nquery = \"from x\"\n", "e.toml", true);
    ASSERT_TRUE(esql.ok());
    EXPECT_NE(rules::compile_rule(*esql, {})->not_evaluable.find("esql"), std::string::npos);
}

TEST(KqlRules, QueryErrorsPointIntoTheTomlFile) {
    auto r = eql::parse_rule(
        "[rule]\nlanguage = \"kuery\"\ntype = \"query\"\nquery = '''\nprocess.name : (a or\n'''\n",
        "bad.toml", true);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto c = rules::compile_rule(*r, {});
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().message.rfind("bad.toml:6:1: ", 0), 0u) << c.error().message;
}

}  // namespace
}  // namespace attest::rules
