#include "telemetry/stream.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <queue>
#include <thread>

#include "collectors/json_stream.h"
#include "collectors/record_dedupe.h"
#include "core/line_reader.h"
#include "core/timeutil.h"
#include "telemetry/open.h"

namespace attest::telemetry {

std::optional<std::int64_t> event_time_ns(const Event& e, std::string_view field) {
    const Value* v = e.find(field);
    if (v == nullptr) return std::nullopt;
    return timestamp_value_ns(*v);
}

namespace {

// Events decoded on an input's thread go back to that thread to be destroyed, wherever their
// last reference is dropped: a free from another thread is deferred by the allocator, and the
// decoder then kept touching fresh pages (the decoding thread is the bottleneck; a consumer
// that holds events for a while, as the lineage delay does, made it 2-3x slower).
class Recycler {
public:
    // Any thread. Once the input is finished the event is destroyed by the caller.
    void give(Event&& e) {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (m_closed) {
            lock.unlock();
            Event dead = std::move(e);
            return;
        }
        m_dead.push_back(std::move(e));
    }
    // The decoding thread: what was given back so far, to destroy outside the lock.
    std::vector<Event> take() {
        std::vector<Event> out;
        std::lock_guard<std::mutex> lock(m_mutex);
        out.swap(m_dead);
        return out;
    }
    void close() {
        std::vector<Event> dead;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_closed = true;
        dead.swap(m_dead);
    }

private:
    std::mutex m_mutex;
    std::vector<Event> m_dead;
    bool m_closed = false;
};

// Decodes one input on its own thread, handing events over in batches, so that parsing and
// the consumer overlap (each is about half of the work).
class PrefetchingInput {
public:
    explicit PrefetchingInput(std::unique_ptr<Collector> collector)
        : m_collector(std::move(collector)),
          m_recycler(std::make_shared<Recycler>()),
          m_thread([this] { run(); }) {}
    ~PrefetchingInput() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
        m_recycler->close();
    }
    bool next(Event& out) {
        if (m_pos == m_current.size()) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] { return !m_batches.empty() || m_done; });
            if (m_batches.empty()) return false;
            m_current = std::move(m_batches.front());
            m_batches.pop_front();
            m_pos = 0;
            lock.unlock();
            m_cv.notify_all();
        }
        out = std::move(m_current[m_pos++]);
        return true;
    }
    // The event, shared: destroyed on the decoding thread when the last holder drops it.
    std::shared_ptr<Event> share(Event&& e) {
        return std::shared_ptr<Event>(new Event(std::move(e)), [r = m_recycler](Event* p) {
            r->give(std::move(*p));
            delete p;
        });
    }
    // An event not kept (untimed ones go to the sorter as text).
    void recycle(Event&& e) { m_recycler->give(std::move(e)); }
    const CollectorStats& stats() const { return m_collector->stats(); }  // after the end

private:
    static constexpr std::size_t kBatch = 256;
    static constexpr std::size_t kMaxBatches = 8;

    void run() {
        std::vector<Event> batch;
        batch.reserve(kBatch);
        bool more = true;
        while (more) {
            Event e;
            more = m_collector->next(e);
            if (more) batch.push_back(std::move(e));
            if (batch.size() == kBatch || (!more && !batch.empty())) {
                // Given back to the collector (to write over, or destroyed) on this thread,
                // outside every lock.
                for (auto& dead : m_recycler->take()) m_collector->recycle(std::move(dead));
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [&] { return m_batches.size() < kMaxBatches || m_stop; });
                if (m_stop) break;
                m_batches.push_back(std::move(batch));
                batch = {};
                batch.reserve(kBatch);
                lock.unlock();
                m_cv.notify_all();
            }
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_done = true;
        m_cv.notify_all();
    }

    std::unique_ptr<Collector> m_collector;
    std::shared_ptr<Recycler> m_recycler;  // shared with the deleters of events still held
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::vector<Event>> m_batches;
    std::vector<Event> m_current;
    std::size_t m_pos = 0;
    bool m_done = false;
    bool m_stop = false;
    std::thread m_thread;  // last: started once everything above is constructed
};

// Replays events kept in memory (incremental collection keeps what earlier polls read).
class MemoryCollector final : public Collector {
public:
    explicit MemoryCollector(std::shared_ptr<const std::vector<Event>> events)
        : m_events(std::move(events)) {}
    bool next(Event& out) override {
        if (m_pos >= m_events->size()) return false;
        out = (*m_events)[m_pos++];
        ++m_stats.records;
        ++m_stats.events;
        return true;
    }

private:
    std::shared_ptr<const std::vector<Event>> m_events;
    std::size_t m_pos = 0;
};

