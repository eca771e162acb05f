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

}  // namespace
}  // namespace attest
