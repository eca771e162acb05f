#include "collectors/auditd.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <unordered_map>

#include "collectors/builtin.h"
#include "core/line_reader.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/value_writer.h"

namespace attest {
namespace auditd {

namespace {

constexpr std::size_t kMaxOpenGroups = 64;
constexpr std::int64_t kGroupWindowNs = 2'000'000'000;
constexpr std::size_t kMaxTrackedPids = 1 << 16;
constexpr std::size_t kMaxRecordsPerGroup = 4096;
constexpr std::size_t kMaxLine = 1 << 20;  // the kernel caps a record at ~8970 bytes

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool is_execve_arg_key(std::string_view k) {
    // a0, a12, a1[0], a1_len
    if (k.size() < 2 || k[0] != 'a' || k[1] < '0' || k[1] > '9') return false;
    std::size_t i = 1;
    while (i < k.size() && k[i] >= '0' && k[i] <= '9') ++i;
    if (i == k.size()) return true;
    return k[i] == '[';
}

// Fields the kernel writes hex-encoded when they contain spaces, quotes or control bytes.
bool is_encodable_key(bool execve, std::string_view key) {
    if (execve) return is_execve_arg_key(key);
    // Switch on the first byte first: this runs for every unquoted field of every record.
    if (key.empty()) return false;
    switch (key[0]) {
        case 'p':
            return key == "proctitle" || key == "path";
        case 'n':
            return key == "name" || key == "new" || key == "new-chardev";
        case 'c':
            return key == "cwd" || key == "comm" || key == "cmd";
        case 'e':
            return key == "exe";
        case 'k':
            return key == "key";
        case 'd':
            return key == "data" || key == "dir";
        case 'o':
            return key == "ocomm" || key == "old" || key == "old-chardev";
        case 'w':
            return key == "watch";
        case 'a':
            return key == "acct";
        case 'r':
            return key == "root_dir";
        case 'v':
            return key == "vm";
        default:
            return false;
    }
}

std::string_view base_name(std::string_view p) {
    auto s = p.find_last_of('/');
    return s == std::string_view::npos ? p : p.substr(s + 1);
}

std::string_view hex64(std::uint64_t v, char (&out)[16]) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 15];
    return std::string_view(out, sizeof out);
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

// The next field of a record being parsed: a field left from a record parsed before into the same
// AuditRecord is reused, so its strings keep their capacity.
AuditField& next_field(std::vector<AuditField>& out, std::size_t& n) {
    if (n == out.size()) out.emplace_back();
    return out[n++];
}

// Sets a reused field string: text from the line never overlaps it, so the overlap-safe (and,
// per pair of every line, costly) general assign is not needed.
void set_text(std::string& to, std::string_view text) {
    to.resize(text.size());
    if (!text.empty()) std::memcpy(to.data(), text.data(), text.size());
}

// One parsed pair into the next field slot.
void put_pair(std::vector<AuditField>& out, std::size_t& n, std::string_view key,
              std::string_view value, bool quoted) {
    AuditField& f = next_field(out, n);
    set_text(f.key, key);
    set_text(f.value, value);
    f.quoted = quoted;
}

// Parses `key=value key="quoted value" key='nested' key={ ... }` pairs into out[n...].
void parse_pairs(std::string_view s, std::vector<AuditField>& out, std::size_t& n,
                 bool flatten_msg) {
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i >= s.size()) break;
        // One scan for the '=' ending the key, stopping at a blank (a bare word without '=').
        std::size_t eq = i;
        while (eq < s.size() && s[eq] != '=' && s[eq] != ' ') ++eq;
        if (eq == s.size() || s[eq] == ' ') {
            // A bare word (no '='): skip it.
            i = eq == s.size() ? s.size() : eq + 1;
            continue;
        }
        std::string_view key = s.substr(i, eq - i);
        i = eq + 1;
        if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
            char q = s[i];
            std::size_t close = s.find(q, i + 1);
            if (close == std::string_view::npos) close = s.size();
            std::string_view v = s.substr(i + 1, close - i - 1);
            i = close + 1;
            if (q == '\'' && flatten_msg && key == "msg") {
                // User-space records nest their fields in msg='op=... exe="..." res=success'.
                parse_pairs(v, out, n, false);
                continue;
            }
            put_pair(out, n, key, v, true);
        } else if (i < s.size() && s[i] == '{') {
            std::size_t close = s.find('}', i);
            if (close == std::string_view::npos) close = s.size() - 1;
            std::string_view v = s.substr(i + 1, close - i - 1);
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
            put_pair(out, n, key, v, true);
            i = close + 1;
        } else {
            std::size_t end = s.find(' ', i);
            if (end == std::string_view::npos) end = s.size();
            put_pair(out, n, key, s.substr(i, end - i), false);
            i = end;
        }
    }
}

RecordKind kind_of(std::string_view t) {
    switch (t.size()) {
        case 3:
            return t == "CWD" ? RecordKind::cwd : t == "EOE" ? RecordKind::eoe : RecordKind::other;
        case 4:
            return t == "PATH" ? RecordKind::path : RecordKind::other;
        case 6:
            return t == "EXECVE" ? RecordKind::execve : RecordKind::other;
        case 7:
            return t == "SYSCALL" ? RecordKind::syscall : RecordKind::other;
        case 8:
            return t == "SOCKADDR" ? RecordKind::sockaddr : RecordKind::other;
        case 9:
            return t == "PROCTITLE" ? RecordKind::proctitle : RecordKind::other;
        default:
            return RecordKind::other;
    }
}

}  // namespace

const AuditField* AuditRecord::find(std::string_view key) const {
    // Length first: string == string_view compares bytes before lengths, and this is hot.
    for (const auto& f : fields)
        if (f.key.size() == key.size() && std::memcmp(f.key.data(), key.data(), key.size()) == 0)
            return &f;
    return nullptr;
}

bool decode_hex_into(std::string_view hex, std::string& out) {
    if (hex.empty() || hex.size() % 2 != 0) return false;
    out.resize(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<char>((hi << 4) | lo);
    }
    return true;
}

std::optional<std::string> decode_hex(std::string_view hex) {
    std::string out;
    if (!decode_hex_into(hex, out)) return std::nullopt;
    return out;
}

