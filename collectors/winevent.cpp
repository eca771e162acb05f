// WinEventRecord -> ECS (shared/spec/ecs-mapping.md), sysmon profile, plus PowerShell 4104
// script block reassembly. One mapping for XML and EVTX input.
#include "collectors/winevent.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "collectors/windows_args.h"
#include "core/text.h"
#include "core/timeutil.h"

namespace attest {

void WinEventRecord::clear() {
    provider_name.clear();
    provider_guid.clear();
    event_source_name.clear();
    event_id = -1;
    qualifiers.clear();
    version.clear();
    level.clear();
    task.clear();
    opcode.clear();
    keywords.clear();
    time_created.clear();
    record_id = 0;
    has_record_id = false;
    activity_id.clear();
    related_activity_id.clear();
    process_id.clear();
    thread_id.clear();
    channel.clear();
    computer.clear();
    user_id.clear();
    data.clear();
    lossy.clear();
    time_note.clear();
    original.clear();
    position = Value();
}

namespace {

constexpr std::string_view kZeroGuid = "{00000000-0000-0000-0000-000000000000}";

// "", "-" and the all-zero GUID mean "absent" in Windows events (spec: absent stays absent).
bool is_absent(std::string_view v) {
    return v.empty() || v == "-" || v == kZeroGuid || v == kZeroGuid.substr(1, 36);
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_guid_body(std::string_view v) {
    if (v.size() != 36) return false;
    for (std::size_t i = 0; i < 36; ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? v[i] != '-' : !is_hex(v[i])) return false;
    }
    return true;
}

// Renderers spell GUIDs differently: braced in either case (Windows, libevtx, python-evtx),
// bare (EvtxECmd, Get-WinEvent, evtx_dump). They are emitted as Sysmon's own XML and the EVTX
// record write them, braced and upper-case (shared/spec/telemetry.md "GUIDs and hex differ by
// renderer"), so process.entity_id is the source's value and joins across renderings. A bare
// GUID gets braces only in a field that names a GUID (ProcessGuid, LogonGuid, ...): other
// values that happen to look like one (ScriptBlockId) stay as written.
void canonicalize_guid(std::string& v, bool guid_field = true) {
    bool braced = v.size() == 38 && v[0] == '{' && v[37] == '}' &&
                  is_guid_body(std::string_view(v).substr(1, 36));
    if (!braced && !(guid_field && is_guid_body(v))) return;
    if (!braced) v = '{' + v + '}';
    for (std::size_t i = 1; i < 37; ++i)
        if (v[i] >= 'a' && v[i] <= 'f') v[i] = static_cast<char>(v[i] - 'a' + 'A');
}

// HexInt values: Windows writes 0xc796, EvtxECmd 0xC796, libevtx 0x000000000000c796. One
// spelling (Windows'), so the renderings of one record are equal and compare by value.
void canonicalize_hex(std::string& v) {
    if (v.size() < 3 || v[0] != '0' || (v[1] != 'x' && v[1] != 'X')) return;
    for (std::size_t i = 2; i < v.size(); ++i)
        if (!is_hex(v[i])) return;
    std::size_t first = v.find_first_not_of('0', 2);
    if (first == std::string::npos) first = v.size() - 1;
    std::string out = "0x";
    for (std::size_t i = first; i < v.size(); ++i)
        out.push_back(static_cast<char>(v[i] | ((v[i] >= 'A' && v[i] <= 'F') ? 0x20 : 0)));
    v = std::move(out);
}

bool names_guid(std::string_view name) {
    return name.size() >= 4 && iequals(name.substr(name.size() - 4), "guid");
}

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool to_int(std::string_view s, std::int64_t& out) {
    s = trim(s);
    if (s.empty()) return false;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    auto r = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Mutable dotted-path lookup (Value::find is const-only).
Value* find_mut(Value& v, std::string_view path) {
    return const_cast<Value*>(std::as_const(v).find(path));
}

// The member object `key`, created (at the end) if absent.
Value& child(Value& obj, std::string_view key) {
    if (Value* v = obj.get(key); v != nullptr && v->is_object()) return *v;
    Object members;
    members.reserve(8);  // ECS objects hold a handful of fields: grow once, not four times
    return obj.set_key(key, Value(std::move(members)));
}

Value str_array(std::initializer_list<const char*> items) {
    Array a;
    a.reserve(items.size());
    for (const char* s : items) a.emplace_back(s);
    return Value(std::move(a));
}

std::string_view after_last(std::string_view path, char sep) {
    auto p = path.rfind(sep);
    return p == std::string_view::npos ? path : path.substr(p + 1);
}

enum class Kind { Sysmon, SysmonLinux, PowerShell, ClassicPowerShell, Security, Other };

Kind kind_of(const WinEventRecord& r) {
    // The classic channel: provider "PowerShell" (no GUID), events 400/403/600/800 and others.
    if (iequals(r.channel, "Windows PowerShell") ||
        (r.channel.empty() && r.provider_name == "PowerShell"))
        return Kind::ClassicPowerShell;
    if (r.provider_name == "Linux-Sysmon" || r.channel == "Linux-Sysmon/Operational")
        return Kind::SysmonLinux;
    if (r.provider_name == "Microsoft-Windows-Sysmon" ||
        r.channel == "Microsoft-Windows-Sysmon/Operational")
        return Kind::Sysmon;
    if (r.provider_name == "Microsoft-Windows-PowerShell" || r.provider_name == "PowerShellCore" ||
        r.channel == "Microsoft-Windows-PowerShell/Operational" ||
        r.channel == "PowerShellCore/Operational")
        return Kind::PowerShell;
    if (r.channel == "Security" || r.provider_name == "Microsoft-Windows-Security-Auditing")
        return Kind::Security;
    return Kind::Other;
}

// Sysmon event IDs: the rule name (the element name in a Sysmon configuration, the task name
// for the events that share one) is event.action under the `sysmon` profile, as the Elastic
// Agent windows integration has it; category and type follow shared/spec/ecs-mapping.md.
struct SysmonEventInfo {
    int id;
    const char* action;
    std::initializer_list<const char*> category;
    std::initializer_list<const char*> type;
};

const SysmonEventInfo kSysmonEvents[] = {
    {1, "ProcessCreate", {"process"}, {"start"}},
    {2, "FileCreateTime", {"file"}, {"change"}},
    {3, "NetworkConnect", {"network"}, {"start", "connection"}},
    {4, "SysmonServiceStateChange", {}, {}},
    {5, "ProcessTerminate", {"process"}, {"end"}},
    {6, "DriverLoad", {"driver"}, {"start"}},
    {7, "ImageLoad", {"process"}, {"change"}},
    {8, "CreateRemoteThread", {"process"}, {"change"}},
    {9, "RawAccessRead", {}, {}},
    {10, "ProcessAccess", {"process"}, {"access"}},
    {11, "FileCreate", {"file"}, {"creation"}},
    {12,
     "RegistryEvent (Object create and delete)",
     {"registry"},
     {"creation"}},  // type by EventType
    {13, "RegistryEvent (Value Set)", {"registry"}, {"change"}},
    {14, "RegistryEvent (Key and Value Rename)", {"registry"}, {"change"}},
    {15, "FileCreateStreamHash", {"file"}, {"access"}},
    {16, "SysmonConfigStateChange", {}, {}},
    {17, "PipeEvent (Pipe Created)", {}, {}},
    {18, "PipeEvent (Pipe Connected)", {}, {}},
    {19, "WmiEvent (WmiEventFilter activity detected)", {}, {}},
    {20, "WmiEvent (WmiEventConsumer activity detected)", {}, {}},
    {21, "WmiEvent (WmiEventConsumerToFilter activity detected)", {}, {}},
    {22, "DnsQuery", {"network"}, {"info"}},
    {23, "FileDelete", {"file"}, {"deletion"}},
    {24, "ClipboardChange", {}, {}},
    {25, "ProcessTampering", {}, {}},
    {26, "FileDeleteDetected", {"file"}, {"deletion"}},
    {27, "FileBlockExecutable", {}, {}},
    {28, "FileBlockShredding", {}, {}},
    {29, "FileExecutableDetected", {"file"}, {"creation"}},
    {255, "Error", {}, {}},
};

const SysmonEventInfo* sysmon_info(std::int64_t id) {
    for (const auto& e : kSysmonEvents)
        if (e.id == id) return &e;
    return nullptr;
}

const char* log_level_name(std::string_view level) {
    if (level == "0" || level == "4") return "information";
    if (level == "1") return "critical";
    if (level == "2") return "error";
    if (level == "3") return "warning";
    if (level == "5") return "verbose";
    return nullptr;
}

// Field access to the (already filtered) event data.
class DataView {
public:
    explicit DataView(const Value& data) : m_data(data) {}
    const std::string* operator[](std::string_view name) const {
        for (const auto& m : m_data.as_object())
            if (m.key == name) return &m.value.as_string();
        return nullptr;
    }
    const Object& members() const { return m_data.as_object(); }
    // Sysmon spells some names inconsistently (SourceProcessGUID vs SourceProcessGuid).
    const std::string* nocase(std::string_view name) const {
        for (const auto& m : m_data.as_object())
            if (iequals(m.key, name)) return &m.value.as_string();
        return nullptr;
    }

private:
    const Value& m_data;
};

void put_hashes(Value& target, std::string_view hashes) {
    // "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." (keys and hex digits lowercased, as Elastic does)
    Value* hash = nullptr;
    while (!hashes.empty()) {
        auto comma = hashes.find(',');
        std::string_view item = hashes.substr(0, comma);
        hashes = comma == std::string_view::npos ? std::string_view() : hashes.substr(comma + 1);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view value = trim(item.substr(eq + 1));
        if (is_absent(value)) continue;
        if (hash == nullptr) hash = &child(target, "hash");
        hash->set_key(ascii_lowercase(trim(item.substr(0, eq))), Value(ascii_lowercase(value)));
    }
}

void put_user(Value& e, std::string_view user) {
    if (is_absent(user)) return;
    Value& u = child(e, "user");
    auto bs = user.find('\\');
    if (bs == std::string_view::npos) {
        put_member(u, "name", Value(user));
    } else {
        if (bs > 0) put_member(u, "domain", Value(user.substr(0, bs)));
        if (bs + 1 < user.size()) put_member(u, "name", Value(user.substr(bs + 1)));
    }
}

void put_file_path(Value& file, std::string_view path, char sep) {
    put_member(file, "path", Value(path));
    auto p = path.rfind(sep);
    std::string_view name = p == std::string_view::npos ? path : path.substr(p + 1);
    if (p != std::string_view::npos && p > 0)
        put_member(file, "directory", Value(path.substr(0, p)));
    if (!name.empty()) {
        put_member(file, "name", Value(name));
        auto dot = name.rfind('.');
        if (dot != std::string_view::npos && dot + 1 < name.size())
            put_member(file, "extension", Value(name.substr(dot + 1)));
    }
}

void put_pid(Value& obj, const std::string* text) {
    std::int64_t pid;
    if (text != nullptr && to_int(*text, pid)) put_member(obj, "pid", Value(pid));
}

void put_port(Value& obj, const std::string* text) {
    std::int64_t port;
    if (text != nullptr && to_int(*text, port)) put_member(obj, "port", Value(port));
}

void put_args(Value& process, const std::string& command_line, bool linux_style) {
    auto args =
        linux_style ? split_on_blanks(command_line) : split_windows_command_line(command_line);
    if (args.empty()) return;
    Array a;
    a.reserve(args.size());
    for (auto& s : args) a.emplace_back(std::move(s));
    std::size_t n = a.size();
    put_member(process, "args", Value(std::move(a)));
    put_member(process, "args_count", Value(static_cast<std::int64_t>(n)));
}

// "type:  5 edge.example.com;::ffff:93.184.216.34;" -> answers and resolved IPs.
void put_dns_answers(Value& dns, std::string_view results) {
    Array answers, ips;
    while (!results.empty()) {
        auto semi = results.find(';');
        std::string_view item = trim(results.substr(0, semi));
        results = semi == std::string_view::npos ? std::string_view() : results.substr(semi + 1);
        if (item.empty()) continue;
        Value answer = Value::object();
        if (item.substr(0, 5) == "type:") {
            std::string_view rest = trim(item.substr(5));
            auto sp = rest.find(' ');
            std::string_view code = rest.substr(0, sp);
            std::string_view data =
                sp == std::string_view::npos ? std::string_view() : trim(rest.substr(sp));
            const char* type = code == "5"    ? "CNAME"
                               : code == "12" ? "PTR"
                               : code == "15" ? "MX"
                               : code == "16" ? "TXT"
                                              : nullptr;
            put_member(answer, "type", type ? Value(type) : Value(code));
            if (!data.empty()) put_member(answer, "data", Value(data));
        } else {
            std::string_view ip = item;
            if (ip.substr(0, 7) == "::ffff:") ip.remove_prefix(7);  // IPv4-mapped
            put_member(answer, "type",
                       Value(ip.find(':') == std::string_view::npos ? "A" : "AAAA"));
            put_member(answer, "data", Value(ip));
            ips.emplace_back(ip);
        }
        answers.push_back(std::move(answer));
    }
    if (!answers.empty()) put_member(dns, "answers", Value(std::move(answers)));
    if (!ips.empty()) put_member(dns, "resolved_ip", Value(std::move(ips)));
}

// "HKLM\SOFTWARE\...\Run\evil" -> hive, key, value (value events name a value last).
void put_registry(Value& e, std::string_view target, bool names_value, const std::string* details) {
    Value& reg = child(e, "registry");
    put_member(reg, "path", Value(target));
    auto first = target.find('\\');
    if (first != std::string_view::npos) put_member(reg, "hive", Value(target.substr(0, first)));
    std::string_view rest =
        first == std::string_view::npos ? std::string_view() : target.substr(first + 1);
    if (names_value) {
        auto last = rest.rfind('\\');
        if (last != std::string_view::npos) {
            put_member(reg, "key", Value(rest.substr(0, last)));
            put_member(reg, "value", Value(rest.substr(last + 1)));
        } else if (!rest.empty()) {
            put_member(reg, "value", Value(rest));
        }
    } else if (!rest.empty()) {
        put_member(reg, "key", Value(rest));
    }
    if (details != nullptr) {
        Value& data = child(reg, "data");
        Array strings;
        strings.emplace_back(*details);
        put_member(data, "strings", Value(std::move(strings)));
    }
}

// 4103 ContextInfo: "        Host Application = powershell.exe -nop\r\n        Command Name = ..."
void parse_context_info(std::string_view text,
                        std::vector<std::pair<std::string_view, std::string_view>>& out) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        auto eq = line.find(" = ");
        if (eq == std::string_view::npos) {
            if (trim(line).size() > 0 && line.back() == '=') {
                // "Script Name = " with nothing after: trimmed away by the renderer.
                auto e2 = line.rfind('=');
                out.emplace_back(trim(line.substr(0, e2)), std::string_view());
            }
            continue;
        }
        out.emplace_back(trim(line.substr(0, eq)), trim(line.substr(eq + 3)));
    }
}

std::string_view unquote(std::string_view s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

// 4103 Payload lines: `CommandInvocation(Name): "..."`, `ParameterBinding(Name): name="n";
// value="v"`. Lines that do not start a detail continue the previous one's value (multi-line
// values).
void put_invocation_details(Value& command, std::string_view payload) {
    Array details;
    while (!payload.empty()) {
        auto nl = payload.find('\n');
        std::string_view line = payload.substr(0, nl);
        payload = nl == std::string_view::npos ? std::string_view() : payload.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto open = line.find('(');
        auto close = line.find("): ");
        bool starts_detail = open != std::string_view::npos && close != std::string_view::npos &&
                             open < close && open > 0 &&
                             line.substr(0, open).find(' ') == std::string_view::npos;
        if (!starts_detail) {
            if (!details.empty() && details.back().get("value") != nullptr) {
                std::string& v = details.back().get("value")->as_string();
                v.push_back('\n');
                v.append(line);
            }
            continue;
        }
        Value d = Value::object();
        std::string_view type = line.substr(0, open);
        put_member(d, "type", Value(type));
        put_member(d, "related_command", Value(line.substr(open + 1, close - open - 1)));
        std::string_view rest = line.substr(close + 3);
        if (type == "ParameterBinding") {
            auto np = rest.find("name=\"");
            auto vp = rest.find("\"; value=\"");
            if (np == 0 && vp != std::string_view::npos) {
                put_member(d, "name", Value(rest.substr(6, vp - 6)));
                std::string_view v = rest.substr(vp + 10);
                if (!v.empty() && v.back() == '"') v.remove_suffix(1);
                put_member(d, "value", Value(v));
            } else {
                put_member(d, "value", Value(rest));
            }
        } else {
            put_member(d, "value", Value(unquote(rest)));
        }
        details.push_back(std::move(d));
    }
    // A continued value may have left its closing quote at the end of the last line.
    for (auto& d : details)
        if (Value* v = d.get("value")) {
            std::string& s = v->as_string();
            if (s.find('\n') != std::string::npos && !s.empty() && s.back() == '"') s.pop_back();
        }
    if (!details.empty()) put_member(command, "invocation_details", Value(std::move(details)));
}

// Timestamps to milliseconds, truncated: SystemTime has 100 ns ticks but python-evtx renders
// them through a float (microseconds off by one either way), so finer digits would make the
// renderings of one record differ; Sysmon's UtcTime has milliseconds anyway.
std::string format_timestamp(std::string_view text) {
    text = trim(text);
    // Fast path for the shapes Windows and Sysmon write ("YYYY-MM-DD HH:MM:SS.fff",
    // "YYYY-MM-DDTHH:MM:SS.fffffffZ"): truncating is rewriting text, no calendar needed.
    auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    auto two = [&](std::size_t i) { return (text[i] - '0') * 10 + (text[i + 1] - '0'); };
    if (text.size() >= 19 && text[4] == '-' && text[7] == '-' &&
        (text[10] == ' ' || text[10] == 'T') && text[13] == ':' && text[16] == ':') {
        bool ok = true;
        for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) ok = ok && digit(i);
        std::size_t end = 19, frac_digits = 0;
        if (ok && end < text.size() && text[end] == '.') {
            ++end;
            while (end < text.size() && digit(end)) ++end, ++frac_digits;
            ok = frac_digits > 0;
        }
        if (ok && end < text.size() && (text[end] == 'Z' || text[end] == 'z')) ++end;
        if (ok && end == text.size() && two(5) >= 1 && two(5) <= 12 && two(8) >= 1 &&
            two(8) <= 31 && two(11) <= 23 && two(14) <= 59 && two(17) <= 59) {
            std::string out(text.substr(0, 19));
            out[10] = 'T';
            out.push_back('.');
            for (std::size_t i = 0; i < 3; ++i) out.push_back(i < frac_digits ? text[20 + i] : '0');
            out.push_back('Z');
            return out;
        }
    }
    auto ns = parse_iso8601_ns(text);
    if (!ns) return std::string();
    std::int64_t t = *ns;
    std::int64_t rem = t % 1000000;
    if (rem < 0) rem += 1000000;
    return format_iso8601(t - rem, 3);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct WinEventNormalizer::Impl {
    CollectorOptions options;
    std::string source_name;
    DiagnosticSink* sink = nullptr;
    std::string diag_origin;
    std::deque<Event> ready;

    struct PendingBlock {
        std::uint64_t order = 0;
        std::int64_t total = 0;
        std::map<std::int64_t, std::string> parts;
        Event base;  // the lowest-numbered part seen, its text moved out
        std::int64_t base_number = 0;
        std::string id;
        std::size_t bytes = 0;
    };
    std::map<std::string, PendingBlock> pending;
    std::map<std::uint64_t, std::string> pending_order;  // arrival order -> key
    std::uint64_t next_order = 0;
    std::size_t pending_bytes = 0;

    void normalize(WinEventRecord& r, Event& e, Kind kind);
    void put_event(WinEventRecord& r, Event& e, Kind kind, std::string created);
    void put_host(const WinEventRecord& r, Event& e, Kind kind);
    void put_winlog(WinEventRecord& r, Event& e, Value event_data);
    void map_sysmon(WinEventRecord& r, Event& e, const DataView& d, bool on_linux);
    void map_powershell(WinEventRecord& r, Event& e, const DataView& d);
    void map_classic_powershell(WinEventRecord& r, Event& e, const DataView& d);
    void add_script_block_part(Event&& e, const std::string& computer, std::int64_t number,
                               std::int64_t total);
    void emit_block(std::map<std::string, PendingBlock>::iterator it, bool complete);
    void warn(const Event& e, std::string message);
};

WinEventNormalizer::WinEventNormalizer(const CollectorOptions& options, std::string source_name)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->options = options;
    m_impl->source_name = std::move(source_name);
}

WinEventNormalizer::~WinEventNormalizer() = default;

void WinEventNormalizer::set_diagnostics(DiagnosticSink* sink, std::string origin) {
    m_impl->sink = sink;
    m_impl->diag_origin = std::move(origin);
}

void WinEventNormalizer::Impl::warn(const Event& e, std::string message) {
    if (sink == nullptr) return;
    std::uint64_t line = 0;
    if (const Value* p = e.find("attest.position"); p != nullptr && p->is_int())
        line = static_cast<std::uint64_t>(p->as_int());
    sink->warning(diag_origin.empty() ? options.origin : diag_origin, line, 0, std::move(message));
}

void WinEventNormalizer::add(WinEventRecord& record) {
    Kind kind = kind_of(record);
    std::string computer;
    if (kind == Kind::PowerShell && record.event_id == 4104)
        computer = record.computer;  // normalize() moves it
    Event e;
    m_impl->normalize(record, e, kind);
    if (kind == Kind::PowerShell && record.event_id == 4104) {
        const Value* num = e.find("powershell.sequence");
        const Value* total = e.find("powershell.total");
        if (num != nullptr && total != nullptr && num->is_int() && total->is_int() &&
            total->as_int() > 1 && num->as_int() >= 1 && num->as_int() <= total->as_int() &&
            e.find("powershell.file.script_block_id")) {
            m_impl->add_script_block_part(std::move(e), computer, num->as_int(), total->as_int());
            return;
        }
    }
    m_impl->ready.push_back(std::move(e));
}

void WinEventNormalizer::finish() {
    // Whatever is still pending lost parts (log wrap, a partial export): keep it, marked.
    while (!m_impl->pending_order.empty()) {
        auto it = m_impl->pending.find(m_impl->pending_order.begin()->second);
        m_impl->emit_block(it, false);
    }
}

bool WinEventNormalizer::pop(Event& out) {
    if (m_impl->ready.empty()) return false;
    out = std::move(m_impl->ready.front());
    m_impl->ready.pop_front();
    return true;
}

void WinEventNormalizer::Impl::add_script_block_part(Event&& e, const std::string& computer,
                                                     std::int64_t number, std::int64_t total) {
    const std::string& id = e.find("powershell.file.script_block_id")->as_string();
    std::string key = computer + '\n' + ascii_lowercase(id);
    auto it = pending.find(key);
    if (it == pending.end()) {
        it = pending.emplace(key, PendingBlock{}).first;
        it->second.order = next_order++;
        it->second.total = total;
        it->second.id = id;
        pending_order.emplace(it->second.order, key);
    }
    PendingBlock& block = it->second;
    if (block.parts.count(number) != 0) {
        warn(e, "script block " + block.id + ": part " + std::to_string(number) +
                    " seen twice; the repeat is ignored");
        return;
    }
    Value* text = e.find("powershell.file")
                      ? e.get("powershell")->get("file")->get("script_block_text")
                      : nullptr;
    std::string part =
        text != nullptr && text->is_string() ? std::move(text->as_string()) : std::string();
    if (text != nullptr) *text = Value(std::string());
    if (Value* ed = find_mut(e, "winlog.event_data"))
        if (Value* t = ed->get("ScriptBlockText")) *t = Value(std::string());
    block.bytes += part.size();
    pending_bytes += part.size();
    block.parts.emplace(number, std::move(part));
    if (block.base.is_null() || number < block.base_number) {
        block.base = std::move(e);
        block.base_number = number;
    }
    if (static_cast<std::int64_t>(block.parts.size()) >= block.total) {
        emit_block(it, true);
        return;
    }
    // Bound memory: emit the oldest pending block (incomplete) when over a cap.
    while (!pending_order.empty() && (pending.size() > WinEventNormalizer::kMaxPendingBlocks ||
                                      pending_bytes > WinEventNormalizer::kMaxPendingBytes)) {
        auto oldest = pending.find(pending_order.begin()->second);
        warn(oldest->second.base,
             "script block " + oldest->second.id +
                 ": too many pending script blocks; emitted incomplete before its last part");
        emit_block(oldest, false);
    }
}

void WinEventNormalizer::Impl::emit_block(std::map<std::string, PendingBlock>::iterator it,
                                          bool complete) {
    PendingBlock& block = it->second;
    std::string text;
    std::size_t size = 0;
    for (const auto& [n, t] : block.parts) size += t.size();
    text.reserve(size);
    for (const auto& [n, t] : block.parts) text += t;
    Event e = std::move(block.base);
    if (Value* ed = find_mut(e, "winlog.event_data"))
        if (Value* t = ed->get("ScriptBlockText")) *t = Value(text);
    Value& file = child(child(e, "powershell"), "file");
    file.set_key("script_block_text", Value(std::move(text)));
    file.set_key("script_block_complete", Value(complete));
    if (!complete) {
        Array missing;
        for (std::int64_t n = 1; n <= block.total; ++n)
            if (block.parts.count(n) == 0) missing.emplace_back(n);
        file.set_key("script_block_missing_parts", Value(std::move(missing)));
    }
    pending_bytes -= block.bytes;
    pending_order.erase(block.order);
    pending.erase(it);
    ready.push_back(std::move(e));
}

namespace {

// winlog.event_data: the record's data without absent values, GUIDs in one spelling.
Value event_data_of(WinEventRecord& r) {
    Value event_data = Value::object();
    event_data.as_object().reserve(r.data.size());
    for (auto& [name, value] : r.data) {
        if (is_absent(value)) continue;
        canonicalize_guid(value, names_guid(name));
        canonicalize_hex(value);
        event_data.as_object().push_back(Member{std::move(name), Value(std::move(value))});
    }
    return event_data;
}

// The event.dataset of a kind of log (a pack's `source:` names it), or nullptr.
const char* dataset_of(Kind kind) {
    switch (kind) {
        case Kind::Sysmon:
            return "windows.sysmon_operational";
        case Kind::SysmonLinux:
            return "sysmon_linux.log";
        case Kind::PowerShell:
            return "windows.powershell_operational";
        case Kind::ClassicPowerShell:
            return "windows.powershell";
        case Kind::Security:
            return "windows.security";
        default:
            return nullptr;
    }
}

// A GUID of the System section, canonical, under `key` when present.
void put_guid(Value& winlog, std::string_view key, std::string& guid) {
    if (is_absent(guid)) return;
    canonicalize_guid(guid);
    put_member(winlog, key, Value(std::move(guid)));
}

// A string of the System section under `key` when present.
void put_present(Value& winlog, std::string_view key, std::string& text) {
    if (!is_absent(text)) put_member(winlog, key, Value(std::move(text)));
}

}  // namespace

void WinEventNormalizer::Impl::normalize(WinEventRecord& r, Event& e, Kind kind) {
    e = Value::object();
    e.as_object().reserve(16);  // the top-level objects of a Sysmon event, without regrowth
    Value event_data = event_data_of(r);
    DataView d(event_data);
    const bool sysmon = kind == Kind::Sysmon || kind == Kind::SysmonLinux;

    // @timestamp: Sysmon's own UtcTime (the time of the action), else the log's SystemTime.
    std::string created;
    if (!r.time_created.empty()) created = format_timestamp(r.time_created);
    std::string timestamp;
    if (sysmon)
        if (const std::string* utc = d["UtcTime"]) timestamp = format_timestamp(*utc);
    bool from_created = timestamp.empty();
    if (from_created) timestamp = created;
    if (!timestamp.empty()) put_member(e, "@timestamp", Value(std::move(timestamp)));

    put_event(r, e, kind, std::move(created));
    put_host(r, e, kind);
    if (sysmon)
        map_sysmon(r, e, d, kind == Kind::SysmonLinux);
    else if (kind == Kind::PowerShell)
        map_powershell(r, e, d);
    else if (kind == Kind::ClassicPowerShell)
        map_classic_powershell(r, e, d);
    else if (!is_absent(r.user_id))
        put_member(child(e, "user"), "id", Value(r.user_id));
    put_winlog(r, e, std::move(event_data));

    set_provenance(e, source_name, options.origin, std::move(r.position));
    if (!r.lossy.empty() &&
        (e.find("process.command_line") || e.find("powershell.file.script_block_text")))
        put_member(child(e, "attest"), "rendering_loss", Value(std::move(r.lossy)));
    if (from_created && !r.time_note.empty() && e.get("@timestamp"))
        put_member(child(e, "attest"), "time_note", Value(std::move(r.time_note)));
}

// event.*: code, kind, provider, dataset, created, original.
void WinEventNormalizer::Impl::put_event(WinEventRecord& r, Event& e, Kind kind,
                                         std::string created) {
    Value& event = put_member(e, "event", Value::object());
    event.as_object().reserve(10);
    put_member(event, "code", Value(std::to_string(r.event_id)));
    put_member(event, "kind", Value("event"));
    if (!is_absent(r.provider_name)) put_member(event, "provider", Value(r.provider_name));
    if (const char* dataset = dataset_of(kind)) put_member(event, "dataset", Value(dataset));
    if (!created.empty()) put_member(event, "created", Value(std::move(created)));
    if (options.include_original && !r.original.empty())
        put_member(event, "original", Value(std::move(r.original)));
}

// host.name, host.os.type and log.level.
void WinEventNormalizer::Impl::put_host(const WinEventRecord& r, Event& e, Kind kind) {
    if (!is_absent(r.computer)) put_member(child(e, "host"), "name", Value(r.computer));
    // As Elastic's integrations set it from the agent's host: its rules test it
    // (`host.os.type:windows`), and without it they could never fire on this data.
    put_member(child(child(e, "host"), "os"), "type",
               Value(kind == Kind::SysmonLinux ? "linux" : "windows"));
    if (const char* lvl = log_level_name(trim(r.level)))
        put_member(child(e, "log"), "level", Value(lvl));
}

// winlog.*: the System section as Winlogbeat names it, and the event data.
void WinEventNormalizer::Impl::put_winlog(WinEventRecord& r, Event& e, Value event_data) {
    Value& winlog = put_member(e, "winlog", Value::object());
    winlog.as_object().reserve(18);
    put_present(winlog, "channel", r.channel);
    put_present(winlog, "computer_name", r.computer);
    put_member(winlog, "event_id", Value(r.event_id));
    put_present(winlog, "provider_name", r.provider_name);
    put_guid(winlog, "provider_guid", r.provider_guid);
    put_present(winlog, "event_source_name", r.event_source_name);
    if (r.has_record_id)
        put_member(winlog, "record_id", Value(static_cast<std::int64_t>(r.record_id)));
    std::int64_t n;
    if (to_int(r.version, n)) put_member(winlog, "version", Value(n));
    put_present(winlog, "task", r.task);
    put_present(winlog, "opcode", r.opcode);
    put_present(winlog, "keywords", r.keywords);
    put_present(winlog, "qualifiers", r.qualifiers);
    put_guid(winlog, "activity_id", r.activity_id);
    put_guid(winlog, "related_activity_id", r.related_activity_id);
    // Execution ProcessID is the logging service, hence winlog.process, never process.pid.
    std::int64_t pid, tid;
    bool has_pid = to_int(r.process_id, pid), has_tid = to_int(r.thread_id, tid);
    if (has_pid || has_tid) {
        Value& p = put_member(winlog, "process", Value::object());
        if (has_pid) put_member(p, "pid", Value(pid));
        if (has_tid) put_member(child(p, "thread"), "id", Value(tid));
    }
    if (!is_absent(r.user_id))
        put_member(child(winlog, "user"), "identifier", Value(std::move(r.user_id)));
    if (!event_data.as_object().empty()) put_member(winlog, "event_data", std::move(event_data));
}

void WinEventNormalizer::Impl::map_sysmon(WinEventRecord& r, Event& e, const DataView& d,
                                          bool on_linux) {
    const std::int64_t id = r.event_id;
    const char sep = on_linux ? '/' : '\\';
    Value& event = *e.get("event");

    // event.action / category / type
    // (the sysmon profile; telemetry/sources/sysmon.cpp translates it to Elastic Defend's)
    const SysmonEventInfo* info = sysmon_info(id);
    const std::string* event_type = d["EventType"];
    if (info != nullptr) {
        put_member(event, "action", Value(info->action));
        if (info->category.size() > 0) {
            Array cat, type;
            for (const char* c : info->category) cat.emplace_back(c);
            for (const char* t : info->type) type.emplace_back(t);
            if (id == 12) {
                bool deletion = event_type && event_type->find("Delete") != std::string::npos;
                type = Array{Value(deletion ? "deletion" : "creation")};
            }
            put_member(event, "category", Value(std::move(cat)));
            put_member(event, "type", Value(std::move(type)));
        }
    }

    // process.* : the acting process (the source process for 8 and 10).
    const bool source_process = id == 8 || id == 10;
    const std::string* guid = source_process ? d.nocase("SourceProcessGuid") : d["ProcessGuid"];
    const std::string* pid = source_process ? d["SourceProcessId"] : d["ProcessId"];
    const std::string* image = source_process ? d["SourceImage"] : d["Image"];
    if (guid || pid || image) {
        Value& process = child(e, "process");
        if (guid) put_member(process, "entity_id", Value(*guid));
        put_pid(process, pid);
        if (image) {
            put_member(process, "executable", Value(*image));
            put_member(process, "name", Value(after_last(*image, sep)));
        }
        if (id == 1) {
            if (const std::string* cl = d["CommandLine"]) {
                put_member(process, "command_line", Value(*cl));
                put_args(process, *cl, on_linux);
            }
            if (const std::string* cwd = d["CurrentDirectory"])
                put_member(process, "working_directory", Value(*cwd));
            const std::string* ofn = d["OriginalFileName"];
            const std::string* desc = d["Description"];
            const std::string* prod = d["Product"];
            const std::string* comp = d["Company"];
            const std::string* ver = d["FileVersion"];
            if (ofn || desc || prod || comp || ver) {
                Value& pe = put_member(process, "pe", Value::object());
                if (ofn) put_member(pe, "original_file_name", Value(*ofn));
                if (desc) put_member(pe, "description", Value(*desc));
                if (prod) put_member(pe, "product", Value(*prod));
                if (comp) put_member(pe, "company", Value(*comp));
                if (ver) put_member(pe, "file_version", Value(*ver));
            }
            if (const std::string* h = d["Hashes"]) put_hashes(process, *h);
            const std::string* pguid = d["ParentProcessGuid"];
            const std::string* ppid = d["ParentProcessId"];
            const std::string* pimage = d["ParentImage"];
            const std::string* pcl = d["ParentCommandLine"];
            if (pguid || ppid || pimage || pcl) {
                Value& parent = put_member(process, "parent", Value::object());
                if (pguid) put_member(parent, "entity_id", Value(*pguid));
                put_pid(parent, ppid);
                if (pimage) {
                    put_member(parent, "executable", Value(*pimage));
                    put_member(parent, "name", Value(after_last(*pimage, sep)));
                }
                if (pcl) {
                    put_member(parent, "command_line", Value(*pcl));
                    put_args(parent, *pcl, on_linux);
                }
            }
        }
    }
    if (const std::string* user = d[source_process ? "SourceUser" : "User"]) put_user(e, *user);

    switch (id) {
        case 2:
        case 11:
        case 15:
        case 23:
        case 26:
        case 27:
        case 28:
        case 29:
            if (const std::string* target = d["TargetFilename"]) {
                Value& file = child(e, "file");
                put_file_path(file, *target, sep);
                if (const std::string* h = d[id == 15 ? "Hash" : "Hashes"]) put_hashes(file, *h);
            }
            break;
        case 6:
        case 7:
            if (const std::string* loaded = d["ImageLoaded"]) {
                Value& file = child(e, "file");
                put_file_path(file, *loaded, sep);
                if (const std::string* h = d["Hashes"]) put_hashes(file, *h);
                if (id == 7) {
                    Value& dll = child(e, "dll");
                    put_member(dll, "path", Value(*loaded));
                    put_member(dll, "name", Value(after_last(*loaded, sep)));
                    if (const std::string* h = d["Hashes"]) put_hashes(dll, *h);
                }
            }
            break;
        case 3: {
            const std::string* sip = d["SourceIp"];
            const std::string* shost = d["SourceHostname"];
            const std::string* sport = d["SourcePort"];
            if (sip || shost || sport) {
                Value& src = child(e, "source");
                if (sip) put_member(src, "ip", Value(*sip));
                put_port(src, sport);
                if (shost) put_member(src, "domain", Value(*shost));
            }
            const std::string* dip = d["DestinationIp"];
            const std::string* dhost = d["DestinationHostname"];
            const std::string* dport = d["DestinationPort"];
            if (dip || dhost || dport) {
                Value& dst = child(e, "destination");
                if (dip) put_member(dst, "ip", Value(*dip));
                put_port(dst, dport);
                if (dhost) put_member(dst, "domain", Value(*dhost));
            }
            const std::string* proto = d["Protocol"];
            const std::string* v6 = d["SourceIsIpv6"];
            const std::string* initiated = d["Initiated"];
            if (proto || v6 || initiated) {
                Value& net = child(e, "network");
                if (proto) put_member(net, "transport", Value(ascii_lowercase(*proto)));
                if (v6) put_member(net, "type", Value(iequals(*v6, "true") ? "ipv6" : "ipv4"));
                if (initiated)
                    put_member(net, "direction",
                               Value(iequals(*initiated, "true") ? "egress" : "ingress"));
            }
            break;
        }
        case 22: {
            const std::string* name = d["QueryName"];
            const std::string* results = d["QueryResults"];
            if (name || results) {
                Value& dns = child(e, "dns");
                if (name) put_member(child(dns, "question"), "name", Value(*name));
                if (results) put_dns_answers(dns, *results);
                const std::string* status = d["QueryStatus"];
                if (status && *status == "0")
                    put_member(dns, "response_code", Value("NOERROR"));
                else if (status && *status == "9003")
                    put_member(dns, "response_code", Value("NXDOMAIN"));
                put_member(child(e, "network"), "protocol", Value("dns"));
            }
            break;
        }
        case 12:
        case 13:
        case 14:
            if (const std::string* target = d["TargetObject"]) {
                bool names_value =
                    id == 13 || (event_type && event_type->find("Value") != std::string::npos);
                put_registry(e, *target, names_value, id == 13 ? d["Details"] : nullptr);
            }
            break;
        default:
            break;
    }
}

void WinEventNormalizer::Impl::map_powershell(WinEventRecord& r, Event& e, const DataView& d) {
    Value& event = *e.get("event");
    put_member(event, "category", str_array({"process"}));
    put_member(event, "type", str_array({"info"}));
    if (!is_absent(r.user_id)) put_member(child(e, "user"), "id", Value(r.user_id));
    if (r.event_id == 4104) {
        Value& ps = child(e, "powershell");
        Value& file = put_member(ps, "file", Value::object());
        if (const std::string* text = d["ScriptBlockText"])
            put_member(file, "script_block_text", Value(*text));
        if (const std::string* id = d["ScriptBlockId"])
            put_member(file, "script_block_id", Value(*id));
        std::int64_t number = 0, total = 0;
        bool has_number = d["MessageNumber"] && to_int(*d["MessageNumber"], number);
        bool has_total = d["MessageTotal"] && to_int(*d["MessageTotal"], total);
        if (has_total && total == 1) put_member(file, "script_block_complete", Value(true));
        if (has_number) put_member(ps, "sequence", Value(number));
        if (has_total) put_member(ps, "total", Value(total));
        if (const std::string* path = d["Path"]) put_file_path(child(e, "file"), *path, '\\');
    } else if (r.event_id == 4103) {
        std::vector<std::pair<std::string_view, std::string_view>> ctx;
        if (const std::string* ci = d["ContextInfo"]) parse_context_info(*ci, ctx);
        // Built apart and attached at the end: references into `e` would not survive its growth.
        Value ps = Value::object(), command = Value::object(), process = Value::object(),
              file = Value::object();
        std::string_view user;
        for (const auto& [key, value] : ctx) {
            if (is_absent(value)) continue;
            if (key == "Command Name")
                command.set_key("name", Value(value));
            else if (key == "Command Type")
                command.set_key("type", Value(value));
            else if (key == "Command Path")
                command.set_key("path", Value(value));
            else if (key == "Sequence Number") {
                std::int64_t seq;
                if (to_int(value, seq)) ps.set_key("sequence", Value(seq));
            } else if (key == "Runspace ID")
                ps.set_key("runspace_id", Value(value));
            else if (key == "Pipeline ID")
                ps.set_key("pipeline_id", Value(value));
            else if (key == "Host ID")
                ps.set_key("id", Value(value));
            else if (key == "Engine Version")
                ps.set("engine.version", Value(value));
            else if (key == "Host Name")
                ps.set("process.name", Value(value));
            else if (key == "Host Version")
                ps.set("process.executable_version", Value(value));
            else if (key == "Host Application") {
                process.set_key("command_line", Value(value));
                put_args(process, std::string(value), false);
            } else if (key == "Script Name") {
                if (file.as_object().empty()) put_file_path(file, value, '\\');
            } else if (key == "User") {
                user = value;
            }
        }
        if (const std::string* payload = d["Payload"]) put_invocation_details(command, *payload);
        if (!command.as_object().empty()) ps.set_key("command", std::move(command));
        if (!ps.as_object().empty()) e.set_key("powershell", std::move(ps));
        if (!process.as_object().empty()) e.set_key("process", std::move(process));
        if (!file.as_object().empty()) e.set_key("file", std::move(file));
        put_user(e, user);  // beside user.id when the record had a UserID
    }
}

// Classic "Windows PowerShell" channel (400/403/600/800), as Elastic's windows.powershell: the
// details block is `\tKey=Value` lines in one unnamed Data (or in Message); a value runs to the
// next line break + tab + known key, so a multi-line HostApplication stays whole. EvtxECmd
// joins lines with ", ", which is accepted as a separator before a known key too.
namespace {

constexpr std::string_view kClassicKeys[] = {"NewEngineState",   "PreviousEngineState",
                                             "NewProviderState", "ProviderName",
                                             "SequenceNumber",   "HostName",
                                             "HostVersion",      "HostId",
                                             "HostApplication",  "EngineVersion",
                                             "RunspaceId",       "PipelineId",
                                             "CommandName",      "CommandType",
                                             "ScriptName",       "CommandPath",
                                             "CommandLine",      "DetailSequence",
                                             "DetailTotal",      "UserId",
                                             "Connected User",   "Shell ID"};

std::size_t classic_key_at(std::string_view text, std::size_t i) {
    for (std::string_view k : kClassicKeys)
        if (text.compare(i, k.size(), k) == 0 && i + k.size() < text.size() &&
            text[i + k.size()] == '=')
            return k.size();
    return 0;
}

std::vector<std::pair<std::string_view, std::string_view>> parse_classic_details(
    std::string_view text) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    std::size_t value_start = 0;
    auto close = [&](std::size_t end) {
        if (out.empty()) return;
        std::string_view v = text.substr(value_start, end - value_start);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == '\t' ||
                              v.back() == ' ' || v.back() == ','))
            v.remove_suffix(1);
        out.back().second = v;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool boundary = i == 0 || text[i - 1] == '\t' || text[i - 1] == '\n' ||
                        (i >= 2 && text.compare(i - 2, 2, ", ") == 0);
        if (!boundary) continue;
        std::size_t n = classic_key_at(text, i);
        if (n == 0) continue;
        std::size_t end = i;
        while (end > 0 && (text[end - 1] == '\t' || text[end - 1] == ' ')) --end;
        close(end);
        out.emplace_back(text.substr(i, n), std::string_view());
        value_start = i + n + 1;
        i += n;
    }
    close(text.size());
    return out;
}

}  // namespace

