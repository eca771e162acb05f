// The ECS and attest fields several sources emit, each declared once: name, type (from ECS
// 9.5 fields.csv) and one line. A source lists the names of the ones its normalizer writes
// (SourceSpec::fields = with_common_fields({...}, {its native fields})).
#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

namespace {

const std::vector<FieldSpec>& common_fields() {
    static const std::vector<FieldSpec> table = {
        {"@timestamp", "date", "Date/time when the event originated."},
        {"attest.origin", "keyword", "File path or remote channel the record came from."},
        {"attest.position", "long", "Line, record id or byte offset of the record in its origin."},
        {"attest.source", "keyword", "Collector (format) that read the record."},
        {"auditd.data", "object",
         "Every key=value of the records, decoded (hex and quoting undone)."},
        {"auditd.enriched", "object",
         "The enriched names auditd appends after 0x1d (UID, SYSCALL, ...)."},
        {"auditd.incomplete", "boolean", "The serial had no EOE record when the input ended."},
        {"auditd.message_type", "keyword",
         "Type of the record that defines the event (SYSCALL, EXECVE, ...)."},
        {"auditd.paths", "object",
         "PATH records: item, name, nametype, inode, mode, ouid, ogid, ..."},
        {"auditd.result", "keyword", "success or fail, from the syscall."},
        {"auditd.sequence", "long", "Audit serial number of the event."},
        {"destination.address", "keyword", "Destination network address."},
        {"destination.domain", "keyword", "The domain name of the destination."},
        {"destination.ip", "ip", "IP address of the destination."},
        {"destination.port", "long", "Port of the destination."},
        {"dll.hash.imphash", "keyword", "Import hash (IMPHASH in Sysmon Hashes), lower-case."},
        {"dll.hash.md5", "keyword", "MD5 hash."},
        {"dll.hash.sha1", "keyword", "SHA1 hash."},
        {"dll.hash.sha256", "keyword", "SHA256 hash."},
        {"dll.name", "keyword", "Name of the library."},
        {"dll.path", "keyword", "Full file path of the library."},
        {"dns.answers", "object", "Array of DNS answers."},
        {"dns.question.name", "keyword", "The name being queried."},
        {"dns.resolved_ip", "ip", "Array containing all IPs seen in answers.data"},
        {"dns.response_code", "keyword", "The DNS response code."},
        {"event.action", "keyword", "The action captured by the event."},
        {"event.category", "keyword", "Event category."},
        {"event.code", "keyword", "Identification code for this event."},
        {"event.created", "date",
         "Time when the event was first read by an agent or by your pipeline."},
        {"event.dataset", "keyword", "Name of the dataset."},
        {"event.id", "keyword", "Unique ID to describe the event."},
        {"event.kind", "keyword", "The kind of the event."},
        {"event.module", "keyword", "Name of the module this data is coming from."},
        {"event.original", "keyword", "The raw record, only with --original."},
        {"event.outcome", "keyword", "The outcome of the event."},
        {"event.provider", "keyword", "Source of the event."},
        {"event.sequence", "long", "Sequence number of the event."},
        {"event.type", "keyword", "Event type."},
        {"file.Ext.original.name", "keyword",
         "Name before a rename (PreviousFileName), as Elastic Defend has it."},
        {"file.Ext.original.path", "keyword",
         "Path before a rename (PreviousFolderPath + PreviousFileName)."},
        {"file.audit.nametype", "keyword",
         "PATH record nametype (CREATE, NORMAL, DELETE, PARENT)."},
        {"file.directory", "keyword", "Directory where the file is located."},
        {"file.extension", "keyword", "File extension, excluding the leading dot."},
        {"file.hash.imphash", "keyword", "Import hash (IMPHASH in Sysmon Hashes), lower-case."},
        {"file.hash.md5", "keyword", "MD5 hash."},
        {"file.hash.sha1", "keyword", "SHA1 hash."},
        {"file.hash.sha256", "keyword", "SHA256 hash."},
        {"file.inode", "keyword", "Inode representing the file in the filesystem."},
        {"file.mode", "keyword", "Mode of the file in octal representation."},
        {"file.name", "keyword",
         "Name of the file including the extension, without the directory."},
        {"file.path", "keyword", "Full path to the file, including the file name."},
        {"file.size", "long", "File size in bytes."},
        {"host.id", "keyword", "Unique host id."},
        {"host.name", "keyword", "Name of the host."},
        {"host.os.type", "keyword", "Operating system family: windows or linux (Elastic's rules test it)."},
        {"log.level", "keyword", "Log level of the log event."},
        {"network.direction", "keyword", "Direction of the network traffic."},
        {"network.protocol", "keyword", "Application protocol name."},
        {"network.transport", "keyword", "Protocol Name corresponding to the field `iana_number`."},
        {"network.type", "keyword", "In the OSI Model this would be the Network Layer."},
        {"organization.id", "keyword", "Unique identifier for the organization."},
        {"powershell.command.invocation_details", "object",
         "4103 Payload lines: type, related command, name, value."},
        {"powershell.command.name", "keyword", "4103 ContextInfo Command Name."},
        {"powershell.command.path", "keyword", "4103 ContextInfo Command Path."},
        {"powershell.command.type", "keyword", "4103 ContextInfo Command Type."},
        {"powershell.engine.version", "keyword", "4103 ContextInfo Engine Version."},
        {"powershell.file.script_block_complete", "boolean",
         "Whether every part of a split script block arrived."},
        {"powershell.file.script_block_id", "keyword", "ScriptBlockId, as written."},
        {"powershell.file.script_block_missing_parts", "long",
         "Part numbers that never arrived (incomplete blocks)."},
        {"powershell.file.script_block_text", "match_only_text",
         "Script block text; the whole block once its parts are reassembled."},
        {"powershell.id", "keyword", "4103 ContextInfo Host ID."},
        {"powershell.pipeline_id", "keyword", "4103 ContextInfo Pipeline ID."},
        {"powershell.process.executable_version", "keyword", "4103 ContextInfo Host Version."},
        {"powershell.process.name", "keyword", "4103 ContextInfo Host Name."},
        {"powershell.runspace_id", "keyword", "4103 ContextInfo Runspace ID."},
        {"powershell.sequence", "long", "MessageNumber (4104) or Sequence Number (4103)."},
        {"powershell.total", "long", "MessageTotal: parts of the script block."},
        {"process.args", "keyword", "Array of process arguments."},
        {"process.args_count", "long", "Length of the process.args array."},
        {"process.command_line", "wildcard", "Full command line that started the process."},
        {"process.entity_id", "keyword", "Unique identifier for the process."},
        {"process.executable", "keyword", "Absolute path to the process executable."},
        {"process.hash.imphash", "keyword", "Import hash (IMPHASH in Sysmon Hashes), lower-case."},
        {"process.hash.md5", "keyword", "MD5 hash."},
        {"process.hash.sha1", "keyword", "SHA1 hash."},
        {"process.hash.sha256", "keyword", "SHA256 hash."},
        {"process.name", "keyword", "Process name."},
        {"process.parent.args", "keyword", "Array of process arguments."},
        {"process.parent.args_count", "long", "Length of the process.args array."},
        {"process.parent.command_line", "wildcard", "Full command line that started the process."},
        {"process.parent.entity_id", "keyword", "Unique identifier for the process."},
        {"process.parent.executable", "keyword", "Absolute path to the process executable."},
        {"process.parent.name", "keyword", "Process name."},
        {"process.parent.pid", "long", "Process id."},
        {"process.parent.start", "date", "The time the process started."},
        {"process.pe.company", "keyword",
         "Internal company name of the file, provided at compile-time."},
        {"process.pe.description", "keyword",
         "Internal description of the file, provided at compile-time."},
        {"process.pe.file_version", "keyword", "Process name."},
        {"process.pe.original_file_name", "keyword",
         "Internal name of the file, provided at compile-time."},
        {"process.pe.product", "keyword",
         "Internal product name of the file, provided at compile-time."},
        {"process.pid", "long", "Process id."},
        {"process.start", "date", "The time the process started."},
        {"process.title", "keyword", "Process title."},
        {"process.working_directory", "keyword", "The working directory of the process."},
        {"registry.data.strings", "wildcard",
         "List of strings representing what was written to the registry."},
        {"registry.hive", "keyword", "Abbreviated name for the hive."},
        {"registry.key", "keyword", "Hive-relative path of keys."},
        {"registry.path", "keyword", "Full path, including hive, key and value"},
        {"registry.value", "keyword", "Name of the value written."},
        {"source.domain", "keyword", "The domain name of the source."},
        {"source.ip", "ip", "IP address of the source."},
        {"source.port", "long", "Port of the source."},
        {"tags", "keyword", "Audit rule keys (key=) of the event."},
        {"url.original", "wildcard", "Unmodified original url as seen in the event source."},
        {"user.domain", "keyword", "Name of the directory the user is a member of."},
        {"user.effective.id", "keyword", "Unique identifier of the user."},
        {"user.email", "keyword", "User email address."},
        {"user.group.id", "keyword", "Unique identifier for the group on the system/platform."},
        {"user.id", "keyword", "Unique identifier of the user."},
        {"user.name", "keyword", "Short name or login of the user."},
        {"winlog.activity_id", "keyword", "Correlation ActivityID, braced upper-case."},
        {"winlog.channel", "keyword", "Event log channel (System/Channel)."},
        {"winlog.computer_name", "keyword",
         "Computer that logged the event (System/Computer), as written."},
        {"winlog.event_id", "long", "Event ID (System/EventID) as a number."},
        {"winlog.event_source_name", "keyword",
         "Provider EventSourceName (classic event sources)."},
        {"winlog.keywords", "keyword", "Keywords mask (System/Keywords) as written."},
        {"winlog.opcode", "keyword", "Opcode (System/Opcode)."},
        {"winlog.process.pid", "long", "Execution ProcessID: the logging service, not the actor."},
        {"winlog.process.thread.id", "long", "Execution ThreadID."},
        {"winlog.provider_guid", "keyword", "Provider GUID, braced upper-case."},
        {"winlog.provider_name", "keyword", "Provider Name (System/Provider/@Name)."},
        {"winlog.qualifiers", "keyword", "EventID Qualifiers attribute."},
        {"winlog.record_id", "long", "EventRecordID: the record number in its channel."},
        {"winlog.related_activity_id", "keyword",
         "Correlation RelatedActivityID, braced upper-case."},
        {"winlog.task", "keyword", "Task (System/Task)."},
        {"winlog.user.identifier", "keyword", "Security UserID (SID; UserId on Sysmon for Linux)."},
        {"winlog.version", "long", "Event version (System/Version)."},
    };
    return table;
}

// Names every source's events carry (provenance, dataset) and those of every Windows event
// rendering (System fields).
constexpr std::string_view kBaseNames[] = {"@timestamp",    "attest.origin", "attest.position",
                                           "attest.source", "event.dataset", "event.kind",
                                           "event.original"};
constexpr std::string_view kWinlogNames[] = {"event.code",
                                             "event.created",
                                             "event.provider",
                                             "host.name",
                                             "host.os.type",
                                             "log.level",
                                             "winlog.channel",
                                             "winlog.computer_name",
                                             "winlog.event_id",
                                             "winlog.keywords",
                                             "winlog.opcode",
                                             "winlog.process.pid",
                                             "winlog.process.thread.id",
                                             "winlog.provider_guid",
                                             "winlog.provider_name",
                                             "winlog.record_id",
                                             "winlog.task",
                                             "winlog.user.identifier",
                                             "winlog.version"};

const FieldSpec* common_field(std::string_view name) {
    for (const auto& f : common_fields())
        if (f.name == name) return &f;
    return nullptr;
}

void add_named(std::vector<FieldSpec>& out, std::string_view name) {
    const FieldSpec* found = common_field(name);
    // An undeclared name keeps an empty type: the source table test names it.
    out.push_back(found != nullptr ? *found : FieldSpec{name, "", ""});
}

}  // namespace

std::vector<FieldSpec> with_common_fields(unsigned groups,
                                          std::initializer_list<std::string_view> names,
                                          std::vector<FieldSpec> native) {
    std::vector<FieldSpec> out;
    if (groups & kBaseFields)
        for (auto n : kBaseNames) add_named(out, n);
    if (groups & kWinlogFields)
        for (auto n : kWinlogNames) add_named(out, n);
    for (auto n : names) add_named(out, n);
    for (auto& f : native) out.push_back(std::move(f));
    return out;
}

}  // namespace attest::telemetry
