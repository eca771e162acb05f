// The `evtx` collector: Windows .evtx files read natively (no libevtx), chunks decoded in
// parallel, records handed to the shared WinEventNormalizer in file order.
//
// Why chunk-level parallelism: a 64 KiB chunk is self-contained (its own string and template
// tables), so workers decode whole chunks while the caller consumes them in order. At most a
// small window of chunks is in flight, which keeps memory flat whatever the file size.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "collectors/builtin.h"
#include "collectors/evtx_chunk.h"
#include "collectors/winevent.h"

namespace attest {
namespace {

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

constexpr std::uint32_t kFileFlagDirty = 0x1;

class EvtxCollector final : public Collector {
public:
    EvtxCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)), m_origin(options.origin.empty() ? m_input.path() : options.origin),
          m_sink(sink), m_normalizer(options, "evtx"), m_render_xml(options.include_original) {
        m_decoder.set_render_xml(m_render_xml);
        unsigned threads = options.threads;
        if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
        m_threads = std::min(threads, 64u);
        m_window = m_threads == 1 ? 1 : 2 * m_threads + 2;
        read_file_header();
        if (m_threads > 1)
            for (unsigned i = 0; i < m_threads; ++i) m_workers.emplace_back([this] { work(); });
    }

    ~EvtxCollector() override {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_work_cv.notify_all();
        for (auto& t : m_workers) t.join();
    }

    bool next(Event& out) override {
        for (;;) {
            if (m_normalizer.pop(out)) {
                ++m_stats.events;
                return true;
            }
            if (m_finished) return false;
            if (m_current && m_current_index < m_current->result.records.size()) {
                m_normalizer.add(m_current->result.records[m_current_index++]);
                continue;
            }
            if (m_current) m_free.push_back(std::move(m_current));
            m_current = next_chunk();
            m_current_index = 0;
            if (!m_current) {
                m_normalizer.finish();
                m_finished = true;
                continue;
            }
            const EvtxChunkResult& r = m_current->result;
            for (const auto& p : r.problems) m_sink.error_at_offset(m_origin, p.offset, p.message);
            m_stats.records += r.records_seen;
            m_stats.skipped += r.records_skipped;
        }
    }

private:
    struct Job {
        std::vector<unsigned char> buffer = std::vector<unsigned char>(kEvtxChunkSize);
        std::size_t size = 0;
        std::uint64_t offset = 0;
        EvtxChunkResult result;
        bool done = false;
    };

    void warn(std::uint64_t offset, std::string message) {
        Diagnostic d;
        d.severity = Severity::Warning;
        d.file = m_origin;
        d.offset = offset;
        d.has_offset = true;
        d.message = std::move(message);
        m_sink.report(std::move(d));
    }

    // Reads up to `n` bytes at the current position (pread on files, read on pipes).
    std::size_t read_at(unsigned char* buf, std::size_t n, std::uint64_t offset) {
        std::size_t got = 0;
        while (got < n) {
            long k = m_input.seekable()
                         ? m_input.pread(reinterpret_cast<char*>(buf) + got, n - got, offset + got)
                         : m_input.read(reinterpret_cast<char*>(buf) + got, n - got);
            if (k < 0) {
                m_sink.error_at_offset(m_origin, offset + got, std::string("read error: ") + std::strerror(errno));
                m_eof = true;
                break;
            }
            if (k == 0) break;
            got += static_cast<std::size_t>(k);
        }
        return got;
    }

