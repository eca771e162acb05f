// Input generator for bench/collectors_bench.sh: writes a large file of realistic records for
// one collector (values vary per record so nothing is trivially repeated).
//
// usage: collectors_bench
// o365-json|o365-csv|o365-convertto|o365-sentinel|mde|auditd|sysmon-linux|evtxecmd|evtx-dump|getwinevent|otrf|sentinel|
// sentinel-csv|winlogbeat|sysmon-xml|ndjson OUT SIZE_MB
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string o365_record(unsigned long i) {
    char buf[1024];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"({"CreationTime":"2024-10-%02luT%02u:%02u:%02u","Id":"80ab29e3-9b72-425c-deba-%012lx","Operation":"%s","OrganizationId":"8d4121ed-0008-406d-bff9-0d5bb312183c","RecordType":1,"ResultStatus":"True","UserKey":"user%lu@contoso.onmicrosoft.com","UserType":2,"Version":1,"Workload":"Exchange","ClientIP":"104.28.%lu.%lu:%lu","ObjectId":"contoso.onmicrosoft.com\\Rule%lu","UserId":"user%lu@contoso.onmicrosoft.com","Parameters":[{"Name":"ForwardTo","Value":"fwd%lu@example.net"},{"Name":"Name","Value":"Rule%lu"},{"Name":"StopProcessingRules","Value":"True"}],"SessionId":"87bfd35a-%08lx"})",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i,
        i % 3 == 0 ? "New-InboxRule" : (i % 3 == 1 ? "Set-InboxRule" : "MailItemsAccessed"),
        i % 5000, i % 256, (i / 256) % 256, 1024 + i % 60000, i, i % 5000, i, i, i);
    return buf;
}

std::string csv_quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string mde_record(unsigned long i) {
    static const char* kTables[] = {"DeviceProcessEvents", "DeviceFileEvents", "DeviceNetworkEvents",
                                    "DeviceImageLoadEvents"};
    static const char* kActions[] = {"ProcessCreated", "FileCreated", "ConnectionSuccess", "ImageLoaded"};
    unsigned k = static_cast<unsigned>(i % 4);
    unsigned s = static_cast<unsigned>(i % 86400);
    char buf[2048];
    std::snprintf(
        buf, sizeof buf,
        R"({"time":"2024-10-08T%02u:%02u:%02uZ","tenantId":"00000000-1111-2222-3333-444444444444","operationName":"Publish","category":"AdvancedHunting-%s","properties":{"Timestamp":"2024-10-08T%02u:%02u:%02u.1234567Z","DeviceId":"a1b2c3d4e5f60718293a4b5c6d7e8f90%08lx","DeviceName":"ws%lu.contoso.local","ActionType":"%s","FileName":"file%lu.pst","FolderPath":"C:\\Users\\u%lu\\AppData\\Local\\Microsoft\\Outlook\\file%lu.pst","SHA256":"de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b%08lx","ProcessId":%lu,"ProcessCommandLine":"powershell.exe -nop -c Get-Mailbox %lu","ProcessCreationTime":"2024-10-08T05:10:00.9Z","RemoteIP":"203.0.%lu.%lu","RemotePort":443,"RemoteUrl":"https://h%lu.example.net/upload","LocalIP":"10.0.0.5","LocalPort":%lu,"Protocol":"Tcp","InitiatingProcessFileName":"powershell.exe","InitiatingProcessFolderPath":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","InitiatingProcessCommandLine":"powershell.exe -nop -c run %lu","InitiatingProcessId":%lu,"InitiatingProcessCreationTime":"2024-10-08T05:09:58.1Z","InitiatingProcessParentId":3000,"InitiatingProcessParentFileName":"explorer.exe","InitiatingProcessAccountName":"adam","InitiatingProcessAccountDomain":"contoso","ReportId":%lu}})",
        s / 3600, (s / 60) % 60, s % 60, kTables[k], s / 3600, (s / 60) % 60, s % 60, i % 100,
        i % 100, kActions[k], i, i % 50, i, i, 1000 + i % 30000, i, i % 256, (i / 256) % 256, i % 900,
        1024 + i % 60000, i, 500 + i % 30000, i);
    return buf;
}

