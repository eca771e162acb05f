#include "expectations/eql/pattern.h"

#include <algorithm>

namespace attest::eql {

namespace {

// Length of the UTF-8 sequence starting with byte c (1 for invalid bytes, so every byte is
// consumed by something).
std::size_t utf8_length(unsigned char c) {
    if (c < 0xC0) return 1;
    if (c < 0xE0) return 2;
    if (c < 0xF0) return 3;
    return 4;
}

// Decodes one code point at s[i], advancing i. Invalid bytes decode to themselves + 0xDC00
// (distinct from every valid code point's class membership tests that matter here).
std::uint32_t decode_utf8(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = utf8_length(c);
    if (n == 1 || i + n > s.size()) {
        ++i;
        return c < 0x80 ? c : 0xDC00 + c;
    }
    std::uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return 0xDC00 + c;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    i += n;
    return cp;
}

bool chars_equal(char a, char b, bool insensitive) {
    return insensitive ? ascii_lower(a) == ascii_lower(b) : a == b;
}

bool starts_with(std::string_view s, std::string_view prefix, bool insensitive) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (!chars_equal(s[i], prefix[i], insensitive)) return false;
    return true;
}

bool contains(std::string_view s, std::string_view needle, bool insensitive) {
    if (!insensitive) return s.find(needle) != std::string_view::npos;
    if (needle.empty()) return true;
    if (s.size() < needle.size()) return false;
    char first = needle[0];  // already lowercase
    for (std::size_t i = 0; i + needle.size() <= s.size(); ++i) {
        if (ascii_lower(s[i]) != first) continue;
        if (starts_with(s.substr(i), needle, true)) return true;
    }
    return false;
}

}  // namespace

WildcardPattern::WildcardPattern(std::string_view pattern, bool insensitive)
    : m_pattern(insensitive ? ascii_lowercase(pattern) : std::string(pattern)), m_insensitive(insensitive) {
    choose_shape();
}

WildcardPattern::WildcardPattern(std::string_view pattern, bool insensitive, std::vector<bool> wild)
    : m_wild(std::move(wild)),
      m_pattern(insensitive ? ascii_lowercase(pattern) : std::string(pattern)),
      m_insensitive(insensitive) {
    m_wild.resize(m_pattern.size(), false);
    choose_shape();
}

std::vector<bool> wildcard_mask(std::string_view pattern, bool question_wild) {
    std::vector<bool> wild(pattern.size(), false);
    for (std::size_t i = 0; i < pattern.size(); ++i)
        wild[i] = pattern[i] == '*' || (question_wild && pattern[i] == '?');
    return wild;
}

void WildcardPattern::choose_shape() {
    const std::size_t n = m_pattern.size();
    std::size_t stars = 0;
    bool has_question = false;
    for (std::size_t i = 0; i < n; ++i) {
        stars += is_star(i);
        has_question |= is_question(i);
    }
    bool first = n > 0 && is_star(0), last = n > 0 && is_star(n - 1);
    if (has_question) {
        m_shape = Shape::General;
    } else if (stars == 0) {
        m_shape = Shape::Exact;
        m_literal = m_pattern;
    } else if (stars == 1 && last) {
        m_shape = Shape::Prefix;
        m_literal = m_pattern.substr(0, n - 1);
    } else if (stars == 1 && first) {
        m_shape = Shape::Suffix;
        m_literal = m_pattern.substr(1);
    } else if (stars == 2 && n >= 2 && first && last) {
        m_shape = Shape::Contains;
        m_literal = m_pattern.substr(1, n - 2);
    }
}

bool WildcardPattern::matches(std::string_view s) const {
    switch (m_shape) {
        case Shape::Exact:
            return s.size() == m_literal.size() && starts_with(s, m_literal, m_insensitive);
        case Shape::Prefix: return starts_with(s, m_literal, m_insensitive);
        case Shape::Suffix:
            return s.size() >= m_literal.size() && starts_with(s.substr(s.size() - m_literal.size()), m_literal, m_insensitive);
        case Shape::Contains: return contains(s, m_literal, m_insensitive);
        case Shape::General: return general_match(s);
    }
    return false;
}

