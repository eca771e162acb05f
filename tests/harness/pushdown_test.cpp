#include "harness/pushdown.h"

#include <gtest/gtest.h>

using namespace attest;
using namespace attest::cli;
using namespace attest::expectations;

namespace {

ExpectationSpec expectation(const std::string& id, const std::string& query) {
    ExpectationSpec e;
    e.id = id;
    e.source = "sysmon";
    e.query = query;
    return e;
}

DetectionSpec detection(const std::string& id, const std::string& query) {
    DetectionSpec d;
    d.rule_id = id;
    d.rule = "rules/" + id + ".eql";
    d.query = query;
    return d;
}

PreparedCheck scenario(std::vector<ExpectationSpec> expectations,
                       std::vector<DetectionSpec> detections = {}) {
    ScenarioChecks checks;
    checks.name = "s";
    checks.expectations = std::move(expectations);
    checks.detections = std::move(detections);
    RunFacts facts;
    facts.host = "lab-host";
    facts.arguments["file"] = "a\"b.txt";
    return {checks, facts};
}

}  // namespace

// Positive event and sequence checks go to Elasticsearch with their placeholders filled (as
// string literals), each distinct query once, asking for at least the largest min_count.
TEST(Pushdown, PositiveChecksArePushedWithTheirPlaceholdersFilled) {
    auto e1 = expectation("a", "file where file.name == #{file} and host.name == {run.host}");
    auto e2 = expectation("b", "process where process.name == \"x\"");
    e2.min_count = 25;
    auto seq = detection("r", "sequence by host.name [process where true] [file where true]");
    PushdownPlan plan = plan_pushdown({scenario({e1, e2}, {seq}), scenario({e2})});
    EXPECT_EQ(plan.not_possible, "");
    ASSERT_EQ(plan.queries.size(), 3u);
    EXPECT_EQ(plan.queries[0],
              "file where file.name == \"a\\\"b.txt\" and host.name == \"lab-host\"");
    EXPECT_EQ(plan.size, 25u);
}

// A check whose verdict needs every event of the window keeps the whole run local, and the
// plan says which check and why.
TEST(Pushdown, ChecksThatNeedEveryEventAreNotPushed) {
    auto lineage = expectation("tree", "process where true");
    lineage.lineage = true;
    auto quiet = detection("quiet", "process where true");
    quiet.expect_fires = false;
    auto sigma = detection("sig", "title: x");
    sigma.language = "sigma";
    auto until = detection("u",
                           "sequence [process where true] [file where true] until "
                           "[process where true]");
    auto other = detection("other", "process where true");
    other.informational = true;
    auto sample = detection("smp", "sample by host.name [process where true] [file where true]");
    auto placeholder = expectation("p", "process where process.name == #{missing}");
    const std::pair<PreparedCheck, std::string> cases[] = {
        {scenario({lineage}), "s: expectation tree: bound to the test's process tree"},
        {scenario({}, {quiet}), "s: rule quiet: it must not fire (needs every event)"},
        {scenario({}, {sigma}), "s: rule sig: a sigma rule"},
        {scenario({}, {until}), "s: rule u: a sequence with until"},
        {scenario({}, {sample}), "s: rule smp: a sample query"},
        {scenario({}, {other}),
         "s: rule other: a --rules rule (which of them fire needs every event)"},
    };
    for (const auto& [check, why] : cases) {
        PushdownPlan plan = plan_pushdown({scenario({expectation("ok", "any where true")}), check});
        EXPECT_EQ(plan.not_possible, why);
    }
    EXPECT_NE(plan_pushdown({scenario({placeholder})}).not_possible.find("expectation p: "),
              std::string::npos);
    EXPECT_EQ(plan_pushdown({}).not_possible, "no checks to push down");
}
