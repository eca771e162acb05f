#include "scenarios/command_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/atomic.h"

namespace fs = std::filesystem;
using namespace attest::scenarios;

namespace {

std::vector<std::string> names(const CommandAnalysis& a) {
    std::vector<std::string> out;
    for (const ProgramUse& p : a.programs) out.push_back(p.name);
    return out;
}

using Names = std::vector<std::string>;

struct Case {
    const char* executor;
    const char* text;
    Names programs;
    Names written = {};
    Names unresolved = {};
};

// Hand-made edge cases, one per rule of the analysis.
const Case kCases[] = {
    // sh / bash: pipelines, lists, quotes, escapes
    {"sh",
     "tar -czf /tmp/mail.tgz /var/mail | curl -T - http://127.0.0.1:8080/u && echo done",
     {"tar", "curl"},
     {"/tmp/mail.tgz"}},
    {"bash", "cat '/etc/my file' ; \"/usr/bin/id\" -u || w\\ho", {"cat", "id", "who"}},
    {"sh", "X=1 Y=\"a b\" env -i Z=2 /bin/ls -l", {"env", "ls"}},
    {"sh", "sudo -u root -n tar cf /tmp/a.tar /etc", {"sudo", "tar"}, {"/tmp/a.tar"}},
    {"sh",
     "timeout 5 nohup curl -o /tmp/x http://127.0.0.1/",
     {"timeout", "nohup", "curl"},
     {"/tmp/x"}},
    {"sh", "sh -c 'whoami; id' && bash -ec \"uname -a\"", {"sh", "whoami", "id", "bash", "uname"}},
    {"sh", "echo \"$(hostname) `date`\" > /tmp/out.txt", {"hostname", "date"}, {"/tmp/out.txt"}},
    {"sh", "echo $((1 + 2)) ${HOME} $? ; printf x >> /tmp/log 2>/dev/null", {}, {"/tmp/log"}},
    {"bash",
     "cat <<EOF > /tmp/script.sh\nrm -rf /\nEOF\nchmod +x /tmp/script.sh\n",
     {"cat", "chmod"},
     {"/tmp/script.sh"}},
    {"bash", "cat <<-'END'\n\tshutdown now\n\tEND\nls", {"cat", "ls"}},
    {"sh",
     "if [ -f /etc/passwd ]; then grep root /etc/passwd; elif test -d /x; then :; else id; fi",
     {"grep", "id"}},
    {"sh", "for f in /etc/*.conf /tmp; do wc -l \"$f\"; done", {"wc"}},
    {"sh", "while read line; do stat $line; done < /tmp/list", {"stat"}},
    {"sh",
     "case \"$(uname)\" in\n  Linux) ip addr ;;\n  *BSD|Darwin) ifconfig -a ;;\nesac",
     {"uname", "ip", "ifconfig"}},
    {"bash", "f() { ps aux; }\nf\nfunction g { who; }\ng", {"ps", "who"}},
    {"sh", "$CMD --flag; \"$X\"/bin/tool", {}, {}, {"$CMD", "$X/bin/tool"}},
    {"sh",
     "command -v curl >/dev/null || exec wget -O /tmp/f http://127.0.0.1/f",
     {"wget"},
     {"/tmp/f"}},
    {"sh",
     "find / -name '*.pst' 2>/dev/null | xargs -I {} cp {} /tmp/loot/",
     {"find", "xargs", "cp"},
     {"/tmp/loot/"}},
    {"sh", "(cd /tmp && touch a b) ; { uname; }", {"touch", "uname"}, {"a", "b"}},
    {"sh", "eval \"id -u\"", {"id"}},
    {"sh", "ls # rm -rf /\n# shutdown -h now", {"ls"}},
    {"sh", "echo a |& tee -a /tmp/t.log", {"tee"}, {"/tmp/t.log"}},
    // cmd.exe
    {"command_prompt",
     "net user /domain & whoami /all && ipconfig /all | findstr IPv4",
     {"net.exe", "whoami.exe", "ipconfig.exe", "findstr.exe"}},
    {"command_prompt",
     "@echo off\ndir C:\\ > %TEMP%\\d.txt\ncopy C:\\a.pst C:\\loot\\a.pst",
     {},
     {"C:\\loot\\a.pst"},
     {}},
    {"command_prompt",
     "if exist C:\\x.txt (type C:\\x.txt) else (reg query HKLM\\Software)",
     {"reg.exe"}},
    {"command_prompt", "for %%i in (a b c) do ping -n 1 %%i", {"ping.exe"}},
    {"command_prompt", "start \"title\" /b C:\\Windows\\System32\\calc.exe", {"calc.exe"}},
    {"command_prompt",
     "cmd.exe /c \"schtasks /query & wmic os get caption\"",
     {"cmd.exe", "schtasks.exe", "wmic.exe"}},
    {"command_prompt",
     "powershell.exe -NoP -ExecutionPolicy Bypass -Command \"Get-Process; tasklist\"",
     {"powershell.exe", "tasklist.exe"}},
    // -EncodedCommand: base64 of UTF-16LE "whoami; Get-Date"
    {"command_prompt",
     "powershell -enc dwBoAG8AYQBtAGkAOwAgAEcAZQB0AC0ARABhAHQAZQA=",
     {"powershell.exe", "whoami.exe"}},
    {"command_prompt",
     "wh^oami & call :label & call helper.bat & cscript x.vbs",
     {"whoami.exe", "cscript.exe"}},
    // PowerShell: cmdlets, aliases and functions are not programs
    {"powershell",
     "Get-ChildItem C:\\ | Where-Object { $_.Length -gt 1 } | Out-File -FilePath C:\\o.txt",
     {},
     {"C:\\o.txt"}},
    {"powershell",
     "curl http://127.0.0.1/ ; wget http://127.0.0.1/ ; sc C:\\f.txt 'x' ; ls ; cat a.txt",
     {}},
    {"powershell",
     "whoami /groups; & \"C:\\Program Files\\x\\tool.exe\" -a; .\\bin\\run.exe",
     {"whoami.exe", "tool.exe", "run.exe"}},
    {"powershell",
     "Start-Process -FilePath notepad.exe -ArgumentList 'a.txt'; saps calc",
     {"notepad.exe", "calc.exe"}},
    {"powershell",
     "function Invoke-Thing { param($a) net view }\nInvoke-Thing; netstat -ano",
     {"net.exe", "netstat.exe"}},
    {"powershell",
     "$r = whoami\nif ($r -eq 'x') { hostname } else { ipconfig }\nforeach ($i in 1..3) { ping "
     "127.0.0.1 }",
     {"whoami.exe", "hostname.exe", "ipconfig.exe", "ping.exe"}},
    {"powershell",
     "$h = @{ Uri = 'http://127.0.0.1'; Method = 'GET'; Key=$x.Value }\nInvoke-WebRequest @h "
     "-OutFile C:\\t\\f.bin",
     {},
     {"C:\\t\\f.bin"}},
    {"powershell",
     "$s = @\"\nnet user hacker /add\n\"@\nWrite-Host $s; [IO.File]::WriteAllText('C:\\a', 'b'); "
     "$x.Method()",
     {}},
    {"powershell",
     "cmd /c \"echo hi > C:\\h.txt & tree C:\\\"",
     {"cmd.exe", "tree.com"},
     {"C:\\h.txt"}},
    {"powershell",
     "iex 'reg query HKCU'; Invoke-Expression $code; & $exe",
     {"reg.exe"},
     {},
     {"$exe"}},
    {"powershell",
     "<# net user #> # whoami\nGet-Date `\n  -Format o; & 'C:\\x\\helper.bat'",
     {"cmd.exe"}},
};

}  // namespace

