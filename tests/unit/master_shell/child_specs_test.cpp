#include "master/child_specs.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "master/pid_file.hpp"
#include "master/spawn.hpp"

using namespace ha;

namespace {

conf::Config config_with(std::vector<conf::Medium> media) {
    conf::Config c;
    c.dir = "/etc/ha.d";
    c.local_node = "web1";
    c.ha_cf.nodes = {"web1", "web2"};
    c.ha_cf.media = std::move(media);
    c.ha_cf.realtime = true;
    return c;
}

bool has(const std::vector<std::string>& v, const std::string& word) { return std::find(v.begin(), v.end(), word) != v.end(); }

}  // namespace

TEST(ChildSpecs, UdpMediaGoToHeartbeatdNetAndSelfUcastIsSkipped) {
    conf::Medium to_peer{conf::MediumKind::ucast, "eth1", "198.51.100.12", "", 0, 0, false, 0, false, 1};
    conf::Medium to_self{conf::MediumKind::ucast, "eth1", "198.51.100.11", "", 0, 0, false, 0, true, 2};
    master::Options o;
    auto specs = master::child_specs(config_with({to_peer, to_self}), o);
    ASSERT_EQ(specs.size(), 1u);
    EXPECT_EQ(specs[0].name, "heartbeatd-net");
    EXPECT_TRUE(has(specs[0].argv, "eth1:198.51.100.12:694"));
    EXPECT_FALSE(has(specs[0].argv, "eth1:198.51.100.11:694"));
    EXPECT_TRUE(has(specs[0].argv, "--realtime"));
    EXPECT_TRUE(has(specs[0].argv, "--parent-pid"));
}

TEST(ChildSpecs, SerialMediaGoToHeartbeatdSerialWithBaud) {
    conf::Medium serial{conf::MediumKind::serial, "/dev/ttyS0", "", "", 0, 0, false, 19200, false, 1};
    auto cfg = config_with({serial});
    cfg.ha_cf.baud = 115200;
    auto specs = master::child_specs(cfg, master::Options{});
    ASSERT_EQ(specs.size(), 1u);
    EXPECT_EQ(specs[0].name, "heartbeatd-serial");
    EXPECT_TRUE(has(specs[0].argv, "/dev/ttyS0"));
    EXPECT_TRUE(has(specs[0].argv, "115200"));
}

TEST(ChildSpecs, RespawnIpfailUnderAnyPathMapsToIpfaild) {
    auto cfg = config_with({});
    cfg.ha_cf.respawns.push_back(conf::Respawn{"hacluster", "/usr/lib64/heartbeat/ipfail", {}, 3});
    cfg.ha_cf.respawns.push_back(conf::Respawn{"nobody", "/usr/local/bin/site-check", {"-q"}, 4});
    auto specs = master::child_specs(cfg, master::Options{});
    ASSERT_EQ(specs.size(), 2u);
    EXPECT_EQ(specs[0].name, "ipfaild");
    EXPECT_TRUE(specs[0].beats);
    EXPECT_NE(specs[0].argv[0].find("ipfaild"), std::string::npos);
    EXPECT_EQ(specs[1].argv, (std::vector<std::string>{"/usr/local/bin/site-check", "-q"}));
    EXPECT_FALSE(specs[1].beats);
}

TEST(ChildSpecs, RscdOnlyWhenThereAreResourceGroups) {
    auto cfg = config_with({});
    EXPECT_TRUE(master::child_specs(cfg, master::Options{}).empty());
    cfg.haresources.groups.push_back(conf::ResourceGroup{});
    auto specs = master::child_specs(cfg, master::Options{});
    ASSERT_EQ(specs.size(), 1u);
    EXPECT_EQ(specs[0].name, "rscd");
}

TEST(Spawn, DescribesExitAndSignal) {
    EXPECT_EQ(master::describe_wait_status(1 << 8), "exit status 1");
    EXPECT_EQ(master::describe_wait_status(9), "killed by signal SIGKILL");
}

TEST(PidFile, SecondAcquireIsRefusedWhileTheFirstHoldsIt) {
    std::string path = testing::TempDir() + "/pidfile_test.pid";
    auto first = master::PidFile::acquire(path);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto second = master::PidFile::acquire(path);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, "running");
    EXPECT_EQ(master::PidFile::holder(path), ::getpid());
}
