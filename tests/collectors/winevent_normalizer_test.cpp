// WinEventNormalizer: the ECS mapping of each Sysmon event ID (sysmon profile: the endpoint
// translation is the telemetry layer's, tests/telemetry/vocabulary_test.cpp), PowerShell
// 4104 reassembly and 4103, driven through WinEventRecords (as both readers build them).
#include <gtest/gtest.h>

#include "collectors/winevent.h"
#include "tests/collectors/winevent_test_support.h"

namespace attest {
namespace {

WinEventRecord sysmon_record(int eid, std::vector<std::pair<std::string, std::string>> data) {
    WinEventRecord r;
    r.provider_name = "Microsoft-Windows-Sysmon";
    r.provider_guid = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
    r.event_id = eid;
    r.version = "5";
    r.level = "4";
    r.time_created = "2019-07-19T14:42:51.446280900Z";
    r.record_id = 42;
    r.has_record_id = true;
    r.process_id = "2796";
    r.thread_id = "3592";
    r.channel = "Microsoft-Windows-Sysmon/Operational";
    r.computer = "HOST1";
    r.user_id = "S-1-5-18";
    r.data = std::move(data);
    r.position = Value(7);
    return r;
}

std::vector<Event> normalize(std::vector<WinEventRecord> records, DiagnosticSink* sink = nullptr) {
    CollectorOptions opts;
    opts.origin = "mem";
    WinEventNormalizer n(opts, "test");
    if (sink) n.set_diagnostics(sink, "mem");
    std::vector<Event> out;
    Event e;
    for (auto& r : records) {
        n.add(r);
        while (n.pop(e)) out.push_back(e);
    }
    n.finish();
    while (n.pop(e)) out.push_back(e);
    return out;
}

std::string s(const Event& e, std::string_view path) {
    const Value* v = e.find(path);
    return v != nullptr && v->is_string() ? v->as_string() : (v != nullptr ? v->to_json() : std::string("<absent>"));
}

const std::vector<std::pair<std::string, std::string>> kProcessCreate = {
    {"RuleName", "-"},
    {"UtcTime", "2019-07-19 14:42:51.257"},
    {"ProcessGuid", "{747F3D96-D6EB-5D31-0000-0010E0252500}"},
    {"ProcessId", "5828"},
    {"Image", "C:\\Windows\\System32\\cmd.exe"},
    {"OriginalFileName", "Cmd.Exe"},
    {"CommandLine", "cmd.exe /c \"echo a b\" C:\\x\\\\\"y z\""},
    {"CurrentDirectory", "C:\\Users\\bob\\"},
    {"User", "CORP\\bob"},
    {"LogonGuid", "{00000000-0000-0000-0000-000000000000}"},
    {"Hashes", "SHA1=AA,MD5=BB,SHA256=CC,IMPHASH=DD"},
    {"ParentProcessGuid", "{747F3D96-D4B9-5D31-0000-0010F70B0700}"},
    {"ParentProcessId", "4516"},
    {"ParentImage", "C:\\Windows\\explorer.exe"},
    {"ParentCommandLine", "C:\\Windows\\Explorer.EXE"},
};

TEST(WinEventNormalizerTest, ProcessCreateSysmonProfile) {
    auto ev = normalize({sysmon_record(1, kProcessCreate)});
    ASSERT_EQ(ev.size(), 1u);
    const Event& e = ev[0];
    EXPECT_EQ(s(e, "@timestamp"), "2019-07-19T14:42:51.257Z");
    EXPECT_EQ(s(e, "event.created"), "2019-07-19T14:42:51.446Z");
    EXPECT_EQ(s(e, "event.code"), "1");
    EXPECT_EQ(s(e, "event.action"), "ProcessCreate");
    EXPECT_EQ(s(e, "event.category"), R"(["process"])");
    EXPECT_EQ(s(e, "event.type"), R"(["start"])");
    EXPECT_EQ(s(e, "event.dataset"), "windows.sysmon_operational");
    EXPECT_EQ(s(e, "event.provider"), "Microsoft-Windows-Sysmon");
    EXPECT_EQ(s(e, "host.name"), "HOST1");
    EXPECT_EQ(s(e, "winlog.event_id"), "1");
    EXPECT_EQ(s(e, "winlog.record_id"), "42");
    EXPECT_EQ(s(e, "winlog.computer_name"), "HOST1");
    EXPECT_EQ(s(e, "winlog.channel"), "Microsoft-Windows-Sysmon/Operational");
    EXPECT_EQ(s(e, "winlog.provider_name"), "Microsoft-Windows-Sysmon");
    EXPECT_EQ(s(e, "winlog.process.pid"), "2796");  // the Sysmon service, not the subject
    EXPECT_EQ(s(e, "process.entity_id"), "{747F3D96-D6EB-5D31-0000-0010E0252500}");
    EXPECT_EQ(s(e, "process.pid"), "5828");
    EXPECT_EQ(s(e, "process.executable"), "C:\\Windows\\System32\\cmd.exe");
    EXPECT_EQ(s(e, "process.name"), "cmd.exe");
    EXPECT_EQ(s(e, "process.command_line"), "cmd.exe /c \"echo a b\" C:\\x\\\\\"y z\"");
    EXPECT_EQ(s(e, "process.args"), R"(["cmd.exe","/c","echo a b","C:\\x\\y z"])");
    EXPECT_EQ(s(e, "process.working_directory"), "C:\\Users\\bob\\");
    EXPECT_EQ(s(e, "process.pe.original_file_name"), "Cmd.Exe");
    EXPECT_EQ(s(e, "process.hash.sha1"), "aa");
    EXPECT_EQ(s(e, "process.hash.md5"), "bb");
    EXPECT_EQ(s(e, "process.hash.sha256"), "cc");
    EXPECT_EQ(s(e, "process.hash.imphash"), "dd");
    EXPECT_EQ(s(e, "process.parent.entity_id"), "{747F3D96-D4B9-5D31-0000-0010F70B0700}");
    EXPECT_EQ(s(e, "process.parent.pid"), "4516");
    EXPECT_EQ(s(e, "process.parent.executable"), "C:\\Windows\\explorer.exe");
    EXPECT_EQ(s(e, "process.parent.name"), "explorer.exe");
    EXPECT_EQ(s(e, "process.parent.command_line"), "C:\\Windows\\Explorer.EXE");
    EXPECT_EQ(s(e, "user.domain"), "CORP");
    EXPECT_EQ(s(e, "user.name"), "bob");
    // Absent values are dropped everywhere, raw event data included.
    EXPECT_EQ(s(e, "winlog.event_data.RuleName"), "<absent>");
    EXPECT_EQ(s(e, "winlog.event_data.LogonGuid"), "<absent>");
    EXPECT_EQ(s(e, "winlog.event_data.User"), "CORP\\bob");
    EXPECT_EQ(s(e, "attest.source"), "test");
    EXPECT_EQ(s(e, "attest.origin"), "mem");
    EXPECT_EQ(s(e, "attest.position"), "7");
}

struct EidCase {
    int eid;
    std::vector<std::pair<std::string, std::string>> data;
    const char* sysmon_action;
    const char* category;
    const char* type;
    std::vector<std::pair<const char*, const char*>> fields;  // ECS path -> expected (JSON for non-strings)
};

TEST(WinEventNormalizerTest, EachSysmonEventId) {
    const std::string guid = "{747F3D96-D6EB-5D31-0000-0010E0252500}";
    const EidCase cases[] = {
        {3,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"},
          {"User", "NT AUTHORITY\\SYSTEM"},
          {"Protocol", "TCP"},
          {"Initiated", "true"},
          {"SourceIsIpv6", "false"},
          {"SourceIp", "10.0.0.5"},
          {"SourceHostname", "h.local"},
          {"SourcePort", "50000"},
          {"DestinationIsIpv6", "false"},
          {"DestinationIp", "93.184.216.34"},
          {"DestinationHostname", ""},
          {"DestinationPort", "443"},
          {"DestinationPortName", "https"}},
         "NetworkConnect",
         R"(["network"])",
         nullptr,
         {{"source.ip", "10.0.0.5"},
          {"source.port", "50000"},
          {"source.domain", "h.local"},
          {"destination.ip", "93.184.216.34"},
          {"destination.port", "443"},
          {"destination.domain", "<absent>"},
          {"network.transport", "tcp"},
          {"network.type", "ipv4"},
          {"process.name", "b.exe"},
          {"user.name", "SYSTEM"}}},
        {5,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"}},
         "ProcessTerminate",
         R"(["process"])",
         R"(["end"])",
         {{"process.pid", "10"}, {"process.executable", "C:\\a\\b.exe"}}},
        {7,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"},
          {"ImageLoaded", "C:\\Windows\\System32\\wininet.dll"},
          {"Hashes", "SHA256=EE"},
          {"Signed", "true"}},
         "ImageLoad",
         nullptr,
         nullptr,
         {{"file.path", "C:\\Windows\\System32\\wininet.dll"},
          {"file.name", "wininet.dll"},
          {"dll.path", "C:\\Windows\\System32\\wininet.dll"},
          {"dll.name", "wininet.dll"},
          {"file.hash.sha256", "ee"},
          {"process.hash", "<absent>"}}},
        {11,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"},
          {"TargetFilename", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Outlook\\bob.OST"},
          {"CreationUtcTime", "2019-07-19 14:42:52.000"}},
         "FileCreate",
         R"(["file"])",
         R"(["creation"])",
         {{"file.path", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Outlook\\bob.OST"},
          {"file.name", "bob.OST"},
          {"file.directory", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Outlook"},
          {"file.extension", "OST"},
          {"user", "<absent>"}}},
        {12,
         {{"EventType", "CreateKey"},
          {"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"},
          {"TargetObject", "HKLM\\SOFTWARE\\Evil"}},
         "RegistryEvent (Object create and delete)",
         R"(["registry"])",
         nullptr,
         {{"registry.path", "HKLM\\SOFTWARE\\Evil"},
          {"registry.hive", "HKLM"},
          {"registry.key", "SOFTWARE\\Evil"},
          {"registry.value", "<absent>"}}},
        {13,
         {{"EventType", "SetValue"},
          {"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"Image", "C:\\a\\b.exe"},
          {"TargetObject", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"},
          {"Details", "C:\\evil.exe"}},
         "RegistryEvent (Value Set)",
         R"(["registry"])",
         R"(["change"])",
         {{"registry.hive", "HKLM"},
          {"registry.key", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"},
          {"registry.value", "evil"},
          {"registry.data.strings", R"(["C:\\evil.exe"])"}}},
        {22,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"QueryName", "example.com"},
          {"QueryStatus", "0"},
          {"QueryResults", "type:  5 edge.example.net;::ffff:93.184.216.34;2606:2800::1;"},
          {"Image", "C:\\a\\b.exe"}},
         "DnsQuery",
         R"(["network"])",
         nullptr,
         {{"dns.question.name", "example.com"},
          {"dns.answers",
           R"([{"type":"CNAME","data":"edge.example.net"},{"type":"A","data":"93.184.216.34"},{"type":"AAAA","data":"2606:2800::1"}])"},
          {"dns.resolved_ip", R"(["93.184.216.34","2606:2800::1"])"}}},
        {23,
         {{"UtcTime", "2019-07-19 14:42:52.000"},
          {"ProcessGuid", guid},
          {"ProcessId", "10"},
          {"User", "CORP\\bob"},
          {"Image", "C:\\a\\b.exe"},
          {"TargetFilename", "C:\\tmp\\x.txt"},
          {"Hashes", "MD5=01"},
          {"IsExecutable", "false"},
          {"Archived", "true"}},
         "FileDelete",
         R"(["file"])",
         R"(["deletion"])",
         {{"file.path", "C:\\tmp\\x.txt"}, {"file.extension", "txt"}, {"file.hash.md5", "01"}}},
    };
    for (const auto& c : cases) {
        auto ev = normalize({sysmon_record(c.eid, c.data)});
        ASSERT_EQ(ev.size(), 1u);
        const Event& e = ev[0];
        std::string ctx = "EID " + std::to_string(c.eid);
        EXPECT_EQ(s(e, "event.code"), std::to_string(c.eid)) << ctx;
        EXPECT_EQ(s(e, "event.action"), c.sysmon_action) << ctx;
        if (c.category) {
            EXPECT_EQ(s(e, "event.category"), c.category) << ctx;
        }
        if (c.type) {
            EXPECT_EQ(s(e, "event.type"), c.type) << ctx;
        }
        EXPECT_EQ(s(e, "@timestamp"), "2019-07-19T14:42:52.000Z") << ctx;
        EXPECT_EQ(s(e, "process.entity_id"), "{747F3D96-D6EB-5D31-0000-0010E0252500}") << ctx;
        for (const auto& [path, want] : c.fields)
            EXPECT_EQ(s(e, path), want) << ctx << " field " << path;
    }
}

TEST(WinEventNormalizerTest, CategoryAndTypeFollowTheSpecTable) {
    const std::tuple<int, const char*, const char*, const char*> table[] = {
        {1, "process", "start", nullptr},       {3, "network", "start", "connection"},
        {5, "process", "end", nullptr},         {7, "process", "change", nullptr},
        {8, "process", "change", nullptr},      {10, "process", "access", nullptr},
        {11, "file", "creation", nullptr},      {13, "registry", "change", nullptr},
        {14, "registry", "change", nullptr},    {15, "file", "access", nullptr},
        {22, "network", "info", nullptr},       {23, "file", "deletion", nullptr},
        {26, "file", "deletion", nullptr},      {29, "file", "creation", nullptr},
    };
    for (const auto& [eid, category, type, type2] : table) {
        auto ev = normalize({sysmon_record(eid, {{"UtcTime", "2019-07-19 14:42:52.000"}})});
        ASSERT_EQ(ev.size(), 1u);
        EXPECT_EQ(s(ev[0], "event.category"), "[\"" + std::string(category) + "\"]") << eid;
        std::string types = "[\"" + std::string(type) + "\"" + (type2 ? ",\"" + std::string(type2) + "\"" : "") + "]";
        EXPECT_EQ(s(ev[0], "event.type"), types) << eid;
    }
    // 12: creation or deletion by EventType
    auto del = normalize({sysmon_record(12, {{"EventType", "DeleteKey"}, {"TargetObject", "HKLM\\X"}})});
    EXPECT_EQ(s(del[0], "event.type"), R"(["deletion"])");
}

// Renderers spell GUIDs braced or bare, in either case (spec/telemetry.md "GUIDs and hex
// differ by renderer"): every GUID field comes out as Windows writes it, braced upper-case.
TEST(WinEventNormalizerTest, GuidsComeOutBracedUpperCaseFromEveryRendering) {
    const char* want = "{747F3D96-D6EB-5D31-0000-0010E0252500}";
    for (const char* spelling :
         {"{747f3d96-d6eb-5d31-0000-0010e0252500}", "{747F3D96-D6EB-5D31-0000-0010E0252500}",
          "747f3d96-d6eb-5d31-0000-0010e0252500", "747F3D96-D6EB-5D31-0000-0010E0252500"}) {
        auto r = sysmon_record(1, {{"ProcessGuid", spelling},
                                   {"ParentProcessGuid", spelling},
                                   {"LogonGuid", spelling},
                                   {"RuleName", "747f3d96-d6eb-5d31-0000-0010e0252500"}});
        r.provider_guid = "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}";
        auto ev = normalize({r});
        ASSERT_EQ(ev.size(), 1u);
        EXPECT_EQ(s(ev[0], "process.entity_id"), want) << spelling;
        EXPECT_EQ(s(ev[0], "process.parent.entity_id"), want) << spelling;
        EXPECT_EQ(s(ev[0], "winlog.event_data.LogonGuid"), want) << spelling;
        EXPECT_EQ(s(ev[0], "winlog.provider_guid"), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
        // A value that only looks like a GUID, in a field that does not name one, stays as is.
        EXPECT_EQ(s(ev[0], "winlog.event_data.RuleName"), "747f3d96-d6eb-5d31-0000-0010e0252500");
    }
    // The all-zero GUID means absent in either spelling.
    auto zero =
        normalize({sysmon_record(1, {{"LogonGuid", "00000000-0000-0000-0000-000000000000"}})});
    EXPECT_EQ(s(zero[0], "winlog.event_data.LogonGuid"), "<absent>");
}

TEST(WinEventNormalizerTest, ProcessAccessUsesTheSourceProcess) {
    auto ev = normalize({sysmon_record(10, {{"SourceProcessGUID", "{747F3D96-0000-0000-0000-000000000001}"},
                                            {"SourceProcessId", "100"},
                                            {"SourceImage", "C:\\tools\\mimikatz.exe"},
                                            {"TargetImage", "C:\\Windows\\system32\\lsass.exe"},
                                            {"GrantedAccess", "0x1010"}})});
    EXPECT_EQ(s(ev[0], "process.entity_id"), "{747F3D96-0000-0000-0000-000000000001}");
    EXPECT_EQ(s(ev[0], "process.name"), "mimikatz.exe");
    EXPECT_EQ(s(ev[0], "winlog.event_data.TargetImage"), "C:\\Windows\\system32\\lsass.exe");
}

// --- PowerShell ---------------------------------------------------------------------------------

WinEventRecord ps_record(int eid, std::vector<std::pair<std::string, std::string>> data, int position,
                         std::string computer = "WS1") {
    WinEventRecord r;
    r.provider_name = "Microsoft-Windows-PowerShell";
    r.event_id = eid;
    r.level = "5";
    r.time_created = "2020-08-26T05:09:28.845521500Z";
    r.record_id = static_cast<std::uint64_t>(position);
    r.has_record_id = true;
    r.channel = "Microsoft-Windows-PowerShell/Operational";
    r.computer = std::move(computer);
    r.user_id = "S-1-5-21-1-2-3-1001";
    r.data = std::move(data);
    r.position = Value(position);
    return r;
}

WinEventRecord part(int number, int total, std::string text, std::string id, int position,
                    std::string computer = "WS1") {
    return ps_record(4104,
                     {{"MessageNumber", std::to_string(number)},
                      {"MessageTotal", std::to_string(total)},
                      {"ScriptBlockText", std::move(text)},
                      {"ScriptBlockId", std::move(id)},
                      {"Path", "C:\\scripts\\big.ps1"}},
                     position, std::move(computer));
}

TEST(WinEventNormalizerTest, UnsplitScriptBlockPassesThroughInOrder) {
    auto ev = normalize({part(1, 1, "Get-Process", "id-a", 1), sysmon_record(1, kProcessCreate),
                         part(1, 1, "Get-Item x", "id-b", 3)});
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_text"), "Get-Process");
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_complete"), "true");
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_id"), "id-a");
    EXPECT_EQ(s(ev[0], "powershell.sequence"), "1");
    EXPECT_EQ(s(ev[0], "powershell.total"), "1");
    EXPECT_EQ(s(ev[0], "event.code"), "4104");
    EXPECT_EQ(s(ev[0], "event.category"), R"(["process"])");
    EXPECT_EQ(s(ev[0], "event.dataset"), "windows.powershell_operational");
    EXPECT_EQ(s(ev[0], "user.id"), "S-1-5-21-1-2-3-1001");
    EXPECT_EQ(s(ev[0], "file.path"), "C:\\scripts\\big.ps1");
    EXPECT_EQ(s(ev[0], "host.name"), "WS1");
    EXPECT_EQ(s(ev[0], "@timestamp"), "2020-08-26T05:09:28.845Z");
    EXPECT_EQ(s(ev[1], "event.code"), "1");
    EXPECT_EQ(s(ev[2], "powershell.file.script_block_text"), "Get-Item x");
}

TEST(WinEventNormalizerTest, ThreePartsOutOfOrderAreReassembled) {
    auto ev = normalize({part(3, 3, "CCC", "id-x", 1), sysmon_record(5, {{"ProcessId", "1"}}), part(1, 3, "AAA", "id-x", 3),
                         part(1, 3, "other-host", "id-x", 4, "WS2"), part(2, 3, "BBB", "id-x", 5)});
    // Order: the Sysmon event, then the reassembled block when its last part arrived, then
    // the other host's (same id, different computer) partial block at finish().
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(s(ev[0], "event.code"), "5");
    EXPECT_EQ(s(ev[1], "powershell.file.script_block_text"), "AAABBBCCC");
    EXPECT_EQ(s(ev[1], "winlog.event_data.ScriptBlockText"), "AAABBBCCC");
    EXPECT_EQ(s(ev[1], "powershell.file.script_block_complete"), "true");
    EXPECT_EQ(s(ev[1], "powershell.total"), "3");
    EXPECT_EQ(s(ev[1], "powershell.sequence"), "1");
    EXPECT_EQ(s(ev[1], "attest.position"), "3");  // the first part's record
    EXPECT_EQ(s(ev[2], "host.name"), "WS2");
    EXPECT_EQ(s(ev[2], "powershell.file.script_block_complete"), "false");
    EXPECT_EQ(s(ev[2], "powershell.file.script_block_missing_parts"), "[2,3]");
}

TEST(WinEventNormalizerTest, LostPartGivesAnIncompleteBlockAtFinish) {
    auto ev = normalize({part(1, 3, "AAA", "id-y", 1), part(3, 3, "CCC", "id-y", 2), sysmon_record(5, {})});
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(s(ev[0], "event.code"), "5");
    EXPECT_EQ(s(ev[1], "powershell.file.script_block_text"), "AAACCC");
    EXPECT_EQ(s(ev[1], "powershell.file.script_block_complete"), "false");
    EXPECT_EQ(s(ev[1], "powershell.file.script_block_missing_parts"), "[2]");
}

TEST(WinEventNormalizerTest, DuplicatePartIsReportedAndIgnored) {
    DiagnosticSink sink;
    auto ev = normalize(
        {part(1, 2, "AAA", "id-z", 1), part(1, 2, "AAA", "id-z", 2), part(2, 2, "BBB", "id-z", 3)},
        &sink);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_text"), "AAABBB");
    ASSERT_EQ(sink.collected().size(), 1u);
    EXPECT_EQ(sink.collected()[0].format(), "mem:2: warning: script block id-z: part 1 seen twice; the repeat is ignored");
}

TEST(WinEventNormalizerTest, PendingBlocksAreBounded) {
    DiagnosticSink sink;
    std::vector<WinEventRecord> records;
    const std::size_t n = WinEventNormalizer::kMaxPendingBlocks + 5;
    for (std::size_t i = 0; i < n; ++i) records.push_back(part(1, 2, "X", "id-" + std::to_string(i), static_cast<int>(i)));
    auto ev = normalize(std::move(records), &sink);
    ASSERT_EQ(ev.size(), n);
    // The 5 oldest were emitted early (incomplete, reported), the rest at finish().
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_id"), "id-0");
    EXPECT_EQ(s(ev[0], "powershell.file.script_block_complete"), "false");
    EXPECT_EQ(sink.warning_count(), 5u);
}

TEST(WinEventNormalizerTest, ModuleLogging4103) {
    const std::string context =
        "        Severity = Informational\r\n"
        "        Host Name = ConsoleHost\r\n"
        "        Host Application = C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -c \"Get-Process explorer\"\r\n"
        "        Engine Version = 5.1.17763.1\r\n"
        "        Command Name = Get-Process\r\n"
        "        Command Type = Cmdlet\r\n"
        "        Script Name = \r\n"
        "        Sequence Number = 16\r\n"
        "        User = CORP\\bob\r\n";
    const std::string payload =
        "CommandInvocation(Get-Process): \"Get-Process\"\r\n"
        "ParameterBinding(Get-Process): name=\"Name\"; value=\"explorer\"\r\n";
    auto ev = normalize({ps_record(4103, {{"ContextInfo", context}, {"UserData", ""}, {"Payload", payload}}, 1)});
    ASSERT_EQ(ev.size(), 1u);
    const Event& e = ev[0];
    EXPECT_EQ(s(e, "event.code"), "4103");
    EXPECT_EQ(s(e, "powershell.command.name"), "Get-Process");
    EXPECT_EQ(s(e, "powershell.command.type"), "Cmdlet");
    EXPECT_EQ(s(e, "process.command_line"),
              "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -nop -c \"Get-Process explorer\"");
    EXPECT_EQ(s(e, "process.args"),
              R"(["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","-nop","-c","Get-Process explorer"])");
    EXPECT_EQ(s(e, "powershell.command.invocation_details"),
              R"([{"type":"CommandInvocation","related_command":"Get-Process","value":"Get-Process"},)"
              R"({"type":"ParameterBinding","related_command":"Get-Process","name":"Name","value":"explorer"}])");
    EXPECT_EQ(s(e, "powershell.sequence"), "16");
    EXPECT_EQ(s(e, "user.name"), "bob");
    EXPECT_EQ(s(e, "file.path"), "<absent>");
}

TEST(WinEventNormalizerTest, GenericChannelKeepsWinlogFields) {
    WinEventRecord r;
    r.provider_name = "Microsoft-Windows-Security-Auditing";
    r.event_id = 4799;
    r.time_created = "2023-01-24T11:52:02.155029100Z";
    r.channel = "Security";
    r.computer = "dc1";
    r.data = {{"TargetUserName", "Administrators"}, {"CallerProcessName", "-"}};
    auto ev = normalize({r});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(s(ev[0], "event.code"), "4799");
    EXPECT_EQ(s(ev[0], "winlog.event_id"), "4799");
    EXPECT_EQ(s(ev[0], "winlog.channel"), "Security");
    EXPECT_EQ(s(ev[0], "winlog.event_data.TargetUserName"), "Administrators");
    EXPECT_EQ(s(ev[0], "winlog.event_data.CallerProcessName"), "<absent>");
    EXPECT_EQ(s(ev[0], "@timestamp"), "2023-01-24T11:52:02.155Z");
    EXPECT_EQ(s(ev[0], "event.action"), "<absent>");
    // The dataset a pack's `source: security` selects (expectations/sources.cpp).
    EXPECT_EQ(s(ev[0], "event.dataset"), "windows.security");
    r.channel = "Application";
    r.provider_name = "MsiInstaller";
    EXPECT_EQ(s(normalize({r})[0], "event.dataset"), "<absent>");
}

}  // namespace
}  // namespace attest
