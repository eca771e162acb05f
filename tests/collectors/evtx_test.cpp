// Tests of the evtx collector (collectors/evtx.cpp) on the real samples in shared/data/evtx:
// equality with libevtx's rendering (decoded records against shared/data/xml, whole events
// against the winevent_xml collector over a fresh `evtxexport -f xml`), and every damage case
// on copies the tests corrupt themselves.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "collectors/evtx_chunk.h"
#include "collectors/winevent_xml_reader.h"
#include "core/collector.h"

namespace attest {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = fs::path(ATTEST_SOURCE_DIR) / ".." / "shared" / "data";
const char* kSysmon = "AutomatedTestingTools_PanacheSysmon_vs_AtomicRedTeam01.evtx";  // 17 chunks, 565 events
constexpr std::size_t kSysmonEvents = 565;

#define REQUIRE_SHARED()                                                       \
    if (!fs::exists(kShared / "evtx" / kSysmon)) GTEST_SKIP() << "../shared/data absent"

using Bytes = std::vector<unsigned char>;

Bytes read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const Bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::uint32_t get32(const Bytes& b, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put16(Bytes& b, std::size_t at, std::uint16_t v) { std::memcpy(b.data() + at, &v, 2); }

void fix_file_header_crc(Bytes& b) { put32(b, 124, evtx_crc32(b.data(), 120)); }

// Recomputes a chunk's checksums so a test damages exactly one thing.
void fix_chunk_crcs(Bytes& b, std::size_t chunk) {
    unsigned char* c = b.data() + chunk;
    std::uint32_t free_space = get32(b, chunk + 48);
    put32(b, chunk + 52, evtx_crc32(c + 512, free_space - 512));
    std::uint32_t h = evtx_crc32(c, 120);
    put32(b, chunk + 124, evtx_crc32(c + 128, 384, h));
}

std::size_t chunk_offset(std::size_t index) { return kEvtxFileHeaderSize + index * kEvtxChunkSize; }

// Byte offsets of the records of the chunk at `chunk`.
std::vector<std::size_t> record_offsets(const Bytes& b, std::size_t chunk) {
    std::vector<std::size_t> out;
    std::size_t end = chunk + get32(b, chunk + 48);
    for (std::size_t pos = chunk + 512; pos + 24 <= end && get32(b, pos) == 0x2a2a;) {
        out.push_back(pos);
        pos += get32(b, pos + 4);
    }
    return out;
}

class TempDir {
public:
    TempDir() {
        m_path = fs::temp_directory_path() /
                 ("attest_evtx_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir() { fs::remove_all(m_path); }
    fs::path operator/(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

struct CollectRun {
    std::vector<Event> events;
    std::vector<Diagnostic> diagnostics;
    std::size_t errors = 0;
    CollectorStats stats;
    bool opened = false;
};

CollectRun collect(const fs::path& path, std::string_view source = "evtx", unsigned threads = 0,
                   bool original = false) {
    CollectRun run;
    DiagnosticSink sink;
    CollectorOptions options;
    options.threads = threads;
    options.include_original = original;
    auto collector = CollectorRegistry::builtin().open(path.string(), source, options, sink);
    if (!collector) {
        ADD_FAILURE() << collector.error().message;
        return run;
    }
    run.opened = true;
    Event e;
    while ((*collector)->next(e)) run.events.push_back(e);
    run.diagnostics = sink.collected();
    run.errors = sink.error_count();
    run.stats = (*collector)->stats();
    return run;
}

Event without_provenance(Event e) {
    e.erase("attest");
    return e;
}

bool has_diagnostic(const CollectRun& run, const std::string& needle, std::uint64_t offset) {
    for (const auto& d : run.diagnostics)
        if (d.has_offset && d.offset == offset && d.message.find(needle) != std::string::npos) return true;
    return false;
}

std::string all_diagnostics(const CollectRun& run) {
    std::string s;
    for (const auto& d : run.diagnostics) s += d.format() + "\n";
    return s;
}

// --- Decoded records against libevtx's XML (shared/data/xml) -------------------------------
// --- Real files, against libevtx's XML rendering read by the XML reader -------------------

std::vector<WinEventRecord> decode_file(const fs::path& path, std::vector<EvtxProblem>& problems) {
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<WinEventRecord> all;
    EvtxChunkDecoder decoder;
    EvtxChunkResult result;
    for (std::size_t off = kEvtxFileHeaderSize; off < bytes.size(); off += kEvtxChunkSize) {
        decoder.decode(bytes.data() + off, std::min(kEvtxChunkSize, bytes.size() - off), off, result);
        for (auto& r : result.records) all.push_back(std::move(r));
        for (auto& p : result.problems) problems.push_back(p);
    }
    return all;
}

std::vector<WinEventRecord> parse_xml_file(const fs::path& path) {
    auto input = InputFile::open(path.string());
    EXPECT_TRUE(input.ok());
    std::vector<WinEventRecord> all;
    if (!input) return all;
    DiagnosticSink sink;
    XmlEventStream stream(*input, path.string(), sink);
    WinEventXmlParser parser;
    XmlEventStream::Fragment f;
    while (stream.next(f)) {
        WinEventRecord r;
        WinEventXmlParser::Failure failure;
        EXPECT_TRUE(parser.parse(f.data, f.size, r, failure)) << failure.message;
        all.push_back(std::move(r));
    }
    EXPECT_EQ(sink.error_count(), 0u);
    return all;
}

void expect_same_record(const WinEventRecord& a, const WinEventRecord& b, const std::string& where) {
    EXPECT_EQ(a.provider_name, b.provider_name) << where;
    EXPECT_EQ(a.provider_guid, b.provider_guid) << where;
    EXPECT_EQ(a.event_source_name, b.event_source_name) << where;
    EXPECT_EQ(a.event_id, b.event_id) << where;
    EXPECT_EQ(a.qualifiers, b.qualifiers) << where;
    EXPECT_EQ(a.version, b.version) << where;
    EXPECT_EQ(a.level, b.level) << where;
    EXPECT_EQ(a.task, b.task) << where;
    EXPECT_EQ(a.opcode, b.opcode) << where;
    EXPECT_EQ(a.keywords, b.keywords) << where;
    EXPECT_EQ(a.time_created, b.time_created) << where;
    EXPECT_EQ(a.record_id, b.record_id) << where;
    EXPECT_EQ(a.has_record_id, b.has_record_id) << where;
    EXPECT_EQ(a.activity_id, b.activity_id) << where;
    EXPECT_EQ(a.related_activity_id, b.related_activity_id) << where;
    EXPECT_EQ(a.process_id, b.process_id) << where;
    EXPECT_EQ(a.thread_id, b.thread_id) << where;
    EXPECT_EQ(a.channel, b.channel) << where;
    EXPECT_EQ(a.computer, b.computer) << where;
    EXPECT_EQ(a.user_id, b.user_id) << where;
    ASSERT_EQ(a.data.size(), b.data.size()) << where;
    for (std::size_t i = 0; i < a.data.size(); ++i) {
        EXPECT_EQ(a.data[i].first, b.data[i].first) << where;
        EXPECT_EQ(a.data[i].second, b.data[i].second) << where << " " << a.data[i].first;
    }
}

TEST(EvtxChunkDecoder, RealFilesDecodeToTheRecordsLibevtxRenders) {
    if (!fs::exists(kShared / "evtx")) GTEST_SKIP() << "../shared/data absent";
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kShared / "evtx")) {
        if (entry.path().extension() != ".evtx") continue;
        fs::path xml = kShared / "xml" / (entry.path().stem().string() + ".libevtx.xml");
        if (!fs::exists(xml)) continue;
        ++files;
        std::vector<EvtxProblem> problems;
        auto ours = decode_file(entry.path(), problems);
        auto theirs = parse_xml_file(xml);
        EXPECT_TRUE(problems.empty()) << entry.path() << ": " << problems.front().message;
        ASSERT_EQ(ours.size(), theirs.size()) << entry.path();
        for (std::size_t i = 0; i < ours.size(); ++i)
            expect_same_record(ours[i], theirs[i], entry.path().filename().string() + " #" + std::to_string(i));
    }
    EXPECT_EQ(files, 6);
}

// --- Whole events: evtx collector == winevent_xml collector over `evtxexport -f xml` --------

TEST(EvtxCollector, EventsEqualTheXmlCollectorOverEvtxexport) {
    REQUIRE_SHARED();
    if (std::system("command -v evtxexport >/dev/null 2>&1") != 0) GTEST_SKIP() << "evtxexport not installed";
    TempDir tmp;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kShared / "evtx")) {
        if (entry.path().extension() != ".evtx") continue;
        ++files;
        fs::path xml = tmp / (entry.path().stem().string() + ".xml");
        std::string cmd = "evtxexport -f xml '" + entry.path().string() + "' > '" + xml.string() + "' 2>/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        CollectRun ours = collect(entry.path(), "evtx");
        CollectRun theirs = collect(xml, "winevent_xml");
        EXPECT_EQ(ours.errors, 0u) << all_diagnostics(ours);
        ASSERT_GT(ours.events.size(), 0u);
        ASSERT_EQ(ours.events.size(), theirs.events.size()) << entry.path();
        for (std::size_t i = 0; i < ours.events.size(); ++i)
            ASSERT_EQ(without_provenance(ours.events[i]).to_json(), without_provenance(theirs.events[i]).to_json())
                << entry.path().filename() << " event #" << i;
    }
    EXPECT_EQ(files, 6);
}

TEST(EvtxCollector, OriginalIsTheRecordsXmlAndReadsBackToTheSameEvent) {
    // --original on an .evtx gives each record's XML rendering (EvtRender style). Read back
    // through the XML collector, every rendering yields the very same event.
    REQUIRE_SHARED();
    TempDir tmp;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(kShared / "evtx")) {
        if (entry.path().extension() != ".evtx") continue;
        ++files;
        CollectRun ours = collect(entry.path(), "evtx", 2, true);
        ASSERT_GT(ours.events.size(), 0u);
        fs::path xml = tmp / (entry.path().stem().string() + ".xml");
        {
            std::ofstream out(xml);
            for (const auto& e : ours.events) {
                const Value* original = e.find("event.original");
                ASSERT_NE(original, nullptr) << entry.path().filename();
                ASSERT_TRUE(original->as_string().starts_with("<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"));
                ASSERT_TRUE(original->as_string().ends_with("</Event>"));
                out << original->as_string() << "\n";
            }
        }
        CollectRun back = collect(xml, "winevent_xml");
        EXPECT_EQ(back.errors, 0u) << all_diagnostics(back);
        ASSERT_EQ(back.events.size(), ours.events.size()) << entry.path().filename();
        for (std::size_t i = 0; i < ours.events.size(); ++i) {
            Event a = without_provenance(ours.events[i]), b = without_provenance(back.events[i]);
            a.erase("event.original");
            ASSERT_EQ(a.to_json(), b.to_json()) << entry.path().filename() << " event #" << i;
        }
    }
    EXPECT_EQ(files, 6);
    // Without --original nothing is rendered.
    CollectRun plain = collect(kShared / "evtx" / kSysmon, "evtx");
    ASSERT_FALSE(plain.events.empty());
    EXPECT_EQ(plain.events[0].find("event.original"), nullptr);
}

TEST(EvtxCollector, IsDetectedFromContentAndCountsRecords) {
    REQUIRE_SHARED();
    CollectRun run = collect(kShared / "evtx" / kSysmon, "");
    ASSERT_TRUE(run.opened);
    EXPECT_EQ(run.events.size(), kSysmonEvents);
    EXPECT_EQ(run.stats.records, kSysmonEvents);
    EXPECT_EQ(run.stats.skipped, 0u);
    ASSERT_FALSE(run.events.empty());
    EXPECT_EQ(run.events[0].find("attest.source")->as_string(), "evtx");
    const CollectorInfo* info = CollectorRegistry::builtin().find("evtx");
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->sniff(std::string_view("ElfFile\0\0\0", 10), "x.bin"), 100);
    EXPECT_EQ(info->sniff("<Event xmlns=", "x.evtx"), 0);
}

