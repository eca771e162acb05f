#include "harness/cli.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace attest::cli {

std::string default_out_dir(std::string_view command, std::string_view run_id) {
    return "out/" + std::string(command) + "-" + std::string(run_id);
}

std::string input_file_problem(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) return "no such file";
    if (fs::is_directory(status)) return "is a directory, not a file";
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::string("cannot read: ") + std::strerror(errno);
    if (fs::is_regular_file(status) && fs::file_size(path, ec) == 0 && !ec)
        return "is empty (0 bytes)";
    return "";
}

bool is_interactive(FILE* stream) {
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour && *no_colour) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb") return false;
    return isatty(fileno(stream)) == 1;
}

std::string paint(std::string_view text, Colour colour, FILE* stream) {
    if (!is_interactive(stream)) return std::string(text);
    static const char* kCodes[] = {"31", "32", "33", "35", "90", "1"};
    return "\x1b[" + std::string(kCodes[static_cast<int>(colour)]) + "m" + std::string(text) +
           "\x1b[0m";
}

Colour verdict_colour(std::string_view verdict) {
    if (verdict == "passed") return Colour::Green;
    if (verdict == "failed") return Colour::Red;
    if (verdict == "inconclusive") return Colour::Yellow;
    if (verdict == "skipped") return Colour::Grey;
    return Colour::Magenta;
}

std::uint64_t process_bytes_read() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value)
        if (key == "rchar:") return value;
    return 0;
}

namespace {

std::string human_bytes(double bytes) {
    static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1000 && unit < 4) bytes /= 1000, ++unit;
    char buf[32];
    std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
    return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::string label, std::uint64_t total_bytes,
                           std::function<std::uint64_t()> events)
    : m_label(std::move(label)),
      m_total(total_bytes),
      m_start_bytes(process_bytes_read()),
      m_events(std::move(events)) {
    if (is_interactive(stderr)) m_thread = std::thread([this] { loop(); });
}

ProgressLine::~ProgressLine() {
    if (!m_thread.joinable()) return;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    if (m_drawn) std::fputs("\r\x1b[K", stderr);
}

void ProgressLine::set_label(std::string label) {
    std::lock_guard lock(m_mutex);
    m_label = std::move(label);
}

void ProgressLine::print(const std::string& text) {
    std::lock_guard lock(m_mutex);
    if (m_drawn) std::fputs("\r\x1b[K", stderr);
    m_drawn = false;
    std::fprintf(stderr, "%s\n", text.c_str());
}

std::string ProgressLine::line(double seconds, std::uint64_t bytes, std::uint64_t events) const {
    std::string out = m_label + ": " + human_bytes(static_cast<double>(bytes));
    if (m_total > 0) out += " of " + human_bytes(static_cast<double>(m_total));
    out += ", " + human_bytes(static_cast<double>(bytes) / seconds) + "/s";
    if (m_events) {
        char buf[48];
        std::snprintf(buf, sizeof buf, ", %llu events (%.0f/s)",
                      static_cast<unsigned long long>(events),
                      static_cast<double>(events) / seconds);
        out += buf;
    }
    if (m_total > 0 && bytes > 0 && bytes < m_total) {
        double eta = seconds * static_cast<double>(m_total - bytes) / static_cast<double>(bytes);
        char buf[32];
        std::snprintf(buf, sizeof buf, ", ETA %.0f s", eta);
        out += buf;
    }
    return out;
}

