// Tests for collectors/o365.cpp: the real samples in shared/data/o365, every export shape and
// the hazards of shared/spec/telemetry.md.
#include "collectors/o365.h"

#include <gtest/gtest.h>

#include "collect_helpers.h"
#include "core/timeutil.h"

namespace attest {
namespace {

using testing::collect_file;
using testing::collect_text;
using testing::str_at;

struct SampleCount {
    const char* file;
    std::size_t records;
};

// Counts established independently (Python's json.raw_decode / csv module over each file).
const SampleCount kSamples[] = {
    {"t1098.001_Add a user to company administrator role.csv", 1},
    {"t1098.002_ApplicationImpersonation.csv", 1},
    {"t1098.002_Mail Account Delegation full access permissions.json", 1},
    {"t1098.002_Mail account delegation-SendAs permission.csv", 1},
    {"t1098.002_user-reset_mailbox_full_access.json", 5},
    {"t1098.003_add_role_global_admin.json", 1},
    {"t1098_Add a user to company administrator role.json", 1},
    {"t1110.003_msolspray-powershell.json", 11},
    {"t1110.003_msolspray-python.json", 9},
    {"t1110.003_msolspraywithsuccess_1.csv", 9},
    {"t1110.003_o365spray_reporting.csv", 9},
    {"t1110.003_o365spray_reporting.json", 14},
    {"t1114.002_Enable_POP_IMAP_OWA.csv", 2},
    {"t1114.002_Enable_POP_IMAP_OWA.json", 1},
    {"t1114.003_Forward_Rule_Multi_Users_Same_Forward_dest.json", 5},
    {"t1114_Set-Mailbox-ForwardSMTPAddress.csv", 1},
    {"t1482_azurehound_list.csv", 2},
    {"t1531_Remove-Admin members from a group.csv", 1},
    {"t1531_mass_delete_users.json", 10},
    {"t1550.001_Allusers_consent_to_grant_permission_granted.json", 1},
    {"t1550.001_default_rclone_app_registration.json", 1},
    {"t1556.006_Disable Strong Authentication.csv", 3},
    {"t1556_Disable _Strong_Authentication.json", 3},
    {"t1562-Set-MailboxAuditBypassAssociation.json", 1},
    {"t1562-UnifiedAuditlogIngestion-Stopped.json", 1},
    {"t1562.001_Remove-DlpCompliancePolicy.csv", 1},
    {"t1562.001_Set-Mailbox-AuditLogAgeLimitoZero.csv", 1},
    {"t1562.008_Advanced Auditing policy removed from a user.csv", 1},
    {"t1562.008_Disable UAL ingestion.csv", 1},
    {"t1562.008_Set-MailboxAuditBypassAssociation.csv", 1},
    {"t1562_Set-Mailbox-AuditLogAgeLimitoZero.json", 1},
    {"t1564.008_New inbox rule to delete email.csv", 1},
    {"t1564.008_Update existing mailbox rule using Set-InboxRule.csv", 1},
    {"t1564.008_markasread_delete_all_email.json", 1},
    {"t1592.004_mfa_sweep.csv", 8},
};

#define REQUIRE_SHARED_DATA() \
    if (!testing::shared_data_present()) GTEST_SKIP() << "../shared/data absent"

TEST(O365RealSamples, EveryFileLoadsWithItsRecordCountByDetection) {
    REQUIRE_SHARED_DATA();
    std::size_t files = 0;
    for (const auto& s : kSamples) {
        SCOPED_TRACE(s.file);
        auto c = collect_file(testing::shared_data(std::string("o365/") + s.file), "");
        ASSERT_TRUE(c.opened) << c.open_error;
        EXPECT_EQ(c.events.size(), s.records);
        EXPECT_EQ(c.stats.skipped, 0u) << c.diagnostics_text();
        EXPECT_TRUE(c.diagnostics.empty()) << c.diagnostics_text();
        for (const auto& e : c.events) {
            EXPECT_EQ(str_at(e, "attest.source"), "o365");
            EXPECT_EQ(str_at(e, "event.dataset"), "o365.audit");
            EXPECT_NE(str_at(e, "event.action"), "<absent>");
            EXPECT_NE(str_at(e, "@timestamp"), "<absent>");
            EXPECT_EQ(e.find("host.name"), nullptr);
        }
        ++files;
    }
    EXPECT_EQ(files, 35u);
}

TEST(O365RealSamples, CsvNewInboxRuleHasParametersClientIpWithPortAndUtcTime) {
    REQUIRE_SHARED_DATA();
    auto c =
        collect_file(testing::shared_data("o365/t1564.008_New inbox rule to delete email.csv"), "");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    const Event& e = c.events[0];
    EXPECT_EQ(str_at(e, "@timestamp"), "2023-05-29T12:29:35.000Z");
    EXPECT_EQ(str_at(e, "event.action"), "New-InboxRule");
    EXPECT_EQ(str_at(e, "event.provider"), "Exchange");
    EXPECT_EQ(str_at(e, "event.outcome"), "success");
    EXPECT_EQ(str_at(e, "event.category"), R"(["web","email","configuration"])");
    EXPECT_EQ(str_at(e, "event.type"), R"(["creation"])");
    EXPECT_EQ(str_at(e, "user.id"), "stinger@contoso.onmicrosoft.com");
    EXPECT_EQ(str_at(e, "source.ip"), "104.28.196.199");
    EXPECT_EQ(str_at(e, "source.port"), "9808");
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.DeleteMessage"), "True");
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.SubjectContainsWords"), "Attention");
    EXPECT_EQ(str_at(e, "o365.audit.ClientIP"), "104.28.196.199:9808");
}

TEST(O365RealSamples, BracketedIpv6WithPortAndPlainIpv6) {
    REQUIRE_SHARED_DATA();
    auto c = collect_file(
        testing::shared_data("o365/t1098.002_Mail Account Delegation full access permissions.json"),
        "");
    ASSERT_EQ(c.events.size(), 1u);
    EXPECT_EQ(str_at(c.events[0], "source.ip"), "2a09:bac5:114:105::1a:9b");
    EXPECT_EQ(str_at(c.events[0], "source.port"), "54809");
    EXPECT_EQ(str_at(c.events[0], "event.category"), R"(["web","iam","configuration"])");

    auto spray = collect_file(testing::shared_data("o365/t1110.003_msolspray-powershell.json"), "");
    ASSERT_EQ(spray.events.size(), 11u);
    const Event& first = spray.events[0];
    EXPECT_EQ(str_at(first, "source.ip"), "2a09:bac1:820:8::1a:9c");
    EXPECT_EQ(first.find("source.port"), nullptr);
    EXPECT_EQ(str_at(first, "event.action"), "UserLoginFailed");
    EXPECT_EQ(str_at(first, "event.outcome"), "failure");
    EXPECT_EQ(str_at(first, "event.category"), R"(["web","authentication"])");
}

TEST(O365RealSamples, AzureAdModifiedPropertiesAreFoldedByName) {
    REQUIRE_SHARED_DATA();
    auto c =
        collect_file(testing::shared_data("o365/t1556_Disable _Strong_Authentication.json"), "");
    ASSERT_EQ(c.events.size(), 3u);
    bool found = false;
    for (const auto& e : c.events) {
        const Value* mp = e.find("o365.audit.ModifiedProperties");
        if (mp == nullptr) continue;
        ASSERT_TRUE(mp->is_object()) << mp->to_json();
        found = true;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(str_at(c.events[0], "event.category"), R"(["web","iam"])");
}

// The real example from the spec, as Management Activity API content (a pretty-printed array).
constexpr std::string_view kForwardRecord =
    R"({"CreationTime":"2024-10-08T05:08:37","Id":"80ab29e3-9b72-425c-deba-08dce867426a","Operation":"New-InboxRule","OrganizationId":"8d4121ed-0008-406d-bff9-0d5bb312183c","RecordType":1,"ResultStatus":"True","UserKey":"adam@contoso.onmicrosoft.com","UserType":2,"Version":1,"Workload":"Exchange","ClientIP":"104.28.196.199:28491","ObjectId":"x\\ForwardToHeaven","UserId":"adam@contoso.onmicrosoft.com","Parameters":[{"Name":"ForwardTo","Value":"alpha@localhost.com"},{"Name":"Name","Value":"ForwardToHeaven"},{"Name":"StopProcessingRules","Value":"True"}],"SessionId":"87bfd35a"})";

TEST(O365Shapes, ManagementApiArrayWithForwardToParameter) {
    std::string text =
        "[\n  " + std::string(kForwardRecord) + ",\n  " + std::string(kForwardRecord) + "\n]\n";
    auto c = collect_text(text, "", ".json");
    ASSERT_TRUE(c.opened) << c.open_error;
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    const Event& e = c.events[1];
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.ForwardTo"), "alpha@localhost.com");
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.StopProcessingRules"), "True");
    EXPECT_EQ(str_at(e, "source.ip"), "104.28.196.199");
    EXPECT_EQ(str_at(e, "source.port"), "28491");
    EXPECT_EQ(str_at(e, "@timestamp"), "2024-10-08T05:08:37.000Z");
    EXPECT_EQ(str_at(e, "attest.position"), "3");
}

TEST(O365Shapes, ConvertToJsonOfSearchUnifiedAuditLog) {
    // PowerShell: Search-UnifiedAuditLog ... | ConvertTo-Json; AuditData is a string and the
    // dates are "\/Date(ms)\/". This AuditData lacks CreationTime: CreationDate is used.
    std::string text = R"([
    {
        "RecordType":  1,
        "CreationDate":  "\/Date(1728364117000)\/",
        "UserIds":  "adam@contoso.onmicrosoft.com",
        "Operations":  "Set-InboxRule",
        "AuditData":  "{\"Operation\":\"Set-InboxRule\",\"RecordType\":1,\"ResultStatus\":\"False\",\"Workload\":\"Exchange\",\"UserId\":\"adam@contoso.onmicrosoft.com\",\"ClientIP\":\"[::1]:443\",\"Parameters\":[{\"Name\":\"RedirectTo\",\"Value\":\"x@evil.test\"}]}",
        "ResultIndex":  1
    }
])";
    auto c = collect_text(text, "", ".json");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    const Event& e = c.events[0];
    EXPECT_EQ(str_at(e, "@timestamp"), "2024-10-08T05:08:37.000Z");
    EXPECT_EQ(str_at(e, "event.outcome"), "failure");
    EXPECT_EQ(str_at(e, "source.ip"), "::1");
    EXPECT_EQ(str_at(e, "source.port"), "443");
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.RedirectTo"), "x@evil.test");
}

TEST(O365Shapes, SentinelOfficeActivityFlattenedJsonStrings) {
    std::string text =
        R"({"TenantId":"t","TimeGenerated":"2024-10-08T05:08:38.123Z","OfficeWorkload":"Exchange","RecordType":"ExchangeAdmin","Operation":"New-InboxRule","ResultStatus":"True","UserId":"adam@contoso.com","ClientIP":"10.1.2.3:555","Parameters":"[{\"Name\":\"ForwardAsAttachmentTo\",\"Value\":\"z@evil.test\"}]","OfficeObjectId":"r"})"
        "\n";
    auto c = collect_text(text, "", ".json");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    EXPECT_EQ(str_at(c.events[0], "attest.source"), "o365");
    EXPECT_EQ(str_at(c.events[0], "@timestamp"), "2024-10-08T05:08:38.123Z");
    EXPECT_EQ(str_at(c.events[0], "event.provider"), "Exchange");
    EXPECT_EQ(str_at(c.events[0], "o365.audit.Parameters.ForwardAsAttachmentTo"), "z@evil.test");
}

TEST(O365Shapes, CsvWithTypeLineBomCrlfMultilineFieldAndLocaleDate) {
    std::string text =
        "\xEF\xBB\xBF#TYPE "
        "Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord\r\n"
        "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\","
        "\"ResultIndex\"\r\n"
        "\"ExchangeAdmin\",\"5/29/2023 12:29:35 PM\",\"a@b.c\",\"Set-Mailbox\","
        "\"{\"\"Operation\"\":\"\"Set-Mailbox\"\",\"\"Workload\"\":\"\"Exchange\"\","
        "\"\"ClientIP\"\":\"\"1.2.3.4\"\","
        "\"\"Parameters\"\":[{\"\"Name\"\":\"\"ForwardingSmtpAddress\"\",\"\"Value\"\":\"\"smtp:x@"
        "evil.test\"\"}]}\","
        "\"line one\r\nline two\"\r\n";
    auto c = collect_text(text, "", ".csv");
    ASSERT_TRUE(c.opened) << c.open_error;
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    const Event& e = c.events[0];
    EXPECT_EQ(str_at(e, "@timestamp"), "2023-05-29T12:29:35.000Z");
    EXPECT_EQ(str_at(e, "source.ip"), "1.2.3.4");
    EXPECT_EQ(e.find("source.port"), nullptr);
    EXPECT_EQ(str_at(e, "o365.audit.Parameters.ForwardingSmtpAddress"), "smtp:x@evil.test");
    EXPECT_EQ(str_at(e, "attest.position"), "3");
}

// An Export-Csv header and a good row of it, for the CSV error cases.
const std::string kCsvHeader =
    "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\n";
const std::string kCsvGoodRow =
    "\"x\",\"6/1/2023 1:12:18 "
    "PM\",\"u\",\"Op\",\"{\"\"CreationTime\"\":\"\"2023-06-01T13:12:18\"\",\"\"Operation\"\":"
    "\"\"Op\"\"}\"\n";

TEST(O365Errors, CsvBrokenQuoteAndBadAuditDataAreReportedWithPositions) {
    std::string bad_json = "\"x\",\"d\",\"u\",\"Op\",\"{not json\"\n";
    std::string broken_quote = "\"x\",\"d\",\"u\",\"Op\",\"{\"\"a\"\":1}\n";  // never closed
    auto c = collect_text(kCsvHeader + kCsvGoodRow + bad_json + kCsvGoodRow + broken_quote, "o365",
                          ".csv");
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    ASSERT_EQ(c.diagnostics.size(), 2u) << c.diagnostics_text();
    EXPECT_EQ(c.diagnostics[0].line, 3u);
    EXPECT_EQ(c.diagnostics[0].column, 5u);
    EXPECT_NE(c.diagnostics[0].message.find("AuditData is not valid JSON"), std::string::npos);
    EXPECT_EQ(c.diagnostics[1].line, 5u);
    EXPECT_NE(c.diagnostics[1].message.find("never closed"), std::string::npos);
    EXPECT_EQ(c.stats.skipped, 2u);
}

// The CSV table's header and field-count checks, as the o365 reader sees them.
TEST(O365Errors, CsvWithoutAuditDataColumnOrWithAShortRow) {
    auto none =
        collect_text("#TYPE x\n\"RecordType\",\"CreationDate\",\"Operations\"\n\"a\",\"b\",\"c\"\n",
                     "o365", ".csv");
    EXPECT_TRUE(none.events.empty());
    ASSERT_EQ(none.diagnostics.size(), 1u) << none.diagnostics_text();
    EXPECT_EQ(none.diagnostics[0].line, 2u);
    EXPECT_NE(none.diagnostics[0].message.find("no AuditData column"), std::string::npos);

    auto short_row = collect_text(kCsvHeader + kCsvGoodRow + "\"x\",\"d\",\"u\"\n" + kCsvGoodRow,
                                  "o365", ".csv");
    EXPECT_EQ(short_row.events.size(), 2u);
    ASSERT_EQ(short_row.diagnostics.size(), 1u) << short_row.diagnostics_text();
    EXPECT_EQ(short_row.diagnostics[0].line, 3u);
    EXPECT_EQ(short_row.diagnostics[0].column, 4u);  // the first missing field
    EXPECT_NE(short_row.diagnostics[0].message.find("row has 3 fields, the header 5"),
              std::string::npos);
    EXPECT_EQ(short_row.stats.skipped, 1u);
}

TEST(O365Errors, TruncatedNdjsonLineIsSkippedAndTheRestRead) {
    std::string rec(kForwardRecord);
    std::string text = rec + "\n" + rec.substr(0, 120) + "\n" + rec + "\n" +
                       "{\"Operation\":\"x\"}\n" + rec.substr(0, 50);
    auto c = collect_text(text, "o365", ".json");
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    ASSERT_EQ(c.diagnostics.size(), 3u) << c.diagnostics_text();
    EXPECT_EQ(c.diagnostics[0].line, 2u);
    EXPECT_EQ(c.diagnostics[0].column, 1u);
    EXPECT_NE(c.diagnostics[1].message.find("no usable CreationTime"), std::string::npos);
    EXPECT_EQ(c.diagnostics[1].line, 4u);
    EXPECT_EQ(c.diagnostics[2].line, 5u);
    EXPECT_NE(c.diagnostics[2].message.find("truncated"), std::string::npos);
}

TEST(O365Errors, InvalidJsonInsideARecordGivesLineAndColumn) {
    std::string text = "[\n{\"CreationTime\":\"2024-01-01T00:00:00\",\n \"Operation\": tru}\n]";
    auto c = collect_text(text, "o365", ".json");
    EXPECT_EQ(c.events.size(), 0u);
    ASSERT_EQ(c.diagnostics.size(), 1u);
    EXPECT_EQ(c.diagnostics[0].line, 3u);
    EXPECT_GE(c.diagnostics[0].column, 15u);
    EXPECT_NE(c.diagnostics[0].format().find(":3:"), std::string::npos);
}

TEST(O365Errors, FiftyMegabyteRecordIsSkippedWithBoundedMemory) {
    std::string big = "{\"CreationTime\":\"2024-01-01T00:00:00\",\"Operation\":\"Big\",\"Blob\":\"";
    big.append(50u << 20, 'A');
    big += "\"}\n";
    std::string text = big + std::string(kForwardRecord) + "\n";
    auto c = collect_text(text, "o365", ".json");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    EXPECT_EQ(str_at(c.events[0], "event.action"), "New-InboxRule");
    ASSERT_EQ(c.diagnostics.size(), 1u);
    EXPECT_EQ(c.diagnostics[0].line, 1u);
    EXPECT_NE(c.diagnostics[0].message.find("larger than 16 MiB"), std::string::npos);
}

TEST(O365Helpers, SplitClientIp) {
    struct Case {
        const char* in;
        const char* ip;
        int port;  // -1: none; -2: not an address
    } cases[] = {
        {"104.28.196.199:28491", "104.28.196.199", 28491},
        {"104.28.196.199", "104.28.196.199", -1},
        {"[2a09:bac5:114:105::1a:9b]:54809", "2a09:bac5:114:105::1a:9b", 54809},
        {"[::1]:443", "::1", 443},
        {"[::1]", "::1", -1},
        {"2a09:bac1:820:8::1a:9c", "2a09:bac1:820:8::1a:9c", -1},
        {"::ffff:10.0.0.1", "::ffff:10.0.0.1", -1},
        {"1.2.3.4:99999", "", -2},
        {"not-an-ip", "", -2},
        {"[zz::1]:1", "", -2},
        {"", "", -2},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.in);
        auto r = o365::split_client_ip(c.in);
        if (c.port == -2) {
            EXPECT_FALSE(r.has_value());
            continue;
        }
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->ip, c.ip);
        if (c.port == -1)
            EXPECT_FALSE(r->port.has_value());
        else
            EXPECT_EQ(r->port.value_or(-1), c.port);
    }
}

