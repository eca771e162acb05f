// Where Sigma's field names live in attest's events, and which events a logsource selects.
// Both are declared tables (shared/spec/sigma.md, "Log sources and fields").
#include <algorithm>

#include "core/text.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/pattern.h"
#include "expectations/rule_fields.h"
#include "expectations/sigma/internal.h"

namespace attest::sigma::detail {

namespace {

// Sigma (Windows event) field name -> a native alias and the ECS field of Elastic's pySigma
// pipeline (ecs_windows), the fallback for documents without winlog.event_data.
struct FieldRow {
    std::string_view sigma;
    std::string_view native_alias;  // another event_data name carrying the same value
    std::string_view ecs;
};
constexpr FieldRow kFields[] = {
    {"Image", "NewProcessName", "process.executable"},
    {"ParentImage", "ParentProcessName", "process.parent.executable"},
    {"CommandLine", "", "process.command_line"},
    {"ParentCommandLine", "", "process.parent.command_line"},
    {"OriginalFileName", "", "process.pe.original_file_name"},
    {"CurrentDirectory", "", "process.working_directory"},
    {"ProcessId", "NewProcessId", "process.pid"},
    {"ParentProcessId", "", "process.parent.pid"},
    {"ProcessGuid", "", "process.entity_id"},
    {"ParentProcessGuid", "", "process.parent.entity_id"},
    {"Product", "", "process.pe.product"},
    {"Company", "", "process.pe.company"},
    {"Description", "", "process.pe.description"},
    {"FileVersion", "", "process.pe.file_version"},
    {"User", "SubjectUserName", "user.name"},
    {"TargetFilename", "", "file.path"},
    {"ImageLoaded", "", "dll.path"},
    {"Signed", "", "dll.code_signature.signed"},
    {"SourceIp", "", "source.ip"},
    {"SourcePort", "", "source.port"},
    {"SourceHostname", "", "source.domain"},
    {"DestinationIp", "", "destination.ip"},
    {"DestinationPort", "", "destination.port"},
    {"DestinationHostname", "", "destination.domain"},
    {"Protocol", "", "network.transport"},
    {"QueryName", "", "dns.question.name"},
    {"TargetObject", "", "registry.path"},
    {"Details", "", "registry.data.strings"},
    {"ScriptBlockText", "", "powershell.file.script_block_text"},
    {"SourceImage", "", "process.executable"},
    {"TargetImage", "", "winlog.event_data.TargetImage"},
    {"PipeName", "", "file.name"},
    {"ServiceName", "", "service.name"},
    {"Hashes", "", "process.hash.sha256"},
    // Microsoft 365 unified audit records as exported (o365.audit.* is the record itself).
    {"Operation", "", "event.action"},
    {"Workload", "", "event.provider"},
    {"UserId", "", "user.id"},
    {"ClientIP", "", "source.ip"},
};

// Fields of the event envelope rather than of event_data.
struct SystemRow {
    std::string_view sigma;
    std::string_view path1, path2;
};
constexpr SystemRow kSystemFields[] = {
    {"EventID", "winlog.event_id", "event.code"},
    {"Channel", "winlog.channel", ""},
    {"Provider_Name", "winlog.provider_name", "event.provider"},
    {"Computer", "winlog.computer_name", "host.name"},
    {"Level", "log.level", ""},
};

// Native records other than winlog.event_data, searched in this order.
constexpr std::string_view kNativeRoots[] = {"winlog.event_data.", "o365.audit."};

}  // namespace

const Value* FieldRef::resolve(const Event& e) const {
    for (const auto& p : paths)
        if (const Value* v = e.find(p)) return v;
    return nullptr;
}

FieldRef field_ref(std::string_view name) {
    FieldRef f;
    f.name.assign(name);
    for (const auto& s : kSystemFields)
        if (iequals(s.sigma, name)) {
            f.paths.emplace_back(s.path1);
            if (!s.path2.empty()) f.paths.emplace_back(s.path2);
            return f;
        }
    if (name.find('.') != std::string_view::npos) {  // already a path (ECS or nested record)
        f.paths.emplace_back(name);
        for (auto root : kNativeRoots) f.paths.push_back(std::string(root) + std::string(name));
        return f;
    }
    const FieldRow* row = nullptr;
    for (const auto& r : kFields)
        if (r.sigma == name) row = &r;
    for (auto root : kNativeRoots) {
        f.paths.push_back(std::string(root) + std::string(name));
        if (row && !row->native_alias.empty() && root == kNativeRoots[0])
            f.paths.push_back(std::string(root) + std::string(row->native_alias));
    }
    f.paths.emplace_back(name);  // flat native records (a JSON export of the event data)
    if (row) f.paths.emplace_back(row->ecs);
    return f;
}

}  // namespace attest::sigma::detail

