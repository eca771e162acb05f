// Opening telemetry through the telemetry layer: the collector registry reads the format,
// then the source's vocabulary for the requested profile is applied to every event. Every
// reader that takes a --profile (events, query, check, run) opens its files here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/expected.h"

namespace attest::telemetry {

// Passes a collector's events through the vocabulary of `profile` (itself for sysmon).
std::unique_ptr<Collector> with_vocabulary(std::unique_ptr<Collector> collector, Profile profile);

// `collector` names a format of CollectorRegistry::builtin(); empty: detect it from content.
Expected<std::unique_ptr<Collector>> open_telemetry(const std::string& path,
                                                    std::string_view collector,
                                                    const CollectorOptions& options,
                                                    Profile profile, DiagnosticSink& sink);

}  // namespace attest::telemetry
