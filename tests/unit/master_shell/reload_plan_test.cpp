#include "master/reload_plan.hpp"

#include <gtest/gtest.h>

using namespace ha;
using namespace std::chrono_literals;

namespace {

// A group `node VIP service` (only the VIP is a Resource: the key is what matters here).
conf::ResourceGroup vip_group(std::string node, std::string address, std::string service) {
    conf::ResourceGroup g;
    g.node = node;
    g.text = node + " " + address + "/24/eth0 " + service;
    conf::Resource vip;
    vip.word = "IPaddr::" + address + "/24/eth0";
    g.resources.push_back(vip);
    return g;
}

conf::Config base() {
    conf::Config c;
    c.local_node = "web1";
    c.ha_cf.nodes = {"web1", "web2"};
    c.ha_cf.media = {conf::Medium{conf::MediumKind::ucast, "eth1", "198.51.100.12", "", 0, 0, false, 0, false, 1}};
    c.haresources.groups.push_back(vip_group("web1", "192.0.2.100", "nginx"));
    return c;
}

bool mentions(const std::vector<std::string>& lines, std::string_view text) {
    for (const auto& n : lines)
        if (n.find(text) != std::string::npos) return true;
    return false;
}
bool mentions(const master::ReloadPlan& p, std::string_view text) { return mentions(p.notes, text) || mentions(p.warnings, text); }

}  // namespace

TEST(ReloadPlan, UnchangedConfigChangesNothing) {
    auto p = master::plan_reload(base(), base(), {});
    EXPECT_FALSE(p.timings || p.children || p.restart_needed);
    EXPECT_TRUE(mentions(p, "unchanged"));
}

TEST(ReloadPlan, TimingsApplyLive) {
    auto next = base();
    next.ha_cf.deadtime = 10s;
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.timings);
    EXPECT_FALSE(p.restart_needed);
}

TEST(ReloadPlan, PeerAddressChangeRestartsTheMediaDaemonOnly) {
    auto next = base();
    next.ha_cf.media[0].peer = "198.51.100.13";
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.children);
    EXPECT_FALSE(p.restart_needed);
}

TEST(ReloadPlan, WatchdogOrCoredumpsChangeNeedsARestart) {
    auto next = base();
    next.ha_cf.watchdog = "/dev/watchdog";
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.restart_needed);
    EXPECT_TRUE(mentions(p.warnings, "watchdog, coredumps or coreroot changed"));
    next = base();
    next.ha_cf.coredumps = false;
    EXPECT_TRUE(master::plan_reload(base(), next, {}).restart_needed);
}

TEST(ReloadPlan, MetricsTextfileChangeNeedsARestart) {
    auto next = base();
    next.ha_cf.metrics_textfile_dir = "/var/lib/prometheus/node-exporter";
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.restart_needed);
    EXPECT_TRUE(mentions(p.warnings, "metrics_textfile_dir or metrics_interval changed"));
    next = base();
    next.ha_cf.metrics_interval = std::chrono::seconds(5);
    EXPECT_TRUE(master::plan_reload(base(), next, {}).restart_needed);
}

TEST(ReloadPlan, NewLinkNameNeedsARestart) {
    auto next = base();
    next.ha_cf.media[0].device = "eth2";
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.restart_needed);
    EXPECT_FALSE(p.children);
}

TEST(ReloadPlan, GroupChangeOnTheHolderNeedsAStandbyAndNothingOfHaresourcesApplies) {
    auto next = base();
    next.haresources.groups[0].text = "web1 192.0.2.100/24/eth0 nginx apache2";
    next.haresources.groups.push_back(vip_group("web2", "192.0.2.101", "mail"));
    const std::string key = next.haresources.groups[0].key();
    auto p = master::plan_reload(base(), next, {key});
    EXPECT_FALSE(p.groups);
    EXPECT_TRUE(mentions(p.warnings, "resource group " + key + " changed and is held here: run hb_standby, then reload again"));
    EXPECT_TRUE(mentions(p.notes, "resource group IPaddr::192.0.2.101/24/eth0 added; not applied"));
    EXPECT_EQ(p.group_changes.size(), 2u);
}

TEST(ReloadPlan, GroupChangesNotBusyHereAreHandedOnToApply) {
    auto next = base();
    next.haresources.groups[0].text = "web1 192.0.2.100/24/eth0 nginx apache2";
    next.haresources.groups.push_back(vip_group("web2", "192.0.2.101", "mail"));
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.groups);
    EXPECT_FALSE(p.restart_needed);
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(p.group_changes, (std::vector<conf::GroupChange>{{"IPaddr::192.0.2.100/24/eth0", conf::GroupChange::Kind::changed},
                                                               {"IPaddr::192.0.2.101/24/eth0", conf::GroupChange::Kind::added}}));
}

TEST(ReloadPlan, HaresourcesBecomingEmptyNeedsARestart) {
    auto next = base();
    next.haresources.groups.clear();
    auto p = master::plan_reload(base(), next, {});
    EXPECT_FALSE(p.groups);
    EXPECT_TRUE(p.restart_needed);
    EXPECT_TRUE(mentions(p.warnings, "restart hamaster"));
}