// Where an event goes in the one order: (timestamp, tiebreaker, input, position).
struct Key {
    std::int64_t ts = 0;
    std::uint32_t input = 0;
    std::uint64_t ordinal = 0;
};
constexpr std::int64_t kUntimed = INT64_MAX;

int default_compare(const Value& a, const Value& b) {
    bool an = a.is_int() || a.is_double(), bn = b.is_int() || b.is_double();
    if (an && bn) {
        if (a.is_int() && b.is_int()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
        double x = a.is_int() ? double(a.as_int()) : a.as_double();
        double y = b.is_int() ? double(b.as_int()) : b.as_double();
        return x < y ? -1 : x > y;
    }
    if (an != bn) return an ? -1 : 1;
    if (a.is_string() && b.is_string())
        return a.as_string().compare(b.as_string()) < 0 ? -1 : a.as_string() != b.as_string();
    return 0;
}

class Order {
public:
    explicit Order(const StreamOptions& o)
        : m_field(o.tiebreaker_field), m_cmp(o.compare_tiebreakers) {
        if (!m_cmp) m_cmp = default_compare;
    }
    const Value* tiebreaker(const Event& e) const {
        return m_field.empty() ? nullptr : e.find(m_field);
    }
    // Strictly before. A missing tiebreaker sorts last.
    bool before(const Key& a, const Value* ta, const Key& b, const Value* tb) const {
        if (a.ts != b.ts) return a.ts < b.ts;
        if (!m_field.empty()) {
            int c = (ta == nullptr || tb == nullptr) ? (ta == nullptr) - (tb == nullptr)
                                                     : m_cmp(*ta, *tb);
            if (c != 0) return c < 0;
        }
        if (a.input != b.input) return a.input < b.input;
        return a.ordinal < b.ordinal;
    }
    // Whether b may follow a without breaking the order (inputs aside).
    bool in_order(std::int64_t ts_a, const Value* ta, std::int64_t ts_b, const Value* tb) const {
        if (ts_a != ts_b) return ts_a < ts_b;
        if (m_field.empty()) return true;
        int c =
            (ta == nullptr || tb == nullptr) ? (ta == nullptr) - (tb == nullptr) : m_cmp(*ta, *tb);
        return c <= 0;
    }

private:
    std::string m_field;
    std::function<int(const Value&, const Value&)> m_cmp;
};

std::string default_spill_dir() {
    const char* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

// The external sort: events serialized to JSON in an arena; past the budget, the arena is
// sorted and written out as a run; the runs are then merged. With no spill, the arena is
// sorted and delivered from memory.
class ExternalSorter {
public:
    ExternalSorter(const StreamOptions& options, const Order& order, StreamStats& stats)
        : m_options(options), m_order(order), m_stats(stats) {}
    ~ExternalSorter() {
        m_readers.clear();
        if (!m_dir.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(m_dir, ec);
        }
    }

    Expected<void> add(const Key& key, const Event& e) {
        Rec r;
        r.key = key;
        if (const Value* tb = m_order.tiebreaker(e)) r.tb = *tb;
        r.offset = m_arena.size();
        e.append_json(m_arena);
        r.length = m_arena.size() - r.offset;
        m_recs.push_back(std::move(r));
        if (m_arena.size() + m_recs.size() * sizeof(Rec) >= m_options.memory_budget) return spill();
        return {};
    }

    // Delivers every event added, in order.
    using Sink = std::function<void(const Key&, std::shared_ptr<Event>&)>;
    Expected<void> drain(const Sink& consume) {
        if (m_runs.empty()) {
            sort_records();
            for (const Rec& r : m_recs) {
                auto e = std::make_shared<Event>();
                if (auto ok = parse(std::string_view(m_arena).substr(r.offset, r.length), *e); !ok)
                    return ok;
                consume(r.key, e);
            }
            m_recs.clear();
            m_arena.clear();
            return {};
        }
        if (!m_recs.empty())
            if (auto ok = spill(); !ok) return ok;
        m_arena = std::string();
        m_recs = std::vector<Rec>();
        return merge(consume);
    }

private:
    struct Rec {
        Key key;
        std::optional<Value> tb;
        std::size_t offset = 0, length = 0;
    };
    struct RunReader {
        InputFile file;
        std::unique_ptr<LineReader> lines;
        Key key;
        std::shared_ptr<Event> event;
        const Value* tb = nullptr;
    };

    void sort_records() {
        std::sort(m_recs.begin(), m_recs.end(), [&](const Rec& a, const Rec& b) {
            return m_order.before(a.key, a.tb ? &*a.tb : nullptr, b.key, b.tb ? &*b.tb : nullptr);
        });
    }

    static Expected<void> parse(std::string_view text, Event& out) {
        std::string error;
        std::size_t at = 0;
        if (!parse_json_record(text, out, error, at, 1024))
            return make_error("spilled event unreadable at byte " + std::to_string(at) + ": " +
                              error);
        return {};
    }

    Expected<void> make_dir() {
        std::string base = m_options.spill_dir.empty() ? default_spill_dir() : m_options.spill_dir;
        std::string templ = base + "/attest-stream-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr)
            return make_error("cannot create a spill directory under " + base + ": " +
                              std::strerror(errno));
        m_dir = templ;
        return {};
    }

    // One run file: "ts input ordinal\tJSON\n" per event, in order.
    Expected<void> spill() {
        if (m_dir.empty())
            if (auto ok = make_dir(); !ok) return ok;
        sort_records();
        std::string path = m_dir + "/run-" + std::to_string(m_runs.size());
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (f == nullptr) return make_error("cannot write " + path + ": " + std::strerror(errno));
        std::string line;
        bool ok = true;
        for (const Rec& r : m_recs) {
            line.clear();
            line += std::to_string(r.key.ts);
            line += ' ';
            line += std::to_string(r.key.input);
            line += ' ';
            line += std::to_string(r.key.ordinal);
            line += '\t';
            line.append(m_arena, r.offset, r.length);
            line += '\n';
            ok = ok && std::fwrite(line.data(), 1, line.size(), f) == line.size();
            m_stats.spilled_bytes += line.size();
        }
        ok = (std::fclose(f) == 0) && ok;
        if (!ok) return make_error("cannot write " + path + " (disk full?)");
        m_runs.push_back(path);
        ++m_stats.spilled_runs;
        m_recs.clear();
        m_arena.clear();
        return {};
    }

    Expected<bool> advance(RunReader& r) {
        std::string_view line;
        if (!r.lines->next(line)) return false;
        auto tab = line.find('\t');
        unsigned long long input = 0;
        const char* p = line.data();
        const char* end = line.data() + (tab == std::string_view::npos ? line.size() : tab);
        auto a = std::from_chars(p, end, r.key.ts);
        auto b = std::from_chars(a.ptr + 1, end, input);
        auto c = std::from_chars(b.ptr + 1, end, r.key.ordinal);
        if (tab == std::string_view::npos || a.ec != std::errc() || b.ec != std::errc() ||
            c.ec != std::errc())
            return make_error(r.file.path() + ":" + std::to_string(r.lines->line_number()) +
                              ": corrupt spill record");
        r.key.input = static_cast<std::uint32_t>(input);
        r.event = std::make_shared<Event>();
        if (auto ok = parse(line.substr(tab + 1), *r.event); !ok) return ok.error();
        r.tb = m_order.tiebreaker(*r.event);
        return true;
    }

    Expected<void> merge(const Sink& consume) {
        for (const auto& path : m_runs) {
            auto f = InputFile::open(path);
            if (!f) return f.error();
            auto r = std::make_unique<RunReader>();
            r->file = std::move(*f);
            r->lines = std::make_unique<LineReader>(r->file, 256 << 10);
            auto more = advance(*r);
            if (!more) return more.error();
            if (*more) m_readers.push_back(std::move(r));
        }
        auto later = [&](std::size_t a, std::size_t b) {
            const RunReader& x = *m_readers[a];
            const RunReader& y = *m_readers[b];
            return m_order.before(y.key, y.tb, x.key, x.tb);
        };
        std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heap(later);
        for (std::size_t i = 0; i < m_readers.size(); ++i) heap.push(i);
        while (!heap.empty()) {
            std::size_t i = heap.top();
            heap.pop();
            std::shared_ptr<Event> e = std::move(m_readers[i]->event);
            consume(m_readers[i]->key, e);
            auto more = advance(*m_readers[i]);
            if (!more) return more.error();
            if (*more) heap.push(i);
        }
        return {};
    }

    const StreamOptions& m_options;
    const Order& m_order;
    StreamStats& m_stats;
    std::string m_arena;
    std::vector<Rec> m_recs;
    std::string m_dir;
    std::vector<std::string> m_runs;
    std::vector<std::unique_ptr<RunReader>> m_readers;
};

// Diagnostics of the second pass (after starting over) repeat those of the first: the first
// pass's count per file is skipped so that each problem is reported once.
class ReplaySink {
public:
    explicit ReplaySink(DiagnosticSink& target)
        : m_target(target), m_sink([this](const Diagnostic& d) { forward(d); }) {}
    DiagnosticSink& sink() { return m_sink; }
    void start_over() {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_skip = std::move(m_seen);
        m_seen.clear();
    }

private:
    void forward(const Diagnostic& d) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_seen[d.file];
            auto it = m_skip.find(d.file);
            if (it != m_skip.end() && it->second > 0) {
                --it->second;
                return;
            }
        }
        m_target.report(d);
    }

    DiagnosticSink& m_target;
    std::mutex m_mutex;
    std::map<std::string, std::uint64_t> m_seen, m_skip;
    DiagnosticSink m_sink;
};

}  // namespace

