#include "harness/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/timeutil.h"
#include "expectations/results.h"
#include "harness/transport_process.h"
#include "reports/coverage.h"

namespace attest::run {

namespace {
constexpr std::string_view kMask = "********";
}

void Masker::add(const std::string& secret) {
    if (secret.empty()) return;
    std::unique_lock lock(m_mutex);
    if (std::find(m_secrets.begin(), m_secrets.end(), secret) != m_secrets.end()) return;
    m_secrets.push_back(secret);
    std::sort(m_secrets.begin(), m_secrets.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

bool Masker::empty() const {
    std::shared_lock lock(m_mutex);
    return m_secrets.empty();
}

std::string Masker::mask(std::string text) const {
    std::shared_lock lock(m_mutex);
    return mask_text(std::move(text));
}

void Masker::mask(Value& value) const {
    std::shared_lock lock(m_mutex);
    mask_value(value);
}

std::string Masker::mask_text(std::string text) const {
    for (const auto& s : m_secrets) {
        std::size_t pos = 0;
        while ((pos = text.find(s, pos)) != std::string::npos) {
            text.replace(pos, s.size(), kMask);
            pos += kMask.size();
        }
    }
    return text;
}

void Masker::mask_value(Value& value) const {
    if (m_secrets.empty()) return;
    switch (value.kind()) {
        case Value::Kind::String: value.as_string() = mask_text(std::move(value.as_string())); break;
        case Value::Kind::Array:
            for (auto& e : value.as_array()) mask_value(e);
            break;
        case Value::Kind::Object:
            for (auto& m : value.as_object()) mask_value(m.value);
            break;
        default: break;
    }
}

Expected<std::unique_ptr<Journal>> Journal::open(const std::string& out_dir, const Masker* masker) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return make_error("cannot create " + out_dir + ": " + ec.message());
    std::unique_ptr<Journal> j(new Journal());
    j->m_dir = out_dir;
    j->m_masker = masker;
    j->m_log = std::fopen((out_dir + "/run.log").c_str(), "a");
    if (j->m_log == nullptr) {
        return make_error("cannot open " + out_dir + "/run.log: " + std::strerror(errno));
    }
    return j;
}

Journal::~Journal() {
    if (m_log) std::fclose(m_log);
}

Expected<void> Journal::add(Value scenario, const Value& run) {
    reports::attach_coverage(scenario);
    if (m_masker) m_masker->mask(scenario);
    std::lock_guard lock(m_mutex);
    m_scenarios.push_back(std::move(scenario));
    return write_locked(run);
}

Expected<void> Journal::flush(const Value& run) {
    std::lock_guard lock(m_mutex);
    return write_locked(run);
}

std::vector<Value> Journal::scenarios() const {
    std::lock_guard lock(m_mutex);
    return m_scenarios;
}

Expected<void> Journal::write_locked(const Value& run) {
    Value run_copy = run;
    if (m_masker) m_masker->mask(run_copy);
    Value doc = expectations::results_document(run_copy, m_scenarios);
    reports::attach_coverage_summary(doc);
    std::string text = doc.to_json();
    text.push_back('\n');
    return write_file_atomic(results_path(), text);
}

void Journal::log(const std::string& line) {
    std::string text = format_iso8601(now_ns(), 3) + " " +
                       (m_masker ? m_masker->mask(line) : line) + "\n";
    std::lock_guard lock(m_mutex);
    if (m_log) {
        std::fputs(text.c_str(), m_log);
        std::fflush(m_log);
    }
}

}  // namespace attest::run
