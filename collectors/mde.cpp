#include "collectors/mde.h"

#include <cctype>
#include <deque>

#include "collectors/builtin.h"
#include "collectors/json_stream.h"
#include "core/timeutil.h"

namespace attest {
namespace mde {

namespace {

bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

const Value* present(const Value& row, std::string_view key) {
    const Value* v = row.get(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (v->is_string() && (v->as_string().empty() || v->as_string() == "-")) return nullptr;
    return v;
}

std::string text_of(const Value* v) {
    if (v == nullptr) return {};
    if (v->is_string()) return v->as_string();
    if (v->is_int()) return std::to_string(v->as_int());
    if (v->is_double()) return std::to_string(static_cast<std::int64_t>(v->as_double()));
    return v->to_json();
}

Value as_number(const Value* v) {
    if (v == nullptr) return Value();
    if (v->is_int()) return *v;
    if (v->is_double()) return Value(static_cast<std::int64_t>(v->as_double()));
    if (v->is_string()) {
        const std::string& s = v->as_string();
        if (!s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == std::string::npos)
            return Value(static_cast<std::int64_t>(std::stoll(s)));
        return *v;
    }
    return Value();
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool iequal_tail(std::string_view path, std::string_view name) {
    if (name.empty() || path.size() < name.size()) return false;
    std::string_view tail = path.substr(path.size() - name.size());
    for (std::size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(tail[i])) !=
            std::tolower(static_cast<unsigned char>(name[i])))
            return false;
    return path.size() == name.size() || path[path.size() - name.size() - 1] == '\\' ||
           path[path.size() - name.size() - 1] == '/';
}

// FolderPath normally includes the file name; join them when a row gives the folder only.
std::string full_path(const Value* folder, const Value* name) {
    std::string f = text_of(folder), n = text_of(name);
    if (f.empty()) return {};
    if (n.empty() || iequal_tail(f, n)) return f;
    char sep = f.find('/') != std::string::npos && f.find('\\') == std::string::npos ? '/' : '\\';
    if (f.back() != '\\' && f.back() != '/') f += sep;
    return f + n;
}

void set_file_parts(Value& file, const std::string& path) {
    file.set_key("path", Value(path));
    auto slash = path.find_last_of("\\/");
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (slash != std::string::npos) file.set_key("directory", Value(path.substr(0, slash)));
    if (!name.empty()) {
        file.set_key("name", Value(name));
        auto dot = name.find_last_of('.');
        if (dot != std::string::npos && dot > 0 && dot + 1 < name.size())
            file.set_key("extension", Value(name.substr(dot + 1)));
    }
}

void set_hashes(Value& obj, const Value& row, std::string_view prefix) {
    Value hash = Value::object();
    for (auto [col, ecs] : {std::pair<std::string_view, std::string_view>{"SHA256", "sha256"},
                            {"SHA1", "sha1"},
                            {"MD5", "md5"}}) {
        std::string key = std::string(prefix) + std::string(col);
        if (const Value* v = present(row, key)) hash.set_key(ecs, Value(text_of(v)));
    }
    if (!hash.as_object().empty()) obj.set_key("hash", std::move(hash));
}

// Fills a process object from the columns with `prefix` ("" or "InitiatingProcess").
void set_process(Value& p, const Value& row, std::string_view device_id, std::string_view prefix,
                 bool with_parent_columns) {
    auto col = [&](std::string_view c) { return present(row, std::string(prefix) + std::string(c)); };
    const Value* name = col("FileName");
    const Value* pid = prefix.empty() ? present(row, "ProcessId") : col("Id");
    const Value* created = prefix.empty() ? present(row, "ProcessCreationTime") : col("CreationTime");
    const Value* cmd = prefix.empty() ? present(row, "ProcessCommandLine") : col("CommandLine");
    if (pid) {
        p.set_key("pid", as_number(pid));
        // Without its creation time a pid is not an identity (pids are reused).
        if (created) p.set_key("entity_id", Value(process_entity_id(device_id, pid, created)));
    }
    if (name) p.set_key("name", Value(text_of(name)));
    std::string exe = full_path(col("FolderPath"), name);
    if (!exe.empty()) p.set_key("executable", Value(exe));
    if (cmd) p.set_key("command_line", Value(text_of(cmd)));
    if (created) p.set_key("start", Value(text_of(created)));
    set_hashes(p, row, prefix);
    if (with_parent_columns) {
        const Value* ppid = col("ParentId");
        const Value* pname = col("ParentFileName");
        const Value* pcreated = col("ParentCreationTime");
        if (ppid || pname) {
            Value parent = Value::object();
            if (ppid) {
                parent.set_key("pid", as_number(ppid));
                if (pcreated)
                    parent.set_key("entity_id", Value(process_entity_id(device_id, ppid, pcreated)));
            }
            if (pname) parent.set_key("name", Value(text_of(pname)));
            p.set_key("parent", std::move(parent));
        }
    }
}

}  // namespace

std::string infer_table(const Value& row) {
    std::string action = text_of(present(row, "ActionType"));
    if (present(row, "RemoteIP") || present(row, "RemotePort") || present(row, "RemoteUrl") ||
        contains(action, "Connection"))
        return "DeviceNetworkEvents";
    if (action == "ImageLoaded") return "DeviceImageLoadEvents";
    if (action.rfind("File", 0) == 0 || present(row, "PreviousFolderPath") ||
        present(row, "FileOriginUrl"))
        return "DeviceFileEvents";
    if (action == "ProcessCreated" || present(row, "ProcessCommandLine")) return "DeviceProcessEvents";
    return "DeviceEvents";
}

std::string_view endpoint_action(std::string_view a) {
    if (a == "FileCreated") return "creation";
    if (a == "FileModified") return "overwrite";
    if (a == "FileRenamed") return "rename";
    if (a == "FileDeleted") return "deletion";
    if (a == "ImageLoaded") return "load";
    if (a == "ConnectionSuccess" || a == "ConnectionAttempt" || a == "ConnectionFailed" ||
        a == "ConnectionRequest")
        return "connection_attempted";
    if (a == "InboundConnectionAccepted") return "connection_accepted";
    if (a == "ProcessCreated") return "start";
    return {};
}

std::string process_entity_id(std::string_view device_id, const Value* pid,
                              const Value* creation_time) {
    std::string key(device_id);
    key += '|';
    key += text_of(pid);
    key += '|';
    std::string t = text_of(creation_time);
    if (auto ns = parse_iso8601_ns(t)) t = std::to_string(*ns);
    key += t;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
    return buf;
}

bool normalize_mde_row(Value row, std::string table, const Value* wrapper_time, Event& out,
                       std::string& error) {
    if (!row.is_object()) {
        error = "row is not a JSON object";
        return false;
    }
    if (table.empty()) table = infer_table(row);
    std::optional<std::int64_t> ts;
    if (const Value* t = present(row, "Timestamp"); t && t->is_string()) ts = parse_iso8601_ns(t->as_string());
    if (!ts && wrapper_time && wrapper_time->is_string()) ts = parse_iso8601_ns(wrapper_time->as_string());
    if (!ts) {
        error = "row has no usable Timestamp";
        return false;
    }
    std::string device_id = text_of(present(row, "DeviceId"));
    std::string action_type = text_of(present(row, "ActionType"));

    out = Value::object();
    out.set_key("@timestamp", Value(format_iso8601(*ts, 3)));
    Value event = Value::object();
    event.set_key("kind", Value("event"));
    event.set_key("dataset", Value("m365_defender.event"));
    event.set_key("module", Value("m365_defender"));
    std::string_view mapped = endpoint_action(action_type);
    if (!mapped.empty()) event.set_key("action", Value(mapped));
    else if (!action_type.empty()) event.set_key("action", Value(action_type));
    if (action_type == "ConnectionFailed") event.set_key("outcome", Value("failure"));
    else if (action_type == "ConnectionSuccess") event.set_key("outcome", Value("success"));
    out.set_key("event", Value());

    Value host = Value::object();
    if (const Value* dn = present(row, "DeviceName")) host.set_key("name", Value(text_of(dn)));
    if (!device_id.empty()) host.set_key("id", Value(device_id));
    if (!host.as_object().empty()) out.set_key("host", std::move(host));

    std::vector<std::string_view> category, type;
    Value process = Value::object();
    if (table == "DeviceProcessEvents") {
        set_process(process, row, device_id, "", false);
        Value parent = Value::object();
        set_process(parent, row, device_id, "InitiatingProcess", false);
        if (!parent.as_object().empty()) process.set_key("parent", std::move(parent));
        category = {"process"};
        type = {"start"};
    } else {
        set_process(process, row, device_id, "InitiatingProcess", true);
    }
    if (!process.as_object().empty()) out.set_key("process", std::move(process));

    // The account: of the created process for process rows, else of the initiating one.
    {
        Value user = Value::object();
        bool proc = table == "DeviceProcessEvents";
        const Value* name = present(row, proc ? "AccountName" : "InitiatingProcessAccountName");
        const Value* domain = present(row, proc ? "AccountDomain" : "InitiatingProcessAccountDomain");
        const Value* sid = present(row, proc ? "AccountSid" : "InitiatingProcessAccountSid");
        if (!name && !proc) name = present(row, "AccountName");
        if (name) user.set_key("name", Value(text_of(name)));
        if (domain) user.set_key("domain", Value(text_of(domain)));
        if (sid) user.set_key("id", Value(text_of(sid)));
        if (!user.as_object().empty()) out.set_key("user", std::move(user));
    }

    if (table == "DeviceFileEvents" || table == "DeviceImageLoadEvents") {
        Value file = Value::object();
        std::string path = full_path(present(row, "FolderPath"), present(row, "FileName"));
        if (!path.empty()) set_file_parts(file, path);
        else if (const Value* n = present(row, "FileName")) file.set_key("name", Value(text_of(n)));
        set_hashes(file, row, "");
        if (const Value* size = present(row, "FileSize")) file.set_key("size", as_number(size));
        std::string prev = full_path(present(row, "PreviousFolderPath"), present(row, "PreviousFileName"));
        if (!prev.empty()) {
            file.set("Ext.original.path", Value(prev));
            if (const Value* pn = present(row, "PreviousFileName")) file.set("Ext.original.name", Value(text_of(pn)));
        }
        if (table == "DeviceImageLoadEvents") {
            Value dll = Value::object();
            if (!path.empty()) dll.set_key("path", Value(path));
            if (const Value* n = present(row, "FileName")) dll.set_key("name", Value(text_of(n)));
            set_hashes(dll, row, "");
            out.set_key("dll", std::move(dll));
            category = {"library"};
            type = {"start"};
        } else {
            category = {"file"};
            if (action_type == "FileCreated") type = {"creation"};
            else if (action_type == "FileDeleted") type = {"deletion"};
            else type = {"change"};
        }
        if (const Value* url = present(row, "FileOriginUrl")) out.set("url.original", Value(text_of(url)));
        out.set_key("file", std::move(file));
    } else if (table == "DeviceNetworkEvents") {
        Value dest = Value::object(), src = Value::object();
        if (const Value* ip = present(row, "RemoteIP")) dest.set_key("ip", Value(text_of(ip)));
        if (const Value* p = present(row, "RemotePort")) dest.set_key("port", as_number(p));
        if (const Value* ip = present(row, "LocalIP")) src.set_key("ip", Value(text_of(ip)));
        if (const Value* p = present(row, "LocalPort")) src.set_key("port", as_number(p));
        if (!dest.as_object().empty()) out.set_key("destination", std::move(dest));
        if (!src.as_object().empty()) out.set_key("source", std::move(src));
        if (const Value* url = present(row, "RemoteUrl")) out.set("url.original", Value(text_of(url)));
        if (const Value* proto = present(row, "Protocol")) {
            std::string p = text_of(proto);
            for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (p.rfind("tcp", 0) == 0) p = "tcp";
            else if (p.rfind("udp", 0) == 0) p = "udp";
            out.set("network.transport", Value(p));
        }
        category = {"network"};
        type = {"start"};
    }
    if (!category.empty()) {
        Value c = Value::array();
        for (auto s : category) c.push_back(Value(s));
        event.set_key("category", std::move(c));
        Value t = Value::array();
        for (auto s : type) t.push_back(Value(s));
        event.set_key("type", std::move(t));
    }
    *out.get("event") = std::move(event);
    row.set_key("table", Value(table));
    out.set_key("mde", std::move(row));
    return true;
}

int sniff_mde(std::string_view head, std::string_view) {
    auto p = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (p == std::string_view::npos || (head[p] != '{' && head[p] != '[')) return 0;
    if (contains(head, "\"AdvancedHunting-")) return 90;
    bool device = contains(head, "\"DeviceName\"") || contains(head, "\"DeviceId\"");
    bool action = contains(head, "\"ActionType\"");
    if (device && action) return 85;
    if (contains(head, "\"Schema\"") && contains(head, "\"Results\"") && device) return 85;
    if (action && contains(head, "\"InitiatingProcess")) return 70;
    return 0;
}

}  // namespace mde

namespace {

class MdeCollector final : public Collector {
public:
    MdeCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)), m_reader(m_input), m_options(options), m_sink(sink) {}

