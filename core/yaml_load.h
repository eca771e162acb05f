// The one way attest reads YAML (Sigma rules, atomics, expectations, lab files): yaml-cpp 0.7
// (Debian 12), with the two holes found by fuzzing closed.
// - `YAML::LoadAll` never returns when a document ends before a token that cannot start a node
//   at the top level (`    sel:\n,ogsource:`, `!a,b`, `[a],b`, `!a b\n? c`, NUL bytes): the
//   parser starts the next document on the same token, forever. load_yaml drives the parser
//   itself, and a document that starts where the previous one did is the error, at that token.
// - Control characters YAML does not allow (1.2, 5.1) are read silently; they are refused.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attest {

struct YamlError {
    std::uint64_t line = 0;    // 1-based; 0 when unknown
    std::uint64_t column = 0;  // 1-based; 0 when unknown
    std::string message;
};

struct YamlDocuments {
    std::vector<YAML::Node> documents;  // empty when `error` is set
    std::optional<YamlError> error;
};

// Every document of `text`, or the first syntax error with its position.
YamlDocuments load_yaml(std::string_view text);

// A file that holds one document (an atomics file, a lab file): as load_yaml, and a second
// document that is not empty is an error at its position rather than silently dropped.
YamlDocuments load_one_yaml(std::string_view text);

}  // namespace attest