// One exec event (6 records) and one file open (4 records), the two interleaved.
std::string auditd_events(unsigned long i) {
    unsigned long serial = 2 * i + 1;
    unsigned long t = 1700000000 + i / 100;
    unsigned ms = static_cast<unsigned>(i % 1000);
    unsigned long pid = 1000 + i % 30000;
    char buf[4096];
    std::snprintf(
        buf, sizeof buf,
        "node=lab%lu type=SYSCALL msg=audit(%lu.%03u:%lu): arch=c000003e syscall=59 success=yes exit=0 a0=556efe6d3c50 a1=556efe6d4ba0 a2=556efe6e1260 a3=8 items=2 ppid=%lu pid=%lu auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"tar\" exe=\"/usr/bin/tar\" key=\"exec\"\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"u\" UID=\"u\" GID=\"u\"\n"
        "node=lab%lu type=EXECVE msg=audit(%lu.%03u:%lu): argc=5 a0=\"tar\" a1=\"czf\" a2=\"/tmp/out%lu.tgz\" a3=\"-C\" a4=2F766172206D61696C\n"
        "node=lab%lu type=SYSCALL msg=audit(%lu.%03u:%lu): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7fff9633b9b3 a2=0 a3=0 items=1 ppid=1 pid=%lu auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"mail\"\n"
        "node=lab%lu type=CWD msg=audit(%lu.%03u:%lu): cwd=\"/home/u%lu\"\n"
        "node=lab%lu type=CWD msg=audit(%lu.%03u:%lu): cwd=\"/var/mail\"\n"
        "node=lab%lu type=PATH msg=audit(%lu.%03u:%lu): item=0 name=\"/usr/bin/tar\" inode=248117 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
        "node=lab%lu type=PATH msg=audit(%lu.%03u:%lu): item=0 name=\"u%lu\" inode=10952879 dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
        "node=lab%lu type=PATH msg=audit(%lu.%03u:%lu): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=332383 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
        "node=lab%lu type=PROCTITLE msg=audit(%lu.%03u:%lu): proctitle=636174002F7661722F6D61696C2F75\n"
        "node=lab%lu type=PROCTITLE msg=audit(%lu.%03u:%lu): proctitle=74617200637A66002F746D702F6F75742E74677A\n",
        i % 8, t, ms, serial, pid - 1, pid,                      // exec SYSCALL
        i % 8, t, ms, serial, i,                                 // EXECVE
        i % 8, t, ms, serial + 1, pid + 1,                       // open SYSCALL
        i % 8, t, ms, serial, i % 100,                           // exec CWD
        i % 8, t, ms, serial + 1,                                // open CWD
        i % 8, t, ms, serial,                                    // exec PATH 0
        i % 8, t, ms, serial + 1, i % 100,                       // open PATH 0
        i % 8, t, ms, serial,                                    // exec PATH 1
        i % 8, t, ms, serial + 1,                                // open PROCTITLE
        i % 8, t, ms, serial);                                   // exec PROCTITLE
    return buf;
}

// `Search-UnifiedAuditLog | ConvertTo-Json`: pretty-printed wrapper objects whose AuditData is
// the record as a JSON string, dates as "\/Date(ms)\/".
std::string o365_convertto_record(unsigned long i) {
    std::string audit = o365_record(i), escaped;
    escaped.reserve(audit.size() + 64);
    for (char c : audit) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    char head[512];
    std::snprintf(head, sizeof head,
                  "    {\n        \"RecordType\":  1,\n        \"CreationDate\":  \"\\/Date(%lu)\\/\",\n"
                  "        \"UserIds\":  \"user%lu@contoso.onmicrosoft.com\",\n        \"Operations\":  \"%s\",\n"
                  "        \"AuditData\":  \"",
                  1728364117000UL + i * 37, i % 5000, i % 3 == 0 ? "New-InboxRule" : "Set-InboxRule");
    char tail[256];
    std::snprintf(tail, sizeof tail,
                  "\",\n        \"ResultIndex\":  %lu,\n        \"ResultCount\":  1000000,\n"
                  "        \"Identity\":  \"80ab29e3-9b72-425c-deba-%012lx\",\n        \"IsValid\":  true,\n"
                  "        \"ObjectState\":  \"Unchanged\"\n    }",
                  i + 1, i);
    return head + escaped + tail;
}

