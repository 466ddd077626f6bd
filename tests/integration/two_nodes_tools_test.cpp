// The operator's tools against two live nodes on loopback (issue 21 items 2 and 4): hb_standby /
// hb_takeover exit codes and --wait (moved, refused, not moved, timeout), cl_status rscstatus on
// the node without a group of its own (Heartbeat's words), clientstatus from ipfaild, nodeweight /
// nodesite (Heartbeat's defaults), Heartbeat's
// answer to an unknown sub-command and JSON errors. The groups use a recording script agent only
// (no IPaddr: loopback, no addresses, no ARP). The exit-code table is in docs/man/hamaster.8.
#include <signal.h>
#include <sys/wait.h>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

// As kRecAgent, but a start takes 3 s and says when it begins ("NAME begin").
constexpr const char* kSlowAgent = R"(#!/bin/sh
d="$(dirname "$0")/../.."
case "$2" in
start) echo "$1 begin" >> "$d/rec.log"; sleep 3; touch "$d/rec.$1.on"; echo "$1 start" >> "$d/rec.log" ;;
stop) rm -f "$d/rec.$1.on"; echo "$1 stop" >> "$d/rec.log" ;;
status) if [ -e "$d/rec.$1.on" ]; then echo running; else echo stopped; fi ;;
esac
exit 0
)";

class Tools : public TwoNodes {
protected:
    RunResult tool(const std::string& node, const std::string& name, std::vector<std::string> args) {
        std::vector<std::string> argv{std::string(HA_BIN_DIR) + "/" + name, "--run-dir", c().run_dir(node)};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, 90s);
    }
    std::string rec(const std::string& node) { return c().node(node).dir + "/rec.log"; }
    std::string recs() { return "\nweb1 rec.log:\n" + read_file(rec("web1")) + "web2 rec.log:\n" + read_file(rec("web2")) + c().dump(); }
    bool rscstatus_is(const std::string& node, const std::string& word) { return cl_status(node, {"rscstatus"}).out == word + "\n"; }
};

// hb_standby --wait returns 0 once web2 holds the group; hb_takeover --wait brings it back. The
// node without a group of its own (web2) answers rscstatus as Heartbeat 3.0.6: local, then all
// once it holds web1's group, then none after handing everything back.
TEST_F(Tools, StandbyAndTakeoverWaitUntilTheGroupMoved) {
    c().config().haresources = "web1 rec::a1\n";
    c().config().resource_scripts["rec"] = kRecAgent;
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return rscstatus_is("web1", "local") && rscstatus_is("web2", "local"); }, 30s))
        << cl_status("web2", {"rscstatus"}).out << recs();

    const RunResult standby = tool("web1", "hb_standby", {"--wait=60"});
    EXPECT_EQ(standby.rc, 0) << standby.out << standby.err << recs();
    EXPECT_NE(standby.out.find("Going standby [all]."), std::string::npos) << standby.out;
    EXPECT_NE(standby.out.find("Resources moved: this node now holds [none]."), std::string::npos) << standby.out;
    // Returned only once moved: web2 has started it by then, web1 has stopped it.
    EXPECT_EQ(count_in_file(rec("web2"), "a1 start"), 1) << recs();
    EXPECT_EQ(count_in_file(rec("web1"), "a1 stop"), 1) << recs();
    EXPECT_TRUE(wait_until([&] { return rscstatus_is("web2", "all"); }, 10s)) << cl_status("web2", {"rscstatus"}).out << recs();
    EXPECT_EQ(cl_status("web1", {"rscstatus"}).out, "none\n");

    const RunResult takeover = tool("web1", "hb_takeover", {"--wait"});
    EXPECT_EQ(takeover.rc, 0) << takeover.out << takeover.err << recs();
    EXPECT_NE(takeover.out.find("Resources moved: this node now holds [local]."), std::string::npos) << takeover.out;
    EXPECT_EQ(count_in_file(rec("web1"), "a1 start"), 2) << recs();
    EXPECT_TRUE(wait_until([&] { return rscstatus_is("web2", "none"); }, 10s)) << cl_status("web2", {"rscstatus"}).out << recs();
}

// With the peer dead nothing can move: both tools exit 3 with the reason at once (--wait or not),
// and the log says the peer is dead, not "Other side is in flux".
TEST_F(Tools, StandbyAndTakeoverAreRefusedWithTheReasonWhenThePeerIsDead) {
    c().config().haresources = "web1 rec::a1\n";
    c().config().resource_scripts["rec"] = kRecAgent;
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return rscstatus_is("web1", "local"); }, 30s)) << recs();
    kill_node("web2", SIGKILL);
    ASSERT_TRUE(wait_until([&] { return c().nodestatus("web1", "web2") == "dead" && rscstatus_is("web1", "local"); }, 20s))
        << c().dump();

    for (const std::vector<std::string>& args : {std::vector<std::string>{}, std::vector<std::string>{"--wait=30"}}) {
        const RunResult standby = tool("web1", "hb_standby", args);
        EXPECT_EQ(standby.rc, 3) << standby.out << standby.err;
        EXPECT_EQ(standby.out, "");  // never "Going standby" for a request that is not carried out
        EXPECT_NE(standby.err.find("Node web2 is dead"), std::string::npos) << standby.err;
        const RunResult takeover = tool("web1", "hb_takeover", args);
        EXPECT_EQ(takeover.rc, 3) << takeover.out << takeover.err;
        EXPECT_NE(takeover.err.find("Node web2 is dead"), std::string::npos) << takeover.err;
    }
    EXPECT_EQ(log_count("web1", "hamaster.log", "Other side is in flux"), 0) << c().dump();
    EXPECT_EQ(log_count("web1", "hamaster.log", "ignored.  Node web2 is dead"), 2) << c().dump();
    EXPECT_EQ(count_in_file(rec("web1"), "a1 stop"), 0) << recs();  // nothing was released
    EXPECT_EQ(tool("web1", "hb_standby", {"bogus"}).rc, 1);
}

