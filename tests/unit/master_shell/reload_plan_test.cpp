#include "master/reload_plan.hpp"

#include <gtest/gtest.h>

using namespace ha;
using namespace std::chrono_literals;

namespace {

conf::Config base() {
    conf::Config c;
    c.local_node = "web1";
    c.ha_cf.nodes = {"web1", "web2"};
    c.ha_cf.media = {conf::Medium{conf::MediumKind::ucast, "eth1", "198.51.100.12", "", 0, 0, false, 0, false, 1}};
    conf::ResourceGroup g;
    g.node = "web1";
    g.text = "web1 192.0.2.100/24/eth0 nginx";
    conf::Resource vip;
    vip.word = "IPaddr::192.0.2.100/24/eth0";
    g.resources.push_back(vip);
    c.haresources.groups.push_back(g);
    return c;
}

bool mentions(const master::ReloadPlan& p, std::string_view text) {
    for (const auto& n : p.notes)
        if (n.find(text) != std::string::npos) return true;
    return false;
}

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

TEST(ReloadPlan, NewLinkNameNeedsARestart) {
    auto next = base();
    next.ha_cf.media[0].device = "eth2";
    auto p = master::plan_reload(base(), next, {});
    EXPECT_TRUE(p.restart_needed);
    EXPECT_FALSE(p.children);
}

TEST(ReloadPlan, GroupChangeOnTheHolderNeedsAStandby) {
    auto next = base();
    next.haresources.groups[0].text = "web1 192.0.2.100/24/eth0 nginx apache2";
    const std::string key = next.haresources.groups[0].key();
    EXPECT_TRUE(mentions(master::plan_reload(base(), next, {key}), "held here: run hb_standby"));
    EXPECT_TRUE(mentions(master::plan_reload(base(), next, {}), "not held here"));
}
