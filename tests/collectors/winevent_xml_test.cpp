// The winevent_xml collector: every input variant of shared/spec/telemetry.md, bad input, and
// the real samples under shared/data/xml.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/collectors/winevent_test_support.h"

namespace attest {
namespace {

using testing::CollectorRun;
using testing::run_collector_on_file;
using testing::run_collector_on_text;

// A Sysmon EID 11 as wevtutil renders it (single quotes, one line).
const char* kWevtutilEvent =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/>"
    "<EventID>11</EventID><Version>2</Version><Level>4</Level><Task>11</Task><Opcode>0</Opcode>"
    "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2019-07-18T03:34:02.025223900Z'/>"
    "<EventRecordID>66</EventRecordID><Correlation/><Execution ProcessID='2828' ThreadID='1684'/>"
    "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>vagrant-2016</Computer>"
    "<Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'></Data>"
    "<Data Name='UtcTime'>2019-07-18 03:34:01.239</Data>"
    "<Data Name='ProcessGuid'>{42f11c3b-e8a8-5d2f-0000-0010a5710400}</Data>"
    "<Data Name='ProcessId'>4080</Data><Data Name='Image'>C:\\Windows\\system32\\cmd.exe</Data>"
    "<Data Name='TargetFilename'>C:\\Users\\vagrant\\AppData\\Local\\Temp\\x.Ost</Data>"
    "<Data Name='CreationUtcTime'>2019-07-18 03:34:01.239</Data></EventData></Event>";

void expect_wevtutil_event(const CollectorRun& run, std::size_t i) {
    ASSERT_LT(i, run.events.size());
    EXPECT_EQ(run.str(i, "event.code"), "11");
    EXPECT_EQ(run.str(i, "@timestamp"), "2019-07-18T03:34:01.239Z");
    EXPECT_EQ(run.str(i, "host.name"), "vagrant-2016");
    EXPECT_EQ(run.str(i, "file.path"), "C:\\Users\\vagrant\\AppData\\Local\\Temp\\x.Ost");
    EXPECT_EQ(run.str(i, "file.extension"), "Ost");
    EXPECT_EQ(run.str(i, "winlog.event_data.TargetFilename"), "C:\\Users\\vagrant\\AppData\\Local\\Temp\\x.Ost");
}

TEST(WinEventXmlTest, BareSeriesOfEventsWithoutRoot) {
    std::string text = std::string(kWevtutilEvent) + "\r\n" + kWevtutilEvent + "\r\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    expect_wevtutil_event(run, 0);
    expect_wevtutil_event(run, 1);
    EXPECT_EQ(run.events[1].find("attest.position")->as_int(), 2);
    EXPECT_EQ(run.str(0, "attest.source"), "winevent_xml");
    EXPECT_EQ(run.stats.skipped, 0u);
    EXPECT_TRUE(run.diagnostics.empty()) << run.diagnostics_text();
}

TEST(WinEventXmlTest, EventsRootWithDeclarationAndComments) {
    std::string text = std::string("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- exported -->\n<Events>\n") +
                       kWevtutilEvent + "\n" + kWevtutilEvent + "\n</Events>\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    expect_wevtutil_event(run, 1);
    EXPECT_TRUE(run.diagnostics.empty()) << run.diagnostics_text();
}

TEST(WinEventXmlTest, LibevtxBannerAndPrettyPrinting) {
    std::string text =
        "evtxexport 20181227\n\n"
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
        "  <System>\n"
        "    <Provider Name=\"Microsoft-Windows-Sysmon\" Guid=\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\"/>\n"
        "    <EventID>5</EventID>\n"
        "    <TimeCreated SystemTime=\"2019-07-19T14:42:51.446280900Z\"/>\n"
        "    <EventRecordID>3572</EventRecordID>\n"
        "    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>\n"
        "    <Computer>MSEDGEWIN10</Computer>\n"
        "  </System>\n"
        "  <EventData>\n"
        "    <Data Name=\"RuleName\"/>\n"
        "    <Data Name=\"UtcTime\">2019-07-19 14:42:51.257</Data>\n"
        "    <Data Name=\"ProcessGuid\">{747F3D96-D6EB-5D31-0000-0010E0252500}</Data>\n"
        "    <Data Name=\"ProcessId\">5828</Data>\n"
        "    <Data Name=\"Image\">C:\\Windows\\System32\\consent.exe</Data>\n"
        "  </EventData>\n"
        "</Event>\n";
    auto run = run_collector_on_text(text, "");  // detected from content
    ASSERT_EQ(run.events.size(), 1u) << run.diagnostics_text();
    EXPECT_EQ(run.str(0, "attest.source"), "winevent_xml");
    EXPECT_EQ(run.str(0, "event.action"), "ProcessTerminate");
    // GUIDs come out braced and upper-case whatever the renderer wrote (spec/telemetry.md).
    EXPECT_EQ(run.str(0, "process.entity_id"), "{747F3D96-D6EB-5D31-0000-0010E0252500}");
    EXPECT_EQ(run.str(0, "winlog.provider_guid"), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    EXPECT_EQ(run.events[0].find("attest.position")->as_int(), 3);
    EXPECT_FALSE(run.has(0, "winlog.event_data.RuleName"));  // empty: absent
}

std::string to_utf16le(std::string_view utf8, bool bom) {
    std::string out;
    if (bom) out += "\xFF\xFE";
    for (std::size_t i = 0; i < utf8.size();) {
        auto c = static_cast<unsigned char>(utf8[i]);
        std::uint32_t cp;
        std::size_t n;
        if (c < 0x80) { cp = c; n = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; n = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; n = 3; }
        else { cp = c & 0x07; n = 4; }
        for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        i += n;
        auto unit = [&](std::uint32_t u) {
            out.push_back(static_cast<char>(u & 0xFF));
            out.push_back(static_cast<char>(u >> 8));
        };
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(0xD800 + (cp >> 10));
            unit(0xDC00 + (cp & 0x3FF));
        } else {
            unit(cp);
        }
    }
    return out;
}

std::string powershell_4104(std::string_view text, int number, int total, std::string_view id,
                            std::string_view computer = "WS1", int record = 1) {
    return "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
           "<Provider Name='Microsoft-Windows-PowerShell' Guid='{A0C1853B-5C40-4B15-8766-3CF1C58F985A}'/>"
           "<EventID>4104</EventID><Version>1</Version><Level>5</Level><Task>2</Task><Opcode>15</Opcode>"
           "<TimeCreated SystemTime='2019-09-09T13:35:08.655802500Z'/><EventRecordID>" +
           std::to_string(record) +
           "</EventRecordID><Channel>Microsoft-Windows-PowerShell/Operational</Channel><Computer>" +
           std::string(computer) +
           "</Computer><Security UserID='S-1-5-21-1-2-3-1000'/></System><EventData>"
           "<Data Name='MessageNumber'>" + std::to_string(number) + "</Data><Data Name='MessageTotal'>" +
           std::to_string(total) + "</Data><Data Name='ScriptBlockText'>" + std::string(text) +
           "</Data><Data Name='ScriptBlockId'>" + std::string(id) +
           "</Data><Data Name='Path'>C:\\temp\\a.ps1</Data></EventData></Event>\r\n";
}

TEST(WinEventXmlTest, Utf16LittleEndianWithBomAcrossChunksAndSurrogates) {
    // A script block of astral characters (surrogate pairs) interleaved with ASCII so that some
    // pair straddles each read boundary (the first read is 64 KiB, then 1 MiB chunks).
    std::string script;
    while (script.size() < 300000) script += "\xF0\x9F\x98\x80\xF0\x9F\x98\x80x";  // U+1F600 U+1F600 x
    std::string text = "<?xml version='1.0' encoding='utf-16'?>\r\n<Events>\r\n" +
                       powershell_4104(script, 1, 1, "id-1") + std::string(kWevtutilEvent) + "\r\n</Events>\r\n";
    auto run = run_collector_on_text(to_utf16le(text, true), "");
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.str(0, "powershell.file.script_block_text"), script);
    expect_wevtutil_event(run, 1);
    EXPECT_EQ(run.events[1].find("attest.position")->as_int(), 4);
    EXPECT_TRUE(run.diagnostics.empty()) << run.diagnostics_text();
}

TEST(WinEventXmlTest, Utf16WithoutBomIsDetected) {
    std::string text = std::string(kWevtutilEvent) + "\r\n";
    auto run = run_collector_on_text(to_utf16le(text, false), "");
    ASSERT_EQ(run.events.size(), 1u) << run.diagnostics_text();
    expect_wevtutil_event(run, 0);
}

TEST(WinEventXmlTest, Utf8WithBom) {
    std::string text = "\xEF\xBB\xBF" + std::string(kWevtutilEvent);
    auto run = run_collector_on_text(text, "");
    ASSERT_EQ(run.events.size(), 1u) << run.diagnostics_text();
    expect_wevtutil_event(run, 0);
}

TEST(WinEventXmlTest, PythonEvtxRenderingAndMissingFields) {
    // python-evtx: declaration, <Events>, double quotes, "Qualifiers", "SystemTime" with a
    // space and microseconds, empty Correlation attributes, a Data field missing (no User).
    std::string text =
        "<?xml version=\"1.1\" encoding=\"utf-8\" standalone=\"yes\" ?>\n\n<Events>\n"
        "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
        "<Provider Name=\"Microsoft-Windows-Sysmon\" Guid=\"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}\"></Provider>\n"
        "<EventID Qualifiers=\"\">7</EventID>\n<Version>3</Version>\n"
        "<TimeCreated SystemTime=\"2019-09-09 13:35:08.655802\"></TimeCreated>\n"
        "<EventRecordID>445</EventRecordID>\n<Correlation ActivityID=\"\" RelatedActivityID=\"\"></Correlation>\n"
        "<Execution ProcessID=\"3416\" ThreadID=\"3496\"></Execution>\n"
        "<Channel>Microsoft-Windows-Sysmon/Operational</Channel>\n<Computer>IEWIN7</Computer>\n"
        "<Security UserID=\"S-1-5-18\"></Security>\n</System>\n"
        "<EventData><Data Name=\"RuleName\"></Data>\n<Data Name=\"UtcTime\">2019-05-21 01:10:05.270</Data>\n"
        "<Data Name=\"ProcessGuid\">{365abb72-4fed-5ce3-0000-001031174900}</Data>\n"
        "<Data Name=\"ProcessId\">3808</Data>\n<Data Name=\"Image\">C:\\Windows\\system32\\reg.exe</Data>\n"
        "<Data Name=\"ImageLoaded\">C:\\Windows\\System32\\wininet.dll</Data>\n"
        "<Data Name=\"Hashes\">SHA256=ABCDEF,IMPHASH=00FF</Data>\n"
        "</EventData>\n</Event>\n\n</Events>\n";
    auto run = run_collector_on_text(text, "");
    ASSERT_EQ(run.events.size(), 1u) << run.diagnostics_text();
    EXPECT_EQ(run.str(0, "event.created"), "2019-09-09T13:35:08.655Z");
    EXPECT_EQ(run.str(0, "dll.path"), "C:\\Windows\\System32\\wininet.dll");
    EXPECT_EQ(run.str(0, "file.hash.sha256"), "abcdef");
    EXPECT_EQ(run.str(0, "file.hash.imphash"), "00ff");
    EXPECT_FALSE(run.has(0, "user"));
    EXPECT_FALSE(run.has(0, "winlog.qualifiers"));
    EXPECT_FALSE(run.has(0, "winlog.activity_id"));
    EXPECT_EQ(run.events[0].find("winlog.record_id")->as_int(), 445);
}

TEST(WinEventXmlTest, CdataEntitiesUnnamedDataAndUserData) {
    std::string text =
        "<Event><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>1102</EventID>"
        "<TimeCreated SystemTime='2023-01-24T11:52:02.155029100Z'/><Channel>Security</Channel>"
        "<Computer>dc1</Computer><Security/></System>"
        "<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>"
        "<SubjectUserSid>S-1-5-21-1</SubjectUserSid><SubjectUserName>admin</SubjectUserName>"
        "<Nested><Deep>leaf &amp; &lt;value&gt; &#x41;</Deep></Nested></LogFileCleared></UserData></Event>\n"
        "<Event><System><Provider Name='Some-Provider'/><EventID>7</EventID><Channel>Application</Channel>"
        "</System><EventData><Data><![CDATA[a </Event> <b> in CDATA]]></Data><Data>second</Data>"
        "<Data Name='Empty'>-</Data></EventData></Event>\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.str(0, "winlog.event_data.SubjectUserName"), "admin");
    EXPECT_EQ(run.str(0, "winlog.event_data.Deep"), "leaf & <value> A");
    EXPECT_EQ(run.str(0, "event.code"), "1102");
    EXPECT_EQ(run.events[0].find("winlog.event_id")->as_int(), 1102);
    EXPECT_EQ(run.str(0, "@timestamp"), "2023-01-24T11:52:02.155Z");
    EXPECT_EQ(run.str(1, "winlog.event_data.param1"), "a </Event> <b> in CDATA");
    EXPECT_EQ(run.str(1, "winlog.event_data.param2"), "second");
    EXPECT_FALSE(run.has(1, "winlog.event_data.Empty"));
    EXPECT_FALSE(run.has(1, "event.dataset"));
}

TEST(WinEventXmlTest, IncludeOriginalKeepsTheRawRecord) {
    CollectorOptions opts;
    opts.include_original = true;
    auto run = run_collector_on_text(std::string(kWevtutilEvent) + "\n", "winevent_xml", opts);
    ASSERT_EQ(run.events.size(), 1u);
    EXPECT_EQ(run.str(0, "event.original"), kWevtutilEvent);
    auto plain = run_collector_on_text(std::string(kWevtutilEvent) + "\n", "winevent_xml");
    EXPECT_FALSE(plain.has(0, "event.original"));
}

// --- bad input -------------------------------------------------------------------------------

TEST(WinEventXmlTest, TruncatedEventIsReportedAndTheNextOneParsed) {
    std::string good(kWevtutilEvent);
    std::string cut = good.substr(0, good.size() / 2);
    std::string text = good + "\n" + cut + "\n" + good + "\n" + cut;  // line 2 and line 4 cut
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.stats.skipped, 2u);
    ASSERT_EQ(run.diagnostics.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.diagnostics[0].format(),
              "test.xml:2:1: truncated event: a new <Event> starts at line 3 before </Event>");
    EXPECT_EQ(run.diagnostics[1].format(), "test.xml:4:1: truncated event: no </Event> before the end of the input");
}

