// `attest check` end to end on a pack whose detections mix EQL, Sigma and KQL, over recorded
// Sysmon telemetry: every language is evaluated in the one pass and reported by name.
#include <gtest/gtest.h>

#include <set>

#include "e2e_support.h"

using namespace attest::test;
using json = nlohmann::json;

namespace {

const json* detection(const json& scenario, const std::string& rule) {
    for (const auto& d : scenario["detections"])
        if (d.value("rule", "") == rule) return &d;
    return nullptr;
}

}  // namespace

TEST(CheckE2E, PackMixingEqlSigmaAndKql) {
    TempDir tmp("check-mixed");
    std::string out = tmp.path + "/out";
    auto r = run_attest(
        {"check", "--pack", ATTEST_SOURCE_DIR "/tests/data/packs/mixed", "--telemetry",
         ATTEST_SOURCE_DIR "/tests/data/t1114/synthetic_s1_sysmon.xml", "--out", out, "--quiet"},
        out);
    ASSERT_TRUE(r.results.is_object()) << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.results["scenarios"].size(), 1u);
    const json& s = r.results["scenarios"][0];
    EXPECT_EQ(s["verdict"], "passed") << s["reason"];
    struct Case {
        const char* rule;
        const char* language;
        const char* verdict;
    };
    const Case cases[] = {
        {"rules/email_files_staged.eql", "eql", "fired"},
        {"rules/powershell_copies_outlook_data.yml", "sigma", "fired"},
        {"rules/powershell_outlook_kuery.toml", "kuery", "fired"},
        {"rules/outlook_exe_kuery.toml", "kuery", "not_fired"},
        {"rules/outlook_data_staged_burst.yml", "sigma", "fired"},  // a correlation
        {"rules/outlook_data_staged_five.yml", "sigma", "not_fired"},
        {"rules/outlook_data_staged_pair.yml", "sigma", "fired"},  // input in another file
    };
    for (const Case& c : cases) {
        const json* d = detection(s, c.rule);
        ASSERT_NE(d, nullptr) << c.rule << "\n" << s["detections"].dump(2);
        EXPECT_EQ((*d)["verdict"], c.verdict) << c.rule << ": " << (*d)["reason"];
        EXPECT_EQ((*d)["passed"], true) << c.rule;
        EXPECT_EQ(d->value("language", "eql"), c.language) << c.rule << "\n" << d->dump(2);
    }
    // The correlation's hit is its group: both staged files, by the one process.
    const json* burst = detection(s, "rules/outlook_data_staged_burst.yml");
    ASSERT_NE(burst, nullptr);
    EXPECT_EQ((*burst)["name"], "Outlook data files staged in bulk");
    EXPECT_EQ((*burst)["level"], "high");
    ASSERT_EQ((*burst)["evidence"].size(), 1u) << burst->dump(2);
    EXPECT_EQ((*burst)["evidence"][0]["events"].size(), 2u) << burst->dump(2);
    const json* pair = detection(s, "rules/outlook_data_staged_pair.yml");
    ASSERT_NE(pair, nullptr);
    ASSERT_EQ((*pair)["evidence"].size(), 1u) << pair->dump(2);
    EXPECT_EQ((*pair)["evidence"][0]["events"].size(), 2u) << pair->dump(2);
    const json* five = detection(s, "rules/outlook_data_staged_five.yml");
    ASSERT_NE(five, nullptr);
    EXPECT_EQ((*five)["reason"],
              "the correlation's condition held for no group of Image ('Outlook data file written "
              "under Temp' matched 2 event(s))");
}

