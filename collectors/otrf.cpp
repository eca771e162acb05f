// The otrf collector: OTRF Security-Datasets ("Mordor") host files, one flat object a line with
// System and EventData names side by side (shared/spec/telemetry.md, format (2)). Each line is
// rebuilt as a WinEventRecord and mapped by WinEventNormalizer, as its XML would be.
//
// Time: the files' TimeCreated (pipelines a, b) and EventTime (c, NXLog) are local times without
// a zone. Sysmon events carry UtcTime, which the normalizer prefers; every other event gets its
// local time shifted by the offset measured on the file's Sysmon events (UtcTime - local,
// rounded to 15 minutes, the latest measure), flagged in attest.time_note. Records are held
// (bounded) until a Sysmon event gives the offset, so output order is input order.
#include <cmath>
#include <cstdio>
#include <deque>

#include "collectors/builtin.h"
#include "collectors/record_dedupe.h"
#include "collectors/winevent_json.h"
#include "core/timeutil.h"

namespace attest {
namespace {

// Envelope names of the three pipelines (Winlogbeat/NXLog/Logstash), not EventData. The ones
// before kDropped are read into the record; the rest are dropped.
enum Envelope : int {
    kChannel,
    kEventID,
    kSourceName,
    kHostname,
    kMessage,
    kTimeCreated,
    kEventTime,
    kKeywords,
    kProviderGuid,
    kRecordNumber,
    kEventRecordID,
    kTask,
    kExecutionProcessID,
    kThreadID,
    kVersion,
    kUserID,
    kSourceModuleType,
    kEventTypeOrignal,
    kDropped
};
const NameIndex kEnvelope{"Channel", "EventID", "SourceName", "Hostname", "Message", "TimeCreated",
                          "EventTime", "Keywords", "ProviderGuid", "RecordNumber", "EventRecordID",
                          "Task", "ExecutionProcessID", "ThreadID", "Version", "UserID",
                          "SourceModuleType", "EventTypeOrignal",
                          // kDropped and after
                          "@timestamp", "@version", "Level", "Opcode", "OpcodeValue", "host",
                          "tags", "port", "Severity", "SeverityValue", "SourceModuleName",
                          "EventReceivedTime", "AccountName", "Domain", "AccountType", "Category"};

// The channel names of one file differ in case (`Security` and `security`): Windows' spelling.
std::string channel_name(std::string c) {
    for (std::string_view known : {"Security", "System", "Application", "Windows PowerShell"})
        if (iequals(c, known)) return std::string(known);
    return c;
}

struct Held {
    WinEventRecord record;
    std::optional<std::int64_t> local_ns;
    std::uint64_t line = 0;
    std::string original;
};

class OtrfCollector final : public JsonWinEventCollector {
public:
    OtrfCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : JsonWinEventCollector(std::move(input), options, sink, "otrf") {}

    static constexpr std::size_t kMaxHeld = 100000;

protected:
    bool handle(Value& rec, const JsonRecord& where, std::string& error) override {
        if (m_identical.seen(current_text())) ++m_identical_count;  // kept: the dataset has them
        Held& h = m_current;  // reused: its strings and data vector keep their capacity
        h.record.clear();
        h.local_ns.reset();
        h.line = where.line;
        h.original.clear();
        if (!convert(rec, h, error)) return false;
        if (options().include_original) h.original.assign(current_text());
        measure_offset(h);
        if (!m_offset && m_held.size() < kMaxHeld) {
            m_held.push_back(std::move(h));
            return true;
        }
        release_held();
        put(h);
        return true;
    }