TEST(CommandText, EdgeCases) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(std::string(c.executor) + ": " + c.text);
        CommandAnalysis a = analyze_command(c.executor, c.text);
        EXPECT_EQ(names(a), c.programs);
        EXPECT_EQ(a.written_paths, c.written);
        EXPECT_EQ(a.unresolved, c.unresolved);
    }
}

TEST(CommandText, ArgumentsAndLinesAreKept) {
    CommandAnalysis a =
        analyze_command("bash", "echo start\ntar -czf '/tmp/a b.tgz' \\\n  /var/mail\ncurl -s x");
    ASSERT_EQ(a.programs.size(), 2u);
    EXPECT_EQ(a.programs[0].program, "tar");
    EXPECT_EQ(a.programs[0].args, (Names{"-czf", "/tmp/a b.tgz", "/var/mail"}));
    EXPECT_EQ(a.programs[0].line, 2u);
    EXPECT_EQ(a.programs[1].line, 4u);
}

TEST(CommandText, ProgramNames) {
    EXPECT_EQ(program_name("C:\\Windows\\System32\\NET.EXE", true), "net.exe");
    EXPECT_EQ(program_name("whoami", true), "whoami.exe");
    EXPECT_EQ(program_name("/usr/bin/Curl", false), "Curl");
    EXPECT_EQ(program_name("./art.sh", false), "art.sh");
}