void ProgressLine::loop() {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    // Quiet for the first second (ATTEST_PROGRESS_AFTER_MS changes that, for tests), then four
    // updates a second.
    long after_ms = 1000;
    if (const char* env = std::getenv("ATTEST_PROGRESS_AFTER_MS"))
        after_ms = std::max(0L, std::atol(env));
    auto next = start + std::chrono::milliseconds(after_ms);
    auto draw = [&] {
        double seconds = std::max(
            1e-3, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        std::uint64_t now = process_bytes_read();
        std::uint64_t bytes = now > m_start_bytes ? now - m_start_bytes : 0;
        if (m_total > 0) bytes = std::min(bytes, m_total);
        std::fprintf(stderr, "\r\x1b[K%s", line(seconds, bytes, m_events ? m_events() : 0).c_str());
        std::fflush(stderr);
        m_drawn = true;
        next = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
    };
    // Without a quiet period, the line is drawn at once, even for work that ends before the
    // thread would wake.
    if (after_ms == 0) draw();
    while (!m_wake.wait_until(lock, next, [this] { return m_stop; })) draw();
}

DiagnosticSink::Printer CollapsingPrinter::printer() {
    auto print = DiagnosticSink::stderr_printer();
    return [this, print](const Diagnostic& d) {
        {
            std::lock_guard lock(m_mutex);
            auto [it, fresh] = m_seen.try_emplace(d.message, 0);
            if (fresh) m_order.push_back(d.message);
            if (++it->second > m_shown) return;
        }
        print(d);
    };
}

void CollapsingPrinter::finish() {
    std::lock_guard lock(m_mutex);
    for (const auto& message : m_order) {
        std::uint64_t n = m_seen[message];
        if (n > m_shown)
            std::fprintf(stderr, "... and %llu more like this (%llu in all): %s\n",
                         static_cast<unsigned long long>(n - m_shown),
                         static_cast<unsigned long long>(n), message.c_str());
    }
    m_order.clear();
    m_seen.clear();
}

Registry& Registry::instance() {
    static Registry* r = [] {
        auto* reg = new Registry();
        register_builtin_commands(*reg);
        return reg;
    }();
    return *r;
}

void Registry::add(Command c) {
    m_commands.push_back(std::move(c));
}

const Command* Registry::find(std::string_view name) const {
    for (const auto& c : m_commands)
        if (c.name == name) return &c;
    return nullptr;
}

Options& Options::flag(std::string name) {
    m_declared[std::move(name)] = Kind::Flag;
    return *this;
}
Options& Options::option(std::string name) {
    m_declared[std::move(name)] = Kind::Option;
    return *this;
}
Options& Options::multi(std::string name) {
    m_declared[std::move(name)] = Kind::Multi;
    return *this;
}

void Options::parse(const std::vector<std::string>& args) {
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (only_positionals || a.size() < 2 || a[0] != '-' || a == "-") {
            m_positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            only_positionals = true;
            continue;
        }
        if (a == "-h" || a == "--help") {
            m_help = true;
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto it = m_declared.find(name);
        if (it == m_declared.end()) {
            std::vector<std::string> known;
            for (const auto& [n, kind] : m_declared) known.push_back(n);
            std::string hint = closest_name(name, known);
            throw UsageError{"unknown option '" + a + "'" +
                             (hint.empty() ? "" : " (did you mean --" + hint + "?)")};
        }
        if (it->second == Kind::Flag) {
            if (inline_value) throw UsageError{"option --" + name + " takes no value"};
            m_values[name].push_back("true");
            continue;
        }
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else {
            if (i + 1 >= args.size()) throw UsageError{"option --" + name + " needs a value"};
            value = args[++i];
        }
        if (it->second == Kind::Option && has(name))
            throw UsageError{"option --" + name + " given twice ('" + m_values[name].front() +
                             "' and '" + value + "'); it takes one value"};
        m_values[name].push_back(std::move(value));
    }
}

bool Options::has(const std::string& name) const {
    auto it = m_values.find(name);
    return it != m_values.end() && !it->second.empty();
}

std::optional<std::string> Options::get(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::string Options::get_or(const std::string& name, std::string fallback) const {
    auto v = get(name);
    return v ? *v : std::move(fallback);
}

const std::vector<std::string>& Options::all(const std::string& name) const {
    static const std::vector<std::string> empty;
    auto it = m_values.find(name);
    return it == m_values.end() ? empty : it->second;
}

std::optional<Profile> profile_option(const Options& opts) {
    auto p = opts.get("profile");
    if (!p) return std::nullopt;
    auto prof = parse_profile(*p);
    if (!prof) throw UsageError{prof.error().message};
    return *prof;
}

std::string source_option(const Options& opts) {
    std::string source = opts.get_or("source", "");
    const auto& registry = CollectorRegistry::builtin();
    if (!source.empty() && registry.find(source) == nullptr)
        throw UsageError{"unknown source '" + source + "' (known: " + registry.names() + ")"};
    return source;
}

}  // namespace attest::cli
