#include "harness/live_collect.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/o365_api.h"
#include "harness/sensors.h"

namespace attest::run {

namespace {

Expected<void> write_local(const std::string& dest, const std::string& content) {
    std::string tmp = dest + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return make_error("cannot write " + tmp);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out) return make_error("cannot write " + tmp);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, dest, ec);
    if (ec) return make_error("cannot rename " + tmp + ": " + ec.message());
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

// The Linux audit log, read from the offset noted before execution. A log rotated in
// between (smaller than the offset) is read from its start.
class AuditdSource final : public LiveSource {
public:
    AuditdSource(SourceConfig c, bool sudo) : LiveSource(std::move(c)), m_sudo(sudo) {}
    std::string collector() const override { return "auditd"; }
    std::string file_extension() const override { return ".log"; }

    Task<Expected<void>> preflight(Transport& t, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size) co_return make_error("audit log not readable: " + size.error().message);
        std::vector<std::string> argv = {"auditctl", "-l"};
        if (m_sudo) argv.insert(argv.begin(), {"sudo", "-n", "--"});
        auto rules = co_await run_checked(t, argv, cancel);
        if (!rules) co_return rules.error();
        if (rules->exit_code != 0)
            co_return make_error("auditctl -l failed (is auditd running?): " +
                              trim(rules->stderr_text));
        if (rules->stdout_text.find("No rules") != std::string::npos ||
            trim(rules->stdout_text).empty())
            co_return make_error("no audit rules are loaded (the lab loads the pack's with "
                                 "`rules: pack` on its auditd source)");
        m_coverage = AuditCoverage::parse(rules->stdout_text);
        co_return Expected<void>{};
    }

    std::string not_logged(const expectations::ExpectationSpec& spec) const override {
        return audit_not_logged_reason(spec, m_coverage);
    }

    Task<Expected<void>> mark(Transport& t, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size) co_return size.error();
        m_offset = *size;
        co_return Expected<void>{};
    }

    Task<Expected<void>> fetch(Transport& t, const std::string& dest, const CancelToken& cancel) override {
        auto size = co_await t.file_size(m_config.log, m_sudo, cancel);
        if (!size) co_return size.error();
        std::uint64_t from = *size < m_offset ? 0 : m_offset;
        auto data = co_await t.read_file(m_config.log, from, m_sudo, cancel);
        if (!data) co_return data.error();
        // Keep whole records only: the last line may still be being written.
        auto last_newline = data->rfind('\n');
        data->resize(last_newline == std::string::npos ? 0 : last_newline + 1);
        co_return write_local(dest, *data);
    }

private:
    bool m_sudo;
    std::uint64_t m_offset = 0;
    AuditCoverage m_coverage;
};

// A Windows event log channel through wevtutil, from the target's clock before execution.
class ChannelSource final : public LiveSource {
public:
    explicit ChannelSource(SourceConfig c) : LiveSource(std::move(c)) {}
    std::string collector() const override { return "winevent_xml"; }
    std::string file_extension() const override { return ".xml"; }

    Task<Expected<void>> preflight(Transport& t, const CancelToken& cancel) override {
        std::string script =
            "$ErrorActionPreference = 'Stop'\r\n"
            "$c = Get-WinEvent -ListLog " + powershell_quote(m_config.channel) +
            "\r\nif (-not $c.IsEnabled) { [Console]::Error.WriteLine('channel disabled'); exit 3 }\r\n";
        if (m_config.name == "sysmon")
            script +=
                "if (-not (Get-Service -Name Sysmon64,Sysmon -ErrorAction SilentlyContinue |"
                " Where-Object Status -eq 'Running')) {"
                " [Console]::Error.WriteLine('the Sysmon service is not running'); exit 3 }\r\n";
        if (m_config.name == "powershell")
            script +=
                "$p = Get-ItemProperty -ErrorAction SilentlyContinue "
                "'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging'\r\n"
                "if ($p.EnableScriptBlockLogging -ne 1) { [Console]::Error.WriteLine("
                "'script block logging is not enabled by policy (EnableScriptBlockLogging)'); exit 3 }\r\n";
        auto r = co_await run_checked(t, powershell_encoded_argv(script), cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0)
            co_return make_error(m_config.channel + ": " +
                                 (trim(r->stderr_text).empty() ? "preflight failed"
                                                               : trim(r->stderr_text)));
        co_return Expected<void>{};
    }

