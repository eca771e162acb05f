#include "harness/executor.h"

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
