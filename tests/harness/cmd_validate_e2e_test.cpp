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

// Sigma field names are checked against the Sigma field table and the sources' native names.
TEST(ValidateE2E, MisspeltSigmaFieldSuggestsTheNearest) {
    TempDir tmp("validate-sigma-fields");
    write_text(tmp.path + "/rules/typo.yml",
               "title: t\nlogsource:\n    product: windows\n    category: file_event\n"
               "detection:\n    sel:\n        Image|endswith: '\\powershell.exe'\n"
               "        TargetFilenme|endswith: '.pst'\n        ScriptBlockText: x\n"
               "    condition: sel\n");
    auto r = run_attest({"validate", "--rules", tmp.path + "/rules"}, tmp.path);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("typo.yml:8:9: warning: field 'TargetFilenme' is not a Sigma field attest "
                         "maps and no source writes it (did you mean 'TargetFilename'?)"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("'Image'"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("'ScriptBlockText'"), std::string::npos) << r.out;
}