// Iterative glob matching with one backtrack point (the last '*'): linear for patterns
// without '?', and at worst O(pattern * input) — no exponential blow-up.
bool WildcardPattern::general_match(std::string_view s) const {
    std::string_view p = m_pattern;
    std::size_t si = 0, pi = 0;
    std::size_t star_p = std::string_view::npos, star_s = 0;
    while (si < s.size()) {
        if (pi < p.size() && is_star(pi)) {
            star_p = pi++;
            star_s = si;
            continue;
        }
        if (pi < p.size() && is_question(pi)) {
            si += std::min(utf8_length(static_cast<unsigned char>(s[si])), s.size() - si);
            ++pi;
            continue;
        }
        if (pi < p.size() && chars_equal(s[si], p[pi], m_insensitive)) {
            ++si;
            ++pi;
            continue;
        }
        if (star_p == std::string_view::npos) return false;
        pi = star_p + 1;
        star_s += std::min(utf8_length(static_cast<unsigned char>(s[star_s])), s.size() - star_s);
        si = star_s;
    }
    while (pi < p.size() && is_star(pi)) ++pi;
    return pi == p.size();
}

// ---------------------------------------------------------------- Lucene regexp

struct RegexPattern::Inst {
    enum Op : std::uint8_t { Char, Any, Class, Split, Jmp, Match, Fail } op = Fail;
    bool negated = false;
    std::uint32_t c = 0;
    int x = 0, y = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
};

namespace {

using Inst = RegexPattern::Inst;
constexpr std::size_t kMaxProgram = 20000;
constexpr int kMaxRegexDepth = 100;

// Regex syntax tree, compiled to Pike VM instructions.
struct RNode {
    enum Kind { Char, Any, Class, Concat, Alt, Repeat, Empty, Fail } kind = Empty;
    std::uint32_t c = 0;
    bool negated = false;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    int min = 0, max = -1;  // Repeat; max -1 = unbounded
    std::vector<std::unique_ptr<RNode>> kids;
};
using RPtr = std::unique_ptr<RNode>;

struct RegexError {
    std::string message;
};

class RegexParser {
public:
    RegexParser(std::string_view p, bool insensitive) : m_p(p), m_insensitive(insensitive) {}

