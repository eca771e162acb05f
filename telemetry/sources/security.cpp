// The Windows Security log (Microsoft-Windows-Security-Auditing): System fields and the
// EventData as written; the ECS mapping stays generic (host, user.id, event.code).
#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

const SourceSpec& security_source() {
    static const SourceSpec spec{
        .name = "security",
        .datasets = {"windows.security", "system.security"},
        .description = "Windows Security log (Microsoft-Windows-Security-Auditing)",
        .host_bound = true,
        .lagging = false,
        .collectors = {"winevent_xml", "evtx", "winevent_json", "otrf", "sentinel", "winlogbeat",
                       "ndjson"},
        .live = {{Acquisition::WindowsChannel, "winevent_xml", "Security", ""}, kFromElasticsearch},
        .endpoint_vocabulary = {},
        .fields = with_common_fields(
            kBaseFields | kWinlogFields,
            {"user.id", "winlog.activity_id", "winlog.event_source_name", "winlog.qualifiers"},
            {
                {"winlog.event_data.CallerProcessId", "keyword", "Process id of the caller (hex)."},
                {"winlog.event_data.CallerProcessName", "keyword", "Executable of the caller."},
                {"winlog.event_data.SubjectDomainName", "keyword", "Domain of the acting account."},
                {"winlog.event_data.SubjectLogonId", "keyword",
                 "Logon id of the acting account (hex)."},
                {"winlog.event_data.SubjectUserName", "keyword", "Acting account name."},
                {"winlog.event_data.SubjectUserSid", "keyword", "SID of the acting account."},
                {"winlog.event_data.TargetDomainName", "keyword",
                 "Domain of the target account or group."},
                {"winlog.event_data.TargetSid", "keyword", "SID of the target account or group."},
                {"winlog.event_data.TargetUserName", "keyword", "Target account or group name."},
            }),
    };
    return spec;
}

}  // namespace attest::telemetry
