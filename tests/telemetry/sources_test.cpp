// The source table: lookups, its agreement with the collector registry, and that every field
// the normalizers emit on the project's fixtures and the shared samples is declared.
#include "telemetry/sources.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/collectors/collect_helpers.h"
#include "tests/collectors/winevent_test_support.h"

namespace attest::telemetry {
namespace {

TEST(SourceTable, LooksUpByNameDatasetAndCollector) {
    ASSERT_NE(find_source("sysmon"), nullptr);
    EXPECT_EQ(find_source("nope"), nullptr);
    EXPECT_EQ(source_of_dataset("windows.sysmon_operational"), find_source("sysmon"));
    EXPECT_EQ(source_of_dataset("windows.powershell"), find_source("powershell"));
    EXPECT_EQ(source_of_dataset("o365.audit"), find_source("o365"));
    EXPECT_EQ(source_of_dataset("other.dataset"), nullptr);
    EXPECT_TRUE(find_source("o365")->lagging);
    EXPECT_FALSE(find_source("o365")->host_bound);
    EXPECT_TRUE(find_source("mde")->lagging);
    EXPECT_FALSE(find_source("auditd")->lagging);
    auto evtx = sources_of_collector("evtx");
    ASSERT_EQ(evtx.size(), 3u);
    EXPECT_EQ(evtx[0]->name, "sysmon");
    EXPECT_EQ(source_names(), "sysmon, powershell, security, o365, mde, auditd, sysmon_linux");
}

TEST(SourceTable, NamesAndDatasetsAreUnique) {
    std::set<std::string_view> names, datasets;
    for (const SourceSpec* s : all_sources()) {
        EXPECT_TRUE(names.insert(s->name).second) << s->name;
        EXPECT_FALSE(s->datasets.empty()) << s->name;
        for (auto d : s->datasets) EXPECT_TRUE(datasets.insert(d).second) << d;
    }
}

// The formats a source names exist, and every registered format belongs to a source: the
// collector registry and the table cannot drift apart.
TEST(SourceTable, AgreesWithTheCollectorRegistry) {
    const auto& registry = CollectorRegistry::builtin();
    for (const SourceSpec* s : all_sources()) {
        for (auto c : s->collectors) EXPECT_NE(registry.find(c), nullptr) << s->name << ": " << c;
        ASSERT_FALSE(s->live.empty()) << s->name;
        for (const auto& a : s->live) {
            EXPECT_NE(registry.find(a.collector), nullptr) << s->name;
            EXPECT_TRUE(s->produced_by(a.collector))
                << s->name << " live collector " << a.collector;
        }
    }
    for (const auto& info : registry.all())
        EXPECT_FALSE(sources_of_collector(info.name).empty())
            << info.name << " belongs to no source";
}

TEST(SourceTable, FieldsHaveEcsTypesAndDescriptions) {
    const std::set<std::string_view> types = {
        "keyword", "match_only_text", "wildcard",  "long",   "integer", "float", "boolean", "date",
        "ip",      "object",          "flattened", "nested", "text"};
    for (const SourceSpec* s : all_sources()) {
        std::set<std::string_view> seen;
        EXPECT_GT(s->fields.size(), 10u) << s->name;
        for (const auto& f : s->fields) {
            EXPECT_TRUE(seen.insert(f.name).second) << s->name << ": duplicate " << f.name;
            EXPECT_TRUE(types.count(f.type)) << s->name << ": " << f.name << " type " << f.type;
            EXPECT_FALSE(f.description.empty()) << s->name << ": " << f.name;
        }
        for (auto must : {"@timestamp", "event.dataset", "attest.source"})
            EXPECT_NE(s->field(must), nullptr) << s->name << " lacks " << must;
    }
    EXPECT_EQ(find_source("sysmon")->field("process.entity_id")->type, "keyword");
    EXPECT_EQ(find_source("sysmon")->field("source.ip")->type, "ip");
    EXPECT_EQ(find_source("o365")->field("event.category")->type, "keyword");
}

// Leaf paths of an event; arrays of objects count their members' paths.
void leaf_paths(const Value& v, const std::string& prefix, std::set<std::string>& out) {
    if (v.is_object()) {
        for (const auto& m : v.as_object())
            leaf_paths(m.value, prefix.empty() ? m.key : prefix + "." + m.key, out);
    } else if (v.is_array() && !v.as_array().empty() && v.as_array().front().is_object()) {
        for (const auto& x : v.as_array()) leaf_paths(x, prefix, out);
    } else {
        out.insert(prefix);
    }
}

// Native fields (winlog.event_data.*, o365.audit.*, ...) are as open as the source's records;
// the table lists the usual ones. Every other field the normalizer writes must be declared.
bool native(std::string_view path) {
    for (std::string_view p : {"winlog.event_data.", "o365.audit.", "auditd.data.",
                               "auditd.enriched.", "auditd.paths.", "mde.", "dns.answers."})
        if (path.substr(0, p.size()) == p) return true;
    return false;
}

TEST(SourceTable, DeclaresEveryFieldTheNormalizersEmit) {
    std::vector<std::string> files;
    for (const char* dir :
         {"tests/data/t1114", "tests/data/mde", "tests/data/auditd", "examples/telemetry"})
        for (const auto& e : std::filesystem::directory_iterator(dir))
            files.push_back(e.path().string());
    if (testing::shared_data_present())
        for (const char* dir : {"xml", "evtx", "o365"})
            for (const auto& e : std::filesystem::directory_iterator(testing::shared_data(dir)))
                if (e.path().filename().string().rfind("LICENSE", 0) != 0)
                    files.push_back(e.path().string());
    std::size_t checked = 0;
    for (const auto& path : files) {
        auto run = testing::run_collector_on_file(path, "");
        for (const auto& e : run.events) {
            const Value* ds = e.find("event.dataset");
            ASSERT_TRUE(ds && ds->is_string()) << path;
            const SourceSpec* s = source_of_dataset(ds->as_string());
            ASSERT_NE(s, nullptr) << path << ": " << ds->as_string();
            std::set<std::string> paths;
            leaf_paths(e, "", paths);
            for (const auto& p : paths) {
                if (native(p)) continue;
                EXPECT_NE(s->field(p), nullptr)
                    << s->name << " emits undeclared " << p << " (" << path << ")";
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace attest::telemetry
