// Executors as Atomic Red Team defines them: how a (multi-line) command of an atomic test
// becomes a process invocation on the target, per platform.
//
// Windows: every executor ends up as `powershell -NoProfile -NonInteractive -EncodedCommand
// <base64 of UTF-16LE>`, so no quoting of the script ever reaches a remote shell (ssh hands
// Windows OpenSSH a plain command line; PowerShell decodes the script itself).
// command_prompt scripts are written by that PowerShell wrapper to a temporary .cmd file and
// run with `cmd.exe /d /c call FILE` (ART joins lines with " & "; a file keeps each line's
// own semantics, including `set`, without any cmd quoting).
// Linux/macOS: `sh -c SCRIPT` / `bash -c SCRIPT` as an argument vector.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/expected.h"

namespace attest::run {

enum class Platform { Windows, Linux, Macos };
std::string_view platform_name(Platform p);
Expected<Platform> parse_platform(std::string_view name);

// How a target gains privileges for `elevation_required: true`.
enum class Elevation {
    None,      // the session is already privileged (root / elevated administrator)
    Sudo,      // Linux/macOS: prefix `sudo -n` (never prompts; fails clearly instead)
    Unavailable,
};

struct Invocation {
    std::vector<std::string> argv;  // what the target runs (for ssh: joined and quoted)
    std::string display;            // the command as shown in results (before masking)
};

// Builds the invocation of `script` with executor `executor` ("powershell",
// "command_prompt", "sh", "bash"). Errors: unknown executor, executor not available on the
// platform (command_prompt on Linux), elevation required but unavailable, `manual`.
Expected<Invocation> build_invocation(std::string_view executor, std::string_view script,
                                      Platform platform, bool elevation_required,
                                      Elevation elevation);

using attest::base64_decode;  // core/encoding.h
using attest::base64_encode;
using attest::utf8_to_utf16le;
// base64(UTF-16LE(script)): the argument of powershell -EncodedCommand.
std::string encode_powershell(std::string_view script);
// The full Windows command line: powershell -NoProfile -NonInteractive -EncodedCommand X.
std::vector<std::string> powershell_encoded_argv(std::string_view script);

// POSIX shell single-quoting ('...' with ' as '\''), for command lines sent over ssh.
std::string posix_quote(std::string_view arg);
std::string posix_join(const std::vector<std::string>& argv);
// PowerShell single-quoted string literal ('' doubles a quote).
std::string powershell_quote(std::string_view text);

// Atomic Red Team `#{name}` substitution (raw text, as Invoke-AtomicTest does). Unknown
// placeholders stay as they are.
std::string substitute_arguments(std::string_view command,
                                 const std::map<std::string, std::string>& arguments);

}  // namespace attest::run
