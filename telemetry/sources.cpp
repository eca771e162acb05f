#include "telemetry/sources.h"

#include "telemetry/sources/builtin.h"

namespace attest::telemetry {

std::string_view acquisition_key(Acquisition kind) {
    switch (kind) {
        case Acquisition::LogFile:
            return "log";
        case Acquisition::WindowsChannel:
            return "channel";
        case Acquisition::ExportedFile:
            return "file";
        case Acquisition::O365Api:
            return "api";
        case Acquisition::Elasticsearch:
            return "elastic";
    }
    return "?";
}

std::string_view acquisition_description(Acquisition kind) {
    switch (kind) {
        case Acquisition::LogFile:
            return "log file on the target, read from the offset noted before the run";
        case Acquisition::WindowsChannel:
            return "Windows event log channel on the target (wevtutil qe)";
        case Acquisition::ExportedFile:
            return "exported file on this machine";
        case Acquisition::O365Api:
            return "Office 365 Management Activity API";
        case Acquisition::Elasticsearch:
            return "Elasticsearch: the scenario's window of ECS documents (point in time)";
    }
    return "?";
}

const LiveAcquisition* SourceSpec::acquisition(Acquisition kind) const {
    for (const auto& a : live)
        if (a.kind == kind) return &a;
    return nullptr;
}

const FieldSpec* SourceSpec::field(std::string_view field_name) const {
    for (const auto& f : fields)
        if (f.name == field_name) return &f;
    return nullptr;
}

bool SourceSpec::produced_by(std::string_view collector) const {
    for (auto c : collectors)
        if (c == collector) return true;
    return false;
}

const std::vector<const SourceSpec*>& all_sources() {
    static const std::vector<const SourceSpec*> table = {
        &sysmon_source(), &powershell_source(), &security_source(),     &o365_source(),
        &mde_source(),    &auditd_source(),     &sysmon_linux_source(),
    };
    return table;
}

const SourceSpec* find_source(std::string_view name) {
    for (const SourceSpec* s : all_sources())
        if (s->name == name) return s;
    return nullptr;
}

const SourceSpec* source_of_dataset(std::string_view dataset) {
    for (const SourceSpec* s : all_sources())
        for (auto d : s->datasets)
            if (d == dataset) return s;
    return nullptr;
}

std::vector<const SourceSpec*> sources_of_collector(std::string_view collector) {
    std::vector<const SourceSpec*> out;
    for (const SourceSpec* s : all_sources())
        if (s->produced_by(collector)) out.push_back(s);
    return out;
}

std::string source_names() {
    std::string out;
    for (const SourceSpec* s : all_sources()) {
        if (!out.empty()) out += ", ";
        out += s->name;
    }
    return out;
}

}  // namespace attest::telemetry
