// The winevent_json collector: Windows events as EvtxECmd / xmltodict, Rust evtx_dump and
// Get-WinEvent | ConvertTo-Json render them, each record rebuilt as a WinEventRecord.
#include "collectors/winevent_json.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "collectors/builtin.h"
#include "collectors/o365.h"
#include "core/timeutil.h"
#include "core/utf8.h"

namespace attest {
namespace {

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool ends_with_nocase(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && iequals(s.substr(s.size() - tail.size()), tail);
}

// Renderers drop the braces of GUIDs (EvtxECmd, evtx_dump, Get-WinEvent); Windows writes them.
std::string braced_guid(std::string text) {
    if (text.size() != 36) return text;
    for (std::size_t i = 0; i < 36; ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !is_hex_digit(text[i])) return text;
    }
    return "{" + text + "}";
}

// Data values typed GUID by the manifests are named *Guid / *GUID (ScriptBlockId is a string).
std::string data_text(std::string_view name, const Value& v) {
    std::string text = json_scalar_text(v);
    if (ends_with_nocase(name, "guid")) return braced_guid(std::move(text));
    return text;
}

// EvtxECmd loads the XML after escaping '&' once more: decode the entities once, here only.
std::string decode_entities_once(std::string s) {
    if (s.find('&') == std::string::npos) return s;
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        bool done = false;
        if (s[i] == '&')
            for (auto [entity, c] : kEntities)
                if (s.compare(i, entity.size(), entity) == 0) {
                    out.push_back(c);
                    i += entity.size();
                    done = true;
                    break;
                }
        if (!done) out.push_back(s[i++]);
    }
    return out;
}

// A System element: its text ("#text", or the value itself when it is a scalar).
const Value* element_text(const Value& system, std::string_view name) {
    const Value* v = system.get(name);
    if (v == nullptr || v->is_null()) return nullptr;
    if (v->is_object()) return v->get("#text");
    return v;
}

// An attribute of a System element in any of the three spellings: {"@Name": …} (xmltodict),
// {"#attributes": {"Name": …}} and "Provider_attributes": {"Name": …} (evtx_dump).
const Value* attribute(const Value& system, std::string_view element, std::string_view name) {
    // Keys compared in place: building "@Name" or "Provider_attributes" for each lookup was a
    // dozen allocations a record.
    auto prefixed = [](std::string_view key, std::string_view head, std::string_view tail) {
        return key.size() == head.size() + tail.size() && key.substr(0, head.size()) == head &&
               key.substr(head.size()) == tail;
    };
    if (const Value* v = system.get(element); v != nullptr && v->is_object()) {
        if (const Value* a = v->get("#attributes"); a != nullptr && a->is_object())
            if (const Value* x = a->get(name)) return x;
        for (const auto& m : v->as_object())
            if (prefixed(m.key, "@", name)) return &m.value;
    }
    for (const auto& m : system.as_object())
        if (prefixed(m.key, element, "_attributes"))
            return m.value.is_object() ? m.value.get(name) : nullptr;
    return nullptr;
}

std::string text_at(const Value* v) {
    return v == nullptr ? std::string() : json_scalar_text(*v);
}

void read_system(const Value& system, WinEventRecord& out) {
    out.provider_name = text_at(attribute(system, "Provider", "Name"));
    out.provider_guid = braced_guid(text_at(attribute(system, "Provider", "Guid")));
    out.event_source_name = text_at(attribute(system, "Provider", "EventSourceName"));
    if (auto id = parse_decimal(text_at(element_text(system, "EventID"))))
        out.event_id = static_cast<std::int64_t>(*id);
    out.qualifiers = text_at(attribute(system, "EventID", "Qualifiers"));
    out.version = text_at(element_text(system, "Version"));
    out.level = text_at(element_text(system, "Level"));
    out.task = text_at(element_text(system, "Task"));
    out.opcode = text_at(element_text(system, "Opcode"));
    out.keywords = windows_keywords(element_text(system, "Keywords"));
    out.time_created = text_at(attribute(system, "TimeCreated", "SystemTime"));
    if (auto record = parse_decimal(text_at(element_text(system, "EventRecordID")))) {
        out.record_id = *record;
        out.has_record_id = true;
    }
    out.activity_id = braced_guid(text_at(attribute(system, "Correlation", "ActivityID")));
    out.related_activity_id =
        braced_guid(text_at(attribute(system, "Correlation", "RelatedActivityID")));
    out.process_id = text_at(attribute(system, "Execution", "ProcessID"));
    out.thread_id = text_at(attribute(system, "Execution", "ThreadID"));
    out.channel = text_at(element_text(system, "Channel"));
    out.computer = text_at(element_text(system, "Computer"));
    out.user_id = text_at(attribute(system, "Security", "UserID"));
    if (out.user_id.empty()) out.user_id = text_at(attribute(system, "Security", "UserId"));
}