// Sentinel `OfficeActivity` rows (NDJSON): nested fields flattened into JSON strings,
// TimeGenerated / OfficeWorkload instead of CreationTime / Workload.
std::string o365_sentinel_record(unsigned long i) {
    char buf[1536];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"({"TenantId":"8d4121ed-0008-406d-bff9-0d5bb312183c","TimeGenerated":"2024-10-%02luT%02u:%02u:%02u.%03luZ","OfficeWorkload":"Exchange","RecordType":"ExchangeAdmin","Operation":"%s","ResultStatus":"True","UserId":"user%lu@contoso.onmicrosoft.com","UserType":"Regular","ClientIP":"104.28.%lu.%lu:%lu","OfficeObjectId":"contoso.onmicrosoft.com\\Rule%lu","OfficeId":"80ab29e3-9b72-425c-deba-%012lx","OrganizationId":"8d4121ed-0008-406d-bff9-0d5bb312183c","Parameters":"[{\"Name\":\"ForwardAsAttachmentTo\",\"Value\":\"fwd%lu@example.net\"},{\"Name\":\"Name\",\"Value\":\"Rule%lu\"},{\"Name\":\"StopProcessingRules\",\"Value\":\"True\"}]","ExternalAccess":false,"SourceSystem":"OfficeActivityManager","Type":"OfficeActivity"})",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 1000,
        i % 3 == 0 ? "New-InboxRule" : (i % 3 == 1 ? "Set-InboxRule" : "Set-Mailbox"), i % 5000, i % 256,
        (i / 256) % 256, 1024 + i % 60000, i, i, i, i);
    return buf;
}

// Sysmon for Linux in syslog: process create (1), network connect (3), file create (11) and
// process terminate (5) as Sysmon 1.x writes them (one XML event per line after `sysmon:`),
// with one other program's line among every four events.
std::string sysmon_linux_events(unsigned long i) {
    unsigned s = static_cast<unsigned>(i % 86400);
    unsigned hh = s / 3600, mm = (s / 60) % 60, ss = s % 60;
    unsigned long pid = 2000 + i % 30000, rec = 4 * i + 1;
    char buf[8192];
    std::string out;
    // The syslog prefix, <System> and the EventData fields every event starts with.
    auto head = [&](int eid, unsigned long record) {
        std::snprintf(buf, sizeof buf,
                      "Mar %2lu %02u:%02u:%02u lab%lu sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" "
                      "Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/><EventID>%d</EventID><Version>5</Version>"
                      "<Level>4</Level><Task>%d</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"
                      "<TimeCreated SystemTime=\"2024-03-%02luT%02u:%02u:%02u.%06lu000Z\"/><EventRecordID>%lu</EventRecordID>"
                      "<Correlation/><Execution ProcessID=\"812\" ThreadID=\"812\"/><Channel>Linux-Sysmon/Operational</Channel>"
                      "<Computer>lab%lu</Computer><Security UserId=\"0\"/></System><EventData>"
                      "<Data Name=\"RuleName\">-</Data><Data Name=\"UtcTime\">2024-03-%02lu %02u:%02u:%02u.%03lu</Data>"
                      "<Data Name=\"ProcessGuid\">{4c4d7c3e-9a1b-65e5-d1c6-%012lx}</Data><Data Name=\"ProcessId\">%lu</Data>"
                      "<Data Name=\"Image\">/usr/bin/curl</Data>",
                      1 + i % 28, hh, mm, ss, i % 8, eid, eid, 1 + i % 28, hh, mm, ss, i % 1000000, record, i % 8,
                      1 + i % 28, hh, mm, ss, i % 1000, i, pid);
        out += buf;
    };
    head(1, rec);
    std::snprintf(buf, sizeof buf,
                  "<Data Name=\"FileVersion\">-</Data><Data Name=\"Description\">-</Data>"
                  "<Data Name=\"Product\">-</Data><Data Name=\"Company\">-</Data><Data Name=\"OriginalFileName\">-</Data>"
                  "<Data Name=\"CommandLine\">curl -s -o /tmp/x%lu.sh http://example.test/x.sh</Data>"
                  "<Data Name=\"CurrentDirectory\">/home/u%lu</Data><Data Name=\"User\">u%lu</Data>"
                  "<Data Name=\"LogonGuid\">{4c4d7c3e-0000-0000-e803-000000000000}</Data><Data Name=\"LogonId\">1000</Data>"
                  "<Data Name=\"TerminalSessionId\">3</Data><Data Name=\"IntegrityLevel\">no level</Data><Data Name=\"Hashes\">-</Data>"
                  "<Data Name=\"ParentProcessGuid\">{4c4d7c3e-9a1a-65e5-a5b2-%012lx}</Data><Data Name=\"ParentProcessId\">%lu</Data>"
                  "<Data Name=\"ParentImage\">/usr/bin/bash</Data><Data Name=\"ParentCommandLine\">bash</Data>"
                  "<Data Name=\"ParentUser\">u%lu</Data></EventData></Event>\n",
                  i, i % 100, i % 100, i, pid - 1, i % 100);
    out += buf;
    head(3, rec + 1);
    std::snprintf(buf, sizeof buf,
                  "<Data Name=\"User\">u%lu</Data><Data Name=\"Protocol\">tcp</Data>"
                  "<Data Name=\"Initiated\">true</Data><Data Name=\"SourceIsIpv6\">false</Data><Data Name=\"SourceIp\">10.0.0.5</Data>"
                  "<Data Name=\"SourceHostname\">-</Data><Data Name=\"SourcePort\">%lu</Data><Data Name=\"SourcePortName\">-</Data>"
                  "<Data Name=\"DestinationIsIpv6\">false</Data><Data Name=\"DestinationIp\">203.0.%lu.%lu</Data>"
                  "<Data Name=\"DestinationHostname\">-</Data><Data Name=\"DestinationPort\">80</Data>"
                  "<Data Name=\"DestinationPortName\">-</Data></EventData></Event>\n",
                  i % 100, 32768 + i % 28000, i % 256, (i / 256) % 256);
    out += buf;
    head(11, rec + 2);
    std::snprintf(buf, sizeof buf,
                  "<Data Name=\"TargetFilename\">/tmp/x%lu.sh</Data>"
                  "<Data Name=\"CreationUtcTime\">2024-03-%02lu %02u:%02u:%02u.%03lu</Data><Data Name=\"User\">u%lu</Data>"
                  "</EventData></Event>\n",
                  i, 1 + i % 28, hh, mm, ss, i % 1000, i % 100);
    out += buf;
    std::snprintf(buf, sizeof buf, "Mar %2lu %02u:%02u:%02u lab%lu CRON[%lu]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)\n",
                  1 + i % 28, hh, mm, ss, i % 8, pid + 7);
    out += buf;
    head(5, rec + 3);
    std::snprintf(buf, sizeof buf, "<Data Name=\"User\">u%lu</Data></EventData></Event>\n", i % 100);
    out += buf;
    return out;
}