TEST(EvtxCollector, ThreadCountDoesNotChangeTheOutput) {
    REQUIRE_SHARED();
    CollectRun one = collect(kShared / "evtx" / kSysmon, "evtx", 1);
    for (unsigned threads : {2u, 3u, 8u}) {
        CollectRun many = collect(kShared / "evtx" / kSysmon, "evtx", threads);
        ASSERT_EQ(one.events.size(), many.events.size()) << threads;
        for (std::size_t i = 0; i < one.events.size(); ++i)
            ASSERT_EQ(one.events[i], many.events[i]) << threads << " #" << i;
    }
}

TEST(EvtxCollector, ReadsFromAPipe) {
    REQUIRE_SHARED();
    TempDir tmp;
    fs::path fifo = tmp / "pipe.evtx";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Bytes bytes = read_bytes(kShared / "evtx" / kSysmon);
    std::thread writer([&] { write_bytes(fifo, bytes); });
    CollectRun piped = collect(fifo, "");
    writer.join();
    CollectRun file = collect(kShared / "evtx" / kSysmon, "evtx");
    ASSERT_EQ(piped.events.size(), file.events.size());
    for (std::size_t i = 0; i < file.events.size(); ++i)
        ASSERT_EQ(without_provenance(piped.events[i]), without_provenance(file.events[i])) << i;
}