void add_unnamed(WinEventRecord& out, std::string value) {
    std::size_t n = 0;
    for (const auto& d : out.data)
        if (d.first.rfind("param", 0) == 0) ++n;
    out.data.emplace_back("param" + std::to_string(n + 1), std::move(value));
}

// One <Data> of the xmltodict layout: {"@Name": n, "#text": v}, a bare string (unnamed), or
// evtx_dump's unnamed {"#text": [...]}.
void read_data_item(const Value& item, WinEventRecord& out) {
    if (item.is_object()) {
        const Value* name = item.get("@Name");
        const Value* text = item.get("#text");
        if (name != nullptr && name->is_string()) {
            out.data.emplace_back(name->as_string(), text == nullptr
                                                         ? std::string()
                                                         : data_text(name->as_string(), *text));
        } else if (text != nullptr && text->is_array()) {
            for (const Value& t : text->as_array()) add_unnamed(out, json_scalar_text(t));
        } else if (text != nullptr) {
            add_unnamed(out, json_scalar_text(*text));
        }
    } else if (!item.is_null()) {
        add_unnamed(out, json_scalar_text(item));
    }
}

// UserData (and EventData without Data children): leaf elements flattened by name, as the
// XML reader does; attributes ("@…", "#attributes", "xmlns") are not data.
void flatten_leaves(const Value& v, WinEventRecord& out, int depth) {
    if (!v.is_object() || depth > 16) return;
    for (const auto& m : v.as_object()) {
        if (m.key.empty() || m.key[0] == '@' || m.key == "#attributes" || m.key == "xmlns" ||
            (m.key.size() > 11 && m.key.compare(m.key.size() - 11, 11, "_attributes") == 0))
            continue;
        if (m.value.is_object() && m.value.get("#text") == nullptr)
            flatten_leaves(m.value, out, depth + 1);
        else if (m.value.is_object())
            out.data.emplace_back(m.key, json_scalar_text(*m.value.get("#text")));
        else if (m.value.is_array())
            for (const Value& e : m.value.as_array())
                out.data.emplace_back(m.key, json_scalar_text(e));
        else
            out.data.emplace_back(m.key, data_text(m.key, m.value));
    }
}

void read_event_data(const Value& event, WinEventRecord& out) {
    const Value* ed = event.get("EventData");
    if (ed != nullptr && ed->is_object()) {
        if (const Value* data = ed->get("Data")) {
            if (data->is_array())
                for (const Value& item : data->as_array()) read_data_item(item, out);
            else
                read_data_item(*data, out);
        } else {
            flatten_leaves(*ed, out, 0);  // evtx_dump: a flat name -> value map
        }
    }
    if (const Value* ud = event.get("UserData"); ud != nullptr && ud->is_object())
        flatten_leaves(*ud, out, 0);
}