// --wait=1 while the peer's start takes 3 s: exit 5 (still moving). Then a standby whose taker
// dies while starting: the handshake is cancelled and --wait exits 4 saying why.
TEST_F(Tools, StandbyWaitTimesOutOrSaysWhyTheGroupDidNotMove) {
    c().config().haresources = "web1 slow::a1\n";
    c().config().resource_scripts["slow"] = kSlowAgent;
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return rscstatus_is("web1", "local") && rscstatus_is("web2", "local"); }, 30s)) << recs();

    const RunResult quick = tool("web1", "hb_standby", {"--wait=1"});
    EXPECT_EQ(quick.rc, 5) << quick.out << quick.err << recs();
    EXPECT_NE(quick.err.find("still not moved after 1 s"), std::string::npos) << quick.err;
    ASSERT_TRUE(wait_until([&] { return count_in_file(rec("web2"), "a1 start") == 1 && rscstatus_is("web2", "all") &&
                                        rscstatus_is("web1", "none"); }, 30s)) << recs();

    // web2 hands it back; web1 dies while starting it.
    const std::string out = c().base() + "/standby.out", err = c().base() + "/standby.err";
    const pid_t pid = spawn({std::string(HA_BIN_DIR) + "/hb_standby", "--run-dir", c().run_dir("web2"), "--wait=60"}, out, err);
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_until([&] { return count_in_file(rec("web1"), "a1 begin") == 2; }, 30s)) << recs();
    kill_node("web1", SIGKILL);
    int status = 0;
    ASSERT_TRUE(wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, 30s)) << read_file(err) << recs();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 4) << read_file(out) << read_file(err) << recs();
    EXPECT_NE(read_file(err).find("web1 is dead"), std::string::npos) << read_file(err);
}

// clientstatus: ipfaild registered with the master is online on its node, and the peer's (from
// its join) too; a client nobody runs is offline (1); a dead peer's clients are offline. An
// unknown sub-command is refused as Heartbeat refuses it, in JSON with --json.
TEST_F(Tools, ClStatusClientstatusAndUnknownSubCommands) {
    c().config().extra_lines = {"ping 127.0.0.1", "respawn nobody /usr/lib/heartbeat/ipfail"};
    ASSERT_TRUE(start_both_active());
    EXPECT_TRUE(wait_until([&] { return cl_status("web1", {"clientstatus", "web1", "ipfail"}).rc == 0; }, 20s)) << c().dump();
    EXPECT_EQ(cl_status("web1", {"clientstatus", "web1", "ipfail"}).out, "online\n");
    EXPECT_TRUE(wait_until([&] { return cl_status("web1", {"clientstatus", "web2", "ipfail"}).out == "online\n"; }, 20s))
        << c().dump();
    const RunResult other = cl_status("web1", {"clientstatus", "web1", "crmd", "5"});
    EXPECT_EQ(other.rc, 1);
    EXPECT_EQ(other.out, "offline\n");
    EXPECT_EQ(cl_status("web1", {"clientstatus", "web9", "ipfail"}).rc, 11);

    // nodeweight / nodesite: Heartbeat 3.0.6's defaults for every node of ha.cf, the ping node too.
    for (const char* node : {"web1", "web2", "127.0.0.1"}) {
        const RunResult weight = cl_status("web1", {"nodeweight", node});
        EXPECT_EQ(weight.rc, 0) << node << ": " << weight.err;
        EXPECT_EQ(weight.out, "100\n") << node;
        const RunResult site = cl_status("web1", {"nodesite", node});
        EXPECT_EQ(site.rc, 0) << node << ": " << site.err;
        EXPECT_EQ(site.out, "\n") << node;
    }
    EXPECT_EQ(cl_status("web1", {"nodeweight", "-m", "web2"}).out, "The weight of the cluster node web2 is 100\n");
    // A parameter error: exit 11, nothing on stdout, Heartbeat's line on stderr.
    auto refused = [&](std::vector<std::string> args, const std::string& err) {
        const RunResult r = cl_status("web1", args);
        EXPECT_EQ(r.rc, 11) << args[0];
        EXPECT_EQ(r.out, "") << args[0];
        EXPECT_EQ(r.err, err) << args[0];
    };
    refused({"nodeweight", "web9"}, "Error. Maybe due to incorrect node name.\n");
    refused({"nodesite", "web9"}, "Error. May be due to incorrect node name\n");
    refused({"frob"}, "ERROR: frob: invalid sub-command.\n");
    const RunResult json = cl_status("web1", {"--json", "frob"});
    EXPECT_EQ(json.rc, 11);
    EXPECT_EQ(json.out, "{\"error\":\"invalid_subcommand\",\"message\":\"ERROR: frob: invalid sub-command.\",\"rc\":11}\n");
    const RunResult json_node = cl_status("web1", {"--json", "nodestatus", "web9"});
    EXPECT_EQ(json_node.rc, 11);
    EXPECT_EQ(json_node.out.rfind("{\"error\":\"parameter\",", 0), 0U) << json_node.out;

    kill_node("web2", SIGKILL);
    EXPECT_TRUE(wait_until([&] { return cl_status("web1", {"clientstatus", "web2", "ipfail"}).out == "offline\n"; }, 20s))
        << c().dump();
    EXPECT_EQ(cl_status("web1", {"clientstatus", "web1", "ipfail"}).out, "online\n");
}

}  // namespace
}  // namespace ha::it
