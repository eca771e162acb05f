// Tests of the EVTX chunk / binary XML decoder (collectors/evtx_chunk.cpp): CRC, value
// rendering, robustness on garbage. Real files and damage cases are in evtx_test.cpp.
#include "collectors/evtx_chunk.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>


namespace attest {
namespace {

std::string render(std::uint8_t type, std::vector<unsigned char> bytes) {
    std::string out;
    EXPECT_TRUE(evtx_render_value(type, bytes.data(), bytes.size(), out)) << "type " << int(type);
    return out;
}

TEST(EvtxCrc32, MatchesTheStandardCheckValue) {
    const char* s = "123456789";
    EXPECT_EQ(evtx_crc32(reinterpret_cast<const unsigned char*>(s), 9), 0xCBF43926u);
    // Incremental use gives the same result as one call.
    std::uint32_t c = evtx_crc32(reinterpret_cast<const unsigned char*>(s), 4);
    EXPECT_EQ(evtx_crc32(reinterpret_cast<const unsigned char*>(s) + 4, 5, c), 0xCBF43926u);
}

struct RenderCase {
    std::uint8_t type;
    std::vector<unsigned char> bytes;
    std::string expected;
};

TEST(EvtxRenderValue, RendersEveryTypeAsLibevtxWritesIt) {
    const RenderCase cases[] = {
        {0x01, {'a', 0, 'b', 0, 0xE9, 0, 0, 0}, "ab\xC3\xA9"},           // UTF-16, NUL stripped
        {0x01, {0x3D, 0xD8, 0x00, 0xDE}, "\xF0\x9F\x98\x80"},             // surrogate pair
        {0x01, {0x00, 0xD8}, "\xEF\xBF\xBD"},                              // lone surrogate
        {0x02, {'a', 'n', 's', 'i', 0}, "ansi"},
        {0x03, {0xFF}, "-1"},
        {0x04, {0xFF}, "255"},
        {0x05, {0xFE, 0xFF}, "-2"},
        {0x06, {0xFE, 0xFF}, "65534"},
        {0x07, {0xFF, 0xFF, 0xFF, 0xFF}, "-1"},
        {0x08, {0xFF, 0xFF, 0xFF, 0xFF}, "4294967295"},
        {0x09, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, "-1"},
        {0x0A, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, "18446744073709551615"},
        {0x0B, {0x00, 0x00, 0xC0, 0x3F}, "1.5"},
        {0x0C, {0, 0, 0, 0, 0, 0, 0x04, 0x40}, "2.5"},
        {0x0D, {1, 0, 0, 0}, "true"},
        {0x0D, {0, 0, 0, 0}, "false"},
        {0x0E, {0x0A, 0xBC, 0x00}, "0ABC00"},
        {0x0F, {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9},
         "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"},
        {0x10, {0x10, 0, 0, 0, 0, 0, 0, 0}, "0x0000000000000010"},
        {0x10, {0x10, 0, 0, 0}, "0x00000010"},
        // 2019-07-18T03:34:02.0252239Z as FILETIME 132078944420252239
        {0x11, {0x4F, 0x4A, 0x7A, 0xA4, 0x19, 0x3D, 0xD5, 0x01}, "2019-07-18T03:34:02.025223900Z"},
        {0x11, {0, 0, 0, 0, 0, 0, 0, 0}, "1601-01-01T00:00:00.000000000Z"},
        {0x12, {0xE3, 0x07, 7, 0, 4, 0, 18, 0, 3, 0, 34, 0, 2, 0, 25, 0}, "2019-07-18T03:34:02.025000000Z"},
        {0x13, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, "S-1-5-18"},
        {0x13, {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0}, "S-1-5-32-544"},
        {0x14, {0xEF, 0xBE, 0xAD, 0xDE}, "0xdeadbeef"},
        {0x14, {0x01, 0, 0, 0}, "0x00000001"},
        {0x15, {0, 0, 0, 0, 0, 0, 0, 0x80}, "0x8000000000000000"},
    };
    for (const auto& c : cases) EXPECT_EQ(render(c.type, c.bytes), c.expected) << "type " << int(c.type);
}

TEST(EvtxRenderValue, RejectsValuesTooShortForTheirType) {
    std::string out;
    const unsigned char b[2] = {1, 2};
    for (std::uint8_t t : {0x07, 0x08, 0x09, 0x0A, 0x0F, 0x11, 0x12, 0x14, 0x15}) {
        out.clear();
        EXPECT_FALSE(evtx_render_value(t, b, sizeof b, out)) << int(t);
    }
    const unsigned char sid[8] = {1, 3, 0, 0, 0, 0, 0, 5};  // claims 3 sub-authorities
    EXPECT_FALSE(evtx_render_value(0x13, sid, sizeof sid, out));
}

TEST(EvtxChunkDecoder, NeverReadsOutsideGarbageChunks) {
    // Random-ish and adversarial chunks: must return with problems, not crash or hang.
    std::vector<unsigned char> chunk(kEvtxChunkSize, 0);
    std::memcpy(chunk.data(), "ElfChnk", 8);
    std::uint32_t seed = 12345;
    EvtxChunkDecoder decoder;
    EvtxChunkResult result;
    for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 512; i < chunk.size(); ++i) {
            seed = seed * 1103515245 + 12345;
            chunk[i] = static_cast<unsigned char>(seed >> 16);
        }
        // Plant record headers so the decoder gets past the framing into binary XML.
        for (std::size_t pos = 512; pos + 256 < chunk.size(); pos += 256) {
            chunk[pos] = '*';
            chunk[pos + 1] = '*';
            chunk[pos + 2] = 0;
            chunk[pos + 3] = 0;
            std::uint32_t size = 256;
            std::memcpy(&chunk[pos + 4], &size, 4);
            std::memcpy(&chunk[pos + 252], &size, 4);
            chunk[pos + 24] = 0x0F;
            chunk[pos + 28] = static_cast<unsigned char>(round % 2 ? 0x0C : 0x01);
        }
        std::uint32_t free_space = kEvtxChunkSize;
        std::memcpy(&chunk[48], &free_space, 4);
        decoder.decode(chunk.data(), chunk.size(), 4096, result);
        EXPECT_FALSE(result.problems.empty());
        EXPECT_LE(result.records_skipped, result.records_seen);
    }
    // Truncated chunks of every small size.
    for (std::size_t n : {0, 1, 100, 511, 512, 513, 4000}) {
        decoder.decode(chunk.data(), n, 4096, result);
        EXPECT_TRUE(result.records.empty() || n > 512);
    }
}


