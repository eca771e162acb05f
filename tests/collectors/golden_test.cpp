// Golden files: for every shared sample (../shared/data: XML, EVTX, JSON renderings, OTRF,
// O365) and the project's own fixtures, the events `attest events FILE` prints (the same
// registry detection and JSON writer, run in process) are compared with a committed NDJSON
// under tests/data/golden/. A difference fails and names the first differing field.
//
// Regenerate after an intended change: ATTEST_UPDATE_GOLDEN=1 ctest -R Golden
// (or scripts/update-golden.sh), then review the diff before committing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/json_stream.h"
#include "core/collector.h"
#include "core/json_buffer.h"
#include "tests/collectors/event_diff.h"

namespace attest {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
    std::string input;   // relative to the project root
    std::string golden;  // file name under tests/data/golden/
};

std::string golden_name(const fs::path& input) {
    std::string parent = input.parent_path().filename().string();
    std::string name = parent + "__" + input.filename().string() + ".ndjson";
    for (char& c : name)
        if (c == ' ') c = '_';
    return name;
}

// Every sample file of the shared folders and the project's fixture folders (so a new sample
// cannot be left without a golden file).
std::vector<GoldenCase> golden_cases() {
    std::vector<GoldenCase> cases;
    const char* shared[] = {"../shared/data/xml", "../shared/data/evtx", "../shared/data/json",
                            "../shared/data/otrf", "../shared/data/o365"};
    const char* own[] = {"tests/data/mde", "tests/data/t1114", "tests/data/auditd",
                         "tests/data/formats"};
    auto add_dir = [&](const std::string& dir) {
        if (!fs::is_directory(dir)) return;
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir)) {
            std::string ext = entry.path().extension().string();
            std::string name = entry.path().filename().string();
            if (!entry.is_regular_file() || ext == ".py" || ext == ".md" ||
                name.rfind("LICENSE", 0) == 0 || name.find(".bad.") != std::string::npos)
                continue;
            files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) cases.push_back({f.generic_string(), golden_name(f)});
    };
    for (const char* d : shared) add_dir(d);
    for (const char* d : own) add_dir(d);
    return cases;
}

std::string events_output(const std::string& path, std::string& diagnostics) {
    CollectorOptions options;
    options.threads = 1;
    std::ostringstream diag;
    DiagnosticSink sink([&diag](const Diagnostic& d) { diag << d.format() << "\n"; });
    auto collector = CollectorRegistry::builtin().open(path, "", options, sink);
    if (!collector) {
        diagnostics = collector.error().message;
        return {};
    }
    JsonBuffer buf;
    Event e;
    while ((*collector)->next(e)) {
        e.append_json(buf);
        buf.push_back('\n');
    }
    diagnostics = diag.str();
    return std::string(buf.data(), buf.size());
}

std::string describe_difference(const std::string& actual, const std::string& golden) {
    std::istringstream a(actual), g(golden);
    std::string la, lg;
    for (std::size_t line = 1;; ++line) {
        bool ha = static_cast<bool>(std::getline(a, la)),
             hg = static_cast<bool>(std::getline(g, lg));
        if (!ha && !hg) return {};
        if (ha != hg)
            return "event " + std::to_string(line) + (ha ? ": extra event" : ": event missing");
        if (la == lg) continue;
        Value va, vg;
        std::string error;
        std::size_t off;
        if (!parse_json_record(la, va, error, off) || !parse_json_record(lg, vg, error, off))
            return "event " + std::to_string(line) + ": not JSON";
        return "event " + std::to_string(line) + ": first difference at " +
               testing_support::first_difference(va, vg);
    }
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, EventsMatchCommittedNdjson) {
    const GoldenCase& c = GetParam();
    if (c.input.rfind("../shared/", 0) == 0 && !fs::is_directory("../shared/data"))
        GTEST_SKIP() << "../shared/data is absent (shared samples are not part of a fresh clone)";
    std::string diagnostics;
    std::string actual = events_output(c.input, diagnostics);
    std::string golden_path = "tests/data/golden/" + c.golden;
    if (std::getenv("ATTEST_UPDATE_GOLDEN") != nullptr) {
        fs::create_directories("tests/data/golden");
        std::ofstream(golden_path, std::ios::binary) << actual;
        GTEST_SKIP() << "golden file written: " << golden_path;
    }
    std::ifstream in(golden_path, std::ios::binary);
    ASSERT_TRUE(in) << golden_path << " is missing: run ATTEST_UPDATE_GOLDEN=1 ctest -R Golden";
    std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(actual.empty()) << c.input << " gave no events; diagnostics:\n" << diagnostics;
    std::string diff = describe_difference(actual, golden);
    EXPECT_TRUE(diff.empty())
        << c.input << " vs " << golden_path << ": " << diff
        << "\n(regenerate with ATTEST_UPDATE_GOLDEN=1 if the change is intended)";
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
    std::string n = std::to_string(info.index) + "_" + info.param.golden;
    for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(AllSamples, Golden, ::testing::ValuesIn(golden_cases()), case_name);

}  // namespace
}  // namespace attest