// A cmdlet is never mistaken for an external program, even one named like a native tool
// (Windows PowerShell's `curl`, `wget` and `sc` are aliases of cmdlets).
TEST(CommandText, CmdletIsNotAProgram) {
    for (const char* text : {"Get-Process", "Compress-Archive -Path a -DestinationPath b.zip",
                             "New-InboxRule -Name x -ForwardTo y", "curl -Uri http://127.0.0.1",
                             "sc.exe query", "Microsoft.PowerShell.Management\\Get-Item x"}) {
        CommandAnalysis a = analyze_command("powershell", text);
        if (std::string(text) == "sc.exe query")
            EXPECT_EQ(names(a), Names{"sc.exe"})
                << "with its extension, sc.exe is the service tool";
        else
            EXPECT_TRUE(a.programs.empty())
                << text << " gave " << (a.programs.empty() ? "" : a.programs[0].name);
    }
}

// Hostile or broken text: unterminated quotes, nesting bombs, NUL bytes. Never a hang or a
// crash, and nesting deeper than the cap is listed as unresolved.
TEST(CommandText, HostileInput) {
    std::string bomb;
    for (int i = 0; i < 50; ++i) bomb += "sh -c \"";
    bomb += "id";
    for (const auto& [executor, text] :
         std::vector<std::pair<const char*, std::string>>{{"sh", "echo 'unterminated"},
                                                          {"sh", "echo \"$(unterminated"},
                                                          {"sh", "cat <<EOF\nno end"},
                                                          {"sh", std::string("a\0b", 3)},
                                                          {"command_prompt", "\"unterminated & x"},
                                                          {"powershell", "@\"\nno end"},
                                                          {"powershell", "{{{{(((("},
                                                          {"powershell", "}}})))]]]"},
                                                          {"sh", ")))((( ;; esac fi done"},
                                                          {"command_prompt", "(((( ))))"},
                                                          {"sh", bomb}}) {
        CommandAnalysis a = analyze_command(executor, text);
        (void)a;
    }
    CommandAnalysis deep = analyze_command("sh", "sh -c \"sh -c 'sh -c \\\"sh -c id\\\"'\"");
    EXPECT_EQ(names(deep).back(), "id");
}