TEST(WinEventXmlTest, MalformedXmlInsideAnEventGivesItsPosition) {
    std::string text = std::string(kWevtutilEvent) + "\n  <Event><System><EventID>1</EventID></Sys></Event>\n" + kWevtutilEvent;
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 2u);
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_EQ(run.diagnostics[0].line, 2u);
    EXPECT_EQ(run.diagnostics[0].column, 3u);
    EXPECT_NE(run.diagnostics[0].message.find("malformed XML"), std::string::npos) << run.diagnostics_text();
    EXPECT_EQ(run.stats.skipped, 1u);
}

TEST(WinEventXmlTest, InvalidUtf8IsReported) {
    std::string bad(kWevtutilEvent);
    bad.replace(bad.find("vagrant-2016"), 3, "\xC3\x28x");  // an invalid 2-byte sequence
    std::string text = std::string(kWevtutilEvent) + "\n" + bad + "\n" + kWevtutilEvent + "\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    EXPECT_EQ(run.events.size(), 2u);
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_EQ(run.diagnostics[0].line, 2u);
    EXPECT_NE(run.diagnostics[0].message.find("invalid UTF-8 at line 2, column"), std::string::npos)
        << run.diagnostics_text();
}

TEST(WinEventXmlTest, Utf16BytesReadAsUtf8AreReported) {
    // A UTF-16 event glued after a UTF-8 one: NUL bytes inside the second event.
    std::string text = std::string(kWevtutilEvent) + "\n<Event>" + to_utf16le("<System/>", false) + "</Event>\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    EXPECT_EQ(run.events.size(), 1u);
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_NE(run.diagnostics[0].message.find("NUL byte"), std::string::npos) << run.diagnostics_text();
}

