// libFuzzer target for Windows event XML: the bytes are read as a file by the winevent_xml
// collector (encoding detection, UTF-16 transcoding, event framing, pugixml record parsing,
// WinEvent->ECS mapping, 4104 reassembly) and by sysmon_linux (syslog lines), and given
// directly to the record parser and to the command-line splitter. Nothing may crash, hang or
// grow without bound.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/windows_args.h"
#include "collectors/winevent_xml_reader.h"
#include "core/collector.h"

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

    int fd = memfd_create("attest_winevent_xml_fuzz", 0);
    if (fd < 0) return 0;
    if (write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    DiagnosticSink sink;
    sink.set_keep_limit(16);
    for (const char* source : {"winevent_xml", "sysmon_linux"}) {
        for (Profile profile : {Profile::Sysmon, Profile::Endpoint}) {
            CollectorOptions options;
            options.profile = profile;
            options.include_original = profile == Profile::Endpoint;
            auto collector = CollectorRegistry::builtin().open(path, source, options, sink);
            if (!collector) continue;
            Event e;
            std::string out;
            while ((*collector)->next(e)) {
                out.clear();
                e.append_json(out);
            }
        }
    }
    close(fd);
    return 0;
}
