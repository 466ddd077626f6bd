#include "master/control_service.hpp"

#include <gtest/gtest.h>

using namespace ha::master;
using ha::ipc::Message;

namespace {

ClusterView sample_view() {
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.nodes = {{"web1", "normal", "active"}, {"web2", "normal", "dead"}, {"192.0.2.1", "ping", "ping"}};
    LinkView lo{"web2", "eth1", true, std::chrono::milliseconds(12), 40, 1, {{"duplicate", 1}}, 55, {{"bad_auth", 3}}};
    LinkView serial{"web2", "/dev/ttyS0", false, std::nullopt, 0, 0, {}, 0, {}};
    v.links = {lo, serial};
    v.rsc_hold = "local";
    v.parameter = [](std::string_view name) -> std::optional<std::string> {
        if (name == "deadtime") return "10";
        return std::nullopt;
    };
    return v;
}

Message request(std::string cmd, std::vector<std::string> args = {}, std::vector<std::string> flags = {}) {
    Message m;
    m.add("t", "cl_status");
    m.add("cmd", cmd);
    for (auto& a : args) m.add("arg", a);
    for (auto& f : flags) m.add("flag", f);
    return m;
}

int rc(const Message& m) { return std::stoi(m.get_or("rc", "-1")); }

}  // namespace

TEST(ControlService, HbstatusRunning) {
    auto r = handle_control(request("hbstatus"), sample_view());
    EXPECT_EQ(r.get_or("out", ""), "Heartbeat is running on this machine.\n");
    EXPECT_EQ(rc(r), 0);
}

TEST(ControlService, ListnodesWithPingAndNormalFilters) {
    EXPECT_EQ(handle_control(request("listnodes"), sample_view()).get_or("out", ""), "web1\nweb2\n192.0.2.1\n");
    EXPECT_EQ(handle_control(request("listnodes", {}, {"p"}), sample_view()).get_or("out", ""), "192.0.2.1\n");
    EXPECT_EQ(handle_control(request("listnodes", {}, {"n"}), sample_view()).get_or("out", ""), "web1\nweb2\n");
}

TEST(ControlService, NodestatusExitCodesFollowHeartbeat) {
    auto dead = handle_control(request("nodestatus", {"web2"}), sample_view());
    EXPECT_EQ(dead.get_or("out", ""), "dead\n");
    EXPECT_EQ(rc(dead), 1);
    auto active = handle_control(request("nodestatus", {"web1"}), sample_view());
    EXPECT_EQ(rc(active), 0);
    auto ping = handle_control(request("nodestatus", {"192.0.2.1"}), sample_view());
    EXPECT_EQ(ping.get_or("out", ""), "ping\n");
    EXPECT_EQ(rc(ping), 0);
    auto unknown = handle_control(request("nodestatus", {"web9"}), sample_view());
    EXPECT_EQ(unknown.get_or("err", ""), "Error. May be due to incorrect node name\n");
    EXPECT_EQ(rc(unknown), 11);
}

TEST(ControlService, NodetypeWords) {
    EXPECT_EQ(handle_control(request("nodetype", {"web2"}), sample_view()).get_or("out", ""), "normal\n");
    EXPECT_EQ(handle_control(request("nodetype", {"192.0.2.1"}), sample_view()).get_or("out", ""), "ping\n");
}

TEST(ControlService, ListhblinksIsTabIndentedAndVerboseAddsStatus) {
    EXPECT_EQ(handle_control(request("listhblinks", {"web2"}), sample_view()).get_or("out", ""), "\teth1\n\t/dev/ttyS0\n");
    EXPECT_EQ(handle_control(request("listhblinks", {"web2"}, {"v"}), sample_view()).get_or("out", ""),
              "\teth1\tup\n\t/dev/ttyS0\tdead\n");
}

TEST(ControlService, HblinkstatusUpZeroDeadOne) {
    auto up = handle_control(request("hblinkstatus", {"web2", "eth1"}), sample_view());
    EXPECT_EQ(up.get_or("out", ""), "up\n");
    EXPECT_EQ(rc(up), 0);
    auto dead = handle_control(request("hblinkstatus", {"web2", "/dev/ttyS0"}), sample_view());
    EXPECT_EQ(dead.get_or("out", ""), "dead\n");
    EXPECT_EQ(rc(dead), 1);
}