TEST(WinEventXmlTest, HugeAttributeValueIsRejected) {
    std::string huge(10 << 20, 'A');
    std::string text = "<Event><System><Provider Name='" + huge + "'/><EventID>1</EventID></System></Event>\n" +
                       std::string(kWevtutilEvent) + "\n";
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 1u);
    expect_wevtutil_event(run, 0);
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_EQ(run.diagnostics[0].line, 1u);
    EXPECT_EQ(run.diagnostics[0].column, 1u);
    EXPECT_NE(run.diagnostics[0].message.find("attribute 'Name' is 10485760 bytes long"), std::string::npos)
        << run.diagnostics_text();
}

TEST(WinEventXmlTest, DeeplyNestedJunkIsRejected) {
    std::string open, close;
    for (int i = 0; i < 100000; ++i) {
        open += "<a>";
        close += "</a>";
    }
    std::string text = "<Event><System><EventID>1</EventID></System>" + open + close + "</Event>\n" +
                       "<Event>" + open + "\n" + kWevtutilEvent;  // the second one never closes its <a>s
    auto run = run_collector_on_text(text, "winevent_xml");
    ASSERT_EQ(run.events.size(), 1u) << run.diagnostics_text();
    expect_wevtutil_event(run, 0);
    ASSERT_EQ(run.diagnostics.size(), 2u) << run.diagnostics_text();
    EXPECT_NE(run.diagnostics[0].message.find("nested deeper than"), std::string::npos) << run.diagnostics_text();
    EXPECT_EQ(run.diagnostics[1].line, 2u);
    EXPECT_EQ(run.stats.skipped, 2u);
}

