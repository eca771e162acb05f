// Registration functions of the built-in collectors (called by register_builtin_collectors).
#pragma once

#include "core/collector.h"

namespace attest {

void register_winevent_xml_collector(CollectorRegistry& registry);   // winevent_xml.cpp
void register_sysmon_linux_collector(CollectorRegistry& registry);   // sysmon_linux.cpp
void register_evtx_collector(CollectorRegistry& registry);           // evtx.cpp
void register_o365_collector(CollectorRegistry& registry);           // o365.cpp
void register_mde_collector(CollectorRegistry& registry);            // mde.cpp
void register_auditd_collector(CollectorRegistry& registry);         // auditd.cpp
void register_winevent_json_collector(CollectorRegistry& registry);  // winevent_json.cpp
void register_otrf_collector(CollectorRegistry& registry);           // otrf.cpp
void register_sentinel_collector(CollectorRegistry& registry);       // sentinel.cpp
void register_winlogbeat_collector(CollectorRegistry& registry);     // winlogbeat.cpp
void register_ndjson_collector(CollectorRegistry& registry);         // ndjson.cpp

}  // namespace attest
