// What an atomic's command text starts and writes, read without running it.
//
// The baseline expectations of a stock atomic (every program the command starts must show up
// in a process sensor) and its risk tags (reboot, firewall tampering, egress, ...) both come
// from this one analysis of the substituted command text, per executor:
//   - sh / bash: words, quotes, escapes, pipelines, lists, `$(...)` and backquotes, here-docs,
//     assignments, reserved words (`if`, `for ... in`, `case ... esac`), builtins, and wrappers
//     (`sudo`, `env`, `nohup`, `timeout`, `xargs`, `sh -c '...'`);
//   - command_prompt: `&`, `&&`, `||`, `|`, `^` escapes, `if`/`for` forms, `start`, `call`,
//     internal commands, `cmd /c` and `powershell -Command` nesting;
//   - powershell: statements, pipelines, script blocks, sub-expressions, here-strings; a
//     cmdlet, function or alias is not an external program (`curl` and `sc` are aliases in
//     Windows PowerShell), `& 'x.exe'`, `Start-Process x` and bare native names are.
// The analysis is conservative: a word it cannot know (a `$variable` as a command) is listed
// as unresolved, never guessed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attest::scenarios {

struct ProgramUse {
    std::string program;  // as written, quotes removed: "/usr/bin/curl", "C:\\x\\cmd.exe"
    // The name a process sensor reports: the base name; on Windows lower-cased with ".exe"
    // added when the command names no extension ("net" -> "net.exe").
    std::string name;
    std::vector<std::string> args;  // the words after it, quotes removed
    std::size_t line = 1;           // 1-based line of the command text where it starts
};

struct CommandAnalysis {
    std::vector<ProgramUse> programs;  // external programs, in order of appearance
    // PowerShell cmdlets and functions called (name lower-cased, module qualifier dropped):
    // they run inside the executor's process, so a script-block log sees them, not a
    // process sensor.
    std::vector<ProgramUse> cmdlets;
    std::vector<std::string> written_paths;  // files the command names as written targets
    std::vector<std::string> unresolved;     // command words that cannot be known statically
};

// `executor` is the atomic's executor name: sh, bash, command_prompt or powershell (anything
// else gives an empty analysis).
CommandAnalysis analyze_command(std::string_view executor, std::string_view text);

// The lower-cased base name of a program path ("C:\\Windows\\cmd.EXE" -> "cmd.exe"); with
// `windows`, ".exe" is added when there is no extension.
std::string program_name(std::string_view program, bool windows);

}  // namespace attest::scenarios
