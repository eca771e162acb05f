#include "telemetry/open.h"

#include "telemetry/vocabulary.h"

namespace attest::telemetry {

namespace {

// Passes a collector's events through the vocabulary of a profile.
class TranslatingCollector final : public Collector {
public:
    TranslatingCollector(std::unique_ptr<Collector> inner, Profile profile)
        : m_inner(std::move(inner)), m_profile(profile) {}
    bool next(Event& out) override {
        bool more = m_inner->next(out);
        m_stats = m_inner->stats();
        if (more) translate(out, m_profile);
        return more;
    }
    void recycle(Event&& dead) override { m_inner->recycle(std::move(dead)); }

private:
    std::unique_ptr<Collector> m_inner;
    Profile m_profile;
};

}  // namespace

Expected<std::unique_ptr<Collector>> open_telemetry(const std::string& path,
                                                    std::string_view collector,
                                                    const CollectorOptions& options,
                                                    Profile profile, DiagnosticSink& sink) {
    auto c = CollectorRegistry::builtin().open(path, collector, options, sink);
    if (!c) return c;
    return with_vocabulary(std::move(*c), profile);
}

std::unique_ptr<Collector> with_vocabulary(std::unique_ptr<Collector> collector, Profile profile) {
    if (profile == Profile::Sysmon) return collector;
    return std::make_unique<TranslatingCollector>(std::move(collector), profile);
}

}  // namespace attest::telemetry
