// Sigma field items: modifier chains, value escapes and encodings, compiled into leaf
// conditions of the EQL engine's predicate form.
#include <algorithm>
#include <array>
#include <cmath>

#include "core/encoding.h"
#include "core/text.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/pattern.h"
#include "expectations/sigma/internal.h"

namespace attest::sigma::detail {

using eql::detail::AndCond;
using eql::detail::OrCond;

namespace {

// Calls f(scalar) for each non-null scalar of v; objects (O365 `Parameters` folded by name)
// give their keys and their values, so `Parameters|contains: ForwardTo` finds the key.
template <class F>
bool visit_scalars(const Value& v, F& f) {
    if (v.is_array()) {
        for (const auto& x : v.as_array())
            if (visit_scalars(x, f)) return true;
        return false;
    }
    if (v.is_object()) {
        for (const auto& m : v.as_object())
            if (f(Value(std::string_view(m.key))) || visit_scalars(m.value, f)) return true;
        return false;
    }
    if (v.is_null()) return false;
    return f(v);
}

std::string text_of(const Value& x) {
    return x.is_string() ? x.as_string() : eql::detail::scalar_to_string(x);
}

// A Sigma field as the value index reads it: the first candidate path present, every scalar
// (object keys too) as text, as MatchLeaf sees it.
class SigmaKeyReader final : public eql::detail::KeyReader {
public:
    explicit SigmaKeyReader(FieldRef f) : m_field(std::move(f)) {}
    void each_text(const Event& e, const std::function<void(std::string_view)>& f) const override {
        const Value* v = m_field.resolve(e);
        if (v == nullptr) return;
        auto each = [&f](const Value& x) {
            if (x.is_string())
                f(x.as_string());
            else
                f(text_of(x));
            return false;
        };
        visit_scalars(*v, each);
    }

private:
    FieldRef m_field;
};

// Field against patterns, numbers, regular expressions and networks (any one matching).
class MatchLeaf final : public Cond {
public:
    FieldRef field;
    std::vector<eql::WildcardPattern> patterns;
    std::vector<double> numbers;
    std::vector<std::shared_ptr<const eql::RegexPattern>> regexes;
    std::vector<eql::detail::Cidr> cidrs;