// Windows event JSON renderings and exports (the formats of shared/spec/telemetry.md, "Formats
// seen in the wild"): one Sysmon process creation per record, values varying per record.
std::string evtxecmd_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"({"Event":{"System":{"Provider":{"@Name":"Microsoft-Windows-Sysmon","@Guid":"5770385f-c22a-43e0-bf4c-06f5698ffbd9"},"EventID":"1","Version":"5","Level":"4","Task":"1","Opcode":"0","Keywords":"0x8000000000000000","TimeCreated":{"@SystemTime":"2024-03-%02lu %02u:%02u:%02u.2862546"},"EventRecordID":"%lu","Correlation":null,"Execution":{"@ProcessID":"3416","@ThreadID":"3496"},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS%lu","Security":{"@UserID":"S-1-5-18"}},"EventData":{"Data":[{"@Name":"RuleName"},{"@Name":"UtcTime","#text":"2024-03-%02lu %02u:%02u:%02u.276"},{"@Name":"ProcessGuid","#text":"365abb72-1a29-5ce4-0000-%012lx"},{"@Name":"ProcessId","#text":"%lu"},{"@Name":"Image","#text":"C:\\Windows\\System32\\cmd.exe"},{"@Name":"CommandLine","#text":"cmd.exe /c echo %lu &amp;&amp; whoami"},{"@Name":"CurrentDirectory","#text":"C:\\Users\\u%lu\\"},{"@Name":"User","#text":"LAB\\u%lu"},{"@Name":"LogonId","#text":"0xC796"},{"@Name":"IntegrityLevel","#text":"High"},{"@Name":"Hashes","#text":"SHA256=17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE"},{"@Name":"ParentProcessGuid","#text":"365abb72-4f8a-5ce3-0000-%012lx"},{"@Name":"ParentProcessId","#text":"%lu"},{"@Name":"ParentImage","#text":"C:\\Windows\\explorer.exe"},{"@Name":"ParentCommandLine","#text":"C:\\Windows\\explorer.exe"}]}}})",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i, i % 50, 1 + i % 28, s / 3600, (s / 60) % 60,
        s % 60, i, 1000 + i % 60000, i, i % 100, i % 100, i / 3, 900 + i % 5000);
    return buf;
}

