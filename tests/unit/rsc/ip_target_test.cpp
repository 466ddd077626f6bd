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
    a.local = *IpAddress::parse(ip);
    a.prefix = prefix;
    return a;
}

class IpTargetTest : public ::testing::Test {
protected:
    std::vector<InterfaceAddress> addresses{addr(1, "lo", "127.0.0.1", 8), addr(2, "eth0", "192.0.2.11", 24),
                                            addr(3, "eth1", "198.51.100.11", 24), addr(2, "eth0", "192.0.2.200", 28),
                                            addr(1, "lo", "::1", 128), addr(2, "eth0", "fe80::11", 64),
                                            addr(2, "eth0", "2001:db8::11", 64), addr(3, "eth1", "2001:db8:1::11", 48),
                                            addr(3, "eth1", "2001:db8:1:2::11", 64)};
    std::vector<LinkInfo> links{{1, "lo", {}, false, true}, {2, "eth0", {}, true, true}, {3, "eth1", {}, true, true}};
    Result<IpTarget> resolve(const std::string& word, bool label = true) {
        return resolve_ip_target(*conf::parse_ipaddr_spec(word), label, addresses, links);
    }
    Result<IpTarget> resolve6(const std::string& word, bool label = false) {
        return resolve_ip_target(*conf::parse_builtin_ip_spec("IPv6addr", word), label, addresses, links);
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

TEST_F(IpTargetTest, Ipv6InfersInterfaceAndPrefixFromItsOwnFamilyOnly) {
    auto t = resolve6("2001:db8::100");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->address.text(), "2001:db8::100");
    EXPECT_TRUE(t->address.is_v6());
    EXPECT_EQ(t->iface, "eth0");
    EXPECT_EQ(t->prefix, 64);
    EXPECT_FALSE(t->broadcast);  // IPv6 has none
    EXPECT_EQ(t->label, "");     // nor labels, even when asked
    auto longest = resolve6("2001:db8:1:2::100", true);
    ASSERT_TRUE(longest);
    EXPECT_EQ(longest->iface, "eth1");
    EXPECT_EQ(longest->prefix, 64);  // the /64 beats the /48
    EXPECT_EQ(longest->label, "");
}

TEST_F(IpTargetTest, Ipv6ExplicitPartsAndErrors) {
    auto t = resolve6("2001:db8:5::100/120/eth1");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->iface, "eth1");
    EXPECT_EQ(t->ifindex, 3);
    EXPECT_EQ(t->prefix, 120);
    auto none = resolve6("2001:db8:9::100");  // no subnet of eth0/eth1 holds it; the link-local /64 does not
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, "no_interface");
    EXPECT_NE(none.error().message.find("2001:db8:9::100/PREFIX/IFACE"), std::string::npos);
    auto no_prefix = resolve6("2001:db8:9::100//eth0");
    ASSERT_FALSE(no_prefix);
    EXPECT_EQ(no_prefix.error().code, "no_netmask");
}

TEST(IpAddressValue, ParsesBothFamiliesComparesAndMatchesSubnets) {
    const auto a = IpAddress::parse("2001:DB8:0:0::100");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->text(), "2001:db8::100");
    EXPECT_EQ(a->max_prefix(), 128);
    EXPECT_EQ(*a, *IpAddress::parse("2001:db8::100"));
    EXPECT_TRUE(a->same_subnet(*IpAddress::parse("2001:db8::ffff"), 64));
    EXPECT_TRUE(a->same_subnet(*IpAddress::parse("2001:db8::1ff"), 120));
    EXPECT_FALSE(a->same_subnet(*IpAddress::parse("2001:db8::1ff"), 121));  // a prefix inside a byte
    EXPECT_FALSE(a->same_subnet(*IpAddress::parse("2001:db8::200"), 119));
    const auto v4 = IpAddress::parse("192.0.2.100");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->v4_host(), 0xc0000264u);
    EXPECT_EQ(*v4, IpAddress::v4(0xc0000264));
    EXPECT_NE(*v4, *a);
    EXPECT_FALSE(v4->same_subnet(*a, 0));  // families never share a subnet
    EXPECT_TRUE(v4->same_subnet(*IpAddress::parse("192.0.2.7"), 24));
    EXPECT_FALSE(IpAddress::parse("fe80::1%eth0"));
    EXPECT_FALSE(IpAddress::parse("192.0.2"));
}

TEST(ArpPayload, GratuitousRequestAndReply) {
    VipAnnouncement g{"IPaddr", IpAddress::v4(*parse_ipv4_host("192.0.2.100")), 2, "eth0", {0x02, 0, 0, 0, 0, 0x11}};
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