    bool test(const Event& e) const override {
        const Value* v = field.resolve(e);
        if (v == nullptr) return false;
        auto f = [this](const Value& x) { return scalar_ok(x); };
        return visit_scalars(*v, f);
    }
    bool index_keys(std::vector<eql::detail::IndexKey>& out) const override {
        if (!numbers.empty() || !regexes.empty() || !cidrs.empty() || patterns.empty())
            return false;
        std::string id = "sigma:";
        for (const auto& p : field.paths) id += p + "|";
        eql::detail::KeyField key{id, std::make_shared<SigmaKeyReader>(field)};
        for (const auto& p : patterns)
            if (!eql::detail::pattern_key(key, p, out)) return false;
        return true;
    }

private:
    bool scalar_ok(const Value& x) const {
        if (x.is_number())
            for (double n : numbers)
                if (x.as_number() == n) return true;
        if (x.is_string()) return text_ok(x.as_string());
        return text_ok(text_of(x));
    }
    bool text_ok(std::string_view s) const {
        for (const auto& p : patterns)
            if (p.matches(s)) return true;
        for (const auto& r : regexes)
            if (r->matches(s)) return true;
        for (const auto& c : cidrs)
            if (eql::detail::cidr_contains(c, s)) return true;
        return false;
    }
};

// A list of plain values without a field: any string of the event (its metadata aside).
class KeywordLeaf final : public Cond {
public:
    std::vector<eql::WildcardPattern> patterns;
    bool test(const Event& e) const override {
        if (!e.is_object()) return false;
        auto f = [this](const Value& x) {
            if (!x.is_string()) return false;
            for (const auto& p : patterns)
                if (p.matches(x.as_string())) return true;
            return false;
        };
        for (const auto& m : e.as_object())
            if (m.key != "attest" && visit_scalars(m.value, f)) return true;
        return false;
    }
};

// `null` / `exists`: the field present with a non-null value, or not.
class PresenceLeaf final : public Cond {
public:
    PresenceLeaf(FieldRef f, bool want) : m_field(std::move(f)), m_want(want) {}
    bool test(const Event& e) const override {
        const Value* v = m_field.resolve(e);
        auto any = [](const Value&) { return true; };
        bool present = v != nullptr && visit_scalars(*v, any);
        return present == m_want;
    }

private:
    FieldRef m_field;
    bool m_want;
};

class NumericLeaf final : public Cond {
public:
    FieldRef field;
    std::string op;
    double bound = 0;
    bool test(const Event& e) const override {
        const Value* v = field.resolve(e);
        if (v == nullptr) return false;
        auto f = [this](const Value& x) {
            double n = 0;
            if (x.is_number())
                n = x.as_number();
            else if (x.is_string()) {
                auto p = eql::detail::parse_number_text(x.as_string());
                if (!p) return false;
                n = p->as_number();
            } else {
                return false;
            }
            if (op == "gt") return n > bound;
            if (op == "gte") return n >= bound;
            if (op == "lt") return n < bound;
            return n <= bound;
        };
        return eql::detail::any_scalar(*v, f);
    }
};

// `fieldref`: the field compared with another field of the same event.
class FieldRefLeaf final : public Cond {
public:
    FieldRef field, other;
    std::string position;  // "", contains, startswith, endswith
    bool cased = false;
    bool test(const Event& e) const override {
        const Value* a = field.resolve(e);
        const Value* b = other.resolve(e);
        if (a == nullptr || b == nullptr) return false;
        auto outer = [&](const Value& x) {
            std::string s = text_of(x);
            auto inner = [&](const Value& y) { return related(s, text_of(y)); };
            return eql::detail::any_scalar(*b, inner);
        };
        return eql::detail::any_scalar(*a, outer);
    }

private:
    bool related(std::string s, std::string t) const {
        if (!cased) {
            s = ascii_lowercase(s);
            t = ascii_lowercase(t);
        }
        if (position == "contains") return s.find(t) != std::string::npos;
        if (position == "startswith") return s.rfind(t, 0) == 0;
        if (position == "endswith")
            return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
        return s == t;
    }
};

// ------------------------------------------------------------------ modifiers

enum class Mod {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Base64,
    Base64Offset,
    Wide,
    Utf16Be,
    Utf16,
    Windash,
    Re,
    ReI,
    ReM,
    ReS,
    Cidr,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
    FieldRef,
    Expand,
    Cased
};
struct ModInfo {
    std::string_view name;
    Mod mod;
    const char* group;  // modifiers of one group cannot be combined with those of another
};
// Groups: "pos" (position), "enc" (encodings), "re", "cidr", "num", "exists", "fieldref", "any"
// (combine with everything).
constexpr ModInfo kModifiers[] = {
    {"contains", Mod::Contains, "pos"},
    {"startswith", Mod::StartsWith, "pos"},
    {"endswith", Mod::EndsWith, "pos"},
    {"all", Mod::All, "any"},
    {"base64", Mod::Base64, "enc"},
    {"base64offset", Mod::Base64Offset, "enc"},
    {"wide", Mod::Wide, "enc"},
    {"utf16le", Mod::Wide, "enc"},
    {"utf16be", Mod::Utf16Be, "enc"},
    {"utf16", Mod::Utf16, "enc"},
    {"windash", Mod::Windash, "str"},
    {"re", Mod::Re, "re"},
    {"i", Mod::ReI, "re"},
    {"m", Mod::ReM, "re"},
    {"s", Mod::ReS, "re"},
    {"cidr", Mod::Cidr, "cidr"},
    {"gt", Mod::Gt, "num"},
    {"gte", Mod::Gte, "num"},
    {"lt", Mod::Lt, "num"},
    {"lte", Mod::Lte, "num"},
    {"exists", Mod::Exists, "exists"},
    {"fieldref", Mod::FieldRef, "fieldref"},
    {"expand", Mod::Expand, "str"},
    {"cased", Mod::Cased, "str"},
};

// Which groups may be combined: string matching (pos, enc, str) together; fieldref with a
// position and `cased`; the others alone (with `all`).
bool compatible(std::string_view a, std::string_view b) {
    if (a == b || a == "any" || b == "any") return true;
    auto stringy = [](std::string_view g) { return g == "pos" || g == "enc" || g == "str"; };
    if (stringy(a) && stringy(b)) return true;
    auto fr = [](std::string_view g, std::string_view o) {
        return g == "fieldref" && (o == "pos" || o == "str");
    };
    return fr(a, b) || fr(b, a);
}

struct Chain {
    std::vector<Mod> mods;  // in order
    bool has(Mod m) const { return std::find(mods.begin(), mods.end(), m) != mods.end(); }
    std::string position;
    std::string numeric;
};

std::optional<Chain> parse_chain(const ItemInput& in, std::vector<Problem>& problems) {
    Chain c;
    std::vector<const ModInfo*> seen;
    auto fail = [&](std::string msg) {
        problems.push_back(Problem{in.line, in.column, in.key_path, std::move(msg)});
        return std::nullopt;
    };
    for (const auto& name : in.modifiers) {
        const ModInfo* info = nullptr;
        for (const auto& m : kModifiers)
            if (m.name == name) info = &m;
        if (info == nullptr) return fail("unknown modifier '" + name + "'");
        for (const ModInfo* s : seen) {
            if (!compatible(s->group, info->group))
                return fail("contradictory modifiers '" + std::string(s->name) + "' and '" + name +
                            "'");
            if (s->mod == info->mod) return fail("modifier '" + name + "' given twice");
            if (std::string_view(s->group) == "pos" && std::string_view(info->group) == "pos")
                return fail("contradictory modifiers '" + std::string(s->name) + "' and '" + name +
                            "' (one position only)");
            if (std::string_view(s->group) == "num" && std::string_view(info->group) == "num")
                return fail("contradictory modifiers '" + std::string(s->name) + "' and '" + name +
                            "'");
            if ((s->mod == Mod::Base64 && info->mod == Mod::Base64Offset) ||
                (s->mod == Mod::Base64Offset && info->mod == Mod::Base64))
                return fail("contradictory modifiers 'base64' and 'base64offset'");
        }
        if ((info->mod == Mod::ReI || info->mod == Mod::ReM || info->mod == Mod::ReS) &&
            std::none_of(seen.begin(), seen.end(),
                         [](const ModInfo* s) { return s->mod == Mod::Re; }))
            return fail("modifier '" + name + "' applies to 're' and must follow it");
        seen.push_back(info);
        c.mods.push_back(info->mod);
        if (std::string_view(info->group) == "pos") c.position = name;
        if (std::string_view(info->group) == "num") c.numeric = name;
    }
    if (in.field.empty() && !c.mods.empty()) return fail("a keyword list takes no modifiers");
    return c;
}

// ------------------------------------------------------------------ values

Pattern literal(std::string_view s) {
    return Pattern{std::string(s), std::vector<bool>(s.size(), false)};
}

void wrap(Pattern& p, const std::string& position) {
    if (position == "contains" || position == "endswith") {
        p.text.insert(p.text.begin(), '*');
        p.wild.insert(p.wild.begin(), true);
    }
    if (position == "contains" || position == "startswith") {
        p.text.push_back('*');
        p.wild.push_back(true);
    }
}

// `windash`: every `-` or `/` starting a word also as `/`, `-`, en dash, em dash, horizontal bar.
bool windash_variants(const Pattern& p, std::vector<Pattern>& out) {
    static constexpr std::array<std::string_view, 5> kDashes = {"-", "/", "\xE2\x80\x93",
                                                                "\xE2\x80\x94", "\xE2\x80\x95"};
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < p.text.size(); ++i)
        if ((p.text[i] == '-' || p.text[i] == '/') && !p.wild[i] &&
            (i == 0 || p.text[i - 1] == ' ' || p.text[i - 1] == '\t'))
            at.push_back(i);
    if (at.size() > 4) return false;  // 5^4 variants at most
    std::vector<std::size_t> choice(at.size(), 0);
    while (true) {
        Pattern v;
        std::size_t k = 0;
        for (std::size_t i = 0; i < p.text.size(); ++i) {
            if (k < at.size() && at[k] == i) {
                v.text += kDashes[choice[k++]];
                v.wild.resize(v.text.size(), false);
                continue;
            }
            v.text.push_back(p.text[i]);
            v.wild.push_back(p.wild[i]);
        }
        out.push_back(std::move(v));
        std::size_t d = at.size();
        while (d > 0 && ++choice[d - 1] == kDashes.size()) choice[--d] = 0;
        if (d == 0) return true;
    }
}

std::string utf16be(std::string_view s) {
    std::string le = utf8_to_utf16le(s);
    for (std::size_t i = 0; i + 1 < le.size(); i += 2) std::swap(le[i], le[i + 1]);
    return le;
}

// The encoding modifiers in chain order, each mapping one byte string to its variants.
std::vector<std::string> encode(const Chain& c, std::vector<std::string> values) {
    for (Mod m : c.mods) {
        std::vector<std::string> next;
        for (const auto& v : values) {
            switch (m) {
                case Mod::Wide:
                    next.push_back(utf8_to_utf16le(v));
                    break;
                case Mod::Utf16Be:
                    next.push_back(utf16be(v));
                    break;
                case Mod::Utf16:
                    next.push_back(std::string("\xFF\xFE", 2) + utf8_to_utf16le(v));
                    next.push_back(std::string("\xFE\xFF", 2) + utf16be(v));
                    next.push_back(utf8_to_utf16le(v));
                    next.push_back(utf16be(v));
                    break;
                case Mod::Base64: {
                    std::string b = base64_encode(v);
                    // Without a following position the value is matched as a substring of a
                    // longer encoding: trailing padding would make that impossible.
                    if (!c.position.empty()) b.erase(b.find_last_not_of('=') + 1);
                    next.push_back(std::move(b));
                    break;
                }
                case Mod::Base64Offset: {
                    // pySigma's three shifted encodings with the bytes that depend on the
                    // neighbours dropped.
                    static constexpr int kStart[] = {0, 2, 3};
                    static constexpr int kEnd[] = {0, -3, -2};
                    for (int i = 0; i < 3; ++i) {
                        std::string b =
                            base64_encode(std::string(static_cast<std::size_t>(i), ' ') + v);
                        int end = kEnd[(v.size() + static_cast<std::size_t>(i)) % 3];
                        auto stop = static_cast<std::ptrdiff_t>(b.size()) + end;
                        if (end == 0) stop = static_cast<std::ptrdiff_t>(b.size());
                        if (stop > kStart[i])
                            next.push_back(b.substr(static_cast<std::size_t>(kStart[i]),
                                                    static_cast<std::size_t>(stop - kStart[i])));
                    }
                    break;
                }
                default:
                    next.push_back(v);
                    break;
            }
        }
        values = std::move(next);
    }
    return values;
}

bool has_encoding(const Chain& c) {
    return c.has(Mod::Base64) || c.has(Mod::Base64Offset) || c.has(Mod::Wide) ||
           c.has(Mod::Utf16Be) || c.has(Mod::Utf16);
}

// `expand`: %name% placeholders replaced by every value the table lists for them. Each
// placeholder multiplies the values, so their number is bounded (kMaxExpansions, which also
// bounds the patterns of one field's values).
constexpr std::size_t kMaxExpansions = 4096;

enum class ExpandResult { Ok, Unknown, TooMany };

ExpandResult expand(const std::string& value, const LoadOptions& options,
                    std::vector<std::string>& out, std::string& unknown) {
    std::size_t a = value.find('%');
    std::size_t b = a == std::string::npos ? a : value.find('%', a + 1);
    if (b == std::string::npos) {
        if (out.size() == kMaxExpansions) return ExpandResult::TooMany;
        out.push_back(value);
        return ExpandResult::Ok;
    }
    std::string name = value.substr(a + 1, b - a - 1);
    auto it = options.placeholders.find(name);
    if (it == options.placeholders.end()) {
        unknown = name;
        return ExpandResult::Unknown;
    }
    for (const auto& repl : it->second)
        if (auto r = expand(value.substr(0, a) + repl + value.substr(b + 1), options, out, unknown);
            r != ExpandResult::Ok)
            return r;
    return ExpandResult::Ok;
}

struct Builder {
    const ItemInput& in;
    const Chain& chain;
    const LoadOptions& options;
    std::vector<Problem>& problems;
    FieldRef field;

