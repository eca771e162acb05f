#include "collectors/builtin.h"

namespace attest {

void register_builtin_collectors(CollectorRegistry& registry) {
    register_winevent_xml_collector(registry);
    register_sysmon_linux_collector(registry);
    register_evtx_collector(registry);
    register_o365_collector(registry);
    register_mde_collector(registry);
    register_auditd_collector(registry);
    register_winevent_json_collector(registry);
    register_otrf_collector(registry);
    register_sentinel_collector(registry);
    register_winlogbeat_collector(registry);
    register_ndjson_collector(registry);
}

CollectorRegistry& CollectorRegistry::builtin() {
    static CollectorRegistry* registry = [] {
        auto* r = new CollectorRegistry();
        register_builtin_collectors(*r);
        return r;
    }();
    return *registry;
}

}  // namespace attest