bool is_absent_value(const AuditField& f) {
    if (f.quoted) return false;
    if (f.value.empty()) return true;
    if (f.value.size() != 6 || f.value[0] != '(') return false;
    std::string_view v = f.value;
    return v == "(null)" || v == "(none)";
}

std::optional<std::string> field_value(const AuditField& f) {
    if (f.quoted) return f.value;
    if (is_absent_value(f)) return std::nullopt;
    if (is_encodable_key(false, f.key))
        if (auto d = decode_hex(f.value)) return d;
    return f.value;
}

namespace {

bool parse_line(std::string_view line, AuditRecord& out, std::string& error, std::size_t& column) {
    out.node.clear();
    out.type.clear();
    out.kind = RecordKind::other;
    out.fields.reserve(32);  // a SYSCALL record has ~27 fields: one allocation, no regrowth
    std::size_t i = 0;
    if (starts_with(line, "node=")) {
        std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos) {
            error = "node= prefix without a record";
            column = 1;
            return false;
        }
        out.node.assign(line.substr(5, sp - 5));
        i = sp + 1;
    }
    if (line.substr(i, 5) != "type=") {
        error = "expected 'type=' at the start of an audit record";
        column = i + 1;
        return false;
    }
    std::size_t sp = line.find(' ', i);
    if (sp == std::string_view::npos) {
        error = "record has no msg=audit(...) header";
        column = line.size() + 1;
        return false;
    }
    out.type.assign(line.substr(i + 5, sp - i - 5));
    out.kind = kind_of(out.type);
    i = sp + 1;
    while (i < line.size() && line[i] == ' ') ++i;
    if (line.substr(i, 10) != "msg=audit(") {
        error = "expected 'msg=audit(' after the record type";
        column = i + 1;
        return false;
    }
    std::size_t open = i + 10;
    std::size_t close = line.find(')', open);
    if (close == std::string_view::npos) {
        error = "unterminated msg=audit( header";
        column = open + 1;
        return false;
    }
    std::string_view stamp = line.substr(open, close - open);
    std::size_t colon = stamp.rfind(':');
    if (colon == std::string_view::npos || !parse_u64(stamp.substr(colon + 1), out.serial)) {
        error = "audit header has no serial number (expected EPOCH.mmm:SERIAL)";
        column = open + 1;
        return false;
    }
    std::string_view t = stamp.substr(0, colon);
    std::size_t dot = t.find('.');
    std::uint64_t sec = 0, frac = 0;
    std::string_view frac_text = dot == std::string_view::npos ? "" : t.substr(dot + 1);
    if (!parse_u64(t.substr(0, dot), sec) || (!frac_text.empty() && !parse_u64(frac_text, frac)) ||
        frac_text.size() > 9) {
        error = "audit header time is not EPOCH.mmm (interpreted times: use ausearch --raw)";
        column = open + 1;
        return false;
    }
    for (std::size_t d = frac_text.size(); d < 9; ++d) frac *= 10;
    // Unsigned: an absurd 19-digit epoch wraps instead of overflowing a signed multiplication.
    out.time_ns = static_cast<std::int64_t>(sec * 1'000'000'000ULL + frac);
    i = close + 1;
    if (i < line.size() && line[i] == ':') ++i;
    std::string_view rest = line.substr(std::min(i, line.size()));
    std::size_t gs = rest.find('\x1d');
    std::size_t n = 0;
    parse_pairs(rest.substr(0, gs), out.fields, n, true);
    out.fields.resize(n);
    n = 0;
    if (gs != std::string_view::npos) parse_pairs(rest.substr(gs + 1), out.enriched, n, false);
    out.enriched.resize(n);
    return true;
}

}  // namespace

bool parse_audit_line(std::string_view line, AuditRecord& out, std::string& error,
                      std::size_t& column) {
    if (parse_line(line, out, error, column)) return true;
    out.fields.clear();
    out.enriched.clear();
    return false;
}

std::optional<SocketAddress> decode_saddr(std::string_view hex) {
    auto bytes = decode_hex(hex);
    if (!bytes || bytes->size() < 2) return std::nullopt;
    const auto* b = reinterpret_cast<const unsigned char*>(bytes->data());
    std::size_t n = bytes->size();
    unsigned family = b[0] | (b[1] << 8);  // sa_family_t is host order (little endian here)
    SocketAddress out;
    char ip[INET6_ADDRSTRLEN] = {0};
    switch (family) {
        case 2:  // AF_INET
            if (n < 8) return std::nullopt;
            out.family = "inet";
            out.port = (b[2] << 8) | b[3];
            inet_ntop(AF_INET, b + 4, ip, sizeof ip);
            out.ip = ip;
            return out;
        case 10:  // AF_INET6
            if (n < 24) return std::nullopt;
            out.family = "inet6";
            out.port = (b[2] << 8) | b[3];
            inet_ntop(AF_INET6, b + 8, ip, sizeof ip);
            out.ip = ip;
            return out;
        case 1: {  // AF_UNIX
            out.family = "local";
            if (n > 2 && b[2] == 0) {  // abstract namespace
                std::size_t e = 3;
                while (e < n && b[e] != 0) ++e;
                out.path = "@" + bytes->substr(3, e - 3);
            } else {
                std::size_t e = 2;
                while (e < n && b[e] != 0) ++e;
                out.path = bytes->substr(2, e - 2);
            }
            return out;
        }
        case 16:
            out.family = "netlink";
            return out;
        default:
            out.family = "unknown(" + std::to_string(family) + ")";
            return out;
    }
}

