// libFuzzer target for the o365, mde, auditd, sentinel and ndjson collectors and their shared
// readers: the bytes are read as a file by each of them (JSON record scanner + parser, CSV table,
// audit line parser, serial grouping, ECS mapping) and given directly to the record parser and
// the audit line parser. Nothing may crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <string>

#include "collectors/auditd.h"
#include "collectors/csv.h"
#include "collectors/json_stream.h"
#include "core/collector.h"
#include "fuzz/collect_as_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace attest;
    std::string_view text(reinterpret_cast<const char*>(data), size);

    Value v;
    std::string error;
    std::size_t offset = 0;
    parse_json_record(text, v, error, offset);

    auditd::AuditRecord record;
    std::size_t column = 0;
    auditd::parse_audit_line(text.substr(0, text.find('\n')), record, error, column);
    auditd::decode_saddr(text.substr(0, 256));

    std::vector<std::string> fields;
    CsvReader::split(text.substr(0, 4096), fields);

    fuzz::collect_as_file(data, size, [](const auto& read) {
        for (const char* source : {"o365", "mde", "auditd", "sentinel", "ndjson"})
            read(source, CollectorOptions{});
    });
    return 0;
}
