#include "expectations/eql/value_index.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "core/text.h"
#include "expectations/eql/functions.h"

namespace attest::eql {
namespace detail {
namespace {

// Every scalar FieldPath::any gives a leaf (the mapping's null_value included), as text.
class PathKeyReader final : public KeyReader {
public:
    explicit PathKeyReader(FieldPath p) : m_path(std::move(p)) {}
    void each_text(const Event& e, const std::function<void(std::string_view)>& f) const override {
        auto each = [&f](const Value& x) {
            if (x.is_string())
                f(x.as_string());
            else
                f(scalar_to_string(x));
            return false;
        };
        m_path.any(e, each);
    }

private:
    FieldPath m_path;
};

// Fields that classify events rather than tell them apart: most events of a source share
// their few values, so a key on them lets nearly every event through. Used only when a
// filter has no other key.
constexpr std::string_view kCoarseFields[] = {
    "event.dataset", "event.module",  "event.category", "event.type",    "event.kind",
    "event.code",    "event.outcome", "event.provider", "winlog.channel", "winlog.event_id",
    "host.os.type",  "host.os.family", "host.os.platform", "data_stream.dataset"};

bool coarse(const IndexKey& k) {
    std::string_view f = k.field;  // "path:<path>[#default]" or "sigma:<path>|<path>|..."
    f.remove_prefix(std::min(f.size(), f.find(':') + 1));
    f = f.substr(0, f.find_first_of("#|"));
    return std::find(std::begin(kCoarseFields), std::end(kCoarseFields), f) !=
           std::end(kCoarseFields);
}

// How selective a key set is, by its weakest key: a key on a field that tells events apart
// beats a coarse one, longer literals are rarer, an exact test is worth a few more characters
// than a prefix or suffix; then fewer keys.
std::tuple<bool, std::size_t, std::size_t> strength(const std::vector<IndexKey>& keys) {
    bool fine = true;
    std::size_t weakest = SIZE_MAX;
    for (const auto& k : keys) {
        fine = fine && !coarse(k);
        weakest = std::min(weakest, k.literal.size() + (k.shape == IndexKey::Shape::Exact ? 4 : 0));
    }
    return {fine, weakest, SIZE_MAX - keys.size()};
}

// Keeps the stronger of `best` (set when `found`) and the keys of `c`.
void consider(const Cond& c, bool& found, std::vector<IndexKey>& best) {
    std::vector<IndexKey> keys;
    if (!c.index_keys(keys)) return;
    if (!found || strength(keys) > strength(best)) best = std::move(keys);
    found = true;
}

}  // namespace

KeyField key_field(const FieldPath& path) {
    std::string id = "path:" + path.path;
    // Two mappings may give one path different defaults: readers then differ.
    if (path.null_value)
        id += "#" + std::to_string(reinterpret_cast<std::uintptr_t>(path.null_value.get()));
    return {std::move(id), std::make_shared<PathKeyReader>(path)};
}

bool literal_key(const KeyField& field, IndexKey::Shape shape, std::string_view literal,
                 std::vector<IndexKey>& out) {
    // An empty prefix or suffix holds for every value: no key.
    if (literal.empty() && shape != IndexKey::Shape::Exact) return false;
    out.push_back({field.id, field.reader, shape, ascii_lowercase(literal)});
    return true;
}

bool pattern_key(const KeyField& field, const WildcardPattern& p, std::vector<IndexKey>& out) {
    using S = WildcardPattern::Shape;
    switch (p.shape()) {
        case S::Exact:
            return literal_key(field, IndexKey::Shape::Exact, p.literal(), out);
        case S::Prefix:
            return literal_key(field, IndexKey::Shape::Prefix, p.literal(), out);
        case S::Suffix:
            return literal_key(field, IndexKey::Shape::Suffix, p.literal(), out);
        default:
            return false;
    }
}

bool text_only_literal(const Value& literal) {
    if (!literal.is_string()) return false;
    const std::string& s = literal.as_string();
    return s != "true" && s != "false" && !parse_number_text(s);
}

bool AndCond::index_keys(std::vector<IndexKey>& out) const {
    bool found = false;
    std::vector<IndexKey> best;
    for (const auto& k : kids) consider(*k, found, best);
    if (found) out.insert(out.end(), best.begin(), best.end());
    return found;
}

bool OrCond::index_keys(std::vector<IndexKey>& out) const {
    std::vector<IndexKey> all;
    for (const auto& k : kids)
        if (!k->index_keys(all)) return false;
    out.insert(out.end(), all.begin(), all.end());
    return true;
}

}  // namespace detail

using namespace detail;

bool query_keys(const Query& q, std::vector<IndexKey>& out) {
    if (q.kind != QueryKind::Event || q.terms.size() != 1 || q.until) return false;
    const CompiledFilter& f = q.terms[0].filter;
    bool found = false;
    std::vector<IndexKey> best;
    if (f.scope) consider(*f.scope, found, best);
    if (f.condition) consider(*f.condition, found, best);
    if (!f.scope && !f.any) {  // category_matches: the category field equals the category
        std::vector<IndexKey> category;
        FieldPath path;
        path.path = q.options.category_field;
        if (literal_key(key_field(path), IndexKey::Shape::Exact, f.category, category) &&
            (!found || strength(category) > strength(best)))
            best = std::move(category), found = true;
    }
    if (found) out.insert(out.end(), best.begin(), best.end());
    return found;
}

void ValueIndex::post(const IndexKey& key, std::uint32_t id) {
    auto [it, added] = m_field_of.try_emplace(key.field, m_fields.size());
    if (added) m_fields.push_back({key.reader, {}, {}, {}, {}, {}});
    Field& f = m_fields[it->second];
    auto file = [&](Postings& p, std::vector<std::size_t>* lengths) {
        auto& ids = p[key.literal];
        if (ids.empty() || ids.back() != id) ids.push_back(id);
        if (lengths && !std::binary_search(lengths->begin(), lengths->end(), key.literal.size()))
            lengths->insert(std::upper_bound(lengths->begin(), lengths->end(), key.literal.size()),
                            key.literal.size());
    };
    switch (key.shape) {
        case IndexKey::Shape::Exact:
            file(f.exact, nullptr);
            break;
        case IndexKey::Shape::Prefix:
            file(f.prefix, &f.prefix_lengths);
            break;
        case IndexKey::Shape::Suffix:
            file(f.suffix, &f.suffix_lengths);
            break;
    }
}

bool ValueIndex::add(std::uint32_t id, const Query& q) {
    std::vector<IndexKey> keys;
    if (!query_keys(q, keys)) return false;
    for (const auto& k : keys) post(k, id);
    if (m_seen.size() <= id) m_seen.resize(id + 1, 0);
    return true;
}

void ValueIndex::collect(const Postings& postings, std::string_view text) {
    auto it = postings.find(text);
    if (it == postings.end()) return;
    for (std::uint32_t id : it->second)
        if (m_seen[id] != m_epoch) m_seen[id] = m_epoch, m_out.push_back(id);
}

const std::vector<std::uint32_t>& ValueIndex::candidates(const Event& e) {
    m_out.clear();
    if (++m_epoch == 0) {  // wrapped: forget every mark
        std::fill(m_seen.begin(), m_seen.end(), 0);
        m_epoch = 1;
    }
    for (const Field& f : m_fields) {
        f.reader->each_text(e, [&](std::string_view text) {
            m_lowered.assign(text);
            for (char& c : m_lowered) c = ascii_lower(c);
            std::string_view s = m_lowered;
            collect(f.exact, s);
            for (std::size_t n : f.prefix_lengths) {
                if (n > s.size()) break;
                collect(f.prefix, s.substr(0, n));
            }
            for (std::size_t n : f.suffix_lengths) {
                if (n > s.size()) break;
                collect(f.suffix, s.substr(s.size() - n));
            }
        });
    }
    return m_out;
}

}  // namespace attest::eql