// --- Damaged input --------------------------------------------------------------------------

TEST(EvtxDamage, LiveCopyWithDirtyFlagAndStaleChunkCountIsReadWhole) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    for (std::uint16_t stale : {0, 3}) {
        put32(b, 120, get32(b, 120) | 1);  // dirty
        put16(b, 42, stale);
        fix_file_header_crc(b);
        write_bytes(tmp / "live.evtx", b);
        CollectRun run = collect(tmp / "live.evtx");
        EXPECT_EQ(run.events.size(), kSysmonEvents) << stale;
        EXPECT_EQ(run.errors, 0u) << all_diagnostics(run);
        EXPECT_TRUE(has_diagnostic(run, "counts " + std::to_string(stale) + " chunks, the file holds 17", 42))
            << all_diagnostics(run);
        EXPECT_TRUE(has_diagnostic(run, "dirty", 120)) << all_diagnostics(run);
    }
}

TEST(EvtxDamage, TruncatedFileYieldsTheCompleteRecordsBeforeTheCut) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    CollectRun whole = collect(kShared / "evtx" / kSysmon);
    std::size_t cut = chunk_offset(5) + 30000;
    b.resize(cut);
    write_bytes(tmp / "cut.evtx", b);
    CollectRun run = collect(tmp / "cut.evtx");
    // Exactly the records that end before the cut survive, in order and unchanged.
    std::size_t expected = 0;
    Bytes full = read_bytes(kShared / "evtx" / kSysmon);
    for (std::size_t c = 0; c <= 5; ++c)
        for (std::size_t pos : record_offsets(full, chunk_offset(c)))
            if (pos + get32(full, pos + 4) <= cut) ++expected;
    ASSERT_GT(expected, 0u);
    ASSERT_LT(expected, kSysmonEvents);
    ASSERT_EQ(run.events.size(), expected) << all_diagnostics(run);
    for (std::size_t i = 0; i < expected; ++i) ASSERT_EQ(without_provenance(run.events[i]), without_provenance(whole.events[i])) << i;
    EXPECT_TRUE(has_diagnostic(run, "truncated chunk", cut)) << all_diagnostics(run);
    EXPECT_EQ(run.stats.skipped, 1u) << all_diagnostics(run);  // the record cut in half
    // A cut inside a chunk header and inside the file header: no crash, clear errors.
    for (std::size_t n : {chunk_offset(5) + 100, std::size_t(200), std::size_t(10)}) {
        b = full;
        b.resize(n);
        write_bytes(tmp / "cut2.evtx", b);
        CollectRun r = collect(tmp / "cut2.evtx");
        EXPECT_GT(r.errors, 0u) << n;
    }
}

