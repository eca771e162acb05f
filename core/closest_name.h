// The one did-you-mean of the project: commands, options and rule fields (at validation and
// at evaluation time) suggest their nearest known name through it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attest {

// The candidate closest to `word` by edit distance, when close enough to be a likely typo
// ("chek" -> "check", "pakc" -> "pack", "process.nme" -> "process.name"); empty otherwise.
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace attest
