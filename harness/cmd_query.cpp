// attest query: run an EQL query or rule over telemetry files and print the hits as NDJSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>

#include "core/collector.h"
#include "core/timeutil.h"
#include "expectations/eql/compiled.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/rule.h"
#include "expectations/kql/kql.h"
#include "expectations/rules.h"
#include "expectations/sigma/sigma.h"
#include "harness/cli.h"
#include "harness/elastic_cli.h"
#include "harness/mapping_option.h"
#include "telemetry/stream.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest query (--eql QUERY | --kql QUERY | --rule FILE) [--event-category-field F]\n"
    "                    [--timestamp-field F] [--tiebreaker-field F] [--profile P]\n"
    "                    [--mapping FILE] [--source FORMAT] [--size N] [--explain] FILE...\n\n"
    "Evaluates an Elasticsearch EQL or KQL query locally over telemetry files (any format 'attest "
    "events'\n"
    "reads, detected from content, or NDJSON events) and prints one hit per line (NDJSON):\n"
    "  {\"events\":[EVENT]}                            for an event query\n"
    "  {\"join_keys\":[...],\"events\":[EVENT, ...]}     for a sequence or a sample\n"
    "A Sigma correlation's hits carry its group-by values as join_keys; with several Sigma rules\n"
    "each hit also names its rule (\"rule\": title).\n"
    "A missing-event term ![...] shows as {\"missing\":true}. Hits come in Elasticsearch's order\n"
    "(sequences by completion: each one's last event); there is no default size limit.\n"
    "A threshold rule prints one hit per group that met the threshold (its first event).\n"
    "A rule that cannot be evaluated locally (new_terms, machine_learning, ES|QL) is reported as\n"
    "such with the reason (exit 2).\n\n"
    "Events are evaluated in timestamp order (ISO-8601 strings or epoch milliseconds), then by "
    "the\n"
    "tiebreaker field (events lacking it last), then input order. Inputs already in order are\n"
    "streamed with bounded memory; otherwise they are read again and sorted on disk (sorted runs\n"
    "under $TMPDIR, merged), still with bounded memory. Events whose timestamp is absent or not a\n"
    "date come after every timed one, and are counted on stderr.\n\n"
    "options:\n"
    "  --eql QUERY               the query text\n"
    "  --kql QUERY               a KQL query (field types from --mapping, else ECS)\n"
    "  --rule FILE               a .eql file, an Elastic detection-rules .toml file (eql or "
    "kuery),\n"
    "                            or a Sigma rule (.yml/.yaml, or a folder of them; correlations)\n"
    "  --mapping FILE            an Elasticsearch index mapping (GET index/_mapping): field types\n"
    "                            for dates, versions, ips, keyword/text matching, null_value\n"
    "  --event-category-field F  default event.category\n"
    "  --timestamp-field F       default @timestamp\n"
    "  --tiebreaker-field F      default: none\n"
    "  --profile P               sysmon or endpoint (default: from the rule's index patterns,\n"
    "                            else sysmon; a rule naming both evaluates under the data's)\n"
    "  --source FORMAT           force the input format\n"
    "  --size N                  print at most N hits\n"
    "  --explain                 when nothing matched, print per clause how many events satisfied\n"
    "                            it and the near misses (on stderr)\n\n"
    "Exit codes (grep's convention): 0 hits printed, 1 no hits, 2 query, usage or input error\n"
    "(query errors show file:line:column, the line and a caret).\n";

int compare_tiebreakers(const Value& a, const Value& b) {
    return eql::detail::compare_scalars(a, b).value_or(0);
}

// Events without a usable timestamp are evaluated after every timed one, in input order,
// and reported once on stderr: a nightly job must not lose them silently.
void report_untimed(const telemetry::StreamStats& stats, const std::string& field) {
    std::uint64_t unusable = stats.untimed - stats.untimed_absent;
    if (unusable > 0)
        std::fprintf(
            stderr,
            "attest query: warning: %llu event(s) have a %s that is not a date (ISO-8601, or epoch "
            "milliseconds within years 1678-2262); first: %s\n",
            static_cast<unsigned long long>(unusable), field.c_str(), stats.first_unusable.c_str());
    if (stats.untimed_absent > 0)
        std::fprintf(stderr, "attest query: warning: %llu event(s) have no %s; first: %s\n",
                     static_cast<unsigned long long>(stats.untimed_absent), field.c_str(),
                     stats.first_absent.c_str());
    if (stats.untimed > 0)
        std::fprintf(
            stderr,
            "attest query: untimed events are evaluated after every timed one, in input order "
            "(--timestamp-field names another field)\n");
}

