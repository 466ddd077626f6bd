// RscdOptions: the command line.
#include "rscd/rscd_options.hpp"

#include <gtest/gtest.h>

namespace ha::rsc {
namespace {

TEST(RscdOptions, OneshotWithGroupKey) {
    auto o = parse_rscd_options({"--config", "/tmp/ha.d", "--node", "web1", "--oneshot", "start", "192.0.2.100/24/eth0", "-v"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->config_dir, "/tmp/ha.d");
    EXPECT_EQ(o->node, "web1");
    EXPECT_TRUE(o->verbose);
    ASSERT_TRUE(o->oneshot);
    EXPECT_EQ(o->oneshot->op, GroupOp::start);
    EXPECT_EQ(o->oneshot->group_key, "192.0.2.100/24/eth0");
}

// The option style of every hamaster binary (hamaster(8) OPTIONS): --name=VALUE as --name VALUE,
// -h/--help and --version.
TEST(RscdOptions, SameOptionStyleAsEveryBinary) {
    auto o = parse_rscd_options({"--config=/tmp/ha.d", "--node=web1", "--arp-probe-count=5"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->config_dir, "/tmp/ha.d");
    EXPECT_EQ(o->node, "web1");
    EXPECT_EQ(o->arp_probe_count, 5);
    EXPECT_FALSE(o->help || o->version);
    auto h = parse_rscd_options({"--help"});
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->help);
    EXPECT_TRUE(parse_rscd_options({"-h"})->help);
    EXPECT_TRUE(parse_rscd_options({"--version"})->version);
    EXPECT_NE(rscd_usage().find("--version"), std::string::npos);
}

TEST(RscdOptions, Rejects) {
    EXPECT_FALSE(parse_rscd_options({"--oneshot", "takeover", "x"}));
    EXPECT_FALSE(parse_rscd_options({"--oneshot", "start"}));
    EXPECT_FALSE(parse_rscd_options({"--node"}));
    EXPECT_FALSE(parse_rscd_options({"--bogus"}));
}

TEST(RscdOptions, OneshotProbeAndArpProbeWindow) {
    auto o = parse_rscd_options({"--node", "web2", "--oneshot", "probe", "192.0.2.100/24/eth0", "--preferred",
                                 "--arp-probe-interval", "50", "--arp-probe-count", "4"});
    ASSERT_TRUE(o) << o.error().message;
    ASSERT_TRUE(o->oneshot);
    EXPECT_TRUE(o->oneshot->probe);
    EXPECT_TRUE(o->oneshot->preferred);
    EXPECT_EQ(o->arp_probe_interval, std::chrono::milliseconds(50));
    EXPECT_EQ(o->arp_probe_count, 4);
    auto d = parse_rscd_options({"--node", "web2", "--oneshot", "probe", "192.0.2.100/24/eth0"});
    ASSERT_TRUE(d);
    EXPECT_FALSE(d->oneshot->preferred);
    EXPECT_EQ(d->arp_probe_interval, std::chrono::milliseconds(30));
    EXPECT_EQ(d->arp_probe_count, 3);
    EXPECT_FALSE(parse_rscd_options({"--node", "w", "--preferred"}));
    EXPECT_FALSE(parse_rscd_options({"--node", "w", "--oneshot", "start", "x", "--preferred"}));
    for (const char* bad : {"0", "-3", "10001", "30ms", ""})
        EXPECT_FALSE(parse_rscd_options({"--node", "w", "--arp-probe-interval", bad})) << bad;
    EXPECT_FALSE(parse_rscd_options({"--node", "w", "--arp-probe-count", "101"}));
}

TEST(RscdOptions, NodeDefaultsToUname) {
    auto o = parse_rscd_options({});
    ASSERT_TRUE(o);
    EXPECT_FALSE(o->node.empty());
    EXPECT_FALSE(o->oneshot);
}

}  // namespace
}  // namespace ha::rsc
