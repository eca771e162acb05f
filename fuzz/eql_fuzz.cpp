// libFuzzer target for the EQL front end: lexer, parser, checks and compiler, then a short
// evaluation of whatever compiles (so the compiled predicates, patterns and the sequence
// machine see fuzzed queries too), and the detection-rules TOML reader on the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/rule.h"

namespace {

const std::vector<attest::Event>& sample_events() {
    static const std::vector<attest::Event> events = [] {
        std::vector<attest::Event> v;
        const char* docs[] = {
            R"({"@timestamp":"2026-01-01T00:00:00Z","event":{"category":["process"],"action":"start"},"host":{"name":"h"},"process":{"name":"cmd.exe","pid":4,"args":["/c","dir"],"entity_id":"{1}"},"user":{"name":"bob"}})",
            R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":["file"],"action":"creation"},"host":{"name":"h"},"file":{"path":"C:\\a\\b.pst","extension":"pst"},"process":{"name":"powershell.exe","entity_id":"{1}"}})",
            R"({"@timestamp":1767225602000,"event":{"category":"network"},"host":{"name":"h2"},"source":{"ip":"10.0.0.1","port":443},"x":null})",
            R"({"@timestamp":"2026-01-01T00:00:03Z","event":{"category":["process"]},"host":{"name":"h"},"process":{"name":"cmd.exe","pid":5,"entity_id":"{1}"}})",
            // non-ASCII text: 2-byte and 4-byte UTF-8 (UTF-16 surrogate pair) for the string functions
            R"({"@timestamp":"2026-01-01T00:00:04Z","event":{"category":["file"]},"host":{"name":"h"},"file":{"name":"r\u00e9sum\u00e9-\ud83d\ude00.pst","extension":"pst"},"process":{"name":"\u00c9XCEL.exe","entity_id":"{1}"}})",
        };
        for (const char* d : docs) v.push_back(attest::parse_json_value(d));
        return v;
    }();
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto q = attest::eql::compile(text, "fuzz.eql", {});
    if (q) {
        attest::eql::MatcherOptions mo;
        mo.collect_diagnostics = true;
        attest::eql::Matcher m(*q, mo);
        for (int round = 0; round < 2; ++round)
            for (const auto& e : sample_events()) m.feed(e);
        m.finish();
    }
    auto rule = attest::eql::parse_rule(text, "fuzz.toml", true);
    if (rule) (void)attest::eql::compile_rule(*rule, {});
    return 0;
}
