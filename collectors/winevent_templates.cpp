// Provider templates: the names of the positional Properties Get-WinEvent exports, and the
// parse of a rendered message when only Message is left (ConvertTo-Json without -Depth 3).
#include <algorithm>

#include "collectors/winevent_json.h"

namespace attest {
namespace {

// Sysmon schema 4.90 (the newest version of each event), and the fields later versions added,
// newest first: an older event version has the template minus a prefix of `added`.
struct Template {
    std::int64_t event_id;
    std::vector<std::string_view> fields;
    std::vector<std::string_view> added;
};

const std::vector<Template>& sysmon_templates() {
    static const std::vector<Template> t = {
        {1,
         {"RuleName",
          "UtcTime",
          "ProcessGuid",
          "ProcessId",
          "Image",
          "FileVersion",
          "Description",
          "Product",
          "Company",
          "OriginalFileName",
          "CommandLine",
          "CurrentDirectory",
          "User",
          "LogonGuid",
          "LogonId",
          "TerminalSessionId",
          "IntegrityLevel",
          "Hashes",
          "ParentProcessGuid",
          "ParentProcessId",
          "ParentImage",
          "ParentCommandLine",
          "ParentUser"},
         {"ParentUser", "OriginalFileName"}},
        {2,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
          "CreationUtcTime", "PreviousCreationUtcTime", "User"},
         {"User"}},
        {3,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol",
          "Initiated", "SourceIsIpv6", "SourceIp", "SourceHostname", "SourcePort", "SourcePortName",
          "DestinationIsIpv6", "DestinationIp", "DestinationHostname", "DestinationPort",
          "DestinationPortName"},
         {"User"}},
        {5, {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User"}, {"User"}},
        {7,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "ImageLoaded", "FileVersion",
          "Description", "Product", "Company", "OriginalFileName", "Hashes", "Signed", "Signature",
          "SignatureStatus", "User"},
         {"User", "OriginalFileName"}},
        {8,
         {"RuleName", "UtcTime", "SourceProcessGuid", "SourceProcessId", "SourceImage",
          "TargetProcessGuid", "TargetProcessId", "TargetImage", "NewThreadId", "StartAddress",
          "StartModule", "StartFunction", "SourceUser", "TargetUser"},
         {"TargetUser", "SourceUser"}},
        {10,
         {"RuleName", "UtcTime", "SourceProcessGUID", "SourceProcessId", "SourceThreadId",
          "SourceImage", "TargetProcessGUID", "TargetProcessId", "TargetImage", "GrantedAccess",
          "CallTrace", "SourceUser", "TargetUser"},
         {"TargetUser", "SourceUser"}},
        {11,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
          "CreationUtcTime", "User"},
         {"User"}},
        {12,
         {"RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
          "User"},
         {"User"}},
        {13,
         {"RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
          "Details", "User"},
         {"User"}},
        {14,
         {"RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
          "NewName", "User"},
         {"User"}},
        {15,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
          "CreationUtcTime", "Hash", "Contents", "User"},
         {"User", "Contents"}},
        {22,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus",
          "QueryResults", "Image", "User"},
         {"User"}},
        {23,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
          "Hashes", "IsExecutable", "Archived"},
         {"IsExecutable"}},
        {26,
         {"RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
          "Hashes", "IsExecutable"},
         {"IsExecutable"}},
    };
    return t;
}

const Template kScriptBlock = {
    4104, {"MessageNumber", "MessageTotal", "ScriptBlockText", "ScriptBlockId", "Path"}, {}};

bool is_sysmon(std::string_view provider) {
    return provider == "Microsoft-Windows-Sysmon";
}
bool is_powershell(std::string_view provider) {
    return provider == "Microsoft-Windows-PowerShell" || provider == "PowerShellCore";
}

