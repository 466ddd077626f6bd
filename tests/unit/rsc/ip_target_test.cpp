// resolve_ip_target: inferring interface, prefix, broadcast and label of a VIP; ARP payloads.
#include "rscd/ip_target.hpp"

#include <gtest/gtest.h>

#include "rscd/arp_announcer.hpp"

namespace ha::rsc {
namespace {

InterfaceAddress addr(int ifindex, std::string ifname, std::string ip, int prefix, std::string label = {}) {
    InterfaceAddress a;
    a.ifindex = ifindex;
    a.ifname = ifname;
    a.label = label.empty() ? ifname : label;
    a.local = *parse_ipv4_host(ip);
    a.prefix = prefix;
    return a;
}

class IpTargetTest : public ::testing::Test {
protected:
    std::vector<InterfaceAddress> addresses{addr(1, "lo", "127.0.0.1", 8), addr(2, "eth0", "192.0.2.11", 24),
                                            addr(3, "eth1", "198.51.100.11", 24), addr(2, "eth0", "192.0.2.200", 28)};
    std::vector<LinkInfo> links{{1, "lo", {}, false, true}, {2, "eth0", {}, true, true}, {3, "eth1", {}, true, true}};
    Result<IpTarget> resolve(const std::string& word, bool label = true) {
        return resolve_ip_target(*conf::parse_ipaddr_spec(word), label, addresses, links);
    }
};

TEST_F(IpTargetTest, InfersInterfaceAndPrefixFromTheSubnet) {
    auto t = resolve("192.0.2.100");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->iface, "eth0");
    EXPECT_EQ(t->ifindex, 2);
    EXPECT_EQ(t->prefix, 24);
    EXPECT_EQ(ipv4_text(*t->broadcast), "192.0.2.255");
    EXPECT_EQ(t->label, "eth0:0");
}

TEST_F(IpTargetTest, LongestPrefixWins) {
    auto t = resolve("192.0.2.197");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->prefix, 28);
    EXPECT_EQ(ipv4_text(*t->broadcast), "192.0.2.207");
}

TEST_F(IpTargetTest, ExplicitPartsWin) {
    auto t = resolve("198.51.100.100/25/eth1/198.51.100.127", false);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->iface, "eth1");
    EXPECT_EQ(t->prefix, 25);
    EXPECT_EQ(ipv4_text(*t->broadcast), "198.51.100.127");
    EXPECT_EQ(t->label, "");  // IPaddr2: no alias label
}

TEST_F(IpTargetTest, PrefixWithoutInterfaceStillFindsInterface) {
    auto t = resolve("192.0.2.100/24");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->iface, "eth0");
}

TEST_F(IpTargetTest, FirstFreeAliasLabel) {
    addresses.push_back(addr(2, "eth0", "192.0.2.101", 24, "eth0:0"));
    auto t = resolve("192.0.2.100");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->label, "eth0:1");
}

TEST_F(IpTargetTest, NoSubnetIsAnErrorNamingTheVip) {
    auto t = resolve("203.0.113.5");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, "no_interface");
    EXPECT_NE(t.error().message.find("203.0.113.5"), std::string::npos);
}

TEST_F(IpTargetTest, LoopbackOnlyWhenNamed) {
    EXPECT_FALSE(resolve("127.0.0.5"));
    auto t = resolve("127.0.0.5/8/lo");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->iface, "lo");
}

TEST_F(IpTargetTest, UnknownInterfaceAndMissingNetmask) {
    auto a = resolve("192.0.2.100/24/eth9");
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("no such interface eth9"), std::string::npos);
    auto b = resolve("203.0.113.5//eth1");
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, "no_netmask");
}

TEST_F(IpTargetTest, NoBroadcastForSlash32) {
    auto t = resolve("192.0.2.100/32/eth0");
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->broadcast);
}

TEST(ArpPayload, GratuitousRequestAndReply) {
    GratuitousArp g{*parse_ipv4_host("192.0.2.100"), 2, "eth0", {0x02, 0, 0, 0, 0, 0x11}};
    const auto req = arp_payload(g, false);
    const auto rep = arp_payload(g, true);
    const std::array<unsigned char, 8> head{0, 1, 8, 0, 6, 4, 0, 1};
    EXPECT_TRUE(std::equal(head.begin(), head.end(), req.begin()));
    EXPECT_EQ(rep[7], 2);
    const std::array<unsigned char, 4> vip{192, 0, 2, 100};
    EXPECT_TRUE(std::equal(vip.begin(), vip.end(), req.begin() + 14));  // sender IP
    EXPECT_TRUE(std::equal(vip.begin(), vip.end(), req.begin() + 24));  // target IP
    EXPECT_TRUE(std::all_of(req.begin() + 18, req.begin() + 24, [](unsigned char c) { return c == 0; }));
    EXPECT_TRUE(std::equal(rep.begin() + 8, rep.begin() + 14, rep.begin() + 18));  // reply: tha == sha
}

}  // namespace
}  // namespace ha::rsc
