// render_prometheus: golden lines for a known ClusterView, HELP/TYPE before every family, escaped
// label values, and state sets with exactly one 1. promtool checks the live output in
// integration_tests (TwoNodes.Metrics*).
#include "master/prometheus_metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

using namespace ha::master;
using namespace std::chrono_literals;

namespace {

ClusterView view() {
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.generation = 7;
    v.keepalive = 200ms;
    v.deadtime = 2s;
    v.rsc_hold = "local";
    v.nodes = {{"web1", "normal", "active", 0}, {"web2", "normal", "dead", 3}, {"192.0.2.1", "ping", "ping", 0}};
    LinkView l;
    l.node = "web2";
    l.link = "eth1";
    l.up = false;
    l.age = 2500ms;
    l.received = 89;
    l.late = 2;
    l.dropped = {{"duplicate", 4}};
    l.wire_dropped = {{"bad_auth", 6}, {"duplicate", 1}};
    l.sent = 95;
    l.interval = 210ms;
    v.links = {l};
    LinkView never;
    never.node = "web2";
    never.link = "/dev/ttyS0";
    v.links.push_back(never);
    GroupView g{"web1 192.0.2.100/24/eth0 nginx", "held here", "IPaddr::192.0.2.100/24/eth0", "held"};
    g.acquisitions = 2;
    g.failovers = 1;
    g.releases = 1;
    g.start_failures = 1;
    v.groups = {g};
    v.guard_verdicts = {{"clear", 1}, {"held", 0}, {"error", 0}};
    v.respawns = {{"heartbeatd-net", 0}, {"rscd", 2}};
    return v;
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line) return true;
    return false;
}

}  // namespace

TEST(PrometheusMetrics, SamplesCarryTheViewsFactsWithTheirLabels) {
    const std::string t = render_prometheus(view());
    for (const char* line : {
             "hamaster_generation 7",
             "hamaster_keepalive_seconds 0.2",
             "hamaster_deadtime_seconds 2",
             "hamaster_local_status{status=\"active\"} 1",
             "hamaster_local_status{status=\"up\"} 0",
             "hamaster_resources_held{hold=\"local\"} 1",
             "hamaster_peer_status{peer=\"web2\",status=\"dead\"} 1",
             "hamaster_peer_status{peer=\"web2\",status=\"active\"} 0",
             "hamaster_peer_lost_messages_total{peer=\"web2\"} 3",
             "hamaster_ping_node_up{ping_node=\"192.0.2.1\"} 1",
             "hamaster_link_up{peer=\"web2\",link=\"eth1\"} 0",
             "hamaster_link_received_packets_total{peer=\"web2\",link=\"eth1\"} 89",
             "hamaster_link_sent_packets_total{peer=\"web2\",link=\"eth1\"} 95",
             "hamaster_link_late_heartbeats_total{peer=\"web2\",link=\"eth1\"} 2",
             "hamaster_link_dropped_packets_total{peer=\"web2\",link=\"eth1\",reason=\"bad_auth\"} 6",
             "hamaster_link_dropped_packets_total{peer=\"web2\",link=\"eth1\",reason=\"duplicate\"} 5",  // master's + wire
             "hamaster_link_loss_ratio{peer=\"web2\",link=\"eth1\"} 0.11",  // 11 / (89 + 11)
             "hamaster_link_last_heard_seconds{peer=\"web2\",link=\"eth1\"} 2.5",
             "hamaster_link_heartbeat_interval_seconds{peer=\"web2\",link=\"eth1\"} 0.21",
             "hamaster_link_up{peer=\"web2\",link=\"/dev/ttyS0\"} 0",
             "hamaster_resource_group_state{group=\"IPaddr::192.0.2.100/24/eth0\",state=\"held\"} 1",
             "hamaster_resource_group_state{group=\"IPaddr::192.0.2.100/24/eth0\",state=\"stopped\"} 0",
             "hamaster_resource_group_acquisitions_total{group=\"IPaddr::192.0.2.100/24/eth0\"} 2",
             "hamaster_failovers_total{group=\"IPaddr::192.0.2.100/24/eth0\"} 1",
             "hamaster_resource_group_releases_total{group=\"IPaddr::192.0.2.100/24/eth0\"} 1",
             "hamaster_resource_group_failures_total{group=\"IPaddr::192.0.2.100/24/eth0\",op=\"start\"} 1",
             "hamaster_guard_verdicts_total{verdict=\"clear\"} 1",
             "hamaster_child_respawns_total{child=\"rscd\"} 2",
             "# TYPE hamaster_failovers_total counter",
             "# TYPE hamaster_link_up gauge",
         })
        EXPECT_TRUE(has_line(t, line)) << line << "\n" << t;
    // A link never heard has no age and no interval rather than a made-up one.
    EXPECT_EQ(t.find("hamaster_link_last_heard_seconds{peer=\"web2\",link=\"/dev/ttyS0\"}"), std::string::npos) << t;
    EXPECT_EQ(t.find("hamaster_link_heartbeat_interval_seconds{peer=\"web2\",link=\"/dev/ttyS0\"}"), std::string::npos) << t;
}

TEST(PrometheusMetrics, EveryFamilyHasHelpAndTypeFirstAndCountersEndInTotal) {
    const std::string t = render_prometheus(view());
    std::istringstream in(t);
    std::map<std::string, std::string> type;  // family → TYPE, as declared before its samples
    std::string help_for;
    for (std::string l; std::getline(in, l);) {
        if (l.rfind("# HELP ", 0) == 0) {
            help_for = l.substr(7, l.find(' ', 7) - 7);
            continue;
        }
        if (l.rfind("# TYPE ", 0) == 0) {
            const std::string name = l.substr(7, l.find(' ', 7) - 7);
            EXPECT_EQ(name, help_for) << "TYPE without HELP just before: " << l;
            EXPECT_TRUE(type.emplace(name, l.substr(l.rfind(' ') + 1)).second) << "family declared twice: " << name;
            continue;
        }
        const std::string name = l.substr(0, l.find_first_of("{ "));
        ASSERT_TRUE(type.count(name)) << "sample before its TYPE: " << l;
        EXPECT_EQ(name.rfind("hamaster_", 0), 0u) << l;
    }
    for (const auto& [name, kind] : type) {
        const bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
        EXPECT_EQ(kind == "counter", total) << name << " is a " << kind;
    }
}

TEST(PrometheusMetrics, LabelValuesAreEscaped) {
    ClusterView v = view();
    v.groups[0].key = "odd\"group\\with\nnewline";
    const std::string t = render_prometheus(v);
    EXPECT_TRUE(has_line(t, "hamaster_failovers_total{group=\"odd\\\"group\\\\with\\nnewline\"} 1")) << t;
}

TEST(PrometheusMetrics, AnUnknownStateIsAddedToItsSetWithOneOne) {
    ClusterView v = view();
    v.nodes[1].status = "shutdown";
    const std::string t = render_prometheus(v);
    EXPECT_TRUE(has_line(t, "hamaster_peer_status{peer=\"web2\",status=\"shutdown\"} 1")) << t;
    EXPECT_TRUE(has_line(t, "hamaster_peer_status{peer=\"web2\",status=\"dead\"} 0")) << t;
}
