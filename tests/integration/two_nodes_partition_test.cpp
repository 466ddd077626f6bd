// A healed partition where both nodes took everything (groups without an address, so the ARP
// guard has nothing to probe — the case docs/split-brain.md rule 2 exists for): when the link comes
// back, each group stays on its haresources node and the other node releases it, in one round,
// logged once on each side. Real processes on loopback; the cut is iptables inside the test's
// private network namespace (fixture/main.cpp). Deadlines only, no timing asserts.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

TEST_F(TwoNodes, PartitionWhereBothTookEverythingSettlesOnThePreferredNodes) {
    REQUIRE_NETNS();
    c().config().haresources = "web1 rec::a1\nweb2 rec::b1\n";
    c().config().resource_scripts["rec"] = kRecAgent;
    ASSERT_TRUE(start_both_active());
    const std::string rec1 = c().node("web1").dir + "/rec.log";
    const std::string rec2 = c().node("web2").dir + "/rec.log";
    auto recs = [&] { return "\nweb1 rec.log:\n" + read_file(rec1) + "web2 rec.log:\n" + read_file(rec2) + c().dump(); };
    ASSERT_TRUE(wait_until([&] {
        return cl_status("web1", {"rscstatus"}).out == "local\n" && cl_status("web2", {"rscstatus"}).out == "local\n";
    }, 30s)) << recs();

    // The only link dies: each declares the other dead and takes its group (nothing to probe).
    ASSERT_TRUE(cut_udp(port()));
    EXPECT_TRUE(wait_until([&] {
        return count_in_file(rec1, "b1 start") == 1 && count_in_file(rec2, "a1 start") == 1 &&
               cl_status("web1", {"rscstatus"}).out == "all\n" && cl_status("web2", {"rscstatus"}).out == "all\n";
    }, 30s)) << recs();

    // The link returns: one round, the preferred node keeps each group. What a node saw held
    // twice ([all], or [foreign] when the peer had already let our group go) depends on who
    // settled first; what it releases does not.
    ASSERT_TRUE(restore_udp(port()));
    const std::string settle =
        "resources after the partition: each group stays on its preferred node; releasing [foreign] here.";
    EXPECT_TRUE(wait_until([&] {
        return log_count("web1", "hamaster.log", settle) == 1 && log_count("web2", "hamaster.log", settle) == 1;
    }, 30s)) << recs();
    EXPECT_TRUE(wait_until([&] {
        return count_in_file(rec1, "b1 stop") == 1 && count_in_file(rec2, "a1 stop") == 1 &&
               cl_status("web1", {"rscstatus"}).out == "local\n" && cl_status("web2", {"rscstatus"}).out == "local\n";
    }, 30s)) << recs();
    // Each node's own group never moved; nothing more happens afterwards.
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(count_in_file(rec1, "a1 stop"), 0) << recs();
    EXPECT_EQ(count_in_file(rec2, "b1 stop"), 0) << recs();
    EXPECT_EQ(count_in_file(rec1, "b1 start"), 1) << recs();
    EXPECT_EQ(count_in_file(rec2, "a1 start"), 1) << recs();
    EXPECT_EQ(log_count("web1", "hamaster.log", "after the partition"), 1) << recs();
    EXPECT_EQ(log_count("web2", "hamaster.log", "after the partition"), 1) << recs();
    EXPECT_EQ(cl_status("web1", {"nodestatus", "web2"}).out, "active\n");
}

}  // namespace
}  // namespace ha::it