    Task<Expected<void>> mark(Transport& t, const CancelToken& cancel) override {
        auto r = co_await run_checked(
            t, powershell_encoded_argv("[DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ')"),
            cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0) co_return make_error("cannot read the target's clock");
        m_since = trim(r->stdout_text);
        co_return Expected<void>{};
    }

    Task<Expected<void>> fetch(Transport& t, const std::string& dest, const CancelToken& cancel) override {
        std::string script =
            "[Console]::OutputEncoding = [Text.Encoding]::UTF8\r\n"
            "& wevtutil.exe qe " + powershell_quote(m_config.channel) + " " +
            powershell_quote("/q:" + wevtutil_query(m_since)) + " /f:xml\r\nexit $LASTEXITCODE\r\n";
        TargetCommand cmd;
        cmd.argv = powershell_encoded_argv(script);
        cmd.timeout = t.target().timeouts.connect + Millis(120000);
        auto r = co_await t.run(cmd, cancel);
        if (!r) co_return r.error();
        if (r->exit_code != 0)
            co_return make_error("wevtutil qe " + m_config.channel + " failed: " + trim(r->stderr_text));
        co_return write_local(dest, r->stdout_text);
    }

private:
    std::string m_since;
};

// An exported O365 audit file on this machine (copied as it is now).
class O365FileSource final : public LiveSource {
public:
    explicit O365FileSource(SourceConfig c) : LiveSource(std::move(c)) {}
    std::string collector() const override { return "o365"; }
    std::string file_extension() const override {
        auto ext = std::filesystem::path(m_config.file).extension().string();
        return ext.empty() ? ".json" : ext;
    }
    Task<Expected<void>> preflight(Transport&, const CancelToken&) override {
        if (!std::filesystem::exists(m_config.file))
            co_return make_error("o365 export " + m_config.file + " does not exist (yet)");
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
};

// The Management Activity API: content blobs created since the mark.
class O365ApiSource final : public LiveSource {
public:
    explicit O365ApiSource(SourceConfig c) : LiveSource(std::move(c)) {}
    std::string collector() const override { return "o365"; }
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
        // The client is blocking HTTPS: it runs on the blocking pool, not the io thread.
        co_return co_await offload(blocking_pool(), [this, dest]() -> Expected<void> {
            O365Client client(*m_config.api);
            auto records = client.fetch_audit(m_since_ns, now_ns());
            if (!records) return records.error();
            return write_local(dest, *records);
        });
    }

private:
    std::int64_t m_since_ns = 0;
};

}  // namespace

std::string wevtutil_query(const std::string& since_iso) {
    return "*[System[TimeCreated[@SystemTime>='" + since_iso + "']]]";
}

Expected<std::unique_ptr<LiveSource>> make_live_source(const SourceConfig& config,
                                                       Platform platform,
                                                       bool privileged_reads) {
    if (config.api) return std::unique_ptr<LiveSource>(std::make_unique<O365ApiSource>(config));
    if (!config.file.empty())
        return std::unique_ptr<LiveSource>(std::make_unique<O365FileSource>(config));
    if (!config.channel.empty()) {
        if (platform != Platform::Windows)
            return make_error("source " + config.name + ": channels exist on windows only");
        return std::unique_ptr<LiveSource>(std::make_unique<ChannelSource>(config));
    }
    if (!config.log.empty()) {
        if (platform == Platform::Windows)
            return make_error("source " + config.name + ": log files are read on linux/macos");
        return std::unique_ptr<LiveSource>(
            std::make_unique<AuditdSource>(config, privileged_reads));
    }
    return make_error("source " + config.name + ": no log, channel, file or api");
}

}  // namespace attest::run
