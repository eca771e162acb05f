#include "scenarios/command_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "core/encoding.h"
#include "core/text.h"

namespace attest::scenarios {
namespace {

// Nested command texts (`sh -c`, `$(...)`, `cmd /c`, `powershell -Command`) are analyzed
// recursively up to this depth; deeper nesting is listed as unresolved.
constexpr int kMaxDepth = 8;

bool contains(std::initializer_list<std::string_view> set, std::string_view s) {
    return std::find(set.begin(), set.end(), s) != set.end();
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           ascii_lowercase(s.substr(s.size() - suffix.size())) == suffix;
}

struct Token {
    enum Kind { Word, Op } kind = Word;
    std::string text;      // a word with its quotes removed, or the operator
    bool dynamic = false;  // the word holds an expansion ($x, %x%, $(...)) whose value is unknown
    bool quoted = false;
    std::size_t line = 1;
    std::size_t begin = 0, end = 0;  // source offsets of the raw token
};

void add_written(CommandAnalysis& out, const Token& target) {
    if (target.dynamic || target.text.empty() || target.text == "/dev/null" ||
        ascii_lowercase(target.text) == "nul" || ascii_lowercase(target.text) == "$null")
        return;
    if (std::find(out.written_paths.begin(), out.written_paths.end(), target.text) ==
        out.written_paths.end())
        out.written_paths.push_back(target.text);
}

// ---- written paths: which argument of a program is a file it writes -------------------------

struct WriteRule {
    std::string_view program;  // lower-case name (sensor name for Windows programs)
    std::string_view option;   // the option before the path; "" with `position`
    int position;              // 0: not positional; >0: n-th positional argument; -1: the last
};

// One table for every executor; PowerShell cmdlets are matched by their full name and by the
// parameter name (also as the positional parameter the cmdlet binds first).
constexpr std::array kWriteRules = {
    WriteRule{"touch", "", 1},
    WriteRule{"tee", "", 1},
    WriteRule{"cp", "", -1},
    WriteRule{"mv", "", -1},
    WriteRule{"install", "", -1},
    WriteRule{"curl", "-o", 0},
    WriteRule{"curl", "--output", 0},
    WriteRule{"wget", "-O", 0},
    WriteRule{"zip", "", 1},
    WriteRule{"copy.exe", "", -1},
    WriteRule{"xcopy.exe", "", -1},
    WriteRule{"out-file", "-filepath", 1},
    WriteRule{"set-content", "-path", 1},
    WriteRule{"add-content", "-path", 1},
    WriteRule{"new-item", "-path", 1},
    WriteRule{"compress-archive", "-destinationpath", 2},
    WriteRule{"copy-item", "-destination", 2},
    WriteRule{"move-item", "-destination", 2},
    WriteRule{"invoke-webrequest", "-outfile", 0},
    WriteRule{"export-csv", "-path", 1},
};

// Windows programs also take `/x` options; on POSIX a leading `/` is a path.
bool is_option(const std::string& w, bool windows) {
    return w.size() > 1 && (w[0] == '-' || (windows && w[0] == '/'));
}

void collect_written(CommandAnalysis& out, std::string_view name, const std::vector<Token>& args,
                     bool windows) {
    for (const WriteRule& r : kWriteRules) {
        if (r.program != name) continue;
        std::vector<const Token*> positional;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string w = windows ? ascii_lowercase(args[i].text) : args[i].text;
            if (!r.option.empty() && w == r.option && i + 1 < args.size())
                add_written(out, args[i + 1]);
            if (is_option(args[i].text, windows)) {
                // PowerShell parameters and long options take the next word as their value.
                if (name.find('-') != std::string_view::npos && i + 1 < args.size()) ++i;
                continue;
            }
            positional.push_back(&args[i]);
        }
        if (r.position > 0 && static_cast<std::size_t>(r.position) <= positional.size())
            add_written(out, *positional[r.position - 1]);
        if (r.position < 0 && positional.size() >= 2) add_written(out, *positional.back());
        if (name == "tee" || name == "touch")
            for (std::size_t k = 1; k < positional.size(); ++k) add_written(out, *positional[k]);
    }
    // tar with a create cluster (`czf archive`, `-cvf archive`): the word after the cluster.
    if (name == "tar" && !args.empty()) {
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            const std::string& w = args[i].text;
            bool cluster = !w.empty() && w.find('f') != std::string::npos &&
                           w.find_first_not_of("-cvzjJxtrufpP") == std::string::npos;
            if (cluster && w.find_first_of("cru") != std::string::npos)
                add_written(out, args[i + 1]);
            if (cluster) break;
        }
    }
}

enum class Shell { Sh, Cmd, PowerShell };

// The process a Windows script file starts when a shell runs it: a batch file runs inside
// cmd.exe (a new one when PowerShell starts it), script-host files in wscript.exe (their
// default association); "" when no new process starts.
std::string script_host(const std::string& name, Shell shell) {
    if (ends_with_ci(name, ".bat") || ends_with_ci(name, ".cmd"))
        return shell == Shell::Cmd ? "" : "cmd.exe";
    if (ends_with_ci(name, ".ps1")) return "";
    for (std::string_view ext : {".js", ".jse", ".vbs", ".vbe", ".wsf"})
        if (ends_with_ci(name, ext)) return "wscript.exe";
    return name;
}

void add_program(CommandAnalysis& out, const Token& word, const std::vector<Token>& args,
                 Shell shell) {
    bool windows = shell != Shell::Sh;
    ProgramUse use;
    use.program = word.text;
    use.name = program_name(word.text, windows);
    if (windows) use.name = script_host(use.name, shell);
    if (use.name.empty()) return;
    use.line = word.line;
    for (const Token& a : args) use.args.push_back(a.text);
    collect_written(out, use.name, args, windows);
    out.programs.push_back(std::move(use));
}

void analyze_into(std::string_view executor, std::string_view text, CommandAnalysis& out,
                  int depth);

