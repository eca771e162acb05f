#include "harness/executor.h"

#include <gtest/gtest.h>

using namespace attest;
using namespace attest::run;

namespace {

// Expected values computed independently (Python: base64.b64encode(s.encode('utf-16-le')));
// the first one is checkable by hand: 'A' = 41 00 -> "QQA=".
struct EncodingCase {
    const char* script;
    const char* base64;
};

const EncodingCase kEncodings[] = {
    {"A", "QQA="},
    {R"(Get-ChildItem "$env:TEMP\x" | % { 'it''s' })",
     "RwBlAHQALQBDAGgAaQBsAGQASQB0AGUAbQAgACIAJABlAG4AdgA6AFQARQBNAFAAXAB4ACIAIAB8ACAAJQAgAHsAIAAn"
     "AGkAdAAnACcAcwAnACAAfQA="},
    // Non-ASCII, including a character outside the BMP (a surrogate pair in UTF-16).
    {"Write-Output 'Gr\xC3\xBC\xC3\x9F" "e \xE2\x82\xAC \xF0\x9D\x84\x9E'",
     "VwByAGkAdABlAC0ATwB1AHQAcAB1AHQAIAAnAEcAcgD8AN8AZQAgAKwgIAA02B7dJwA="},
};

}  // namespace

TEST(Executor, EncodedCommandMatchesIndependentEncodings) {
    for (const auto& c : kEncodings) EXPECT_EQ(encode_powershell(c.script), c.base64) << c.script;
}

TEST(Executor, InputArgumentsWithQuotesAndDollarSurviveEncoding) {
    std::map<std::string, std::string> args = {{"src", R"(C:\a "b" $x)"}, {"dst", "it's $(calc)"}};
    std::string script = substitute_arguments(R"(Copy-Item -Path "#{src}" -Destination '#{dst}')", args);
    EXPECT_EQ(script, R"(Copy-Item -Path "C:\a "b" $x" -Destination 'it's $(calc)')");
    auto inv = build_invocation("powershell", script, Platform::Windows, false, Elevation::None);
    ASSERT_TRUE(inv.ok()) << inv.error().message;
    ASSERT_EQ(inv->argv.size(), 5u);
    EXPECT_EQ(inv->argv[0], "powershell");
    EXPECT_EQ(inv->argv[1], "-NoProfile");
    EXPECT_EQ(inv->argv[2], "-NonInteractive");
    EXPECT_EQ(inv->argv[3], "-EncodedCommand");
    EXPECT_EQ(inv->argv[4],
              "QwBvAHAAeQAtAEkAdABlAG0AIAAtAFAAYQB0AGgAIAAiAEMAOgBcAGEAIAAiAGIAIgAgACQAeAAiACAALQBE"
              "AGUAcwB0AGkAbgBhAHQAaQBvAG4AIAAnAGkAdAAnAHMAIAAkACgAYwBhAGwAYwApACcA");
    // Nothing but base64 and fixed flags reaches the remote command line.
    for (char ch : inv->argv[4]) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/' || ch == '=');
}

TEST(Executor, CommandPromptWrapsTheScriptInACmdFile) {
    auto inv = build_invocation("command_prompt", "echo \"%TEMP%\" & set X=1\nexit /b 3",
                                Platform::Windows, false, Elevation::None);
    ASSERT_TRUE(inv.ok());
    ASSERT_EQ(inv->argv.size(), 5u);
    auto bytes = base64_decode(inv->argv[4]);
    ASSERT_TRUE(bytes.ok());
    // Decode UTF-16LE (ASCII only here) to check what PowerShell will run.
    std::string ps;
    for (std::size_t i = 0; i + 1 < bytes->size(); i += 2) ps.push_back((*bytes)[i]);
    EXPECT_NE(ps.find("'@echo off\r\necho \"%TEMP%\" & set X=1\r\nexit /b 3\r\n'"), std::string::npos) << ps;
    EXPECT_NE(ps.find("cmd.exe /d /c call $f"), std::string::npos);
}

TEST(Executor, PosixExecutorsAndElevation) {
    auto sh = build_invocation("sh", "echo a\necho b", Platform::Linux, false, Elevation::Sudo);
    ASSERT_TRUE(sh.ok());
    EXPECT_EQ(sh->argv, (std::vector<std::string>{"sh", "-c", "echo a\necho b"}));
    auto bash = build_invocation("bash", "id", Platform::Linux, true, Elevation::Sudo);
    ASSERT_TRUE(bash.ok());
    EXPECT_EQ(bash->argv, (std::vector<std::string>{"sudo", "-n", "--", "bash", "-c", "id"}));
    auto root = build_invocation("bash", "id", Platform::Linux, true, Elevation::None);
    EXPECT_EQ(root->argv, (std::vector<std::string>{"bash", "-c", "id"}));
    auto no = build_invocation("sh", "id", Platform::Linux, true, Elevation::Unavailable);
    ASSERT_FALSE(no.ok());
    EXPECT_NE(no.error().message.find("sudo -n"), std::string::npos);
    auto win = build_invocation("powershell", "whoami", Platform::Windows, true, Elevation::Unavailable);
    ASSERT_FALSE(win.ok());
    EXPECT_NE(win.error().message.find("elevated"), std::string::npos);
    EXPECT_FALSE(build_invocation("command_prompt", "dir", Platform::Linux, false, Elevation::None).ok());
    EXPECT_FALSE(build_invocation("bash", "ls", Platform::Windows, false, Elevation::None).ok());
    EXPECT_FALSE(build_invocation("manual", "x", Platform::Linux, false, Elevation::None).ok());
    EXPECT_FALSE(build_invocation("zsh", "x", Platform::Linux, false, Elevation::None).ok());
}

TEST(Executor, Quoting) {
    EXPECT_EQ(posix_quote("plain/path-1.txt"), "plain/path-1.txt");
    EXPECT_EQ(posix_quote("it's $HOME"), "'it'\\''s $HOME'");
    EXPECT_EQ(posix_quote(""), "''");
    EXPECT_EQ(powershell_quote("it's $x"), "'it''s $x'");
    // A typographic quote is a quote for PowerShell too.
    EXPECT_EQ(powershell_quote("a\xE2\x80\x99" "b"), "'a\xE2\x80\x99\xE2\x80\x99" "b'");
}
