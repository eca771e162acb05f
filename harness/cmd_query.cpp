// attest query: run an EQL query or rule over telemetry files and print the hits as NDJSON.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "core/collector.h"
#include "core/timeutil.h"
#include "expectations/eql/eql.h"
#include "expectations/eql/compiled.h"
#include "expectations/eql/functions.h"
#include "expectations/eql/rule.h"
#include "expectations/kql/kql.h"
#include "expectations/rules.h"
#include "harness/cli.h"
#include "harness/mapping_option.h"

namespace attest::cli {
namespace {

const char* kHelp =
    "usage: attest query (--eql QUERY | --kql QUERY | --rule FILE) [--event-category-field F]\n"
    "                    [--timestamp-field F] [--tiebreaker-field F] [--profile P]\n"
    "                    [--mapping FILE] [--source FORMAT] [--size N] [--explain] FILE...\n\n"
    "Evaluates an Elasticsearch EQL or KQL query locally over telemetry files (any format 'attest events'\n"
    "reads, detected from content, or NDJSON events) and prints one hit per line (NDJSON):\n"
    "  {\"events\":[EVENT]}                            for an event query\n"
    "  {\"join_keys\":[...],\"events\":[EVENT, ...]}     for a sequence or a sample\n"
    "A missing-event term ![...] shows as {\"missing\":true}. Hits come in Elasticsearch's order\n"
    "(sequences by completion: each one's last event); there is no default size limit.\n"
    "A threshold rule prints one hit per group that met the threshold (its first event).\n"
    "A rule that cannot be evaluated locally (new_terms, machine_learning, ES|QL) is reported as\n"
    "such with the reason (exit 2).\n\n"
    "Events are evaluated in timestamp order (ISO-8601 strings or epoch milliseconds), then by the\n"
    "tiebreaker field (events lacking it last), then input order. Inputs already in order are\n"
    "streamed with bounded memory; otherwise they are read again and sorted. Events whose\n"
    "timestamp is absent or not a date come after every timed one, and are counted on stderr.\n\n"
    "options:\n"
    "  --eql QUERY               the query text\n"
    "  --kql QUERY               a KQL query (field types from --mapping, else ECS)\n"
    "  --rule FILE               a .eql file or an Elastic detection-rules .toml file (eql or kuery)\n"
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

struct SortKey {
    std::int64_t ts;
    const Value* tiebreaker;  // into the stored event
    std::size_t input;
};

int compare_tiebreakers(const Value* a, const Value* b) {
    if (a == nullptr || b == nullptr) return (a == nullptr) - (b == nullptr);  // missing last
    if (auto c = eql::detail::compare_scalars(*a, *b)) return *c;
    return 0;
}

// Counts the events whose timestamp field is absent or not a date, remembering the first of
// each kind for the report.
class UntimedEvents {
public:
    explicit UntimedEvents(std::string field) : m_field(std::move(field)) {}
    void reset() {
        m_absent = m_unusable = 0;
        m_first_absent.clear();
        m_first_unusable.clear();
    }
    // Only the first event of each kind is described; the others are just counted.
    void note(const Event& e, std::string_view path, std::uint64_t index) {
        auto where = [&] { return std::string(path) + ": event " + std::to_string(index); };
        if (const Value* v = e.find(m_field)) {
            if (m_unusable++ == 0) {
                std::string text = v->to_json();
                if (text.size() > 80) text = text.substr(0, 80) + "...";
                m_first_unusable = where() + " has " + m_field + " " + text;
            }
        } else if (m_absent++ == 0) {
            m_first_absent = where();
        }
    }
    void report() const {
        if (m_unusable > 0)
            std::fprintf(stderr,
                         "attest query: warning: %llu event(s) have a %s that is not a date (ISO-8601, or epoch "
                         "milliseconds within years 1678-2262); first: %s\n",
                         static_cast<unsigned long long>(m_unusable), m_field.c_str(), m_first_unusable.c_str());
        if (m_absent > 0)
            std::fprintf(stderr, "attest query: warning: %llu event(s) have no %s; first: %s\n",
                         static_cast<unsigned long long>(m_absent), m_field.c_str(), m_first_absent.c_str());
        if (m_unusable + m_absent > 0)
            std::fprintf(stderr,
                         "attest query: untimed events are evaluated after every timed one, in input order "
                         "(--timestamp-field names another field)\n");
    }

private:
    std::string m_field;
    std::uint64_t m_absent = 0, m_unusable = 0;
    std::string m_first_absent, m_first_unusable;
};

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

void print_hit(Output& out, const eql::Hit& hit, bool with_keys) {
    std::string& b = out.buf();
    b += '{';
    if (with_keys) {
        b += "\"join_keys\":[";
        for (std::size_t i = 0; i < hit.join_keys.size(); ++i) {
            if (i) b += ',';
            hit.join_keys[i].append_json(b);
        }
        b += "],";
    }
    b += "\"events\":[";
    for (std::size_t i = 0; i < hit.events.size(); ++i) {
        if (i) b += ',';
        if (hit.events[i]) hit.events[i]->append_json(b);
        else b += "{\"missing\":true}";
    }
    b += "]}\n";
    out.maybe_flush();
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
    std::fprintf(stderr, "attest query: no hits; %llu events read\n", static_cast<unsigned long long>(d.events));
    for (const auto& t : d.terms) {
        std::fprintf(stderr, "term %zu [%s where ...]: %llu events of the category, %llu satisfied the whole filter\n",
                     t.term + 1, t.category.empty() ? "any" : t.category.c_str(),
                     static_cast<unsigned long long>(t.category_events), static_cast<unsigned long long>(t.matched));
        for (const auto& c : t.clauses)
            std::fprintf(stderr, "  %10llu  %s\n", static_cast<unsigned long long>(c.satisfied), c.clause.c_str());
        for (const auto& n : t.near_misses)
            std::fprintf(stderr, "  near miss (failed: %s): %s\n", n.failed_clause.c_str(), short_event(*n.event).c_str());
    }
}

int run_query(const std::vector<std::string>& args) {
    Options opts;
    opts.option("eql").option("kql").option("rule").option("mapping").option("event-category-field").option("timestamp-field").option("tiebreaker-field")
        .option("profile").option("source").option("size").flag("explain");
    opts.parse(args);
    if (opts.has("eql") + opts.has("kql") + opts.has("rule") != 1)
        throw UsageError{"give exactly one of --eql QUERY, --kql QUERY or --rule FILE"};
    if (opts.positionals().empty()) throw UsageError{"no input files"};

    eql::QueryOptions qopts;
    qopts.category_field = opts.get_or("event-category-field", qopts.category_field);
    qopts.timestamp_field = opts.get_or("timestamp-field", qopts.timestamp_field);
    qopts.tiebreaker_field = opts.get_or("tiebreaker-field", "");
    if (!load_mapping_option(opts, "query", qopts.types)) return kExitUsage;

    CollectorOptions copts;
    std::optional<Profile> profile;
    if (auto p = opts.get("profile")) {
        auto prof = parse_profile(*p);
        if (!prof) throw UsageError{prof.error().message};
        profile = *prof;
    }
    Expected<std::shared_ptr<const eql::Query>> query = make_error("");
    if (auto text = opts.get("eql")) {
        query = eql::compile(*text, "--eql", qopts);
    } else if (auto kql_text = opts.get("kql")) {
        query = kql::compile(*kql_text, "--kql", qopts);
    } else {
        auto rule = rules::load_rule(*opts.get("rule"));
        if (!rule) {
            std::fprintf(stderr, "%s\n", rule.error().message.c_str());
            return kExitUsage;
        }
        if (!profile && rule->profile) {
            profile = rule->profile;
            std::fprintf(stderr, "attest query: profile %s (from the rule's index patterns)\n",
                         std::string(profile_name(*profile)).c_str());
        } else if (!profile && rule->profile_from_data) {
            std::fprintf(stderr, "attest query: the rule names both Elastic Defend and Sysmon/Windows indices; "
                                 "evaluating under the data's vocabulary (sysmon; --profile to choose)\n");
        }
        auto compiled = rules::compile_rule(*rule, qopts);
        if (compiled && !compiled->query) {
            std::fprintf(stderr, "%s: not locally evaluable: %s\n", rule->path.c_str(), compiled->not_evaluable.c_str());
            return kExitUsage;
        }
        if (compiled) query = compiled->query;
        else query = make_error(compiled.error().message);
    }
    if (!query) {
        std::fprintf(stderr, "%s\n", query.error().message.c_str());
        return kExitUsage;
    }
    copts.profile = profile.value_or(Profile::Sysmon);

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
    std::string source = opts.get_or("source", "");
    const auto& registry = CollectorRegistry::builtin();
    if (!source.empty() && registry.find(source) == nullptr)
        throw UsageError{"unknown source '" + source + "' (known: " + registry.names() + ")"};

    DiagnosticSink sink(DiagnosticSink::stderr_printer());
    const auto& paths = opts.positionals();
    bool has_stdin = std::find(paths.begin(), paths.end(), "-") != paths.end();
    bool input_error = false;

    // Events without a usable timestamp are evaluated after every timed one, in input order,
    // and reported once on stderr: a nightly job must not lose them silently.
    UntimedEvents untimed(qopts.timestamp_field);
    std::string_view current_path;
    std::uint64_t current_index = 0;
    auto ts_of = [&](const Event& e) {
        if (auto ts = eql::detail::event_timestamp_ns(e, qopts.timestamp_field)) return *ts;
        untimed.note(e, current_path, current_index);
        return std::numeric_limits<std::int64_t>::max();
    };

    // Reads every input, calling fn(event) in input order; false from fn stops early.
    auto read_all = [&](auto&& fn) {
        untimed.reset();
        for (const auto& path : paths) {
            auto collector = registry.open(path, source, copts, sink);
            if (!collector) {
                std::fprintf(stderr, "%s\n", collector.error().message.c_str());
                input_error = true;
                continue;
            }
            current_path = path;
            current_index = 0;
            Event e;
            while ((*collector)->next(e)) {
                ++current_index;
                if (!fn(e)) return false;
            }
        }
        return true;
    };

    eql::Matcher matcher(*query, mopts);
    bool sorted_run = has_stdin;
    if (!has_stdin) {
        // Fast path: stream while checking the order; on the first event out of order, start
        // over with a sorting pass (inputs are files, so they can be read again).
        std::int64_t last_ts = std::numeric_limits<std::int64_t>::min();
        Value last_tb;
        bool last_has_tb = false;
        bool ordered = read_all([&](Event& e) {
            std::int64_t ts = ts_of(e);
            if (ts < last_ts) return false;
            if (!qopts.tiebreaker_field.empty()) {
                const Value* tb = e.find(qopts.tiebreaker_field);
                if (ts == last_ts && compare_tiebreakers(last_has_tb ? &last_tb : nullptr, tb) > 0) return false;
                last_has_tb = tb != nullptr;
                if (tb) last_tb = *tb;
            }
            last_ts = ts;
            matcher.feed(e);
            return true;
        });
        if (!ordered) {
            std::fprintf(stderr, "attest query: input not in timestamp order; sorting it in memory\n");
            matcher = eql::Matcher(*query, mopts);
            sorted_run = true;
            input_error = false;
        }
    }
    if (sorted_run) {
        std::vector<Event> events;
        std::vector<std::int64_t> times;
        read_all([&](Event& e) {
            times.push_back(ts_of(e));
            events.push_back(std::move(e));
            e = Event();
            return true;
        });
        std::vector<SortKey> keys;
        keys.reserve(events.size());
        for (std::size_t i = 0; i < events.size(); ++i)
            keys.push_back(SortKey{times[i],
                                   qopts.tiebreaker_field.empty() ? nullptr : events[i].find(qopts.tiebreaker_field), i});
        std::stable_sort(keys.begin(), keys.end(), [&](const SortKey& a, const SortKey& b) {
            if (a.ts != b.ts) return a.ts < b.ts;
            if (!qopts.tiebreaker_field.empty()) {
                int c = compare_tiebreakers(a.tiebreaker, b.tiebreaker);
                if (c != 0) return c < 0;
            }
            return a.input < b.input;
        });
        for (const auto& k : keys) matcher.feed(events[k.input]);
    }
    matcher.finish();
    untimed.report();

    Output out;
    bool with_keys = eql::query_kind(**query) != eql::QueryKind::Event;
    for (const auto& hit : matcher.hits()) print_hit(out, hit, with_keys);
    out.flush();
    if (matcher.hits().empty() && mopts.collect_diagnostics) print_explain(matcher.diagnostics());
    if (input_error) return kExitUsage;
    return matcher.hits().empty() ? kExitFailed : kExitOk;
}

}  // namespace

Command query_command() {
    return Command{"query", "run an EQL query or detection rule over telemetry (NDJSON hits)", kHelp, run_query};
}

}  // namespace attest::cli
