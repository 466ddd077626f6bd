#include "master/status_publisher.hpp"

namespace ha::master {

ipc::StatusSnapshot to_snapshot(const ClusterView& v) {
    ipc::StatusSnapshot s;
    s.generation = v.generation;
    s.local_node = v.local_node;
    s.local_status = v.local_status;
    s.rsc_hold = ipc::rsc_hold_from_word(v.rsc_hold).value_or(ipc::RscHold::none);
    for (const auto& n : v.nodes) {
        ipc::StatusNode sn;
        sn.name = n.name;
        sn.type = n.type == "ping" ? ipc::StatusNodeType::ping : ipc::StatusNodeType::normal;
        sn.status = n.status;
        s.nodes.push_back(std::move(sn));
    }
    for (const auto& l : v.links) {
        ipc::StatusLink sl;
        sl.node = l.node;
        sl.link = l.link;
        sl.up = l.up;
        sl.rx = l.received;
        sl.late = l.late;
        for (const auto& [reason, count] : l.dropped) sl.dropped.emplace_back(reason, count);
        if (l.age) sl.age_ms = l.age->count();
        s.links.push_back(std::move(sl));
    }
    if (v.parameter) {
        for (const char* name : {"keepalive", "deadtime", "warntime", "initdead", "deadping", "udpport", "baud",
                                 "auto_failback", "node", "hopfudge", "logfacility", "realtime"}) {
            if (auto value = v.parameter(name)) s.parameters.emplace_back(name, *value);
        }
    }
    return s;
}

}  // namespace ha::master
