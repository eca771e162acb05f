// Sysmon for Linux: its event XML inside syslog lines (or as event XML). Same normalizer as
// Sysmon for Windows with '/' paths. Elastic Defend on Linux reports processes as exec / fork
// / end, not as a translation of Sysmon's events, so there is no endpoint vocabulary here:
// its events read the same under both profiles.
#include <string>

#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

namespace {

// The EventData of Sysmon for Linux is Sysmon's own: its rows come from the Windows table.
std::vector<FieldSpec> sysmon_event_data(std::initializer_list<std::string_view> names) {
    std::vector<FieldSpec> out;
    for (auto name : names) {
        std::string path = "winlog.event_data." + std::string(name);
        const FieldSpec* f = sysmon_source().field(path);
        out.push_back(f != nullptr ? *f : FieldSpec{name, "", ""});
    }
    return out;
}

}  // namespace

const SourceSpec& sysmon_linux_source() {
    static const SourceSpec spec{
        .name = "sysmon_linux",
        .datasets = {"sysmon_linux.log"},
        .description = "Sysmon for Linux (syslog)",
        .host_bound = true,
        .lagging = false,
        .collectors = {"sysmon_linux", "winevent_xml", "sentinel", "ndjson"},
        .live = {{Acquisition::LogFile, "sysmon_linux", "/var/log/syslog", ""}, kFromElasticsearch},
        .endpoint_vocabulary = {},
        .fields = with_common_fields(
            kBaseFields | kWinlogFields,
            {"event.action",
             "event.category",
             "event.type",
             "file.directory",
             "file.extension",
             "file.name",
             "file.path",
             "process.args",
             "process.args_count",
             "process.command_line",
             "process.entity_id",
             "process.executable",
             "process.hash.sha256",
             "process.name",
             "process.parent.args",
             "process.parent.args_count",
             "process.parent.command_line",
             "process.parent.entity_id",
             "process.parent.executable",
             "process.parent.name",
             "process.parent.pid",
             "process.pid",
             "process.working_directory",
             "user.name"},
            sysmon_event_data({"CommandLine", "CurrentDirectory", "Image", "ParentCommandLine",
                               "ParentImage", "ParentProcessId", "ProcessGuid", "ProcessId",
                               "TargetFilename", "User", "UtcTime"})),
        // ProcessGuid / ParentProcessGuid: never reused.
        .lineage = ProcessIdentity::by_entity_id(),
    };
    return spec;
}

}  // namespace attest::telemetry
