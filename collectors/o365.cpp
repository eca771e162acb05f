#include "collectors/o365.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "collectors/builtin.h"
#include "collectors/csv.h"
#include "collectors/json_stream.h"
#include "core/text.h"
#include "core/timeutil.h"

namespace attest {
namespace o365 {

namespace {

bool contains(std::string_view s, std::string_view part) {
    return s.find(part) != std::string_view::npos;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

bool is_ipv4(const std::string& s) {
    in_addr a{};
    return inet_pton(AF_INET, s.c_str(), &a) == 1;
}
bool is_ipv6(const std::string& s) {
    in6_addr a{};
    return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

std::optional<int> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v > 65535) return std::nullopt;
    return v;
}

const Value* member(const Value& obj, std::string_view key) {
    const Value* v = obj.get(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (v->is_string() && (v->as_string().empty() || v->as_string() == "-")) return nullptr;
    return v;
}

std::string string_of(const Value* v) {
    if (v == nullptr) return {};
    if (v->is_string()) return v->as_string();
    if (v->is_int()) return std::to_string(v->as_int());
    return v->to_json();
}

// Converts PowerShell "\/Date(ms)\/" strings anywhere in the record to ISO-8601.
void convert_ms_dates(Value& v, int depth = 0) {
    if (depth > 64) return;
    if (v.is_string()) {
        const std::string& s = v.as_string();
        if (s.size() > 7 && s.compare(0, 6, "/Date(") == 0) {
            if (auto ns = parse_ms_json_date(s)) v = Value(format_iso8601(*ns, 3));
        }
    } else if (v.is_array()) {
        for (auto& e : v.as_array()) convert_ms_dates(e, depth + 1);
    } else if (v.is_object()) {
        for (auto& m : v.as_object()) convert_ms_dates(m.value, depth + 1);
    }
}

// [{Name, Value}, ...] -> {Name: Value}; [{Name, NewValue, OldValue}] -> {Name: {NewValue, ...}}.
// A repeated Name collects its values into an array.
void fold_named_list(Value& list) {
    if (!list.is_array()) return;
    for (const auto& e : list.as_array())
        if (!e.is_object() || e.get("Name") == nullptr || !e.get("Name")->is_string()) return;
    Value folded = Value::object();
    std::vector<std::string> promoted;
    folded.as_object().reserve(list.as_array().size());
    for (auto& e : list.as_array()) {
        std::string name = std::move(e.get("Name")->as_string());
        Value item;
        Value* only_value = e.get("Value");
        if (only_value != nullptr && e.as_object().size() == 2) {
            item = std::move(*only_value);
        } else {
            item = Value::object();
            for (auto& m : e.as_object())
                if (m.key != "Name") item.as_object().push_back(Member{m.key, std::move(m.value)});
        }
        if (Value* existing = folded.get(name)) {
            // Keep every value: promote to an array on the first repeat.
            if (std::find(promoted.begin(), promoted.end(), name) == promoted.end()) {
                Value arr = Value::array();
                arr.push_back(std::move(*existing));
                *existing = std::move(arr);
                promoted.push_back(name);
            }
            existing->push_back(std::move(item));
        } else {
            folded.as_object().push_back(Member{std::move(name), std::move(item)});
        }
    }
    list = std::move(folded);
}

// Sentinel OfficeActivity flattens nested values into JSON strings; parse them back.
void unflatten_json_strings(Value& record) {
    for (auto& m : record.as_object()) {
        if (!m.value.is_string()) continue;
        const std::string& s = m.value.as_string();
        auto b = s.find_first_not_of(" \t\r\n");
        if (b == std::string::npos || (s[b] != '[' && s[b] != '{')) continue;
        auto e = s.find_last_not_of(" \t\r\n");
        if ((s[b] == '[' && s[e] != ']') || (s[b] == '{' && s[e] != '}')) continue;
        Value parsed;
        std::string error;
        std::size_t off = 0;
        if (parse_json_record(s, parsed, error, off)) m.value = std::move(parsed);
    }
}

std::string_view cmdlet_verb(std::string_view op) {
    auto dash = op.find('-');
    if (dash == std::string_view::npos || dash == 0 || contains(op, " ")) return {};
    return op.substr(0, dash);
}

std::string_view type_for_verb(std::string_view verb) {
    if (verb == "New" || verb == "Add" || verb == "Enable") return "creation";
    if (verb == "Remove" || verb == "Disable") return "deletion";
    return "change";
}

}  // namespace

std::optional<ClientAddress> split_client_ip(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    ClientAddress out;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.ip = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            out.port = parse_port(rest.substr(1));
            if (!out.port) return std::nullopt;
        }
        if (!is_ipv6(out.ip)) return std::nullopt;
        return out;
    }
    auto colons = std::count(text.begin(), text.end(), ':');
    if (colons == 1) {
        auto c = text.find(':');
        out.ip = std::string(text.substr(0, c));
        out.port = parse_port(text.substr(c + 1));
        if (!out.port || !is_ipv4(out.ip)) return std::nullopt;
        return out;
    }
    out.ip = std::string(text);
    if (colons == 0 ? is_ipv4(out.ip) : is_ipv6(out.ip)) return out;
    return std::nullopt;
}

Classification classify_o365_operation(std::string_view op, bool failed) {
    Classification c;
    auto set = [&](std::initializer_list<std::string_view> cat,
                   std::initializer_list<std::string_view> type) {
        c.category.assign(cat.begin(), cat.end());
        c.type.assign(type.begin(), type.end());
        return c;
    };
    if (op == "UserLoggedIn" || op == "UserLoginFailed" || contains(op, "Login") ||
        contains(op, "Logon"))
        return set({"authentication"}, {failed || op == "UserLoginFailed" ? "info" : "start"});
    if (op == "MailboxLogin") return set({"authentication", "email"}, {"start"});
    if (op == "SoftDelete" || op == "HardDelete" || op == "MoveToDeletedItems")
        return set({"email"}, {"deletion"});
    if (op == "MailItemsAccessed" || op == "FolderBind" || op == "Send" || op == "SendAs" ||
        op == "SendOnBehalf" || op == "SearchQueryInitiatedExchange" || op == "Update" ||
        op == "Create" || op == "Move" || op == "Copy" || op == "MessageBind")
        return set({"email"}, {"access"});
    if (op == "UpdateInboxRules") return set({"email", "configuration"}, {"change"});
    std::string_view verb = cmdlet_verb(op);
    if (!verb.empty()) {
        std::string_view noun = op.substr(verb.size() + 1);
        std::string_view t = type_for_verb(verb);
        if (contains(noun, "InboxRule") || contains(noun, "TransportRule") ||
            contains(noun, "Mailbox") || contains(noun, "MailContact"))
            if (!contains(noun, "Permission")) return set({"email", "configuration"}, {t});
        if (contains(noun, "Permission") || contains(noun, "Role") || contains(noun, "User") ||
            contains(noun, "Group") || contains(noun, "Member"))
            return set({"iam", "configuration"}, {t});
        return set({"configuration"}, {t});
    }
    std::string_view t = starts_with(op, "Add") || starts_with(op, "Create")      ? "creation"
                         : starts_with(op, "Delete") || starts_with(op, "Remove") ? "deletion"
                                                                                  : "change";
    if (contains(op, " user") || contains(op, "user password")) return set({"iam"}, {"user", t});
    if (contains(op, " member to ") || contains(op, " member from ") || contains(op, " group"))
        return set({"iam"}, {"group", "change"});
    if (contains(op, " role")) return set({"iam"}, {"admin", t});
    if (contains(op, " application") || contains(op, " policy") ||
        contains(op, " service principal") || starts_with(op, "Consent"))
        return set({"configuration"}, {t});
    if (op == "FileAccessed" || op == "FileDownloaded" || op == "FilePreviewed")
        return set({"file"}, {"access"});
    if (op == "FileModified" || op == "FileUploaded" || op == "FileRenamed")
        return set({"file"}, {"change"});
    if (op == "FileDeleted" || op == "FileRecycled") return set({"file"}, {"deletion"});
    c.type = {"info"};
    return c;
}

std::optional<std::int64_t> parse_ms_json_date(std::string_view s) {
    // "/Date(1728364117000)/" or "/Date(1728364117000+0000)/"
    if (s.size() < 9 || s.substr(0, 6) != "/Date(" || s.substr(s.size() - 2) != ")/")
        return std::nullopt;
    std::string_view body = s.substr(6, s.size() - 8);
    bool neg = false;
    std::size_t i = 0;
    if (!body.empty() && body[0] == '-') {
        neg = true;
        i = 1;
    }
    std::int64_t ms = 0;
    std::size_t digits = 0;
    for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i, ++digits) {
        if (digits > 15) return std::nullopt;
        ms = ms * 10 + (body[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    // An offset suffix only says how to display the time: the number is UTC already.
    if (i < body.size() && body[i] != '+' && body[i] != '-') return std::nullopt;
    return (neg ? -ms : ms) * 1000000;
}

std::optional<std::int64_t> parse_locale_datetime(std::string_view s) {
    if (auto iso = parse_iso8601_ns(s)) return iso;
    // Split into numbers and an optional AM/PM marker.
    int nums[6] = {0, 0, 0, 0, 0, 0};
    int count = 0;
    char date_sep = 0;
    std::size_t i = 0;
    while (i < s.size() && count < 6) {
        if (s[i] >= '0' && s[i] <= '9') {
            int v = 0, d = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9' && d < 5)
                v = v * 10 + (s[i++] - '0'), ++d;
            nums[count++] = v;
            if (count == 1 && i < s.size()) date_sep = s[i];
        } else {
            ++i;
        }
    }
    if (count < 5) return std::nullopt;
    std::string_view tail = s.substr(std::min(s.size(), s.find_last_of("0123456789") + 1));
    bool pm = contains(tail, "PM") || contains(tail, "pm");
    bool am = contains(tail, "AM") || contains(tail, "am");
    int year, month, day;
    if (nums[0] > 31) {  // Y-M-D / Y/M/D
        year = nums[0], month = nums[1], day = nums[2];
    } else if (date_sep == '.' || (!am && !pm && nums[0] > 12)) {  // D.M.Y, D/M/Y
        day = nums[0], month = nums[1], year = nums[2];
    } else {  // en-US M/D/Y
        month = nums[0], day = nums[1], year = nums[2];
    }
    int hour = nums[3], minute = nums[4], second = count > 5 ? nums[5] : 0;
    if (pm && hour < 12) hour += 12;
    if (am && hour == 12) hour = 0;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
        year < 1970 || year > 9999)
        return std::nullopt;
    std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return ((days * 86400) + hour * 3600 + minute * 60 + second) * 1000000000LL;
}

namespace {

// The record's time: CreationTime (Management Activity API), TimeGenerated (Sentinel) or
// CreationDate (Search-UnifiedAuditLog exports), in the first format that parses.
std::optional<std::int64_t> o365_time(const Value& record) {
    for (std::string_view key : {"CreationTime", "TimeGenerated", "CreationDate"})
        if (const Value* t = member(record, key); t != nullptr && t->is_string())
            if (auto ts = parse_locale_datetime(t->as_string())) return ts;
    return std::nullopt;
}

// event.*: the operation, its workload, id, outcome and classification.
void put_o365_event(const Value& record, const std::string& op, Value& event) {
    event.as_object().reserve(9);
    put_member(event, "action", Value(op));
    put_member(event, "kind", Value("event"));
    put_member(event, "dataset", Value("o365.audit"));
    put_member(event, "module", Value("o365"));
    const Value* workload = member(record, "Workload");
    if (workload == nullptr) workload = member(record, "OfficeWorkload");
    if (workload != nullptr) put_member(event, "provider", Value(string_of(workload)));
    if (const Value* id = member(record, "Id")) put_member(event, "id", Value(string_of(id)));
    bool failed = false;
    if (const Value* rs = member(record, "ResultStatus")) {
        std::string r = string_of(rs);
        if (iequals(r, "True") || iequals(r, "Succeeded") || iequals(r, "Success") ||
            iequals(r, "PartiallySucceeded")) {
            put_member(event, "outcome", Value("success"));
        } else if (iequals(r, "False") || iequals(r, "Failed") || iequals(r, "Failure")) {
            put_member(event, "outcome", Value("failure"));
            failed = true;
        }
    }
    // Elastic's o365 integration files every audit record under event.category "web" (its
    // rules read `event.category:web`); ECS allows an array, so our finer categories follow.
    Classification cls = classify_o365_operation(op, failed);
    Value cats = Value::array();
    cats.as_array().reserve(1 + cls.category.size());
    cats.push_back(Value("web"));
    for (auto c : cls.category) cats.push_back(Value(c));
    put_member(event, "category", std::move(cats));
    Value types = Value::array();
    for (auto t : cls.type) types.push_back(Value(t));
    put_member(event, "type", std::move(types));
}

// user.* from UserId (an address is split into name and domain) and source.* from the first
// client address that parses.
void put_o365_actor(const Value& record, Event& out) {
    if (const Value* uid = member(record, "UserId")) {
        std::string u = string_of(uid);
        Value& user = put_member(out, "user", Value::object());
        user.as_object().reserve(4);
        put_member(user, "id", Value(u));
        auto at = u.find('@');
        if (at != std::string::npos && at > 0 && at + 1 < u.size()) {
            put_member(user, "name", Value(u.substr(0, at)));
            put_member(user, "domain", Value(u.substr(at + 1)));
            put_member(user, "email", Value(u));
        }
    }
    for (std::string_view key : {"ClientIP", "ClientIPAddress", "ActorIpAddress", "ClientIp"}) {
        const Value* ip = member(record, key);
        if (ip == nullptr || !ip->is_string()) continue;
        if (auto addr = split_client_ip(ip->as_string())) {
            Value& source = put_member(out, "source", Value::object());
            put_member(source, "ip", Value(addr->ip));
            if (addr->port) put_member(source, "port", Value(*addr->port));
            break;
        }
    }
}

}  // namespace

bool normalize_o365_record(Value record, Event& out, std::string& error) {
    if (!record.is_object()) {
        error = "audit record is not a JSON object";
        return false;
    }
    bool sentinel =
        record.get("TimeGenerated") != nullptr || record.get("OfficeWorkload") != nullptr;
    if (sentinel) unflatten_json_strings(record);
    convert_ms_dates(record);
    const Value* operation = member(record, "Operation");
    if (operation == nullptr) operation = member(record, "Operations");
    if (operation == nullptr) {
        error = "not a unified audit record (no Operation)";
        return false;
    }
    std::optional<std::int64_t> ts = o365_time(record);
    if (!ts) {
        error = "audit record has no usable CreationTime";
        return false;
    }
    out = Value::object();
    out.as_object().reserve(8);  // the members below: one allocation, no regrowth
    put_member(out, "@timestamp", Value(format_iso8601(*ts, 3)));
    put_o365_event(record, string_of(operation), put_member(out, "event", Value::object()));
    put_o365_actor(record, out);
    if (const Value* org = member(record, "OrganizationId"))
        out.set("organization.id", Value(string_of(org)));
    for (std::string_view key :
         {"Parameters", "OperationProperties", "ExtendedProperties", "ModifiedProperties"})
        if (Value* list = record.get(key)) fold_named_list(*list);
    Value& o365v = put_member(out, "o365", Value::object());
    put_member(o365v, "audit", std::move(record));
    return true;
}

int sniff_o365(std::string_view head, std::string_view path) {
    std::string_view h = head;
    if (starts_with(h, "\xEF\xBB\xBF")) h.remove_prefix(3);
    auto p = h.find_first_not_of(" \t\r\n");
    if (p == std::string_view::npos) return 0;
    h.remove_prefix(p);
    if (starts_with(h, "#TYPE")) {
        auto nl = h.find('\n');
        h = nl == std::string_view::npos ? std::string_view() : h.substr(nl + 1);
    }
    std::string_view first_line = h.substr(0, h.find('\n'));
    if (contains(first_line, "AuditData") &&
        (contains(first_line, "CreationDate") || contains(first_line, "RecordType")))
        return 90;  // Search-UnifiedAuditLog / Purview CSV
    if (h.empty() || (h[0] != '{' && h[0] != '[')) return 0;
    bool record_type = contains(head, "\"RecordType\"");
    bool operation = contains(head, "\"Operation\"") || contains(head, "\"Operations\"");
    bool time = contains(head, "\"CreationTime\"") || contains(head, "\"CreationDate\"") ||
                contains(head, "\"TimeGenerated\"");
    if (record_type && operation && time) return 80;
    if (contains(head, "\"OfficeWorkload\"") && operation) return 75;
    (void)path;
    return 0;
}

}  // namespace o365

namespace {

class O365Collector final : public Collector {
public:
    O365Collector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)), m_options(options), m_sink(sink) {
        m_csv_mode = head_is_csv(m_input.head());
        if (m_csv_mode)
            m_csv.emplace(m_input);
        else
            m_json.emplace(m_input);
    }

