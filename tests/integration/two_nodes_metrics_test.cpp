// Metrics on a live pair (issue 16 item 2): the node_exporter textfile (ha.cf metrics_textfile_dir,
// metrics_interval) and `hamaster status --prometheus` pass `promtool check metrics` (Debian's
// prometheus package) and follow what happens: a group acquired, a child respawned, the peer's
// death and the takeover it causes.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line) return true;
    return false;
}

// promtool check metrics reads the exposition on stdin; clean: exit 0 and nothing said.
RunResult promtool_check(const std::string& file) {
    return run({"/bin/sh", "-c", "exec promtool check metrics < \"$1\"", "sh", file});
}

}  // namespace

TEST_F(TwoNodes, MetricsTextfileAndStatusPrometheusPassPromtoolAndFollowAFailover) {
    if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool missing (Debian package prometheus)";
    c().config().haresources = "web1 rec::a\n";
    c().config().resource_scripts = {{"rec", kRecAgent}};
    std::map<std::string, std::string> prom;  // node → its textfile
    for (const auto& node : Cluster::names()) {
        const std::string metrics_dir = dir() + "/metrics-" + node;
        std::filesystem::create_directories(metrics_dir);
        prom[node] = metrics_dir + "/hamaster.prom";
        c().config().extra_lines = {"metrics_textfile_dir " + metrics_dir, "metrics_interval 1"};
        ASSERT_GT(c().start(node), 0);
    }
    ASSERT_TRUE(wait_until([&] { return c().nodestatus("web1", "web2") == "active" && c().nodestatus("web2", "web1") == "active"; }, 30s, 100ms));
    const std::string acquired = "hamaster_resource_group_acquisitions_total{group=\"rec::a\"} 1";
    ASSERT_TRUE(wait_until([&] { return has_line(read_file(prom["web1"]), acquired); }, 20s, 100ms)) << read_file(prom["web1"]);

    for (const auto& node : Cluster::names()) {
        auto check = promtool_check(prom[node]);
        EXPECT_EQ(check.rc, 0) << node << ": " << check.out << check.err << read_file(prom[node]);
        EXPECT_EQ(check.out + check.err, "") << node;
        struct ::stat st {};
        ASSERT_EQ(::stat(prom[node].c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0644u);
        // Only the file itself: the temporary of each write was renamed over it.
        const auto entries = std::distance(std::filesystem::directory_iterator(std::filesystem::path(prom[node]).parent_path()), {});
        EXPECT_EQ(entries, 1) << node;
    }
    const std::string web1 = read_file(prom["web1"]);
    for (const char* line : {"hamaster_local_status{status=\"active\"} 1", "hamaster_peer_status{peer=\"web2\",status=\"active\"} 1",
                             "hamaster_link_up{peer=\"web2\",link=\"lo\"} 1", "hamaster_resources_held{hold=\"local\"} 1",
                             "hamaster_resource_group_state{group=\"rec::a\",state=\"held\"} 1",
                             "hamaster_failovers_total{group=\"rec::a\"} 0", "hamaster_child_respawns_total{child=\"heartbeatd-net\"} 0"})
        EXPECT_TRUE(has_line(web1, line)) << line << "\n" << web1;

    // `hamaster status --prometheus`: the same exposition from the control socket.
    const std::string out = dir() + "/status-web2.prom";
    auto status = run({std::string(HA_BIN_DIR) + "/hamaster", "status", "--prometheus", "--run-dir", c().run_dir("web2")});
    ASSERT_EQ(status.rc, 0) << status.err;
    std::ofstream(out) << status.out;
    auto check = promtool_check(out);
    EXPECT_EQ(check.rc, 0) << check.out << check.err << status.out;
    EXPECT_TRUE(has_line(status.out, "hamaster_link_up{peer=\"web1\",link=\"lo\"} 1")) << status.out;
    EXPECT_TRUE(has_line(status.out, "hamaster_resource_group_state{group=\"rec::a\",state=\"peer\"} 1")) << status.out;

    // A media daemon killed on web2 is respawned, and counted.
    const auto net = c().child("web2", "heartbeatd-net");
    ASSERT_TRUE(net.has_value());
    ASSERT_EQ(::kill(*net, SIGKILL), 0);
    EXPECT_TRUE(wait_until([&] { return has_line(read_file(prom["web2"]), "hamaster_child_respawns_total{child=\"heartbeatd-net\"} 1"); }, 20s, 100ms))
        << read_file(prom["web2"]);

    // web1 dies: web2 declares it dead and takes the group over — one failover, a guard verdict.
    kill_node("web1", SIGKILL);
    EXPECT_TRUE(wait_until([&] { return has_line(read_file(prom["web2"]), "hamaster_failovers_total{group=\"rec::a\"} 1"); }, 30s, 100ms))
        << read_file(prom["web2"]);
    const std::string web2 = read_file(prom["web2"]);
    EXPECT_TRUE(has_line(web2, "hamaster_peer_status{peer=\"web1\",status=\"dead\"} 1")) << web2;
    EXPECT_TRUE(has_line(web2, "hamaster_link_up{peer=\"web1\",link=\"lo\"} 0")) << web2;
    EXPECT_TRUE(has_line(web2, "hamaster_resource_group_acquisitions_total{group=\"rec::a\"} 1")) << web2;
    std::uint64_t verdicts = 0;
    for (const char* v : {"clear", "held", "error"}) {
        const std::string prefix = std::string("hamaster_guard_verdicts_total{verdict=\"") + v + "\"} ";
        const auto at = web2.find(prefix);
        ASSERT_NE(at, std::string::npos) << prefix << "\n" << web2;
        verdicts += std::stoull(web2.substr(at + prefix.size()));
    }
    EXPECT_EQ(verdicts, 1u) << web2;
    check = promtool_check(prom["web2"]);
    EXPECT_EQ(check.rc, 0) << check.out << check.err;

    // A clean stop writes the last counters once more, with this node's status dead.
    c().stop("web2");
    EXPECT_TRUE(has_line(read_file(prom["web2"]), "hamaster_failovers_total{group=\"rec::a\"} 1")) << read_file(prom["web2"]);
}

}  // namespace ha::it
