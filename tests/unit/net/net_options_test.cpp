#include "heartbeatd-net/net_options.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "heartbeatd-net/udp_link.hpp"

namespace ha::net {
namespace {

// Parses `args` the way main does: common daemon flags plus ours.
Result<NetOptions> parse(const std::vector<std::string>& args, std::vector<std::string>* extra = nullptr) {
    ipc::DaemonOptionParser parser("heartbeatd-net");
    add_net_options(parser);
    auto common = parser.parse(args);
    if (!common) return common.error();
    if (extra) *extra = common->extra;
    return net_options_from(parser);
}

TEST(NetOptions, ParsesMediaNextToTheCommonFlags) {
    std::vector<std::string> args = {"--node", "web1", "--udpport", "695", "--ucast", "eth0:198.51.100.2",
                                     "--bcast=eth1:696", "--mcast", "eth2:239.0.0.1:694:1:0", "--nodes", "web1,web2",
                                     "--bind", "127.0.0.2", "-v", "--stdio-bus"};
    auto o = parse(args);
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->udpport, 695);
    ASSERT_EQ(o->media.size(), 3u);
    EXPECT_EQ(o->media[0].kind, MediumKind::ucast);
    EXPECT_EQ(o->media[0].dev, "eth0");
    EXPECT_EQ(o->media[0].peer, "198.51.100.2");
    EXPECT_EQ(o->media[1].kind, MediumKind::bcast);
    EXPECT_EQ(o->media[1].dev, "eth1");
    EXPECT_EQ(o->media[1].port, 696);
    EXPECT_EQ(o->media[0].port, 0);  // --udpport
    EXPECT_EQ(o->media[2].kind, MediumKind::mcast);
    EXPECT_EQ(o->media[2].group, "239.0.0.1");
    EXPECT_EQ(o->media[2].port, 694);
    EXPECT_EQ(o->media[2].ttl, 1);
    EXPECT_FALSE(o->media[2].loop);
    EXPECT_EQ(o->nodes, (std::vector<std::string>{"web1", "web2"}));
    EXPECT_EQ(o->bind_address, "127.0.0.2");
    EXPECT_TRUE(o->bus.stdio);
    EXPECT_EQ(o->bus.lane_fd, -1);
}

// --bus-fd names the media lane: an open SOCK_SEQPACKET socket, and not with --stdio-bus.
TEST(NetOptions, BusFdMustBeASeqpacketSocketAndExcludesTheStdioBus) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    const std::vector<std::string> base = {"--ucast", "lo:127.0.0.3", "--nodes", "web1,web2"};
    auto with = [&](std::vector<std::string> more) {
        more.insert(more.begin(), base.begin(), base.end());
        return parse(more);
    };
    auto o = with({"--bus-fd", std::to_string(pair[1])});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->bus.lane_fd, pair[1]);
    EXPECT_FALSE(o->bus.stdio);
    auto not_socket = with({"--bus-fd", "2"});
    ASSERT_FALSE(not_socket);
    EXPECT_EQ(not_socket.error().code, "config");
    EXPECT_NE(not_socket.error().message.find("--bus-fd 2: fd 2 is not a socket"), std::string::npos)
        << not_socket.error().message;
    auto closed = with({"--bus-fd", "999"});
    ASSERT_FALSE(closed);
    EXPECT_NE(closed.error().message.find("fd 999 is not open"), std::string::npos) << closed.error().message;
    EXPECT_EQ(with({"--bus-fd", "x3"}).error().code, "usage");
    auto both = with({"--bus-fd", std::to_string(pair[1]), "--stdio-bus"});
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().code, "usage");
    int dgram[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dgram), 0);
    EXPECT_EQ(with({"--bus-fd", std::to_string(dgram[0])}).error().code, "config");
    for (int fd : {pair[0], pair[1], dgram[0], dgram[1]}) ::close(fd);
}

TEST(NetOptions, RejectsBadValuesNamingTheFlag) {
    const std::vector<std::vector<std::string>> bad = {
        {"--nodes", "a,b"},                                              // no medium
        {"--ucast", "eth0:198.51.100.2"},                                    // no nodes
        {"--ucast", "eth0", "--nodes", "a"},                             // no peer
        {"--ucast", "eth0:198.51.100.2:0", "--nodes", "a"},                  // port 0
        {"--bcast", "eth0:1:2", "--nodes", "a"},                         // too many parts
        {"--udpport", "70000", "--bcast", "eth0", "--nodes", "a"},       // port
        {"--mcast", "eth0:239.0.0.1:694:0:0", "--nodes", "a"},           // ttl 0
        {"--mcast", "eth0:239.0.0.1:694:1:2", "--nodes", "a"},           // loop 2
        {"--mcast", "eth0:239.0.0.1:694", "--nodes", "a"},               // too few parts
        {"--bcast", "eth0", "--ucast", "eth0:198.51.100.2", "--nodes", "a"}, // duplicate link name
        {"--bcast"},                                                     // missing value
        {"--bcast", "eth0", "--nodes", "a", "--frobnicate"},             // unknown flag
    };
    for (auto args : bad) {
        auto o = parse(args);
        EXPECT_FALSE(o) << args[0] << " " << (args.size() > 1 ? args[1] : "");
    }
    auto o = parse({"--udpport", "0x", "--bcast", "eth0", "--nodes", "a"});
    ASSERT_FALSE(o);
    EXPECT_NE(o.error().message.find("--udpport 0x"), std::string::npos) << o.error().message;
    EXPECT_EQ(o.error().code, "usage");
}

TEST(NetOptions, AcceptsTheCommandLineTheMasterBuilds) {
    // As master/child_specs.cpp writes it: media after the common flags, ports spelled out.
    std::vector<std::string> extra;
    auto o = parse({"--node", "web1", "--config", "/etc/ha.d", "--run-dir", "/run/x", "--log-dir", "/var/log/x",
                    "--state-dir", "/var/lib/x", "--parent-pid", "1", "--udpport", "694", "--nodes", "web1,web2",
                    "--ucast", "eth0:198.51.100.2:694", "--bcast", "eth1:694", "--mcast", "eth2:239.0.0.1:694:1:0"},
                   &extra);
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->media.size(), 3u);
    EXPECT_TRUE(extra.empty());
}

TEST(UdpLink, LoopbackHasNoBroadcastAddress) {
    auto b = interface_broadcast("lo");
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("bcast lo"), std::string::npos);
}

}  // namespace
}  // namespace ha::net