// Real upstream atomics: the program list derived from each test's substituted command; for
// PowerShell bodies, cmdlets that must be listed as cmdlets (lower-cased, what a script-block
// log sees), never as programs a process sensor would have to see.
TEST(CommandText, UpstreamAtomics) {
    std::string dir = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data absent: upstream atomics not checked";
    struct Expect {
        const char* technique;
        std::size_t number;  // 1-based, as Invoke-AtomicTest counts
        Names programs;
        Names some_cmdlets = {};
    };
    const Expect expected[] = {
        {"T1027", 1, {"uname", "cat", "chmod", "art.sh"}},
        {"T1027", 4, {"t1027.exe"}},
        {"T1027", 10, {"wscript.exe"}},
        {"T1053.002", 1, {"at.exe"}},
        {"T1053.002", 2, {"at"}},
        {"T1055.015", 1, {"listplanting.exe"}},
        {"T1059.007", 1, {"cscript.exe"}},
        {"T1071.004", 2, {}},  // a .ps1 runs inside the executor's PowerShell
        {"T1090.003", 1, {"cmd.exe"}},
        {"T1090.003", 2, {"cmd.exe", "powershell.exe", "cmd.exe", "tor.exe"}},
        {"T1090.003", 3, {"uname", "sysrc", "service", "sudo", "systemctl"}},
        {"T1114.001", 1, {"powershell.exe"}},
        {"T1114.002",
         1,
         {},
         {"convertto-securestring", "connect-azaccount", "connect-mggraph", "get-mguser"}},
        {"T1114.003", 1, {}},
        {"T1201", 4, {"cat", "cat"}},
        {"T1201", 6, {"net.exe"}},
        {"T1222.001", 4, {"attrib.exe", "attrib.exe"}},
        {"T1497.001", 1, {"systemd-detect-virt", "sudo", "dmidecode", "egrep", "grep"}},
        {"T1497.001", 2, {"sysctl"}},
        {"T1546.007", 1, {"netsh.exe", "taskkill.exe"}},
        {"T1547.002", 1, {"reg.exe"}},
        {"T1560", 1, {}},
        {"T1567.003", 1, {}},
        {"T1574.008", 1, {"csc.exe", "powershell.exe"}},
        {"T1611", 2, {"ifconfig", "grep", "awk", "mkdir", "mount", "netcat"}},
        {"T1611", 3, {"sudo", "sh", "sudo", "docker"}},
        {"T1688", 1, {"bcdedit.exe"}},
        // bash / sh: a single program, a comment after the arguments, a program whose own
        // argument (`-- cat`) runs elsewhere (inside a pod: not a host process).
        {"T1201", 1, {"cat"}},
        {"T1201", 5, {"cat"}},
        {"T1531", 4, {"passwd"}},
        {"T1552.007", 3, {"kubectl"}},
        // PowerShell with only cmdlets, .NET calls, COM objects, hash tables and a here-string
        // holding VBA that names cmd.exe and schtasks (text, not a command).
        {"T1006", 1, {}, {"new-object", "format-hex"}},
        {"T1021.003", 1, {}},
        {"T1137.001", 1, {}, {"get-itemproperty", "new-itemproperty", "copy-item", "add-type"}},
        {"T1651", 1, {}},
        // cmd: a program named with its extension, one built from #{arguments}, internal
        // commands (`copy`, `cd`) that start no process.
        {"T1218.003", 1, {"cmstp.exe"}},
        {"T1547", 1, {"pnputil.exe"}},
        {"T1127", 1, {"jsc.exe"}},
        {"T1110.002", 1, {"hashcat.exe"}},
    };
    Problems problems;
    std::vector<AtomicFile> files = load_atomics_folder(dir, problems);
    for (const Expect& e : expected) {
        SCOPED_TRACE(std::string(e.technique) + " #" + std::to_string(e.number));
        const AtomicTest* test = nullptr;
        for (const AtomicFile& f : files)
            if (f.technique == e.technique && e.number <= f.tests.size())
                test = &f.tests[e.number - 1];
        ASSERT_NE(test, nullptr);
        auto resolved = resolve_test(*test, {}, atomics_folder_of(dir));
        ASSERT_TRUE(resolved.ok());
        CommandAnalysis a = analyze_command(test->executor.name, resolved->command);
        EXPECT_EQ(names(a), e.programs);
        Names cmdlets;
        for (const ProgramUse& c : a.cmdlets) cmdlets.push_back(c.name);
        for (const std::string& want : e.some_cmdlets)
            EXPECT_NE(std::find(cmdlets.begin(), cmdlets.end(), want), cmdlets.end()) << want;
    }
}
