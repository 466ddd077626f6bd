// broadcast_for: where a bcast link sends — never to our own address (issue 19 item 6).
#include <gtest/gtest.h>

#include <boost/asio/ip/address_v4.hpp>

#include "heartbeatd-net/udp_link.hpp"

namespace ha::net {
namespace {

std::uint32_t ip(const char* text) { return boost::asio::ip::make_address_v4(text).to_uint(); }
std::string text(std::uint32_t a) { return boost::asio::ip::address_v4(a).to_string(); }

TEST(BroadcastFor, KeepsTheBroadcastAddressTheKernelReports) {
    auto b = broadcast_for("eth1", ip("198.51.100.1"), ip("255.255.255.0"), ip("198.51.100.255"));
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(text(*b), "198.51.100.255");
    // An administrator's own choice (`brd 198.51.100.127` on a /24) is kept as it is.
    b = broadcast_for("eth1", ip("198.51.100.1"), ip("255.255.255.0"), ip("198.51.100.127"));
    ASSERT_TRUE(b);
    EXPECT_EQ(text(*b), "198.51.100.127");
}

TEST(BroadcastFor, AddressWithoutBrdGetsTheDirectedBroadcastOfItsPrefixNotItself) {
    // `ip addr add 198.51.100.1/24 dev eth1` (no brd): getifaddrs reports the address itself.
    auto b = broadcast_for("eth1", ip("198.51.100.1"), ip("255.255.255.0"), ip("198.51.100.1"));
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(text(*b), "198.51.100.255");
    b = broadcast_for("eth1", ip("203.0.113.70"), ip("255.255.255.192"), std::nullopt);
    ASSERT_TRUE(b);
    EXPECT_EQ(text(*b), "203.0.113.127");
    b = broadcast_for("eth1", ip("192.0.2.9"), ip("255.255.255.0"), ip("0.0.0.0"));
    ASSERT_TRUE(b);
    EXPECT_EQ(text(*b), "192.0.2.255");
}

TEST(BroadcastFor, PrefixWithoutBroadcastIsAnErrorNamingTheInterface) {
    for (const char* mask : {"255.255.255.255", "255.255.255.254", "255.0.255.0"}) {
        auto b = broadcast_for("eth1", ip("198.51.100.1"), ip(mask), ip("198.51.100.1"));
        ASSERT_FALSE(b) << mask << " gave " << text(*b);
        EXPECT_EQ(b.error().code, "no_broadcast");
        EXPECT_NE(b.error().message.find("bcast eth1"), std::string::npos) << b.error().message;
    }
}

}  // namespace
}  // namespace ha::net