    void problem(const ItemInput::Scalar& v, std::string msg) {
        problems.push_back(Problem{v.line ? v.line : in.line, v.line ? v.column : in.column,
                                   in.key_path, std::move(msg)});
    }

    // The string patterns of one value (escapes, windash, encodings, position).
    bool add_patterns(const ItemInput::Scalar& v, std::vector<eql::WildcardPattern>& out) {
        std::vector<std::string> texts;
        std::string unknown;
        auto expanded =
            chain.has(Mod::Expand) ? expand(v.text, options, texts, unknown) : ExpandResult::Ok;
        if (expanded == ExpandResult::Unknown) {
            problem(
                v, "unknown placeholder '%" + unknown + "%' (the rule is not loadable without it)");
            return false;
        }
        if (expanded == ExpandResult::TooMany) {
            problem(v, "expand: the placeholders give more than " + std::to_string(kMaxExpansions) +
                           " values");
            return false;
        }
        if (!chain.has(Mod::Expand)) texts.push_back(v.text);
        bool encoded = has_encoding(chain);
        bool cased =
            chain.has(Mod::Cased) || chain.has(Mod::Base64) || chain.has(Mod::Base64Offset);
        for (const auto& t : texts) {
            if (out.size() > kMaxExpansions) {
                problem(v, "the value gives more than " + std::to_string(kMaxExpansions) +
                               " patterns (expand, windash and encodings multiply)");
                return false;
            }
            std::vector<Pattern> variants;
            Pattern base = encoded ? literal(t) : unescape(t);
            if (chain.has(Mod::Windash)) {
                if (!windash_variants(base, variants)) {
                    problem(v, "windash: too many dashes in one value (4 at most)");
                    return false;
                }
            } else {
                variants.push_back(std::move(base));
            }
            for (auto& p : variants) {
                if (encoded) {
                    for (auto& bytes : encode(chain, {p.text})) {
                        Pattern e = literal(bytes);
                        wrap(e, chain.position);
                        out.emplace_back(e.text, !cased, e.wild);
                    }
                    continue;
                }
                wrap(p, chain.position);
                out.emplace_back(p.text, !cased, p.wild);
            }
        }
        return true;
    }