    bool next(Event& out) override { return m_csv_mode ? next_csv(out) : next_json(out); }

private:
    void report(std::uint64_t line, std::uint64_t column, const std::string& message) {
        m_sink.error(m_options.origin, line, column, message);
    }

    bool emit(Value record, Event& out, std::uint64_t line, std::uint64_t column,
              std::string_view original) {
        std::string error;
        if (!o365::normalize_o365_record(std::move(record), out, error)) {
            report(line, column, error + "; skipped");
            ++m_stats.skipped;
            return false;
        }
        if (m_options.include_original) out.set("event.original", Value(original));
        set_provenance(out, "o365", m_options.origin, Value(line));
        ++m_stats.events;
        return true;
    }

    // A Search-UnifiedAuditLog object (ConvertTo-Json): the record is in AuditData.
    bool unwrap_audit_data(Value& record, std::uint64_t line, std::uint64_t column) {
        Value* ad = record.get("AuditData");
        if (ad == nullptr) return true;
        if (ad->is_object()) {
            Value inner = std::move(*ad);
            record = std::move(inner);
            return true;
        }
        if (!ad->is_string()) return true;
        Value inner;
        std::string error;
        std::size_t off = 0;
        if (!parse_json_record(ad->as_string(), inner, error, off)) {
            report(line, column,
                   "AuditData is not valid JSON (" + error + " at byte " + std::to_string(off + 1) +
                       " of it); skipped");
            return false;
        }
        if (inner.is_object() && inner.get("CreationTime") == nullptr)
            if (const Value* cd = record.get("CreationDate")) inner.set_key("CreationDate", *cd);
        record = std::move(inner);
        return true;
    }