    RPtr parse() {
        RPtr r = parse_union();
        if (m_i < m_p.size()) err("unexpected '" + std::string(1, m_p[m_i]) + "'");
        return r;
    }

private:
    [[noreturn]] void err(const std::string& m) {
        throw RegexError{"invalid regular expression at offset " + std::to_string(m_i) + ": " + m};
    }
    bool more() const { return m_i < m_p.size(); }
    char peek() const { return m_p[m_i]; }
    std::uint32_t next_cp() { return decode_utf8(m_p, m_i); }
    std::uint32_t fold(std::uint32_t c) const {
        return (m_insensitive && c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    struct Depth {
        RegexParser& r;
        explicit Depth(RegexParser& p) : r(p) {
            if (++r.m_depth > kMaxRegexDepth) r.err("nested too deeply");
        }
        ~Depth() { --r.m_depth; }
    };

    RPtr make(RNode::Kind k) {
        auto n = std::make_unique<RNode>();
        n->kind = k;
        return n;
    }

    RPtr parse_union() {
        Depth d(*this);
        RPtr left = parse_concat();
        if (!more() || peek() != '|') return left;
        auto alt = make(RNode::Alt);
        alt->kids.push_back(std::move(left));
        while (more() && peek() == '|') {
            ++m_i;
            alt->kids.push_back(parse_concat());
        }
        return alt;
    }

    RPtr parse_concat() {
        auto cat = make(RNode::Concat);
        while (more() && peek() != '|' && peek() != ')') {
            if (peek() == '&') err("intersection '&' is not supported");
            cat->kids.push_back(parse_repeat());
        }
        return cat;
    }

    int parse_int() {
        std::size_t start = m_i;
        long v = 0;
        while (more() && peek() >= '0' && peek() <= '9') {
            v = v * 10 + (peek() - '0');
            if (v > 1000) err("repetition count too large");
            ++m_i;
        }
        if (m_i == start) err("expected a number in {}");
        return static_cast<int>(v);
    }

    RPtr parse_repeat() {
        RPtr atom = parse_atom();
        while (more()) {
            char c = peek();
            int mn, mx;
            if (c == '*') { mn = 0; mx = -1; ++m_i; }
            else if (c == '+') { mn = 1; mx = -1; ++m_i; }
            else if (c == '?') { mn = 0; mx = 1; ++m_i; }
            else if (c == '{') {
                ++m_i;
                mn = parse_int();
                mx = mn;
                if (more() && peek() == ',') {
                    ++m_i;
                    mx = (more() && peek() == '}') ? -1 : parse_int();
                }
                if (!more() || peek() != '}') err("expected '}'");
                ++m_i;
                if (mx != -1 && mx < mn) err("bad repetition bounds");
            } else {
                break;
            }
            auto r = make(RNode::Repeat);
            r->min = mn;
            r->max = mx;
            r->kids.push_back(std::move(atom));
            atom = std::move(r);
        }
        return atom;
    }

    void add_shorthand(RNode& cls, char k) {
        switch (k) {
            case 'd': cls.ranges.push_back({'0', '9'}); break;
            case 's':
                cls.ranges.push_back({'\t', '\r'});
                cls.ranges.push_back({' ', ' '});
                break;
            case 'w':
                cls.ranges.push_back({'0', '9'});
                cls.ranges.push_back({'A', 'Z'});
                cls.ranges.push_back({'a', 'z'});
                cls.ranges.push_back({'_', '_'});
                break;
        }
    }

    RPtr parse_atom() {
        Depth d(*this);
        char c = peek();
        switch (c) {
            case '(': {
                ++m_i;
                if (more() && peek() == ')') {
                    ++m_i;
                    return make(RNode::Empty);
                }
                RPtr inner = parse_union();
                if (!more() || peek() != ')') err("expected ')'");
                ++m_i;
                return inner;
            }
            case '.': ++m_i; return make(RNode::Any);
            case '@': {
                ++m_i;
                auto r = make(RNode::Repeat);
                r->min = 0;
                r->max = -1;
                r->kids.push_back(make(RNode::Any));
                return r;
            }
            case '#': ++m_i; return make(RNode::Fail);
            case '~': err("complement '~' is not supported");
            case '<': err("numeric intervals '<n-m>' are not supported");
            case '*': case '+': case '?': case '{': err(std::string("nothing to repeat before '") + c + "'");
            case '"': {
                ++m_i;
                auto cat = make(RNode::Concat);
                while (more() && peek() != '"') {
                    auto ch = make(RNode::Char);
                    ch->c = fold(next_cp());
                    cat->kids.push_back(std::move(ch));
                }
                if (!more()) err("unterminated \"...\" string");
                ++m_i;
                return cat;
            }
            case '[': return parse_class();
            case '\\': {
                ++m_i;
                if (!more()) err("trailing backslash");
                char k = peek();
                if (k == 'd' || k == 's' || k == 'w' || k == 'D' || k == 'S' || k == 'W') {
                    ++m_i;
                    auto cls = make(RNode::Class);
                    cls->negated = k >= 'A' && k <= 'Z';
                    add_shorthand(*cls, static_cast<char>(k | 0x20));
                    return cls;
                }
                auto ch = make(RNode::Char);
                ch->c = fold(next_cp());
                return ch;
            }
            default: {
                auto ch = make(RNode::Char);
                ch->c = fold(next_cp());
                return ch;
            }
        }
    }

    std::uint32_t class_char() {
        if (peek() == '\\') {
            ++m_i;
            if (!more()) err("trailing backslash");
        }
        return next_cp();
    }

    RPtr parse_class() {
        ++m_i;  // '['
        auto cls = make(RNode::Class);
        if (more() && peek() == '^') {
            cls->negated = true;
            ++m_i;
        }
        bool first = true;
        while (more() && (peek() != ']' || first)) {
            first = false;
            if (peek() == '\\' && m_i + 1 < m_p.size() && std::string_view("dswDSW").find(m_p[m_i + 1]) != std::string_view::npos) {
                char k = m_p[m_i + 1];
                if (k >= 'A' && k <= 'Z') err("negated shorthand classes inside [] are not supported");
                add_shorthand(*cls, k);
                m_i += 2;
                continue;
            }
            std::uint32_t lo = class_char();
            std::uint32_t hi = lo;
            if (more() && peek() == '-' && m_i + 1 < m_p.size() && m_p[m_i + 1] != ']') {
                ++m_i;
                hi = class_char();
                if (hi < lo) err("bad character range");
            }
            cls->ranges.push_back({lo, hi});
        }
        if (!more()) err("expected ']'");
        ++m_i;
        if (m_insensitive) {
            // Add the other case of every ASCII letter range so folding the input suffices.
            auto ranges = cls->ranges;
            for (auto [lo, hi] : ranges) {
                std::uint32_t a = std::max<std::uint32_t>(lo, 'A'), b = std::min<std::uint32_t>(hi, 'Z');
                if (a <= b) cls->ranges.push_back({a + 32, b + 32});
            }
        }
        return cls;
    }

    std::string_view m_p;
    std::size_t m_i = 0;
    bool m_insensitive;
    int m_depth = 0;
};

class RegexCompiler {
public:
    std::vector<Inst> prog;

    void emit(const RNode& n) {
        if (prog.size() > kMaxProgram) throw RegexError{"regular expression too large"};
        switch (n.kind) {
            case RNode::Char: {
                Inst i;
                i.op = Inst::Char;
                i.c = n.c;
                prog.push_back(std::move(i));
                break;
            }
            case RNode::Any: {
                Inst i;
                i.op = Inst::Any;
                prog.push_back(std::move(i));
                break;
            }
            case RNode::Class: {
                Inst i;
                i.op = Inst::Class;
                i.negated = n.negated;
                i.ranges = n.ranges;
                prog.push_back(std::move(i));
                break;
            }
            case RNode::Fail: {
                Inst i;
                i.op = Inst::Fail;
                prog.push_back(std::move(i));
                break;
            }
            case RNode::Empty: break;
            case RNode::Concat:
                for (const auto& k : n.kids) emit(*k);
                break;
            case RNode::Alt: {
                // split L1, next; L1: kid0; jmp end; next: split ...
                std::vector<std::size_t> jumps;
                for (std::size_t k = 0; k < n.kids.size(); ++k) {
                    if (k + 1 < n.kids.size()) {
                        std::size_t split = push(Inst::Split);
                        prog[split].x = static_cast<int>(prog.size());
                        emit(*n.kids[k]);
                        jumps.push_back(push(Inst::Jmp));
                        prog[split].y = static_cast<int>(prog.size());
                    } else {
                        emit(*n.kids[k]);
                    }
                }
                for (auto j : jumps) prog[j].x = static_cast<int>(prog.size());
                break;
            }
            case RNode::Repeat: {
                const RNode& kid = *n.kids[0];
                for (int k = 0; k < n.min; ++k) emit(kid);
                if (n.max == -1) {
                    // L: split body, end; body; jmp L
                    std::size_t split = push(Inst::Split);
                    prog[split].x = static_cast<int>(prog.size());
                    emit(kid);
                    std::size_t j = push(Inst::Jmp);
                    prog[j].x = static_cast<int>(split);
                    prog[split].y = static_cast<int>(prog.size());
                } else {
                    std::vector<std::size_t> splits;
                    for (int k = n.min; k < n.max; ++k) {
                        std::size_t split = push(Inst::Split);
                        prog[split].x = static_cast<int>(prog.size());
                        splits.push_back(split);
                        emit(kid);
                    }
                    for (auto s : splits) prog[s].y = static_cast<int>(prog.size());
                }
                break;
            }
        }
    }

private:
    std::size_t push(Inst::Op op) {
        Inst i;
        i.op = op;
        prog.push_back(std::move(i));
        return prog.size() - 1;
    }
};

}  // namespace

Expected<std::shared_ptr<const RegexPattern>> RegexPattern::compile(std::string_view pattern, bool insensitive) {
    try {
        RegexParser parser(pattern, insensitive);
        RPtr tree = parser.parse();
        RegexCompiler compiler;
        compiler.emit(*tree);
        Inst match;
        match.op = Inst::Match;
        compiler.prog.push_back(match);
        if (compiler.prog.size() > kMaxProgram) return make_error("regular expression too large");
        auto r = std::shared_ptr<RegexPattern>(new RegexPattern());
        r->m_program = std::move(compiler.prog);
        r->m_insensitive = insensitive;
        return std::shared_ptr<const RegexPattern>(std::move(r));
    } catch (const RegexError& e) {
        return make_error(e.message);
    }
}

bool RegexPattern::matches(std::string_view s) const {
    const std::size_t n = m_program.size();
    // Thread lists as sparse sets, reused per thread (no allocation per call once warm).
    thread_local std::vector<int> clist, nlist, stack;
    thread_local std::vector<std::uint32_t> mark;
    thread_local std::uint32_t generation = 0;
    if (mark.size() < n) mark.assign(n, 0);
    clist.clear();
    nlist.clear();

    auto add = [&](std::vector<int>& list, int pc) {
        stack.clear();
        stack.push_back(pc);
        while (!stack.empty()) {
            int p = stack.back();
            stack.pop_back();
            if (mark[static_cast<std::size_t>(p)] == generation) continue;
            mark[static_cast<std::size_t>(p)] = generation;
            const Inst& in = m_program[static_cast<std::size_t>(p)];
            if (in.op == Inst::Jmp) {
                stack.push_back(in.x);
            } else if (in.op == Inst::Split) {
                stack.push_back(in.y);
                stack.push_back(in.x);
            } else {
                list.push_back(p);
            }
        }
    };
    auto next_generation = [&] {
        if (++generation == 0) {
            std::fill(mark.begin(), mark.end(), 0);
            generation = 1;
        }
    };

    next_generation();
    add(clist, 0);
    std::size_t i = 0;
    while (i < s.size() && !clist.empty()) {
        std::uint32_t c = decode_utf8(s, i);
        if (m_insensitive && c >= 'A' && c <= 'Z') c += 32;
        next_generation();
        nlist.clear();
        for (int pc : clist) {
            const Inst& in = m_program[static_cast<std::size_t>(pc)];
            bool ok = false;
            switch (in.op) {
                case Inst::Char: ok = in.c == c; break;
                case Inst::Any: ok = true; break;
                case Inst::Class: {
                    bool hit = false;
                    for (auto [lo, hi] : in.ranges)
                        if (c >= lo && c <= hi) {
                            hit = true;
                            break;
                        }
                    ok = hit != in.negated;
                    break;
                }
                default: break;
            }
            if (ok) add(nlist, pc + 1);
        }
        std::swap(clist, nlist);
    }
    if (i < s.size()) return false;
    for (int pc : clist)
        if (m_program[static_cast<std::size_t>(pc)].op == Inst::Match) return true;
    return false;
}

}  // namespace attest::eql