    bool next(Event& out) override {
        while (true) {
            if (!m_pending.empty()) {
                Pending p = std::move(m_pending.front());
                m_pending.pop_front();
                if (emit(std::move(p), out)) return true;
                continue;
            }
            if (!read_record()) return false;
        }
    }

private:
    struct Pending {
        Value row;
        std::string table;
        Value time;
        std::uint64_t line = 0, column = 0;
        std::string original;
    };

    bool emit(Pending p, Event& out) {
        std::string error;
        const Value* time = p.time.is_null() ? nullptr : &p.time;
        if (!mde::normalize_mde_row(std::move(p.row), std::move(p.table), time, out, error)) {
            m_sink.error(m_options.origin, p.line, p.column, error + "; skipped");
            ++m_stats.skipped;
            return false;
        }
        if (m_options.include_original) out.set("event.original", Value(p.original));
        set_provenance(out, "mde", m_options.origin, Value(static_cast<std::int64_t>(p.line)));
        ++m_stats.events;
        return true;
    }

    void queue_wrapper_or_row(Value v, const JsonRecord& rec) {
        ++m_stats.records;
        if (!v.is_object()) {
            m_sink.error(m_options.origin, rec.line, rec.column, "not a JSON object; skipped");
            ++m_stats.skipped;
            return;
        }
        std::string original = m_options.include_original ? std::string(rec.text) : std::string();
        if (Value* props = v.get("properties"); props != nullptr && props->is_object()) {
            std::string table;
            if (const Value* cat = v.get("category"); cat && cat->is_string()) {
                table = cat->as_string();
                if (table.rfind("AdvancedHunting-", 0) == 0) table = table.substr(16);
            }
            Value time = v.get("time") ? *v.get("time") : Value();
            m_pending.push_back(Pending{std::move(*props), std::move(table), std::move(time),
                                        rec.line, rec.column, std::move(original)});
            return;
        }
        m_pending.push_back(Pending{std::move(v), std::string(), Value(), rec.line, rec.column,
                                    std::move(original)});
    }

