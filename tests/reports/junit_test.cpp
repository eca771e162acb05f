#include <gtest/gtest.h>
#include <pugixml.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "reports/reports.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;

TEST(Junit, FixtureParsesBackWithCountsAndReasons) {
    std::string xml = render_junit(load_fixture("results-basic.json"), {});
    pugi::xml_document doc;
    auto parsed = doc.load_string(xml.c_str());
    ASSERT_TRUE(parsed) << parsed.description() << " at " << parsed.offset;
    auto suites = doc.child("testsuites");
    EXPECT_EQ(suites.attribute("tests").as_int(), 5);
    EXPECT_EQ(suites.attribute("failures").as_int(), 1);
    EXPECT_EQ(suites.attribute("errors").as_int(), 1);
    EXPECT_EQ(suites.attribute("skipped").as_int(), 2);  // skipped + inconclusive
    EXPECT_DOUBLE_EQ(suites.attribute("time").as_double(), 70.0);
    auto suite = suites.child("testsuite");
    EXPECT_STREQ(suite.attribute("name").value(), "scenarios/t1114");
    EXPECT_STREQ(suite.attribute("timestamp").value(), "2026-11-22T08:30:00.000Z");

    std::vector<pugi::xml_node> cases;
    for (auto tc : suite.children("testcase")) cases.push_back(tc);
    ASSERT_EQ(cases.size(), 5u);
    EXPECT_STREQ(cases[0].attribute("name").value(), "Copy Outlook OST to staging [win10-lab]");
    EXPECT_STREQ(cases[0].attribute("classname").value(), "T1114.001");
    EXPECT_DOUBLE_EQ(cases[0].attribute("time").as_double(), 3.5);
    EXPECT_FALSE(cases[0].child("failure"));
    EXPECT_STREQ(cases[0].child("system-out").text().get(), "copied 1 file");

    auto failure = cases[1].child("failure");
    ASSERT_TRUE(failure);
    EXPECT_STREQ(failure.attribute("message").value(), "required expectation t2-audit-tar missing");
    std::string body = failure.text().get();
    EXPECT_NE(body.find("expectation t2-audit-tar missing: no event matched; 1 near miss"), std::string::npos) << body;
    EXPECT_NE(body.find("near miss, failed clause: process.args : \"*Maildir*\""), std::string::npos) << body;
    EXPECT_NE(body.find("t2-audit-write missing (optional)"), std::string::npos) << body;
    EXPECT_NE(body.find("detection Mailbox archived expected fires, got not_fired"), std::string::npos) << body;
    EXPECT_EQ(body.find("t1-sysmon"), std::string::npos);

    auto error = cases[2].child("error");
    ASSERT_TRUE(error);
    EXPECT_STREQ(error.attribute("message").value(), "prerequisite unmet: curl is not installed");
    EXPECT_STREQ(cases[3].child("skipped").attribute("message").value(), "inconclusive: o365 audit source not collected");
    EXPECT_STREQ(cases[4].child("skipped").attribute("message").value(), "platform macos not supported by target win10-lab");
}

TEST(Junit, ControlCharactersAndMarkupStayValidXml) {
    json s = make_scenario("g1", "T1059.001", "failed");
    s["name"] = "evil\x01\x1b[31m <name> & \"q\"\xff";
    s["reason"] = std::string("nul\0here\x0b", 9);
    s["execution"]["stdout"] = "]]></system-out><injected/>\x0c";
    std::string xml = render_junit(make_results("r1", "2026-11-22T08:30:00Z", json::array({s})), {});
    pugi::xml_document doc;
    auto parsed = doc.load_string(xml.c_str());
    ASSERT_TRUE(parsed) << parsed.description() << " at " << parsed.offset << "\n" << xml;
    auto tc = doc.child("testsuites").child("testsuite").child("testcase");
    EXPECT_EQ(std::string(tc.attribute("name").value()), "evil\\x01\\x1b[31m <name> & \"q\"\xEF\xBF\xBD [lab-win]");
    EXPECT_EQ(std::string(tc.child("failure").attribute("message").value()), "nul\\x00here\\x0b");
    EXPECT_EQ(std::string(tc.child("system-out").text().get()), "]]></system-out><injected/>\\x0c");
    EXPECT_FALSE(doc.child("testsuites").child("testsuite").child("injected"));
    EXPECT_FALSE(tc.child("injected"));
}

TEST(Junit, UnknownVerdictIsAnErrorNotAPass) {
    json results = make_results("r1", "2026-11-22T08:30:00Z", json::array({make_scenario("g1", "T1059.001", "passed")}));
    results["scenarios"][0]["verdict"] = "exploded";
    std::string xml = render_junit(results, {});
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str()));
    EXPECT_EQ(doc.child("testsuites").attribute("errors").as_int(), 1);
    EXPECT_TRUE(doc.child("testsuites").child("testsuite").child("testcase").child("error"));
}

TEST(Junit, EmptyOrOddDocumentsStillRender) {
    for (const json& doc_json : {json::object(), json{{"scenarios", "nope"}}, json{{"run", 5}, {"scenarios", {1, "x", nullptr}}}}) {
        std::string xml = render_junit(doc_json, {});
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
    }
}

// The JUnit file validates against the schema CI servers use (tests/data/junit/junit.xsd),
// for the fixture and for hostile text; xmllint is the validator.
TEST(Junit, ValidatesAgainstTheJunitSchema) {
    if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint (libxml2-utils) is not installed";
    json hostile = make_scenario("g1", "T1059.001", "failed");
    hostile["name"] = std::string("bad \x01 name <x> & \"q\"");
    hostile["execution"]["stderr"] = "]]> \x02 stderr";
    json inconclusive = make_scenario("g2", "T1059.001", "inconclusive");
    inconclusive.erase("execution");
    auto dir = std::filesystem::temp_directory_path() / ("attest-junit-xsd-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    int n = 0;
    for (const json& results : {load_fixture("results-basic.json"),
                                make_results("r", "2026-11-22T00:00:00Z", json::array({hostile, inconclusive})),
                                make_results("empty", "2026-11-22T00:00:00Z", json::array())}) {
        auto file = dir / ("junit-" + std::to_string(n++) + ".xml");
        std::ofstream(file) << render_junit(results, {});
        std::string cmd = "xmllint --noout --schema " + std::string(ATTEST_SOURCE_DIR) + "/tests/data/junit/junit.xsd " +
                          file.string() + " 2>&1";
        FILE* p = ::popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        std::string out;
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) out += buf;
        EXPECT_EQ(::pclose(p), 0) << file << ": " << out;
        EXPECT_NE(out.find("validates"), std::string::npos) << out;
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace attest::reports
