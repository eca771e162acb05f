#include "collectors/windows_args.h"

namespace attest {

// A transcription of the algorithm of CommandLineToArgvW (as documented, and as implemented
// by Wine's shell32 to match Windows byte for byte), because Elastic's process.args comes from
// the same splitting and rules compare against exact argument strings.
std::vector<std::string> split_windows_command_line(std::string_view s) {
    std::vector<std::string> argv;
    std::size_t i = 0;
    const std::size_t n = s.size();
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    // Windows ignores leading blanks only when the line is entirely blank; a leading blank
    // otherwise makes argv[0] empty. We keep that, but return nothing for a blank line.
    if (s.find_first_not_of(" \t") == std::string_view::npos) return argv;

    std::string arg;
    if (s[0] == '"') {
        // The program path ends at the next quote, no matter what.
        auto q = s.find('"', 1);
        std::size_t end = q == std::string_view::npos ? n : q;
        arg.assign(s.data() + 1, end - 1);
        i = end < n ? end + 1 : n;  // past the closing quote
    } else {
        while (i < n && !is_blank(s[i])) ++i;
        arg.assign(s.data(), i);
    }
    argv.push_back(std::move(arg));
    while (i < n && is_blank(s[i])) ++i;
    if (i >= n) return argv;

    arg.clear();
    std::size_t backslashes = 0;  // consecutive backslashes just copied
    int quotes = 0;               // 0 outside quotes, 1 inside
    while (i < n) {
        char c = s[i];
        if (is_blank(c) && quotes == 0) {
            argv.push_back(std::move(arg));
            arg.clear();
            while (i < n && is_blank(s[i])) ++i;
            backslashes = 0;
            if (i >= n) return argv;  // trailing blanks start no argument
        } else if (c == '\\') {
            arg.push_back(c);
            ++i;
            ++backslashes;
        } else if (c == '"') {
            if (backslashes % 2 == 0) {
                // 2n backslashes + quote: n backslashes, and the quote is a delimiter.
                arg.resize(arg.size() - backslashes / 2);
                ++quotes;
            } else {
                // 2n+1 backslashes + quote: n backslashes and a literal quote.
                arg.resize(arg.size() - backslashes / 2 - 1);
                arg.push_back('"');
            }
            ++i;
            backslashes = 0;
            // A run of quotes: the third one in a row is a literal quote.
            while (i < n && s[i] == '"') {
                if (++quotes == 3) {
                    arg.push_back('"');
                    quotes = 0;
                }
                ++i;
            }
            if (quotes == 2) quotes = 0;
        } else {
            // A run of ordinary characters is copied at once.
            std::size_t j = i + 1;
            while (j < n && s[j] != '\\' && s[j] != '"' && (quotes != 0 || !is_blank(s[j]))) ++j;
            arg.append(s.data() + i, j - i);
            i = j;
            backslashes = 0;
        }
    }
    argv.push_back(std::move(arg));
    return argv;
}

std::vector<std::string> split_on_blanks(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

}  // namespace attest