    // One value as a condition (nullptr after a problem).
    std::shared_ptr<const Cond> value_cond(const std::vector<const ItemInput::Scalar*>& values) {
        auto leaf = std::make_shared<MatchLeaf>();
        leaf->field = field;
        std::vector<std::shared_ptr<const Cond>> extra;  // null checks next to the patterns
        bool ok = true;
        for (const auto* v : values) {
            if (v->is_null) {
                extra.push_back(std::make_shared<PresenceLeaf>(field, false));
                continue;
            }
            if (chain.has(Mod::Re)) {
                auto r = compile_regex(v->text, chain.has(Mod::ReI), chain.has(Mod::ReM),
                                       chain.has(Mod::ReS));
                if (!r)
                    problem(*v, "invalid regular expression: " + r.error().message), ok = false;
                else
                    leaf->regexes.push_back(*r);
            } else if (chain.has(Mod::Cidr)) {
                auto c = eql::detail::parse_cidr(v->text);
                if (!c)
                    problem(*v, "invalid CIDR network '" + v->text + "'"), ok = false;
                else
                    leaf->cidrs.push_back(*c);
            } else {
                if (v->plain && !chain.has(Mod::Expand) && chain.position.empty())
                    if (auto n = eql::detail::parse_number_text(v->text))
                        leaf->numbers.push_back(n->as_number());
                ok = add_patterns(*v, leaf->patterns) && ok;
            }
        }
        if (!ok) return nullptr;
        if (extra.empty()) return leaf;
        auto any = std::make_shared<OrCond>();
        if (!leaf->patterns.empty() || !leaf->regexes.empty() || !leaf->cidrs.empty() ||
            !leaf->numbers.empty())
            any->kids.push_back(std::make_unique<SharedCond>(leaf));
        for (auto& x : extra) any->kids.push_back(std::make_unique<SharedCond>(x));
        return any;
    }

