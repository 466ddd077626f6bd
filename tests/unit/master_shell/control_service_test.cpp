#include "master/control_service.hpp"

#include <gtest/gtest.h>

using namespace ha::master;
using ha::ipc::Message;

namespace {

ClusterView sample_view() {
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.nodes = {{"web1", "normal", "active", 0}, {"web2", "normal", "dead", 2}, {"192.0.2.1", "ping", "ping", 0}};
    LinkView lo{"web2", "eth1", true, std::chrono::milliseconds(12), 40, 1, {{"duplicate", 1}}, 55, {{"bad_auth", 3}},
                std::chrono::milliseconds(1003), std::nullopt, std::nullopt};
    LinkView serial{"web2", "/dev/ttyS0", false, std::nullopt, 0, 0, {}, 0, {}, std::nullopt,
                    std::chrono::milliseconds(127), std::chrono::milliseconds(508)};
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
    // The serial cable shows the pace its baud rate allows; a UDP link has no such line.
    EXPECT_NE(out.find("cable beats every 127ms at most, dead after 508ms of silence"), std::string::npos) << out;
    EXPECT_EQ(out.find("cable beats"), out.rfind("cable beats")) << out;
}

TEST(ControlService, StatusScreenListsEveryGroupAndWhereItIs) {
    auto v = sample_view();
    v.groups = {{"web1 192.0.2.100/24/eth0 nginx", "held here"},
                {"web2 192.0.2.101/24/eth0", "waiting: 192.0.2.101 answered by 02:00:00:00:00:02 on eth0 (split-brain guard)"}};
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

// cl_status nodeweight / nodesite (issue 21) answer as Heartbeat 3.0.6 does on a live node (seen in
// the namespace lab): weight 100 and an empty site for every node, ping nodes included; exit 11
// and Heartbeat's own error line (nodeweight's differs from the other node sub-commands').
TEST(ControlService, NodeweightAndNodesiteAnswerAsHeartbeat) {
    ClusterView v = sample_view();
    for (const char* node : {"web1", "web2", "192.0.2.1"}) {
        auto weight = handle_control(request("nodeweight", {node}), v);
        EXPECT_EQ(weight.get_or("out", ""), "100\n") << node;
        EXPECT_EQ(rc(weight), 0) << node;
        auto site = handle_control(request("nodesite", {node}), v);
        EXPECT_EQ(site.get_or("out", ""), "\n") << node;  // the empty default site: an empty line
        EXPECT_EQ(rc(site), 0) << node;
    }
    EXPECT_EQ(handle_control(request("nodeweight", {"web2"}, {"m"}), v).get_or("out", ""), "The weight of the cluster node web2 is 100\n");
    EXPECT_EQ(handle_control(request("nodesite", {"web2"}, {"m"}), v).get_or("out", ""), "The site of the cluster node web2 is \n");

    v.nodes[1].weight = -5;  // what a view carries is what is printed
    v.nodes[1].site = "berlin";
    EXPECT_EQ(handle_control(request("nodeweight", {"web2"}), v).get_or("out", ""), "-5\n");
    EXPECT_EQ(handle_control(request("nodesite", {"web2"}, {"m"}), v).get_or("out", ""), "The site of the cluster node web2 is berlin\n");

    auto unknown_weight = handle_control(request("nodeweight", {"web9"}), v);
    EXPECT_EQ(unknown_weight.get_or("out", ""), "");
    EXPECT_EQ(unknown_weight.get_or("err", ""), "Error. Maybe due to incorrect node name.\n");
    EXPECT_EQ(rc(unknown_weight), 11);
    auto unknown_site = handle_control(request("nodesite", {"web9"}, {"m"}), v);
    EXPECT_EQ(unknown_site.get_or("err", ""), "Error. May be due to incorrect node name\n");
    EXPECT_EQ(rc(unknown_site), 11);
    EXPECT_EQ(rc(handle_control(request("nodeweight"), v)), 11);
    EXPECT_EQ(rc(handle_control(request("nodesite"), v)), 11);

    Message json = request("nodeweight", {"web2"});
    json.add("json", "1");
    EXPECT_EQ(handle_control(json, v).get_or("out", ""), "{\"node\":\"web2\",\"weight\":-5}\n");
    Message json_site = request("nodesite", {"web1"});
    json_site.add("json", "1");
    EXPECT_EQ(handle_control(json_site, v).get_or("out", ""), "{\"node\":\"web1\",\"site\":\"\"}\n");
}

// ---- issue 21: status --json from nlohmann::json, ping nodes as ping nodes -------------------

TEST(ControlService, StatusJsonHasTheDocumentedFields) {
    auto v = sample_view();
    v.pid = 42;
    v.generation = 7;
    v.keepalive = std::chrono::milliseconds(200);
    v.deadtime = std::chrono::milliseconds(2000);
    v.initdead_left = std::chrono::milliseconds(1500);
    v.groups = {{"web1 192.0.2.100/24/eth0 nginx", "held here"}};
    v.events = {{"Dec 06 23:41:02", "WARN", "node web2: is dead"}};
    Message m;
    m.add("t", "cl_status").add("cmd", "status").add("json", "1");
    const auto j = nlohmann::json::parse(handle_control(m, v).get_or("out", ""));
    EXPECT_EQ(j.at("version"), kStatusJsonVersion);
    EXPECT_EQ(j.at("node"), "web1");
    EXPECT_EQ(j.at("pid"), 42);
    EXPECT_EQ(j.at("generation"), 7);
    EXPECT_EQ(j.at("keepalive_ms"), 200);
    EXPECT_EQ(j.at("deadtime_ms"), 2000);
    EXPECT_EQ(j.at("initdead_left_ms"), 1500);
    EXPECT_EQ(j.at("rsc_hold"), "local");
    ASSERT_EQ(j.at("peers").size(), 1U);
    const auto& peer = j.at("peers").at(0);
    EXPECT_EQ(peer.at("node"), "web2");
    EXPECT_EQ(peer.at("lost"), 2);
    ASSERT_EQ(peer.at("links").size(), 2U);
    const auto& eth1 = peer.at("links").at(0);
    EXPECT_EQ(eth1.at("link"), "eth1");
    EXPECT_EQ(eth1.at("status"), "up");
    EXPECT_EQ(eth1.at("age_ms"), 12);
    EXPECT_EQ(eth1.at("interval_ms"), 1003);
    EXPECT_EQ(eth1.at("received"), 40);
    EXPECT_EQ(eth1.at("sent"), 55);
    EXPECT_EQ(eth1.at("dropped").at("duplicate"), 1);
    EXPECT_EQ(eth1.at("dropped").at("bad_auth"), 3);
    EXPECT_NEAR(eth1.at("loss_pct").get<double>(), 100.0 * 4 / 44, 0.01);
    EXPECT_TRUE(peer.at("links").at(1).at("age_ms").is_null());
    EXPECT_TRUE(eth1.at("pace_ms").is_null());
    EXPECT_EQ(peer.at("links").at(1).at("pace_ms"), 127);
    EXPECT_EQ(peer.at("links").at(1).at("link_deadtime_ms"), 508);
    ASSERT_EQ(j.at("ping_nodes").size(), 1U);
    EXPECT_EQ(j.at("ping_nodes").at(0).at("node"), "192.0.2.1");
    EXPECT_EQ(j.at("ping_nodes").at(0).at("status"), "ping");
    EXPECT_EQ(j.at("groups").at(0).at("where"), "held here");
    EXPECT_EQ(j.at("events").at(0).at("text"), "node web2: is dead");
}

// Names come from config files and peers: quotes, control bytes and invalid UTF-8 must still give
// valid JSON in every answer (the old hand-written escape passed invalid UTF-8 through).
TEST(ControlService, EveryJsonAnswerIsValidWhateverTheNames) {
    auto v = sample_view();
    const std::string hostile = "we\"b\\2\n\x01\xff\xfe";
    v.nodes[1].name = hostile;
    for (auto& l : v.links) l.node = hostile, l.link = hostile + "-link";
    v.parameter = [&](std::string_view) -> std::optional<std::string> { return hostile; };
    v.events = {{"Dec 06 23:41:02", "info", hostile}};
    v.groups = {{hostile, hostile}};
    for (const auto& [cmd, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"hbstatus", {}}, {"listnodes", {}}, {"nodestatus", {hostile}}, {"nodetype", {hostile}},
             {"listhblinks", {hostile}}, {"hblinkstatus", {hostile, hostile + "-link"}}, {"rscstatus", {}},
             {"hbparameter", {}}, {"status", {}}}) {
        Message m;
        m.add("t", "cl_status").add("cmd", cmd).add("json", "1");
        for (const auto& a : args) m.add("arg", a);
        if (cmd == "hbparameter") m.add("param", hostile);
        const std::string out = handle_control(m, v).get_or("out", "");
        EXPECT_NO_THROW((void)nlohmann::json::parse(out)) << cmd << ": " << out;
    }
}

TEST(ControlService, StatusScreenShowsPingNodesAsPingNodesAndTheCountdown) {
    auto v = sample_view();
    LinkView ping_link;
    ping_link.node = ping_link.link = "192.0.2.1";
    v.links.push_back(ping_link);  // the view lists a ping node's own "link"; the screen must not
    v.initdead_left = std::chrono::milliseconds(2500);
    v.events = {{"Dec 06 23:41:02", "info", "Link web2:eth1 up."}};
    const auto out = render_status(v);
    EXPECT_NE(out.find("initdead: 2.5 s left"), std::string::npos) << out;
    EXPECT_NE(out.find("ping node 192.0.2.1"), std::string::npos) << out;
    EXPECT_EQ(out.find("link 192.0.2.1"), std::string::npos) << out;
    EXPECT_NE(out.find("interval 1003ms"), std::string::npos) << out;
    EXPECT_NE(out.find("last changes:\n    Dec 06 23:41:02 info: Link web2:eth1 up.\n"), std::string::npos) << out;
}