void append(CommandAnalysis& to, CommandAnalysis&& from) {
    for (auto& p : from.programs) to.programs.push_back(std::move(p));
    for (auto& c : from.cmdlets) to.cmdlets.push_back(std::move(c));
    for (auto& w : from.written_paths) to.written_paths.push_back(std::move(w));
    for (auto& u : from.unresolved) to.unresolved.push_back(std::move(u));
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// ============================== POSIX shell ==================================================

// The loop every lexer shares: blanks, then an operator or a word, each token with its line
// and source offsets; a character no rule takes is stepped over, so no input can stall it.
template <class Derived>
class LexerBase {
public:
    bool next(Token& t) {
        auto& self = static_cast<Derived&>(*this);
        self.skip_blanks();
        if (m_pos >= m_s.size()) return false;
        t = Token{};
        t.line = m_line;
        t.begin = m_pos;
        if (!self.lex_operator(t)) self.lex_word(t);
        if (m_pos == t.begin) ++m_pos;
        t.end = m_pos;
        return true;
    }

protected:
    explicit LexerBase(std::string_view s) : m_s(s) {}

    // Takes the first of `ops` (longest first) that stands at `at` as an operator token.
    template <std::size_t N>
    bool take_operator(Token& t, const std::array<std::string_view, N>& ops, std::size_t at) {
        for (std::string_view op : ops) {
            if (m_s.substr(at, op.size()) != op) continue;
            t.kind = Token::Op;
            t.text = std::string(op);
            m_pos = at + op.size();
            m_line += op == "\n";
            return true;
        }
        return false;
    }

    std::string_view m_s;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
};

// Finds the `)` that closes a `$(` whose content starts at `pos`, skipping quoted text.
std::size_t matching_paren(std::string_view s, std::size_t pos) {
    int depth = 1;
    while (pos < s.size()) {
        char c = s[pos];
        if (c == '\\') {
            pos += 2;
            continue;
        }
        if (c == '\'' || c == '"') {
            std::size_t close = s.find(c, pos + 1);
            while (c == '"' && close != std::string_view::npos && s[close - 1] == '\\')
                close = s.find(c, close + 1);
            if (close == std::string_view::npos) return s.size();
            pos = close + 1;
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0) return pos;
        ++pos;
    }
    return s.size();
}

class ShLexer : public LexerBase<ShLexer> {
    friend class LexerBase<ShLexer>;

public:
    ShLexer(std::string_view s, CommandAnalysis& out, int depth)
        : LexerBase(s), m_out(out), m_depth(depth) {}

private:
    void skip_blanks() {
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos];
            if (c == ' ' || c == '\t' || c == '\r') {
                ++m_pos;
            } else if (c == '\\' && m_pos + 1 < m_s.size() && m_s[m_pos + 1] == '\n') {
                m_pos += 2;
                ++m_line;
            } else if (c == '#') {
                while (m_pos < m_s.size() && m_s[m_pos] != '\n') ++m_pos;
            } else {
                break;
            }
        }
    }

    bool lex_operator(Token& t) {
        static constexpr std::array<std::string_view, 22> ops = {
            "&>>", "<<-", "<<<", ";;", "&&", "||", "|&", ">>", "<<", ">&", "<&",
            "&>",  ">|",  "<>",  "|",  "&",  ";",  "(",  ")",  "\n", ">",  "<"};
        std::size_t start = m_pos;
        while (start < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[start]))) ++start;
        bool fd_prefix =
            start > m_pos && start < m_s.size() && (m_s[start] == '>' || m_s[start] == '<');
        std::size_t at = fd_prefix ? start : m_pos;
        if (!take_operator(t, ops, at)) return false;
        if (t.text == "\n") skip_heredoc_bodies();
        if (t.text == "<<" || t.text == "<<-") m_heredoc_pending = t.text == "<<-" ? 2 : 1;
        return true;
    }

    void lex_word(Token& t) {
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '&' ||
                c == '|' || c == '(' || c == ')' || c == '<' || c == '>')
                break;
            if (c == '\\') {
                if (m_pos + 1 < m_s.size() && m_s[m_pos + 1] != '\n') t.text += m_s[m_pos + 1];
                m_line += m_pos + 1 < m_s.size() && m_s[m_pos + 1] == '\n';
                m_pos += 2;
            } else if (c == '\'') {
                std::size_t close = m_s.find('\'', m_pos + 1);
                if (close == std::string_view::npos) close = m_s.size();
                append_quoted(t, m_s.substr(m_pos + 1, close - m_pos - 1));
                m_pos = close + 1;
            } else if (c == '"') {
                lex_double_quoted(t);
            } else if (c == '$' || c == '`') {
                lex_expansion(t);
            } else {
                t.text += c;
                ++m_pos;
            }
        }
        if (m_heredoc_pending) {
            m_heredocs.push_back({t.text, m_heredoc_pending == 2});
            m_heredoc_pending = 0;
        }
    }

    void append_quoted(Token& t, std::string_view content) {
        t.text += content;
        t.quoted = true;
        m_line += static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
    }

    void lex_double_quoted(Token& t) {
        t.quoted = true;
        ++m_pos;
        while (m_pos < m_s.size() && m_s[m_pos] != '"') {
            char c = m_s[m_pos];
            if (c == '\\' && m_pos + 1 < m_s.size() &&
                std::string_view("$`\"\\\n").find(m_s[m_pos + 1]) != std::string_view::npos) {
                if (m_s[m_pos + 1] != '\n') t.text += m_s[m_pos + 1];
                m_pos += 2;
            } else if (c == '$' || c == '`') {
                lex_expansion(t);
            } else {
                m_line += c == '\n';
                t.text += c;
                ++m_pos;
            }
        }
        ++m_pos;
    }

    // `$(...)` and backquotes run commands of their own: they are analyzed here. `$((...))`,
    // `${...}` and `$name` only make the word's value unknown.
    void lex_expansion(Token& t) {
        t.dynamic = true;
        std::size_t start = m_pos;
        if (m_s[m_pos] == '`') {
            std::size_t close = m_s.find('`', m_pos + 1);
            if (close == std::string_view::npos) close = m_s.size();
            nested(m_s.substr(m_pos + 1, close - m_pos - 1));
            m_pos = close + 1;
        } else if (m_s.substr(m_pos, 3) == "$((") {
            m_pos = matching_paren(m_s, m_pos + 2) + 1;
        } else if (m_s.substr(m_pos, 2) == "$(") {
            std::size_t close = matching_paren(m_s, m_pos + 2);
            nested(m_s.substr(m_pos + 2, close - m_pos - 2));
            m_pos = close + 1;
        } else if (m_s.substr(m_pos, 2) == "${") {
            std::size_t close = m_s.find('}', m_pos);
            m_pos = close == std::string_view::npos ? m_s.size() : close + 1;
        } else {
            ++m_pos;
            while (m_pos < m_s.size() &&
                   (std::isalnum(static_cast<unsigned char>(m_s[m_pos])) || m_s[m_pos] == '_'))
                ++m_pos;
            if (m_pos == start + 1 && m_pos < m_s.size() &&
                std::string_view("@*#?$!-0123456789").find(m_s[m_pos]) != std::string_view::npos)
                ++m_pos;
        }
        m_pos = std::min(m_pos, m_s.size());
        std::string_view raw = m_s.substr(start, m_pos - start);
        m_line += static_cast<std::size_t>(std::count(raw.begin(), raw.end(), '\n'));
        t.text += raw;
    }

    void nested(std::string_view body) { analyze_into("sh", body, m_out, m_depth + 1); }

    // After the line that holds `<<WORD`, the lines up to WORD are data, not commands.
    void skip_heredoc_bodies() {
        for (const auto& [delim, strip_tabs] : m_heredocs) {
            while (m_pos < m_s.size()) {
                std::size_t eol = m_s.find('\n', m_pos);
                std::string_view line = m_s.substr(
                    m_pos, eol == std::string_view::npos ? std::string_view::npos : eol - m_pos);
                m_pos = eol == std::string_view::npos ? m_s.size() : eol + 1;
                ++m_line;
                if (strip_tabs)
                    line.remove_prefix(std::min(line.find_first_not_of('\t'), line.size()));
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (line == delim) break;
            }
        }
        m_heredocs.clear();
    }

    CommandAnalysis& m_out;
    int m_depth;
    int m_heredoc_pending = 0;
    std::vector<std::pair<std::string, bool>> m_heredocs;
};

