// Fuzzes the pack loader (atomics YAML and expectations.yaml, with every cross-check), the
// EQL placeholder substitution and the event.action literal scanner. Expected: problems
// reported, never a crash or a hang.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "expectations/engine.h"
#include "scenarios/pack.h"

namespace {
namespace fs = std::filesystem;

const fs::path& scratch() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("attest_packs_fuzz_" + std::to_string(::getpid()));
        fs::create_directories(d / "atomics" / "T1000");
        return d;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    // The same bytes as an atomics file and as an expectations file of one pack.
    {
        std::ofstream(scratch() / "atomics" / "T1000" / "T1000.yaml", std::ios::binary | std::ios::trunc) << text;
        std::ofstream(scratch() / "expectations.yaml", std::ios::binary | std::ios::trunc) << text;
        attest::scenarios::Problems problems;
        auto pack = attest::scenarios::load_pack(scratch().string(), problems);
        if (pack) {
            attest::scenarios::check_pack_queries(*pack, problems);
            for (const auto* t : pack->tests()) (void)attest::scenarios::resolve_test(*t, {}, "/atomics");
        }
        problems.attach_source_lines();
        for (const auto& p : problems.items()) (void)p.format();
    }
    // As a query with placeholders: substituted values never change its structure.
    const std::map<std::string, std::string> args = {{"a", "x\" or true or \""}, {"b", "\\\n\x01*"}};
    const std::map<std::string, std::string> facts = {{"run.host", "H\"\\"}, {"run.start", "2026-01-01T00:00:00Z"}};
    auto q = attest::expectations::substitute_query(text, args, facts);
    if (q && q->size() < 8192) (void)attest::eql::compile(*q, "fuzz", {});
    (void)attest::expectations::event_action_literals(text);
    return 0;
}
