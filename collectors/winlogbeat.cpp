// The winlogbeat collector: Elastic Agent / Winlogbeat documents (shared/spec/telemetry.md,
// format (4)): NDJSON of `_source` documents or of hits with `_index` and `_source`, keys
// nested or dotted. The documents are already ECS: their vocabulary is kept (dotted keys are
// nested, nothing renamed); only a missing event.dataset is inferred, first found of
// data_stream.dataset, event.dataset, event.module, winlog.channel (case-insensitively), the
// _index name. Winlogbeat 6 documents are pre-ECS (log_name, event_id, computer_name,
// record_number, event_data): they are rebuilt as WinEventRecords and normalized.
#include "collectors/builtin.h"
#include "collectors/winevent_json.h"

namespace attest {
namespace {

std::string_view string_at(const Value& doc, std::string_view path) {
    const Value* v = doc.find(path);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

struct ChannelDataset {
    std::string_view channel, dataset;
};
constexpr ChannelDataset kChannels[] = {
    {"Microsoft-Windows-Sysmon/Operational", "windows.sysmon_operational"},
    {"Microsoft-Windows-PowerShell/Operational", "windows.powershell_operational"},
    {"PowerShellCore/Operational", "windows.powershell_operational"},
    {"Windows PowerShell", "windows.powershell"},
    {"Security", "system.security"},
    {"System", "system.system"},
    {"Application", "system.application"},
};

std::string_view channel_dataset(std::string_view channel) {
    for (const auto& c : kChannels)
        if (iequals(channel, c.channel)) return c.dataset;
    return {};
}

// Winlogbeat 8 sets only event.module (sysmon, powershell, security).
std::string_view module_dataset(std::string_view module, std::string_view channel) {
    if (module == "sysmon") return "windows.sysmon_operational";
    if (module == "security") return "system.security";
    if (module == "powershell")
        return iequals(channel, "Windows PowerShell") ? "windows.powershell"
                                                            : "windows.powershell_operational";
    return {};
}

// ".ds-logs-windows.sysmon_operational-default-2024.01.01-000001" -> windows.sysmon_operational
std::string index_dataset(std::string_view index) {
    std::size_t p = index.find("logs-");
    if (p == std::string_view::npos) return {};
    std::string_view rest = index.substr(p + 5);
    return std::string(rest.substr(0, rest.find('-')));
}

std::string infer_dataset(const Value& doc, std::string_view index) {
    for (std::string_view path : {"data_stream.dataset", "event.dataset"})
        if (std::string_view v = string_at(doc, path); !v.empty()) return std::string(v);
    std::string_view channel = string_at(doc, "winlog.channel");
    if (std::string_view v = module_dataset(string_at(doc, "event.module"), channel); !v.empty())
        return std::string(v);
    if (std::string_view v = channel_dataset(channel); !v.empty()) return std::string(v);
    return index_dataset(index);
}

// {"event.code": "1", "winlog": {...}} -> nested objects, member order kept.
void nest_dotted(Value& doc) {
    if (!doc.is_object()) return;
    bool dotted = false;
    for (const auto& m : doc.as_object()) dotted = dotted || m.key.find('.') != std::string::npos;
    for (auto& m : doc.as_object()) nest_dotted(m.value);
    if (!dotted) return;
    Value out = Value::object();
    for (auto& m : doc.as_object()) {
        if (m.key.find('.') == std::string::npos) {
            if (Value* existing = out.get(m.key);
                existing && existing->is_object() && m.value.is_object())
                for (auto& inner : m.value.as_object())
                    existing->set_key(inner.key, std::move(inner.value));
            else
                out.set_key(m.key, std::move(m.value));
        } else {
            out.set(m.key, std::move(m.value));
        }
    }
    doc = std::move(out);
}

class WinlogbeatCollector final : public JsonWinEventCollector {
public:
    WinlogbeatCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : JsonWinEventCollector(std::move(input), options, sink, "winlogbeat") {}

protected:
    bool handle(Value& hit, const JsonRecord& where, std::string& error) override {
        std::string index;
        if (const Value* i = hit.get("_index"); i != nullptr && i->is_string())
            index = i->as_string();
        Value doc = hit.get("_source") != nullptr ? std::move(*hit.get("_source")) : std::move(hit);
        if (!doc.is_object()) {
            error = "_source is not an object";
            return false;
        }
        if (doc.get("log_name") != nullptr && doc.get("event_id") != nullptr)
            return winlogbeat6(doc, where, error);
        nest_dotted(doc);
        const Value* ts = doc.find("@timestamp");
        if (ts == nullptr || !ts->is_string() || ts->as_string().empty()) {
            error = "document has no @timestamp";
            return false;
        }
        std::string dataset = infer_dataset(doc, index);
        if (!dataset.empty() && doc.find("event.dataset") == nullptr)
            doc.set("event.dataset", Value(dataset));
        set_provenance(doc, "winlogbeat", options().origin,
                       Value(static_cast<std::int64_t>(where.line)));
        emit(std::move(doc));
        return true;
    }

private:
    bool winlogbeat6(const Value& doc, const JsonRecord& where, std::string& error) {
        auto text = [&](std::string_view k) {
            const Value* v = doc.get(k);
            return v ? json_scalar_text(*v) : std::string();
        };
        m_record.clear();
        auto id = parse_decimal(text("event_id"));
        if (!id) {
            error = "event_id is not a number";
            return false;
        }
        m_record.event_id = static_cast<std::int64_t>(*id);
        m_record.channel = text("log_name");
        m_record.provider_name = text("source_name");
        m_record.computer = text("computer_name");
        m_record.time_created = text("@timestamp");
        m_record.level = text("level");
        if (auto rec = parse_decimal(text("record_number"))) {
            m_record.record_id = *rec;
            m_record.has_record_id = true;
        }
        for (std::string_view part : {"event_data", "user_data"})
            if (const Value* d = doc.get(part); d != nullptr && d->is_object())
                for (const auto& m : d->as_object())
                    m_record.data.emplace_back(m.key, json_scalar_text(m.value));
        if (m_record.time_created.empty()) {
            error = "document has no @timestamp";
            return false;
        }
        add(m_record, where.line);
        return true;
    }

    WinEventRecord m_record;
};

int sniff_winlogbeat(std::string_view head, std::string_view) {
    Value first = first_json_record(head);
    if (!first.is_object()) return 0;
    const Value* doc = first.get("_source") != nullptr ? first.get("_source") : &first;
    if (!doc->is_object()) return 0;
    if (doc->find("winlog") != nullptr || doc->get("winlog.channel") != nullptr) return 88;
    if (doc->get("log_name") != nullptr && doc->get("event_id") != nullptr &&
        doc->get("computer_name") != nullptr)
        return 88;
    if (first.get("_source") != nullptr && doc->find("event.dataset") != nullptr) return 70;
    return 0;
}

}  // namespace

void register_winlogbeat_collector(CollectorRegistry& registry) {
    registry.add(
        json_collector_info<WinlogbeatCollector>("winlogbeat",
                                                 "Elastic Agent / Winlogbeat documents (NDJSON of "
                                                 "_source or hits; Winlogbeat 6 pre-ECS too), "
                                                 "dataset inferred when missing",
                                                 sniff_winlogbeat));
}

}  // namespace attest
