// Where rendered reports go. A sink knows nothing about formats.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/expected.h"

namespace attest::reports {

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed and
// renamed over the target, so readers (a CI job, a browser refreshing) never see half a file.
Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace attest::reports
