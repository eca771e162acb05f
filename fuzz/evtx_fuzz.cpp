// libFuzzer target for the EVTX chunk and binary XML decoder (collectors/evtx_chunk.cpp).
// The input is one chunk (up to 64 KiB). The chunk signature is forced so every input gets
// past it into the record framing, templates and substitution values; checksums are not
// forced because the decoder reads records even when they do not match.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "collectors/evtx_chunk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static attest::EvtxChunkDecoder decoder;  // reused like a worker thread reuses it
    static attest::EvtxChunkResult result;
    if (size > attest::kEvtxChunkSize) size = attest::kEvtxChunkSize;
    // An exact-size heap copy so ASan catches any read past the bytes we were given.
    std::vector<unsigned char> chunk(data, data + size);
    if (chunk.size() >= 8) std::memcpy(chunk.data(), "ElfChnk", 8);
    // The XML rendering (--original) is on for every other input, chosen by a byte the
    // decoder ignores (the chunk header's unused tail).
    decoder.set_render_xml(size > 100 && (data[100] & 1) != 0);
    decoder.decode(chunk.data(), chunk.size(), 4096, result);
    // Touch the output so rendering bugs (bad strings) surface under the sanitizers.
    std::size_t total = 0;
    for (const auto& r : result.records) {
        total += r.provider_name.size() + r.time_created.size() + r.original.size();
        for (const auto& [k, v] : r.data) total += k.size() + v.size();
    }
    return total == static_cast<std::size_t>(-1) ? 1 : 0;
}