// --rules DIR: every rule in the folder is evaluated beside the pack's detections; those that
// fired are listed (expected "informational"), the others left out, and no verdict changes.
TEST(CheckE2E, RulesFolderListsOtherRulesThatFired) {
    TempDir tmp("check-rules");
    std::string rules = tmp.path + "/rules";
    std::filesystem::create_directories(rules);
    for (const char* f : {"email_files_staged.eql", "powershell_copies_outlook_data.yml",
                          "powershell_outlook_kuery.toml", "outlook_exe_kuery.toml"})
        std::filesystem::copy_file(
            std::string(ATTEST_SOURCE_DIR "/tests/data/packs/mixed/rules/") + f, rules + "/" + f);
    write_text(rules + "/nested/broken.eql", "process where process.name == \n");
    const std::string telemetry = ATTEST_SOURCE_DIR "/tests/data/t1114/synthetic_s1_sysmon.xml";
    auto plain = run_attest({"check", "--pack", ATTEST_SOURCE_DIR "/scenarios/t1114", "--telemetry",
                             telemetry, "--scenario", "T1114.001-1", "--out", tmp.path + "/plain"},
                            tmp.path + "/plain");
    auto r = run_attest(
        {"check", "--pack", ATTEST_SOURCE_DIR "/scenarios/t1114", "--telemetry", telemetry,
         "--scenario", "T1114.001-1", "--rules", rules, "--out", tmp.path + "/out"},
        tmp.path + "/out");
    ASSERT_TRUE(r.results.is_object()) << r.err;
    ASSERT_TRUE(plain.results.is_object()) << plain.err;
    EXPECT_EQ(r.exit_code, plain.exit_code) << r.err;
    const json& s = r.results["scenarios"][0];
    EXPECT_EQ(s["verdict"], plain.results["scenarios"][0]["verdict"]);
    std::vector<std::string> informational;
    for (const auto& d : s["detections"])
        if (d["expected"] == "informational") {
            informational.push_back(d["rule"].get<std::string>().substr(rules.size() + 1));
            EXPECT_EQ(d["verdict"], "fired");
            EXPECT_EQ(d["passed"], true);
        }
    EXPECT_EQ(informational, (std::vector<std::string>{"email_files_staged.eql",
                                                       "powershell_copies_outlook_data.yml",
                                                       "powershell_outlook_kuery.toml"}));
    EXPECT_NE(r.err.find("broken.eql"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--rules: 4 rule(s) evaluated beside the pack's detections, 1 left out"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("other rules that fired: email_files_staged.eql (2 hits), PowerShell "
                         "Copies Outlook Data Files (1 hit)"),
              std::string::npos)
        << r.out;

    auto missing =
        run_attest({"check", "--pack", ATTEST_SOURCE_DIR "/scenarios/t1114", "--telemetry",
                    telemetry, "--rules", tmp.path + "/nope", "--out", tmp.path + "/none"},
                   tmp.path + "/none");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("--rules " + tmp.path + "/nope: no such file or directory"),
              std::string::npos)
        << missing.err;
}

namespace {

// Two tests over the recorded auditd log of two interleaved process trees
// (tests/data/lineage/): A is tree A, B tree B with a command that also runs `tar`, which the
// tree never did. Only A has hand-written expectations.
const char* kGuidA = "0c7d8f0e-5555-4a5b-9c3d-00000000000a";
const char* kGuidB = "0c7d8f0e-5555-4a5b-9c3d-00000000000b";

std::string lineage_pack(const std::string& dir, bool baseline) {
    std::string tests;
    for (const auto& [guid, command] :
         {std::pair{kGuidA, "ls / >/dev/null; (sleep 0.3; cat /etc/hostname >/dev/null) &"},
          std::pair{kGuidB, "ls / >/dev/null\\nid >/dev/null\\ntar -cf /tmp/x.tar /etc/hostname"}})
        tests += std::string("- name: tree ") + guid[35] + "\n  auto_generated_guid: " + guid +
                 "\n  description: a recorded tree\n  supported_platforms: [linux]\n"
                 "  executor: {name: bash, command: \"" +
                 command + "\"}\n";
    write_text(dir + "/atomics/T1059.004/T1059.004.yaml",
               "attack_technique: T1059.004\ndisplay_name: Unix Shell\natomic_tests:\n" + tests);
    write_text(dir + "/expectations.yaml",
               std::string("version: 1\n") + (baseline ? "baseline: true\n" : "") +
                   "scenarios:\n  " + kGuidA +
                   ":\n    expectations:\n    - id: a-uname\n      description: uname in the "
                   "tree\n      source: auditd\n      query: process where process.name == "
                   "\"uname\"\n      lineage: true\n");
    return dir;
}

std::set<std::string> baseline_programs(const json& scenario) {
    std::set<std::string> programs;
    for (const auto& e : scenario["expectations"])
        if (e.value("baseline", false)) {
            std::string id = e["id"];
            programs.insert(id.substr(id.rfind('.') + 1));
        }
    return programs;
}

}  // namespace

