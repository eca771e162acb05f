// attest recheck: pending expectations (lagging sources such as the O365 audit log) of a
// finished run are evaluated again once their telemetry has arrived.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/json.h"
#include "core/timeutil.h"
#include "expectations/engine.h"
#include "expectations/results.h"
#include "harness/journal.h"
#include "telemetry/live/o365_api.h"
#include "harness/runner.h"
#include "telemetry/sources.h"

namespace attest::run {

namespace ex = attest::expectations;
namespace sc = attest::scenarios;

namespace {

std::string string_at(const Value& v, std::string_view path) {
    const Value* p = v.find(path);
    return p && p->is_string() ? p->as_string() : std::string();
}

std::set<std::string> strings_at(const Value& v, std::string_view path) {
    std::set<std::string> out;
    if (const Value* p = v.find(path); p && p->is_array())
        for (const auto& e : p->as_array())
            if (e.is_string()) out.insert(e.as_string());
    return out;
}

bool has_pending(const Value& scenario) {
    const Value* exps = scenario.get("expectations");
    if (!exps || !exps->is_array()) return false;
    for (const auto& e : exps->as_array())
        if (string_at(e, "verdict") == "pending") return true;
    return false;
}

Expected<void> copy_or_fetch(const SourceConfig& cfg, std::int64_t from_ns, const std::string& dest) {
    if (!cfg.file.empty()) {
        std::error_code ec;
        std::filesystem::copy_file(cfg.file, dest, std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) return make_error("cannot copy " + cfg.file + ": " + ec.message());
        return {};
    }
    if (cfg.api) {
        telemetry::O365Client client(*cfg.api);
        auto records = client.fetch_audit(from_ns - 5LL * 60 * 1000000000LL, now_ns());
        if (!records) return records.error();
        return write_file_atomic(dest, *records);
    }
    return make_error("source " + cfg.name + " cannot be fetched again after the run");
}

}  // namespace

Expected<RunSummary> recheck_run(const std::string& out_dir, const std::string& lab_path_in,
                                 const std::string& pack_path_in,
                                 std::function<void(const std::string&)> progress) {
    std::string results_path = out_dir + "/results.json";
    std::ifstream in(results_path, std::ios::binary);
    if (!in) return make_error(results_path + ": cannot read (is " + out_dir + " a run's --out?)");
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::ordered_json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return make_error(results_path + ": not a JSON results document");
    Value doc = value_from_json(j);
    if (string_at(doc, "schema") != ex::kResultsSchema)
        return make_error(results_path + ": schema is not " + std::string(ex::kResultsSchema));
    std::string lab_path = lab_path_in.empty() ? string_at(doc, "run.lab_file") : lab_path_in;
    std::string pack_path = pack_path_in.empty() ? string_at(doc, "run.pack") : pack_path_in;
    DiagnosticSink lab_sink(DiagnosticSink::stderr_printer());
    auto lab = load_lab(lab_path, lab_sink);
    if (!lab) return lab.error();
    sc::Problems problems;
    auto pack = sc::load_pack(pack_path, problems);
    if (!pack) return pack.error();

    Masker masker;
    for (const auto& t : lab->targets) {
        for (const auto& env : t.secret_envs)
            if (const char* v = std::getenv(env.c_str())) masker.add(v);
        for (const auto& s : t.sources)
            if (s.api)
                if (const char* v = std::getenv(s.api->client_secret_env.c_str())) masker.add(v);
    }

    const Value* list = doc.get("scenarios");
    std::vector<Value> scenarios;
    int rechecked = 0;
    if (list && list->is_array()) {
        for (const auto& old : list->as_array()) {
            if (!has_pending(old)) {
                scenarios.push_back(old);
                continue;
            }
            const sc::AtomicTest* test = pack->find_test(string_at(old, "guid"));
            const TargetConfig* target = lab->target(string_at(old, "target"));
            if (!test || !target) {
                if (progress) progress(string_at(old, "name") + ": kept as it was (scenario or target no longer known)");
                scenarios.push_back(old);
                continue;
            }
            ex::ScenarioChecks checks = pack->checks_for(*test);
            ex::RunFacts facts;
            // Masked (secret) arguments fall back to their defaults: they never left the run.
            std::map<std::string, std::string> overrides;
            if (const Value* a = old.get("arguments"); a && a->is_object())
                for (const auto& m : a->as_object())
                    if (m.value.is_string() && m.value.as_string() != "********" &&
                        test->find_argument(m.key))
                        overrides[m.key] = m.value.as_string();
            auto resolved = sc::resolve_test(*test, overrides, pack->atomics_folder);
            if (resolved) facts.arguments = resolved->arguments;
            facts.start_ns = parse_iso8601_ns(string_at(old, "execution.start"));
            facts.end_ns = parse_iso8601_ns(string_at(old, "execution.end"));
            facts.cleanup_start_ns = parse_iso8601_ns(string_at(old, "collection.cleanup_start"));
            if (std::string pid = string_at(old, "execution.executor_pid"); !pid.empty())
                facts.anchor = ex::ProcessAnchor{pid, {}};
            std::set<std::string> collected = strings_at(old, "collection.collected");
            std::vector<std::string> files;
            for (const auto& f : strings_at(old, "collection.telemetry"))
                if (std::filesystem::exists(f)) files.push_back(f);
            std::string dir = out_dir + "/recheck/" + test->guid;
            std::filesystem::create_directories(dir);
            for (const auto& src : target->sources) {
                const auto* info = telemetry::find_source(src.name);
                if (!info || !info->lagging) continue;
                std::string dest = dir + "/" + src.name + ".json";
                auto ok = copy_or_fetch(src, facts.start_ns.value_or(0), dest);
                if (!ok) {
                    if (progress) progress(test->name + ": " + src.name + ": " + ok.error().message);
                    continue;
                }
                collected.insert(src.name);
                files.erase(std::remove_if(files.begin(), files.end(),
                                           [&](const std::string& f) {
                                               return std::filesystem::path(f).stem() == src.name;
                                           }),
                            files.end());
                files.push_back(dest);
                if (facts.end_ns &&
                    now_ns() < *facts.end_ns + std::chrono::nanoseconds(src.latency).count())
                    facts.pending.insert(src.name);
            }
            facts.collected = collected;
            DiagnosticSink sink;
            Value v = ex::scenario_to_json(
                evaluate_scenario(checks, facts, telemetry::Stream::files(files, {}), sink));
            for (const char* key : {"target", "platform", "prerequisites", "execution", "cleanup",
                                    "window_closed_before_cleanup", "collection"})
                if (const Value* k = old.get(key)) v.set_key(key, *k);
            if (Value* c = v.get("collection"); c && c->is_object()) {
                Value col = Value::array();
                for (const auto& s : collected) col.push_back(Value(s));
                c->set_key("collected", std::move(col));
                Value pend = Value::array();
                for (const auto& s : facts.pending) pend.push_back(Value(s));
                c->set_key("pending", std::move(pend));
            }
            masker.mask(v);
            if (progress)
                progress(test->name + ": " + string_at(old, "verdict") + " -> " + string_at(v, "verdict"));
            scenarios.push_back(std::move(v));
            ++rechecked;
        }
    }
    Value run = doc.get("run") ? *doc.get("run") : Value::object();
    run.set_key("mode", Value("recheck"));
    run.set_key("rechecked", Value(format_iso8601(now_ns())));
    Value out = ex::results_document(run, scenarios);
    auto w = write_file_atomic(results_path, out.to_json() + "\n");
    if (!w) return w.error();
    RunSummary summary;
    summary.results_path = results_path;
    for (const auto& v : scenarios) {
        std::string name = string_at(v, "verdict");
        if (name == "passed") ++summary.passed;
        else if (name == "failed") ++summary.failed;
        else if (name == "error") ++summary.error;
        else if (name == "inconclusive") ++summary.inconclusive;
        else if (name == "executed") ++summary.executed;
        else if (name == "skipped") ++summary.skipped;
    }
    if (progress) progress(std::to_string(rechecked) + " scenario(s) with pending expectations re-evaluated; " + results_path);
    return summary;
}

}  // namespace attest::run