TEST(O365Helpers, Dates) {
    EXPECT_EQ(format_iso8601(*o365::parse_ms_json_date("/Date(1728364117000)/")),
              "2024-10-08T05:08:37.000Z");
    EXPECT_EQ(format_iso8601(*o365::parse_ms_json_date("/Date(1728364117123+0200)/")),
              "2024-10-08T05:08:37.123Z");
    EXPECT_FALSE(o365::parse_ms_json_date("/Date(abc)/"));
    EXPECT_FALSE(o365::parse_ms_json_date("Date(1)"));
    EXPECT_EQ(format_iso8601(*o365::parse_locale_datetime("5/29/2023 12:29:35 PM")),
              "2023-05-29T12:29:35.000Z");
    EXPECT_EQ(format_iso8601(*o365::parse_locale_datetime("5/29/2023 12:29:35 AM")),
              "2023-05-29T00:29:35.000Z");
    EXPECT_EQ(format_iso8601(*o365::parse_locale_datetime("6/4/2023 3:14:58 AM")),
              "2023-06-04T03:14:58.000Z");
    EXPECT_EQ(format_iso8601(*o365::parse_locale_datetime("29.05.2023 13:29:35")),
              "2023-05-29T13:29:35.000Z");
    EXPECT_EQ(format_iso8601(*o365::parse_locale_datetime("2023-05-29T12:29:35")),
              "2023-05-29T12:29:35.000Z");
    EXPECT_FALSE(o365::parse_locale_datetime("13/45/2023 1:00:00 PM"));
    EXPECT_FALSE(o365::parse_locale_datetime("garbage"));
}