std::string syscall_name(std::string_view arch, std::string_view number) {
    struct Entry {
        int nr;
        const char* name;
    };
    static constexpr Entry kX86_64[] = {
        {0, "read"},        {1, "write"},      {2, "open"},       {3, "close"},
        {4, "stat"},        {21, "access"},    {41, "socket"},    {42, "connect"},
        {43, "accept"},     {44, "sendto"},    {46, "sendmsg"},   {49, "bind"},
        {50, "listen"},     {56, "clone"},     {57, "fork"},      {58, "vfork"},
        {59, "execve"},     {62, "kill"},      {76, "truncate"},  {77, "ftruncate"},
        {82, "rename"},     {83, "mkdir"},     {84, "rmdir"},     {85, "creat"},
        {86, "link"},       {87, "unlink"},    {88, "symlink"},   {90, "chmod"},
        {91, "fchmod"},     {92, "chown"},     {94, "lchown"},    {105, "setuid"},
        {188, "setxattr"},  {257, "openat"},   {258, "mkdirat"},  {260, "fchownat"},
        {263, "unlinkat"},  {264, "renameat"}, {268, "fchmodat"}, {288, "accept4"},
        {316, "renameat2"}, {322, "execveat"}, {435, "clone3"},   {437, "openat2"}};
    static constexpr Entry kAarch64[] = {{34, "mkdirat"},   {35, "unlinkat"}, {38, "renameat"},
                                         {46, "ftruncate"}, {53, "fchmodat"}, {54, "fchownat"},
                                         {56, "openat"},    {198, "socket"},  {200, "bind"},
                                         {202, "accept"},   {203, "connect"}, {206, "sendto"},
                                         {220, "clone"},    {221, "execve"},  {276, "renameat2"},
                                         {281, "execveat"}, {435, "clone3"},  {437, "openat2"}};
    std::uint64_t nr = 0;
    if (!parse_u64(number, nr)) return std::string(number);
    const Entry* begin = nullptr;
    const Entry* end = nullptr;
    if (arch == "c000003e") begin = std::begin(kX86_64), end = std::end(kX86_64);
    if (arch == "c00000b7") begin = std::begin(kAarch64), end = std::end(kAarch64);
    for (const Entry* e = begin; e != end; ++e)
        if (static_cast<std::uint64_t>(e->nr) == nr) return e->name;
    return std::string(number);
}

int sniff_auditd(std::string_view head, std::string_view) {
    std::size_t pos = 0;
    int lines = 0, matches = 0;
    while (pos < head.size() && lines < 20) {
        std::size_t nl = head.find('\n', pos);
        std::string_view line =
            head.substr(pos, nl == std::string_view::npos ? head.size() - pos : nl - pos);
        pos = nl == std::string_view::npos ? head.size() : nl + 1;
        if (line.empty() || line == "----" || starts_with(line, "time->")) continue;
        ++lines;
        if (starts_with(line, "node="))
            line.remove_prefix(std::min(line.size(), line.find(' ') + 1));
        if (starts_with(line, "type=") && line.find(" msg=audit(") != std::string_view::npos)
            ++matches;
    }
    if (matches == 0) return 0;
    return matches * 2 >= lines ? 95 : 60;
}

}  // namespace auditd

namespace {

using auditd::AuditField;
using auditd::AuditRecord;

struct Group {
    std::string node;
    std::uint64_t serial = 0;
    std::int64_t time_ns = 0;
    std::uint64_t line = 0;
    std::uint64_t opened = 0;  // sequence number among groups
    std::vector<AuditRecord> records;
    bool eoe = false, has_syscall = false, has_proctitle = false, has_aux = false;
    bool standalone = false, overflow = false;
    std::int64_t items = 0;
    std::int64_t paths = 0;

    bool complete() const {
        return eoe || standalone || (has_syscall && has_proctitle && paths >= items);
    }
    bool incomplete_when_closed() const {
        if (eoe) return false;
        if (has_syscall) return !has_proctitle || paths < items;
        return has_aux;
    }
};

bool is_standalone_type(std::string_view t) {
    return auditd::starts_with(t, "USER_") || auditd::starts_with(t, "CRED_") ||
           auditd::starts_with(t, "DAEMON_") || auditd::starts_with(t, "SERVICE_") ||
           auditd::starts_with(t, "SYSTEM_");
}

bool is_key(const AuditField& f, std::string_view key) {
    return f.key.size() == key.size() && std::memcmp(f.key.data(), key.data(), key.size()) == 0;
}

using Text = std::optional<std::string_view>;

// EXECVE argument keys: "a12" (whole argument), "a12_len" (split argument announced) and
// "a12[3]" (its parts). Returns false for other keys (argc, ...).
struct ArgKey {
    std::uint64_t index = 0;
    enum { whole, len, part } kind = whole;
    std::uint64_t part_no = 0;
};
// A decimal number as std::to_string writes it (no leading zero), so "a01" is not "a1".
bool parse_index(std::string_view s, std::uint64_t& out) {
    if (s.size() > 1 && s[0] == '0') return false;
    return auditd::parse_u64(s, out);
}
bool parse_arg_key(std::string_view k, ArgKey& out) {
    if (k.size() < 2 || k[0] != 'a' || k[1] < '0' || k[1] > '9') return false;
    std::size_t i = 1;
    while (i < k.size() && k[i] >= '0' && k[i] <= '9') ++i;
    if (!parse_index(k.substr(1, i - 1), out.index)) return false;
    std::string_view rest = k.substr(i);
    if (rest.empty()) {
        out.kind = ArgKey::whole;
        return true;
    }
    if (rest == "_len") {
        out.kind = ArgKey::len;
        return true;
    }
    if (rest.size() >= 3 && rest.front() == '[' && rest.back() == ']' &&
        parse_index(rest.substr(1, rest.size() - 2), out.part_no)) {
        out.kind = ArgKey::part;
        return true;
    }
    return false;
}

// Per EXECVE argument: its whole value (the last one written wins), or its parts when `_len`
// announced a split argument and no whole value was written.
struct ArgSlot {
    const AuditField* whole = nullptr;
    bool split = false;
    std::vector<std::pair<std::uint64_t, const AuditField*>> parts;  // (part number, field)
};

class AuditdCollector final : public Collector {
public:
    AuditdCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)),
          m_reader(m_input, 1 << 20, auditd::kMaxLine),
          m_options(options),
          m_sink(sink) {
        m_exec_serial.reserve(auditd::kMaxTrackedPids + 1);
    }

    bool next(Event& out) override {
        while (true) {
            if (!m_open.empty() && closed(m_open.front())) return emit_front(out);
            if (m_eof) {
                if (m_open.empty()) return false;
                return emit_front(out);
            }
            read_line();
        }
    }

    // Dead events, kept by shape to be written over (core/value_writer.h): an exec's event
    // reused for an exec allocates nothing.
    void recycle(Event&& dead) override {
        auto& pool = m_spare_events[shape_of(dead)];
        if (pool.size() < kMaxSpareEvents) pool.push_back(std::move(dead));
    }

