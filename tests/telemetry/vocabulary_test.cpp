// The Sysmon -> Elastic Defend vocabulary declared in telemetry/sources/sysmon.cpp, applied by
// telemetry::translate: one test per disputed case (EID 2, EID 3 Initiated=false, registry
// deletes), the whole table, and the same through open_telemetry() on a file.
#include "telemetry/vocabulary.h"

#include <gtest/gtest.h>

#include "collectors/winevent.h"
#include "telemetry/open.h"
#include "telemetry/sources.h"
#include "tests/collectors/winevent_test_support.h"

namespace attest::telemetry {
namespace {

using Data = std::vector<std::pair<std::string, std::string>>;

Event sysmon_event(int eid, Data data) {
    WinEventRecord r;
    r.provider_name = "Microsoft-Windows-Sysmon";
    r.channel = "Microsoft-Windows-Sysmon/Operational";
    r.computer = "HOST1";
    r.event_id = eid;
    data.emplace_back("UtcTime", "2024-01-02 03:04:05.006");
    data.emplace_back("ProcessGuid", "{747F3D96-D6EB-5D31-0000-0010E0252500}");
    data.emplace_back("Image", "C:\\a\\b.exe");
    r.data = std::move(data);
    CollectorOptions opts;
    opts.origin = "mem";
    WinEventNormalizer n(opts, "test");
    n.add(r);
    n.finish();
    Event e;
    EXPECT_TRUE(n.pop(e));
    return e;
}

std::string at(const Event& e, std::string_view path) {
    const Value* v = e.find(path);
    if (v == nullptr) return "<absent>";
    return v->is_string() ? v->as_string() : v->to_json();
}

struct Translated {
    std::string action, category, type;
};
Translated endpoint(int eid, Data data) {
    Event e = sysmon_event(eid, std::move(data));
    translate(e, Profile::Endpoint);
    return {at(e, "event.action"), at(e, "event.category"), at(e, "event.type")};
}

TEST(EndpointVocabulary, FileCreateTimeKeepsItsSysmonActionNotOverwrite) {
    auto t = endpoint(
        2, {{"TargetFilename", "C:\\x.txt"}, {"CreationUtcTime", "2020-01-01 00:00:00.000"}});
    EXPECT_EQ(t.action, "FileCreateTime");
    EXPECT_EQ(t.category, R"(["file"])");
    EXPECT_EQ(t.type, R"(["change"])");
}

TEST(EndpointVocabulary, AcceptedConnectionIsConnectionAccepted) {
    auto t = endpoint(3, {{"Initiated", "false"}, {"DestinationPort", "445"}});
    EXPECT_EQ(t.action, "connection_accepted");
    EXPECT_EQ(t.category, R"(["network"])");
    EXPECT_EQ(t.type, R"(["start"])");
    EXPECT_EQ(endpoint(3, {{"Initiated", "False"}}).action,
              "connection_accepted");  // renderer case
}

TEST(EndpointVocabulary, InitiatedConnectionIsConnectionAttempted) {
    EXPECT_EQ(endpoint(3, {{"Initiated", "true"}}).action, "connection_attempted");
    EXPECT_EQ(endpoint(3, {}).action, "connection_attempted");  // no Initiated: Sysmon's default
}

TEST(EndpointVocabulary, RegistryDeletesAreDeletion) {
    for (const char* type : {"DeleteKey", "DeleteValue"}) {
        auto t = endpoint(12, {{"EventType", type}, {"TargetObject", "HKLM\\SOFTWARE\\X"}});
        EXPECT_EQ(t.action, "deletion") << type;
        EXPECT_EQ(t.category, R"(["registry"])") << type;
        EXPECT_EQ(t.type, R"(["deletion"])") << type;
    }
    auto create = endpoint(12, {{"EventType", "CreateKey"}, {"TargetObject", "HKLM\\SOFTWARE\\X"}});
    EXPECT_EQ(create.action, "modification");
    EXPECT_EQ(create.type, R"(["change"])");
    EXPECT_EQ(endpoint(14, {{"EventType", "RenameKey"}}).action, "modification");
}

TEST(EndpointVocabulary, EveryRowOfTheTable) {
    const std::tuple<int, Data, const char*, const char*, const char*> table[] = {
        {1, {}, "start", R"(["process"])", R"(["start"])"},
        {5, {}, "end", R"(["process"])", R"(["end"])"},
        {7, {{"ImageLoaded", "C:\\w.dll"}}, "load", R"(["library"])", R"(["start"])"},
        {11, {{"TargetFilename", "C:\\x"}}, "creation", R"(["file"])", R"(["creation"])"},
        {29, {{"TargetFilename", "C:\\x"}}, "creation", R"(["file"])", R"(["creation"])"},
        {23, {{"TargetFilename", "C:\\x"}}, "deletion", R"(["file"])", R"(["deletion"])"},
        {26, {{"TargetFilename", "C:\\x"}}, "deletion", R"(["file"])", R"(["deletion"])"},
        {22, {{"QueryName", "a.test"}}, "lookup_requested", R"(["network"])", R"(["protocol"])"},
        {13, {{"EventType", "SetValue"}}, "modification", R"(["registry"])", R"(["change"])"},
        // No Defend equivalent: the sysmon vocabulary stays.
        {10, {{"GrantedAccess", "0x1010"}}, "ProcessAccess", R"(["process"])", R"(["access"])"},
        {8, {}, "CreateRemoteThread", R"(["process"])", R"(["change"])"},
    };
    for (const auto& [eid, data, action, category, type] : table) {
        auto t = endpoint(eid, data);
        EXPECT_EQ(t.action, action) << eid;
        EXPECT_EQ(t.category, category) << eid;
        EXPECT_EQ(t.type, type) << eid;
    }
}

TEST(EndpointVocabulary, SysmonProfileAndOtherSourcesAreLeftAlone) {
    Event e = sysmon_event(3, {{"Initiated", "false"}});
    translate(e, Profile::Sysmon);
    EXPECT_EQ(at(e, "event.action"), "NetworkConnect");
    Event o365 = Value::object();
    o365.set("event.dataset", Value("o365.audit"));
    o365.set("event.code", Value("1"));
    o365.set("event.action", Value("New-InboxRule"));
    translate(o365, Profile::Endpoint);
    EXPECT_EQ(at(o365, "event.action"), "New-InboxRule");
}

TEST(EndpointVocabulary, OpenTelemetryTranslatesUnderTheEndpointProfile) {
    const char* xml =
        "<Events><Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>3</EventID>"
        "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>H</Computer></System>"
        "<EventData><Data Name='UtcTime'>2024-01-02 03:04:05.006</Data>"
        "<Data Name='Initiated'>false</Data></EventData></Event></Events>\n";
    char path[] = "/tmp/attest-vocab-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, xml, std::strlen(xml)), static_cast<ssize_t>(std::strlen(xml)));
    ::close(fd);
    for (auto [profile, want] : {std::pair{Profile::Sysmon, "NetworkConnect"},
                                 std::pair{Profile::Endpoint, "connection_accepted"}}) {
        DiagnosticSink sink;
        auto c = open_telemetry(path, "", {}, profile, sink);
        ASSERT_TRUE(c.ok()) << c.error().message;
        Event e;
        ASSERT_TRUE((*c)->next(e));
        EXPECT_EQ(at(e, "event.action"), want);
        EXPECT_FALSE((*c)->next(e));
        EXPECT_EQ((*c)->stats().events, 1u);
    }
    ::unlink(path);
}

}  // namespace
}  // namespace attest::telemetry
