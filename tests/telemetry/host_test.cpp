#include "telemetry/host.h"

#include <gtest/gtest.h>

namespace attest::telemetry {
namespace {

TEST(SameHost, ShortNamesFqdnsAndCaseInBothDirections) {
    const std::tuple<const char*, const char*, bool> table[] = {
        {"SERVER002", "server002", true},
        {"server002", "SERVER002", true},
        {"server002.lab.local", "SERVER002", true},
        {"SERVER002", "server002.lab.local", true},
        {"Server002", "server002.LAB.local", true},
        {"server002.lab.local", "SERVER002.LAB.LOCAL", true},
        {"server002.a.local", "server002.b.local", false},  // two FQDNs: two domains
        {"server002", "server0021", false},
        {"server002", "server00", false},
        {"server0021.lab.local", "server002", false},
        {"", "server002", false},
        {"server002", "", false},
    };
    for (const auto& [a, b, want] : table) EXPECT_EQ(same_host(a, b), want) << a << " vs " << b;
}

}  // namespace
}  // namespace attest::telemetry