bool from_event_layout(const Value& record, bool lossy, WinEventRecord& out, std::string& error) {
    const Value* event = record.get("Event");
    const Value* system = event != nullptr ? event->get("System") : nullptr;
    if (system == nullptr || !system->is_object()) {
        error = "no Event.System object";
        return false;
    }
    read_system(*system, out);
    read_event_data(*event, out);
    if (lossy) {
        for (auto& [name, value] : out.data) value = decode_entities_once(std::move(value));
        out.lossy =
            "EvtxECmd rendering: line breaks inside values were written as ', ' (cannot be undone)";
    }
    if (out.event_id < 0) {
        error = "no EventID";
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------- Get-WinEvent

std::string getwinevent_time(const Value* v) {
    if (v == nullptr || !v->is_string()) return {};
    const std::string& s = v->as_string();
    std::optional<std::int64_t> ns = o365::parse_ms_json_date(s);
    if (!ns) ns = parse_iso8601_ns(s);  // PowerShell 7: 2019-05-21T17:32:57.2862546+02:00
    return ns ? format_iso8601(*ns, 9) : std::string();
}

bool from_getwinevent(const Value& record, WinEventRecord& out, std::string& error) {
    const Value* id = record.get("Id");
    if (id == nullptr || !id->is_int()) {
        error = "no numeric Id";
        return false;
    }
    out.event_id = id->as_int();
    out.provider_name = text_at(record.get("ProviderName"));
    out.provider_guid = braced_guid(text_at(record.get("ProviderId")));
    out.qualifiers = text_at(record.get("Qualifiers"));
    out.version = text_at(record.get("Version"));
    out.level = text_at(record.get("Level"));
    out.task = text_at(record.get("Task"));
    out.opcode = text_at(record.get("Opcode"));
    out.keywords = windows_keywords(record.get("Keywords"));
    out.time_created = getwinevent_time(record.get("TimeCreated"));
    if (const Value* r = record.get("RecordId"); r != nullptr && r->is_int() && r->as_int() >= 0) {
        out.record_id = static_cast<std::uint64_t>(r->as_int());
        out.has_record_id = true;
    }
    out.activity_id = braced_guid(text_at(record.get("ActivityId")));
    out.related_activity_id = braced_guid(text_at(record.get("RelatedActivityId")));
    out.process_id = text_at(record.get("ProcessId"));
    out.thread_id = text_at(record.get("ThreadId"));
    out.channel = text_at(record.get("LogName"));
    out.computer = text_at(record.get("MachineName"));
    if (const Value* u = record.get("UserId"); u != nullptr && u->is_object())
        out.user_id = text_at(u->get("Value"));
    else
        out.user_id = text_at(u);

    // Properties: positional {"Value": …} (ConvertTo-Json -Depth 3), or type-name strings.
    std::vector<const Value*> values;
    if (const Value* props = record.get("Properties"); props != nullptr && props->is_array())
        for (const Value& p : props->as_array())
            if (p.is_object() && p.get("Value") != nullptr) values.push_back(p.get("Value"));
    auto version = parse_decimal(out.version);
    auto names = winevent_template(out.provider_name, out.event_id,
                                   static_cast<std::int64_t>(version.value_or(0)), values.size());
    if (!values.empty() && names.size() == values.size()) {
        for (std::size_t i = 0; i < values.size(); ++i) {
            // HexInt fields (Sysmon LogonId, GrantedAccess) arrive as plain numbers.
            if (values[i]->is_int() && is_one_of(names[i], {"LogonId", "GrantedAccess"})) {
                char buf[24];
                std::snprintf(buf, sizeof buf, "0x%llx",
                              static_cast<unsigned long long>(values[i]->as_int()));
                out.data.emplace_back(std::string(names[i]), buf);
                continue;
            }
            out.data.emplace_back(std::string(names[i]), data_text(names[i], *values[i]));
        }
        return true;
    }
    const Value* message = record.get("Message");
    if (message != nullptr && message->is_string() &&
        parse_rendered_message(out.provider_name, out.event_id, message->as_string(), out.data))
        return true;
    for (const Value* v : values) add_unnamed(out, json_scalar_text(*v));
    return true;
}

bool is_event_layout(const Value& record) {
    const Value* e = record.get("Event");
    return e != nullptr && e->is_object() && e->get("System") != nullptr;
}

}  // namespace

// ------------------------------------------------------------------------------- public

bool is_one_of(std::string_view key, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (n == key) return true;
    return false;
}

NameIndex::NameIndex(std::initializer_list<std::string_view> names) {
    int index = 0;
    for (std::string_view n : names)
        m_by_length[n.size() < kLengths ? n.size() : kLengths - 1].emplace_back(n, index++);
}

std::string take_scalar_text(Value& v) {
    if (v.is_string()) return std::move(v.as_string());
    return json_scalar_text(v);
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : text) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    return n;
}

std::string windows_keywords(const Value* v) {
    // Windows writes 16 hex digits; EvtxECmd drops leading zeros, Get-WinEvent a signed long.
    std::uint64_t k = 0;
    if (v == nullptr || v->is_null()) return {};
    if (v->is_int()) {
        k = static_cast<std::uint64_t>(v->as_int());
    } else if (v->is_double() && v->as_double() >= -9223372036854775808.0 &&
               v->as_double() < 18446744073709551616.0) {
        // -9223372036854775808 (Sysmon's 0x8000000000000000 as a signed long) reads as a double.
        double d = v->as_double();
        k = d < 0 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(d))
                  : static_cast<std::uint64_t>(d);
    } else if (v->is_string()) {
        const std::string& s = v->as_string();
        if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
            s.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos)
            return s;
        k = std::stoull(s.substr(2), nullptr, 16);
    } else {
        return json_scalar_text(*v);
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(k));
    return buf;
}

