// libFuzzer target for KQL: lexer, parser and compiler (under a mapping with one field of each
// type, so every type's value reader sees fuzzed values), a short evaluation of whatever
// compiles, and the same bytes as a detection-rules TOML of language kuery (filters, threshold).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.h"
#include "expectations/eql/field_types.h"
#include "expectations/kql/kql.h"
#include "expectations/rules.h"
#include "fuzz/value_index_check.h"

namespace {

const char* kMapping = R"({"properties":{
  "kw":{"type":"keyword"},"txt":{"type":"match_only_text"},"ip":{"type":"ip"},"n":{"type":"long"},
  "d":{"type":"date"},"v":{"type":"version"},"b":{"type":"boolean"},"s":{"type":"keyword","null_value":"NONE"},
  "items":{"type":"nested","properties":{"name":{"type":"keyword"},"size":{"type":"long"}}},
  "msg":{"type":"keyword","fields":{"text":{"type":"text"}}}}})";

const attest::eql::QueryOptions& options() {
    static const attest::eql::QueryOptions o = [] {
        attest::eql::QueryOptions q;
        q.types = *attest::eql::FieldTypes::parse_mapping(kMapping, "fuzz-mapping.json");
        q.now_ns = 1767225600000000000LL;
        return q;
    }();
    return o;
}

const std::vector<attest::Event>& sample_events() {
    static const std::vector<attest::Event> events = [] {
        std::vector<attest::Event> v;
        const char* docs[] = {
            R"({"@timestamp":"2026-01-01T00:00:00Z","kw":"a","txt":"New-MailboxExportRequest -Mailbox x","ip":"10.1.2.3","n":5,"d":"2026-01-01T00:00:00Z","v":"1.10.0","b":true,"msg":"Hello, world"})",
            R"({"@timestamp":1767225601000,"kw":["a","b*"],"txt":"r\u00e9sum\u00e9 \ud83d\ude00 don't","ip":"2001:db8::1","n":"7","d":1767225600000,"v":"1.0.0-rc.1","s":null,"items":[{"name":"a","size":9},{"name":"b"}]})",
            R"({"@timestamp":"2026-01-01T00:00:02Z","process":{"name":"x.exe","parent":{"name":"y.exe"}},"user":{"id":"u"},"source":{"ip":"1.1.1.1"},"items":{"name":"a"}})",
        };
        for (const char* d : docs) v.push_back(attest::parse_json_value(d));
        return v;
    }();
    return events;
}

void run(const std::shared_ptr<const attest::eql::Query>& q) {
    attest::eql::MatcherOptions mo;
    mo.collect_diagnostics = true;
    attest::eql::Matcher m(q, mo);
    attest::fuzz::check_value_index(*q, sample_events());
    for (int round = 0; round < 2; ++round)
        for (const auto& e : sample_events()) m.feed(e);
    m.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto q = attest::kql::compile(text, "fuzz.kql", options())) run(*q);
    (void)attest::kql::analyze(text);
    auto rule = attest::eql::parse_rule(text, "fuzz.toml", true);
    if (rule && rule->language == "kuery")
        if (auto c = attest::rules::compile_rule(*rule, options()); c && c->query) run(c->query);
    return 0;
}
