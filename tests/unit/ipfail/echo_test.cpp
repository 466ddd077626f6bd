// EchoPacket and EchoMatcher: ICMP echo bytes and strict reply matching.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include "ipfaild/echo_matcher.hpp"
#include "ipfaild/echo_packet.hpp"

namespace ha::ipfail {
namespace {

// The reply a host would send to `request`: type 0, checksum recomputed.
std::string reply_to(std::string request) {
    request[0] = 0;
    request[2] = request[3] = 0;
    const auto c = icmp_checksum(request);
    request[2] = static_cast<char>(c >> 8);
    request[3] = static_cast<char>(c & 0xff);
    return request;
}

std::uint32_t addr(const char* text) {
    in_addr a{};
    ::inet_pton(AF_INET, text, &a);
    return a.s_addr;
}

TEST(EchoPacket, ChecksumOfRfc1071Example) {
    // RFC 1071 §3 example words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
    const std::string bytes("\x00\x01\xf2\x03\xf4\xf5\xf6\xf7", 8);
    EXPECT_EQ(icmp_checksum(bytes), 0x220d);
    EXPECT_EQ(icmp_checksum(build_echo_request(7, 9, "abc")), 0) << "a built packet checks out";
}

TEST(EchoPacket, ReplyParsesWithAndWithoutIpHeader) {
    const std::string reply = reply_to(build_echo_request(0x1234, 0x0102, "token"));
    auto r = parse_echo_reply(reply, false);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->id, 0x1234);
    EXPECT_EQ(r->seq, 0x0102);
    EXPECT_EQ(r->payload, "token");

    std::string ip(20, '\0');
    ip[0] = 0x45;
    ip[9] = 1;  // ICMP
    auto raw = parse_echo_reply(ip + reply, true);
    ASSERT_TRUE(raw) << raw.error().message;
    EXPECT_EQ(raw->payload, "token");
}

TEST(EchoPacket, RejectsRequestsBadChecksumsAndShortPackets) {
    const std::string request = build_echo_request(1, 1, "x");
    EXPECT_EQ(parse_echo_reply(request, false).error().code, "not_reply") << "our own request on loopback";
    std::string bad = reply_to(request);
    bad.back() ^= 1;
    EXPECT_EQ(parse_echo_reply(bad, false).error().code, "bad_checksum");
    EXPECT_EQ(parse_echo_reply("abc", false).error().code, "short");
    EXPECT_EQ(parse_echo_reply(std::string(20, '\0'), true).error().code, "bad_ip");
}

TEST(EchoMatcher, MatchesIdSeqSourceAndPayloadOnce) {
    EchoMatcher m(42);
    m.sent(addr("192.0.2.1"), 1, "p1");
    m.sent(addr("192.0.2.2"), 2, "p2");
    EXPECT_FALSE(m.match(addr("192.0.2.1"), EchoReply{41, 1, "p1"}));
    EXPECT_EQ(m.count("not_ours"), 1u);
    EXPECT_FALSE(m.match(addr("192.0.2.1"), EchoReply{42, 2, "p2"}));
    EXPECT_EQ(m.count("wrong_source"), 1u);
    EXPECT_FALSE(m.match(addr("192.0.2.1"), EchoReply{42, 1, "forged"}));
    EXPECT_EQ(m.count("bad_payload"), 1u);
    EXPECT_TRUE(m.match(addr("192.0.2.1"), EchoReply{42, 1, "p1"}));
    EXPECT_FALSE(m.match(addr("192.0.2.1"), EchoReply{42, 1, "p1"})) << "a duplicate reply does not count twice";
    EXPECT_EQ(m.count("unknown_seq"), 1u);
    EXPECT_EQ(m.count("matched"), 1u);
}

TEST(EchoMatcher, KeepsOnlyTheLastWindowOfProbesPerAddress) {
    EchoMatcher m(1, 2);
    for (std::uint16_t s = 1; s <= 3; ++s) m.sent(addr("192.0.2.1"), s, "p");
    EXPECT_FALSE(m.match(addr("192.0.2.1"), EchoReply{1, 1, "p"})) << "too late";
    EXPECT_TRUE(m.match(addr("192.0.2.1"), EchoReply{1, 2, "p"}));
    EXPECT_TRUE(m.match(addr("192.0.2.1"), EchoReply{1, 3, "p"}));
}

}  // namespace
}  // namespace ha::ipfail