std::string json_scalar_text(const Value& v) {
    switch (v.kind()) {
        case Value::Kind::Null:
            return {};
        case Value::Kind::Bool:
            return v.as_bool() ? "true" : "false";
        case Value::Kind::Int:
            return std::to_string(v.as_int());
        case Value::Kind::Double: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
            return buf;
        }
        case Value::Kind::String:
            return v.as_string();
        default:
            return v.to_json();
    }
}

WinJsonShape winjson_shape(const Value& record) {
    if (!record.is_object()) return WinJsonShape::None;
    if (is_event_layout(record)) {
        const Value& event = *record.get("Event");
        const Value& system = *event.get("System");
        if (event.get("#attributes") != nullptr || event.get("Event_attributes") != nullptr ||
            record.get("Event_attributes") != nullptr ||
            system.get("Provider_attributes") != nullptr)
            return WinJsonShape::EvtxDump;
        if (const Value* p = system.get("Provider");
            p != nullptr && p->is_object() && p->get("#attributes"))
            return WinJsonShape::EvtxDump;
        return event.get("@xmlns") != nullptr ? WinJsonShape::XmlToDict : WinJsonShape::EvtxECmd;
    }
    if (record.get("Id") != nullptr &&
        (record.get("ProviderName") != nullptr || record.get("LogName") != nullptr))
        return WinJsonShape::GetWinEvent;
    return WinJsonShape::None;
}

bool winevent_from_json(const Value& record, WinJsonShape shape, WinEventRecord& out,
                        std::string& error) {
    out.clear();
    switch (shape) {
        case WinJsonShape::EvtxECmd:
            return from_event_layout(record, true, out, error);
        case WinJsonShape::XmlToDict:
        case WinJsonShape::EvtxDump:
            return from_event_layout(record, false, out, error);
        case WinJsonShape::GetWinEvent:
            return from_getwinevent(record, out, error);
        case WinJsonShape::None:
            break;
    }
    error = "not a Windows event rendering";
    return false;
}

Value first_json_record(std::string_view head) {
    std::string text;
    auto u = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
    if (head.size() >= 2 && ((u(0) == 0xFF && u(1) == 0xFE) || (u(0) == 0xFE && u(1) == 0xFF))) {
        Utf16Decoder d(u(0) == 0xFE);
        d.decode(head.data() + 2, (head.size() - 2) & ~std::size_t(1), text);
    } else if (head.size() >= 4 && u(0) != 0 && u(1) == 0 && u(3) == 0) {
        Utf16Decoder d(false);
        d.decode(head.data(), head.size() & ~std::size_t(1), text);
    } else {
        text.assign(head.substr(head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0));
    }
    std::size_t i = text.find_first_not_of(" \t\r\n");
    if (i != std::string::npos && text[i] == '[') i = text.find_first_not_of(" \t\r\n", i + 1);
    if (i != std::string::npos && text.compare(i, 7, "Record ") == 0) {  // evtx_dump -o json
        std::size_t nl = text.find('\n', i);
        i = nl == std::string::npos ? nl : text.find_first_not_of(" \t\r\n", nl);
    }
    if (i == std::string::npos || text[i] != '{') return Value();
    int depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t j = i; j < text.size(); ++j) {
        char c = text[j];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            Value v;
            std::string error;
            std::size_t off;
            if (!parse_json_record(std::string_view(text).substr(i, j + 1 - i), v, error, off))
                return Value();
            return v;
        }
    }
    return Value();
}

// ----------------------------------------------------------------- JsonWinEventCollector

JsonWinEventCollector::JsonWinEventCollector(InputFile input, const CollectorOptions& options,
                                             DiagnosticSink& sink, std::string source_name)
    : m_input(std::move(input)),
      m_options(options),
      m_sink(sink),
      m_source(std::move(source_name)),
      m_reader(m_input),
      m_normalizer(options, m_source) {
    m_normalizer.set_diagnostics(&sink, options.origin);
}

void JsonWinEventCollector::add(WinEventRecord& record, std::uint64_t line) {
    if (m_options.include_original && record.original.empty()) record.original.assign(m_text);
    if (record.position.is_null()) record.position = Value(static_cast<std::int64_t>(line));
    m_normalizer.add(record);
    drain();
}

void JsonWinEventCollector::emit(Event&& event) {
    m_ready.push_back(std::move(event));
}