namespace attest::sigma {

std::vector<std::string> field_paths(std::string_view name) {
    return detail::field_ref(name).paths;
}

const std::vector<std::string>& field_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& r : detail::kFields) out.emplace_back(r.sigma);
        for (const auto& r : detail::kSystemFields) out.emplace_back(r.sigma);
        // and the native names the sources write (winlog.event_data.X, o365.audit.X)
        for (const auto& f : rules::known_field_names())
            for (auto root : detail::kNativeRoots)
                if (f.size() > root.size() && f.compare(0, root.size(), root) == 0 &&
                    f.find('.', root.size()) == std::string::npos)
                    out.push_back(f.substr(root.size()));
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }();
    return names;
}

bool known_field(std::string_view name) {
    for (const auto& r : detail::kSystemFields)
        if (iequals(r.sigma, name)) return true;
    for (const auto& r : detail::kFields)
        if (r.sigma == name) return true;
    // Else known when ECS or a source's field table has one of the paths it is read from
    // (winlog.event_data.<name>, o365.audit.<name>, the name itself).
    for (const auto& p : detail::field_ref(name).paths)
        if (rules::known_field(p, nullptr)) return true;
    return false;
}

}  // namespace attest::sigma

namespace attest::sigma::detail {

// ------------------------------------------------------------------ log sources

namespace {

// Which events a logsource selects. A row applies when each of its non-empty keys equals the
// rule's; the first applying row wins (the specific rows come first).
struct Selector {
    std::string_view dataset;     // event.dataset; empty: any
    std::string_view channel;     // winlog.channel (case-insensitive); empty: any
    std::vector<int> codes;       // event codes; empty: any
    std::string_view event_type;  // DeleteKey/DeleteValue filter for registry_delete
};
struct LogSourceRow {
    std::string_view product, category, service;
    std::vector<std::string_view> sources;
    std::vector<Selector> selectors;  // OR
};

constexpr std::string_view kSysmon = "windows.sysmon_operational";
constexpr std::string_view kSysmonLinux = "sysmon_linux.log";

const std::vector<LogSourceRow>& logsource_table() {
    static const std::vector<LogSourceRow> rows = {
        {"windows",
         "process_creation",
         "",
         {"sysmon", "security", "mde"},
         {{kSysmon, "", {1}, ""},
          {"windows.security", "", {4688}, ""},
          {"m365_defender.event", "", {}, "process_start"}}},
        {"windows", "file_event", "", {"sysmon"}, {{kSysmon, "", {11}, ""}}},
        {"windows", "image_load", "", {"sysmon"}, {{kSysmon, "", {7}, ""}}},
        {"windows", "network_connection", "", {"sysmon"}, {{kSysmon, "", {3}, ""}}},
        {"windows", "dns_query", "", {"sysmon"}, {{kSysmon, "", {22}, ""}}},
        {"windows", "registry_event", "", {"sysmon"}, {{kSysmon, "", {12, 13, 14}, ""}}},
        {"windows", "registry_add", "", {"sysmon"}, {{kSysmon, "", {12}, ""}}},
        {"windows", "registry_set", "", {"sysmon"}, {{kSysmon, "", {13}, ""}}},
        {"windows", "registry_delete", "", {"sysmon"}, {{kSysmon, "", {12}, "Delete"}}},
        {"windows", "process_access", "", {"sysmon"}, {{kSysmon, "", {10}, ""}}},
        {"windows", "create_remote_thread", "", {"sysmon"}, {{kSysmon, "", {8}, ""}}},
        {"windows", "driver_load", "", {"sysmon"}, {{kSysmon, "", {6}, ""}}},
        {"windows", "file_delete", "", {"sysmon"}, {{kSysmon, "", {23, 26}, ""}}},
        {"windows", "pipe_created", "", {"sysmon"}, {{kSysmon, "", {17, 18}, ""}}},
        {"windows",
         "ps_script",
         "",
         {"powershell"},
         {{"", "Microsoft-Windows-PowerShell/Operational", {4104}, ""}}},
        {"windows",
         "ps_module",
         "",
         {"powershell"},
         {{"", "Microsoft-Windows-PowerShell/Operational", {4103}, ""}}},
        {"windows",
         "ps_classic_start",
         "",
         {"powershell"},
         {{"", "Windows PowerShell", {400}, ""}}},
        {"windows", "", "security", {"security"}, {{"", "Security", {}, ""}}},
        {"windows", "", "system", {"security"}, {{"", "System", {}, ""}}},
        {"windows", "", "application", {"security"}, {{"", "Application", {}, ""}}},
        {"windows",
         "",
         "powershell",
         {"powershell"},
         {{"", "Microsoft-Windows-PowerShell/Operational", {}, ""}}},
        {"windows", "", "powershell-classic", {"powershell"}, {{"", "Windows PowerShell", {}, ""}}},
        {"windows", "", "sysmon", {"sysmon"}, {{kSysmon, "", {}, ""}}},
        {"linux",
         "process_creation",
         "",
         {"sysmon_linux", "auditd"},
         {{kSysmonLinux, "", {1}, ""}, {"auditd.log", "", {}, "process_start"}}},
        {"linux", "", "auditd", {"auditd"}, {{"auditd.log", "", {}, ""}}},
        {"linux", "", "sysmon", {"sysmon_linux"}, {{kSysmonLinux, "", {}, ""}}},
        {"m365", "", "", {"o365"}, {{"o365.audit", "", {}, ""}}},
        {"azure", "", "", {"o365"}, {{"o365.audit", "", {}, ""}, {"azure.", "", {}, ""}}},
        // No collector of attest's reads these; documents already carrying the Elastic
        // integrations' datasets (NDJSON) are still selected.
        {"gcp", "", "", {}, {{"gcp.", "", {}, ""}, {"google_workspace.", "", {}, ""}}},
        {"okta", "", "", {}, {{"okta.", "", {}, ""}}},
        {"", "", "audit", {"o365"}, {{"o365.audit", "", {}, ""}}},
        {"windows", "", "", {"sysmon", "security", "powershell"}, {{"windows.", "", {}, ""}}},
    };
    return rows;
}

bool any_string(const Value* v, std::string_view want, bool prefix, bool insensitive) {
    if (v == nullptr) return false;
    auto eq = [&](const Value& x) {
        if (!x.is_string()) return false;
        std::string_view s = x.as_string();
        if (prefix) s = s.substr(0, want.size());
        return insensitive ? iequals(s, want) : s == want;
    };
    return eql::detail::any_scalar(*v, eq);
}

class SelectorCond final : public Cond {
public:
    explicit SelectorCond(Selector s) : m_s(std::move(s)) {}
    bool test(const Event& e) const override {
        if (!m_s.dataset.empty() &&
            !any_string(e.find("event.dataset"), m_s.dataset, m_s.dataset.back() == '.', false))
            return false;
        if (!m_s.channel.empty() && !any_string(e.find("winlog.channel"), m_s.channel, false, true))
            return false;
        if (!m_s.codes.empty() && !code_ok(e)) return false;
        if (m_s.event_type == "Delete")
            return any_string(e.find("winlog.event_data.EventType"), "Delete", true, true);
        if (m_s.event_type == "process_start") return is_process_start(e);
        return true;
    }
    // The dataset, when the row names one (a coarse key: used when the rule has no other).
    bool index_keys(std::vector<eql::detail::IndexKey>& out) const override {
        if (m_s.dataset.empty()) return false;
        eql::detail::FieldPath path;
        path.path = "event.dataset";
        bool prefix = m_s.dataset.back() == '.';
        return eql::detail::literal_key(
            eql::detail::key_field(path),
            prefix ? eql::detail::IndexKey::Shape::Prefix : eql::detail::IndexKey::Shape::Exact,
            m_s.dataset, out);
    }

private:
    bool code_ok(const Event& e) const {
        const Value* v = e.find("winlog.event_id");
        if (v == nullptr) v = e.find("event.code");
        if (v == nullptr) return false;
        std::int64_t code = -1;
        if (v->is_int())
            code = v->as_int();
        else if (v->is_string()) {
            auto n = eql::detail::parse_number_text(v->as_string());
            if (n && n->is_int()) code = n->as_int();
        }
        return std::find(m_s.codes.begin(), m_s.codes.end(), code) != m_s.codes.end();
    }
    static bool is_process_start(const Event& e) {
        return any_string(e.find("event.category"), "process", false, false) &&
               any_string(e.find("event.type"), "start", false, false);
    }
    Selector m_s;
};

// Each key the row names must equal the rule's; a key the row leaves empty must be empty in
// the rule too, except the service of a cloud product row (every M365 service is the audit log).
bool row_applies(const LogSourceRow& r, const LogSource& ls) {
    auto ok = [](std::string_view want, const std::string& have) {
        return want.empty() ? have.empty() : iequals(want, have);
    };
    bool any_service = r.category.empty() && (r.product == "m365" || r.product == "azure" ||
                                              r.product == "gcp" || r.product == "okta");
    return (r.product.empty() || iequals(r.product, ls.product)) &&
           ok(r.category, ls.category) && (any_service || ok(r.service, ls.service));
}

}  // namespace

Scope logsource_scope(const LogSource& ls) {
    Scope s;
    for (const auto& row : logsource_table()) {
        if (!row_applies(row, ls)) continue;
        auto any = std::make_unique<eql::detail::OrCond>();
        for (const auto& sel : row.selectors)
            any->kids.push_back(std::make_unique<SelectorCond>(sel));
        s.cond = std::move(any);
        for (auto src : row.sources) s.sources.emplace_back(src);
        return s;
    }
    return s;
}

}  // namespace attest::sigma::detail

namespace attest::sigma {

std::string LogSource::describe() const {
    std::string out;
    auto add = [&](const char* k, const std::string& v) {
        if (v.empty()) return;
        if (!out.empty()) out += ' ';
        out += std::string(k) + "=" + v;
    };
    add("product", product);
    add("category", category);
    add("service", service);
    return out.empty() ? "(empty logsource)" : out;
}

}  // namespace attest::sigma