// --- A crafted chunk: template cache, arrays, entity references, nested binary XML ---------

class BinXml {
public:
    explicit BinXml(std::vector<unsigned char>& chunk) : m_c(chunk) {}
    void u8(unsigned v) { m_c.push_back(static_cast<unsigned char>(v)); }
    void u16(unsigned v) { u8(v & 0xFF); u8((v >> 8) & 0xFF); }
    void u32(std::uint32_t v) { u16(v & 0xFFFF); u16(v >> 16); }
    void utf16(std::string_view s) { for (char ch : s) u16(static_cast<unsigned char>(ch)); }
    // An inline name: its offset is where it is written.
    void name(std::string_view n) {
        u32(static_cast<std::uint32_t>(m_c.size() + 4));
        u32(0);  // next string
        u16(0);  // hash (not checked)
        u16(static_cast<unsigned>(n.size()));
        utf16(n);
        u16(0);
    }
    void open(std::string_view n, bool attributes = false) {
        u8(attributes ? 0x41 : 0x01);
        u16(0xFFFF);
        u32(0);  // data size (not needed)
        name(n);
        if (attributes) u32(0);  // attribute list size (not needed)
    }
    void attribute(std::string_view n, std::string_view text) {
        u8(0x06);
        name(n);
        value(text);
    }
    void value(std::string_view text) {
        u8(0x05);
        u8(0x01);
        u16(static_cast<unsigned>(text.size()));
        utf16(text);
    }
    void close_start() { u8(0x02); }
    void end() { u8(0x04); }
    void substitution(unsigned id, unsigned type, bool optional = false) {
        u8(optional ? 0x0E : 0x0D);
        u16(id);
        u8(type);
    }
    void entity(std::string_view n) {
        u8(0x09);
        name(n);
    }
    void fragment_header() { u8(0x0F); u8(1); u8(1); u8(0); }
    std::size_t size() const { return m_c.size(); }

private:
    std::vector<unsigned char>& m_c;
};