std::string evtx_dump_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"({"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"5770385F-C22A-43E0-BF4C-06F5698FFBD9"}},"EventID":1,"Version":5,"Level":4,"Task":1,"Opcode":0,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":"2024-03-%02luT%02u:%02u:%02u.286254600Z"}},"EventRecordID":%lu,"Correlation":null,"Execution":{"#attributes":{"ProcessID":3416,"ThreadID":3496}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS%lu","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"RuleName":"","UtcTime":"2024-03-%02lu %02u:%02u:%02u.276","ProcessGuid":"365ABB72-1A29-5CE4-0000-%012lX","ProcessId":%lu,"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c echo %lu","CurrentDirectory":"C:\\Users\\u%lu\\","User":"LAB\\u%lu","LogonId":"0xc796","TerminalSessionId":1,"IntegrityLevel":"High","Hashes":"SHA256=17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE","ParentProcessGuid":"365ABB72-4F8A-5CE3-0000-%012lX","ParentProcessId":%lu,"ParentImage":"C:\\Windows\\explorer.exe","ParentCommandLine":"C:\\Windows\\explorer.exe"}}})",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i, i % 50, 1 + i % 28, s / 3600, (s / 60) % 60,
        s % 60, i, 1000 + i % 60000, i, i % 100, i % 100, i / 3, 900 + i % 5000);
    return buf;
}

std::string getwinevent_record(unsigned long i) {
    char buf[2048];
    std::snprintf(
        buf, sizeof buf,
        R"({"Id":3,"Version":5,"Qualifiers":null,"Level":4,"Task":3,"Opcode":0,"Keywords":-9223372036854775808,"RecordId":%lu,"ProviderName":"Microsoft-Windows-Sysmon","ProviderId":"5770385f-c22a-43e0-bf4c-06f5698ffbd9","LogName":"Microsoft-Windows-Sysmon/Operational","ProcessId":3416,"ThreadId":3628,"MachineName":"WS%lu","UserId":{"BinaryLength":12,"AccountDomainSid":null,"Value":"S-1-5-18"},"TimeCreated":"\/Date(%lu)\/","Properties":[{"Value":""},{"Value":"2024-03-01 06:58:40.721"},{"Value":"365abb72-1a29-5ce4-0000-%012lx"},{"Value":%lu},{"Value":"C:\\Windows\\System32\\mshta.exe"},{"Value":"LAB\\u%lu"},{"Value":"tcp"},{"Value":true},{"Value":false},{"Value":"10.0.2.15"},{"Value":"ws.home"},{"Value":%lu},{"Value":""},{"Value":false},{"Value":"105.73.%lu.%lu"},{"Value":"host%lu.example.net"},{"Value":443},{"Value":"https"}],"Message":"Network connection detected:"})",
        i, i % 50, 1709276320000UL + i * 7, i, 1000 + i % 60000, i % 100, 49152 + i % 16000,
        i % 256, (i / 256) % 256, i);
    return buf;
}

std::string otrf_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    if (i % 4 == 3)
        std::snprintf(
            buf, sizeof buf,
            R"({"TimeCreated":"2024-03-%02lu %02u:%02u:%02u.799","SourceName":"Microsoft-Windows-Security-Auditing","EventID":4688,"Channel":"Security","Task":"13312","Message":"A new process has been created.","Hostname":"WS%lu","SubjectUserName":"u%lu","NewProcessId":"0x%lx","NewProcessName":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /all %lu","ParentProcessName":"C:\\Windows\\System32\\cmd.exe"})",
            1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i % 100, 0x1000 + i % 60000, i);
    else
        std::snprintf(
            buf, sizeof buf,
            R"({"TimeCreated":"2024-03-%02lu %02u:%02u:%02u.799","SourceName":"Microsoft-Windows-Sysmon","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Task":"1","Message":"Process Create:","Hostname":"WS%lu","RuleName":"-","UtcTime":"2024-03-%02lu %02u:%02u:%02u.799","ProcessGuid":"{365abb72-1a29-5ce4-0000-%012lx}","ProcessId":"%lu","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c echo %lu","User":"LAB\\u%lu","ParentProcessGuid":"{365abb72-4f8a-5ce3-0000-%012lx}","ParentProcessId":"%lu","ParentImage":"C:\\Windows\\explorer.exe"})",
            1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, 1 + i % 28, (s / 3600 + 4) % 24,
            (s / 60) % 60, s % 60, i, 1000 + i % 60000, i, i % 100, i / 3, 900 + i % 5000);
    return buf;
}