    std::shared_ptr<const Cond> special(const ItemInput::Scalar& v) {
        if (chain.has(Mod::Exists)) {
            std::string t = ascii_lowercase(v.text);
            if (t != "true" && t != "false") {
                problem(v, "'exists' takes true or false, not '" + v.text + "'");
                return nullptr;
            }
            return std::make_shared<PresenceLeaf>(field, t == "true");
        }
        if (chain.has(Mod::FieldRef)) {
            auto leaf = std::make_shared<FieldRefLeaf>();
            leaf->field = field;
            leaf->other = field_ref(v.text);
            leaf->position = chain.position;
            leaf->cased = chain.has(Mod::Cased);
            return leaf;
        }
        auto n = eql::detail::parse_number_text(v.text);
        if (!n) {
            problem(v, "'" + chain.numeric + "' takes a number, not '" + v.text + "'");
            return nullptr;
        }
        auto leaf = std::make_shared<NumericLeaf>();
        leaf->field = field;
        leaf->op = chain.numeric;
        leaf->bound = n->as_number();
        return leaf;
    }

    std::shared_ptr<const Cond> build() {
        bool special_kind =
            chain.has(Mod::Exists) || chain.has(Mod::FieldRef) || !chain.numeric.empty();
        bool all = chain.has(Mod::All);
        if (in.values.empty()) {
            problems.push_back(Problem{in.line, in.column, in.key_path,
                                       "an empty list of values matches nothing"});
            return nullptr;
        }
        if (chain.has(Mod::Exists) && in.list) {
            problems.push_back(Problem{in.line, in.column, in.key_path,
                                       "'exists' takes one value, true or false"});
            return nullptr;
        }
        if (!special_kind && !all) {
            std::vector<const ItemInput::Scalar*> vs;
            for (const auto& v : in.values) vs.push_back(&v);
            return value_cond(vs);
        }
        // `all` (every value must match) or a comparison per value: one leaf per value.
        std::vector<std::shared_ptr<const Cond>> parts;
        for (const auto& v : in.values) {
            auto c = special_kind ? special(v) : value_cond({&v});
            if (!c) return nullptr;
            parts.push_back(std::move(c));
        }
        if (parts.size() == 1) return parts[0];
        std::shared_ptr<AndCond> and_c;
        std::shared_ptr<OrCond> or_c;
        if (all)
            and_c = std::make_shared<AndCond>();
        else
            or_c = std::make_shared<OrCond>();
        for (auto& p : parts)
            (all ? and_c->kids : or_c->kids).push_back(std::make_unique<SharedCond>(p));
        if (all) return and_c;
        return or_c;
    }
};

}  // namespace

Pattern unescape(std::string_view value) {
    Pattern p;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size() &&
            (value[i + 1] == '*' || value[i + 1] == '?' || value[i + 1] == '\\')) {
            p.text.push_back(value[++i]);
            p.wild.push_back(false);
            continue;
        }
        p.text.push_back(c);
        p.wild.push_back(c == '*' || c == '?');
    }
    return p;
}

std::shared_ptr<const Cond> compile_item(const ItemInput& in, const LoadOptions& options,
                                         std::vector<Problem>& problems) {
    auto chain = parse_chain(in, problems);
    if (!chain) return nullptr;
    if (in.field.empty()) {
        auto leaf = std::make_shared<KeywordLeaf>();
        for (const auto& v : in.values) {
            if (v.is_null) {
                problems.push_back(
                    Problem{v.line, v.column, in.key_path, "a keyword cannot be null"});
                return nullptr;
            }
            Pattern p = unescape(v.text);
            wrap(p, "contains");
            leaf->patterns.emplace_back(p.text, true, p.wild);
        }
        return leaf;
    }
    Builder b{in, *chain, options, problems, field_ref(in.field)};
    return b.build();
}

}  // namespace attest::sigma::detail