class Output {
public:
    ~Output() { flush(); }
    std::string& buf() { return m_buf; }
    void maybe_flush() {
        if (m_buf.size() >= (1 << 20)) flush();
    }
    void flush() {
        if (!m_buf.empty()) std::fwrite(m_buf.data(), 1, m_buf.size(), stdout);
        m_buf.clear();
        std::fflush(stdout);
    }

private:
    std::string m_buf;
};

void print_hit(Output& out, const std::vector<std::shared_ptr<const Event>>& events,
               const std::vector<Value>* keys, const std::string* rule = nullptr) {
    std::string& b = out.buf();
    b += '{';
    if (rule) {
        b += "\"rule\":";
        Value(*rule).append_json(b);
        b += ',';
    }
    if (keys) {
        b += "\"join_keys\":[";
        for (std::size_t i = 0; i < keys->size(); ++i) {
            if (i) b += ',';
            (*keys)[i].append_json(b);
        }
        b += "],";
    }
    b += "\"events\":[";
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i) b += ',';
        if (events[i])
            events[i]->append_json(b);
        else
            b += "{\"missing\":true}";
    }
    b += "]}\n";
    out.maybe_flush();
}

// The hits of either engine: an EQL query, or a Sigma rule set (plain rules and correlations).
class Evaluation {
public:
    Evaluation(std::shared_ptr<const eql::Query> q, std::shared_ptr<const sigma::RuleSet> set,
               eql::MatcherOptions mopts)
        : m_query(std::move(q)), m_set(std::move(set)), m_mopts(mopts) {
        reset();
    }
    void reset() {
        if (m_set)
            m_sigma.emplace(
                m_set, sigma::MatcherOptions{.collect_diagnostics = m_mopts.collect_diagnostics});
        else
            m_eql.emplace(m_query, m_mopts);
    }
    void feed(const std::shared_ptr<Event>& e) {
        if (m_sigma)
            m_sigma->feed(*e);
        else
            m_eql->feed(std::shared_ptr<const Event>(e));
    }
    void finish() {
        if (m_sigma)
            m_sigma->finish();
        else
            m_eql->finish();
    }
    // Prints the hits; returns how many.
    std::size_t print(Output& out) const {
        if (m_eql) {
            bool with_keys = eql::query_kind(*m_query) != eql::QueryKind::Event;
            for (const auto& hit : m_eql->hits())
                print_hit(out, hit.events, with_keys ? &hit.join_keys : nullptr);
            return m_eql->hits().size();
        }
        std::size_t producing = 0;
        for (const auto& r : m_set->rules) producing += r.generate;
        std::size_t n = 0;
        for (const auto& hit : m_sigma->hits()) {
            if (m_mopts.size_limit && n >= *m_mopts.size_limit) break;
            const auto& rule = m_set->rules[hit.rule];
            print_hit(out, hit.events, rule.correlation ? &hit.group : nullptr,
                      producing > 1 ? &rule.title : nullptr);
            ++n;
        }
        return n;
    }
    template <class F>
    void each_diagnostics(F&& f) const {
        if (m_eql)
            f(std::string(), m_eql->diagnostics());
        else
            for (const auto& [rule, d] : m_sigma->diagnostics()) f(m_set->rules[rule].title, d);
    }

private:
    std::shared_ptr<const eql::Query> m_query;
    std::shared_ptr<const sigma::RuleSet> m_set;
    eql::MatcherOptions m_mopts;
    std::optional<eql::Matcher> m_eql;
    std::optional<sigma::RuleSetMatcher> m_sigma;
};