std::string sentinel_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    if (i % 2 == 0)
        std::snprintf(
            buf, sizeof buf,
            R"({"TenantId":"8d4121ed-0008-406d-bff9-0d5bb312183c","TimeGenerated":"2024-03-%02luT%02u:%02u:%02u.5Z","SourceSystem":"OpsManager","Type":"SecurityEvent","Computer":"WS%lu.lab.local","EventID":4688,"Channel":"Security","Activity":"4688 - A new process has been created.","CommandLine":"whoami /all %lu","EventData":"<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"SubjectUserName\">u%lu</Data><Data Name=\"NewProcessId\">0x%lx</Data><Data Name=\"NewProcessName\">C:\\Windows\\System32\\whoami.exe</Data><Data Name=\"CommandLine\">whoami /all %lu</Data><Data Name=\"ParentProcessName\">C:\\Windows\\System32\\cmd.exe</Data></EventData>"})",
            1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i, i % 100, 0x1000 + i % 60000, i);
    else
        std::snprintf(
            buf, sizeof buf,
            R"({"TenantId":"8d4121ed-0008-406d-bff9-0d5bb312183c","TimeGenerated":"2024-03-%02luT%02u:%02u:%02u.9Z","SourceSystem":"OpsManager","Type":"WindowsEvent","Computer":"WS%lu","EventID":1,"Provider":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventRecordId":"%lu","EventData":{"RuleName":"-","UtcTime":"2024-03-%02luT%02u:%02u:%02u.2760000Z","ProcessGuid":"365abb72-1a29-5ce4-0000-%012lx","ProcessId":"%lu","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c echo %lu","ParentProcessId":"%lu"}})",
            1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i, 1 + i % 28, s / 3600,
            (s / 60) % 60, s % 60, i, 1000 + i % 60000, i, 900 + i % 5000);
    return buf;
}

std::string winlogbeat_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"J({"_index":".ds-logs-windows.sysmon_operational-default-2024.03.01-000001","_id":"%lx","_source":{"@timestamp":"2024-03-%02luT%02u:%02u:%02u.276Z","agent":{"type":"filebeat","version":"8.12.0"},"event":{"code":"1","kind":"event","category":["process"],"type":["start"],"action":"Process Create (rule: ProcessCreate)"},"host":{"name":"ws%lu"},"process":{"entity_id":"{365abb72-1a29-5ce4-0000-%012lx}","pid":%lu,"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd.exe /c echo %lu","parent":{"pid":%lu,"executable":"C:\\Windows\\explorer.exe"}},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"1","record_id":%lu,"computer_name":"ws%lu","provider_name":"Microsoft-Windows-Sysmon","event_data":{"User":"LAB\\u%lu","LogonId":"0xc796","IntegrityLevel":"High"}}}})J",
        i, 1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i, 1000 + i % 60000, i,
        900 + i % 5000, i, i % 50, i % 100);
    return buf;
}


