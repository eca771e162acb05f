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

// `collector` names a format of CollectorRegistry::builtin(); empty: detect it from content.
Expected<std::unique_ptr<Collector>> open_telemetry(const std::string& path,
                                                    std::string_view collector,
                                                    const CollectorOptions& options,
                                                    Profile profile, DiagnosticSink& sink);

}  // namespace attest::telemetry
