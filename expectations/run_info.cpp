#include "expectations/run_info.h"

#include <fstream>
#include <sstream>

#include "core/json.h"
#include "core/timeutil.h"

namespace attest::expectations {
namespace {

std::string str(const Value* v) { return v && v->is_string() ? v->as_string() : std::string(); }

// A process id written as a number or as text.
std::string id_member(const Value* v) {
    if (v && v->is_int()) return std::to_string(v->as_int());
    return str(v);
}

Expected<std::optional<std::int64_t>> time_member(const Value& obj, std::string_view path,
                                                  const std::string& ctx) {
    const Value* v = obj.find(path);
    if (!v || v->is_null()) return std::optional<std::int64_t>();
    if (!v->is_string()) return make_error(ctx + ": '" + std::string(path) + "' must be an ISO-8601 string");
    auto t = parse_iso8601_ns(v->as_string());
    if (!t) return make_error(ctx + ": '" + std::string(path) + "' is not ISO-8601: '" + v->as_string() + "'");
    return std::optional<std::int64_t>(*t);
}

Expected<std::set<std::string>> string_set(const Value* v, const std::string& what) {
    std::set<std::string> out;
    if (!v || v->is_null()) return out;
    if (!v->is_array()) return make_error(what + " must be a list of source names");
    for (const auto& x : v->as_array()) {
        if (!x.is_string()) return make_error(what + " must hold strings");
        out.insert(x.as_string());
    }
    return out;
}

}  // namespace

Expected<std::vector<RunInfoEntry>> parse_run_info(const Value& doc) {
    if (!doc.is_object()) return make_error("run info: the document must be a JSON object");
    const Value* list = doc.get("scenarios");
    if (!list || !list->is_array()) return make_error("run info: missing 'scenarios' list");
    std::string default_host = str(doc.get("host"));
    if (default_host.empty()) default_host = str(doc.find("run.lab_host"));
    auto default_collected = string_set(doc.get("collected"), "run info: 'collected'");
    if (!default_collected) return default_collected.error();
    auto default_pending = string_set(doc.get("pending"), "run info: 'pending'");
    if (!default_pending) return default_pending.error();

    std::vector<RunInfoEntry> out;
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const Value& s = list->as_array()[i];
        std::string ctx = "run info: scenarios[" + std::to_string(i) + "]";
        if (!s.is_object()) return make_error(ctx + " must be an object");
        RunInfoEntry e;
        e.guid = str(s.get("guid"));
        for (auto& c : e.guid) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (e.guid.empty()) return make_error(ctx + ": missing 'guid'");
        RunFacts& f = e.facts;
        f.host = str(s.get("host"));
        if (f.host.empty()) f.host = str(s.get("target"));
        if (f.host.empty()) f.host = default_host;
        for (const char* prefix : {"", "execution."}) {
            std::string p(prefix);
            auto start = time_member(s, p + "start", ctx);
            if (!start) return start.error();
            auto end = time_member(s, p + "end", ctx);
            if (!end) return end.error();
            if (*start && !f.start_ns) f.start_ns = **start;
            if (*end && !f.end_ns) f.end_ns = **end;
        }
        auto cleanup = time_member(s, "cleanup_start", ctx);
        if (!cleanup) return cleanup.error();
        if (*cleanup) f.cleanup_start_ns = **cleanup;
        if (f.start_ns && f.end_ns && *f.end_ns < *f.start_ns)
            return make_error(ctx + ": 'end' is before 'start'");
        // The executor's process: `executor_pid` / `executor_entity_id`, or a run's
        // execution.executor_pid.
        ProcessAnchor anchor;
        for (const char* prefix : {"", "execution."}) {
            std::string p(prefix);
            if (anchor.pid.empty()) anchor.pid = id_member(s.find(p + "executor_pid"));
            if (anchor.entity_id.empty()) anchor.entity_id = str(s.find(p + "executor_entity_id"));
        }
        if (!anchor.pid.empty() || !anchor.entity_id.empty()) f.anchor = std::move(anchor);
        if (const Value* a = s.get("arguments"); a && a->is_object())
            for (const auto& m : a->as_object()) {
                if (m.value.is_string()) f.arguments[m.key] = m.value.as_string();
                else f.arguments[m.key] = m.value.to_json();
            }
        if (const Value* c = s.get("collected")) {
            auto set = string_set(c, ctx + ": 'collected'");
            if (!set) return set.error();
            f.collected = *set;
        } else if (const Value* c2 = doc.get("collected"); c2 && c2->is_array()) {
            f.collected = *default_collected;
        }
        auto pending = string_set(s.get("pending"), ctx + ": 'pending'");
        if (!pending) return pending.error();
        f.pending = s.get("pending") ? *pending : *default_pending;
        std::string verdict = str(s.get("verdict"));
        // Only outcomes decided before evaluation are taken over from a run.
        if (verdict == "error" || verdict == "skipped") {
            f.preset_verdict = verdict;
            f.preset_reason = str(s.get("reason"));
        }
        out.push_back(std::move(e));
    }
    return out;
}

Expected<std::vector<RunInfoEntry>> load_run_info(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot read the run info file");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        Value doc = parse_json_value(ss.str());
        auto r = parse_run_info(doc);
        if (!r) return make_error(path + ": " + r.error().message);
        return r;
    } catch (const std::exception& e) {
        return make_error(path + ": not valid JSON: " + e.what());
    }
}

}  // namespace attest::expectations