    bool next_json(Event& out) {
        JsonRecord rec;
        auto on_problem = [&](const JsonStreamProblem& p) {
            report(p.line, p.column, p.message);
            if (p.skipped) {
                ++m_stats.records;
                ++m_stats.skipped;
            }
        };
        while (m_json->next(rec, on_problem)) {
            ++m_stats.records;
            Value record;
            std::string error;
            std::size_t off = 0;
            if (!parse_json_record(rec.text, record, error, off)) {
                std::uint64_t l, c;
                record_position(rec.text, off, rec.line, rec.column, l, c);
                report(l, c, "invalid JSON: " + error + "; record skipped");
                ++m_stats.skipped;
                continue;
            }
            if (!record.is_object()) {
                report(rec.line, rec.column, "not a JSON object; skipped");
                ++m_stats.skipped;
                continue;
            }
            if (record.get("contentUri") != nullptr && record.get("Operation") == nullptr) {
                // A Management Activity API content listing: it names blobs, holds no records.
                report(rec.line, rec.column,
                       "content listing entry (fetch its contentUri for the records); ignored");
                ++m_stats.ignored;
                continue;
            }
            if (!unwrap_audit_data(record, rec.line, rec.column)) {
                ++m_stats.skipped;
                continue;
            }
            if (emit(std::move(record), out, rec.line, rec.column, rec.text)) return true;
        }
        if (m_json->read_error()) report(0, 0, "read error");
        return false;
    }

