// Scenario packs: a folder with Atomic Red Team tests, an expectations file keyed by test
// GUID, and detection rules (docs/packs.md).
//
//   PACK/atomics/TXXXX/TXXXX.yaml   (or TXXXX/TXXXX.yaml, or *.yaml directly in PACK)
//   PACK/expectations.yaml          (optional: a stock atomics folder is a pack without it)
//   PACK/rules/*.eql                (named by detections)
//   PACK/lab/...                    (files the runner ships to the lab, e.g. auditd.rules)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "expectations/spec.h"
#include "scenarios/atomic.h"
#include "scenarios/problems.h"

namespace attest::scenarios {

struct Pack {
    std::string root;
    std::string name;            // expectations.yaml `name`, else the folder name
    std::string atomics_folder;  // what PathToAtomicsFolder stands for
    std::vector<AtomicFile> files;
    // Per test GUID; tests without an entry have no expectations (stock atomics).
    std::map<std::string, expectations::ScenarioChecks> checks;
    std::vector<std::string> lab_files;  // relative paths under lab/
    // `mapping:` (an Elasticsearch index mapping, relative to the pack): field types for every
    // query of the pack; null: ECS types.
    std::shared_ptr<const eql::FieldTypes> mapping;
    // `defaults.window`: also the window of the --rules DIR rules (none: the execution itself).
    std::optional<expectations::Window> default_window;
    // --rules DIR: rules evaluated beside every scenario's own detections (informational).
    std::vector<expectations::DetectionSpec> extra_detections;
    // `baseline: true` at the top of expectations.yaml: baseline expectations beside the
    // hand-written ones for every test (a test the file does not mention always gets them).
    bool baseline = false;

    std::vector<const AtomicTest*> tests() const;
    // The one test `key` names: its GUID or a unique GUID prefix (4+ characters), its
    // technique and 1-based number in the technique's file ("T1005-2", as
    // Invoke-AtomicTest -TestNumbers), or its name (case-insensitive). The error says whether
    // nothing matched (with the closest name) or which tests an ambiguous key matches.
    Expected<const AtomicTest*> select_test(std::string_view key) const;
    // select_test() without the message: null when no single test matches.
    const AtomicTest* find_test(std::string_view guid_or_name) const;
    // The checks of a test, completed with its name, technique and platforms (empty checks
    // for a test the expectations file does not mention).
    expectations::ScenarioChecks checks_for(const AtomicTest& test) const;
};

// Loads a pack (or a stock atomics folder, or a single atomics YAML file). Every problem goes
// to `problems`; the pack holds whatever could be loaded. Error when `path` does not exist.
Expected<Pack> load_pack(const std::string& path, Problems& problems);

}  // namespace attest::scenarios

namespace attest::scenarios {

// `--rules DIR`: every rule file under DIR (recursively: .eql, detection-rules .toml in EQL or
// KQL, Sigma .yml/.yaml) as an informational detection for every scenario, read as the pack's
// own detections are, over `window` (the pack's default). Files that do not load are left out, each
// listed in `errors`
// ("file: message"). An error when DIR does not exist.
Expected<std::vector<expectations::DetectionSpec>> rule_folder_detections(
    const std::string& dir, const std::optional<expectations::Window>& window,
    std::vector<std::string>& errors);

// Compiles every expectation query (after substituting the test's default arguments and
// sample run facts) and every detection rule; compile errors become E130 problems at the
// expectation's / detection's position.
void check_pack_queries(const Pack& pack, Problems& problems);

}  // namespace attest::scenarios