// wevtutil-style Sysmon XML (winevent_xml): one event per line, a process creation and a
// network connection per record.
std::string sysmon_xml_events(unsigned long i) {
    unsigned s = static_cast<unsigned>(i % 86400);
    unsigned hh = s / 3600, mm = (s / 60) % 60, ss = s % 60;
    char buf[4096];
    std::string out;
    auto head = [&](int eid, unsigned long record) {
        std::snprintf(buf, sizeof buf,
                      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider "
                      "Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>%d</EventID>"
                      "<Version>5</Version><Level>4</Level><Task>%d</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"
                      "<TimeCreated SystemTime='2024-03-%02luT%02u:%02u:%02u.%07luZ'/><EventRecordID>%lu</EventRecordID>"
                      "<Correlation/><Execution ProcessID='3416' ThreadID='3496'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
                      "<Computer>WS%lu.lab.local</Computer><Security UserID='S-1-5-18'/></System><EventData>"
                      "<Data Name='RuleName'>-</Data><Data Name='UtcTime'>2024-03-%02lu %02u:%02u:%02u.%03lu</Data>"
                      "<Data Name='ProcessGuid'>{365abb72-1a29-5ce4-0000-%012lx}</Data><Data Name='ProcessId'>%lu</Data>",
                      eid, eid, 1 + i % 28, hh, mm, ss, i % 10000000, record, i % 50, 1 + i % 28, hh, mm, ss,
                      i % 1000, i, 1000 + i % 60000);
        out += buf;
    };
    head(1, 2 * i + 1);
    std::snprintf(buf, sizeof buf,
                  "<Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='FileVersion'>10.0.19041.746</Data>"
                  "<Data Name='Description'>Windows Command Processor</Data><Data Name='Product'>Microsoft&#174; Windows&#174; Operating System</Data>"
                  "<Data Name='Company'>Microsoft Corporation</Data><Data Name='OriginalFileName'>Cmd.Exe</Data>"
                  "<Data Name='CommandLine'>cmd.exe /c echo %lu &amp;&amp; whoami</Data><Data Name='CurrentDirectory'>C:\\Users\\u%lu\\</Data>"
                  "<Data Name='User'>LAB\\u%lu</Data><Data Name='LogonGuid'>{365abb72-0000-0000-c796-000000000000}</Data>"
                  "<Data Name='LogonId'>0xc796</Data><Data Name='TerminalSessionId'>1</Data><Data Name='IntegrityLevel'>High</Data>"
                  "<Data Name='Hashes'>SHA256=17F746D82695FA9B35493B41859D39D786D32B23A9D2E00F4011DEC7A02402AE</Data>"
                  "<Data Name='ParentProcessGuid'>{365abb72-4f8a-5ce3-0000-%012lx}</Data><Data Name='ParentProcessId'>%lu</Data>"
                  "<Data Name='ParentImage'>C:\\Windows\\explorer.exe</Data><Data Name='ParentCommandLine'>C:\\Windows\\Explorer.EXE</Data>"
                  "<Data Name='ParentUser'>LAB\\u%lu</Data></EventData></Event>\r\n",
                  i, i % 100, i % 100, i / 3, 900 + i % 5000, i % 100);
    out += buf;
    head(3, 2 * i + 2);
    std::snprintf(buf, sizeof buf,
                  "<Data Name='Image'>C:\\Windows\\System32\\mshta.exe</Data><Data Name='User'>LAB\\u%lu</Data>"
                  "<Data Name='Protocol'>tcp</Data><Data Name='Initiated'>true</Data><Data Name='SourceIsIpv6'>false</Data>"
                  "<Data Name='SourceIp'>10.0.2.15</Data><Data Name='SourceHostname'>ws.lab.local</Data><Data Name='SourcePort'>%lu</Data>"
                  "<Data Name='SourcePortName'>-</Data><Data Name='DestinationIsIpv6'>false</Data><Data Name='DestinationIp'>105.73.%lu.%lu</Data>"
                  "<Data Name='DestinationHostname'>host%lu.example.net</Data><Data Name='DestinationPort'>443</Data>"
                  "<Data Name='DestinationPortName'>https</Data></EventData></Event>\r\n",
                  i % 100, 49152 + i % 16000, i % 256, (i / 256) % 256, i);
    out += buf;
    return out;
}

// The Log Analytics portal's "Export to CSV" of SecurityEvent rows (sentinel): zone-suffixed
// datetime header, EventData as XML text in a quoted field, empty columns of other tables.
const char* kSentinelCsvHeader =
    "\xEF\xBB\xBFTenantId,SourceSystem,TimeGenerated [UTC],Type,Computer,EventID,Channel,Activity,"
    "EventSourceName,CommandLine,EventData,Provider,EventRecordId,HostName,SyslogMessage\r\n";

std::string sentinel_csv_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        "8d4121ed-0008-406d-bff9-0d5bb312183c,OpsManager,2024-03-%02luT%02u:%02u:%02u.5Z,SecurityEvent,"
        "WS%lu.lab.local,4688,Security,4688 - A new process has been created.,Microsoft-Windows-Security-Auditing,"
        "whoami /all %lu,\"<EventData xmlns=\"\"http://schemas.microsoft.com/win/2004/08/events/event\"\"><Data "
        "Name=\"\"SubjectUserName\"\">u%lu</Data><Data Name=\"\"NewProcessId\"\">0x%lx</Data><Data "
        "Name=\"\"NewProcessName\"\">C:\\Windows\\System32\\whoami.exe</Data><Data Name=\"\"CommandLine\"\">whoami "
        "/all %lu</Data><Data Name=\"\"ParentProcessName\"\">C:\\Windows\\System32\\cmd.exe</Data></EventData>\",,,,\r\n",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i, i % 100, 0x1000 + i % 60000, i);
    return buf;
}

