// Process lineage: which test's process tree an event comes from. A test is anchored by the
// process its executor ran as on the target (the pid a transport reports, and/or a Sysmon
// ProcessGuid) and by its time window; an event belongs to the test when its process is that
// process or descends from it, followed through the ids each source declares
// (SourceSpec::lineage: auditd pid/ppid, Sysmon and MDE entity ids).
//
// One pass: the tracker is fed the stream's events in time order once, whatever the number
// of expectations reading the answer; it keeps only the processes of live anchors' trees, and
// an anchor's processes are forgotten when its window ends, so memory follows the live trees,
// not the input.
//
//   LineageTracker lineage;
//   std::size_t a = lineage.add_anchor({"T1059.004-1", "web01", "4242", "", start, end});
//   for (const Event& e : stream)                 // time order
//       if (lineage.observe(e) == a) ...          // e is in a's process tree
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/value.h"
#include "telemetry/event_facts.h"
#include "telemetry/source_spec.h"

namespace attest::telemetry {

struct LineageAnchor {
    std::string key;        // the test's name, for messages
    std::string host;       // lab host (same_host rules); empty: any host
    std::string pid;        // the executor's process id on the target; empty: unknown
    std::string entity_id;  // its entity id (Sysmon ProcessGuid); empty: learnt from the pid
    std::int64_t start_ns = INT64_MIN;  // the tree exists from here (execution start)
    std::int64_t end_ns = INT64_MAX;    // its processes are forgotten after this
};

class LineageTracker {
public:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

    // Returns the anchor's index, the value observe() answers with.
    std::size_t add_anchor(LineageAnchor anchor);
    std::size_t anchor_count() const { return m_anchors.size(); }

    // The anchor whose tree the event's process belongs to, or kNone. Events come in time
    // order; `facts` are the event's (EventFacts::of): its time (untimed: never owned), its
    // source (none, or one without lineage: never owned), host and process ids. The event
    // itself is read only when it is owned (a fork names its child).
    std::size_t observe(const Event& event, const EventFacts& facts);
    // The same, with the time and the source given.
    std::size_t observe(const Event& event, std::int64_t ts_ns, const SourceSpec* source);
    // The same, reading @timestamp and the source of event.dataset from the event.
    std::size_t observe(const Event& event);
    // What the tracker knows now of an event observed earlier (the table is not changed):
    // a process whose own event came before the event that tied it to a tree (Sysmon dates a
    // connection from before the process's creation event) is owned once that one is seen.
    // A pid now in a tree under another parent than the event names is not the same process.
    std::size_t owner_now(const EventFacts& facts);
    // Whether some anchor's window is open (an event now may still join a tree later).
    bool active() const { return m_active > 0; }

    // Processes currently held for live anchors (the memory bound).
    std::size_t live_processes() const { return m_procs.size(); }

private:
    struct Anchor {
        LineageAnchor spec;
        enum class State { Pending, Active, Expired } state = State::Pending;
        // The executor's parent as first seen (pids only): the same pid under another parent
        // later is a new process that reused it.
        bool root_seen = false;
        std::string root_parent;
        std::vector<std::string> keys;  // table entries to drop when the window ends
    };
    struct Process {
        std::size_t anchor = kNone;  // kNone: known to have left the tree (pid reused)
        std::size_t listed = kNone;  // the anchor whose `keys` holds this entry
        std::string parent;          // parent id as its events name it (pids only)
    };
    struct Ids {
        std::string_view self, parent, pid, host;
        bool has_parent = false, reused = false;
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Table = std::unordered_map<std::string, Process, StringHash, std::equal_to<>>;

    void advance(std::int64_t ts_ns);
    void activate(std::size_t a);
    void expire(std::size_t a);
    std::size_t root_of(std::string_view id, char kind, std::string_view host);
    std::size_t bind_by_pid(const Ids& ids);
    std::size_t owner_of(const Ids& ids);
    std::size_t owner_of_parent(const Ids& ids);
    void note_fork(const Event& event, const ProcessIdentity& identity, const Ids& ids,
                   std::size_t owner);
    std::size_t owner_as_root(const Ids& ids, Table::iterator self);
    std::size_t assign(const std::string& key, std::size_t anchor, std::string_view parent,
                       bool reused);
    static void make_key(std::string& out, char kind, std::string_view host, std::string_view id);

    std::vector<Anchor> m_anchors;
    std::vector<std::size_t> m_pending;  // by start, latest first (activated from the back)
    bool m_pending_sorted = true;
    using Expiry = std::pair<std::int64_t, std::size_t>;
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> m_expiry;
    std::size_t m_active = 0;
    // Root ids of active anchors: 'p' + pid or 'g' + entity id -> anchor.
    std::unordered_multimap<std::string, std::size_t, StringHash, std::equal_to<>> m_roots;
    Table m_procs;  // kind + host + '\x1f' + id -> process of a live tree
    std::string m_self_key, m_parent_key, m_root_key, m_child_buf;
};

}  // namespace attest::telemetry