void WinEventNormalizer::Impl::map_classic_powershell(WinEventRecord& r, Event& e,
                                                      const DataView& d) {
    Value& event = *e.get("event");
    put_member(event, "category", str_array({"process"}));
    put_member(event, "type",
               str_array({r.event_id == 400   ? "start"
                          : r.event_id == 403 ? "end"
                                              : "info"}));
    const std::string* block = nullptr;
    const std::string* invocation = nullptr;
    const std::string* pipeline = nullptr;
    for (const Member& m : d.members()) {
        const std::string& name = m.key;
        const std::string& value = m.value.as_string();
        if (block == nullptr && (value.find("HostApplication=") != std::string::npos ||
                                 value.find("DetailSequence=") != std::string::npos))
            block = &value;
        else if (invocation == nullptr && (value.find("CommandInvocation(") != std::string::npos ||
                                           value.find("ParameterBinding(") != std::string::npos))
            invocation = &value;
        else if (pipeline == nullptr && r.event_id == 800 && name == "param1")
            pipeline = &value;
    }
    Value ps = Value::object(), command = Value::object(), process = Value::object();
    std::string_view user;
    if (block != nullptr)
        for (const auto& [key, value] : parse_classic_details(*block)) {
            if (is_absent(value)) continue;
            std::int64_t n;
            if (key == "HostApplication") {
                process.set_key("command_line", Value(value));
                put_args(process, std::string(value), false);
            } else if (key == "HostId")
                process.set_key("entity_id", Value(value));
            else if (key == "HostName")
                process.set_key("title", Value(value));
            else if (key == "HostVersion")
                ps.set("process.executable_version", Value(value));
            else if (key == "EngineVersion")
                ps.set("engine.version", Value(value));
            else if (key == "NewEngineState")
                ps.set("engine.new_state", Value(value));
            else if (key == "PreviousEngineState")
                ps.set("engine.previous_state", Value(value));
            else if (key == "NewProviderState")
                ps.set("provider.new_state", Value(value));
            else if (key == "ProviderName")
                ps.set("provider.name", Value(value));
            else if (key == "RunspaceId")
                ps.set_key("runspace_id", Value(value));
            else if (key == "PipelineId")
                ps.set_key("pipeline_id", Value(value));
            else if (key == "CommandName")
                command.set_key("name", Value(value));
            else if (key == "CommandType")
                command.set_key("type", Value(value));
            else if (key == "CommandPath")
                command.set_key("path", Value(value));
            else if (key == "CommandLine")
                command.set_key("value", Value(value));
            else if (key == "ScriptName")
                put_file_path(child(e, "file"), value, '\\');
            else if (key == "SequenceNumber" && to_int(value, n))
                put_member(event, "sequence", Value(n));
            else if (key == "DetailSequence" && to_int(value, n))
                ps.set_key("sequence", Value(n));
            else if (key == "DetailTotal" && to_int(value, n))
                ps.set_key("total", Value(n));
            else if (key == "UserId")
                user = value;
        }
    if (pipeline != nullptr && block != pipeline && command.get("value") == nullptr &&
        !is_absent(*pipeline))
        command.set_key("value", Value(trim(*pipeline)));
    if (invocation != nullptr) put_invocation_details(command, *invocation);
    if (!command.as_object().empty()) ps.set_key("command", std::move(command));
    if (!ps.as_object().empty()) e.set_key("powershell", std::move(ps));
    if (!process.as_object().empty()) e.set_key("process", std::move(process));
    put_user(e, user);
}

}  // namespace attest