// `baseline: true`: check derives the baseline of every test, also those the expectations file
// does not mention, from their command text (the step run uses), and reports their coverage.
TEST(CheckE2E, BaselineTrueDerivesExpectationsForEveryTest) {
    const std::string data = ATTEST_SOURCE_DIR "/tests/data/lineage/";
    const std::string log = data + "auditd_two_trees.log";
    auto anchors = json::parse(read_text(data + "auditd_two_trees.json"))["anchors"];
    TempDir tmp("check-baseline");
    auto scenario = [&](const char* guid, const json& a) {
        return json{{"guid", guid},
                    {"start", a["start"]},
                    {"end", a["end"]},
                    {"executor_pid", a["executor_pid"]}};
    };
    json info = {{"host", "vm"},
                 {"collected", {"auditd"}},
                 {"scenarios", {scenario(kGuidA, anchors[0]), scenario(kGuidB, anchors[1])}}};
    write_text(tmp.path + "/run.json", info.dump());
    std::string pack = lineage_pack(tmp.path + "/pack", true);
    auto r = run_attest({"check", "--pack", pack, "--telemetry", log, "--run-info",
                         tmp.path + "/run.json", "--out", tmp.path + "/out"},
                        tmp.path + "/out");
    ASSERT_TRUE(r.results.is_object()) << r.err;
    struct Case {
        const char* guid;
        const char* coverage;
        std::set<std::string> programs;  // the derived exec expectations
    };
    const Case cases[] = {
        {kGuidA, "validated", {"bash", "ls", "sleep", "cat"}},
        {kGuidB, "partial", {"bash", "ls", "id", "tar"}},
    };
    ASSERT_EQ(r.results["scenarios"].size(), 2u) << r.out;
    for (const Case& c : cases) {
        const json* s = nullptr;
        for (const auto& one : r.results["scenarios"])
            if (one["guid"] == c.guid) s = &one;
        ASSERT_NE(s, nullptr) << c.guid;
        for (const auto& e : (*s)["expectations"]) {
            if (!e.value("baseline", false)) continue;
            EXPECT_EQ(e["source"], "auditd") << e.dump();  // only the collected sensor
            bool seen = e["verdict"] == "observed";
            EXPECT_EQ(seen, e["id"] != "baseline.auditd.exec.tar") << c.guid << " " << e.dump(2);
        }
        EXPECT_EQ(baseline_programs(*s), c.programs) << c.guid;
        EXPECT_EQ((*s)["coverage"]["verdict"], c.coverage) << (*s)["coverage"].dump();
    }
    EXPECT_NE(r.out.find("coverage: 1 validated, 1 partial"), std::string::npos) << r.out;

    // Without run info, `baseline: true` selects every test of the pack, not only those with
    // hand-written expectations; without it only those, and only against what is written.
    for (bool baseline : {true, false}) {
        std::string dir = tmp.path + (baseline ? "/all" : "/plain");
        pack = lineage_pack(dir, baseline);
        auto all = run_attest({"check", "--pack", pack, "--telemetry", log, "--out", dir + "/out"},
                              dir + "/out");
        ASSERT_TRUE(all.results.is_object()) << all.err;
        ASSERT_EQ(all.results["scenarios"].size(), baseline ? 2u : 1u) << all.out;
        for (const auto& s : all.results["scenarios"])
            EXPECT_EQ(baseline_programs(s).empty(), !baseline) << s.dump(2).substr(0, 2000);
    }
}