TEST(O365Helpers, ClassifyOperations) {
    struct Case {
        const char* op;
        const char* category;
        const char* type;
    } cases[] = {
        {"New-InboxRule", "email,configuration", "creation"},
        {"Set-InboxRule", "email,configuration", "change"},
        {"Remove-InboxRule", "email,configuration", "deletion"},
        {"UpdateInboxRules", "email,configuration", "change"},
        {"Set-Mailbox", "email,configuration", "change"},
        {"Add-MailboxPermission", "iam,configuration", "creation"},
        {"MailItemsAccessed", "email", "access"},
        {"HardDelete", "email", "deletion"},
        {"UserLoggedIn", "authentication", "start"},
        {"UserLoginFailed", "authentication", "info"},
        {"Add member to role.", "iam", "group,change"},
        {"Delete user.", "iam", "user,deletion"},
        {"Add application.", "configuration", "creation"},
        {"Set-AdminAuditLogConfig", "configuration", "change"},
        {"FileDownloaded", "file", "access"},
        {"SomethingNew", "", "info"},
    };
    auto join = [](const std::vector<std::string_view>& v) {
        std::string s;
        for (auto x : v) s += (s.empty() ? "" : ",") + std::string(x);
        return s;
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.op);
        auto r = o365::classify_o365_operation(c.op, false);
        EXPECT_EQ(join(r.category), c.category);
        EXPECT_EQ(join(r.type), c.type);
    }
}

TEST(O365Sniff, ClaimsAuditRecordsAndNotOthers) {
    std::string rec(kForwardRecord);
    EXPECT_GE(o365::sniff_o365(rec, "x.json"), 70);
    EXPECT_GE(
        o365::sniff_o365(
            "[\r\n    {\r\n        \"RecordType\": 1, \"Operation\": \"x\", \"CreationTime\": \"\"",
            "x.json"),
        70);
    EXPECT_EQ(
        o365::sniff_o365(
            "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\n", "a.csv"),
        90);
    EXPECT_EQ(o365::sniff_o365("#TYPE X\n\"RecordType\",\"CreationDate\",\"AuditData\"\n", "a.csv"),
              90);
    EXPECT_EQ(o365::sniff_o365(R"({"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"x"}})",
                               "e.ndjson"),
              0);
    EXPECT_EQ(o365::sniff_o365("type=SYSCALL msg=audit(1.2:3): a=b", "audit.log"), 0);
    // The registry prefers o365 over ndjson (which scores up to 40 for any object per line).
    auto* info = CollectorRegistry::builtin().detect(rec + "\n", "x.ndjson");
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "o365");
}

}  // namespace
}  // namespace attest
