// `attest validate` on rule files: a field no source writes and ECS does not define is a
// warning at its position, with the nearest known field.
#include <gtest/gtest.h>

#include "e2e_support.h"

using namespace attest::test;

TEST(ValidateE2E, MisspeltFieldInARuleSuggestsTheNearest) {
    TempDir tmp("validate-fields");
    write_text(
        tmp.path + "/rules/typo.eql",
        "process where\n  process.nme : \"powershell.exe\" and host.os.type == \"windows\"\n");
    write_text(tmp.path + "/rules/typo.toml",
               "[rule]\nname = \"x\"\nrule_id = \"x\"\nlanguage = \"kuery\"\ntype = \"query\"\n"
               "index = [\"logs-windows.sysmon_operational-*\"]\nquery = '''\n"
               "event.category:process and proces.command_line:*Copy-Item*\n'''\n");
    auto r = run_attest({"validate", tmp.path + "/rules"}, tmp.path);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(
        r.out.find(tmp.path +
                   "/rules/typo.eql:2:3: warning: field 'process.nme' is not an ECS field and no "
                   "source writes it (did you mean 'process.name'?)"),
        std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("typo.toml:8:28: warning: field 'proces.command_line' is not an ECS field "
                         "and no source "
                         "writes it (did you mean 'process.command_line'?)"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("'host.os.type'"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("'event.category' is not"), std::string::npos) << r.out;
}