bool is_sh_separator(const Token& t) {
    return t.kind == Token::Op &&
           contains({";", "&", "&&", "||", "|", "|&", "\n", "(", ")", ";;"}, t.text);
}

bool is_redirection(const Token& t) {
    return t.kind == Token::Op && !is_sh_separator(t);
}

bool is_assignment(const Token& t) {
    if (t.quoted && t.text.find('=') == std::string::npos) return false;
    std::size_t eq = t.text.find('=');
    if (eq == 0 || eq == std::string::npos) return false;
    std::string_view name(t.text.data(), t.text[eq - 1] == '+' ? eq - 1 : eq);
    return std::all_of(
               name.begin(), name.end(),
               [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
           !std::isdigit(static_cast<unsigned char>(name[0]));
}

bool is_sh_builtin(std::string_view w) {
    return contains(
        {"cd",      "echo",  "printf",  "export", "unset",   "set",     "local",   "read",
         "test",    "[",     "[[",      "]]",     "true",    "false",   "exit",    "return",
         "source",  ".",     "shift",   "trap",   "wait",    "ulimit",  "umask",   "alias",
         "unalias", "type",  "hash",    "pwd",    "let",     "declare", "typeset", "readonly",
         "getopts", "jobs",  "fg",      "bg",     "kill",    "times",   "break",   "continue",
         ":",       "shopt", "history", "disown", "suspend", "logout",  "mapfile", "readarray",
         "enable",  "help",  "dirs",    "pushd",  "popd"},
        w);
}

// Words a wrapper takes before the command it runs, beyond its options.
int wrapper_operands(std::string_view name) {
    if (name == "timeout" || name == "chroot") return 1;
    return 0;
}

bool is_wrapper(std::string_view name) {
    return contains({"sudo", "env", "nohup", "timeout", "nice", "ionice", "stdbuf", "xargs",
                     "setsid", "chroot", "doas", "strace", "ltrace", "time", "unbuffer"},
                    name);
}

// Options of wrappers that take a value as the next word.
bool option_takes_value(std::string_view wrapper, std::string_view opt) {
    if (wrapper == "sudo" || wrapper == "doas")
        return contains({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}, opt);
    if (wrapper == "nice" || wrapper == "ionice") return contains({"-n", "-c"}, opt);
    if (wrapper == "xargs") return contains({"-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a"}, opt);
    if (wrapper == "timeout") return contains({"-s", "-k", "--signal", "--kill-after"}, opt);
    if (wrapper == "env") return contains({"-u", "-C", "-S"}, opt);
    if (wrapper == "strace" || wrapper == "ltrace") return contains({"-o", "-e", "-p", "-s"}, opt);
    return false;
}

bool is_shell(std::string_view name) {
    return contains({"sh", "bash", "dash", "zsh", "ksh", "busybox"}, name);
}

class ShParser {
public:
    ShParser(CommandAnalysis& out, int depth) : m_out(out), m_depth(depth) {}

    void run(std::string_view text) {
        ShLexer lexer(text, m_out, m_depth);
        Token t;
        while (lexer.next(t)) m_tokens.push_back(std::move(t));
        while (m_i < m_tokens.size()) statement();
    }

private:
    // One simple command or reserved-word construct, from the current command position.
    void statement() {
        const Token& t = m_tokens[m_i];
        if (t.kind == Token::Op) {
            if (t.text == ";;") m_case_patterns = m_in_case;
            if (is_redirection(t))
                m_i += 2;  // a redirection before the command word
            else
                ++m_i;
            return;
        }
        if (m_case_patterns) return skip_case_pattern();
        if (!t.quoted && reserved_word(t.text)) return;
        command();
    }

    bool reserved_word(const std::string& w) {
        if (contains({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{",
                      "}", "esac", "time", "coproc"},
                     w)) {
            if (w == "esac") m_in_case = m_case_patterns = false;
            ++m_i;
            return true;
        }
        if (w == "for" || w == "select") {  // for NAME [in WORDS] ; do
            while (m_i < m_tokens.size() &&
                   !(m_tokens[m_i].kind == Token::Word && m_tokens[m_i].text == "do"))
                ++m_i;
            return true;
        }
        if (w == "case") {  // case WORD in
            m_i = std::min(m_i + 3, m_tokens.size());
            m_in_case = m_case_patterns = true;
            return true;
        }
        if (w == "function") {
            if (m_i + 1 < m_tokens.size()) m_functions.insert(m_tokens[m_i + 1].text);
            m_i = std::min(m_i + 2, m_tokens.size());
            skip_function_parens();
            return true;
        }
        return false;
    }

    void skip_case_pattern() {
        while (m_i < m_tokens.size() &&
               !(m_tokens[m_i].kind == Token::Op && m_tokens[m_i].text == ")")) {
            if (m_tokens[m_i].kind == Token::Word && m_tokens[m_i].text == "esac") {
                m_in_case = m_case_patterns = false;
                ++m_i;
                return;
            }
            ++m_i;
        }
        ++m_i;
        m_case_patterns = false;
    }

    void skip_function_parens() {
        if (m_i + 1 < m_tokens.size() && m_tokens[m_i].text == "(" && m_tokens[m_i + 1].text == ")")
            m_i += 2;
    }

    void command() {
        std::vector<Token> words;
        while (m_i < m_tokens.size() && !is_sh_separator(m_tokens[m_i])) {
            const Token& t = m_tokens[m_i];
            if (is_redirection(t)) {
                if (m_i + 1 < m_tokens.size() && m_tokens[m_i + 1].kind == Token::Word) {
                    if (contains({">", ">>", ">|", "&>", "&>>"}, t.text))
                        add_written(m_out, m_tokens[m_i + 1]);
                    ++m_i;
                }
                ++m_i;
                continue;
            }
            if (!(words.empty() && is_assignment(t))) words.push_back(t);
            ++m_i;
        }
        // `name() { ...; }` defines a function; its body is read as ordinary commands.
        if (words.size() == 1 && m_i + 1 < m_tokens.size() && m_tokens[m_i].text == "(" &&
            m_tokens[m_i + 1].text == ")") {
            m_i += 2;
            m_functions.insert(words[0].text);
            return;
        }
        if (!words.empty()) simple_command(words, 0);
    }

    void simple_command(const std::vector<Token>& words, std::size_t first) {
        for (int hops = 0; first < words.size() && hops < 16; ++hops) {
            const Token& cmd = words[first];
            if (cmd.dynamic) return m_out.unresolved.push_back(cmd.text);
            if (is_sh_builtin(cmd.text) || m_functions.count(cmd.text)) return;
            if (contains({"exec", "command", "builtin", "eval"}, cmd.text)) {
                if (cmd.text == "eval") return nested(join(words, first + 1));
                if (cmd.text == "command" && first + 1 < words.size() &&
                    (words[first + 1].text == "-v" || words[first + 1].text == "-V"))
                    return;  // `command -v x` only looks x up
                ++first;
                while (first < words.size() && is_option(words[first].text, false)) ++first;
                continue;
            }
            std::vector<Token> args(words.begin() + static_cast<std::ptrdiff_t>(first) + 1,
                                    words.end());
            std::string name = program_name(cmd.text, false);
            add_program(m_out, cmd, args, Shell::Sh);
            if (is_shell(name)) return shell_script(args);
            if (!is_wrapper(name)) return;
            first = wrapped_command(words, first + 1, name);
        }
    }

    std::size_t wrapped_command(const std::vector<Token>& words, std::size_t i,
                                std::string_view wrapper) {
        while (i < words.size() &&
               (is_option(words[i].text, false) || (wrapper == "env" && is_assignment(words[i])))) {
            if (option_takes_value(wrapper, words[i].text)) ++i;
            ++i;
        }
        return i + static_cast<std::size_t>(wrapper_operands(wrapper));
    }

    // `sh -c 'script'` (also `-ec`, `-xc`): the script is analyzed as shell text.
    void shell_script(const std::vector<Token>& args) {
        for (std::size_t i = 0; i + 1 < args.size(); ++i) {
            const std::string& a = args[i].text;
            if (a.size() >= 2 && a[0] == '-' && a[1] != '-' && a.find('c') != std::string::npos)
                return nested(args[i + 1].text);
        }
    }

    static std::string join(const std::vector<Token>& words, std::size_t from) {
        std::string out;
        for (std::size_t i = from; i < words.size(); ++i)
            out += (i > from ? " " : "") + words[i].text;
        return out;
    }

    void nested(const std::string& text) { analyze_into("sh", text, m_out, m_depth + 1); }

    CommandAnalysis& m_out;
    int m_depth;
    std::vector<Token> m_tokens;
    std::size_t m_i = 0;
    bool m_in_case = false;
    bool m_case_patterns = false;
    std::set<std::string> m_functions;
};

// ============================== cmd.exe ======================================================

class CmdLexer : public LexerBase<CmdLexer> {
    friend class LexerBase<CmdLexer>;

public:
    explicit CmdLexer(std::string_view s) : LexerBase(s) {}

private:
    void skip_blanks() {
        while (m_pos < m_s.size() &&
               (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\r'))
            ++m_pos;
    }

    bool lex_operator(Token& t) {
        static constexpr std::array<std::string_view, 14> ops = {
            "2>&1", "&&", "||", ">>", "2>>", "2>", "1>", "&", "|", "(", ")", ">", "\n", "<"};
        return take_operator(t, ops, m_pos);
    }

    void lex_word(Token& t) {
        bool in_quotes = false;
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos];
            if (!in_quotes && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '&' ||
                               c == '|' || c == '<' || c == '>' || c == '(' || c == ')'))
                break;
            if (c == '\n') break;
            if (c == '"') {
                in_quotes = !in_quotes;
                t.quoted = true;
            } else if (c == '^' && !in_quotes && m_pos + 1 < m_s.size()) {
                t.text += m_s[++m_pos];
            } else {
                if (c == '%' || c == '!')
                    t.dynamic = t.dynamic || m_s.find(c, m_pos + 1) != std::string_view::npos;
                t.text += c;
            }
            ++m_pos;
        }
    }
};

bool is_cmd_internal(std::string_view w) {
    return contains(
        {"assoc", "break",  "cd",     "chdir",    "cls",   "color",    "copy",   "date",  "del",
         "dir",   "echo",   "echo.",  "endlocal", "erase", "exit",     "ftype",  "goto",  "md",
         "mkdir", "mklink", "move",   "path",     "pause", "popd",     "prompt", "pushd", "rd",
         "rem",   "ren",    "rename", "rmdir",    "set",   "setlocal", "shift",  "time",  "title",
         "type",  "ver",    "verify", "vol",      "else"},
        w);
}

// The text of a nested command given after `/c`, `-Command`, ...: the raw source of the
// remaining words, one level of enclosing quotes removed.
std::string raw_rest(std::string_view source, const std::vector<Token>& words, std::size_t from,
                     std::size_t end = std::string_view::npos) {
    if (from >= words.size()) return {};
    if (end == std::string_view::npos) end = words.back().end;
    std::string_view rest = trim(source.substr(words[from].begin, end - words[from].begin));
    if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"' &&
        rest.find('"', 1) == rest.size() - 1)
        rest = rest.substr(1, rest.size() - 2);
    return std::string(rest);
}

void powershell_invocation(std::string_view source, const std::vector<Token>& args,
                           std::size_t from, CommandAnalysis& out, int depth,
                           std::size_t end = std::string_view::npos);

class CmdParser {
public:
    CmdParser(std::string_view source, CommandAnalysis& out, int depth)
        : m_source(source), m_out(out), m_depth(depth) {}

    void run() {
        CmdLexer lexer(m_source);
        Token t;
        std::vector<Token> words;
        while (lexer.next(t)) {
            if (m_in_for_set) {  // `for %%i in (set) do`: the set is data
                m_in_for_set = !(t.kind == Token::Op && t.text == ")");
                continue;
            }
            if (t.kind == Token::Op && t.text == "2>&1") continue;
            if (t.kind == Token::Op && t.text != "<" && t.text.back() != '>') {
                m_in_for_set =
                    t.text == "(" && !words.empty() && ascii_lowercase(words[0].text) == "for";
                flush(words);
                continue;
            }
            if (t.kind == Token::Op) {  // a redirection: its target is the next word
                m_redirect = t.text;
                continue;
            }
            if (!m_redirect.empty()) {
                if (m_redirect.back() == '>' && m_redirect != "2>" && m_redirect != "2>>")
                    add_written(m_out, t);
                m_redirect.clear();
                continue;
            }
            words.push_back(std::move(t));
        }
        flush(words);
    }

private:
    void flush(std::vector<Token>& words) {
        m_redirect.clear();
        std::size_t first = 0;
        if (!words.empty() && !words[0].text.empty() && words[0].text[0] == '@')
            words[0].text.erase(0, 1);
        if (!words.empty()) command(words, first);
        words.clear();
    }

    void command(const std::vector<Token>& words, std::size_t first) {
        for (int hops = 0; first < words.size() && hops < 16; ++hops) {
            const Token& cmd = words[first];
            std::string w = ascii_lowercase(cmd.text);
            if (w.empty() || w == "rem" || w.rfind("::", 0) == 0) return;
            if (w == "if") {
                first = skip_if_condition(words, first + 1);
                continue;
            }
            if (w == "for") {
                while (first < words.size() && ascii_lowercase(words[first].text) != "do") ++first;
                ++first;
                continue;
            }
            if (w == "start" || w == "call") {
                first = start_target(words, first + 1, w == "call");
                continue;
            }
            if (w == "else" || w == "do") {
                ++first;
                continue;
            }
            if (cmd.dynamic) return m_out.unresolved.push_back(cmd.text);
            std::vector<Token> args(words.begin() + static_cast<std::ptrdiff_t>(first) + 1,
                                    words.end());
            if (is_cmd_internal(w)) {
                if (w == "copy" || w == "move") collect_written(m_out, "copy.exe", args, true);
                return;
            }
            add_program(m_out, cmd, args, Shell::Cmd);
            std::string name = program_name(cmd.text, true);
            if (name == "cmd.exe") return nested_cmd(words, first + 1);
            if (name == "powershell.exe" || name == "pwsh.exe")
                return powershell_invocation(m_source, words, first + 1, m_out, m_depth);
            return;
        }
    }

    // if [/i] [not] exist X | defined X | errorlevel N | A==B | A op B   command
    std::size_t skip_if_condition(const std::vector<Token>& words, std::size_t i) {
        while (i < words.size() && contains({"/i", "not"}, ascii_lowercase(words[i].text))) ++i;
        if (i >= words.size()) return i;
        std::string w = ascii_lowercase(words[i].text);
        if (contains({"exist", "defined", "errorlevel", "cmdextversion"}, w)) return i + 2;
        if (w.find("==") != std::string::npos) return i + 1;
        if (i + 1 < words.size() && words[i + 1].text == "==") return i + 3;
        return i + 3;  // A op B
    }

    std::size_t start_target(const std::vector<Token>& words, std::size_t i, bool call) {
        if (!call && i < words.size() && words[i].quoted) ++i;  // the window title
        while (i < words.size() && words[i].text.size() > 1 && words[i].text[0] == '/') {
            if (contains({"/d", "/affinity", "/node"}, ascii_lowercase(words[i].text))) ++i;
            ++i;
        }
        if (call && i < words.size() && !words[i].text.empty() && words[i].text[0] == ':')
            return words.size();
        return i;
    }

    void nested_cmd(const std::vector<Token>& words, std::size_t i) {
        while (i < words.size() && is_option(words[i].text, true)) {
            std::string o = ascii_lowercase(words[i].text);
            ++i;
            if (o == "/c" || o == "/k" || o == "/r") {
                if (m_depth + 1 > kMaxDepth)
                    return m_out.unresolved.push_back(raw_rest(m_source, words, i));
                analyze_into("command_prompt", raw_rest(m_source, words, i), m_out, m_depth + 1);
                return;
            }
        }
    }

    std::string_view m_source;
    CommandAnalysis& m_out;
    int m_depth;
    std::string m_redirect;
    bool m_in_for_set = false;
};

// ============================== PowerShell ===================================================

class PsLexer : public LexerBase<PsLexer> {
    friend class LexerBase<PsLexer>;

public:
    explicit PsLexer(std::string_view s) : LexerBase(s) {}

private:
    void skip_blanks() {
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos];
            if (c == ' ' || c == '\t' || c == '\r') {
                ++m_pos;
            } else if (c == '`' && m_pos + 1 < m_s.size() &&
                       (m_s[m_pos + 1] == '\n' || m_s[m_pos + 1] == '\r')) {
                m_pos = m_s.find('\n', m_pos);
                m_pos = m_pos == std::string_view::npos ? m_s.size() : m_pos + 1;
                ++m_line;
            } else if (m_s.substr(m_pos, 2) == "<#") {
                std::size_t close = m_s.find("#>", m_pos + 2);
                close = close == std::string_view::npos ? m_s.size() : close + 2;
                count_lines(m_pos, close);
                m_pos = close;
            } else if (c == '#') {
                while (m_pos < m_s.size() && m_s[m_pos] != '\n') ++m_pos;
            } else {
                break;
            }
        }
    }

    bool lex_operator(Token& t) {
        static constexpr std::array<std::string_view, 21> ops = {
            "$(", "@(", "@{", "&&", "||", "2>&1", ">>", "2>", "|", ";", "(",
            ")",  "{",  "}",  ">",  "\n", "&",    ",",  "=",  "[", "]"};
        return take_operator(t, ops, m_pos);
    }

    void lex_word(Token& t) {
        if (m_s.substr(m_pos, 2) == "@'" || m_s.substr(m_pos, 2) == "@\"") return here_string(t);
        while (m_pos < m_s.size()) {
            char c = m_s[m_pos];
            if (std::string_view(" \t\r\n;|(){}&,=").find(c) != std::string_view::npos) {
                // `=` inside a word (`-Name=x`) and `(` after `$` stay in the word.
                if (!(c == '=' && !t.text.empty() && t.text[0] != '$')) break;
            }
            if (c == '\'') {
                single_quoted(t);
            } else if (c == '"') {
                double_quoted(t);
            } else if (c == '`' && m_pos + 1 < m_s.size()) {
                t.text += m_s[m_pos + 1];
                m_pos += 2;
            } else {
                if (c == '$' && t.text.empty()) t.dynamic = true;
                t.text += c;
                ++m_pos;
            }
        }
    }

    void single_quoted(Token& t) {
        t.quoted = true;
        ++m_pos;
        while (m_pos < m_s.size()) {
            if (m_s[m_pos] == '\'' && m_s.substr(m_pos, 2) == "''") {
                t.text += '\'';
                m_pos += 2;
            } else if (m_s[m_pos] == '\'') {
                break;
            } else {
                m_line += m_s[m_pos] == '\n';
                t.text += m_s[m_pos++];
            }
        }
        ++m_pos;
    }

    void double_quoted(Token& t) {
        t.quoted = true;
        ++m_pos;
        while (m_pos < m_s.size() && m_s[m_pos] != '"') {
            char c = m_s[m_pos];
            if (c == '`' && m_pos + 1 < m_s.size()) {
                t.text += m_s[m_pos + 1];
                m_pos += 2;
                continue;
            }
            if (c == '$' && m_pos + 1 < m_s.size() &&
                (std::isalpha(static_cast<unsigned char>(m_s[m_pos + 1])) ||
                 m_s[m_pos + 1] == '(' || m_s[m_pos + 1] == '{'))
                t.dynamic = true;
            m_line += c == '\n';
            t.text += c;
            ++m_pos;
        }
        ++m_pos;
    }

    void here_string(Token& t) {
        char quote = m_s[m_pos + 1];
        std::string close = std::string("\n") + quote + "@";
        std::size_t body = m_s.find('\n', m_pos);
        std::size_t end =
            body == std::string_view::npos ? std::string_view::npos : m_s.find(close, body);
        if (end == std::string_view::npos) end = m_s.size();
        std::size_t begin = body == std::string_view::npos ? m_s.size() : body + 1;
        t.text = std::string(m_s.substr(begin, end > begin ? end - begin : 0));
        t.quoted = true;
        t.dynamic = quote == '"' && t.text.find('$') != std::string::npos;
        count_lines(m_pos, std::min(end + close.size(), m_s.size()));
        m_pos = std::min(end + close.size(), m_s.size());
    }

    void count_lines(std::size_t from, std::size_t to) {
        m_line += static_cast<std::size_t>(
            std::count(m_s.begin() + static_cast<std::ptrdiff_t>(from),
                       m_s.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
    }
};

// Windows PowerShell 5.1's built-in aliases that shadow native programs or name cmdlets, and
// the keywords of the language: none of them starts a process.
bool is_ps_alias(std::string_view w) {
    return contains(
        {"%",      "?",     "ac",    "cat",   "cd",    "chdir", "clc",  "clear",   "cls",
         "copy",   "cp",    "cpi",   "curl",  "cvpa",  "dbp",   "del",  "diff",    "dir",
         "echo",   "epal",  "epcsv", "erase", "etsn",  "exsn",  "fc",   "fl",      "foreach",
         "ft",     "fw",    "gal",   "gbp",   "gc",    "gci",   "gcm",  "gcs",     "gdr",
         "ghy",    "gi",    "gjb",   "gl",    "gm",    "gmo",   "gp",   "gps",     "group",
         "gsn",    "gsnp",  "gsv",   "gu",    "gv",    "gwmi",  "h",    "history", "icm",
         "iex",    "ihy",   "ii",    "ipal",  "ipcsv", "ipmo",  "ipsn", "irm",     "ise",
         "iwmi",   "iwr",   "kill",  "lp",    "ls",    "man",   "md",   "measure", "mi",
         "mkdir",  "mount", "move",  "mp",    "mv",    "nal",   "ndr",  "ni",      "nmo",
         "npssc",  "nsn",   "nv",    "ogv",   "oh",    "popd",  "ps",   "pushd",   "pwd",
         "r",      "rbp",   "rcjb",  "rcsn",  "rd",    "rdr",   "ren",  "ri",      "rjb",
         "rm",     "rmdir", "rmo",   "rni",   "rnp",   "rp",    "rsn",  "rsnp",    "rujb",
         "rv",     "rvpa",  "rwmi",  "sajb",  "sal",   "saps",  "sasv", "sbp",     "sc",
         "select", "set",   "shcm",  "si",    "sl",    "sleep", "sls",  "sort",    "sp",
         "spjb",   "spps",  "spsv",  "start", "sujb",  "sv",    "swmi", "tee",     "trcm",
         "type",   "wget",  "where", "wjb",   "write"},
        w);
}

bool is_ps_keyword(std::string_view w) {
    return contains(
        {"if",       "elseif",   "else",     "switch",   "while",        "for",    "do",
         "until",    "try",      "catch",    "finally",  "function",     "filter", "param",
         "begin",    "process",  "end",      "return",   "throw",        "exit",   "break",
         "continue", "trap",     "in",       "data",     "dynamicparam", "class",  "enum",
         "using",    "workflow", "parallel", "sequence", "inlinescript"},
        w);
}

bool is_cmdlet_name(std::string_view w) {
    if (std::size_t module = w.rfind('\\'); module != std::string_view::npos)
        w.remove_prefix(module + 1);
    std::size_t dash = w.find('-');
    if (dash == 0 || dash == std::string_view::npos || w.find('.') != std::string_view::npos)
        return false;
    return std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(dash),
                       [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

class PsParser {
public:
    PsParser(std::string_view source, CommandAnalysis& out, int depth)
        : m_source(source), m_out(&out), m_depth(depth) {}

    void run() {
        PsLexer lexer(m_source);
        Token t;
        while (lexer.next(t)) m_tokens.push_back(std::move(t));
        collect_functions();
        while (m_i < m_tokens.size()) statement();
    }

private:
    bool at_op(std::initializer_list<std::string_view> ops) const {
        return m_i < m_tokens.size() && m_tokens[m_i].kind == Token::Op &&
               contains(ops, m_tokens[m_i].text);
    }

    void collect_functions() {
        for (std::size_t k = 0; k + 1 < m_tokens.size(); ++k)
            if (m_tokens[k].kind == Token::Word &&
                contains({"function", "filter"}, ascii_lowercase(m_tokens[k].text)))
                m_functions.insert(ascii_lowercase(m_tokens[k + 1].text));
    }

    // A statement: keywords are stepped over (their conditions and blocks are read as nested
    // statements wherever they stand), then a pipeline.
    void statement() {
        if (at_op({";", "\n", "|", "&&", "||", "}", ")", ",", "="})) {
            ++m_i;
            return;
        }
        if (!m_in_hashtable.empty() && m_in_hashtable.back() && m_tokens[m_i].kind == Token::Word) {
            // `key = value` (the value is a pipeline); `key=value` lexes as one word.
            bool spaced = m_i + 1 < m_tokens.size() && m_tokens[m_i + 1].text == "=";
            if (spaced || m_tokens[m_i].text.find('=') != std::string::npos) {
                m_i += spaced ? 2 : 1;
                return;
            }
        }
        pipeline_element();
    }

    void pipeline_element() {
        const Token& t = m_tokens[m_i];
        if (t.kind == Token::Op && t.text == "&") {  // the call operator
            ++m_i;
            if (m_i < m_tokens.size() && m_tokens[m_i].kind == Token::Word) return command(true);
            return;
        }
        if (t.kind == Token::Op) return group();
        std::string w = ascii_lowercase(t.text);
        if (!t.quoted && (w == "function" || w == "filter")) {
            m_i += 2;
            return;
        }
        if (!t.quoted && is_ps_keyword(w)) {  // its condition and blocks follow as groups
            ++m_i;
            if (w == "using" || w == "class" || w == "enum") expression_rest();
            return;
        }
        if (!t.quoted && w == ".") {  // dot-sourcing: like the call operator
            ++m_i;
            if (m_i < m_tokens.size() && m_tokens[m_i].kind == Token::Word) return command(true);
            return;
        }
        bool path_command = w.rfind(".\\", 0) == 0 || w.rfind("./", 0) == 0;
        if (!path_command && (t.dynamic || t.quoted || t.text.empty() ||
                              std::isdigit(static_cast<unsigned char>(t.text[0])) ||
                              t.text[0] == '-' || t.text[0] == '.'))
            return expression_rest();
        command(false);
    }

    // `(`, `$(`, `@(`, `{`, `@{`, `[type]`: nested statements up to the closing bracket.
    void group() {
        std::string open = m_tokens[m_i++].text;
        if (open == "[") {
            while (m_i < m_tokens.size() && !at_op({"]"})) ++m_i;
            ++m_i;
            return expression_rest();
        }
        std::string_view close = open.back() == '{' ? "}" : ")";
        m_in_hashtable.push_back(open == "@{");
        while (m_i < m_tokens.size() && !at_op({close})) statement();
        m_in_hashtable.pop_back();
        ++m_i;
    }

    // The rest of an expression statement: nested groups are read; `= <pipeline>` and
    // `| <command>` return to command position.
    void expression_rest() {
        if (m_i < m_tokens.size() && m_tokens[m_i].kind == Token::Word) ++m_i;
        while (m_i < m_tokens.size() && !at_op({";", "\n", "|", "&&", "||", "}", ")", "="})) {
            if (at_op({"(", "$(", "@(", "{", "@{", "["})) {
                group();
                continue;
            }
            ++m_i;
        }
        if (at_op({"=", "|"})) ++m_i;
    }

    // A command and its arguments. Programs in its nested groups (`{ ... }`, `$(...)`) come
    // after the command itself, unless it hands its whole argument text to a nested
    // interpreter (`cmd /c ...`, `powershell -Command {...}`), which reads them there.
    void command(bool called) {
        const Token& cmd = m_tokens[m_i++];
        std::vector<Token> args;
        CommandAnalysis nested_groups;
        CommandAnalysis* outer = std::exchange(m_out, &nested_groups);
        while (m_i < m_tokens.size() && !at_op({";", "\n", "|", "&&", "||", "}", ")"})) {
            if (at_op({"(", "$(", "@(", "{", "@{"})) {
                group();
                continue;
            }
            if (at_op({">", ">>", "2>"}) && m_i + 1 < m_tokens.size()) {
                if (m_tokens[m_i].text != "2>") add_written(*outer, m_tokens[m_i + 1]);
                m_i += 2;
                continue;
            }
            if (m_tokens[m_i].kind == Token::Word) args.push_back(m_tokens[m_i]);
            ++m_i;
        }
        m_out = outer;
        std::size_t end = m_tokens[m_i - 1].end;  // the last token of the command, groups included
        if (!classify(cmd, args, called, end)) append(*m_out, std::move(nested_groups));
    }

    // Returns true when a nested interpreter took the command's whole argument text.
    bool classify(const Token& cmd, const std::vector<Token>& args, bool called, std::size_t end) {
        std::string w = ascii_lowercase(cmd.text);
        if (cmd.dynamic) {
            m_out->unresolved.push_back(cmd.text);
            return false;
        }
        if (m_functions.count(w)) return false;
        if (contains({"start-process", "start", "saps"}, w)) {
            start_process(args);
            return false;
        }
        if (contains({"invoke-expression", "iex"}, w)) {
            if (!args.empty() && args[0].quoted && !args[0].dynamic)
                nested("powershell", args[0].text);
            return false;
        }
        if (is_cmdlet_name(w)) {
            add_cmdlet(w, cmd, args);
            return false;
        }
        if (!called && is_ps_alias(w)) return false;
        add_program(*m_out, cmd, args, Shell::PowerShell);
        std::string name = program_name(cmd.text, true);
        if (name == "cmd.exe") return nested_cmd(args, end);
        if (name == "powershell.exe" || name == "pwsh.exe") {
            powershell_invocation(m_source, args, 0, *m_out, m_depth, end);
            return true;
        }
        return false;
    }

    void start_process(const std::vector<Token>& args) {
        const Token* file = nullptr;
        const Token* arguments = nullptr;
        for (std::size_t i = 0; i < args.size(); ++i) {
            std::string a = ascii_lowercase(args[i].text);
            if (a.size() > 1 && a[0] == '-') {
                if (i + 1 < args.size() && (a == "-filepath" || a == "-file" || a == "-path"))
                    file = &args[++i];
                else if (i + 1 < args.size() && (a == "-argumentlist" || a == "-args"))
                    arguments = &args[++i];
                else if (!contains({"-wait", "-nonewwindow", "-passthru", "-usenewenvironment"}, a))
                    ++i;
            } else if (!file) {
                file = &args[i];
            } else if (!arguments) {
                arguments = &args[i];
            }
        }
        if (!file) return;
        if (file->dynamic) return m_out->unresolved.push_back(file->text);
        std::vector<Token> program_args;
        if (arguments) program_args.push_back(*arguments);
        add_program(*m_out, *file, program_args, Shell::PowerShell);
        std::string name = program_name(file->text, true);
        if (arguments && name == "cmd.exe") nested_cmd(program_args, arguments->end);
    }

    void add_cmdlet(std::string name, const Token& cmd, const std::vector<Token>& args) {
        if (std::size_t module = name.rfind('\\'); module != std::string::npos)
            name.erase(0, module + 1);
        collect_written(*m_out, name, args, true);
        ProgramUse use{cmd.text, name, {}, cmd.line};
        for (const Token& a : args) use.args.push_back(a.text);
        m_out->cmdlets.push_back(std::move(use));
    }

    bool nested_cmd(const std::vector<Token>& args, std::size_t end) {
        for (std::size_t i = 0; i < args.size(); ++i) {
            std::string o = ascii_lowercase(args[i].text);
            if (o == "/c" || o == "/k" || o == "/r") {
                nested("command_prompt", raw_rest(m_source, args, i + 1, end));
                return true;
            }
            if (o.rfind("/c ", 0) == 0 || o.rfind("/k ", 0) == 0) {
                nested("command_prompt", args[i].text.substr(3));
                return true;
            }
        }
        return false;
    }

    void nested(std::string_view executor, const std::string& text) {
        analyze_into(executor, text, *m_out, m_depth + 1);
    }

    std::string_view m_source;
    CommandAnalysis* m_out;  // where programs go; a command's nested groups go aside first
    int m_depth;
    std::vector<Token> m_tokens;
    std::size_t m_i = 0;
    std::set<std::string> m_functions;
    std::vector<bool> m_in_hashtable;  // per open group: is it an `@{ key = value }` literal
};

// ---- powershell.exe's own command line ------------------------------------------------------

// The text of `-EncodedCommand`: base64 of UTF-16LE.
std::string decode_encoded_command(std::string_view b64) {
    Expected<std::string> bytes = base64_decode(b64);
    return bytes ? utf16le_to_utf8(*bytes) : std::string();
}

// powershell.exe [options] [-Command] TEXT | -EncodedCommand B64 | -File script
void powershell_invocation(std::string_view source, const std::vector<Token>& args,
                           std::size_t from, CommandAnalysis& out, int depth, std::size_t end) {
    auto starts = [](const std::string& opt, std::string_view full, std::size_t min) {
        return opt.size() >= min && full.substr(0, opt.size()) == opt;
    };
    for (std::size_t i = from; i < args.size(); ++i) {
        std::string o = ascii_lowercase(args[i].text);
        if (o.empty() || (o[0] != '-' && o[0] != '/'))
            return analyze_into("powershell", raw_rest(source, args, i, end), out, depth + 1);
        o.erase(0, 1);
        if (o == "c" || starts(o, "command", 1))
            return analyze_into("powershell", raw_rest(source, args, i + 1, end), out, depth + 1);
        if (o == "e" || o == "ec" || starts(o, "encodedcommand", 3)) {
            if (i + 1 < args.size())
                analyze_into("powershell", decode_encoded_command(args[i + 1].text), out,
                             depth + 1);
            return;
        }
        if (o == "f" || starts(o, "file", 2)) return;
        if (o == "ep" || starts(o, "executionpolicy", 2) || o == "w" ||
            starts(o, "windowstyle", 2) || starts(o, "version", 1) || starts(o, "inputformat", 2) ||
            starts(o, "outputformat", 2) || starts(o, "configurationname", 3) ||
            starts(o, "psconsolefile", 2))
            ++i;
    }
}

void analyze_into(std::string_view executor, std::string_view text, CommandAnalysis& out,
                  int depth) {
    if (depth > kMaxDepth) {
        out.unresolved.emplace_back(trim(text));
        return;
    }
    if (executor == "sh" || executor == "bash") {
        ShParser(out, depth).run(text);
    } else if (executor == "command_prompt") {
        CmdParser(text, out, depth).run();
    } else if (executor == "powershell") {
        PsParser(text, out, depth).run();
    }
}

}  // namespace

std::string program_name(std::string_view program, bool windows) {
    std::size_t slash = program.find_last_of(windows ? "\\/" : "/");
    std::string_view base = slash == std::string_view::npos ? program : program.substr(slash + 1);
    if (!windows) return std::string(base);
    std::string name = ascii_lowercase(base);
    // PATHEXT tries .COM before .EXE: these System32 programs are .com files.
    static constexpr std::array<std::string_view, 6> com = {"tree",   "more", "chcp",
                                                            "format", "mode", "diskcopy"};
    if (std::find(com.begin(), com.end(), name) != com.end()) return name + ".com";
    if (!name.empty() && name.find('.') == std::string::npos) name += ".exe";
    return name;
}

CommandAnalysis analyze_command(std::string_view executor, std::string_view text) {
    CommandAnalysis out;
    analyze_into(executor, text, out, 0);
    return out;
}

}  // namespace attest::scenarios
