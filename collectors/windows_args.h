// Command-line splitting as Windows does it, for process.args.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attest {

// Splits a Windows command line exactly as shell32's CommandLineToArgvW does:
// - argv[0] (the program) ends at the next quote if it starts with one (no escapes inside),
//   otherwise at the first space or tab; backslashes in it are literal;
// - the other arguments are separated by spaces/tabs outside quotes; 2n backslashes before a
//   quote give n backslashes and the quote toggles quoting; 2n+1 give n backslashes and a
//   literal quote; backslashes not before a quote are literal; inside quotes, each run of
//   three consecutive quote characters yields one literal quote.
// An empty or all-blank command line gives no arguments (Windows would substitute the
// current program's path, which we do not know).
std::vector<std::string> split_windows_command_line(std::string_view command_line);

// Splits on runs of spaces/tabs (Sysmon for Linux logs argv joined by spaces).
std::vector<std::string> split_on_blanks(std::string_view command_line);

}  // namespace attest
