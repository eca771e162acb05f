#include "harness/executor.h"

#include <array>
#include <cctype>
#include <cstdint>

namespace attest::run {

std::string_view platform_name(Platform p) {
    switch (p) {
        case Platform::Windows: return "windows";
        case Platform::Linux: return "linux";
        case Platform::Macos: return "macos";
    }
    return "?";
}

Expected<Platform> parse_platform(std::string_view name) {
    if (name == "windows") return Platform::Windows;
    if (name == "linux") return Platform::Linux;
    if (name == "macos") return Platform::Macos;
    return make_error("unknown platform '" + std::string(name) +
                      "' (expected windows, linux or macos)");
}

namespace {

void append_utf16(std::string& out, std::uint32_t unit) {
    out.push_back(static_cast<char>(unit & 0xff));
    out.push_back(static_cast<char>((unit >> 8) & 0xff));
}

void append_code_point(std::string& out, std::uint32_t cp) {
    if (cp >= 0x10000) {
        cp -= 0x10000;
        append_utf16(out, 0xD800 + (cp >> 10));
        append_utf16(out, 0xDC00 + (cp & 0x3ff));
    } else {
        append_utf16(out, cp);
    }
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string crlf_lines(std::string_view script) {
    std::string out;
    for (char c : script) {
        if (c == '\r') continue;
        if (c == '\n') out += "\r\n";
        else out.push_back(c);
    }
    return out;
}

}  // namespace

std::string utf8_to_utf16le(std::string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        unsigned char c = p[i];
        std::uint32_t cp = 0;
        std::size_t len = 0;
        if (c < 0x80) { cp = c; len = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
        bool valid = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) valid = false;
            else cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        // Reject overlong forms, surrogates and out-of-range values.
        if (valid && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                      (cp >= 0xD800 && cp <= 0xDFFF)))
            valid = false;
        if (!valid) {
            append_code_point(out, 0xFFFD);
            i += 1;
            continue;
        }
        append_code_point(out, cp);
        i += len;
    }
    return out;
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += kBase64[(v >> 6) & 63];
        out += kBase64[v & 63];
    }
    if (i + 1 == bytes.size()) {
        std::uint32_t v = p[i] << 16;
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        std::uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += kBase64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

Expected<std::string> base64_decode(std::string_view text) {
    std::array<int, 256> table;
    table.fill(-1);
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64[i])] = i;
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t pos = 0;
    for (char c : text) {
        ++pos;
        if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
        int v = table[static_cast<unsigned char>(c)];
        if (v < 0) return make_error("invalid base64 character at byte " + std::to_string(pos));
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::string encode_powershell(std::string_view script) {
    return base64_encode(utf8_to_utf16le(script));
}

std::vector<std::string> powershell_encoded_argv(std::string_view script) {
    return {"powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand",
            encode_powershell(script)};
}

std::string posix_quote(std::string_view arg) {
    bool plain = !arg.empty();
    for (char c : arg)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
              c == '/' || c == '=' || c == ':' || c == ',' || c == '@' || c == '+'))
            plain = false;
    if (plain) return std::string(arg);
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    out += "'";
    return out;
}

std::string posix_join(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        out += posix_quote(a);
    }
    return out;
}

std::string powershell_quote(std::string_view text) {
    // PowerShell also treats the typographic quotes U+2018..U+201B as single quotes, so
    // they are doubled like ASCII ' to stay literal.
    std::string out = "'";
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\'') {
            out += "''";
        } else if (i + 2 < text.size() && static_cast<unsigned char>(c) == 0xE2 &&
                   static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   static_cast<unsigned char>(text[i + 2]) >= 0x98 &&
                   static_cast<unsigned char>(text[i + 2]) <= 0x9B) {
            out.append(text.substr(i, 3));
            out.append(text.substr(i, 3));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    out += "'";
    return out;
}

std::string substitute_arguments(std::string_view command,
                                 const std::map<std::string, std::string>& arguments) {
    std::string out;
    std::size_t i = 0;
    while (i < command.size()) {
        if (command.compare(i, 2, "#{") == 0) {
            std::size_t close = command.find('}', i + 2);
            if (close != std::string_view::npos) {
                std::string name(command.substr(i + 2, close - i - 2));
                auto it = arguments.find(name);
                if (it != arguments.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out.push_back(command[i++]);
    }
    return out;
}

Expected<Invocation> build_invocation(std::string_view executor, std::string_view script,
                                      Platform platform, bool elevation_required,
                                      Elevation elevation) {
    Invocation inv;
    inv.display = std::string(script);
    if (executor == "manual")
        return make_error("executor 'manual' needs a person at the keyboard; not run");
    if (elevation_required && elevation == Elevation::Unavailable) {
        if (platform == Platform::Windows)
            return make_error(
                "elevation required: the session on the target is not an elevated "
                "administrator (connect as an administrator; UAC cannot be answered remotely)");
        return make_error(
            "elevation required: the target user is not root and `sudo -n` is not allowed "
            "(configure passwordless sudo or connect as root)");
    }
    if (platform == Platform::Windows) {
        if (executor == "powershell") {
            inv.argv = powershell_encoded_argv(script);
        } else if (executor == "command_prompt") {
            std::string wrapper =
                "$f = Join-Path $env:TEMP ('attest-' + [guid]::NewGuid().ToString() + '.cmd')\r\n"
                "[IO.File]::WriteAllText($f, " +
                powershell_quote("@echo off\r\n" + crlf_lines(script) + "\r\n") +
                ")\r\n"
                "try { & cmd.exe /d /c call $f; $code = $LASTEXITCODE } finally { "
                "Remove-Item -Force -ErrorAction SilentlyContinue $f }\r\n"
                "exit $code\r\n";
            inv.argv = powershell_encoded_argv(wrapper);
        } else if (executor == "sh" || executor == "bash") {
            return make_error("executor '" + std::string(executor) +
                              "' is not available on windows targets");
        } else {
            return make_error("unknown executor '" + std::string(executor) +
                              "' (expected powershell, command_prompt, sh, bash or manual)");
        }
        return inv;
    }
    if (executor == "sh" || executor == "bash") {
        inv.argv = {std::string(executor), "-c", std::string(script)};
    } else if (executor == "powershell") {
        // PowerShell 7 on Linux/macOS is `pwsh`; the encoded form avoids quoting here too.
        inv.argv = powershell_encoded_argv(script);
        inv.argv[0] = "pwsh";
    } else if (executor == "command_prompt") {
        return make_error("executor 'command_prompt' is not available on " +
                          std::string(platform_name(platform)) + " targets");
    } else {
        return make_error("unknown executor '" + std::string(executor) +
                          "' (expected powershell, command_prompt, sh, bash or manual)");
    }
    if (elevation_required && elevation == Elevation::Sudo)
        inv.argv.insert(inv.argv.begin(), {"sudo", "-n", "--"});
    return inv;
}

}  // namespace attest::run