TEST(WinEventXmlTest, GarbageBetweenEventsIsReportedOncePerRun) {
    std::string text = std::string(kWevtutilEvent) + "\nsome junk <b>bold</b> text\nmore junk\n" + kWevtutilEvent +
                       "\n<Eventful/>\n" + kWevtutilEvent;
    auto run = run_collector_on_text(text, "winevent_xml");
    EXPECT_EQ(run.events.size(), 3u);
    ASSERT_EQ(run.diagnostics.size(), 2u) << run.diagnostics_text();
    EXPECT_EQ(run.diagnostics[0].line, 2u);
    EXPECT_EQ(run.diagnostics[0].column, 1u);
    EXPECT_NE(run.diagnostics[0].message.find("unexpected content between events"), std::string::npos);
    EXPECT_EQ(run.diagnostics[1].line, 5u);
    EXPECT_EQ(run.stats.skipped, 2u);
}

TEST(WinEventXmlTest, EventWithoutEventIdIsRejected) {
    auto run = run_collector_on_text("<Event><System><Channel>x</Channel></System></Event>", "winevent_xml");
    EXPECT_TRUE(run.events.empty());
    ASSERT_EQ(run.diagnostics.size(), 1u);
    EXPECT_EQ(run.diagnostics[0].format(),
              "test.xml:1:1: bad event skipped: event without <System><EventID> (at line 1, column 1)");
}

