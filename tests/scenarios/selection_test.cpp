#include "scenarios/selection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace attest::scenarios;

namespace {

Pack load(const std::string& path) {
    Problems problems;
    auto pack = load_pack(path, problems);
    EXPECT_TRUE(pack.ok()) << path;
    return pack ? *pack : Pack{};
}

std::vector<std::string> picked(const Pack& pack, Selection s) {
    auto tests = select_tests(pack, s);
    EXPECT_TRUE(tests.ok()) << (tests ? "" : tests.error().message);
    std::vector<std::string> out;
    if (tests)
        for (const AtomicTest* t : *tests)
            out.push_back(t->technique + "#" + std::to_string(test_number(*t)));
    return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST(Selection, SplitsTechniqueLists) {
    EXPECT_EQ(split_technique_list({"t1114.001, T1005", "T1560"}),
              (Names{"T1114.001", "T1005", "T1560"}));
    EXPECT_EQ(split_technique_list({" , "}), Names{});
}

// The project's T1114 pack: four tests in T1114.001, one each in .002 and .003.
TEST(Selection, PackNumbersNamesAndGuids) {
    Pack pack = load(ATTEST_SOURCE_DIR "/scenarios/t1114");
    EXPECT_EQ(picked(pack, {}).size(), 6u);
    EXPECT_EQ(picked(pack, {{"T1114.001"}, {}, {}}),
              (Names{"T1114.001#1", "T1114.001#2", "T1114.001#3", "T1114.001#4"}));
    EXPECT_EQ(picked(pack, {{"T1114"}, {"1"}, {}}),
              (Names{"T1114.001#1", "T1114.002#1", "T1114.003#1"}));
    EXPECT_EQ(picked(pack, {{"T1114.001"}, {"3", "4"}, {}}), (Names{"T1114.001#3", "T1114.001#4"}));
    EXPECT_EQ(
        picked(pack, {{}, {"UPLOAD A MAILBOX WITH CURL TO AN HTTP LISTENER ON THE LOOPBACK"}, {}}),
        (Names{"T1114.001#4"}));
    EXPECT_EQ(picked(pack, {{}, {"B457D68D"}, {}}), (Names{"T1114.001#3"}));
    EXPECT_EQ(picked(pack, {{}, {"b457d68d-ff7e-4351-b3cd-1fc92091a1d5"}, {}}),
              (Names{"T1114.001#3"}));
    EXPECT_EQ(picked(pack, {{"T1114.001"}, {}, {"linux"}}), (Names{"T1114.001#3", "T1114.001#4"}));
}

TEST(Selection, UnmatchedSelectorsAreErrorsThatListTheCandidates) {
    Pack pack = load(ATTEST_SOURCE_DIR "/scenarios/t1114");
    auto r = select_tests(pack, {{"T1005"}, {}, {}});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("no technique T1005"), std::string::npos);
    r = select_tests(pack, {{"T1114.003"}, {"2", "b457d68d"}, {}});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("no test '2'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("no test 'b457d68d'"), std::string::npos);
    EXPECT_NE(r.error().message.find("T1114.003 #1 'Create a malicious inbox forwarding rule"),
              std::string::npos);
    r = select_tests(pack, {{}, {}, {"macos"}});
    EXPECT_FALSE(r.ok());
}

// Invoke-AtomicTest's numbering on the upstream T1114 files: each file's tests count from 1.
TEST(Selection, UpstreamNumberingMatchesInvokeAtomicTest) {
    std::string dir = ATTEST_SOURCE_DIR "/../shared/data/atomics";
    if (!fs::exists(dir)) GTEST_SKIP() << "../shared/data absent: upstream atomics not checked";
    Pack pack = load(dir);
    EXPECT_EQ(picked(pack, {{"T1114.002"}, {"1"}, {}}), Names{"T1114.002#1"});
    EXPECT_EQ(picked(pack, {{"T1114"}, {}, {}}),
              (Names{"T1114.001#1", "T1114.002#1", "T1114.003#1"}));
    EXPECT_EQ(picked(pack, {{"T1114.003"}, {"office365 - email forwarding"}, {}}),
              Names{"T1114.003#1"});
    EXPECT_EQ(picked(pack, {{"T1201"}, {"6"}, {}}), Names{"T1201#6"});
    auto r = select_tests(pack, {{"T1114.001"}, {"2"}, {}});
    EXPECT_FALSE(r.ok()) << "T1114.001 upstream has a single test";
}
