#include "telemetry/lineage.h"

#include <algorithm>
#include <string>

#include "telemetry/host.h"

namespace attest::telemetry {

namespace {

constexpr char kPidKind = 'p';
constexpr char kEntityKind = 'g';

bool host_matches(const LineageAnchor& a, std::string_view host) {
    return a.host.empty() || same_host(a.host, host);
}

}  // namespace

std::size_t LineageTracker::add_anchor(LineageAnchor anchor) {
    std::size_t index = m_anchors.size();
    m_anchors.emplace_back().spec = std::move(anchor);
    m_pending.push_back(index);
    m_pending_sorted = false;
    return index;
}

void LineageTracker::make_key(std::string& out, char kind, std::string_view host,
                              std::string_view id) {
    out.clear();
    out.push_back(kind);
    out.append(host);
    out.push_back('\x1f');
    out.append(id);
}

void LineageTracker::activate(std::size_t a) {
    Anchor& anchor = m_anchors[a];
    anchor.state = Anchor::State::Active;
    ++m_active;
    if (!anchor.spec.pid.empty()) m_roots.emplace(kPidKind + anchor.spec.pid, a);
    if (!anchor.spec.entity_id.empty()) m_roots.emplace(kEntityKind + anchor.spec.entity_id, a);
    m_expiry.emplace(anchor.spec.end_ns, a);
}

void LineageTracker::expire(std::size_t a) {
    Anchor& anchor = m_anchors[a];
    anchor.state = Anchor::State::Expired;
    --m_active;
    for (const auto& key : anchor.keys)
        if (auto it = m_procs.find(key); it != m_procs.end() && it->second.listed == a)
            m_procs.erase(it);
    std::vector<std::string>().swap(anchor.keys);
    for (auto it = m_roots.begin(); it != m_roots.end();)
        it = it->second == a ? m_roots.erase(it) : std::next(it);
}

void LineageTracker::advance(std::int64_t ts_ns) {
    if (!m_pending_sorted) {
        std::sort(m_pending.begin(), m_pending.end(), [&](std::size_t x, std::size_t y) {
            return m_anchors[x].spec.start_ns > m_anchors[y].spec.start_ns;
        });
        m_pending_sorted = true;
    }
    while (!m_pending.empty() && m_anchors[m_pending.back()].spec.start_ns <= ts_ns) {
        activate(m_pending.back());
        m_pending.pop_back();
    }
    while (!m_expiry.empty() && m_expiry.top().first < ts_ns) {
        expire(m_expiry.top().second);
        m_expiry.pop();
    }
}

// The active anchor on `host` whose executor has this id; of two (a reverted VM gives the
// next test's executor the same pid while the previous window is still open), the newer.
std::size_t LineageTracker::root_of(std::string_view id, char kind, std::string_view host) {
    if (id.empty() || m_roots.empty()) return kNone;
    m_root_key.assign(1, kind);
    m_root_key.append(id);
    auto [lo, hi] = m_roots.equal_range(m_root_key);
    std::size_t found = kNone;
    for (auto it = lo; it != hi; ++it)
        if (host_matches(m_anchors[it->second].spec, host) &&
            (found == kNone ||
             m_anchors[it->second].spec.start_ns > m_anchors[found].spec.start_ns))
            found = it->second;
    return found;
}

std::size_t LineageTracker::assign(const std::string& key, std::size_t anchor,
                                   std::string_view parent, bool reused) {
    auto [it, added] = m_procs.try_emplace(key);
    Process& p = it->second;
    p.anchor = anchor;
    if (reused && !parent.empty()) p.parent.assign(parent);
    if (p.listed != anchor) {
        p.listed = anchor;
        m_anchors[anchor].keys.push_back(key);
    }
    return anchor;
}

// An anchor known only by its pid, on a source of entity ids: the first event of that pid on
// its host in the window is the executor, whose entity id then anchors the tree.
std::size_t LineageTracker::bind_by_pid(const Ids& ids) {
    std::size_t a = root_of(ids.pid, kPidKind, ids.host);
    if (a == kNone || !m_anchors[a].spec.entity_id.empty()) return kNone;
    m_anchors[a].spec.entity_id.assign(ids.self);
    m_roots.emplace(kEntityKind + std::string(ids.self), a);
    return a;
}

std::size_t LineageTracker::owner_of_parent(const Ids& ids) {
    if (!ids.has_parent) return kNone;
    char kind = ids.reused ? kPidKind : kEntityKind;
    make_key(m_parent_key, kind, ids.host, ids.parent);
    if (auto it = m_procs.find(m_parent_key); it != m_procs.end()) return it->second.anchor;
    // A child's first event (its own exec) can come before any event of the executor.
    std::size_t a = root_of(ids.parent, kind, ids.host);
    if (a == kNone) return kNone;
    if (ids.reused && m_anchors[a].root_seen) return kNone;  // the executor left the table
    return assign(m_parent_key, a, {}, ids.reused);
}

std::size_t LineageTracker::owner_as_root(const Ids& ids, Table::iterator self) {
    char kind = ids.reused ? kPidKind : kEntityKind;
    std::size_t a = root_of(ids.self, kind, ids.host);
    if (a == kNone && !ids.reused) a = bind_by_pid(ids);
    if (a == kNone) return kNone;
    Anchor& anchor = m_anchors[a];
    if (ids.reused) {
        std::string_view parent = ids.has_parent ? ids.parent : std::string_view{};
        if (!anchor.root_seen) {
            anchor.root_seen = true;
            anchor.root_parent.assign(parent);
        } else if (!parent.empty() && !anchor.root_parent.empty() && parent != anchor.root_parent) {
            // The executor exited and its pid went to a process outside the tree.
            if (self != m_procs.end() && self->second.anchor == a) self->second.anchor = kNone;
            return kNone;
        } else if (anchor.root_parent.empty()) {
            anchor.root_parent.assign(parent);
        }
    }
    return assign(m_self_key, a, ids.parent, ids.reused);
}

std::size_t LineageTracker::observe(const Event& event, const EventFacts& facts) {
    if (facts.ts == EventFacts::kUntimed) return kNone;
    advance(facts.ts);
    const SourceSpec* source = facts.source;
    if (m_active == 0 || source == nullptr || source->lineage.self.empty()) return kNone;
    const ProcessIdentity& identity = source->lineage;
    Ids ids;
    ids.reused = identity.reused;
    ids.self = facts.self;
    if (ids.self.empty()) return kNone;
    ids.parent = facts.parent;
    ids.has_parent = !ids.parent.empty();
    if (facts.host) ids.host = *facts.host;
    if (!ids.reused) ids.pid = facts.pid;
    std::size_t owner = owner_of(ids);
    if (owner != kNone && !identity.forked.empty()) note_fork(event, identity, ids, owner);
    return owner;
}

std::size_t LineageTracker::owner_of(const Ids& ids) {
    make_key(m_self_key, ids.reused ? kPidKind : kEntityKind, ids.host, ids.self);
    if (std::size_t a = owner_of_parent(ids); a != kNone)
        return assign(m_self_key, a, ids.parent, ids.reused);
    auto self = m_procs.find(m_self_key);
    if (std::size_t a = owner_as_root(ids, self); a != kNone) return a;
    if (self == m_procs.end() || self->second.anchor == kNone) return kNone;
    Process& p = self->second;
    if (ids.reused && ids.has_parent) {
        // The same pid under a parent outside the tree: a new process that reused the pid
        // (or an orphan adopted by init; lineage cannot tell them apart and drops both).
        if (!p.parent.empty() && p.parent != ids.parent) {
            p.anchor = kNone;
            return kNone;
        }
        if (p.parent.empty()) p.parent.assign(ids.parent);
    }
    return p.anchor;
}

// A successful fork of a tree process: the child is in the tree before any event of its own.
void LineageTracker::note_fork(const Event& event, const ProcessIdentity& identity, const Ids& ids,
                               std::size_t owner) {
    const Value* action = event.find("event.action");
    if (action == nullptr || !action->is_string()) return;
    if (std::find(identity.fork_actions.begin(), identity.fork_actions.end(),
                  action->as_string()) == identity.fork_actions.end())
        return;
    m_child_buf.clear();
    if (const Value* v = event.find(identity.forked); v && v->is_string())
        m_child_buf = v->as_string();
    else if (v && v->is_int())
        m_child_buf = std::to_string(v->as_int());
    std::string_view child = m_child_buf;
    // A failed fork returns a negative errno; 0 is the child's own return.
    if (child.empty() || child == "0" || child.front() == '-') return;
    make_key(m_parent_key, kPidKind, ids.host, child);
    assign(m_parent_key, owner, ids.self, true);
}

std::size_t LineageTracker::owner_now(const EventFacts& facts) {
    const SourceSpec* source = facts.source;
    if (source == nullptr || source->lineage.self.empty() || facts.self.empty()) return kNone;
    const ProcessIdentity& identity = source->lineage;
    std::string_view host = facts.host ? std::string_view(*facts.host) : std::string_view();
    make_key(m_self_key, identity.reused ? kPidKind : kEntityKind, host, facts.self);
    auto it = m_procs.find(m_self_key);
    if (it == m_procs.end()) return kNone;
    if (identity.reused) {
        const std::string& parent = facts.parent;
        if (!parent.empty() && !it->second.parent.empty() && parent != it->second.parent)
            return kNone;
    }
    return it->second.anchor;
}

std::size_t LineageTracker::observe(const Event& event, std::int64_t ts_ns,
                                    const SourceSpec* source) {
    EventFacts facts = EventFacts::of(event, source);
    facts.ts = ts_ns;
    return observe(event, facts);
}

std::size_t LineageTracker::observe(const Event& event) {
    return observe(event, EventFacts::of(event));
}

}  // namespace attest::telemetry
