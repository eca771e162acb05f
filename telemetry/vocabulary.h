// The vocabulary translation declared by each source (SourceSpec::endpoint_vocabulary),
// applied in one place: by open_telemetry() for data read under the endpoint profile, and by
// the expectations engine for endpoint-profile matchers fed sysmon-profile data.
#pragma once

#include "core/collector.h"
#include "core/value.h"
#include "telemetry/source_spec.h"

namespace attest::telemetry {

// The row of `spec`'s endpoint vocabulary that applies to `event`, or nullptr.
const VocabularyRule* endpoint_rule(const SourceSpec& spec, const Event& event);

// Rewrites event.action, event.category and event.type of a sysmon-profile event into
// `profile`'s vocabulary, from the table of the source its event.dataset belongs to. Events
// of sources without a translation, or of codes without a row, are left as they are; so is
// every event under Profile::Sysmon (the normalizers' own vocabulary).
void translate(Event& event, Profile profile);

}  // namespace attest::telemetry
