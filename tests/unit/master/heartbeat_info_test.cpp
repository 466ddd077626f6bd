// Unit tests of HeartbeatInfo decoding and the hex helpers.
#include "master/core/heartbeat_info.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
namespace hm = ha::master;

TEST(HeartbeatInfo, DecodesHexSeqGenerationAndDeadtime) {
    ha::ipc::Message m;
    m.add("t", "status").add("st", "active").add("dt", "7530").add("protocol", "1").add("src", "web2");
    m.add("seq", "2f").add("hg", "4B");
    auto info = hm::heartbeat_info_from(m);
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_TRUE(info->is_status());
    EXPECT_EQ(info->status, "active");
    EXPECT_EQ(info->seq, 0x2fu);
    EXPECT_EQ(info->generation, 0x4bu);
    EXPECT_EQ(info->deadtime, 30000ms);
    EXPECT_TRUE(info->has_protocol);
}

TEST(HeartbeatInfo, NsMessageWithoutSeqIsValid) {
    ha::ipc::Message m;
    m.add("t", "NS_ackmsg").add("dest", "web1").add("ackseq", "2a").add("hg", "5");
    auto info = hm::heartbeat_info_from(m);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->seq, std::nullopt);
    EXPECT_EQ(info->generation, 5u);
    EXPECT_FALSE(info->has_protocol);
}

TEST(HeartbeatInfo, RejectsBadHexAndMissingType) {
    ha::ipc::Message m;
    m.add("t", "status").add("seq", "12g");
    auto info = hm::heartbeat_info_from(m);
    ASSERT_FALSE(info.has_value());
    EXPECT_EQ(info.error().code, "bad_field");
    EXPECT_NE(info.error().message.find("\"seq\""), std::string::npos);
    ha::ipc::Message no_type;
    no_type.add("seq", "1");
    EXPECT_FALSE(hm::heartbeat_info_from(no_type).has_value());
    EXPECT_FALSE(hm::parse_hex("").has_value());
    EXPECT_FALSE(hm::parse_hex("12345678901234567").has_value());
    EXPECT_EQ(*hm::parse_hex("ffffffffffffffff"), 0xffffffffffffffffu);
    EXPECT_EQ(hm::to_hex(30000), "7530");
    EXPECT_EQ(hm::to_hex(0), "0");
}