    bool read_record() {
        JsonRecord rec;
        auto on_problem = [&](const JsonStreamProblem& p) {
            m_sink.error(m_options.origin, p.line, p.column, p.message);
            if (p.skipped) {
                ++m_stats.records;
                ++m_stats.skipped;
            }
        };
        if (!m_reader.next(rec, on_problem)) {
            if (m_reader.read_error()) m_sink.error(m_options.origin, 0, 0, "read error");
            return false;
        }
        Value v;
        std::string error;
        std::size_t off = 0;
        if (!parse_json_record(rec.text, v, error, off)) {
            std::uint64_t l, c;
            record_position(rec.text, off, rec.line, rec.column, l, c);
            m_sink.error(m_options.origin, l, c, "invalid JSON: " + error + "; record skipped");
            ++m_stats.records;
            ++m_stats.skipped;
            return true;
        }
        // API results: rows under "Results"; Event Hub batches: wrappers under "records".
        for (std::string_view key : {"Results", "records", "value"}) {
            Value* list = v.is_object() ? v.get(key) : nullptr;
            if (list == nullptr || !list->is_array()) continue;
            for (auto& row : list->as_array()) queue_wrapper_or_row(std::move(row), rec);
            return true;
        }
        queue_wrapper_or_row(std::move(v), rec);
        return true;
    }

    InputFile m_input;
    JsonRecordReader m_reader;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    std::deque<Pending> m_pending;
};

}  // namespace

void register_mde_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "mde",
        "Microsoft Defender for Endpoint advanced hunting rows (API results, streaming export, "
        "JSON arrays / NDJSON), endpoint vocabulary",
        mde::sniff_mde,
        [](InputFile input, const CollectorOptions& options,
           DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<MdeCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