void JsonWinEventCollector::warn(std::uint64_t line, std::string message) {
    m_sink.warning(m_options.origin, line, 0, std::move(message));
}

void JsonWinEventCollector::drain() {
    Event e;
    while (m_normalizer.pop(e)) m_ready.push_back(std::move(e));
}

bool JsonWinEventCollector::read_one() {
    if (m_csv) return read_csv_row();
    JsonRecord rec;
    auto problem = [this](const JsonStreamProblem& p) {
        if (p.skipped) {
            ++m_stats.records;
            ++m_stats.skipped;
        }
        m_sink.error(m_options.origin, p.line, p.column, p.message);
    };
    if (!m_reader.next(rec, problem)) {
        if (m_reader.read_error()) m_sink.error(m_options.origin, 0, 0, "read error");
        return false;
    }
    ++m_stats.records;
    Value value;
    std::string error;
    std::size_t off = 0;
    if (!parse_json_record(rec.text, value, error, off)) {
        std::uint64_t line, column;
        record_position(rec.text, off, rec.line, rec.column, line, column);
        m_sink.error(m_options.origin, line, column, "invalid JSON: " + error + "; record skipped");
        ++m_stats.skipped;
        return true;
    }
    dispatch(value, rec);
    return true;
}

void JsonWinEventCollector::dispatch(Value& value, const JsonRecord& where) {
    std::string error;
    m_text = where.text;
    if (!value.is_object() || !handle(value, where, error)) {
        if (error.empty()) error = "not a JSON object";
        m_sink.error(m_options.origin, where.line, where.column, "bad record skipped: " + error);
        ++m_stats.skipped;
    }
    m_text = {};
}

void JsonWinEventCollector::read_csv(CsvTable::Rename rename) {
    m_csv.emplace(m_input, std::move(rename));
}

bool JsonWinEventCollector::read_csv_row() {
    auto problem = [this](const CsvProblem& p) {
        ++m_stats.records;
        ++m_stats.skipped;
        m_sink.error(m_options.origin, p.line, p.column, p.message);
    };
    if (!m_csv->next(problem)) {
        if (m_csv->read_error()) m_sink.error(m_options.origin, 0, 0, "read error");
        return false;
    }
    ++m_stats.records;
    const auto& header = m_csv->header();
    auto& fields = m_csv->fields();
    Value row = Value::object();
    row.as_object().reserve(header.size());
    for (std::size_t i = 0; i < header.size(); ++i)
        if (!fields[i].empty()) row.set_key(header[i], Value(std::move(fields[i])));
    dispatch(row, JsonRecord{m_csv->record_text(), m_csv->line(), 1, m_csv->offset()});
    return true;
}

bool JsonWinEventCollector::next(Event& out) {
    while (true) {
        if (!m_ready.empty()) {
            out = std::move(m_ready.front());
            m_ready.pop_front();
            ++m_stats.events;
            return true;
        }
        if (m_finished) return false;
        if (!read_one()) {
            end();
            m_normalizer.finish();
            drain();
            m_finished = true;
        }
    }
}

// ----------------------------------------------------------------------- the collector

namespace {

class WinEventJsonCollector final : public JsonWinEventCollector {
public:
    WinEventJsonCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : JsonWinEventCollector(std::move(input), options, sink, "winevent_json") {
        reader().skip_record_banners();
    }

protected:
    bool handle(Value& record, const JsonRecord& where, std::string& error) override {
        WinJsonShape shape = winjson_shape(record);
        if (shape == WinJsonShape::None) {
            error = "not a Windows event rendering (no Event.System, no Id/ProviderName)";
            return false;
        }
        if (!winevent_from_json(record, shape, m_record, error)) return false;
        add(m_record, where.line);
        return true;
    }

private:
    WinEventRecord m_record;
};

int sniff_winevent_json(std::string_view head, std::string_view) {
    Value first = first_json_record(head);
    return winjson_shape(first) == WinJsonShape::None ? 0 : 85;
}

}  // namespace

void register_winevent_json_collector(CollectorRegistry& registry) {
    registry.add(json_collector_info<WinEventJsonCollector>(
        "winevent_json",
        "Windows events as JSON: EvtxECmd / xmltodict, Rust evtx_dump (-o jsonl / -o json), "
        "Get-WinEvent | ConvertTo-Json (UTF-16 or UTF-8)",
        sniff_winevent_json));
}

}  // namespace attest
