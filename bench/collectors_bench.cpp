// Input generator for bench/collectors_bench.sh: writes a large file of realistic records for
// one collector (values vary per record so nothing is trivially repeated).
//
// usage: collectors_bench o365-json|o365-csv|mde|auditd OUT SIZE_MB
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

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s o365-json|o365-csv|mde|auditd OUT SIZE_MB\n", argv[0]);
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
    if (kind == "o365-json") put("[\n");
    if (kind == "o365-csv")
        put("\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\",\"ResultIndex\","
            "\"ResultCount\",\"Identity\",\"IsValid\",\"ObjectState\"\r\n");
    while (written + chunk.size() < target) {
        if (kind == "o365-json") {
            put((i > 0 ? ",\n  " : "  ") + o365_record(i));
        } else if (kind == "o365-csv") {
            put("\"ExchangeAdmin\",\"10/8/2024 5:08:37 AM\",\"user@contoso.onmicrosoft.com\",\"New-InboxRule\"," +
                csv_quote(o365_record(i)) + ",\"" + std::to_string(i + 1) +
                "\",\"1000000\",\"80ab29e3-9b72\",\"True\",\"Unchanged\"\r\n");
        } else if (kind == "mde") {
            put(mde_record(i) + "\n");
        } else if (kind == "auditd") {
            put(auditd_events(i));
        } else {
            std::fprintf(stderr, "unknown kind %s\n", kind.c_str());
            return 2;
        }
        ++i;
    }
    if (kind == "o365-json") put("\n]\n");
    std::fwrite(chunk.data(), 1, chunk.size(), out);
    std::fclose(out);
    std::printf("%s: %lu records\n", argv[2], kind == "auditd" ? 2 * i : i);
    return 0;
}
