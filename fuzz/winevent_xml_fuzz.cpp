// libFuzzer target for Windows event XML: the bytes are read as a file by the winevent_xml
// collector (encoding detection, UTF-16 transcoding, event framing, pugixml record parsing,
// WinEvent->ECS mapping, 4104 reassembly) and by sysmon_linux (syslog lines), and given
// directly to the record parser and to the command-line splitter. Nothing may crash, hang or
// grow without bound.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/windows_args.h"
#include "collectors/winevent_xml_reader.h"
#include "core/collector.h"
#include "fuzz/collect_as_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace attest;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    split_windows_command_line(text.substr(0, 4096));

    {
        static WinEventXmlParser parser;
        WinEventRecord record;
        WinEventXmlParser::Failure failure;
        std::vector<char> copy(text.begin(), text.end());  // exact size: ASan sees overreads
        if (!copy.empty()) parser.parse(copy.data(), copy.size(), record, failure);
        find_invalid_utf8(text);
    }

    fuzz::collect_as_file(data, size, [](const auto& read) {
        for (const char* source : {"winevent_xml", "sysmon_linux"})
            for (bool original : {false, true}) {
                CollectorOptions options;
                options.include_original = original;
                read(source, options);
            }
    });
    return 0;
}