TEST(ControlService, RscstatusWordAndSentence) {
    EXPECT_EQ(handle_control(request("rscstatus"), sample_view()).get_or("out", ""), "local\n");
    EXPECT_EQ(handle_control(request("rscstatus", {}, {"m"}), sample_view()).get_or("out", ""),
              "This node is holding local resources.\n");
}

TEST(ControlService, HbparameterKnownAndUnknown) {
    Message m = request("hbparameter");
    m.add("param", "deadtime");
    auto known = handle_control(m, sample_view());
    EXPECT_EQ(known.get_or("out", ""), "10\n");
    EXPECT_EQ(rc(known), 0);
    Message u = request("hbparameter");
    u.add("param", "nosuch");
    EXPECT_EQ(rc(handle_control(u, sample_view())), 1);
}

TEST(ControlService, UnknownSubcommandIsParameterError) {
    // As Heartbeat's cl_status: the message alone, no usage (cl_status itself refuses it first).
    auto r = handle_control(request("frobnicate"), sample_view());
    EXPECT_EQ(rc(r), 11);
    EXPECT_EQ(r.get_or("err", ""), "ERROR: frobnicate: invalid sub-command.\n");
    EXPECT_EQ(r.get_or("usage", ""), "");
}

TEST(ControlService, JsonListsLinksWithCounters) {
    Message m = request("listhblinks", {"web2"});
    m.add("json", "1");
    auto out = handle_control(m, sample_view()).get_or("out", "");
    EXPECT_NE(out.find("\"link\":\"eth1\",\"status\":\"up\",\"age_ms\":12,\"received\":40,\"sent\":55,\"late\":1,\"dropped\":{\"duplicate\":1,\"bad_auth\":3}"),
              std::string::npos)
        << out;
}

TEST(ControlService, StatusScreenShowsPeerLinksAndResources) {
    auto out = render_status(sample_view());
    EXPECT_NE(out.find("peer      web2         dead"), std::string::npos) << out;
    EXPECT_NE(out.find("link eth1"), std::string::npos) << out;
    EXPECT_NE(out.find("sent 55"), std::string::npos) << out;
    EXPECT_NE(out.find("dropped 4 (9.1%)"), std::string::npos) << out;
    EXPECT_NE(out.find("resources held here: local"), std::string::npos) << out;
}

TEST(ControlService, StatusScreenListsEveryGroupAndWhereItIs) {
    auto v = sample_view();
    v.groups = {"web1 192.0.2.100/24/eth0 nginx: held here",
                "web2 192.0.2.101/24/eth0: waiting: 192.0.2.101 answered by 02:00:00:00:00:02 on eth0 (split-brain guard)"};
    auto out = render_status(v);
    EXPECT_NE(out.find("resources held here: local\n    group web1 192.0.2.100/24/eth0 nginx: held here\n"), std::string::npos) << out;
    EXPECT_NE(out.find("    group web2 192.0.2.101/24/eth0: waiting: 192.0.2.101 answered by"), std::string::npos) << out;
}

// cl_status clientstatus (issue 21): online 0 / offline 1 from what the master knows — its own
// ipfaild registered on the bus, the peer's clients from the peer's messages — no longer a stub
// that always timed out (13).
TEST(ControlService, ClientstatusAnswersOnlineAndOfflineFromTheView) {
    ClusterView v = sample_view();
    v.clients = {{"web1", "ipfail", "online"}, {"web2", "ipfail", "offline"}};
    auto here = handle_control(request("clientstatus", {"web1", "ipfail"}), v);
    EXPECT_EQ(here.get_or("out", ""), "online\n");
    EXPECT_EQ(rc(here), 0);
    auto peer = handle_control(request("clientstatus", {"web2", "ipfail", "5"}), v);
    EXPECT_EQ(peer.get_or("out", ""), "offline\n");
    EXPECT_EQ(rc(peer), 1);
    auto never = handle_control(request("clientstatus", {"web1", "crmd"}), v);
    EXPECT_EQ(never.get_or("out", ""), "offline\n");
    EXPECT_EQ(rc(never), 1);
    EXPECT_EQ(rc(handle_control(request("clientstatus", {"web9", "ipfail"}), v)), 11);
    EXPECT_EQ(rc(handle_control(request("clientstatus", {"web1"}), v)), 11);
    Message json = request("clientstatus", {"web1", "ipfail"});
    json.add("json", "1");
    EXPECT_EQ(handle_control(json, v).get_or("out", ""), "{\"node\":\"web1\",\"client\":\"ipfail\",\"status\":\"online\"}\n");
}