// Already-normalized events (ndjson): what `attest events` writes.
std::string ndjson_record(unsigned long i) {
    char buf[2048];
    unsigned s = static_cast<unsigned>(i % 86400);
    std::snprintf(
        buf, sizeof buf,
        R"({"@timestamp":"2024-03-%02luT%02u:%02u:%02u.276Z","event":{"code":"1","kind":"event","category":["process"],"type":["start"],"action":"start","dataset":"windows.sysmon_operational","provider":"Microsoft-Windows-Sysmon"},"host":{"name":"ws%lu","os":{"type":"windows"}},"process":{"entity_id":"{365abb72-1a29-5ce4-0000-%012lx}","pid":%lu,"executable":"C:\\Windows\\System32\\cmd.exe","name":"cmd.exe","command_line":"cmd.exe /c echo %lu","args":["cmd.exe","/c","echo","%lu"],"args_count":4,"parent":{"pid":%lu,"executable":"C:\\Windows\\explorer.exe","name":"explorer.exe"}},"user":{"domain":"LAB","name":"u%lu"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"record_id":%lu,"computer_name":"ws%lu"},"attest":{"source":"sysmon","position":%lu}})",
        1 + i % 28, s / 3600, (s / 60) % 60, s % 60, i % 50, i, 1000 + i % 60000, i, i,
        900 + i % 5000, i % 100, i, i % 50, i + 1);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr,
                     "usage: %s "
                     "o365-json|o365-csv|o365-convertto|o365-sentinel|mde|auditd|sysmon-linux|"
                     "evtxecmd|evtx-dump|getwinevent|otrf|sentinel|sentinel-csv|winlogbeat|sysmon-xml|ndjson "
                     "OUT SIZE_MB\n",
                     argv[0]);
        return 2;
    }
    std::string kind = argv[1];
    std::FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr) {
        std::perror(argv[2]);
        return 1;
    }
    const unsigned long target = std::strtoul(argv[3], nullptr, 10) << 20;
    unsigned long written = 0, i = 0;
    std::string chunk;
    auto put = [&](const std::string& s) {
        chunk += s;
        if (chunk.size() > (1 << 20)) {
            std::fwrite(chunk.data(), 1, chunk.size(), out);
            written += chunk.size();
            chunk.clear();
        }
    };
    if (kind == "o365-json" || kind == "o365-convertto" || kind == "getwinevent") put("[\n");
    if (kind == "o365-csv")
        put("\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\",\"ResultIndex\","
            "\"ResultCount\",\"Identity\",\"IsValid\",\"ObjectState\"\r\n");
    if (kind == "sentinel-csv") put(kSentinelCsvHeader);
    while (written + chunk.size() < target) {
        if (kind == "o365-json") {
            put((i > 0 ? ",\n  " : "  ") + o365_record(i));
        } else if (kind == "o365-csv") {
            put("\"ExchangeAdmin\",\"10/8/2024 5:08:37 AM\",\"user@contoso.onmicrosoft.com\",\"New-InboxRule\"," +
                csv_quote(o365_record(i)) + ",\"" + std::to_string(i + 1) +
                "\",\"1000000\",\"80ab29e3-9b72\",\"True\",\"Unchanged\"\r\n");
        } else if (kind == "o365-convertto") {
            put((i > 0 ? ",\n" : "") + o365_convertto_record(i));
        } else if (kind == "o365-sentinel") {
            put(o365_sentinel_record(i) + "\n");
        } else if (kind == "sysmon-linux") {
            put(sysmon_linux_events(i));
        } else if (kind == "mde") {
            put(mde_record(i) + "\n");
        } else if (kind == "evtxecmd") {
            put(evtxecmd_record(i) + "\r\n");
        } else if (kind == "evtx-dump") {
            put(evtx_dump_record(i) + "\n");
        } else if (kind == "getwinevent") {
            put((i > 0 ? ",\n" : "") + getwinevent_record(i));
        } else if (kind == "otrf") {
            put(otrf_record(i) + "\n");
        } else if (kind == "sentinel") {
            put(sentinel_record(i) + "\n");
        } else if (kind == "sentinel-csv") {
            put(sentinel_csv_record(i));
        } else if (kind == "sysmon-xml") {
            put(sysmon_xml_events(i));
        } else if (kind == "ndjson") {
            put(ndjson_record(i) + "\n");
        } else if (kind == "winlogbeat") {
            put(winlogbeat_record(i) + "\n");
        } else if (kind == "auditd") {
            put(auditd_events(i));
        } else {
            std::fprintf(stderr, "unknown kind %s\n", kind.c_str());
            return 2;
        }
        ++i;
    }
    if (kind == "o365-json" || kind == "o365-convertto" || kind == "getwinevent") put("\n]\n");
    std::fwrite(chunk.data(), 1, chunk.size(), out);
    std::fclose(out);
    std::printf("%s: %lu records\n", argv[2], kind == "auditd" || kind == "sysmon-xml" ? 2 * i : kind == "sysmon-linux" ? 4 * i : i);
    return 0;
}