std::string_view trim_cr(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

bool parse_script_block_message(std::string_view m,
                                std::vector<std::pair<std::string, std::string>>& data) {
    // "Creating Scriptblock text (N of M):\r\n<text>\r\n\r\nScriptBlock ID: <id>\r\nPath: <path>"
    constexpr std::string_view kHead = "Creating Scriptblock text (";
    if (m.substr(0, kHead.size()) != kHead) return false;
    std::size_t of = m.find(" of ", kHead.size()), close = m.find("):", kHead.size());
    std::size_t id_at = m.rfind("\r\n\r\nScriptBlock ID: ");
    std::size_t sep = 4;
    if (id_at == std::string_view::npos) {
        id_at = m.rfind("\n\nScriptBlock ID: ");
        sep = 2;
    }
    if (of == std::string_view::npos || close == std::string_view::npos || of > close ||
        id_at == std::string_view::npos)
        return false;
    std::size_t text_at = m.find('\n', close) + 1;
    std::string_view tail = m.substr(id_at + sep + 16);
    std::size_t path_at = tail.find("\nPath: ");
    data.emplace_back("MessageNumber", std::string(m.substr(kHead.size(), of - kHead.size())));
    data.emplace_back("MessageTotal", std::string(m.substr(of + 4, close - of - 4)));
    data.emplace_back("ScriptBlockText",
                      std::string(m.substr(text_at, id_at > text_at ? id_at - text_at : 0)));
    data.emplace_back("ScriptBlockId", std::string(trim_cr(tail.substr(0, path_at))));
    data.emplace_back("Path", path_at == std::string_view::npos
                                  ? std::string()
                                  : std::string(trim_cr(tail.substr(path_at + 7))));
    return true;
}

}  // namespace

std::vector<std::string_view> winevent_template(std::string_view provider, std::int64_t event_id,
                                                std::int64_t /*version*/, std::size_t count) {
    // Sysmon bumps an event's version when it appends fields, so the field count identifies
    // the version's template as well as the version number does (and survives Select-Object).
    const Template* t = nullptr;
    if (is_sysmon(provider)) {
        for (const auto& s : sysmon_templates())
            if (s.event_id == event_id) t = &s;
    } else if (is_powershell(provider) && event_id == 4104) {
        t = &kScriptBlock;
    }
    if (t == nullptr || count > t->fields.size()) return {};
    std::vector<std::string_view> fields = t->fields;
    for (std::string_view drop : t->added) {
        if (fields.size() == count) break;
        fields.erase(std::remove(fields.begin(), fields.end(), drop), fields.end());
    }
    if (fields.size() != count) return {};
    return fields;
}

bool parse_rendered_message(std::string_view provider, std::int64_t event_id,
                            std::string_view message,
                            std::vector<std::pair<std::string, std::string>>& data) {
    if (is_powershell(provider) && event_id == 4104)
        return parse_script_block_message(message, data);
    if (!is_sysmon(provider)) return false;
    // "Title:\r\nName: value\r\n...": a value spanning lines (a command line with line breaks)
    // continues until the next line that starts with a template name and ": ".
    std::vector<std::string_view> names;
    for (const auto& s : sysmon_templates())
        if (s.event_id == event_id) names = s.fields;
    auto known = [&](std::string_view n) {
        return names.empty() || std::find(names.begin(), names.end(), n) != names.end();
    };
    std::size_t nl = message.find('\n');
    if (nl == std::string_view::npos) return false;
    std::string_view rest = message.substr(nl + 1);
    std::size_t before = data.size();
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = trim_cr(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        std::size_t colon = line.find(": ");
        if (colon == std::string_view::npos && !line.empty() && line.back() == ':')
            colon = line.size() - 1;
        std::string_view name =
            colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
        if (!name.empty() && name.find(' ') == std::string_view::npos && known(name)) {
            data.emplace_back(std::string(name),
                              std::string(line.substr(std::min(line.size(), colon + 2))));
        } else if (data.size() > before) {
            data.back().second += "\r\n";
            data.back().second += line;
        }
    }
    return data.size() > before;
}

}  // namespace attest
