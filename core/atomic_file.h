// The one atomic file writer: results.json, reports, the journal, run info and fetched
// telemetry are all written through it.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/expected.h"

namespace attest {

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed and
// renamed over the target, so readers (a CI job, a browser refreshing) never see half a file.
Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace attest
