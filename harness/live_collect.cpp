#include "harness/live_collect.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/atomic_file.h"
#include "core/timeutil.h"
#include "harness/sensors.h"
#include "harness/sysmon_config.h"
#include "telemetry/live/elastic_window.h"
#include "telemetry/live/o365_api.h"
#include "telemetry/sources.h"

namespace attest::run {

namespace {

// Appends whole records to what earlier polls fetched (the first poll of a scenario starts
// the file), so that a poll only reads and hands over what is new.
Expected<void> append_local(const std::string& dest, const std::string& content, bool first) {
    if (first) return write_file_atomic(dest, content);
    std::ofstream out(dest, std::ios::binary | std::ios::app);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return make_error("cannot append to " + dest);
    return {};
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

Task<Expected<ProcessResult>> run_checked(Transport& t, std::vector<std::string> argv,
                                          const CancelToken& cancel) {
    TargetCommand cmd;
    cmd.argv = std::move(argv);
    cmd.timeout = t.target().timeouts.connect + Millis(30000);
    co_return co_await t.run(cmd, cancel);
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto end = text.find(' ', i);
        if (end == std::string_view::npos) end = text.size();
        if (end > i) out.emplace_back(text.substr(i, end - i));
        i = end + 1;
    }
    return out;
}

// A log file on the target (the audit log, syslog), read from the offset noted before
// execution. A log rotated in between (smaller than the offset) is read from its start.
class LogFileSource final : public LiveSource {
public:
    LogFileSource(SourceConfig c, const telemetry::LiveAcquisition& how, bool sudo)
        : LiveSource(std::move(c)), m_how(how), m_sudo(sudo) {}
    std::string collector() const override { return std::string(m_how.collector); }
    std::string file_extension() const override { return ".log"; }

    Task<Expected<void>> preflight(Transport& t, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size)
            co_return make_error(m_config.name + " log not readable: " + size.error().message);
        if (m_how.preflight.empty()) co_return Expected<void>{};
        // The source table's check lists what the source records (auditctl -l: the rules).
        std::vector<std::string> argv = split_words(m_how.preflight);
        if (m_sudo) argv.insert(argv.begin(), {"sudo", "-n", "--"});
        auto listing = co_await run_checked(t, argv, cancel);
        if (!listing) co_return listing.error();
        if (listing->exit_code != 0)
            co_return make_error(std::string(m_how.preflight) + " failed (is " + m_config.name +
                                 " running?): " + trim(listing->stderr_text));
        if (listing->stdout_text.find("No rules") != std::string::npos ||
            trim(listing->stdout_text).empty())
            co_return make_error(std::string(m_how.preflight) + " lists nothing: no " +
                                 m_config.name +
                                 " rules are loaded (the lab loads the pack's with `rules: pack` "
                                 "on its auditd source)");
        m_coverage = AuditCoverage::parse(listing->stdout_text);
        co_return Expected<void>{};
    }

    std::string not_logged(const expectations::ExpectationSpec& spec) const override {
        return audit_not_logged_reason(spec, m_coverage);
    }
    bool logs_writes_to(std::string_view path) const override {
        return m_coverage.watches_path(path);
    }

    Task<Expected<void>> mark(Transport& t, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size) co_return size.error();
        m_offset = *size;
        m_polls = 0;
        co_return Expected<void>{};
    }

    bool appends() const override { return true; }

    // Reads the log from where the previous poll stopped (after the last whole line).
    Task<Expected<void>> fetch(Transport& t, const std::string& dest, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size) co_return size.error();
        if (*size < m_offset) m_offset = 0;  // rotated since: the new log from its start
        auto data = co_await t.read_file(m_config.log, m_offset, m_sudo, cancel);
        if (!data) co_return data.error();
        m_fetched_bytes += data->size();
        // Keep whole records only: the last line may still be being written.
        auto last_newline = data->rfind('\n');
        data->resize(last_newline == std::string::npos ? 0 : last_newline + 1);
        m_offset += data->size();
        co_return append_local(dest, *data, m_polls++ == 0);
    }