    // The file header only tells us where chunks start and whether the file was closed
    // cleanly: its chunk count is stale in files copied from a live system, so chunks are
    // found by file size (or until the end of a pipe), never by that count.
    void read_file_header() {
        unsigned char h[kEvtxFileHeaderSize];
        std::size_t got = read_at(h, sizeof h, 0);
        m_next_offset = kEvtxFileHeaderSize;
        if (got < 8 || std::memcmp(h, "ElfFile", 8) != 0) {
            m_sink.error_at_offset(m_origin, 0, "not an EVTX file (no ElfFile signature)");
            m_eof = true;
            return;
        }
        if (got < 128) {
            m_sink.error_at_offset(m_origin, got, "truncated EVTX file header");
            m_eof = true;
            return;
        }
        std::uint32_t crc = evtx_crc32(h, 120);
        if (crc != le32(h + 124))
            m_sink.error_at_offset(m_origin, 124, "file header checksum mismatch; reading the chunks anyway");
        std::uint32_t flags = le32(h + 120);
        std::uint16_t header_chunks = le16(h + 42);
        if (m_input.seekable()) {
            std::uint64_t size = static_cast<std::uint64_t>(m_input.size());
            std::uint64_t chunks = size > kEvtxFileHeaderSize
                                       ? (size - kEvtxFileHeaderSize + kEvtxChunkSize - 1) / kEvtxChunkSize
                                       : 0;
            if (chunks != header_chunks)
                warn(42, "file header counts " + std::to_string(header_chunks) + " chunks, the file holds " +
                             std::to_string(chunks) + "; reading all of them");
        }
        if (flags & kFileFlagDirty)
            warn(120, "file is marked dirty (not closed cleanly, e.g. copied from a live system)");
        if (got < kEvtxFileHeaderSize) {
            m_sink.error_at_offset(m_origin, got, "truncated file: header block has " + std::to_string(got) +
                                                      " of 4096 bytes, no chunks");
            m_eof = true;
        }
    }

    bool read_chunk(Job& job) {
        if (m_eof) return false;
        job.offset = m_next_offset;
        job.size = read_at(job.buffer.data(), kEvtxChunkSize, m_next_offset);
        m_next_offset += job.size;
        if (job.size < kEvtxChunkSize) m_eof = true;
        job.done = false;
        return job.size > 0;
    }

    std::unique_ptr<Job> take_free_job() {
        if (m_free.empty()) return std::make_unique<Job>();
        auto j = std::move(m_free.back());
        m_free.pop_back();
        return j;
    }

    std::unique_ptr<Job> next_chunk() {
        while (m_inflight.size() < m_window) {
            auto job = take_free_job();
            if (!read_chunk(*job)) {
                m_free.push_back(std::move(job));
                break;
            }
            Job* raw = job.get();
            m_inflight.push_back(std::move(job));
            if (m_threads > 1) {
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_queue.push_back(raw);
                }
                m_work_cv.notify_one();
            }
        }
        if (m_inflight.empty()) return nullptr;
        auto job = std::move(m_inflight.front());
        m_inflight.pop_front();
        if (m_threads > 1) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_done_cv.wait(lock, [&] { return job->done; });
        } else {
            m_decoder.decode(job->buffer.data(), job->size, job->offset, job->result);
        }
        return job;
    }

    void work() {
        EvtxChunkDecoder decoder;
        decoder.set_render_xml(m_render_xml);
        for (;;) {
            Job* job = nullptr;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_work_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
                if (m_stop) return;
                job = m_queue.front();
                m_queue.pop_front();
            }
            decoder.decode(job->buffer.data(), job->size, job->offset, job->result);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                job->done = true;
            }
            m_done_cv.notify_all();
        }
    }

    InputFile m_input;
    std::string m_origin;
    DiagnosticSink& m_sink;
    WinEventNormalizer m_normalizer;
    unsigned m_threads = 1;
    std::size_t m_window = 1;
    std::uint64_t m_next_offset = 0;
    bool m_eof = false;
    bool m_finished = false;

    bool m_render_xml = false;   // --original: each record's XML rendering
    EvtxChunkDecoder m_decoder;  // single-threaded decoding
    std::deque<std::unique_ptr<Job>> m_inflight;
    std::vector<std::unique_ptr<Job>> m_free;
    std::unique_ptr<Job> m_current;
    std::size_t m_current_index = 0;

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_work_cv, m_done_cv;
    std::deque<Job*> m_queue;
    bool m_stop = false;
};

}  // namespace

void register_evtx_collector(CollectorRegistry& registry) {
    CollectorInfo info;
    info.name = "evtx";
    info.description = "Windows event log files (.evtx), read natively, decoded in parallel";
    info.sniff = [](std::string_view head, std::string_view) {
        return head.size() >= 8 && std::memcmp(head.data(), "ElfFile", 8) == 0 ? 100 : 0;
    };
    info.create = [](InputFile input, const CollectorOptions& options, DiagnosticSink& sink) {
        return std::unique_ptr<Collector>(new EvtxCollector(std::move(input), options, sink));
    };
    registry.add(std::move(info));
}

}  // namespace attest
