// The sentinel collector: Microsoft Sentinel / Log Analytics exports of the SecurityEvent,
// WindowsEvent, Event and Syslog tables (shared/spec/telemetry.md, format (3)), one object a
// line or an array. Windows rows are rebuilt as WinEventRecords (EventData from its XML text,
// its JSON object or JSON string, else from the parsed columns) and mapped by
// WinEventNormalizer; Syslog rows from Sysmon for Linux carry the event XML itself, rows from
// auoms an AUOMS_EXECVE record, mapped as the auditd collector maps an exec.
// TimeGenerated (the agent's stamp) is used only when the row has no better time. Byte-identical
// rows are dropped and counted; EventOriginId is not unique, so it is never a key.
#include <iterator>

#include "collectors/builtin.h"
#include "collectors/record_dedupe.h"
#include "collectors/windows_args.h"
#include "collectors/winevent_json.h"
#include "collectors/winevent_xml_reader.h"
#include "core/timeutil.h"

namespace attest {
namespace {

// A query over several tables suffixes a column whose type differs (EventData_string).
// The first non-null of name, name_string, name_dynamic, name_s, name_d (each by its first
// occurrence, as a lookup would find it), in one pass over the row without building the names.
const Value* column(const Value& row, std::string_view name) {
    static constexpr std::string_view kSuffixes[] = {"", "_string", "_dynamic", "_s", "_d"};
    const Value* found[std::size(kSuffixes)] = {};
    unsigned seen = 0;  // bit r: the first member named name + kSuffixes[r] was met
    for (const auto& m : row.as_object()) {
        std::string_view key = m.key;
        if (key.size() < name.size() || key.substr(0, name.size()) != name) continue;
        for (std::size_t r = 0; r < std::size(kSuffixes); ++r)
            if (key.substr(name.size()) == kSuffixes[r] && !(seen & (1u << r))) {
                seen |= 1u << r;
                if (!m.value.is_null()) found[r] = &m.value;
            }
    }
    for (const Value* v : found)
        if (v != nullptr) return v;
    return nullptr;
}

std::string column_text(const Value& row, std::string_view name) {
    const Value* v = column(row, name);
    return v == nullptr ? std::string() : json_scalar_text(*v);
}

// Columns of the Log Analytics envelope and the SecurityEvent descriptions: not EventData.
bool is_envelope(std::string_view key) {
    key = key.substr(0, key.rfind('_') == 0 || key.rfind('_') == std::string_view::npos
                            ? key.size()
                            : key.rfind('_'));
    return is_one_of(key, {"TenantId",
                           "TimeGenerated",
                           "SourceSystem",
                           "Computer",
                           "_ResourceId",
                           "Type",
                           "MG",
                           "ManagementGroupName",
                           "EventOriginId",
                           "TimeCollected",
                           "_ItemId",
                           "EventData",
                           "EventID",
                           "Channel",
                           "Activity",
                           "Level",
                           "Task",
                           "EventSourceName",
                           "Provider",
                           "EventLevelName",
                           "EventLevel",
                           "AzureDeploymentID",
                           "Role",
                           "SystemUserId",
                           "SystemThreadId",
                           "SystemProcessId",
                           "EventRecordId",
                           "Keywords",
                           "Opcode",
                           "Version",
                           "Correlation",
                           "RawEventData",
                           "Data",
                           "EventCategory"});
}

// auoms (Azure's auditd plugin) writes one joined record per exec: `type=AUOMS_EXECVE
// audit(EPOCH.mmm:SERIAL): ppid=… pid=… uid=… user="…" exe="…" cwd="…" path_name=[…] …
// cmdline="…" redactors=…`; cmdline's inner quotes are not escaped, so it runs to " redactors=".
struct AuomsExec {
    std::int64_t time_ns = 0;
    std::int64_t serial = 0;
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    std::string_view get(std::string_view key) const {
        for (const auto& [k, v] : fields)
            if (k == key) return v;
        return {};
    }
};

bool parse_auoms_execve(std::string_view m, AuomsExec& out, std::string& error) {
    constexpr std::string_view kHead = "type=AUOMS_EXECVE audit(";
    std::size_t close = m.find("): ");
    std::size_t dot = m.find('.', kHead.size()), colon = m.find(':', kHead.size());
    if (m.substr(0, kHead.size()) != kHead || close == std::string_view::npos || dot > colon ||
        colon > close) {
        error = "SyslogMessage is not `type=AUOMS_EXECVE audit(EPOCH.mmm:SERIAL): ...`";
        return false;
    }
    auto secs = parse_decimal(m.substr(kHead.size(), dot - kHead.size()));
    auto millis = parse_decimal(m.substr(dot + 1, colon - dot - 1));
    auto serial = parse_decimal(m.substr(colon + 1, close - colon - 1));
    if (!secs || !millis || !serial) {
        error = "bad audit(EPOCH.mmm:SERIAL) stamp";
        return false;
    }
    out.time_ns = static_cast<std::int64_t>(*secs) * 1000000000 +
                  static_cast<std::int64_t>(*millis) * 1000000;
    out.serial = static_cast<std::int64_t>(*serial);
    std::string_view rest = m.substr(close + 3);
    while (!rest.empty()) {
        std::size_t eq = rest.find('=');
        if (eq == std::string_view::npos) break;
        std::string_view key = rest.substr(0, eq), value;
        rest.remove_prefix(eq + 1);
        std::size_t end;
        if (key == "cmdline" && !rest.empty() && rest[0] == '"') {
            end = rest.find("\" redactors=");
            end = end == std::string_view::npos ? rest.size() : end + 1;
            value = rest.substr(1, end >= 2 && rest[end - 1] == '"' ? end - 2 : end - 1);
        } else if (!rest.empty() && (rest[0] == '"' || rest[0] == '[')) {
            end = rest.find(rest[0] == '"' ? '"' : ']', 1);
            end = end == std::string_view::npos ? rest.size() : end + 1;
            value = rest.substr(1, end - (rest[end - 1] == '"' || rest[end - 1] == ']' ? 2 : 1));
        } else {
            end = std::min(rest.find(' '), rest.size());
            value = rest.substr(0, end);
        }
        out.fields.emplace_back(key, value);
        rest.remove_prefix(std::min(rest.size(), end));
        while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    }
    return true;
}

// The auditd collector's vocabulary for an exec (event.dataset auditd.log, action executed).
Event auoms_event(const AuomsExec& x, std::string_view host) {
    Event e = Value::object();
    e.set_key("@timestamp", Value(format_iso8601(x.time_ns, 3)));
    Value& event = e.set_key("event", Value::object());
    event.set_key("kind", Value("event"));
    event.set_key("dataset", Value("auditd.log"));
    event.set_key("module", Value("auditd"));
    event.set_key("sequence", Value(x.serial));
    event.set_key("action", Value("executed"));
    event.set_key("category", Value(Array{Value("process")}));
    event.set_key("type", Value(Array{Value("start")}));
    if (!host.empty()) e.set("host.name", Value(host));
    Value process = Value::object();
    auto number = [](std::string_view v) {
        auto n = parse_decimal(v);
        return n ? Value(static_cast<std::int64_t>(*n)) : Value(v);
    };
    if (auto pid = x.get("pid"); !pid.empty()) process.set_key("pid", number(pid));
    if (auto exe = x.get("exe"); !exe.empty()) {
        process.set_key("executable", Value(exe));
        process.set_key("name", Value(exe.substr(exe.rfind('/') + 1)));
    }
    if (auto ppid = x.get("ppid"); !ppid.empty()) process.set("parent.pid", number(ppid));
    if (auto cwd = x.get("cwd"); !cwd.empty()) process.set_key("working_directory", Value(cwd));
    if (auto cmd = x.get("cmdline"); !cmd.empty()) {
        process.set_key("command_line", Value(cmd));
        Array args;
        for (auto& a : split_on_blanks(cmd)) args.emplace_back(std::move(a));
        process.set_key("args_count", Value(static_cast<std::int64_t>(args.size())));
        process.set_key("args", Value(std::move(args)));
    }
    e.set_key("process", std::move(process));
    if (auto uid = x.get("uid"); !uid.empty()) e.set("user.id", Value(uid));
    if (auto user = x.get("user"); !user.empty()) e.set("user.name", Value(user));
    return e;
}

// The Log Analytics portal's "Export to CSV" (head_is_csv): a header of column names, datetime
// columns suffixed with their zone (`TimeGenerated [UTC]`), dynamic columns as JSON text.
std::string csv_column_name(std::string_view header) {
    constexpr std::string_view kUtc = " [UTC]";
    if (header.size() > kUtc.size() && header.substr(header.size() - kUtc.size()) == kUtc)
        header.remove_suffix(kUtc.size());
    return std::string(header);
}

// The first line of `text` without its line end.
std::string_view first_line(std::string_view text) {
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

// A header naming TimeGenerated and Type, and a first row of one of the tables read.
int sniff_sentinel_csv(std::string_view head) {
    if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
    std::size_t eol = head.find('\n');
    if (eol == std::string_view::npos) return 0;
    std::vector<std::string> fields;
    std::size_t n = CsvReader::split(first_line(head), fields);
    std::size_t type = n;
    bool time = false;
    for (std::size_t i = 0; i < n; ++i) {
        std::string name = csv_column_name(fields[i]);
        if (name == "Type") type = i;
        if (name == "TimeGenerated") time = true;
    }
    if (type == n || !time) return 0;
    if (CsvReader::split(first_line(head.substr(eol + 1)), fields) <= type) return 0;
    return is_one_of(fields[type], {"SecurityEvent", "WindowsEvent", "Event", "Syslog"}) ? 85 : 0;
}

class SentinelCollector final : public JsonWinEventCollector {
public:
    SentinelCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : JsonWinEventCollector(std::move(input), options, sink, "sentinel") {
        if (head_is_csv(head())) read_csv(csv_column_name);
    }

protected:
    bool handle(Value& row, const JsonRecord& where, std::string& error) override {
        if (m_rows.seen(current_text())) {
            ++m_duplicates;
            return true;
        }
        std::string type = column_text(row, "Type");
        m_record.clear();
        bool ok;
        if (type == "SecurityEvent")
            ok = security_event(row, error);
        else if (type == "WindowsEvent")
            ok = windows_event(row, error);
        else if (type == "Event")
            ok = event_row(row, error);
        else if (type == "Syslog")
            return syslog_row(row, where, error);
        else {
            error = "table `" + type +
                    "` is not read by the sentinel collector (SecurityEvent, WindowsEvent, Event, "
                    "Syslog)";
            return false;
        }
        if (!ok) return false;
        if (m_record.time_created.empty())
            m_record.time_created = column_text(row, "TimeGenerated");
        if (m_record.time_created.empty() && !has_data("UtcTime")) {
            error = "row has no time (TimeGenerated, TimeCreated or UtcTime)";
            return false;
        }
        add(m_record, where.line);
        return true;
    }

    void end() override {
        if (m_duplicates > 0)
            warn(0,
                 std::to_string(m_duplicates) + " byte-identical row(s) dropped (exported twice)");
    }

private:
    bool has_data(std::string_view name) const {
        for (const auto& d : m_record.data)
            if (d.first == name) return true;
        return false;
    }

    bool envelope(const Value& row, std::string_view channel_column,
                  std::string_view provider_column, std::string& error) {
        auto id = parse_decimal(column_text(row, "EventID"));
        if (!id) {
            error = "no numeric EventID";
            return false;
        }
        m_record.event_id = static_cast<std::int64_t>(*id);
        m_record.channel = column_text(row, channel_column);
        m_record.provider_name = column_text(row, provider_column);
        m_record.computer = column_text(row, "Computer");
        m_record.level = column_text(row, "EventLevel");
        m_record.task = column_text(row, "Task");
        m_record.keywords = column_text(row, "Keywords");
        m_record.time_created = column_text(row, "TimeCreated");
        if (auto rid = parse_decimal(column_text(row, "EventRecordId"))) {
            m_record.record_id = *rid;
            m_record.has_record_id = true;
        }
        return true;
    }

    // `<EventData xmlns=…><Data Name=…>…</Data></EventData>` (also inside Event's <DataItem>):
    // parsed by the Windows event XML parser inside a minimal <Event>.
    bool xml_event_data(std::string_view xml, std::string& error) {
        std::size_t start = xml.find("<EventData");
        std::size_t stop = xml.rfind("</EventData>");
        if (start == std::string_view::npos || stop == std::string_view::npos || stop < start) {
            error = "EventData is not <EventData> XML";
            return false;
        }
        m_scratch = "<Event><System><EventID>0</EventID></System>";
        m_scratch.append(xml.substr(start, stop + 12 - start));
        m_scratch += "</Event>";
        WinEventRecord parsed;
        WinEventXmlParser::Failure failure;
        if (!m_parser.parse(m_scratch.data(), m_scratch.size(), parsed, failure)) {
            error = "EventData XML: " + failure.message;
            return false;
        }
        m_record.data = std::move(parsed.data);
        return true;
    }

    void columns_as_data(const Value& row) {
        for (const auto& m : row.as_object()) {
            if (is_envelope(m.key) || m.value.is_null() || m.value.is_object() ||
                m.value.is_array())
                continue;
            std::string v = json_scalar_text(m.value);
            if (!v.empty()) m_record.data.emplace_back(m.key, std::move(v));
        }
    }

    bool security_event(const Value& row, std::string& error) {
        if (!envelope(row, "Channel", "EventSourceName", error)) return false;
        if (m_record.channel.empty()) m_record.channel = "Security";
        if (m_record.provider_name.empty() ||
            m_record.provider_name == "Microsoft Windows security auditing.")
            m_record.provider_name = "Microsoft-Windows-Security-Auditing";
        const Value* ed = column(row, "EventData");
        if (ed != nullptr && ed->is_string() && !ed->as_string().empty())
            return xml_event_data(ed->as_string(), error);
        columns_as_data(row);  // EventData absent: the parsed columns are what is left
        return true;
    }

    bool windows_event(const Value& row, std::string& error) {
        if (!envelope(row, "Channel", "Provider", error)) return false;
        const Value* ed = column(row, "EventData");
        Value parsed;
        if (ed != nullptr && ed->is_string() && !ed->as_string().empty()) {
            std::size_t off;
            if (ed->as_string().front() == '<') return xml_event_data(ed->as_string(), error);
            if (!parse_json_record(ed->as_string(), parsed, error, off)) {
                error = "EventData JSON string: " + error;
                return false;
            }
            ed = &parsed;
        }
        if (ed != nullptr && ed->is_object())
            for (const auto& m : ed->as_object()) {
                std::string v = json_scalar_text(m.value);
                if (m.key.size() > 4 && m.key.compare(m.key.size() - 4, 4, "Guid") == 0 &&
                    v.size() == 36)
                    v = "{" + v + "}";
                m_record.data.emplace_back(m.key, std::move(v));
            }
        return true;
    }

    bool event_row(const Value& row, std::string& error) {
        if (!envelope(row, "EventLog", "Source", error)) return false;
        const Value* ed = column(row, "EventData");
        if (ed != nullptr && ed->is_string() &&
            ed->as_string().find("<EventData") != std::string::npos)
            return xml_event_data(ed->as_string(), error);
        return true;
    }

    bool syslog_row(const Value& row, const JsonRecord& where, std::string& error) {
        std::string message = column_text(row, "SyslogMessage");
        if (message.rfind("type=AUOMS_EXECVE ", 0) == 0) {
            AuomsExec exec;
            if (!parse_auoms_execve(message, exec, error)) return false;
            std::string host = column_text(row, "HostName");
            if (host.empty()) host = column_text(row, "Computer");
            Event e = auoms_event(exec, host);
            set_provenance(e, "sentinel", options().origin,
                           Value(static_cast<std::int64_t>(where.line)));
            emit(std::move(e));
            return true;
        }
        std::size_t lt = message.find("<Event>");
        if (lt == std::string::npos) lt = message.find("<Event ");
        if (lt == std::string::npos) {
            error =
                "Syslog row without a Sysmon <Event> or an AUOMS_EXECVE record in SyslogMessage "
                "(process `" +
                column_text(row, "ProcessName") + "`)";
            return false;
        }
        m_scratch.assign(message.substr(lt));
        WinEventXmlParser::Failure failure;
        if (!m_parser.parse(m_scratch.data(), m_scratch.size(), m_record, failure)) {
            error = "SyslogMessage XML: " + failure.message;
            return false;
        }
        if (m_record.computer.empty()) m_record.computer = column_text(row, "HostName");
        add(m_record, where.line);
        return true;
    }

    WinEventRecord m_record;
    WinEventXmlParser m_parser;
    std::string m_scratch;
    RecordDeduper m_rows;
    std::uint64_t m_duplicates = 0;
};

int sniff_sentinel(std::string_view head, std::string_view) {
    if (head_is_csv(head)) return sniff_sentinel_csv(head);
    Value first = first_json_record(head);
    const Value* type = first.is_object() ? first.get("Type") : nullptr;
    if (type == nullptr || !type->is_string()) return 0;
    const std::string& t = type->as_string();
    if (t != "SecurityEvent" && t != "WindowsEvent" && t != "Event" && t != "Syslog") return 0;
    return first.get("TimeGenerated") != nullptr || first.get("TenantId") != nullptr ? 90 : 60;
}

}  // namespace

void register_sentinel_collector(CollectorRegistry& registry) {
    registry.add(json_collector_info<SentinelCollector>(
        "sentinel",
        "Microsoft Sentinel / Log Analytics exports: SecurityEvent, WindowsEvent, Event, Syslog "
        "(Sysmon for Linux)",
        sniff_sentinel));
}

}  // namespace attest