private:
    telemetry::LiveAcquisition m_how;
    bool m_sudo;
    std::uint64_t m_offset = 0;  // next byte of the log to fetch
    std::uint64_t m_polls = 0;
    AuditCoverage m_coverage;
};

// A Windows event log channel through wevtutil, from the target's clock before execution.
class ChannelSource final : public LiveSource {
public:
    ChannelSource(SourceConfig c, const telemetry::LiveAcquisition& how)
        : LiveSource(std::move(c)), m_how(how) {}
    std::string collector() const override { return std::string(m_how.collector); }
    std::string file_extension() const override { return ".xml"; }

    Task<Expected<void>> preflight(Transport& t, const CancelToken& cancel) override {
        std::string script =
            "$ErrorActionPreference = 'Stop'\r\n"
            "$c = Get-WinEvent -ListLog " + powershell_quote(m_config.channel) +
            "\r\nif (-not $c.IsEnabled) { [Console]::Error.WriteLine('channel disabled'); exit 3 }\r\n";
        script += m_how.preflight;  // the source's own check (Sysmon running, logging policy)
        auto r = co_await run_checked(t, powershell_encoded_argv(script), cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0)
            co_return make_error(m_config.channel + ": " +
                                 (trim(r->stderr_text).empty() ? "preflight failed"
                                                               : trim(r->stderr_text)));
        if (m_how.reads_sysmon_configuration) {
            // Best effort: without elevation `-c` fails, and then nobody knows what is off.
            auto config =
                co_await run_checked(t, powershell_encoded_argv(kSysmonConfigScript), cancel);
            if (config && config->exit_code == 0)
                m_sysmon = SysmonCoverage::parse(config->stdout_text);
        }
        co_return Expected<void>{};
    }

    std::string not_logged(const expectations::ExpectationSpec& spec) const override {
        return sysmon_not_logged_reason(spec, m_sysmon);
    }

    Task<Expected<void>> mark(Transport& t, const CancelToken& cancel) override {
        auto r = co_await run_checked(
            t, powershell_encoded_argv("[DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ')"),
            cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0) co_return make_error("cannot read the target's clock");
        m_since = trim(r->stdout_text);
        m_last_record = 0;
        m_polls = 0;
        co_return Expected<void>{};
    }

    bool appends() const override { return true; }

    Task<Expected<void>> fetch(Transport& t, const std::string& dest, const CancelToken& cancel) override {
        std::string script =
            "[Console]::OutputEncoding = [Text.Encoding]::UTF8\r\n"
            "& wevtutil.exe qe " +
            powershell_quote(m_config.channel) + " " +
            powershell_quote("/q:" + wevtutil_query(m_since, m_last_record)) +
            " /f:xml\r\nexit $LASTEXITCODE\r\n";
        TargetCommand cmd;
        cmd.argv = powershell_encoded_argv(script);
        cmd.timeout = t.target().timeouts.connect + Millis(120000);
        auto r = co_await t.run(cmd, cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0)
            co_return make_error("wevtutil qe " + m_config.channel + " failed: " + trim(r->stderr_text));
        m_fetched_bytes += r->stdout_text.size();
        m_last_record = std::max(m_last_record, last_record_id(r->stdout_text));
        co_return append_local(dest, r->stdout_text, m_polls++ == 0);
    }

private:
    telemetry::LiveAcquisition m_how;
    std::string m_since;
    std::uint64_t m_last_record = 0;  // the next poll asks for records after this one
    std::uint64_t m_polls = 0;
    SysmonCoverage m_sysmon;  // unknown unless reads_sysmon_configuration
};

