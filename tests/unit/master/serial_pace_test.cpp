// serial_pace: a cable's heartbeat pace and link deadtime from its baud rate.
#include "master/core/serial_pace.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
namespace hm = ha::master;
namespace conf = ha::conf;

namespace {

conf::Config config(ha::ipc::AuthMethod method, int baud) {
    conf::Config c;
    c.local_node = "web1";
    c.ha_cf.nodes = {"web1", "web2"};
    c.ha_cf.keepalive = 10ms;
    c.ha_cf.deadtime = 50ms;
    conf::Medium serial;
    serial.kind = conf::MediumKind::serial;
    serial.device = "/dev/ttyS0";
    serial.baud = baud;
    c.ha_cf.media.push_back(serial);
    c.authkeys.active = 1;
    c.authkeys.keys[1] = ha::ipc::AuthKey{method, "secret"};
    return c;
}

}  // namespace

TEST(SerialPace, AFrameTakesTenBitsPerByteAtTheBaudRate) {
    const auto p = hm::serial_pace(240, 0, 19200, 10ms, 50ms);
    EXPECT_EQ(p.frame_time, 125ms);  // 2400 bits / 19200 bit/s
    EXPECT_EQ(p.pace, 125ms);        // the cable, not the keepalive, sets the pace
    EXPECT_EQ(p.link_deadtime, 500ms);  // pace + 3 cycles
    const auto fast = hm::serial_pace(240, 0, 115200, 10ms, 50ms);
    EXPECT_EQ(fast.frame_time, 21ms);  // 20.8 rounded up
    EXPECT_EQ(fast.pace, 21ms);
    EXPECT_EQ(fast.link_deadtime, 84ms);
}

TEST(SerialPace, ABusyCableCarriesOneAckPerHeartbeat) {
    const auto p = hm::serial_pace(240, 192, 19200, 10ms, 50ms);
    EXPECT_EQ(p.frame_time, 225ms);  // (240 + 192) bytes, 4320 bits
    EXPECT_EQ(p.pace, 225ms);
    EXPECT_EQ(p.link_deadtime, 900ms);
    EXPECT_EQ(hm::serial_pace(240, 192, 19200, 100ms, 500ms).link_deadtime, 900ms) << "saturated at 100 ms too";
}

TEST(SerialPace, CommonTimingsKeepTheDeadtime) {
    const auto p = hm::serial_pace(240, 192, 19200, 1s, 30s);
    EXPECT_EQ(p.pace, 1s);
    EXPECT_EQ(p.link_deadtime, 30s);
    EXPECT_EQ(hm::serial_pace(240, 192, 115200, 100ms, 1s).link_deadtime, 1s);
}

TEST(SerialPace, TheStatusFrameIsMeasuredWithTheActiveKey) {
    const std::size_t crc = hm::status_frame_bytes(config(ha::ipc::AuthMethod::crc, 19200));
    const std::size_t sha1 = hm::status_frame_bytes(config(ha::ipc::AuthMethod::sha1, 19200));
    EXPECT_GT(crc, 150u);
    EXPECT_LT(sha1, 400u);
    EXPECT_GT(sha1, crc);  // 40 hex digits against 8
    const std::size_t ack = hm::ack_frame_bytes(config(ha::ipc::AuthMethod::sha1, 19200));
    EXPECT_GT(ack, 100u);
    EXPECT_LT(ack, sha1);
    auto longer = config(ha::ipc::AuthMethod::sha1, 19200);
    longer.ha_cf.nodes = {"web1", "a-much-longer-peer-name"};
    EXPECT_EQ(hm::status_frame_bytes(longer), sha1 + 19) << "the peer's frames, with its longer name";
    const auto paces = hm::serial_paces(config(ha::ipc::AuthMethod::sha1, 19200));
    ASSERT_EQ(paces.count("/dev/ttyS0"), 1u);
    EXPECT_EQ(paces.at("/dev/ttyS0").frame_bytes, sha1);
    EXPECT_EQ(paces.at("/dev/ttyS0").ack_bytes, ack);
    EXPECT_GT(paces.at("/dev/ttyS0").link_deadtime, 50ms);
}
