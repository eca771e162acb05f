// The EVTX chunk and binary XML decoder (our own implementation of the format that libevtx
// documents): one 64 KiB chunk in, WinEventRecords out.
//
// Why a separate unit: chunks are self-contained (string table, template definitions and
// records all live inside the chunk and are referenced by chunk-relative offsets), so the
// collector decodes them independently in parallel and the fuzzer drives this decoder
// directly. Everything read here is attacker-controlled: every offset is checked against the
// chunk, every loop is bounded by the bytes it consumes, recursion (nested binary XML) is
// capped, and problems are reported with their file byte offset, never thrown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/winevent.h"

namespace attest {

inline constexpr std::size_t kEvtxFileHeaderSize = 4096;
inline constexpr std::size_t kEvtxChunkSize = 65536;
inline constexpr std::size_t kEvtxChunkHeaderSize = 512;

// CRC32 (IEEE 802.3, the one EVTX uses for headers and record data).
std::uint32_t evtx_crc32(const unsigned char* data, std::size_t size, std::uint32_t crc = 0);

// A problem found while decoding, at an absolute file offset.
struct EvtxProblem {
    std::uint64_t offset = 0;
    std::string message;
};

// What decoding one chunk produced.
struct EvtxChunkResult {
    std::vector<WinEventRecord> records;  // in chunk order
    std::vector<EvtxProblem> problems;    // each one is one skipped record or chunk issue
    std::uint64_t records_seen = 0;       // record headers found (decoded or skipped)
    std::uint64_t records_skipped = 0;
    bool empty_chunk = false;             // an all-zero (never used) chunk: nothing to report
    bool chunk_skipped = false;           // the whole chunk was unusable
};

// Fixed-size-type decoders, exposed for the unit tests: each renders a substitution value
// (value type without the array bit) the way libevtx's XML export writes it. Returns false
// when the bytes do not fit the type.
bool evtx_render_value(std::uint8_t type, const unsigned char* data, std::size_t size,
                       std::string& out);

// Decodes chunks. Keeps per-chunk caches (compiled templates, names) between calls so a
// worker thread reuses its allocations; one decoder per thread.
class EvtxChunkDecoder {
public:
    EvtxChunkDecoder();
    ~EvtxChunkDecoder();
    EvtxChunkDecoder(const EvtxChunkDecoder&) = delete;
    EvtxChunkDecoder& operator=(const EvtxChunkDecoder&) = delete;

    // Decodes the chunk `data` (normally 64 KiB; shorter when the file is truncated) that
    // starts at `file_offset` in the file. Results are appended to a cleared `result`.
    void decode(const unsigned char* data, std::size_t size, std::uint64_t file_offset,
                EvtxChunkResult& result);

    // Also render each record as XML into WinEventRecord::original (event.original, for
    // `--original`): compact, in the style of Windows' EvtRender. Off by default (it costs).
    void set_render_xml(bool on);

private:
    struct Impl;
    Impl* m_impl;
};

}  // namespace attest