std::vector<unsigned char> utf16z(std::initializer_list<std::string_view> parts) {
    std::vector<unsigned char> out;
    for (auto p : parts) {
        for (char ch : p) { out.push_back(static_cast<unsigned char>(ch)); out.push_back(0); }
        out.push_back(0);
        out.push_back(0);
    }
    return out;
}

void write_template_body(BinXml& x) {
    x.fragment_header();
    x.open("Event");
    x.close_start();
    x.open("System");
    x.close_start();
    x.open("EventID");
    x.close_start();
    x.substitution(0, 0x06);
    x.end();
    x.end();  // System
    x.open("EventData");
    x.close_start();
    x.open("Data", true);
    x.attribute("Name", "A");
    x.close_start();
    x.substitution(1, 0x81);  // string array: one Data per item
    x.end();
    x.open("Data", true);
    x.attribute("Name", "B");
    x.close_start();
    x.value("x");
    x.entity("amp");
    x.value("y");
    x.end();
    x.open("Data", true);
    x.attribute("Name", "D");
    x.close_start();
    x.substitution(3, 0x11);
    x.end();
    x.open("Data", true);
    x.attribute("Name", "E");
    x.close_start();
    x.substitution(4, 0x0E, true);  // optional, given as NULL
    x.end();
    x.end();  // EventData
    x.open("UserData");
    x.close_start();
    x.substitution(2, 0x21);  // nested binary XML
    x.end();
    x.end();  // Event
    x.u8(0x00);
}

// Appends one record instantiating template 0x1234 (inline definition when `definition` is 0).
std::uint32_t write_record(std::vector<unsigned char>& c, std::uint64_t id, std::uint32_t definition,
                           std::uint16_t event_id, std::string_view path) {
    std::size_t start = c.size();
    BinXml x(c);
    x.u32(0x2a2a);
    x.u32(0);  // size, patched below
    x.u32(static_cast<std::uint32_t>(id));
    x.u32(0);
    x.u32(0);
    x.u32(0);
    x.fragment_header();
    x.u8(0x0C);
    x.u8(1);
    x.u32(0x1234);
    std::uint32_t def_off = definition != 0 ? definition : static_cast<std::uint32_t>(c.size() + 4);
    x.u32(def_off);
    if (definition == 0) {
        x.u32(0);            // next template
        x.u32(0x1234);       // GUID, starting with the template id
        for (int i = 0; i < 12; ++i) x.u8(i);
        std::size_t size_at = c.size();
        x.u32(0);
        std::size_t body = c.size();
        write_template_body(x);
        std::uint32_t n = static_cast<std::uint32_t>(c.size() - body);
        std::memcpy(&c[size_at], &n, 4);
    }
    // Nested binary XML value: <Info><Path>path</Path></Info>
    std::vector<unsigned char> nested_placeholder;
    std::vector<std::pair<std::vector<unsigned char>, unsigned>> values;
    values.push_back({{static_cast<unsigned char>(event_id & 0xFF), static_cast<unsigned char>(event_id >> 8)}, 0x06});
    values.push_back({utf16z({"one", "two"}), 0x81});
    values.push_back({{}, 0x21});  // filled in place below (names are chunk offsets)
    values.push_back({{0x4F, 0x4A, 0x7A, 0xA4, 0x19, 0x3D, 0xD5, 0x01}, 0x11});
    values.push_back({{}, 0x00});
    x.u32(static_cast<std::uint32_t>(values.size()));
    std::size_t descriptors = c.size();
    for (std::size_t i = 0; i < values.size(); ++i) {
        x.u16(0);
        x.u8(values[i].second);
        x.u8(0);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::size_t begin = c.size();
        if (values[i].second == 0x21) {
            x.fragment_header();
            x.open("Info");
            x.close_start();
            x.open("Path");
            x.close_start();
            x.value(path);
            x.end();
            x.end();
            x.u8(0x00);
        } else {
            c.insert(c.end(), values[i].first.begin(), values[i].first.end());
        }
        std::uint16_t n = static_cast<std::uint16_t>(c.size() - begin);
        std::memcpy(&c[descriptors + 4 * i], &n, 2);
    }
    x.u8(0x00);  // end of stream
    while ((c.size() + 4 - start) % 8 != 0) x.u8(0);
    std::uint32_t size = static_cast<std::uint32_t>(c.size() + 4 - start);
    x.u32(size);
    std::memcpy(&c[start + 4], &size, 4);
    return def_off;
}

