// Tests for collectors/mde.cpp on the synthetic samples in tests/data/mde (hand-made to the
// documented advanced hunting column shapes; there are no real MDE exports in shared/data).
#include "collectors/mde.h"

#include <gtest/gtest.h>

#include "collect_helpers.h"
#include "collectors/json_stream.h"

namespace attest {
namespace {

using testing::collect_file;
using testing::collect_text;
using testing::str_at;

const std::string kDataDir = std::string(ATTEST_SOURCE_DIR) + "/tests/data/mde/";

TEST(MdeStreamingExport, EveryTableMapsToTheEndpointVocabulary) {
    auto c = collect_file(kDataDir + "synthetic_streaming_export.ndjson", "");
    ASSERT_TRUE(c.opened) << c.open_error;
    ASSERT_EQ(c.events.size(), 5u) << c.diagnostics_text();
    EXPECT_TRUE(c.diagnostics.empty());

    const Event& proc = c.events[0];
    EXPECT_EQ(str_at(proc, "attest.source"), "mde");
    EXPECT_EQ(str_at(proc, "event.dataset"), "m365_defender.event");
    EXPECT_EQ(str_at(proc, "event.action"), "start");
    EXPECT_EQ(str_at(proc, "event.category"), R"(["process"])");
    EXPECT_EQ(str_at(proc, "@timestamp"), "2024-10-08T05:10:00.987Z");
    EXPECT_EQ(str_at(proc, "host.name"), "ws01.contoso.local");
    EXPECT_EQ(str_at(proc, "process.name"), "powershell.exe");
    EXPECT_EQ(str_at(proc, "process.pid"), "4242");
    EXPECT_EQ(str_at(proc, "process.executable"),
              "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    EXPECT_EQ(str_at(proc, "process.hash.sha256"),
              "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c");
    EXPECT_EQ(str_at(proc, "process.parent.name"), "cmd.exe");
    EXPECT_EQ(str_at(proc, "process.parent.pid"), "4100");
    EXPECT_EQ(str_at(proc, "process.parent.command_line"), "cmd.exe /c run.cmd");
    EXPECT_EQ(str_at(proc, "user.name"), "adam");
    EXPECT_EQ(str_at(proc, "mde.table"), "DeviceProcessEvents");
    EXPECT_EQ(str_at(proc, "mde.ReportId"), "1001");

    const Event& created = c.events[1];
    EXPECT_EQ(str_at(created, "event.action"), "creation");
    EXPECT_EQ(str_at(created, "event.category"), R"(["file"])");
    EXPECT_EQ(str_at(created, "file.path"),
              "C:\\Users\\adam\\AppData\\Local\\Microsoft\\Outlook\\archive.pst");
    EXPECT_EQ(str_at(created, "file.name"), "archive.pst");
    EXPECT_EQ(str_at(created, "file.extension"), "pst");
    EXPECT_EQ(str_at(created, "file.directory"), "C:\\Users\\adam\\AppData\\Local\\Microsoft\\Outlook");
    EXPECT_EQ(str_at(created, "file.size"), "1048576");
    EXPECT_EQ(str_at(created, "process.name"), "powershell.exe");
    EXPECT_EQ(str_at(created, "process.parent.name"), "cmd.exe");
    // The same process seen as the created one and as the initiator: same entity id, although
    // its creation time is written "...Z" in one row and "+00:00" in the other.
    EXPECT_EQ(str_at(created, "process.entity_id"), str_at(proc, "process.entity_id"));
    EXPECT_EQ(str_at(proc, "process.entity_id").size(), 16u);
    EXPECT_EQ(str_at(created, "process.parent.entity_id"), str_at(proc, "process.parent.entity_id"));

    const Event& renamed = c.events[2];
    EXPECT_EQ(str_at(renamed, "event.action"), "rename");
    EXPECT_EQ(str_at(renamed, "file.Ext.original.path"),
              "C:\\Users\\adam\\AppData\\Local\\Microsoft\\Outlook\\archive.pst");
    EXPECT_EQ(str_at(renamed, "process.entity_id"), str_at(proc, "process.entity_id"));

    const Event& net = c.events[3];
    EXPECT_EQ(str_at(net, "event.action"), "connection_attempted");
    EXPECT_EQ(str_at(net, "event.category"), R"(["network"])");
    EXPECT_EQ(str_at(net, "destination.ip"), "203.0.113.10");
    EXPECT_EQ(str_at(net, "destination.port"), "443");
    EXPECT_EQ(str_at(net, "source.ip"), "10.0.0.5");
    EXPECT_EQ(str_at(net, "url.original"), "https://exfil.example.net/upload");
    EXPECT_EQ(str_at(net, "network.transport"), "tcp");
    EXPECT_EQ(str_at(net, "process.executable"), "C:\\Windows\\System32\\curl.exe");

    const Event& load = c.events[4];
    EXPECT_EQ(str_at(load, "event.action"), "load");
    EXPECT_EQ(str_at(load, "event.category"), R"(["library"])");
    EXPECT_EQ(str_at(load, "dll.name"), "System.Management.Automation.dll");
    EXPECT_EQ(str_at(load, "file.extension"), "dll");
}

TEST(MdeApiResults, RowsUnderResultsWithInferredTables) {
    auto c = collect_file(kDataDir + "synthetic_api_results.json", "");
    ASSERT_TRUE(c.opened) << c.open_error;
    ASSERT_EQ(c.events.size(), 3u) << c.diagnostics_text();
    EXPECT_EQ(str_at(c.events[0], "event.action"), "overwrite");
    EXPECT_EQ(str_at(c.events[0], "mde.table"), "DeviceFileEvents");
    EXPECT_EQ(str_at(c.events[1], "event.action"), "deletion");
    EXPECT_EQ(str_at(c.events[1], "event.type"), R"(["deletion"])");
    EXPECT_EQ(str_at(c.events[2], "mde.table"), "DeviceNetworkEvents");
    EXPECT_EQ(str_at(c.events[2], "destination.port"), "25");
    EXPECT_EQ(str_at(c.events[0], "process.entity_id"), str_at(c.events[2], "process.entity_id"));
    EXPECT_NE(str_at(c.events[0], "process.entity_id"), str_at(c.events[1], "process.entity_id"));
}

TEST(MdeRows, ArrayOfBareRows) {
    auto c = collect_file(kDataDir + "synthetic_rows_array.json", "mde");
    ASSERT_EQ(c.events.size(), 2u) << c.diagnostics_text();
    EXPECT_EQ(str_at(c.events[0], "event.action"), "creation");
    EXPECT_EQ(str_at(c.events[1], "event.action"), "start");
    EXPECT_EQ(str_at(c.events[1], "process.command_line"), "7z a D:\\staging\\dump.zip");
    EXPECT_EQ(str_at(c.events[1], "process.parent.entity_id"), str_at(c.events[0], "process.entity_id"));
}

TEST(MdeRows, EventHubRecordsWrapperAndFolderOnlyPaths) {
    std::string text =
        R"({"records":[{"time":"2024-01-01T00:00:00Z","category":"AdvancedHunting-DeviceFileEvents","properties":{"DeviceName":"h","ActionType":"FileCreated","FileName":"a.txt","FolderPath":"C:\\tmp"}}]})";
    auto c = collect_text(text, "mde", ".json");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    // No Timestamp column: the wrapper's time is used; FolderPath without the name is joined.
    EXPECT_EQ(str_at(c.events[0], "@timestamp"), "2024-01-01T00:00:00.000Z");
    EXPECT_EQ(str_at(c.events[0], "file.path"), "C:\\tmp\\a.txt");
}

TEST(MdeHelpers, InferTableAndActions) {
    auto row = [](const char* json) {
        Value v;
        std::string e;
        std::size_t off;
        EXPECT_TRUE(parse_json_record(json, v, e, off));
        return v;
    };
    EXPECT_EQ(mde::infer_table(row(R"({"ActionType":"ConnectionSuccess","RemoteIP":"1.1.1.1"})")), "DeviceNetworkEvents");
    EXPECT_EQ(mde::infer_table(row(R"({"ActionType":"ImageLoaded"})")), "DeviceImageLoadEvents");
    EXPECT_EQ(mde::infer_table(row(R"({"ActionType":"FileDeleted"})")), "DeviceFileEvents");
    EXPECT_EQ(mde::infer_table(row(R"({"ActionType":"ProcessCreated"})")), "DeviceProcessEvents");
    EXPECT_EQ(mde::infer_table(row(R"({"ActionType":"AntivirusDetection"})")), "DeviceEvents");
    EXPECT_EQ(mde::endpoint_action("FileModified"), "overwrite");
    EXPECT_EQ(mde::endpoint_action("ConnectionAttempt"), "connection_attempted");
    EXPECT_EQ(mde::endpoint_action("Whatever"), "");
    Value pid(42);
    Value t1("2024-10-08T05:10:00.9Z"), t2("2024-10-08T05:10:00.900+00:00"), t3("2024-10-08T05:10:01Z");
    EXPECT_EQ(mde::process_entity_id("d", &pid, &t1), mde::process_entity_id("d", &pid, &t2));
    EXPECT_NE(mde::process_entity_id("d", &pid, &t1), mde::process_entity_id("d", &pid, &t3));
    EXPECT_NE(mde::process_entity_id("d", &pid, &t1), mde::process_entity_id("e", &pid, &t1));
}

TEST(MdeErrors, BadRowsAreReportedWithPositions) {
    std::string good =
        R"({"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"h","ActionType":"FileCreated","FolderPath":"C:\\a.txt"})";
    std::string text = good + "\n" + R"({"DeviceName":"h","ActionType":"FileCreated"})" + "\n" +
                       R"({"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"h","ActionType":,})" + "\n" +
                       "[1]\n" + good.substr(0, 40);
    auto c = collect_text(text, "mde", ".json");
    ASSERT_EQ(c.events.size(), 1u) << c.diagnostics_text();
    ASSERT_EQ(c.diagnostics.size(), 4u) << c.diagnostics_text();
    EXPECT_EQ(c.diagnostics[0].line, 2u);
    EXPECT_NE(c.diagnostics[0].message.find("Timestamp"), std::string::npos);
    EXPECT_EQ(c.diagnostics[1].line, 3u);
    EXPECT_EQ(c.diagnostics[1].column, 67u);
    EXPECT_EQ(c.diagnostics[2].line, 4u);  // [1] is an array of one scalar: not a row
    EXPECT_EQ(c.diagnostics[3].line, 5u);
    EXPECT_NE(c.diagnostics[3].message.find("truncated"), std::string::npos);
}

TEST(MdeSniff, ClaimsHuntingRowsNotAuditRecords) {
    EXPECT_EQ(mde::sniff_mde(R"({"time":"x","category":"AdvancedHunting-DeviceFileEvents","properties":{}})", "x"), 90);
    EXPECT_GE(mde::sniff_mde(R"([{"Timestamp":"x","DeviceName":"h","ActionType":"FileCreated"}])", "x"), 80);
    EXPECT_EQ(mde::sniff_mde(R"({"CreationTime":"x","Operation":"New-InboxRule","RecordType":1})", "x"), 0);
    EXPECT_EQ(mde::sniff_mde("type=SYSCALL msg=audit(1.2:3):", "x"), 0);
    auto* info = CollectorRegistry::builtin().detect(
        R"({"Timestamp":"x","DeviceName":"h","ActionType":"FileCreated"})" "\n", "rows.ndjson");
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, "mde");
}

}  // namespace
}  // namespace attest