TEST(EvtxDamage, ChunkHeaderChecksumMismatchIsReportedAndRecordsStillRead) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    b[chunk_offset(2) + 100] ^= 0x5A;  // unused header bytes covered by the checksum
    write_bytes(tmp / "crc.evtx", b);
    CollectRun run = collect(tmp / "crc.evtx");
    EXPECT_EQ(run.events.size(), kSysmonEvents);
    EXPECT_EQ(run.errors, 1u) << all_diagnostics(run);
    EXPECT_TRUE(has_diagnostic(run, "chunk header checksum mismatch", chunk_offset(2) + 124)) << all_diagnostics(run);
}

TEST(EvtxDamage, RecordDataChecksumMismatchIsReportedWithTheChangedRecordStillRead) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    CollectRun whole = collect(kShared / "evtx" / kSysmon);
    // Change one UTF-16 character of a path inside chunk 3: the decoder reads the changed text.
    const unsigned char needle[] = {'C', 0, ':', 0, '\\', 0};
    auto begin = b.begin() + static_cast<long>(chunk_offset(3) + 512);
    auto it = std::search(begin, b.begin() + static_cast<long>(chunk_offset(4)), std::begin(needle), std::end(needle));
    ASSERT_NE(it, b.begin() + static_cast<long>(chunk_offset(4)));
    *it = 'Q';
    write_bytes(tmp / "data.evtx", b);
    CollectRun run = collect(tmp / "data.evtx");
    ASSERT_EQ(run.events.size(), kSysmonEvents);
    EXPECT_TRUE(has_diagnostic(run, "event records checksum mismatch", chunk_offset(3) + 52)) << all_diagnostics(run);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < run.events.size(); ++i)
        if (!(without_provenance(run.events[i]) == without_provenance(whole.events[i]))) {
            ++differing;
            EXPECT_NE(run.events[i].to_json().find("Q:\\\\"), std::string::npos);
        }
    EXPECT_EQ(differing, 1u);
}