struct Stream::Impl {
    std::vector<StreamInput> inputs;
    StreamOptions options;
    Order order;
    ReplaySink sink;
    StreamStats stats;
    RecordDeduper records;  // record identities delivered so far, by input
    std::vector<std::unique_ptr<PrefetchingInput>> open;  // per input; null: unreadable
    std::vector<std::string> sources;                     // collector name per input
    std::vector<std::uint64_t> delivered;  // events per input (per_source at the end)

    Impl(std::vector<StreamInput> in, DiagnosticSink& target, StreamOptions o)
        : inputs(std::move(in)), options(std::move(o)), order(options), sink(target) {}

    void open_all() {
        open.clear();
        sources.assign(inputs.size(), "");
        delivered.assign(inputs.size(), 0);
        stats.files = stats.bytes = 0;
        stats.unreadable.clear();
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            std::uint64_t bytes = 0;
            auto c = inputs[i].open(sink.sink(), sources[i], bytes);
            if (!c) {
                stats.unreadable.push_back(c.error().message);
                open.push_back(nullptr);
                continue;
            }
            ++stats.files;
            stats.bytes += bytes;
            open.push_back(std::make_unique<PrefetchingInput>(std::move(*c)));
        }
    }

    const StreamStats& result() {
        for (std::size_t i = 0; i < delivered.size(); ++i)
            if (delivered[i] > 0) stats.per_source[sources[i]] += delivered[i];
        delivered.assign(delivered.size(), 0);
        return stats;
    }

    void finish_inputs() {
        for (const auto& in : open)
            if (in) stats.skipped_records += in->stats().skipped;
        open.clear();
    }

    // The timestamp, counting and describing untimed events.
    std::int64_t time_of(const Event& e, std::size_t input, std::uint64_t ordinal) {
        if (auto ts = event_time_ns(e, options.timestamp_field)) return *ts;
        // Only the first event of each kind is described; the others are just counted.
        auto where = [&] { return inputs[input].name + ": event " + std::to_string(ordinal + 1); };
        const Value* v = e.find(options.timestamp_field);
        bool absent = v == nullptr;
        std::uint64_t unusable = stats.untimed - stats.untimed_absent;
        if (absent && stats.untimed_absent == 0) {
            stats.first_absent = where();
        } else if (!absent && unusable == 0) {
            std::string text = v->to_json();
            if (text.size() > 80) text = text.substr(0, 80) + "...";
            stats.first_unusable = where() + " has " + options.timestamp_field + " " + text;
        }
        if (stats.untimed == 0)
            stats.first_untimed =
                absent ? where() + " has no " + options.timestamp_field : stats.first_unusable;
        ++stats.untimed;
        stats.untimed_absent += absent;
        return kUntimed;
    }

    void deliver(std::shared_ptr<Event>& e, std::size_t input, const Consumer& consume) {
        // One input cannot repeat another's records: no identity to build and remember.
        if (std::string id = inputs.size() > 1 ? record_identity(*e) : std::string();
            !id.empty() && records.seen_from_another(id, static_cast<std::uint32_t>(input))) {
            ++stats.duplicates;
            return;
        }
        ++stats.events;
        ++delivered[input];
        consume(e);
    }

    enum class Outcome { Done, OutOfOrder };
    Expected<Outcome> merge_in_order(const Consumer& consume);
    Expected<void> sort_all(const Consumer& consume);
};