TEST(WinEventXmlTest, EmptyAndBlankInputsGiveNothing) {
    for (const char* text : {"", "   \n\n", "\xEF\xBB\xBF", "\xFF\xFE"}) {
        auto run = run_collector_on_text(text, "winevent_xml");
        EXPECT_TRUE(run.events.empty());
        EXPECT_TRUE(run.diagnostics.empty()) << run.diagnostics_text();
    }
}

TEST(WinEventXmlTest, SniffClaimsWindowsEventXmlOnly) {
    const CollectorInfo* info = CollectorRegistry::builtin().find("winevent_xml");
    ASSERT_NE(info, nullptr);
    EXPECT_GT(info->sniff(kWevtutilEvent, "x"), 50);
    EXPECT_GT(info->sniff("evtxexport 20181227\n\n<Event xmlns=\"x\">", "x"), 50);
    EXPECT_GT(info->sniff("<?xml version=\"1.0\"?>\n<Events><Event>", "x"), 50);
    EXPECT_GT(info->sniff(to_utf16le("<Events><Event>", true), "x"), 50);
    EXPECT_EQ(info->sniff("{\"a\":1}", "x"), 0);
    EXPECT_EQ(info->sniff("<html><body>", "x"), 0);
    EXPECT_LT(info->sniff("<?xml version=\"1.0\"?><Sysmon schemaversion='4.90'>", "x"), 50);
}

// --- real samples ------------------------------------------------------------------------------

std::string shared_xml_dir() { return ATTEST_SOURCE_DIR "/../shared/data/xml"; }

// Counts Event elements with a plain text scan, independent of the reader.
std::size_t count_event_elements(const std::string& text) {
    std::size_t n = 0;
    for (std::size_t p = text.find("<Event"); p != std::string::npos; p = text.find("<Event", p + 1))
        if (p + 6 < text.size() && (text[p + 6] == ' ' || text[p + 6] == '>')) ++n;
    return n;
}