TEST(EvtxDamage, BadRecordSizeSkipsThatRecordOnly) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    auto records = record_offsets(b, chunk_offset(1));
    ASSERT_GT(records.size(), 3u);
    // Pick a record that does not carry an inline template definition others rely on.
    std::size_t victim = records[records.size() - 2];
    CollectRun whole = collect(kShared / "evtx" / kSysmon);
    for (std::uint32_t bad : {0xFFFF0u, 8u, get32(b, victim + 4) + 8}) {
        Bytes c = b;
        put32(c, victim + 4, bad);
        fix_chunk_crcs(c, chunk_offset(1));
        write_bytes(tmp / "size.evtx", c);
        CollectRun run = collect(tmp / "size.evtx");
        EXPECT_EQ(run.events.size(), kSysmonEvents - 1) << bad << all_diagnostics(run);
        EXPECT_EQ(run.stats.skipped, 1u) << bad;
        EXPECT_EQ(run.errors, 1u) << bad << all_diagnostics(run);
        bool found = has_diagnostic(run, "bad record size", victim + 4) ||
                     has_diagnostic(run, "does not match size", victim + bad - 4);
        EXPECT_TRUE(found) << bad << all_diagnostics(run);
    }
}

TEST(EvtxDamage, BadTemplateReferenceSkipsThatRecordOnly) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    std::size_t chunk = chunk_offset(4);
    // A record that references an earlier template definition (not an inline one):
    // fragment header (4), then template instance token, unknown, id, definition offset.
    std::size_t victim = 0;
    for (std::size_t pos : record_offsets(b, chunk)) {
        std::size_t instance = pos + 24 + 4;
        if (b[instance] == 0x0C && get32(b, instance + 6) != instance + 10 - chunk) {
            victim = pos;
            break;
        }
    }
    ASSERT_NE(victim, 0u);
    for (std::uint32_t bad : {0x200u, 0xFFFFFFF0u, 600u}) {
        Bytes c = b;
        put32(c, victim + 24 + 4 + 6, bad);
        fix_chunk_crcs(c, chunk);
        write_bytes(tmp / "template.evtx", c);
        CollectRun run = collect(tmp / "template.evtx");
        EXPECT_EQ(run.events.size(), kSysmonEvents - 1) << bad << all_diagnostics(run);
        EXPECT_EQ(run.stats.skipped, 1u);
        EXPECT_TRUE(has_diagnostic(run, "template", victim + 24 + 4)) << bad << all_diagnostics(run);
    }
}

TEST(EvtxDamage, BadChunkSignatureSkipsTheChunkAndGarbageIsNotEvtx) {
    REQUIRE_SHARED();
    TempDir tmp;
    Bytes b = read_bytes(kShared / "evtx" / kSysmon);
    std::size_t lost = record_offsets(b, chunk_offset(7)).size();
    b[chunk_offset(7)] = 'X';
    write_bytes(tmp / "sig.evtx", b);
    CollectRun run = collect(tmp / "sig.evtx");
    EXPECT_EQ(run.events.size(), kSysmonEvents - lost);
    EXPECT_TRUE(has_diagnostic(run, "bad chunk signature", chunk_offset(7))) << all_diagnostics(run);

    write_bytes(tmp / "junk.bin", Bytes(9000, 'x'));
    CollectRun junk = collect(tmp / "junk.bin");
    EXPECT_TRUE(junk.events.empty());
    EXPECT_TRUE(has_diagnostic(junk, "not an EVTX file", 0)) << all_diagnostics(junk);
}

}  // namespace
}  // namespace attest
