// libFuzzer target for the Sigma front end: YAML documents, modifier chains, value escapes and
// encodings, the PCRE translation, conditions and correlations, then a short evaluation of
// whatever loads over events that every log-source row can select.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/json.h"
#include "expectations/sigma/sigma.h"
#include "fuzz/value_index_check.h"

namespace {

const std::vector<attest::Event>& sample_events() {
    static const std::vector<attest::Event> events = [] {
        std::vector<attest::Event> v;
        const char* docs[] = {
            R"({"@timestamp":"2026-01-01T00:00:00Z","event":{"dataset":"windows.sysmon_operational","code":"1"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami -all","ParentImage":"C:\\Windows\\explorer.exe","User":"a\\b","TerminalSessionId":"1","DestinationIp":"10.1.2.3"}}})",
            R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":{"ScriptBlockText":"New-InboxRule -Name x -ForwardTo a@b.c \u00e9\ud83d\ude00"}}})",
            R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"dataset":"o365.audit","action":"Set-Mailbox"},"o365":{"audit":{"Operation":"Set-Mailbox","Parameters":{"ForwardingSmtpAddress":"smtp:x@y.z"},"UserId":"u@x"}}})",
            R"({"@timestamp":"2026-01-01T00:00:03Z","event":{"dataset":"windows.security","code":"4688"},"winlog":{"channel":"Security","event_id":4688,"event_data":{"NewProcessName":"C:\\x.exe","CommandLine":null}}})",
            R"({"@timestamp":"2026-01-01T00:09:00Z","event":{"dataset":"auditd.log","category":["process"],"type":["start"]},"process":{"executable":"/bin/sh","args":["sh","-c","id"]}})",
        };
        for (const char* d : docs) v.push_back(attest::parse_json_value(d));
        return v;
    }();
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    attest::sigma::LoadOptions options;
    options.placeholders["sys"] = {"C:\\Windows\\System32", "C:\\Windows\\SysWOW64"};
    auto set = attest::sigma::parse(text, "fuzz.yml", options);
    if (!set) return 0;
    for (const auto& r : set->rules)
        if (r.query) attest::fuzz::check_value_index(*r.query, sample_events());
    auto shared = std::make_shared<const attest::sigma::RuleSet>(std::move(*set));
    attest::sigma::RuleSetMatcher m(shared, {.collect_diagnostics = true});
    for (int round = 0; round < 2; ++round)
        for (const auto& e : sample_events()) m.feed(e);
    m.finish();
    return 0;
}
