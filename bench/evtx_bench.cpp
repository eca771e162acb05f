// Builds a large .evtx for bench/evtx_bench.sh out of real sample files: their chunks are
// repeated until the target size is reached, behind one file header with a consistent chunk
// count and checksum (chunks are self-contained, so repeating them keeps every record valid;
// record ids repeat, which neither reader cares about).
//
// usage: evtx_bench OUT.evtx SIZE_MB SAMPLE.evtx...
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "collectors/evtx_chunk.h"

int main(int argc, char** argv) {
    using attest::kEvtxChunkSize;
    using attest::kEvtxFileHeaderSize;
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s OUT.evtx SIZE_MB SAMPLE.evtx...\n", argv[0]);
        return 2;
    }
    const std::size_t target = std::strtoull(argv[2], nullptr, 10) << 20;
    std::vector<std::vector<unsigned char>> chunks;
    std::vector<unsigned char> header;
    for (int i = 3; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (b.size() < kEvtxFileHeaderSize || std::memcmp(b.data(), "ElfFile", 8) != 0) {
            std::fprintf(stderr, "%s: not an EVTX file\n", argv[i]);
            return 1;
        }
        if (header.empty()) header.assign(b.begin(), b.begin() + kEvtxFileHeaderSize);
        for (std::size_t off = kEvtxFileHeaderSize; off + kEvtxChunkSize <= b.size(); off += kEvtxChunkSize)
            if (std::memcmp(b.data() + off, "ElfChnk", 8) == 0)
                chunks.emplace_back(b.begin() + static_cast<long>(off), b.begin() + static_cast<long>(off + kEvtxChunkSize));
    }
    if (chunks.empty()) return 1;
    std::size_t count = (target + kEvtxChunkSize - 1) / kEvtxChunkSize;
    if (count > 65535) count = 65535;  // the header's chunk count is 16 bits
    std::uint64_t last = count - 1;
    std::uint16_t count16 = static_cast<std::uint16_t>(count);
    std::uint32_t flags = 0;
    std::memset(header.data() + 8, 0, 8);             // first chunk number
    std::memcpy(header.data() + 16, &last, 8);        // last chunk number
    std::memcpy(header.data() + 42, &count16, 2);     // chunk count
    std::memcpy(header.data() + 120, &flags, 4);      // clean, not full
    std::uint32_t crc = attest::evtx_crc32(header.data(), 120);
    std::memcpy(header.data() + 124, &crc, 4);
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
    for (std::size_t i = 0; i < count; ++i)
        out.write(reinterpret_cast<const char*>(chunks[i % chunks.size()].data()), kEvtxChunkSize);
    if (!out) {
        std::fprintf(stderr, "%s: write failed\n", argv[1]);
        return 1;
    }
    std::printf("%s: %zu chunks (%zu MiB) from %zu sample chunks\n", argv[1], count,
                (kEvtxFileHeaderSize + count * kEvtxChunkSize) >> 20, chunks.size());
    return 0;
}
