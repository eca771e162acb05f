// PowerShell script block (4104) and module (4103) logging: the Operational channel of
// Windows PowerShell and PowerShell 7 (PowerShellCore/Operational), and the classic "Windows
// PowerShell" channel (400/403/600/800) under its own dataset. 4104 parts are reassembled
// into one event per script block by the normalizer.
#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

const SourceSpec& powershell_source() {
    static const SourceSpec spec{
        .name = "powershell",
        .datasets = {"windows.powershell_operational", "windows.powershell"},
        .description = "PowerShell logging (Operational 4103 / 4104, classic Windows PowerShell)",
        .host_bound = true,
        .lagging = false,
        .collectors = {"winevent_xml", "evtx", "winevent_json", "otrf", "sentinel", "winlogbeat",
                       "ndjson"},
        .live =
            {{Acquisition::WindowsChannel, "winevent_xml",
              "Microsoft-Windows-PowerShell/Operational",
              "$p = Get-ItemProperty -ErrorAction SilentlyContinue "
              "'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging'\r\n"
              "if ($p.EnableScriptBlockLogging -ne 1) { [Console]::Error.WriteLine("
              "'script block logging is not enabled by policy (EnableScriptBlockLogging)'); "
              "exit 3 }\r\n"},
             kFromElasticsearch},
        .endpoint_vocabulary = {},
        .fields = with_common_fields(
            kBaseFields | kWinlogFields,
            {"event.category",
             "event.type",
             "file.directory",
             "file.extension",
             "file.name",
             "file.path",
             "powershell.command.invocation_details",
             "powershell.command.name",
             "powershell.command.path",
             "powershell.command.type",
             "powershell.engine.version",
             "powershell.file.script_block_complete",
             "powershell.file.script_block_id",
             "powershell.file.script_block_missing_parts",
             "powershell.file.script_block_text",
             "powershell.id",
             "powershell.pipeline_id",
             "powershell.process.executable_version",
             "powershell.process.name",
             "powershell.runspace_id",
             "powershell.sequence",
             "powershell.total",
             "process.args",
             "process.args_count",
             "process.command_line",
             "user.domain",
             "user.id",
             "user.name",
             "winlog.activity_id",
             "winlog.related_activity_id"},
            {
                {"winlog.event_data.ContextInfo", "keyword",
                 "4103: Host Application, Command Name, User, ... lines."},
                {"winlog.event_data.MessageNumber", "keyword",
                 "Part number of a split script block."},
                {"winlog.event_data.MessageTotal", "keyword",
                 "Number of parts of the script block."},
                {"winlog.event_data.Path", "keyword", "Script file the block came from."},
                {"winlog.event_data.Payload", "keyword",
                 "4103: CommandInvocation / ParameterBinding lines."},
                {"winlog.event_data.ScriptBlockId", "keyword",
                 "Id shared by the parts of one script block."},
                {"winlog.event_data.ScriptBlockText", "keyword",
                 "The script block text as logged (one part)."},
            }),
    };
    return spec;
}

}  // namespace attest::telemetry
