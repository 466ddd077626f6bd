// Unit: the STATUS= text systemd shows for the cluster state (master/systemd_notify.hpp).
#include <gtest/gtest.h>

#include "master/systemd_notify.hpp"

namespace ha::master {
namespace {

ClusterView two_nodes(const std::string& peer_status) {
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.nodes = {{"web1", "normal", "active"}, {"web2", "normal", peer_status}, {"192.0.2.1", "ping", "ping"}};
    return v;
}

TEST(NotifyStatusText, NamesEachNodeAndTheResourcesButNotPingNodes) {
    auto v = two_nodes("dead");
    v.rsc_hold = "all";
    EXPECT_EQ(notify_status_text(v), "web1 active, web2 dead; resources: all");
}

TEST(NotifyStatusText, SaysItWaitsForThePeerDuringInitdead) {
    auto v = two_nodes("init");
    v.initdead_left = std::chrono::milliseconds(1500);
    EXPECT_EQ(notify_status_text(v), "web1 active, web2 init; resources: none; waiting for the peer (initdead)");
}

}  // namespace
}  // namespace ha::master
