#include "harness/lab.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/timeutil.h"
#include "core/yaml_load.h"
#include "scenarios/risk.h"
#include "telemetry/sources.h"

namespace attest::run {

std::optional<telemetry::Acquisition> SourceConfig::acquisition() const {
    if (api) return telemetry::Acquisition::O365Api;
    if (elastic) return telemetry::Acquisition::Elasticsearch;
    if (!file.empty()) return telemetry::Acquisition::ExportedFile;
    if (!channel.empty()) return telemetry::Acquisition::WindowsChannel;
    if (!log.empty()) return telemetry::Acquisition::LogFile;
    return std::nullopt;
}

const SourceConfig* TargetConfig::source(const std::string& source_name) const {
    for (const auto& s : sources)
        if (s.name == source_name) return &s;
    return nullptr;
}

const TargetConfig* Lab::target(const std::string& target_name) const {
    for (const auto& t : targets)
        if (t.name == target_name) return &t;
    return nullptr;
}

Expected<Millis> parse_duration(const std::string& text) {
    auto ns = parse_duration_ns(text, DurationSyntax{true, "s"});
    if (!ns)
        return make_error("invalid duration '" + text +
                          "' (a number and a unit: 250ms, 30s, 5m, 1h, 1d)");
    return Millis(*ns / 1'000'000);
}

namespace {

const char* const kElasticSecretInLab =
    "secrets are never written in lab files: set ATTEST_ELASTIC_API_KEY (or "
    "ATTEST_ELASTIC_USERNAME and ATTEST_ELASTIC_PASSWORD) in the environment";

class LabParser {
public:
    LabParser(std::string path, DiagnosticSink& sink, const std::string& text)
        : m_path(std::move(path)), m_sink(sink) {
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) m_lines.push_back(line);
    }

    void error(const YAML::Node& node, const std::string& message) {
        error_at(node.Mark(), message);
    }
    void error_at(const YAML::Mark& mark, const std::string& message) {
        Diagnostic d;
        d.file = m_path;
        if (mark.line >= 0) {
            d.line = static_cast<std::uint64_t>(mark.line) + 1;
            d.column = static_cast<std::uint64_t>(mark.column) + 1;
            if (static_cast<std::size_t>(mark.line) < m_lines.size())
                d.source_line = m_lines[static_cast<std::size_t>(mark.line)];
        }
        d.message = message;
        m_sink.report(std::move(d));
        ++m_errors;
    }
    int errors() const { return m_errors; }

    bool expect_map(const YAML::Node& node, const std::string& what) {
        if (node.IsMap()) return true;
        error(node, what + " must be a mapping");
        return false;
    }