    void end() override {
        release_held();
        if (m_identical_count > 0)
            warn(0,
                 std::to_string(m_identical_count) +
                     " line(s) identical to an earlier line: kept, as the dataset recorded them");
    }

private:
    // One pass over the members: envelope names by table, everything else is event data,
    // moved out of the parsed record rather than copied.
    bool convert(Value& rec, Held& h, std::string& error) {
        WinEventRecord& r = h.record;
        const Value* env[kDropped] = {};
        bool has_utc = false;
        // NXLog's own EventType (INFO, AUDIT_SUCCESS) displaced the event's: Logstash renamed it.
        const bool nxlog = rec.get("SourceModuleType") != nullptr;
        for (auto& m : rec.as_object()) {
            int k = kEnvelope.find(m.key);
            if (k == kEventTypeOrignal) r.data.emplace_back("EventType", json_scalar_text(m.value));
            if (k >= 0) {
                if (k < kDropped && env[k] == nullptr) env[k] = &m.value;  // the first, as get()
                continue;
            }
            has_utc = has_utc || m.key == "UtcTime";
            if ((nxlog && m.key == "EventType") || m.value.is_null()) continue;
            r.data.emplace_back(std::move(m.key), take_scalar_text(m.value));
        }
        auto text = [&](Envelope k) { return env[k] ? json_scalar_text(*env[k]) : std::string(); };
        auto id = parse_decimal(text(kEventID));
        if (!id) {
            error = "no numeric EventID";
            return false;
        }
        r.event_id = static_cast<std::int64_t>(*id);
        r.channel = channel_name(text(kChannel));
        r.provider_name = text(kSourceName);
        r.provider_guid = text(kProviderGuid);
        r.computer = text(kHostname);  // never `host`: that is the collector in pipeline (c)
        r.version = text(kVersion);
        r.task = text(kTask);
        r.keywords = windows_keywords(env[kKeywords]);
        r.process_id = text(kExecutionProcessID);
        r.thread_id = text(kThreadID);
        if (std::string u = text(kUserID); u.rfind("S-", 0) == 0) r.user_id = u;
        if (auto record =
                parse_decimal(text(env[kRecordNumber] ? kRecordNumber : kEventRecordID))) {
            r.record_id = *record;
            r.has_record_id = true;
        }
        // Classic PowerShell in pipeline (c) is Message only: its details block is in there.
        if (r.channel == "Windows PowerShell" && r.data.empty())
            r.data.emplace_back("param1", text(kMessage));
        h.local_ns = parse_iso8601_ns(text(env[kTimeCreated] ? kTimeCreated : kEventTime));
        if (!h.local_ns && !has_utc) {
            error = "no usable time (TimeCreated, EventTime or Sysmon UtcTime)";
            return false;
        }
        return true;
    }

    // Re-measured on every Sysmon event: a 12-hour clock flips the offset by 12 h at noon.
    void measure_offset(const Held& h) {
        if (!h.local_ns) return;
        for (const auto& [name, value] : h.record.data)
            if (name == "UtcTime")
                if (auto utc = parse_iso8601_ns(value)) {
                    constexpr std::int64_t kQuarter = 15LL * 60 * 1000000000;
                    double q = std::round(static_cast<double>(*utc - *h.local_ns) / kQuarter);
                    std::int64_t offset = static_cast<std::int64_t>(q) * kQuarter;
                    if (m_offset == offset) return;
                    m_offset = offset;
                    std::int64_t minutes = offset / 60000000000LL;
                    char buf[96];
                    std::snprintf(buf, sizeof buf,
                                  "local time %c%02lld:%02lld to UTC, measured on Sysmon UtcTime",
                                  minutes < 0 ? '-' : '+',
                                  static_cast<long long>(std::llabs(minutes) / 60),
                                  static_cast<long long>(std::llabs(minutes) % 60));
                    m_note = buf;
                    return;
                }
    }

    void release_held() {
        while (!m_held.empty()) {
            put(m_held.front());
            m_held.pop_front();
        }
    }

    void put(Held& h) {
        if (h.local_ns) {
            h.record.time_created = format_iso8601(*h.local_ns + m_offset.value_or(0), 9);
            h.record.time_note =
                m_offset ? m_note
                         : "local time taken as UTC: no Sysmon UtcTime to measure the offset";
        }
        if (options().include_original) h.record.original = std::move(h.original);
        add(h.record, h.line);
    }

    Held m_current;
    std::deque<Held> m_held;
    std::optional<std::int64_t> m_offset;
    std::string m_note;
    RecordDeduper m_identical{std::size_t(1) << 16};  // the dataset repeats lines close together
    std::uint64_t m_identical_count = 0;
};

int sniff_otrf(std::string_view head, std::string_view) {
    Value first = first_json_record(head);
    if (!first.is_object() || first.get("Channel") == nullptr || first.get("EventID") == nullptr)
        return 0;
    if (first.get("Hostname") == nullptr && first.get("SourceName") == nullptr) return 0;
    if (first.get("Type") != nullptr || first.get("TenantId") != nullptr) return 0;  // Sentinel
    return 80;
}

}  // namespace

void register_otrf_collector(CollectorRegistry& registry) {
    registry.add(json_collector_info<OtrfCollector>(
        "otrf",
        "OTRF Security-Datasets (Mordor) host JSON: flat Windows events, one object a line "
        "(Winlogbeat, NXLog/Logstash pipelines)",
        sniff_otrf));
}

}  // namespace attest
