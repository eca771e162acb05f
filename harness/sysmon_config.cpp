#include "harness/sysmon_config.h"

#include <cctype>
#include <sstream>

#include "core/text.h"

namespace attest::run {
namespace {

// Sysmon's event types as its configuration (and `-c`) names them. `by_default`: logged when
// the configuration has no rule for the type (Sysmon's defaults); the others are logged only
// where a rule group includes something or excludes. Network connections and image loads
// follow their own switches in the header.
struct EventType {
    std::string_view name;
    std::vector<int> ids;
    bool by_default;
};
const std::vector<EventType> kEventTypes = {
    {"ProcessCreate", {1}, true},
    {"FileCreateTime", {2}, true},
    {"NetworkConnect", {3}, true},
    {"ProcessTerminate", {5}, true},
    {"DriverLoad", {6}, true},
    {"ImageLoad", {7}, true},
    {"CreateRemoteThread", {8}, false},
    {"RawAccessRead", {9}, true},
    {"ProcessAccess", {10}, false},
    {"FileCreate", {11}, false},
    {"RegistryEvent", {12, 13, 14}, false},
    {"FileCreateStreamHash", {15}, false},
    {"PipeEvent", {17, 18}, false},
    {"WmiEvent", {19, 20, 21}, false},
    {"DnsQuery", {22}, true},
    {"FileDelete", {23}, false},
    {"ClipboardChange", {24}, false},
    {"ProcessTampering", {25}, false},
    {"FileDeleteDetected", {26}, false},
    {"FileBlockExecutable", {27}, false},
    {"FileBlockShredding", {28}, false},
    {"FileExecutableDetected", {29}, false},
};

// The header switches that turn an event type off whatever its rules.
struct Switch {
    std::string_view label;  // " - Network connection:            disabled"
    int id;
};
const Switch kSwitches[] = {{"Network connection:", 3}, {"Image loading:", 7}};

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

struct RuleGroups {
    std::map<std::string, bool> logs;  // event type -> some rule group logs something
    bool any = false;                  // "Rule configuration" seen
};

// " - FileCreate   onmatch: include   combine rules using 'Or'" opens a group; indented lines
// under it are its filters. An include group without filters includes nothing.
RuleGroups read_rule_groups(std::istringstream& in) {
    RuleGroups out;
    std::string current;
    bool include_without_filters = false;
    auto close = [&] {
        if (!current.empty()) out.logs[current] = out.logs[current] || !include_without_filters;
        current.clear();
    };
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind(" - ", 0) == 0) {
            close();
            std::istringstream words(line.substr(3));
            std::string onmatch_label, onmatch;
            words >> current >> onmatch_label >> onmatch;
            include_without_filters = onmatch == "include";
        } else if (!current.empty() && !trim(line).empty()) {
            include_without_filters = false;  // a filter of the open group
        }
    }
    close();
    return out;
}

std::string ids_text(const std::vector<int>& ids) {
    std::string out;
    for (int id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
    return out;
}

}  // namespace

const char* const kSysmonConfigScript =
    "$s = Get-Service -Name Sysmon64,Sysmon -ErrorAction SilentlyContinue | Select-Object -First "
    "1\r\n"
    "if (-not $s) { [Console]::Error.WriteLine('no Sysmon service'); exit 3 }\r\n"
    "$exe = Join-Path $env:SystemRoot ($s.Name + '.exe')\r\n"
    "if (-not (Test-Path $exe)) { [Console]::Error.WriteLine(\"$exe not found\"); exit 3 }\r\n"
    "& $exe -accepteula -c\r\nexit $LASTEXITCODE\r\n";

SysmonCoverage SysmonCoverage::parse(std::string_view text) {
    SysmonCoverage c;
    std::istringstream in{std::string(text)};
    bool no_rules = false;
    RuleGroups groups;
    for (std::string line; std::getline(in, line);) {
        if (line.find("Current configuration:") != std::string::npos) c.known = true;
        for (const Switch& s : kSwitches)
            if (auto at = line.find(s.label);
                at != std::string::npos && trim(line.substr(at + s.label.size())) == "disabled")
                c.off[s.id] = std::string(s.label.substr(0, s.label.size() - 1)) +
                              " is disabled in the active Sysmon configuration (sysmon -c)";
        if (trim(line) == "No rules installed") no_rules = true;
        if (line.rfind("Rule configuration", 0) == 0) {
            groups = read_rule_groups(in);
            groups.any = true;
        }
    }
    if (!c.known || (!no_rules && !groups.any)) return SysmonCoverage{};
    for (const EventType& t : kEventTypes) {
        auto it = groups.logs.find(std::string(t.name));
        std::string why;
        if (it != groups.logs.end() && !it->second)
            why = "the active Sysmon configuration includes nothing for " + std::string(t.name) +
                  " (an include rule group without filters, sysmon -c)";
        else if (it == groups.logs.end() && !t.by_default)
            why = no_rules ? "Sysmon runs its default configuration (no rules installed, sysmon "
                             "-c), which does "
                             "not log " +
                                 std::string(t.name)
                           : "the active Sysmon configuration has no " + std::string(t.name) +
                                 " rule (sysmon -c), so it is not logged";
        if (why.empty()) continue;
        for (int id : t.ids) c.off.try_emplace(id, why + " (event " + ids_text(t.ids) + ")");
    }
    return c;
}

std::vector<int> sysmon_event_ids(std::string_view query) {
    std::vector<int> ids;
    for (std::size_t at = query.find("event.code"); at != std::string_view::npos;
         at = query.find("event.code", at + 1)) {
        // The operand: one string literal, or a parenthesized list of them.
        std::size_t i = at + 10;
        while (i < query.size() &&
               (std::isspace(static_cast<unsigned char>(query[i])) ||
                std::string_view("=:in~").find(query[i]) != std::string_view::npos))
            ++i;
        std::size_t end =
            i < query.size() && query[i] == '(' ? query.find(')', i) : query.find('"', i + 1);
        if (end == std::string_view::npos) break;
        std::string_view operand = query.substr(i, end - i + 1);
        for (std::size_t q = operand.find('"'); q != std::string_view::npos;
             q = operand.find('"', q + 1)) {
            std::size_t close = operand.find('"', q + 1);
            if (close == std::string_view::npos) break;
            std::string literal(operand.substr(q + 1, close - q - 1));
            if (!literal.empty() && literal.size() < 4 &&
                literal.find_first_not_of("0123456789") == std::string::npos)
                ids.push_back(std::stoi(literal));
            q = close;
        }
    }
    if (!ids.empty()) return ids;
    std::istringstream in{std::string(query)};
    std::string category;
    in >> category;
    category = ascii_lowercase(category);
    if (category == "library") return {7};
    if (category == "registry") return {12, 13, 14};
    return {};
}

std::string sysmon_not_logged_reason(const expectations::ExpectationSpec& spec,
                                     const SysmonCoverage& coverage) {
    if (!coverage.known) return {};
    std::vector<int> ids = sysmon_event_ids(spec.query);
    if (ids.empty()) return {};
    for (int id : ids)
        if (!coverage.off.count(id)) return {};
    return coverage.off.at(ids.front());
}

}  // namespace attest::run
