#include "core/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <sstream>

namespace attest {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// The first character YAML does not allow in a stream (1.2, 5.1: only printable characters;
// the others must be written escaped in a double-quoted scalar): C0 controls but tab, line
// feed and carriage return, and DEL. npos when there is none.
std::size_t find_control(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
    }
    return npos;
}

YamlError control_error(std::string_view text, std::size_t at) {
    static const char* kHex = "0123456789ABCDEF";
    std::size_t line_start = text.rfind('\n', at);
    line_start = line_start == npos ? 0 : line_start + 1;
    auto c = static_cast<unsigned char>(text[at]);
    std::string code = "U+00";
    code += kHex[c >> 4];
    code += kHex[c & 15];
    return YamlError{
        static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + at, '\n')) + 1,
        at - line_start + 1,
        "control character " + code +
            " is not allowed in YAML (write it escaped in a double-quoted string)"};
}

YamlError error_at(const YAML::Mark& mark, std::string message) {
    return YamlError{mark.line >= 0 ? static_cast<std::uint64_t>(mark.line) + 1 : 0,
                     mark.column >= 0 ? static_cast<std::uint64_t>(mark.column) + 1 : 0,
                     std::move(message)};
}

// Notes only where each document starts: the parser's progress.
struct DocumentStarts : YAML::EventHandler {
    std::optional<YAML::Mark> start;
    void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// Runs the parser over every document without building nodes. A document that starts at the
// previous one's position consumed nothing: the token there cannot start a node, and
// `YAML::LoadAll` would loop on it. Syntax errors are left to the load that follows.
std::optional<YamlError> find_stuck_document(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    std::optional<int> previous;
    try {
        for (;;) {
            starts.start.reset();
            if (!parser.HandleNextDocument(starts) || !starts.start) break;
            if (previous && *previous == starts.start->pos) {
                char c = text[static_cast<std::size_t>(*previous)];
                return error_at(*starts.start,
                                std::string("'") + c + "' cannot start a value here");
            }
            previous = starts.start->pos;
        }
    } catch (const YAML::Exception&) {
    }
    return std::nullopt;
}

}  // namespace

YamlDocuments load_yaml(std::string_view text) {
    YamlDocuments out;
    if (std::size_t at = find_control(text); at != npos) {
        out.error = control_error(text, at);
        return out;
    }
    std::string owned(text);
    if ((out.error = find_stuck_document(owned))) return out;
    try {
        out.documents = YAML::LoadAll(owned);
    } catch (const YAML::Exception& e) {
        out.error = error_at(e.mark, e.msg);
    }
    return out;
}

YamlDocuments load_one_yaml(std::string_view text) {
    YamlDocuments out = load_yaml(text);
    for (std::size_t i = 1; i < out.documents.size(); ++i) {
        if (out.documents[i].IsNull()) continue;
        out.error = error_at(out.documents[i].Mark(),
                             "a second YAML document: this file holds one (remove the '---')");
        out.documents.clear();
        break;
    }
    return out;
}

}  // namespace attest