// Loads a Sigma rule file or folder for `attest query`, saying which rules no source supplies.
Expected<std::shared_ptr<const sigma::RuleSet>> load_sigma(const std::string& path) {
    auto set = sigma::load(path);
    if (!set) return make_error(set.error().message);
    for (const auto& r : set->rules)
        if (!r.supplied)
            std::fprintf(stderr,
                         "attest query: rule '%s': no collector of attest's supplies %s "
                         "(not_collected in a run; "
                         "here only events that already carry its dataset can match)\n",
                         r.title.c_str(), r.logsource.describe().c_str());
    return std::make_shared<const sigma::RuleSet>(std::move(*set));
}

std::string short_event(const Event& e) {
    std::string s;
    const Value* origin = e.find("attest.origin");
    const Value* pos = e.find("attest.position");
    if (origin && origin->is_string()) {
        s = origin->as_string();
        if (pos) s += ":" + (pos->is_string() ? pos->as_string() : pos->to_json());
        s += " ";
    }
    std::string j = e.to_json();
    if (j.size() > 300) j = j.substr(0, 300) + "...";
    return s + j;
}

void print_explain(const eql::Diagnostics& d) {
    std::fprintf(stderr, "attest query: no hits; %llu events read\n",
                 static_cast<unsigned long long>(d.events));
    for (const auto& t : d.terms) {
        std::fprintf(stderr,
                     "term %zu [%s where ...]: %llu events of the category, %llu satisfied the "
                     "whole filter\n",
                     t.term + 1, t.category.empty() ? "any" : t.category.c_str(),
                     static_cast<unsigned long long>(t.category_events),
                     static_cast<unsigned long long>(t.matched));
        for (const auto& c : t.clauses)
            std::fprintf(stderr, "  %10llu  %s\n", static_cast<unsigned long long>(c.satisfied),
                         c.clause.c_str());
        for (const auto& n : t.near_misses)
            std::fprintf(stderr, "  near miss (failed: %s): %s\n", n.failed_clause.c_str(),
                         short_event(*n.event).c_str());
    }
}

void declare_query_options(Options& opts) {
    opts.option("eql")
        .option("kql")
        .option("rule")
        .option("mapping")
        .option("event-category-field")
        .option("timestamp-field")
        .option("tiebreaker-field")
        .option("profile")
        .option("source")
        .option("size")
        .flag("explain");
}

// A TOML or JSON detection rule's query; the rule's index patterns choose the profile when
// --profile does not. nullopt: an error was printed.
std::optional<std::shared_ptr<const eql::Query>> compile_rule_file(
    const std::string& path, const eql::QueryOptions& qopts, std::optional<Profile>& profile) {
    auto rule = rules::load_rule(path);
    if (!rule) {
        std::fprintf(stderr, "%s\n", rule.error().message.c_str());
        return std::nullopt;
    }
    if (!profile && rule->profile) {
        profile = rule->profile;
        std::fprintf(stderr, "attest query: profile %s (from the rule's index patterns)\n",
                     std::string(profile_name(*profile)).c_str());
    } else if (!profile && rule->profile_from_data) {
        std::fprintf(stderr,
                     "attest query: the rule names both Elastic Defend and Sysmon/Windows "
                     "indices; evaluating under the data's vocabulary (sysmon; --profile to "
                     "choose)\n");
    }
    auto compiled = rules::compile_rule(*rule, qopts);
    if (!compiled) {
        std::fprintf(stderr, "%s\n", compiled.error().message.c_str());
        return std::nullopt;
    }
    if (!compiled->query) {
        std::fprintf(stderr, "%s: not locally evaluable: %s\n", rule->path.c_str(),
                     compiled->not_evaluable.c_str());
        return std::nullopt;
    }
    return compiled->query;
}

// What is evaluated: one EQL or KQL query, a detection rule's query, or Sigma rules.
struct QuerySet {
    std::shared_ptr<const eql::Query> query;
    std::shared_ptr<const sigma::RuleSet> sigma_rules;
};