// The fast path: a k-way merge of the inputs, each buffering up to reorder_window events.
// Each input's look-ahead is kept sorted (in-order input appends at its back, so the common
// case costs no comparison beyond the last one), and a heap holds one entry per input: its
// earliest buffered event. Untimed events wait in their own sorter (they come last). An event
// older than one already delivered means the inputs are not in order: the caller starts over
// with sort_all.
namespace {
struct Pending {
    Key key;
    const Value* tb;  // into *event
    std::shared_ptr<Event> event;
};
// One input's buffered events, sorted by the stream's order.
class Lookahead {
public:
    std::size_t size() const { return m_events.size(); }
    bool empty() const { return m_events.empty(); }
    const Pending& front() const { return m_events.front(); }
    Pending pop() {
        Pending p = std::move(m_events.front());
        m_events.pop_front();
        return p;
    }
    void insert(Pending p, const Order& order) {
        auto later = [&](const Pending& x, const Pending& y) {
            return order.before(x.key, x.tb, y.key, y.tb);
        };
        if (m_events.empty() || !later(p, m_events.back())) {
            m_events.push_back(std::move(p));
            return;
        }
        auto at = std::upper_bound(m_events.begin(), m_events.end(), p, later);
        m_events.insert(at, std::move(p));
    }

private:
    std::deque<Pending> m_events;
};
}  // namespace

