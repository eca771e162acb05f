#include "telemetry/event_facts.h"

#include <charconv>

#include "core/timeutil.h"
#include "telemetry/sources.h"

namespace attest::telemetry {

namespace {

// A process id as text: a string as is, an integer in decimal; anything else names nothing.
void id_text(const Value* v, std::string& out) {
    if (v == nullptr) return;
    if (v->is_string()) {
        out = v->as_string();
    } else if (v->is_int()) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v->as_int());
        out.assign(buf, end);
    }
}

}  // namespace

EventFacts EventFacts::of(const Event& event) {
    const SourceSpec* source = nullptr;
    if (const Value* d = event.find("event.dataset"); d && d->is_string())
        source = source_of_dataset(d->as_string());
    return of(event, source);
}

EventFacts EventFacts::of(const Event& event, const SourceSpec* source) {
    EventFacts f;
    f.source = source;
    if (const Value* ts = event.find("@timestamp"))
        f.ts = timestamp_value_ns(*ts).value_or(kUntimed);
    if (const Value* h = event.find("host.name"); h && h->is_string()) f.host = h->as_string();
    if (f.source == nullptr || f.source->lineage.self.empty()) return f;
    const ProcessIdentity& identity = f.source->lineage;
    id_text(event.find(identity.self), f.self);
    id_text(event.find(identity.parent), f.parent);
    if (!identity.reused) id_text(event.find("process.pid"), f.pid);
    return f;
}

}  // namespace attest::telemetry