    // Reports keys that are not in `allowed`: a typo must not silently disable a setting.
    void check_keys(const YAML::Node& node, const std::set<std::string>& allowed,
                    const std::string& what) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            auto key = it->first.as<std::string>("");
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                error(it->first,
                      "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
            }
        }
    }

    std::string scalar(const YAML::Node& node, const std::string& what) {
        if (!node.IsScalar()) {
            error(node, what + " must be a string");
            return {};
        }
        return node.Scalar();
    }

    int integer(const YAML::Node& node, const std::string& what, int min, int max) {
        try {
            int v = node.as<int>();
            if (v < min || v > max) {
                error(node, what + " must be between " + std::to_string(min) + " and " +
                                std::to_string(max));
                return min;
            }
            return v;
        } catch (...) {
            error(node, what + " must be an integer");
            return min;
        }
    }

    bool boolean(const YAML::Node& node, const std::string& what) {
        try {
            return node.as<bool>();
        } catch (...) {
            error(node, what + " must be true or false");
            return false;
        }
    }

    Millis duration(const YAML::Node& node, const std::string& what, Millis fallback) {
        auto d = parse_duration(scalar(node, what));
        if (!d) {
            error(node, what + ": " + d.error().message);
            return fallback;
        }
        return *d;
    }

    std::vector<std::string> string_list(const YAML::Node& node, const std::string& what) {
        std::vector<std::string> out;
        if (!node.IsSequence()) {
            error(node, what + " must be a list of strings");
            return out;
        }
        for (const auto& e : node) out.push_back(scalar(e, what + " item"));
        return out;
    }

    void parse_timeouts(const YAML::Node& node, Timeouts& t) {
        if (!expect_map(node, "timeouts")) return;
        check_keys(node,
                   {"connect", "readiness", "prerequisites", "execution", "cleanup", "collection"},
                   "timeouts");
        if (node["connect"]) t.connect = duration(node["connect"], "timeouts.connect", t.connect);
        if (node["readiness"])
            t.readiness = duration(node["readiness"], "timeouts.readiness", t.readiness);
        if (node["prerequisites"])
            t.prerequisites =
                duration(node["prerequisites"], "timeouts.prerequisites", t.prerequisites);
        if (node["execution"])
            t.execution = duration(node["execution"], "timeouts.execution", t.execution);
        if (node["cleanup"]) t.cleanup = duration(node["cleanup"], "timeouts.cleanup", t.cleanup);
        if (node["collection"])
            t.collection = duration(node["collection"], "timeouts.collection", t.collection);
    }

    void parse_source(const YAML::Node& key, const YAML::Node& node, TargetConfig& target) {
        SourceConfig s;
        const std::string name = key.as<std::string>("");
        s.name = name;
        const telemetry::SourceSpec* spec = telemetry::find_source(name);
        if (spec == nullptr) {
            error(key, "unknown source '" + name + "' (known: " + telemetry::source_names() + ")");
            return;
        }
        if (!expect_map(node, "source '" + name + "'")) return;
        check_keys(
            node,
            {"log", "channel", "file", "api", "elastic", "latency", "optional", "rules", "start"},
            "source '" + name + "'");
        if (node["rules"]) s.rules = scalar(node["rules"], name + ".rules");
        if (node["start"]) s.start = boolean(node["start"], name + ".start");
        if ((!s.rules.empty() || s.start) && name != "auditd")
            error(node, "source '" + name + "': rules and start are provisioned for auditd only");
        if (node["log"]) s.log = scalar(node["log"], name + ".log");
        if (node["channel"]) s.channel = scalar(node["channel"], name + ".channel");
        if (node["file"]) s.file = scalar(node["file"], name + ".file");
        if (node["latency"]) s.latency = duration(node["latency"], name + ".latency", s.latency);
        if (node["optional"]) s.optional = boolean(node["optional"], name + ".optional");
        if (const auto api = node["api"]) {
            if (expect_map(api, name + ".api")) {
                check_keys(api,
                           {"tenant", "client_id", "client_secret_env", "login_endpoint",
                            "api_endpoint", "content_type", "ca_file", "client_secret"},
                           name + ".api");
                O365ApiConfig c;
                if (api["client_secret"])
                    error(api["client_secret"],
                          "secrets are never written in lab files: put the secret in an "
                          "environment variable and name it with client_secret_env");
                if (api["tenant"]) c.tenant = scalar(api["tenant"], "api.tenant");
                if (api["client_id"]) c.client_id = scalar(api["client_id"], "api.client_id");
                if (api["client_secret_env"])
                    c.client_secret_env = scalar(api["client_secret_env"], "api.client_secret_env");
                if (api["login_endpoint"])
                    c.login_endpoint = scalar(api["login_endpoint"], "api.login_endpoint");
                if (api["api_endpoint"])
                    c.api_endpoint = scalar(api["api_endpoint"], "api.api_endpoint");
                if (api["content_type"])
                    c.content_type = scalar(api["content_type"], "api.content_type");
                if (api["ca_file"]) c.ca_file = scalar(api["ca_file"], "api.ca_file");
                if (c.tenant.empty() || c.client_id.empty() || c.client_secret_env.empty())
                    error(api, name + ".api needs tenant, client_id and client_secret_env");
                s.api = c;
            }
        }
        if (node["elastic"]) s.elastic = parse_elastic_source(node["elastic"], name + ".elastic");
        if (s.elastic) s.elastic->host = target.host.empty() ? target.name : target.host;
        check_acquisition(*spec, node, s, target);
        target.sources.push_back(std::move(s));
    }

    // The connection part of every `elastic:` map (a source read back, shipping): an https
    // url and the trust; credentials come from the environment only.
    net::ElasticConfig elastic_connection(const YAML::Node& e, const std::string& what) {
        for (const char* secret : {"api_key", "password"})
            if (e[secret]) error(e[secret], kElasticSecretInLab);
        net::ElasticConfig c;
        if (e["url"]) c.url = scalar(e["url"], what + ".url");
        if (c.url.rfind("https://", 0) != 0)
            error(e["url"] ? e["url"] : e, what + ".url (Elasticsearch's https URL) is required");
        if (e["ca_file"]) c.trust.ca_file = scalar(e["ca_file"], what + ".ca_file");
        if (e["ca_fingerprint"])
            c.trust.fingerprint = scalar(e["ca_fingerprint"], what + ".ca_fingerprint");
        if (!c.trust.ca_file.empty() && !c.trust.fingerprint.empty())
            error(e, what + ": give ca_file or ca_fingerprint, not both");
        return c;
    }

    // A source read back from Elasticsearch.
    std::optional<telemetry::ElasticSource> parse_elastic_source(const YAML::Node& e,
                                                                 const std::string& what) {
        if (!expect_map(e, what)) return std::nullopt;
        check_keys(e,
                   {"url", "index", "host_field", "ca_file", "ca_fingerprint", "page_size",
                    "api_key", "password"},
                   what);
        telemetry::ElasticSource c;
        c.connection = elastic_connection(e, what);
        if (e["index"]) c.index = scalar(e["index"], what + ".index");
        if (c.index.empty())
            error(e, what + ".index (the index pattern of its documents) is required");
        if (e["host_field"]) c.host_field = scalar(e["host_field"], what + ".host_field");
        if (e["page_size"])
            c.page_size = std::size_t(integer(e["page_size"], what + ".page_size", 1, 10000));
        return c;
    }

    // How the source is read must be one the source table allows; with none given, the
    // table's default location (the Sysmon channel, the audit log) is used.
    void check_acquisition(const telemetry::SourceSpec& spec, const YAML::Node& node,
                           SourceConfig& s, const TargetConfig& target) {
        int kinds = !s.log.empty() + !s.channel.empty() + !s.file.empty() + s.api.has_value() +
                    s.elastic.has_value();
        if (kinds == 0 && !spec.live.empty() && !spec.live.front().location.empty()) {
            const auto& def = spec.live.front();
            (def.kind == telemetry::Acquisition::WindowsChannel ? s.channel : s.log) =
                std::string(def.location);
            kinds = 1;
        }
        if (kinds != 1) {
            error(node,
                  "source '" + s.name +
                      "' needs exactly one of log, channel, file, api or elastic (how it is read)");
            return;
        }
        auto kind = *s.acquisition();
        if (spec.acquisition(kind) == nullptr) {
            std::string allowed;
            for (const auto& a : spec.live)
                allowed +=
                    (allowed.empty() ? "" : ", ") + std::string(telemetry::acquisition_key(a.kind));
            error(node, "source '" + s.name + "' is not read from a " +
                            std::string(telemetry::acquisition_key(kind)) +
                            " (it takes: " + allowed + ")");
        }
        if (kind == telemetry::Acquisition::WindowsChannel && target.platform != Platform::Windows)
            error(node,
                  "source '" + s.name + "': event log channels exist on windows targets only");
    }

    void parse_target(const YAML::Node& node, const Lab& lab, Lab& out) {
        if (!expect_map(node, "a target")) return;
        check_keys(
            node,
            {"name", "platform", "transport", "ssh", "command", "qemu", "revert", "readiness",
             "elevation", "concurrency", "timeouts", "secrets", "sources", "host"},
            "target");
        TargetConfig t;
        t.file = m_path;
        t.line = node.Mark().line + 1;
        t.timeouts = lab.timeouts;
        parse_identity(node, out, t);
        if (node["transport"]) t.transport = scalar(node["transport"], "transport");
        if (node["qemu"]) parse_qemu(node, t);
        if (t.transport != "local" && t.transport != "ssh" && t.transport != "command")
            error(node["transport"],
                  "unknown transport '" + t.transport + "' (expected local, ssh or command)");
        if (t.transport == "ssh")
            parse_ssh_transport(node, t);
        else if (node["ssh"])
            error(node["ssh"], "ssh: settings given but the transport is " + t.transport);
        if (t.transport == "command") parse_command_transport(node, t);
        parse_lifecycle(node, t);
        if (node["secrets"]) t.secret_envs = string_list(node["secrets"], "secrets");
        if (const auto sources = node["sources"]) {
            if (expect_map(sources, "sources"))
                for (auto it = sources.begin(); it != sources.end(); ++it)
                    parse_source(it->first, it->second, t);
        }
        out.targets.push_back(std::move(t));
    }

    // name (unique in the lab), host and platform.
    void parse_identity(const YAML::Node& node, const Lab& out, TargetConfig& t) {
        if (node["name"])
            t.name = scalar(node["name"], "target name");
        else
            error(node, "target without a name");
        if (node["host"]) t.host = scalar(node["host"], "target host");
        for (const auto& other : out.targets)
            if (!t.name.empty() && other.name == t.name)
                error(node["name"], "duplicate target name '" + t.name + "'");
        if (!node["platform"]) {
            error(node, "target '" + t.name + "' has no platform (windows, linux or macos)");
            return;
        }
        auto p = parse_platform(scalar(node["platform"], "platform"));
        if (p)
            t.platform = *p;
        else
            error(node["platform"], p.error().message);
    }

    void parse_ssh_transport(const YAML::Node& node, TargetConfig& t) {
        const auto ssh = node["ssh"];
        if (!ssh) {
            // A qemu target's driver fills in host, port, key and known hosts.
            if (!t.qemu)
                error(node, "target '" + t.name + "' uses transport ssh but has no ssh: settings");
            return;
        }
        if (!expect_map(ssh, "ssh")) return;
        check_keys(ssh,
                   {"host", "port", "user", "identity_file", "known_hosts",
                    "strict_host_key_checking", "control_persist", "options", "password"},
                   "ssh");
        if (ssh["password"])
            error(ssh["password"],
                  "passwords are not supported: use key authentication (identity_file)");
        if (ssh["host"])
            t.ssh.host = scalar(ssh["host"], "ssh.host");
        else if (!t.qemu)
            error(ssh, "ssh.host is required");
        if (ssh["port"]) t.ssh.port = integer(ssh["port"], "ssh.port", 1, 65535);
        if (ssh["user"]) t.ssh.user = scalar(ssh["user"], "ssh.user");
        if (ssh["identity_file"])
            t.ssh.identity_file = scalar(ssh["identity_file"], "ssh.identity_file");
        if (ssh["known_hosts"]) t.ssh.known_hosts = scalar(ssh["known_hosts"], "ssh.known_hosts");
        if (ssh["strict_host_key_checking"])
            t.ssh.strict_host_key_checking =
                boolean(ssh["strict_host_key_checking"], "ssh.strict_host_key_checking");
        if (ssh["control_persist"])
            t.ssh.control_persist = scalar(ssh["control_persist"], "ssh.control_persist");
        if (ssh["options"]) t.ssh.options = string_list(ssh["options"], "ssh.options");
    }

    void parse_command_transport(const YAML::Node& node, TargetConfig& t) {
        const auto cmd = node["command"];
        if (!cmd) {
            error(node,
                  "target '" + t.name + "' uses transport command but has no command: settings");
            return;
        }
        if (!expect_map(cmd, "command")) return;
        check_keys(cmd, {"vm", "exec", "upload"}, "command");
        if (cmd["vm"]) t.command.vm = scalar(cmd["vm"], "command.vm");
        if (cmd["exec"])
            t.command.exec = string_list(cmd["exec"], "command.exec");
        else
            error(cmd, "command.exec (the argument-vector template) is required");
        if (cmd["upload"]) t.command.upload = string_list(cmd["upload"], "command.upload");
        auto any_has = [](const std::vector<std::string>& list, auto&& pred) {
            return std::any_of(list.begin(), list.end(), pred);
        };
        if (!t.command.upload.empty() && !any_has(t.command.upload, [](const std::string& u) {
                return u.find("{remote_path}") != std::string::npos;
            }))
            error(cmd["upload"],
                  "command.upload must contain {remote_path} (the destination; the content is "
                  "on stdin and in {local_path})");
        auto payload = [](const std::string& a) {
            return a.find("{command}") != std::string::npos ||
                   a.find("{encoded_command}") != std::string::npos || a == "{argv}";
        };
        if (!t.command.exec.empty() && !any_has(t.command.exec, payload))
            error(cmd["exec"], "command.exec must contain {command}, {encoded_command} or {argv}");
    }

    // revert, readiness, elevation, concurrency and timeouts.
    void parse_lifecycle(const YAML::Node& node, TargetConfig& t) {
        if (node["revert"]) t.revert = string_list(node["revert"], "revert");
        if (node["readiness"]) t.readiness = scalar(node["readiness"], "readiness");
        if (node["elevation"]) {
            t.elevation = scalar(node["elevation"], "elevation");
            if (t.elevation != "auto" && t.elevation != "none" && t.elevation != "sudo" &&
                t.elevation != "unavailable")
                error(node["elevation"],
                      "elevation must be auto, none (already privileged), sudo or unavailable");
        }
        if (node["concurrency"]) t.concurrency = integer(node["concurrency"], "concurrency", 1, 64);
        if (node["timeouts"]) parse_timeouts(node["timeouts"], t.timeouts);
        if (t.qemu && t.concurrency > 1)
            error(node["concurrency"],
                  "a qemu target runs one scenario at a time (each reverts the VM)");
    }

    void parse_safety(const YAML::Node& root, SafetyPolicy& safety) {
        safety.file = m_path;
        if (const auto allow = root["allow_risks"]) {
            safety.line = allow.Mark().line + 1;
            safety.allow_risks = string_list(allow, "allow_risks");
            for (const auto& r : *safety.allow_risks)
                if (!scenarios::parse_risk(r))
                    error(allow, "unknown risk '" + r +
                                     "' in allow_risks (known: " + scenarios::risk_names() + ")");
        }
        if (root["deny_tests"]) safety.deny_tests = string_list(root["deny_tests"], "deny_tests");
    }

    void parse_ship(const YAML::Node& node, Lab& lab) {
        if (!expect_map(node, "ship")) return;
        check_keys(node, {"elastic"}, "ship");
        const auto e = node["elastic"];
        if (!e || !expect_map(e, "ship.elastic")) return;
        check_keys(e,
                   {"url", "index", "ca_file", "ca_fingerprint", "profile", "api_key", "password"},
                   "ship.elastic");
        ShipElasticConfig c;
        c.connection = elastic_connection(e, "ship.elastic");
        if (e["index"]) c.index = scalar(e["index"], "ship.elastic.index");
        if (c.index.empty() || c.index.find_first_of("*,") != std::string::npos)
            error(e["index"] ? e["index"] : e,
                  "ship.elastic.index names one target, not a pattern");
        if (e["profile"]) {
            auto p = parse_profile(scalar(e["profile"], "ship.elastic.profile"));
            if (p)
                c.profile = *p;
            else
                error(e["profile"], p.error().message);
        }
        lab.ship_elastic = c;
    }

    void parse_siem(const YAML::Node& node, Lab& lab) {
        if (!expect_map(node, "siem")) return;
        check_keys(node, {"elastic"}, "siem");
        const auto e = node["elastic"];
        if (!e || !expect_map(e, "siem.elastic")) return;
        check_keys(e,
                   {"url", "kibana", "alerts_index", "ca_file", "ca_fingerprint", "host_field",
                    "poll_interval", "max_polls", "deadline", "late_grace", "api_key"},
                   "siem.elastic");
        SiemElasticConfig c;
        if (e["api_key"]) error(e["api_key"], kElasticSecretInLab);
        if (e["url"])
            c.url = scalar(e["url"], "siem.elastic.url");
        else
            error(e, "siem.elastic.url (Elasticsearch's https URL) is required");
        auto text = [&](const char* key, std::string& out) {
            if (e[key]) out = scalar(e[key], std::string("siem.elastic.") + key);
        };
        text("kibana", c.kibana);
        text("alerts_index", c.alerts_index);
        text("ca_file", c.ca_file);
        text("ca_fingerprint", c.ca_fingerprint);
        text("host_field", c.host_field);
        if (!c.ca_file.empty() && !c.ca_fingerprint.empty())
            error(e, "siem.elastic: give ca_file or ca_fingerprint, not both");
        if (e["poll_interval"])
            c.poll_interval =
                duration(e["poll_interval"], "siem.elastic.poll_interval", c.poll_interval);
        if (e["max_polls"])
            c.max_polls = integer(e["max_polls"], "siem.elastic.max_polls", 1, 10000);
        if (e["deadline"]) c.deadline = duration(e["deadline"], "siem.elastic.deadline", Millis{0});
        if (e["late_grace"])
            c.late_grace = duration(e["late_grace"], "siem.elastic.late_grace", c.late_grace);
        lab.siem_elastic = c;
    }

    // A qemu target is reached through ssh: the transport defaults to it and must be it.
    void parse_qemu(const YAML::Node& node, TargetConfig& t) {
        const auto q = node["qemu"];
        if (!expect_map(q, "qemu")) return;
        check_keys(q, {"image", "memory", "cpus", "snapshot", "keep_running", "accel", "append"},
                   "qemu");
        QemuConfig c;
        if (q["image"])
            c.image = scalar(q["image"], "qemu.image");
        else
            error(q, "qemu.image (the directory scripts/lab-image.sh made) is required");
        if (q["memory"]) {
            std::string m = scalar(q["memory"], "qemu.memory");
            if (!m.empty() && (m.back() == 'M' || m.back() == 'm')) m.pop_back();
            try {
                std::size_t used = 0;
                c.memory_mb = std::stoi(m, &used);
                if (used != m.size() || c.memory_mb < 128) throw std::invalid_argument(m);
            } catch (...) {
                error(q["memory"], "qemu.memory must be a size in MiB of at least 128 (e.g. 768M)");
            }
        }
        if (q["cpus"]) c.cpus = integer(q["cpus"], "qemu.cpus", 1, 64);
        if (q["snapshot"]) c.snapshot = scalar(q["snapshot"], "qemu.snapshot");
        if (q["keep_running"]) c.keep_running = boolean(q["keep_running"], "qemu.keep_running");
        if (q["accel"]) c.accel = scalar(q["accel"], "qemu.accel");
        if (c.accel != "auto" && c.accel != "kvm" && c.accel != "tcg")
            error(q["accel"], "qemu.accel must be auto, kvm or tcg");
        if (q["append"]) c.append = scalar(q["append"], "qemu.append");
        if (!node["transport"])
            t.transport = "ssh";
        else if (t.transport != "ssh")
            error(node["transport"], "a qemu target is reached through ssh (transport: ssh)");
        if (node["revert"])
            error(node["revert"],
                  "a qemu target reverts to its own snapshot (qemu.snapshot); "
                  "revert: templates are for other hypervisors");
        t.qemu = c;
    }

    Expected<Lab> parse(const std::string& text) {
        YamlDocuments yaml = load_one_yaml(text);
        if (yaml.error) {
            YAML::Mark mark;
            mark.line = static_cast<int>(yaml.error->line) - 1;
            mark.column = static_cast<int>(yaml.error->column) - 1;
            error_at(mark, yaml.error->message);
            return make_error(m_path + ": not a valid lab file");
        }
        YAML::Node root = yaml.documents.empty() ? YAML::Node() : yaml.documents.front();
        Lab lab;
        lab.path = m_path;
        lab.dir = std::filesystem::path(m_path).parent_path().string();
        if (lab.dir.empty()) lab.dir = ".";
        if (!root.IsMap()) {
            error(root, "a lab file is a mapping with lab: and targets:");
            return make_error(m_path + ": not a valid lab file");
        }
        check_keys(root,
                   {"lab", "concurrency", "timeouts", "targets", "description", "allow_risks",
                    "deny_tests", "siem", "ship"},
                   "lab file");
        parse_safety(root, lab.safety);
        if (root["lab"])
            lab.name = scalar(root["lab"], "lab");
        else
            error(root, "the lab has no name (lab: NAME)");
        if (root["concurrency"])
            lab.concurrency = integer(root["concurrency"], "concurrency", 1, 1024);
        if (root["timeouts"]) parse_timeouts(root["timeouts"], lab.timeouts);
        if (root["siem"]) parse_siem(root["siem"], lab);
        if (root["ship"]) parse_ship(root["ship"], lab);
        const auto targets = root["targets"];
        if (!targets || !targets.IsSequence() || targets.size() == 0) {
            error(targets ? targets : root, "targets: must be a non-empty list");
        } else {
            for (const auto& t : targets) parse_target(t, lab, lab);
        }
        if (m_errors > 0)
            return make_error(m_path + ": " + std::to_string(m_errors) +
                              " error(s) in the lab file");
        return lab;
    }

private:
    std::string m_path;
    DiagnosticSink& m_sink;
    std::vector<std::string> m_lines;
    int m_errors = 0;
};

}  // namespace

Expected<Lab> parse_lab(const std::string& text, const std::string& path, DiagnosticSink& sink) {
    LabParser parser(path, sink, text);
    return parser.parse(text);
}

Expected<Lab> load_lab(const std::string& path, DiagnosticSink& sink) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot read the lab file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_lab(ss.str(), path, sink);
}

}  // namespace attest::run
