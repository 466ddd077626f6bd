// Reload (SIGHUP, `service hamaster reload`): a good config applies live, a broken one is refused
// with file:line in the log and the running configuration stays; the peer never looks dead.
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

}  // namespace
}  // namespace ha::it