Expected<Stream::Impl::Outcome> Stream::Impl::merge_in_order(const Consumer& consume) {
    std::size_t n = open.size();
    std::vector<Lookahead> ahead(n);
    auto later = [&](std::size_t a, std::size_t b) {
        const Pending& x = ahead[a].front();
        const Pending& y = ahead[b].front();
        return order.before(y.key, y.tb, x.key, x.tb);
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heads(later);
    ExternalSorter untimed(options, order, stats);
    std::vector<std::uint64_t> ordinal(n, 0);
    std::vector<std::int64_t> last_ts(n, INT64_MIN);
    std::vector<std::optional<Value>> last_tb(n);
    Expected<void> failure;
    auto pull = [&](std::size_t i) {
        Event e;
        while (open[i] && open[i]->next(e)) {
            std::uint64_t k = ordinal[i]++;
            std::int64_t ts = time_of(e, i, k);
            if (ts == kUntimed) {
                if (auto ok = untimed.add(Key{ts, std::uint32_t(i), k}, e); !ok) failure = ok;
                open[i]->recycle(std::move(e));
                continue;
            }
            auto shared = open[i]->share(std::move(e));
            const Value* tb = order.tiebreaker(*shared);
            if (!order.in_order(last_ts[i], last_tb[i] ? &*last_tb[i] : nullptr, ts, tb))
                ++stats.out_of_order;
            last_ts[i] = std::max(last_ts[i], ts);
            if (tb) last_tb[i] = *tb;
            ahead[i].insert(Pending{Key{ts, std::uint32_t(i), k}, tb, std::move(shared)}, order);
            return true;
        }
        return false;
    };
    std::size_t window = std::max<std::size_t>(1, options.reorder_window);
    for (std::size_t i = 0; i < n; ++i) {
        while (ahead[i].size() < window && pull(i)) {
        }
        if (!ahead[i].empty()) heads.push(i);
    }
    std::optional<Key> last;
    std::optional<Value> last_fed_tb;
    while (!heads.empty()) {
        if (!failure) return failure.error();
        std::size_t i = heads.top();
        heads.pop();
        Pending p = ahead[i].pop();
        if (last && order.before(p.key, p.tb, *last, last_fed_tb ? &*last_fed_tb : nullptr))
            return Outcome::OutOfOrder;
        last = p.key;
        if (p.tb)
            last_fed_tb = *p.tb;
        else
            last_fed_tb.reset();
        deliver(p.event, i, consume);
        p.event.reset();  // freed on the decoding thread unless the consumer kept it
        pull(i);
        if (!ahead[i].empty()) heads.push(i);
    }
    if (!failure) return failure.error();
    finish_inputs();
    auto ok = untimed.drain(
        [&](const Key& k, std::shared_ptr<Event>& e) { deliver(e, k.input, consume); });
    if (!ok) return ok.error();
    return Outcome::Done;
}

// The slow path: every event through the external sort.
Expected<void> Stream::Impl::sort_all(const Consumer& consume) {
    ExternalSorter sorter(options, order, stats);
    std::int64_t last_ts = INT64_MIN;
    for (std::size_t i = 0; i < open.size(); ++i) {
        if (!open[i]) continue;
        Event e;
        std::uint64_t k = 0;
        last_ts = INT64_MIN;
        while (open[i]->next(e)) {
            std::int64_t ts = time_of(e, i, k);
            if (ts != kUntimed) {
                if (ts < last_ts) ++stats.out_of_order;
                last_ts = std::max(last_ts, ts);
            }
            if (auto ok = sorter.add(Key{ts, std::uint32_t(i), k++}, e); !ok) return ok;
            open[i]->recycle(std::move(e));
            e = Event();
        }
    }
    finish_inputs();
    return sorter.drain(
        [&](const Key& k, std::shared_ptr<Event>& e) { deliver(e, k.input, consume); });
}

Stream::Stream(std::vector<StreamInput> inputs, DiagnosticSink& sink, StreamOptions options)
    : m_impl(std::make_unique<Impl>(std::move(inputs), sink, std::move(options))) {}
Stream::~Stream() = default;

std::vector<StreamInput> Stream::files(const std::vector<std::string>& paths,
                                       const StreamOptions& options) {
    std::vector<StreamInput> out;
    for (const auto& p : paths) out.push_back(file_input(p, options));
    return out;
}

StreamStats Stream::run(const Consumer& consume, const std::function<void()>& restart) {
    Impl& impl = *m_impl;
    bool rereadable = std::all_of(impl.inputs.begin(), impl.inputs.end(),
                                  [](const StreamInput& i) { return i.rereadable; });
    impl.open_all();
    if (rereadable) {
        auto outcome = impl.merge_in_order(consume);
        if (!outcome) {
            impl.stats.unreadable.push_back(outcome.error().message);
            return impl.result();
        }
        if (*outcome == Impl::Outcome::Done) return impl.result();
        // Out of order beyond the window: start over, sorted.
        impl.open.clear();
        restart();
        impl.sink.start_over();
        impl.stats = StreamStats{};
        impl.records = RecordDeduper{};
        impl.open_all();
    }
    impl.stats.sorted = true;
    if (auto ok = impl.sort_all(consume); !ok) impl.stats.unreadable.push_back(ok.error().message);
    return impl.result();
}

StreamInput file_input(const std::string& path, const StreamOptions& options,
                       std::uint64_t offset) {
    StreamInput in;
    in.name = path == "-" ? "<stdin>" : path;
    in.rereadable = path != "-";
    std::string forced = options.source;
    CollectorOptions copts = options.collector;
    Profile profile = options.profile;
    in.open = [path, forced, copts, offset, profile](
                  DiagnosticSink& sink, std::string& source,
                  std::uint64_t& bytes) -> Expected<std::unique_ptr<Collector>> {
        auto file = InputFile::open(path, offset);
        if (!file) return file.error();
        const auto& registry = CollectorRegistry::builtin();
        const CollectorInfo* info = nullptr;
        if (!forced.empty()) {
            info = registry.find(forced);
            if (info == nullptr)
                return make_error("unknown source '" + forced + "' (known: " + registry.names() +
                                  ")");
        } else {
            info = registry.detect(file->head(), path);
            if (info == nullptr)
                return make_error(path +
                                  ": cannot tell the format from its content; use --source (" +
                                  registry.names() + ")");
        }
        source = info->name;
        bytes = file->size() > 0 ? static_cast<std::uint64_t>(file->size()) : 0;
        CollectorOptions o = copts;
        if (o.origin.empty()) o.origin = file->path();
        return with_vocabulary(info->create(std::move(*file), o, sink), profile);
    };
    return in;
}

StreamInput memory_input(std::string name, std::string source,
                         std::shared_ptr<const std::vector<Event>> events) {
    StreamInput in;
    in.name = std::move(name);
    in.source = source;
    in.open = [source, events](DiagnosticSink&, std::string& s,
                               std::uint64_t& bytes) -> Expected<std::unique_ptr<Collector>> {
        s = source;
        bytes = 0;
        return std::unique_ptr<Collector>(std::make_unique<MemoryCollector>(events));
    };
    return in;
}

}  // namespace attest::telemetry
