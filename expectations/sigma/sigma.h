// Sigma rules (shared/spec/sigma.md), compiled into the EQL engine's predicate form so that
// matching, near misses and per-clause counts work as for EQL.
//
//   auto set = sigma::load("rules/sigma/", {});       // a file or a folder (SigmaHQ layout)
//   if (!set) { /* "file:line:column: detection.sel.Image|re|contains: message\n<line>\n<caret>" */
//   } sigma::RuleSetMatcher m(*set, {});                  // every rule that produces results for
//   each event (in timestamp order): m.feed(event); m.finish(); for (auto& hit : m.hits()) ... //
//   hit.rule indexes set->rules
//
// A plain rule's `query` is an ordinary eql::Query (one event term whose scope is the
// logsource), usable wherever an EQL event query is.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/value.h"
#include "expectations/eql/eql.h"
#include "expectations/rule_fields.h"

namespace attest::sigma {

struct LogSource {
    std::string product, category, service;
    std::string describe() const;  // "product=windows category=process_creation"
};

enum class CorrelationType { EventCount, ValueCount, Temporal, TemporalOrdered };
enum class CountOp { Gt, Gte, Lt, Lte, Eq };

struct Correlation {
    CorrelationType type = CorrelationType::EventCount;
    std::vector<std::string> rules;       // as written (name or id)
    std::vector<std::size_t> rule_index;  // resolved into RuleSet::rules
    std::vector<std::string> group_by;
    std::int64_t timespan_ns = 0;
    // event_count / value_count: every pair must hold (`gte: 5` and `lt: 10` together).
    std::vector<std::pair<CountOp, std::int64_t>> condition;
    std::string field;  // value_count: the field whose distinct values are counted
};

struct Rule {
    std::string path;                    // the file
    std::uint64_t line = 1, column = 1;  // where the document starts
    std::string title, id, name, status, level, description;
    std::vector<std::string> tags;
    std::vector<std::string> techniques;  // from attack.tNNNN[.NNN] tags, upper-cased
    LogSource logsource;
    // attest sources (the telemetry/ source table names) that can supply the logsource; empty
    // with `supplied == false`: none can (the rule is not_collected, never not_fired).
    std::vector<std::string> sources;
    bool supplied = true;
    std::shared_ptr<const eql::Query> query;  // plain rules
    std::optional<Correlation> correlation;   // correlation rules (query is null)
    bool generate = true;  // false: only a correlation's input, no results of its own
    // The field names its detection items use, as written, once each, with their positions.
    std::vector<rules::FieldRef> fields;
};

struct RuleSet {
    std::vector<Rule> rules;
};

struct LoadOptions {
    // `expand` modifier: %name% → the listed values (OR). Unknown names are load errors.
    std::map<std::string, std::vector<std::string>> placeholders;
};

// A .yml/.yaml file or a folder searched recursively for them (hidden folders skipped). A
// file's correlations may name rules of other files of its folder (read_with_inputs).
Expected<RuleSet> load(const std::string& path, const LoadOptions& options = {});
// The same from text (several `---` documents allowed).
Expected<RuleSet> parse(std::string_view text, std::string_view origin,
                        const LoadOptions& options = {});

struct Source {
    std::string path, text;
};
// A rule file's text and, when its correlations name rules it does not define, the other
// .yml/.yaml files of its folder (not subfolders) that define them. Read once by the pack
// loader; parse() takes the list.
Expected<std::vector<Source>> read_with_inputs(const std::string& path,
                                               const LoadOptions& options = {});
// Every rule of the first source, and of the others only the rules its correlations name.
Expected<RuleSet> parse(const std::vector<Source>& sources, const LoadOptions& options = {});
// The one rule of a file that a pack detection names: its one plain rule, or its one
// correlation when every other rule of the file is an input of it (several rules otherwise
// are an error saying so). A correlation has no `query`: evaluate it with RuleSetMatcher.
Expected<const Rule*> single_rule(const RuleSet& set, std::string_view origin);
// Where a Sigma field name is read in attest's events (candidate paths, in order).
std::vector<std::string> field_paths(std::string_view name);
// Whether the field table knows a Sigma field name (or, for a dotted path, ECS or a source).
bool known_field(std::string_view name);
// Every Sigma field name of the table and every native name a source writes, sorted (the
// nearest-name hint).
const std::vector<std::string>& field_names();

// True when the path names a Sigma rule file (by extension).
bool is_sigma_path(std::string_view path);

struct Hit {
    std::size_t rule = 0;
    std::vector<std::shared_ptr<const Event>> events;
    std::vector<Value> group;  // correlation group-by values
};

struct MatcherOptions {
    bool collect_diagnostics = false;
    std::size_t max_near_misses = 5;
    std::size_t max_events_per_hit = 16;  // evidence kept per correlation hit
};

// Evaluates every result-producing rule of a set in one pass (plain rules through
// eql::Matcher, correlations over their inputs with bounded state per group key).
class RuleSetMatcher {
public:
    RuleSetMatcher(std::shared_ptr<const RuleSet> set, MatcherOptions options = {});
    ~RuleSetMatcher();
    RuleSetMatcher(RuleSetMatcher&&) noexcept;
    RuleSetMatcher& operator=(RuleSetMatcher&&) noexcept;

    void feed(const Event& event);
    void finish();
    const std::vector<Hit>& hits() const;  // by rule order, then in input order
    // Diagnostics of each plain result-producing rule (by rule index).
    std::vector<std::pair<std::size_t, eql::Diagnostics>> diagnostics() const;
    // How many events a correlation's input rule matched (0 for a rule no correlation reads).
    std::uint64_t input_matches(std::size_t rule) const;
    std::size_t live_groups() const;  // correlation state, for memory checks

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace attest::sigma
