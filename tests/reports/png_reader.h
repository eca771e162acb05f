// A tiny PNG decoder for screenshot checks: 8-bit RGB / RGBA, non-interlaced (what Chromium
// writes), inflated with zlib. Returns false on anything else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

namespace attest::reports::testing {

struct Image {
    std::uint32_t width = 0, height = 0;
    std::vector<std::uint8_t> rgb;  // width * height * 3
};

inline std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

inline bool decode_png(const std::string& data, Image& out, std::string& why) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    if (data.size() < 8 || data.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) { why = "not a PNG"; return false; }
    std::size_t pos = 8;
    int color_type = -1, depth = 0;
    std::string idat;
    while (pos + 12 <= data.size()) {
        std::uint32_t len = be32(d + pos);
        std::string type = data.substr(pos + 4, 4);
        if (pos + 12 + len > data.size()) { why = "truncated chunk"; return false; }
        const unsigned char* body = d + pos + 8;
        if (type == "IHDR") {
            out.width = be32(body);
            out.height = be32(body + 4);
            depth = body[8];
            color_type = body[9];
            if (body[12] != 0) { why = "interlaced"; return false; }
        } else if (type == "IDAT") {
            idat.append(reinterpret_cast<const char*>(body), len);
        } else if (type == "IEND") {
            break;
        }
        pos += 12 + len;
    }
    if (depth != 8 || (color_type != 2 && color_type != 6)) { why = "unsupported colour type/depth"; return false; }
    if (out.width == 0 || out.height == 0 || out.width > 20000 || out.height > 20000) { why = "bad size"; return false; }
    std::size_t bpp = color_type == 6 ? 4 : 3;
    std::size_t stride = out.width * bpp;
    std::vector<std::uint8_t> raw((stride + 1) * out.height);
    uLongf raw_len = raw.size();
    if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
        raw_len != raw.size()) {
        why = "inflate failed";
        return false;
    }
    std::vector<std::uint8_t> prev(stride, 0), cur(stride);
    out.rgb.resize(std::size_t(out.width) * out.height * 3);
    for (std::uint32_t y = 0; y < out.height; ++y) {
        const std::uint8_t* line = raw.data() + y * (stride + 1);
        std::uint8_t filter = line[0];
        for (std::size_t x = 0; x < stride; ++x) {
            int a = x >= bpp ? cur[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
            int v = line[1 + x], pred = 0;
            switch (filter) {
                case 0: pred = 0; break;
                case 1: pred = a; break;
                case 2: pred = b; break;
                case 3: pred = (a + b) / 2; break;
                case 4: {
                    int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
                    pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
                    break;
                }
                default: why = "bad filter"; return false;
            }
            cur[x] = static_cast<std::uint8_t>(v + pred);
        }
        for (std::uint32_t x = 0; x < out.width; ++x)
            for (int k = 0; k < 3; ++k) out.rgb[(std::size_t(y) * out.width + x) * 3 + k] = cur[x * bpp + k];
        prev.swap(cur);
    }
    return true;
}

// Variance of the luminance: a blank (single-colour) screenshot gives 0.
inline double luminance_variance(const Image& img) {
    double sum = 0, sum2 = 0;
    std::size_t n = std::size_t(img.width) * img.height;
    for (std::size_t i = 0; i < n; ++i) {
        double l = 0.299 * img.rgb[i * 3] + 0.587 * img.rgb[i * 3 + 1] + 0.114 * img.rgb[i * 3 + 2];
        sum += l;
        sum2 += l * l;
    }
    double mean = sum / double(n);
    return sum2 / double(n) - mean * mean;
}

}  // namespace attest::reports::testing