private:
    static constexpr std::size_t kMaxPooledRecords = 1024;
    static constexpr std::size_t kMaxSpareEvents = 256;  // per shape
    static constexpr std::size_t kShapes = 8;

    // An event's shape for reuse: an exec or not, and its number of PATH records (up to 3).
    static std::size_t shape(bool exec, std::size_t paths) {
        return std::min<std::size_t>(paths, 3) * 2 + (exec ? 1 : 0);
    }
    static std::size_t shape_of(const Event& e) {
        const Value* paths = e.find("auditd.paths");
        std::size_t n = paths != nullptr && paths->is_array() ? paths->as_array().size() : 0;
        return shape(e.find("process.args") != nullptr, n);
    }
    // A dead event of the shape about to be written, else of any shape, else a new one.
    void take_spare(std::size_t want, Event& out) {
        auto* pool = &m_spare_events[want];
        for (std::size_t s = 0; pool->empty() && s < kShapes; ++s) pool = &m_spare_events[s];
        if (pool->empty()) return;
        out = std::move(pool->back());
        pool->pop_back();
    }

    bool closed(const Group& g) const {
        // m_latest_ns >= g.time_ns: the difference is exact in unsigned arithmetic (a signed
        // subtraction could overflow for absurd times).
        return g.complete() || m_opened - g.opened > auditd::kMaxOpenGroups ||
               static_cast<std::uint64_t>(m_latest_ns) - static_cast<std::uint64_t>(g.time_ns) >
                   static_cast<std::uint64_t>(auditd::kGroupWindowNs);
    }

    void read_line() {
        std::string_view line;
        if (!m_reader.next(line)) {
            if (m_reader.read_error()) m_sink.error(m_options.origin, 0, 0, "read error");
            m_eof = true;
            return;
        }
        if (line.empty() || line == "----" || auditd::starts_with(line, "time->")) return;
        ++m_stats.records;
        if (!parse_into_scratch(line)) {
            ++m_stats.skipped;
            return;
        }
        if (m_scratch.time_ns > m_latest_ns) m_latest_ns = m_scratch.time_ns;
        Group* g = open_group_of(m_scratch);
        if (m_scratch.kind == auditd::RecordKind::eoe) {
            if (g != nullptr) g->eoe = true;
            return;
        }
        if (g == nullptr) g = &open_group(m_scratch);
        add_record(*g);
    }

    // Parses the line into m_scratch; false (reported) when it is not an audit record.
    bool parse_into_scratch(std::string_view line) {
        if (m_reader.too_long()) {
            m_sink.error(m_options.origin, m_reader.line_number(), 1,
                         "audit record longer than " + std::to_string(auditd::kMaxLine >> 20) +
                             " MiB; skipped");
            return false;
        }
        std::size_t column = 0;
        if (!auditd::parse_audit_line(line, m_scratch, m_error, column)) {
            m_sink.error(m_options.origin, m_reader.line_number(), column, m_error + "; skipped");
            return false;
        }
        m_scratch.line = m_reader.line_number();
        return true;
    }

    // The open group of the record's serial (the latest opened first), or nullptr.
    Group* open_group_of(const AuditRecord& r) {
        for (auto it = m_open.rbegin(); it != m_open.rend(); ++it)
            if (it->serial == r.serial && it->node == r.node) return &*it;
        return nullptr;
    }

    Group& open_group(const AuditRecord& r) {
        Group& g = m_open.emplace_back();
        g.node = r.node;
        g.serial = r.serial;
        g.time_ns = r.time_ns;
        g.line = r.line;
        g.opened = m_opened++;
        if (!m_spare_groups.empty()) {
            g.records = std::move(m_spare_groups.back());
            m_spare_groups.pop_back();
        } else {
            g.records.reserve(8);
        }
        return g;
    }

    // What a record of this kind tells of its group's completeness (Group::complete).
    static void note_kind(Group& g, const AuditRecord& r) {
        switch (r.kind) {
            case auditd::RecordKind::syscall:
                g.has_syscall = true;
                if (const AuditField* items = r.find("items")) {
                    std::uint64_t n = 0;
                    if (auditd::parse_u64(items->value, n)) g.items = static_cast<std::int64_t>(n);
                }
                break;
            case auditd::RecordKind::proctitle:
                g.has_proctitle = true;
                g.has_aux = true;
                break;
            case auditd::RecordKind::path:
                ++g.paths;
                g.has_aux = true;
                break;
            case auditd::RecordKind::execve:
            case auditd::RecordKind::cwd:
            case auditd::RecordKind::sockaddr:
                g.has_aux = true;
                break;
            default:
                break;
        }
    }

    // Moves m_scratch into the group (bounded) and takes a pooled record for the next line.
    void add_record(Group& g) {
        note_kind(g, m_scratch);
        if (g.records.empty() && is_standalone_type(m_scratch.type)) g.standalone = true;
        if (g.records.size() >= auditd::kMaxRecordsPerGroup) {
            if (!g.overflow)
                m_sink.warning(m_options.origin, m_scratch.line, 1,
                               "more than " + std::to_string(auditd::kMaxRecordsPerGroup) +
                                   " records for serial " + std::to_string(g.serial) +
                                   "; the rest are dropped");
            g.overflow = true;
            ++m_stats.skipped;
            return;
        }
        g.records.push_back(std::move(m_scratch));
        // The next line is parsed into a record of an emitted group: its storage is reused.
        if (!m_pool.empty()) {
            m_scratch = std::move(m_pool.back());
            m_pool.pop_back();
        } else {
            m_scratch = AuditRecord();
        }
    }

    bool emit_front(Event& out) {
        Group& g = m_open.front();
        build_event(g, out);
        ++m_stats.events;
        for (auto& r : g.records)
            if (m_pool.size() < kMaxPooledRecords) m_pool.push_back(std::move(r));
        g.records.clear();
        if (m_spare_groups.size() < auditd::kMaxOpenGroups)
            m_spare_groups.push_back(std::move(g.records));
        m_open.pop_front();
        return true;
    }

    // The key of (node, pid) in m_exec_serial, built in a reused string.
    const std::string& exec_key(std::string_view node, std::string_view pid) {
        m_key.assign(node);
        m_key += '\0';
        m_key += pid;
        return m_key;
    }

    // Last EXECVE serial per (node, pid), bounded; the oldest entries are dropped first.
    void remember_exec(std::string_view node, std::string_view pid, std::uint64_t serial) {
        const std::string& key = exec_key(node, pid);
        auto it = m_exec_serial.find(key);
        if (it != m_exec_serial.end()) {
            it->second = serial;
            return;
        }
        m_exec_serial.emplace(key, serial);
        m_exec_order.push_back(key);
        while (m_exec_order.size() > auditd::kMaxTrackedPids) {
            m_exec_serial.erase(m_exec_order.front());
            m_exec_order.pop_front();
        }
    }
    std::string_view entity_id(std::string_view node, std::string_view pid, char (&buf)[16]) {
        auto it = m_exec_serial.find(exec_key(node, pid));
        return entity_id(node, pid, it == m_exec_serial.end() ? 0 : it->second, buf);
    }
    // Hex FNV-1a of "node|pid|serial", written into `buf`.
    static std::string_view entity_id(std::string_view node, std::string_view pid,
                                      std::uint64_t serial, char (&buf)[16]) {
        char digits[24];
        char* end = std::to_chars(digits, digits + sizeof digits, serial).ptr;
        std::uint64_t h = auditd::fnv1a(node);
        h = auditd::fnv1a("|", h);
        h = auditd::fnv1a(pid, h);
        h = auditd::fnv1a("|", h);
        h = auditd::fnv1a(std::string_view(digits, static_cast<std::size_t>(end - digits)), h);
        return auditd::hex64(h, buf);
    }

    // @timestamp: format_iso8601(ns, 3), formatted once per second (events of one second differ
    // in the milliseconds only).
    void put_timestamp(Value& slot, std::int64_t ns) {
        if (ns < -9'000'000'000'000'000'000) {
            slot = Value(format_iso8601(ns, 3));  // whole seconds would overflow
            return;
        }
        std::int64_t secs = ns / 1'000'000'000, rem = ns % 1'000'000'000;
        if (rem < 0) rem += 1'000'000'000, --secs;
        if (m_stamp.empty() || secs != m_stamp_secs) {
            m_stamp = format_iso8601(secs * 1'000'000'000, 3);  // "...:SS.000Z"
            m_stamp_secs = secs;
        }
        assign_string(slot, m_stamp);
        std::string& out = slot.as_string();
        int ms = static_cast<int>(rem / 1'000'000);
        std::size_t at = out.size() - 4;
        out[at] = static_cast<char>('0' + ms / 100);
        out[at + 1] = static_cast<char>('0' + ms / 10 % 10);
        out[at + 2] = static_cast<char>('0' + ms % 10);
    }

    // A buffer for one hex-decoded value, valid until the next event.
    std::string& decode_buffer() {
        if (m_decoded_used == m_decoded.size())
            m_decoded.push_back(std::make_unique<std::string>());
        return *m_decoded[m_decoded_used];
    }

    // The value of a field as the program saw it: quoted values as is, unquoted hex decoded for
    // the fields the kernel encodes, nullopt for (null) / (none) / empty. A view into the field or
    // into a decode buffer (both live until the next event).
    Text text(const AuditField& f, bool execve) {
        if (f.quoted) return std::string_view(f.value);
        if (auditd::is_absent_value(f)) return std::nullopt;
        if (auditd::is_encodable_key(execve, f.key)) {
            std::string& buf = decode_buffer();
            if (auditd::decode_hex_into(f.value, buf)) {
                ++m_decoded_used;
                return std::string_view(buf);
            }
        }
        return std::string_view(f.value);
    }

    Text value_of(const AuditRecord* r, std::string_view key) {
        if (r == nullptr) return std::nullopt;
        const AuditField* f = r->find(key);
        if (f == nullptr) return std::nullopt;
        return text(*f, r->kind == auditd::RecordKind::execve);
    }

    static Value number_or_string(std::string_view s) {
        std::uint64_t n = 0;
        if (auditd::parse_u64(s, n) && n <= static_cast<std::uint64_t>(INT64_MAX))
            return Value(static_cast<std::int64_t>(n));
        return Value(s);
    }

    // process.args_count / args / command_line from the EXECVE records (argc, aN, aN_len + aN[k]).
    void put_exec_args(ObjectWriter& process) {
        std::uint64_t argc = arg_slots(m_execves);
        std::size_t count_at = process.size();
        process.put("args_count");
        m_command_line.clear();
        std::size_t count = 0;
        {
            ArrayWriter args(process.put("args"));
            for (std::uint64_t a = 0; a < argc; ++a) {
                if (!arg_text(m_args[a], m_arg))
                    continue;  // missing (lost record): keep the others
                if (!m_command_line.empty()) m_command_line += ' ';
                m_command_line += m_arg;
                args.push(m_arg);
            }
            count = args.size();
        }
        process.at(count_at) = Value(static_cast<std::int64_t>(count));
        process.put("command_line", m_command_line);
    }

    // Sorts the EXECVE fields into m_args by argument; returns argc.
    std::uint64_t arg_slots(const std::vector<const AuditRecord*>& execves) {
        std::uint64_t argc = 0;
        for (const auto* r : execves)
            for (const auto& f : r->fields)
                if (is_key(f, "argc")) auditd::parse_u64(f.value, argc);
        argc = std::min<std::uint64_t>(argc, 1u << 16);
        if (m_args.size() < argc) m_args.resize(argc);
        for (std::uint64_t a = 0; a < argc; ++a) {
            m_args[a].whole = nullptr;
            m_args[a].split = false;
            m_args[a].parts.clear();
        }
        for (const auto* r : execves)
            for (const auto& f : r->fields) {
                ArgKey k;
                if (!parse_arg_key(f.key, k) || k.index >= argc) continue;
                ArgSlot& slot = m_args[k.index];
                if (k.kind == ArgKey::whole)
                    slot.whole = &f;
                else if (k.kind == ArgKey::len)
                    slot.split = true;
                else
                    slot.parts.emplace_back(k.part_no, &f);
            }
        return argc;
    }

    // One argument's text into `arg`; false when the argument is missing.
    bool arg_text(ArgSlot& slot, std::string& arg) {
        arg.clear();
        if (slot.whole != nullptr) {
            arg.assign(text(*slot.whole, true).value_or(""));
        } else if (slot.split) {
            // aN[0], aN[1], ... up to the first missing part; a repeated part: the last one.
            auto& parts = slot.parts;
            std::stable_sort(parts.begin(), parts.end(),
                             [](const auto& x, const auto& y) { return x.first < y.first; });
            std::uint64_t want = 0;
            for (std::size_t p = 0; p < parts.size(); ++p) {
                if (parts[p].first != want) break;
                if (p + 1 < parts.size() && parts[p + 1].first == want) continue;
                arg += text(*parts[p].second, true).value_or("");
                ++want;
            }
        } else {
            return false;
        }
        return true;
    }

    // The records of one serial, by kind, and what is read from them more than once. `primary`
    // is the SYSCALL record, else the first one; PATH and EXECVE records are in m_paths and
    // m_execves. Views are valid until the next event.
    struct Parts {
        const AuditRecord* syscall = nullptr;
        const AuditRecord* cwd = nullptr;
        const AuditRecord* proctitle = nullptr;
        const AuditRecord* sockaddr = nullptr;
        const AuditRecord* primary = nullptr;
        std::string_view primary_type = "UNKNOWN";
        std::string sc_name;                     // the syscall's name ("" when none)
        std::optional<std::string_view> result;  // "success" / "failure"
        std::optional<auditd::SocketAddress> sa;
    };

    // Up to two words of event.category / event.type, without allocating.
    struct Words {
        std::string_view w[2];
        std::size_t n = 0;
        Words() = default;
        Words(std::initializer_list<std::string_view> l) {
            for (auto s : l)
                if (n < 2) w[n++] = s;
        }
    };
    // event.action, .category and .type.
    struct Action {
        std::string_view action;
        std::string text;  // the action when it is not a literal
        Words category, type;
    };

    // The event, written over what `out` held (a recycled event: see core/value_writer.h).
    void build_event(Group& g, Event& out) {
        m_decoded_used = 0;
        Parts p = parts_of(g);
        take_spare(shape(!m_execves.empty(), m_paths.size()), out);
        ObjectWriter w(out);
        put_timestamp(w.put("@timestamp"), g.time_ns);
        std::size_t event_at = w.size();
        w.put("event");  // written last, once the action is known
        put_host(g, w);
        bool wrote_process = put_subject(g, p, w);
        put_tags(p, w);
        if (!m_execves.empty() && !wrote_process) {
            ObjectWriter process(w.put("process"));
            put_exec_args(process);
        }
        Action action = put_action(p, w);
        put_auditd(g, p, w.put("auditd"));
        put_provenance(w, "auditd", m_options.origin, Value(static_cast<std::int64_t>(g.line)));
        put_event(g, p, action, w.at(event_at));
    }

    void put_host(const Group& g, ObjectWriter& w) {
        ObjectWriter host(w.put("host"));
        if (!g.node.empty()) host.put("name", g.node);
        ObjectWriter os(host.put("os"));
        os.put("type", "linux");  // as Elastic's auditd integration; rules test it
    }

    Parts parts_of(const Group& g) {
        Parts p;
        m_paths.clear();
        m_execves.clear();
        for (const auto& r : g.records) {
            switch (r.kind) {
                case auditd::RecordKind::syscall:
                    if (p.syscall == nullptr) p.syscall = &r;
                    break;
                case auditd::RecordKind::cwd:
                    p.cwd = &r;
                    break;
                case auditd::RecordKind::proctitle:
                    p.proctitle = &r;
                    break;
                case auditd::RecordKind::sockaddr:
                    p.sockaddr = &r;
                    break;
                case auditd::RecordKind::path:
                    m_paths.push_back(&r);
                    break;
                case auditd::RecordKind::execve:
                    m_execves.push_back(&r);
                    break;
                default:
                    break;
            }
        }
        p.primary = p.syscall != nullptr ? p.syscall
                    : g.records.empty()  ? nullptr
                                         : &g.records.front();
        if (p.primary != nullptr) p.primary_type = p.primary->type;
        p.sc_name = syscall_name_of(p.syscall);
        if (Text s = value_of(p.primary, "success"))
            p.result = *s == "yes" ? "success" : "failure";
        else if (Text res = value_of(p.primary, "res"))
            p.result = (*res == "success" || *res == "1") ? "success" : "failure";
        if (p.sockaddr != nullptr)
            if (const AuditField* f = p.sockaddr->find("saddr"))
                p.sa = auditd::decode_saddr(f->value);
        return p;
    }

    // The name of the record's syscall: auditd's own enrichment, else from the arch's table.
    std::string syscall_name_of(const AuditRecord* syscall) {
        std::string name;
        if (syscall == nullptr) return name;
        Text nr = value_of(syscall, "syscall");
        if (nr) name = auditd::syscall_name(value_of(syscall, "arch").value_or(""), *nr);
        for (const auto& f : syscall->enriched)
            if (is_key(f, "SYSCALL")) name = f.value;
        return name;
    }

    // event.*: kind, dataset, module, sequence, outcome, the action (and the original).
    void put_event(const Group& g, const Parts& p, const Action& a, Value& slot) {
        ObjectWriter event(slot);
        event.put("kind", "event");
        event.put("dataset", "auditd.log");
        event.put("module", "auditd");
        event.put("sequence", static_cast<std::int64_t>(g.serial));
        std::optional<std::string_view> outcome = p.result;
        // A non-blocking connect returns EINPROGRESS (exit=-115): not known to fail yet.
        if (p.result && *p.result == "failure" && p.sc_name == "connect" &&
            value_of(p.primary, "exit").value_or("") == "-115")
            outcome = "unknown";
        if (outcome) event.put("outcome", *outcome);
        event.put("action", a.text.empty() ? a.action : std::string_view(a.text));
        if (a.category.n > 0) put_words(a.category, event.put("category"));
        put_words(a.type, event.put("type"));
        if (m_options.include_original) event.put("original", original_of(g));
    }

    static void put_words(const Words& words, Value& slot) {
        ArrayWriter arr(slot);
        for (std::size_t i = 0; i < words.n; ++i) arr.push(words.w[i]);
    }

    // process.* and user.* of the subject; false when there is no process (no pid).
    bool put_subject(const Group& g, const Parts& p, ObjectWriter& out) {
        Text pid = value_of(p.primary, "pid");
        bool is_exec = !m_execves.empty();
        if (is_exec && pid) remember_exec(g.node, *pid, g.serial);
        if (pid) {
            ObjectWriter process(out.put("process"));
            put_process(g, p, *pid, is_exec, process);
        }
        if (Text uid = value_of(p.primary, "uid")) put_user(*p.primary, *uid, out.put("user"));
        return pid.has_value();
    }

    void put_process(const Group& g, const Parts& p, std::string_view pid, bool is_exec,
                     ObjectWriter& process) {
        char id[16];
        process.put("pid") = number_or_string(pid);
        // An exec: the serial just remembered for the pid.
        process.put("entity_id",
                    is_exec ? entity_id(g.node, pid, g.serial, id) : entity_id(g.node, pid, id));
        Text exe = value_of(p.primary, "exe");
        if (exe) process.put("executable", *exe);
        if (Text comm = value_of(p.primary, "comm"))
            process.put("name", *comm);
        else if (exe)
            process.put("name", auditd::base_name(*exe));
        if (Text ppid = value_of(p.primary, "ppid")) {
            ObjectWriter parent(process.put("parent"));
            parent.put("pid") = number_or_string(*ppid);
            parent.put("entity_id", entity_id(g.node, *ppid, id));
        }
        if (Text dir = value_of(p.cwd, "cwd")) process.put("working_directory", *dir);
        if (Text title = value_of(p.proctitle, "proctitle")) {
            Value& t = process.put("title");
            assign_string(t, *title);
            for (auto& c : t.as_string())
                if (c == '\0') c = ' ';
        }
        if (is_exec) put_exec_args(process);
    }

    void put_user(const AuditRecord& primary, std::string_view uid, Value& slot) {
        ObjectWriter user(slot);
        user.put("id", uid);
        for (const auto& f : primary.enriched)
            if (is_key(f, "UID")) user.put("name", f.value);
        if (Text euid = value_of(&primary, "euid")) put_id(user, "effective", *euid);
        if (Text gid = value_of(&primary, "gid")) put_id(user, "group", *gid);
        if (Text auid = value_of(&primary, "auid"); auid && *auid != "4294967295")
            put_id(user, "audit", *auid);
    }
    static void put_id(ObjectWriter& user, std::string_view key, std::string_view id) {
        ObjectWriter o(user.put(key));
        o.put("id", id);
    }

    // Rule keys as tags (several keys are hex-encoded, separated by \x01).
    void put_tags(const Parts& p, ObjectWriter& out) {
        Text key = value_of(p.primary, "key");
        if (!key) return;
        ArrayWriter tags(out.put("tags"));
        std::size_t s = 0;
        while (s <= key->size()) {
            std::size_t e = key->find('\x01', s);
            if (e == std::string_view::npos) e = key->size();
            if (e > s) tags.push(key->substr(s, e - s));
            s = e + 1;
        }
    }

    // What the serial did, with the fields that say on what: a connection's destination, a
    // bound or accepted socket, a file (an exec's arguments are in process.*); else the syscall
    // or the record type.
    Action put_action(const Parts& p, ObjectWriter& out) {
        const auto& sa = p.sa;
        std::string_view sc = p.sc_name;
        bool inet = sa && (sa->family == "inet" || sa->family == "inet6");
        if (!m_execves.empty()) return Action{"executed", {}, {"process"}, {"start"}};
        if ((inet || (sa && sa->family == "local")) &&
            (sc == "connect" || sc == "sendto" || sc == "sendmsg" || sc.empty())) {
            put_endpoint(*sa, out.put("destination"), true);
            if (sa->family != "local") {
                ObjectWriter network(out.put("network"));
                network.put("type", sa->family == "inet" ? "ipv4" : "ipv6");
            }
            return Action{"connected-to", {}, {"network"}, {"connection", "start"}};
        }
        if (sa && (sc == "bind" || sc == "accept" || sc == "accept4")) {
            put_endpoint(*sa, out.put("source"), false);
            return Action{sc == "bind" ? "bound-socket" : "accepted-connection-from",
                          {},
                          {"network"},
                          {"connection"}};
        }
        if (p.syscall != nullptr && !m_paths.empty()) return put_file_action(p, out);
        if (p.syscall != nullptr)
            return Action{sc.empty() ? std::string_view("syscall") : sc, {}, {}, {"info"}};
        Action a{{}, to_lower_type(p.primary_type), {}, {"info"}};
        return a;
    }

    // destination.* of a connection (with a unix socket's path) or source.* of a bound socket.
    static void put_endpoint(const auditd::SocketAddress& sa, Value& slot, bool with_path) {
        ObjectWriter to(slot);
        if (!sa.ip.empty()) to.put("ip", sa.ip);
        if (sa.port >= 0 && sa.family != "local") to.put("port", sa.port);
        if (with_path && !sa.path.empty()) to.put("address", sa.path);
    }

    // The target of a syscall on paths: a created or deleted entry, else the last item that
    // is not a parent directory; nullptr when there is none. `nametype` is its nametype.
    const AuditRecord* file_target(std::string_view& nametype) {
        const AuditRecord* target = nullptr;
        for (const auto* p : m_paths) {
            std::string_view nt = value_of(p, "nametype").value_or("");
            if (nt == "CREATE" || nt == "DELETE") {
                nametype = nt;
                return p;
            }
            if (nt != "PARENT") target = p, nametype = nt;
        }
        return target;
    }

    Action put_file_action(const Parts& p, ObjectWriter& out) {
        std::string_view nametype;
        const AuditRecord* target = file_target(nametype);
        if (target != nullptr)
            if (Text name = value_of(target, "name")) put_file(p, *target, *name, nametype, out);
        std::string_view sc = p.sc_name;
        Action a{{}, {}, {"file"}, {}};
        if (nametype == "CREATE") {
            a.action = "creation";
            a.type = {"creation"};
        } else if (nametype == "DELETE" || sc.rfind("unlink", 0) == 0 || sc == "rmdir") {
            a.action = "deleted";
            a.type = {"deletion"};
        } else if (sc.rfind("rename", 0) == 0) {
            a.action = "moved";
            a.type = {"change"};
        } else if (sc.find("chmod") != std::string::npos || sc.find("chown") != std::string::npos ||
                   sc.find("xattr") != std::string::npos) {
            a.action = "changed-file-attributes-of";
            a.type = {"change"};
        } else {
            a.action = "opened-file";
            a.type = {"access"};
        }
        return a;
    }

    // A PATH record's name as an absolute path. Relative names are relative to the cwd for
    // open/creat/... and for the *at calls only with AT_FDCWD (a0 = ffffff9c); otherwise the
    // directory is unknown and nullopt is returned.
    std::optional<std::string> absolute_path(const Parts& p, std::string_view name) {
        if (!name.empty() && name[0] == '/') return std::string(name);
        if (p.cwd == nullptr) return std::nullopt;
        std::string_view sc = p.sc_name;
        bool at_call = sc.size() > 2 && sc.substr(sc.size() - 2) == "at";
        std::string_view a0 = value_of(p.syscall, "a0").value_or("");
        if (at_call && a0 != "ffffff9c" && a0 != "ffffffffffffff9c") return std::nullopt;
        Text dir = value_of(p.cwd, "cwd");
        if (!dir) return std::nullopt;
        if (name.substr(0, 2) == "./") name.remove_prefix(2);
        std::string path(*dir);
        if (dir->empty() || dir->back() != '/') path += '/';
        path += name;
        return path;
    }

    void put_file(const Parts& p, const AuditRecord& target, std::string_view name,
                  std::string_view nametype, ObjectWriter& out) {
        ObjectWriter file(out.put("file"));
        std::optional<std::string> path = absolute_path(p, name);
        std::string_view fname = auditd::base_name(path ? std::string_view(*path) : name);
        if (path) {
            file.put("path", *path);
            auto slash = path->find_last_of('/');
            file.put("directory",
                     slash == 0 ? std::string_view("/") : std::string_view(*path).substr(0, slash));
        }
        if (!fname.empty()) {
            file.put("name", fname);
            auto dot = fname.find_last_of('.');
            if (dot != std::string_view::npos && dot > 0 && dot + 1 < fname.size())
                file.put("extension", fname.substr(dot + 1));
        }
        if (Text inode = value_of(&target, "inode")) file.put("inode", *inode);
        if (Text mode = value_of(&target, "mode")) file.put("mode", *mode);
        if (!nametype.empty()) {
            ObjectWriter audit(file.put("audit"));
            audit.put("nametype", nametype);
        }
    }

    // auditd.*: the source's own names.
    void put_auditd(const Group& g, const Parts& p, Value& slot) {
        ObjectWriter a(slot);
        Value& type = a.put("message_type");
        assign_string(type, p.primary_type);
        for (auto& c : type.as_string()) c = ascii_lower(c);
        a.put("sequence", static_cast<std::int64_t>(g.serial));
        if (p.result) a.put("result", *p.result == "success" ? "success" : "fail");
        if (g.incomplete_when_closed()) a.put("incomplete") = Value(true);
        put_auditd_data(p, a.put("data"));
        if (!m_paths.empty()) put_auditd_paths(a.put("paths"));
        put_enriched(g, a);
    }

    // auditd.data: the primary record's fields (decoded) and the socket address.
    void put_auditd_data(const Parts& p, Value& slot) {
        ObjectWriter data(slot);
        if (p.primary != nullptr) {
            const bool execve = p.primary->kind == auditd::RecordKind::execve;
            for (const auto& f : p.primary->fields) {
                if (is_key(f, "msg")) continue;
                Text v = text(f, execve);
                if (!v) continue;
                if (is_key(f, "syscall") && !p.sc_name.empty())
                    data.put("syscall", p.sc_name);
                else
                    data.put(f.key, *v);
            }
        }
        if (const auto& sa = p.sa) {
            ObjectWriter sock(data.put("socket"));
            sock.put("family", sa->family);
            if (!sa->ip.empty()) sock.put("addr", sa->ip);
            if (sa->port >= 0 && (sa->family == "inet" || sa->family == "inet6"))
                sock.put("port", sa->port);
            if (!sa->path.empty()) sock.put("path", sa->path);
        }
    }

    // auditd.paths: each PATH record's fields, without the file capability ones (noise for
    // detection).
    void put_auditd_paths(Value& slot) {
        ArrayWriter arr(slot);
        for (const auto* p : m_paths) {
            ObjectWriter item(arr.push());
            for (const auto& f : p->fields) {
                if (f.key.size() > 4 && std::memcmp(f.key.data(), "cap_", 4) == 0) continue;
                if (Text v = text(f, false)) item.put(f.key, *v);
            }
        }
    }

    // auditd.enriched: the fields auditd's log_format=ENRICHED adds (the first of each name).
    static void put_enriched(const Group& g, ObjectWriter& a) {
        bool any = false;
        for (const auto& r : g.records) any = any || !r.enriched.empty();
        if (!any) return;
        ObjectWriter enriched(a.put("enriched"));
        for (const auto& r : g.records)
            for (const auto& f : r.enriched)
                if (enriched.written(f.key) == nullptr) enriched.put(f.key, f.value);
    }

    // event.original: the records' types and lines (the raw text is in the log itself).
    static std::string original_of(const Group& g) {
        std::string original;
        for (const auto& r : g.records) {
            if (!original.empty()) original += '\n';
            original += r.type + " line " + std::to_string(r.line);
        }
        return original;
    }

    static std::string to_lower_type(std::string_view t) { return ascii_lowercase(t); }

    InputFile m_input;
    LineReader m_reader;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    std::deque<Group> m_open;
    std::uint64_t m_opened = 0;
    std::int64_t m_latest_ns = 0;
    bool m_eof = false;
    AuditRecord m_scratch;
    std::string m_error;
    std::vector<AuditRecord> m_pool;                       // records of emitted groups, for reuse
    std::vector<std::vector<AuditRecord>> m_spare_groups;  // their emptied record vectors
    std::vector<std::unique_ptr<std::string>> m_decoded;   // hex-decoded values of one event
    std::size_t m_decoded_used = 0;
    std::vector<const AuditRecord*> m_paths, m_execves;
    std::vector<ArgSlot> m_args;
    std::string m_key;
    std::string m_arg, m_command_line;                       // put_exec_args's, reused
    std::array<std::vector<Event>, kShapes> m_spare_events;  // recycle()'s, by shape
    std::string m_stamp;                                     // format_iso8601 of m_stamp_secs
    std::int64_t m_stamp_secs = 0;
    struct KeyHash {
        std::size_t operator()(const std::string& k) const noexcept { return auditd::fnv1a(k); }
    };
    std::unordered_map<std::string, std::uint64_t, KeyHash> m_exec_serial;
    std::deque<std::string> m_exec_order;
};

}  // namespace

void register_auditd_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "auditd", "Linux audit log (audit.log, ausearch --raw), one event per audit serial",
        auditd::sniff_auditd,
        [](InputFile input, const CollectorOptions& options,
           DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<AuditdCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
