// attest alerts: the Elastic Security alerts a rule raised in a time window (and on one host),
// as NDJSON: the SIEM's side of "did our detection fire?".
#include <cstdio>
#include <string>

#include "harness/elastic_cli.h"
#include "harness/siem_watch.h"

namespace attest::cli {
namespace {

using ojson = nlohmann::ordered_json;

const char* kHelp =
    "usage: attest alerts --elastic URL --rule-id ID --from ISO --to ISO [--host NAME]\n"
    "                     [--index PATTERN] [--page-size N]\n\n"
    "Prints the alert documents of the detection rule whose rule_id is ID (the rule_id of its\n"
    "TOML), written between --from and --to (@timestamp) and, with --host, about that host,\n"
    "oldest first, one per line (NDJSON _source). The index defaults to\n"
    ".alerts-security.alerts-default (the default Kibana space).\n\n"
    "Exit codes: 0 alerts printed, 1 none, 2 usage or connection error.\n\n";

int run_alerts(const std::vector<std::string>& args) {
    Options opts;
    declare_elastic_options(opts)
        .option("rule-id")
        .option("from")
        .option("to")
        .option("host")
        .option("index")
        .option("page-size");
    opts.parse(args);
    if (!opts.positionals().empty())
        throw UsageError{"unexpected argument '" + opts.positionals()[0] + "'"};
    if (!opts.has("rule-id")) throw UsageError{"--rule-id ID is required"};
    if (!opts.has("from") || !opts.has("to")) throw UsageError{"--from and --to are required"};
    ojson query = run::alert_query(*opts.get("rule-id"), iso_option(opts, "from"),
                                   iso_option(opts, "to"), "host.name", opts.get_or("host", ""));
    std::size_t page = size_option(opts, "page-size", 1000);
    auto client = elastic_connect(opts);
    if (!client) {
        std::fprintf(stderr, "attest alerts: %s\n", client.error().message.c_str());
        return kExitUsage;
    }
    auto alerts = print_sources(*client, opts.get_or("index", ".alerts-security.alerts-default"),
                                query, page);
    if (!alerts) {
        std::fprintf(stderr, "attest alerts: %s\n", alerts.error().message.c_str());
        return kExitUsage;
    }
    return *alerts > 0 ? kExitOk : kExitFailed;
}

}  // namespace

Command alerts_command() {
    return Command{"alerts", "list the Elastic Security alerts of a rule in a time window (NDJSON)",
                   std::string(kHelp) + kElasticConnectionHelp, run_alerts};
}

}  // namespace attest::cli