    bool next_csv(Event& out) {
        auto on_problem = [&](const CsvProblem& p) {
            report(p.line, p.column, p.message);
            ++m_stats.records;
            ++m_stats.skipped;
        };
        if (m_stop || !read_csv_header(on_problem)) return false;
        while (m_csv->next(on_problem)) {
            ++m_stats.records;
            std::uint64_t line = m_csv->line();
            const std::string& audit = m_csv->fields()[static_cast<std::size_t>(m_col_audit)];
            Value record;
            std::string error;
            std::size_t off = 0;
            if (!parse_json_record(audit, record, error, off)) {
                report(line, static_cast<std::uint64_t>(m_col_audit) + 1,
                       "AuditData is not valid JSON (" + error + " at byte " +
                           std::to_string(off + 1) + " of the field); skipped");
                ++m_stats.skipped;
                continue;
            }
            if (record.is_object() && record.get("CreationTime") == nullptr && m_col_date >= 0)
                record.set_key("CreationDate",
                               Value(m_csv->fields()[static_cast<std::size_t>(m_col_date)]));
            if (emit(std::move(record), out, line, 1, audit)) return true;
        }
        if (m_csv->read_error()) report(0, 0, "read error");
        return false;
    }

    // The header names the columns read; without AuditData the file is no audit export.
    template <class OnProblem>
    bool read_csv_header(OnProblem& on_problem) {
        if (m_col_audit >= 0) return true;
        if (!m_csv->read_header(on_problem)) return false;
        m_col_audit = m_csv->column("AuditData");
        m_col_date = m_csv->column("CreationDate");
        if (m_col_audit >= 0) return true;
        report(m_csv->line(), 1, "CSV header has no AuditData column; not an audit export");
        m_stop = true;
        return false;
    }

    InputFile m_input;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    bool m_csv_mode = false;
    std::optional<JsonRecordReader> m_json;
    std::optional<CsvTable> m_csv;
    bool m_stop = false;
    int m_col_audit = -1, m_col_date = -1;
};

}  // namespace

void register_o365_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "o365",
        "Microsoft 365 unified audit log (Management API JSON, NDJSON, Search-UnifiedAuditLog "
        "CSV / ConvertTo-Json, Sentinel OfficeActivity)",
        o365::sniff_o365,
        [](InputFile input, const CollectorOptions& options,
           DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<O365Collector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