std::vector<unsigned char> crafted_chunk() {
    std::vector<unsigned char> c(kEvtxChunkHeaderSize, 0);
    std::memcpy(c.data(), "ElfChnk", 8);
    std::uint32_t def = write_record(c, 7, 0, 4104, "C:\\a");
    write_record(c, 8, def, 4105, "C:\\b");  // template by reference, from the cache
    std::uint32_t free_space = static_cast<std::uint32_t>(c.size());
    std::memcpy(&c[48], &free_space, 4);
    std::uint32_t crc = evtx_crc32(c.data() + 512, c.size() - 512);
    std::memcpy(&c[52], &crc, 4);
    crc = evtx_crc32(c.data() + 128, 384, evtx_crc32(c.data(), 120));
    std::memcpy(&c[124], &crc, 4);
    c.resize(kEvtxChunkSize, 0);
    return c;
}

TEST(EvtxChunkDecoder, CraftedChunkCoversTemplatesArraysEntitiesAndNestedBinaryXml) {
    auto chunk = crafted_chunk();
    EvtxChunkDecoder decoder;
    EvtxChunkResult result;
    decoder.decode(chunk.data(), chunk.size(), 4096, result);
    for (const auto& p : result.problems) ADD_FAILURE() << p.offset << ": " << p.message;
    ASSERT_EQ(result.records.size(), 2u);
    EXPECT_EQ(result.records_seen, 2u);
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    for (int i = 0; i < 2; ++i) {
        const WinEventRecord& r = result.records[i];
        EXPECT_EQ(r.event_id, 4104 + i);
        EXPECT_EQ(r.position, Value(7 + i));
        EXPECT_EQ(r.data, (Pairs{{"A", "one"},
                                 {"A", "two"},
                                 {"B", "x&y"},
                                 {"D", "2019-07-18T03:34:02.025223900Z"},
                                 {"E", ""},
                                 {"Path", i == 0 ? "C:\\a" : "C:\\b"}}));
    }
    // A second decode with the same decoder starts from a clean template cache.
    chunk[512 + 24 + 4 + 6] ^= 0x01;  // first record's definition offset now points nowhere
    decoder.decode(chunk.data(), chunk.size(), 4096, result);
    // The first record is lost; the second still finds the definition where it really is.
    ASSERT_EQ(result.records.size(), 1u);
    EXPECT_EQ(result.records[0].event_id, 4105);
    EXPECT_EQ(result.records_skipped, 1u);
    ASSERT_EQ(result.problems.size(), 2u);  // the records checksum, and the record
    EXPECT_NE(result.problems[1].message.find("record 7: bad template reference"), std::string::npos)
        << result.problems[1].message;
    EXPECT_EQ(result.problems[1].offset, 4096u + 512 + 24 + 4);
}

}  // namespace
}  // namespace attest