TEST(WinEventXmlRealDataTest, EveryFileParsesWithExactCounts) {
    if (!std::filesystem::exists(shared_xml_dir())) GTEST_SKIP() << "../shared/data absent";
    const std::pair<const char*, std::size_t> expected[] = {
        {"AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01", 565},
        {"Credential_Access_phish_windows_credentials_powershell_scriptblockLog_4104", 2},
        {"Discovery_4799_remote_local_groups_enumeration", 5},
        {"Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11", 8},
        {"Other_emotet_exec_emotet_ps_4104", 1},
        {"Persistence_persist_turla_outlook_backdoor_comhijack", 3},
    };
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(shared_xml_dir())) {
        std::string path = entry.path().string();
        std::string name = entry.path().filename().string();
        std::size_t want = 0;
        for (const auto& [prefix, count] : expected)
            if (name.rfind(prefix, 0) == 0) want = count;
        ASSERT_NE(want, 0u) << "unexpected sample " << name;
        ASSERT_EQ(count_event_elements(testing::read_file(path)), want) << name;
        auto run = run_collector_on_file(path, "");
        EXPECT_EQ(run.events.size(), want) << name << "\n" << run.diagnostics_text();
        EXPECT_EQ(run.stats.skipped, 0u) << name;
        EXPECT_TRUE(run.diagnostics.empty()) << name << "\n" << run.diagnostics_text();
        ++files;
    }
    EXPECT_EQ(files, 8u);
}

TEST(WinEventXmlRealDataTest, LibevtxAndPythonEvtxRenderingsNormalizeIdentically) {
    if (!std::filesystem::exists(shared_xml_dir())) GTEST_SKIP() << "../shared/data absent";
    for (const char* base : {"Other_emotet_exec_emotet_ps_4104", "Persistence_persist_turla_outlook_backdoor_comhijack"}) {
        auto a = run_collector_on_file(shared_xml_dir() + "/" + base + ".libevtx.xml", "");
        auto b = run_collector_on_file(shared_xml_dir() + "/" + base + ".python-evtx.xml", "");
        ASSERT_EQ(a.events.size(), b.events.size()) << base;
        ASSERT_FALSE(a.events.empty());
        for (std::size_t i = 0; i < a.events.size(); ++i) {
            Event x = a.events[i], y = b.events[i];
            x.erase("attest.origin");
            x.erase("attest.position");
            y.erase("attest.origin");
            y.erase("attest.position");
            EXPECT_EQ(x.to_json(), y.to_json()) << base << " event " << i;
        }
    }
}

// True when an object member anywhere is "", "-" or the all-zero GUID.
bool has_absent_marker(const Value& v) {
    if (v.is_object()) {
        for (const auto& m : v.as_object()) {
            if (m.value.is_string()) {
                const std::string& s = m.value.as_string();
                if (s.empty() || s == "-" || s == "{00000000-0000-0000-0000-000000000000}") return true;
            } else if (has_absent_marker(m.value)) {
                return true;
            }
        }
    } else if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (e.is_object() && has_absent_marker(e)) return true;
    }
    return false;
}

TEST(WinEventXmlRealDataTest, PanacheSysmonFieldsLookRight) {
    std::string path = shared_xml_dir() + "/AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.libevtx.xml";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "../shared/data absent";
    auto run = run_collector_on_file(path, "");
    ASSERT_EQ(run.events.size(), 565u);
    // The first record (see the file): consent.exe started by svchost.
    EXPECT_EQ(run.str(0, "process.name"), "consent.exe");
    EXPECT_EQ(run.str(0, "process.parent.name"), "svchost.exe");
    EXPECT_EQ(run.str(0, "process.hash.sha256"), "8f112431143a22baaafb448eefd63bf90e7691c890ac69a296574fd07ba03ec6");
    EXPECT_EQ(run.str(0, "user.domain"), "NT AUTHORITY");
    EXPECT_EQ(run.str(0, "user.name"), "SYSTEM");
    EXPECT_EQ(run.events[0].find("process.pid")->as_int(), 5828);
    const Value* args = run.events[0].find("process.args");
    ASSERT_NE(args, nullptr);
    EXPECT_EQ(args->to_json(), R"(["consent.exe","4516","288","0000023C0CA21C70"])");
    // Every event has a timestamp, a code and a host; absent values never appear as "".
    for (std::size_t i = 0; i < run.events.size(); ++i) {
        EXPECT_FALSE(run.str(i, "@timestamp").empty()) << i;
        EXPECT_FALSE(run.str(i, "event.code").empty()) << i;
        EXPECT_EQ(run.str(i, "host.name"), "MSEDGEWIN10") << i;
        EXPECT_FALSE(has_absent_marker(run.events[i])) << run.events[i].to_json();
    }
}

}  // namespace
}  // namespace attest
