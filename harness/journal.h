// The run journal: results.json rewritten after every finished scenario (write to a
// temporary file, fsync, rename), so a crash or a kill keeps every finished scenario, and a
// log file beside it. Secrets are masked before anything is written.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/expected.h"
#include "core/value.h"

namespace attest::run {

// Replaces every occurrence of a secret value with "********". Thread-safe: secrets are
// added on the runner's io thread while journal writes mask on the blocking pool.
class Masker {
public:
    void add(const std::string& secret);
    std::string mask(std::string text) const;
    void mask(Value& value) const;  // every string, recursively (keys stay)
    bool empty() const;

private:
    std::string mask_text(std::string text) const;
    void mask_value(Value& value) const;
    mutable std::shared_mutex m_mutex;
    std::vector<std::string> m_secrets;  // longest first, so overlapping secrets mask whole
};

class Journal {
public:
    // Creates `out_dir` if needed and opens OUT_DIR/run.log.
    static Expected<std::unique_ptr<Journal>> open(const std::string& out_dir, const Masker* masker);
    ~Journal();

    // Adds a finished scenario and rewrites results.json with `run` as the run object.
    Expected<void> add(Value scenario, const Value& run);
    // Rewrites results.json (e.g. with the final run object).
    Expected<void> flush(const Value& run);
    std::vector<Value> scenarios() const;

    void log(const std::string& line);  // timestamped, masked, to run.log
    const std::string& dir() const { return m_dir; }
    std::string results_path() const { return m_dir + "/results.json"; }

private:
    Journal() = default;
    Expected<void> write_locked(const Value& run);

    mutable std::mutex m_mutex;
    std::string m_dir;
    const Masker* m_masker = nullptr;
    std::FILE* m_log = nullptr;
    std::vector<Value> m_scenarios;
};

}  // namespace attest::run
