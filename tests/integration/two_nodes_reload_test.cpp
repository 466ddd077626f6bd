// Reload (SIGHUP, `service hamaster reload`): a good config applies live, a broken one is refused
// with file:line in the log and the running configuration stays; the peer never looks dead. A
// haresources change applies live (master and rscd) on the node that does not hold the changed
// group and is refused, group untouched, on the node that holds it — until hb_standby moved it.
// The groups use a recording script agent only (no IPaddr: loopback, no addresses, no ARP).
#include <signal.h>

#include <fstream>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

void append(const std::string& path, const std::string& line) { std::ofstream(path, std::ios::app) << line << "\n"; }

TEST_F(TwoNodes, ReloadAppliesGoodConfigAndRefusesBrokenOne) {
    ASSERT_TRUE(start_both_active());
    const std::string cf = c().node("web1").dir + "/etc/ha.cf";
    ASSERT_EQ(cl_status("web1", {"hbparameter", "-p", "deadtime"}).out, "1\n");

    // Good: a longer deadtime (the later value wins) applies without moving anything.
    append(cf, "deadtime 2");
    ASSERT_EQ(::kill(c().node("web1").pid, SIGHUP), 0);
    EXPECT_TRUE(wait_until([&] { return cl_status("web1", {"hbparameter", "-p", "deadtime"}).out == "2\n"; }, 10s))
        << c().dump();
    EXPECT_EQ(log_count("web1", "hamaster.log", "reload: timings now"), 1) << c().dump();

    // Broken: refused with the file and line, the running config stays, nothing dies.
    append(cf, "deadtime 3O");
    ASSERT_EQ(::kill(c().node("web1").pid, SIGHUP), 0);
    EXPECT_TRUE(wait_until([&] { return log_count("web1", "hamaster.log", "keeping the running configuration") == 1; }, 10s))
        << c().dump();
    EXPECT_GE(log_count("web1", "hamaster.log", "error: deadtime: bad time value"), 1) << c().dump();
    EXPECT_EQ(cl_status("web1", {"hbparameter", "-p", "deadtime"}).out, "2\n");
    EXPECT_EQ(cl_status("web1", {"nodestatus", "web2"}).out, "active\n");
    EXPECT_EQ(log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(log_count("web2", "hamaster.log", "is dead"), 0) << c().dump();
}


TEST_F(TwoNodes, ReloadAppliesAGroupChangeWhereItIsNotHeldAndAsksForAStandbyWhereItIs) {
    c().config().haresources = "web1 rec::a1\n";
    c().config().resource_scripts["rec"] = kRecAgent;
    ASSERT_TRUE(start_both_active());
    const std::string rec1 = c().node("web1").dir + "/rec.log";
    const std::string rec2 = c().node("web2").dir + "/rec.log";
    auto recs = [&] { return "\nweb1 rec.log:\n" + read_file(rec1) + "web2 rec.log:\n" + read_file(rec2) + c().dump(); };
    ASSERT_TRUE(wait_until([&] { return count_in_file(rec1, "a1 start") == 1; }, 30s)) << recs();
    ASSERT_TRUE(wait_until([&] { return cl_status("web1", {"rscstatus"}).out == "local\n"; }, 30s)) << recs();

    // Group A (web1's) grows a resource; group B (web2's) is new. Both nodes reload.
    for (const auto& name : Cluster::names())
        std::ofstream(c().node(name).dir + "/etc/haresources") << "web1 rec::a1 rec::a2\nweb2 rec::b1\n";
    ASSERT_EQ(::kill(c().node("web2").pid, SIGHUP), 0);
    ASSERT_EQ(::kill(c().node("web1").pid, SIGHUP), 0);

    // web2 holds neither: both changes apply there, in rscd and the master; B is web2's, so it starts.
    EXPECT_TRUE(wait_until([&] {
        return log_count("web2", "hamaster.log", "reload: resource group rec::a1 changed; applied (not held here)") == 1 &&
               log_count("web2", "hamaster.log", "reload: resource group rec::b1 added; applied") == 1;
    }, 20s)) << recs();
    EXPECT_EQ(log_count("web2", "rscd.log", "haresources reloaded: 2 resource group(s)"), 1) << recs();
    EXPECT_TRUE(wait_until([&] { return count_in_file(rec2, "b1 start") == 1; }, 20s)) << recs();

    // web1 holds A: nothing of haresources changes there, A keeps running untouched.
    EXPECT_TRUE(wait_until([&] {
        return log_count("web1", "hamaster.log",
                         "reload: resource group rec::a1 changed and is held here: run hb_standby, then reload again") == 1;
    }, 20s)) << recs();
    EXPECT_EQ(log_count("web1", "hamaster.log", "; applied"), 0) << recs();
    EXPECT_EQ(log_count("web1", "rscd.log", "haresources reloaded"), 0) << recs();
    EXPECT_EQ(count_in_file(rec1, "a1 stop"), 0) << recs();
    EXPECT_EQ(count_in_file(rec1, "a1 start"), 1) << recs();
    EXPECT_EQ(cl_status("web1", {"rscstatus"}).out, "local\n");

    // hb_standby on web1: web2 takes A with its new resource.
    const RunResult standby = run({std::string(HA_BIN_DIR) + "/hb_standby", "--run-dir", c().run_dir("web1")});
    EXPECT_EQ(standby.rc, 0) << standby.out << standby.err;
    EXPECT_TRUE(wait_until([&] { return count_in_file(rec2, "a1 start") == 1 && count_in_file(rec2, "a2 start") == 1; }, 30s))
        << recs();
    EXPECT_EQ(count_in_file(rec1, "a1 stop"), 1) << recs();
    EXPECT_EQ(count_in_file(rec1, "a2"), 0) << recs();

    // web1 no longer holds A: reloading again applies it there too.
    ASSERT_TRUE(wait_until([&] { return cl_status("web1", {"rscstatus"}).out == "none\n"; }, 30s)) << recs();
    ASSERT_EQ(::kill(c().node("web1").pid, SIGHUP), 0);
    EXPECT_TRUE(wait_until([&] {
        return log_count("web1", "hamaster.log", "reload: resource group rec::a1 changed; applied (not held here)") == 1;
    }, 20s)) << recs();
    EXPECT_EQ(log_count("web1", "hamaster.log", "is dead"), 0) << recs();
}

}  // namespace
}  // namespace ha::it