// nullopt: an error was printed.
std::optional<QuerySet> compile_query_option(const Options& opts, const eql::QueryOptions& qopts,
                                             std::optional<Profile>& profile) {
    QuerySet out;
    Expected<std::shared_ptr<const eql::Query>> query = std::shared_ptr<const eql::Query>();
    std::error_code ec;
    if (auto text = opts.get("eql")) {
        query = eql::compile(*text, "--eql", qopts);
    } else if (auto kql_text = opts.get("kql")) {
        query = kql::compile(*kql_text, "--kql", qopts);
    } else if (const std::string path = opts.get_or("rule", "");
               sigma::is_sigma_path(path) || std::filesystem::is_directory(path, ec)) {
        auto set = load_sigma(path);
        if (!set) {
            std::fprintf(stderr, "%s\n", set.error().message.c_str());
            return std::nullopt;
        }
        out.sigma_rules = *set;
    } else {
        auto q = compile_rule_file(path, qopts, profile);
        if (!q) return std::nullopt;
        query = *q;
    }
    if (!query) {
        std::fprintf(stderr, "%s\n", query.error().message.c_str());
        return std::nullopt;
    }
    out.query = *query;
    return out;
}

eql::MatcherOptions matcher_options_of(const Options& opts) {
    eql::MatcherOptions mopts;
    mopts.collect_diagnostics = opts.has("explain");
    if (auto s = opts.get("size")) {
        try {
            long long n = std::stoll(*s);
            if (n < 0) throw std::invalid_argument("");
            mopts.size_limit = static_cast<std::size_t>(n);
        } catch (...) {
            throw UsageError{"--size takes a non-negative number"};
        }
    }
    return mopts;
}

// Prints the hits (NDJSON) and, with --explain and none, why; the exit status.
int print_query_result(Evaluation& matcher, bool explain, bool input_error) {
    Output out;
    std::size_t hits = matcher.print(out);
    out.flush();
    if (hits == 0 && explain)
        matcher.each_diagnostics([](const std::string& rule, const eql::Diagnostics& d) {
            if (!rule.empty()) std::fprintf(stderr, "rule '%s':\n", rule.c_str());
            print_explain(d);
        });
    if (input_error) return kExitUsage;
    return hits == 0 ? kExitFailed : kExitOk;
}

int run_query(const std::vector<std::string>& args) {
    if (elastic_requested(args)) return run_elastic_query(args);
    Options opts;
    declare_query_options(opts);
    opts.parse(args);
    if (opts.has("eql") + opts.has("kql") + opts.has("rule") != 1)
        throw UsageError{"give exactly one of --eql QUERY, --kql QUERY or --rule FILE"};
    if (opts.positionals().empty()) throw UsageError{"no input files"};

    eql::QueryOptions qopts;
    qopts.category_field = opts.get_or("event-category-field", qopts.category_field);
    qopts.timestamp_field = opts.get_or("timestamp-field", qopts.timestamp_field);
    qopts.tiebreaker_field = opts.get_or("tiebreaker-field", "");
    if (!load_mapping_option(opts, "query", qopts.types)) return kExitUsage;
    std::optional<Profile> profile = profile_option(opts);
    auto compiled = compile_query_option(opts, qopts, profile);
    if (!compiled) return kExitUsage;
    eql::MatcherOptions mopts = matcher_options_of(opts);
    std::string source = source_option(opts);

    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    telemetry::StreamOptions sopts;
    sopts.source = source;
    sopts.profile = profile.value_or(Profile::Sysmon);
    sopts.timestamp_field = qopts.timestamp_field;
    sopts.tiebreaker_field = qopts.tiebreaker_field;
    sopts.compare_tiebreakers = compare_tiebreakers;
    Evaluation matcher(compiled->query, compiled->sigma_rules, mopts);
    telemetry::Stream stream(telemetry::Stream::files(opts.positionals(), sopts), sink, sopts);
    auto stats = stream.run([&](std::shared_ptr<Event>& e) { matcher.feed(e); },
                            [&] {
                                std::fprintf(stderr,
                                             "attest query: input not in timestamp order; "
                                             "sorting it\n");
                                matcher.reset();
                            });
    for (const auto& u : stats.unreadable) std::fprintf(stderr, "%s\n", u.c_str());
    matcher.finish();
    report_untimed(stats, qopts.timestamp_field);
    return print_query_result(matcher, mopts.collect_diagnostics, !stats.unreadable.empty());
}

}  // namespace

Command query_command() {
    return Command{"query", "run an EQL query or detection rule over telemetry (NDJSON hits)",
                   std::string(kHelp) + "\n" + kElasticQueryHelp + "\n" + kElasticConnectionHelp,
                   run_query};
}

}  // namespace attest::cli