// An exported O365 audit file on this machine (copied as it is now).
class ExportedFileSource final : public LiveSource {
public:
    ExportedFileSource(SourceConfig c, const telemetry::LiveAcquisition& how)
        : LiveSource(std::move(c)), m_how(how) {}
    std::string collector() const override { return std::string(m_how.collector); }
    std::string file_extension() const override {
        auto ext = std::filesystem::path(m_config.file).extension().string();
        return ext.empty() ? ".json" : ext;
    }
    Task<Expected<void>> preflight(Transport&, const CancelToken&) override {
        if (!std::filesystem::exists(m_config.file))
            co_return make_error(m_config.name + " export " + m_config.file +
                                 " does not exist (yet)");
        co_return Expected<void>{};
    }
    Task<Expected<void>> mark(Transport&, const CancelToken&) override { co_return Expected<void>{}; }
    Task<Expected<void>> fetch(Transport&, const std::string& dest, const CancelToken&) override {
        std::error_code ec;
        std::filesystem::copy_file(m_config.file, dest,
                                   std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) co_return make_error("cannot copy " + m_config.file + ": " + ec.message());
        co_return Expected<void>{};
    }

private:
    telemetry::LiveAcquisition m_how;
};

// The Management Activity API: content blobs created since the mark.
class O365ApiSource final : public LiveSource {
public:
    O365ApiSource(SourceConfig c, const telemetry::LiveAcquisition& how)
        : LiveSource(std::move(c)), m_how(how) {}
    std::string collector() const override { return std::string(m_how.collector); }
    std::string file_extension() const override { return ".json"; }
    Task<Expected<void>> preflight(Transport&, const CancelToken&) override {
        const char* secret = std::getenv(m_config.api->client_secret_env.c_str());
        if (secret == nullptr || *secret == '\0')
            co_return make_error("environment variable " + m_config.api->client_secret_env +
                                 " (the o365 client secret) is not set");
        co_return Expected<void>{};
    }
    Task<Expected<void>> mark(Transport&, const CancelToken&) override {
        m_since_ns = now_ns() - 5LL * 60 * 1000000000LL;  // API clocks and ours differ
        co_return Expected<void>{};
    }
    Task<Expected<void>> fetch(Transport&, const std::string& dest, const CancelToken&) override {
        // The client is blocking HTTPS: it runs on the blocking pool, not the io thread. The
        // lambda captures pointers only: GCC 12 destroys a by-value capture of a lambda awaited
        // in `co_return co_await` twice.
        co_return co_await offload(blocking_pool(), [this, d = &dest]() -> Expected<void> {
            telemetry::O365Client client(*m_config.api);
            auto records = client.fetch_audit(m_since_ns, now_ns());
            if (!records) return records.error();
            return write_file_atomic(*d, *records);
        });
    }

private:
    telemetry::LiveAcquisition m_how;
    std::int64_t m_since_ns = 0;
};

// The scenario's window read back from Elasticsearch, where an agent ships the source: from
// the mark to now, the target's host only, written as the ndjson collector's input.
class ElasticWindowSource final : public LiveSource {
public:
    ElasticWindowSource(SourceConfig c, const telemetry::LiveAcquisition& how)
        : LiveSource(std::move(c)), m_how(how) {}
    std::string collector() const override { return std::string(m_how.collector); }
    std::string file_extension() const override { return ".ndjson"; }
    Task<Expected<void>> preflight(Transport&, const CancelToken&) override {
        // The connection settings and credentials are checked without a request: the cluster
        // is asked at fetch time, when the window exists.
        auto client = net::ElasticClient::connect(m_config.elastic->connection);
        if (!client) co_return client.error();
        co_return Expected<void>{};
    }
    Task<Expected<void>> mark(Transport&, const CancelToken&) override {
        // The agent stamps events with the target's clock: a minute of slack for skew.
        m_since = format_iso8601(now_ns() - 60LL * 1000000000LL);
        co_return Expected<void>{};
    }
    Task<Expected<void>> fetch(Transport&, const std::string& dest, const CancelToken&) override {
        telemetry::ElasticWindow window{m_since, format_iso8601(now_ns())};
        std::string path = dest;
        // The client is blocking HTTPS: it runs on the blocking pool, not the io thread. The
        // lambda captures pointers only: GCC 12 destroys a lambda temporary awaited in a
        // coroutine twice (captured strings were freed twice).
        const telemetry::ElasticSource* source = &*m_config.elastic;
        Expected<std::uint64_t> n =
            co_await offload(blocking_pool(), [source, w = &window, p = &path] {
                return telemetry::write_elastic_window(*source, *w, *p);
            });
        if (!n) co_return n.error();
        co_return Expected<void>{};
    }

private:
    telemetry::LiveAcquisition m_how;
    std::string m_since;
};

}  // namespace

