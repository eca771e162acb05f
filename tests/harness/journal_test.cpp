#include "harness/journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace attest;
using namespace attest::run;

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST(Masker, MasksEveryOccurrenceLongestFirst) {
    Masker m;
    m.add("abc");
    m.add("abcdef");
    m.add("");  // ignored: would mask everything
    EXPECT_EQ(m.mask("x abcdef y abc z"), "x ******** y ******** z");
    Value v = Value::object();
    v.set("execution.command", Value("curl -u user:abcdef https://h"));
    v.set("list", Value(Array{Value("abc"), Value(3)}));
    m.mask(v);
    EXPECT_EQ(v.find("execution.command")->as_string(), "curl -u user:******** https://h");
    EXPECT_EQ(v.find("list")->as_array()[0].as_string(), "********");
    EXPECT_EQ(v.find("list")->as_array()[1].as_int(), 3);
}

TEST(Journal, EveryScenarioIsOnDiskAfterAddAndMasked) {
    auto dir = (std::filesystem::temp_directory_path() / ("attest-journal-" + std::to_string(::getpid()))).string();
    Masker m;
    m.add("topsecret");
    auto j = Journal::open(dir, &m);
    ASSERT_TRUE(j.ok()) << j.error().message;
    Value run = Value::object();
    run.set_key("id", Value("r1"));
    for (int i = 0; i < 3; ++i) {
        Value s = Value::object();
        s.set_key("guid", Value("g" + std::to_string(i)));
        s.set_key("verdict", Value(i == 1 ? "failed" : "passed"));
        s.set_key("reason", Value("password topsecret"));
        ASSERT_TRUE((*j)->add(std::move(s), run).ok());
        // After each add the file on disk holds every scenario so far.
        std::string text = slurp(dir + "/results.json");
        EXPECT_NE(text.find("\"g" + std::to_string(i) + "\""), std::string::npos);
        EXPECT_EQ(text.find("topsecret"), std::string::npos);
    }
    std::string text = slurp(dir + "/results.json");
    EXPECT_NE(text.find("\"passed\":2"), std::string::npos) << text;
    EXPECT_NE(text.find("\"failed\":1"), std::string::npos);
    (*j)->log("token topsecret used");
    EXPECT_EQ(slurp(dir + "/run.log").find("topsecret"), std::string::npos);
    EXPECT_NE(slurp(dir + "/run.log").find("token ********"), std::string::npos);
    // No temporary files are left behind.
    for (const auto& e : std::filesystem::directory_iterator(dir))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    std::filesystem::remove_all(dir);
}

TEST(Journal, UnwritableDirectoryIsAnError) {
    auto j = Journal::open("/proc/attest-cannot-create-this", nullptr);
    EXPECT_FALSE(j.ok());
}