std::string wevtutil_query(const std::string& since_iso, std::uint64_t after_record) {
    std::string time = "TimeCreated[@SystemTime>='" + since_iso + "']";
    if (after_record == 0) return "*[System[" + time + "]]";
    return "*[System[" + time + " and EventRecordID>" + std::to_string(after_record) + "]]";
}

std::uint64_t last_record_id(std::string_view xml) {
    static constexpr std::string_view kTag = "<EventRecordID>";
    std::uint64_t best = 0;
    for (auto at = xml.find(kTag); at != std::string_view::npos; at = xml.find(kTag, at + 1)) {
        std::uint64_t id = 0;
        auto begin = xml.data() + at + kTag.size();
        auto r = std::from_chars(begin, xml.data() + xml.size(), id);
        if (r.ec == std::errc() && r.ptr != begin) best = std::max(best, id);
    }
    return best;
}

std::vector<scenarios::BaselineSensor> baseline_sensors(
    const std::vector<SourceConfig>& configured,
    const std::vector<std::unique_ptr<LiveSource>>& live) {
    std::vector<scenarios::BaselineSensor> out;
    for (const auto& cfg : configured) {
        if (!scenarios::is_baseline_source(cfg.name)) continue;
        scenarios::BaselineSensor sensor{cfg.name, nullptr};
        for (const auto& src : live)
            if (src->config().name == cfg.name) {
                const LiveSource* alive = src.get();
                sensor.logs_writes_to = [alive](std::string_view p) {
                    return alive->logs_writes_to(p);
                };
            }
        out.push_back(std::move(sensor));
    }
    return out;
}

Expected<std::unique_ptr<LiveSource>> make_live_source(const SourceConfig& config,
                                                       Platform platform,
                                                       bool privileged_reads) {
    using telemetry::Acquisition;
    const telemetry::SourceSpec* spec = telemetry::find_source(config.name);
    if (spec == nullptr)
        return make_error("unknown source '" + config.name +
                          "' (known: " + telemetry::source_names() + ")");
    auto kind = config.acquisition();
    if (!kind)
        return make_error("source " + config.name + ": no log, channel, file, api or elastic");
    const telemetry::LiveAcquisition* how = spec->acquisition(*kind);
    if (how == nullptr)
        return make_error("source " + config.name + " is not read from a " +
                          std::string(telemetry::acquisition_key(*kind)));
    std::unique_ptr<LiveSource> source;
    switch (*kind) {
        case Acquisition::O365Api:
            source = std::make_unique<O365ApiSource>(config, *how);
            break;
        case Acquisition::Elasticsearch:
            source = std::make_unique<ElasticWindowSource>(config, *how);
            break;
        case Acquisition::ExportedFile:
            source = std::make_unique<ExportedFileSource>(config, *how);
            break;
        case Acquisition::WindowsChannel:
            if (platform != Platform::Windows)
                return make_error("source " + config.name + ": channels exist on windows only");
            source = std::make_unique<ChannelSource>(config, *how);
            break;
        case Acquisition::LogFile:
            if (platform == Platform::Windows)
                return make_error("source " + config.name + ": log files are read on linux/macos");
            source = std::make_unique<LogFileSource>(config, *how, privileged_reads);
            break;
    }
    return source;
}

}  // namespace attest::run
