// Unit tests of HeartbeatSource: field order and encodings of outgoing messages.
#include "master/core/heartbeat_source.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace std::chrono_literals;
using ha::ipc::FieldType;
using ha::ipc::Message;
using ha::ipc::WallTime;
namespace hm = ha::master;

namespace {

hm::HeartbeatSourceParams params() {
    hm::HeartbeatSourceParams p;
    p.local_node = "web1";
    for (std::uint8_t i = 0; i < 16; ++i) p.uuid[i] = i;
    p.generation = 5;
    p.ttl = hm::default_ttl(1, 2);
    p.loadavg = [] { return std::string("0.08 0.03 0.01 1/187 2301\n"); };
    return p;
}

const WallTime kWall = WallTime{} + std::chrono::seconds(0x692a1c00);

std::vector<std::pair<std::string, std::string>> names_and_values(const Message& m) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : m.fields()) out.emplace_back(f.name, f.value);
    return out;
}

}  // namespace

// The composed status message of the compat spec's test vectors (seq 2a, hg 5, dt 1f4).
TEST(HeartbeatSource, StatusMatchesSpecTestVectorFieldOrderAndHex) {
    hm::HeartbeatSource source(params());
    Message m;
    for (int i = 0; i < 0x2a; ++i) m = source.make_status(kWall, "active", 500ms);

    const std::string uuid("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 16);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"t", "status"}, {"st", "active"}, {"dt", "1f4"},      {"protocol", "1"},
        {"src", "web1"}, {"srcuuid", uuid}, {"seq", "2a"},     {"hg", "5"},
        {"ts", "692a1c00"}, {"ld", "0.08 0.03 0.01 1/187 2301"}, {"ttl", "3"},
    };
    EXPECT_EQ(names_and_values(m), expected);
    EXPECT_EQ(m.find("srcuuid")->type, FieldType::binary);
    for (const auto& f : m.fields()) {
        if (f.name != "srcuuid") EXPECT_EQ(f.type, FieldType::string) << f.name;
    }
    EXPECT_FALSE(m.has("auth")) << "media daemons sign";
    EXPECT_EQ(source.last_seq(), 0x2au);
}

TEST(HeartbeatSource, DeadtimeIsHexMilliseconds) {
    hm::HeartbeatSource source(params());
    EXPECT_EQ(source.make_status(kWall, "up", 30000ms).get_or("dt", ""), "7530");
    EXPECT_EQ(source.make_status(kWall, "up", 60000ms).get_or("dt", ""), "ea60");
}

TEST(HeartbeatSource, SeqStartsAtOneAndIncrementsPerMessage) {
    hm::HeartbeatSource source(params());
    EXPECT_EQ(source.last_seq(), 0u);
    EXPECT_EQ(source.make_status(kWall, "up", 1s).get_or("seq", ""), "1");
    Message r;
    r.add("t", "resource");
    source.stamp(r, kWall);
    EXPECT_EQ(r.get_or("seq", ""), "2");
    for (int i = 0; i < 13; ++i) source.make_status(kWall, "up", 1s);
    EXPECT_EQ(source.make_status(kWall, "up", 1s).get_or("seq", ""), "10");
}

TEST(HeartbeatSource, StampAppendsDefaultFieldsAfterCallersFields) {
    hm::HeartbeatSource source(params());
    Message m;
    m.add("t", "resource").add("rsc_hold", "local").add("rtype", "full").add("isstable", "1");
    source.stamp(m, kWall + 16s);
    std::vector<std::string> names;
    for (const auto& f : m.fields()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"t", "rsc_hold", "rtype", "isstable", "src", "srcuuid", "seq", "hg",
                                               "ts", "ld", "ttl"}));
    EXPECT_EQ(m.get_or("ts", ""), "692a1c10");
}

TEST(HeartbeatSource, NsMessagesGetNoSeqNoLdAndConsumeNoSeq) {
    hm::HeartbeatSource source(params());
    Message ack;
    ack.add("t", "NS_ackmsg").add("dest", "web2").add("ackseq", "2a");
    source.stamp(ack, kWall);
    std::vector<std::string> names;
    for (const auto& f : ack.fields()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"t", "dest", "ackseq", "src", "srcuuid", "hg", "ts", "ttl"}));
    EXPECT_EQ(source.last_seq(), 0u);
    EXPECT_EQ(source.make_status(kWall, "up", 1s).get_or("seq", ""), "1");
}

TEST(HeartbeatSource, RestampReplacesDefaultFieldsAndApiClientTtlIsOneHigher) {
    hm::HeartbeatSource source(params());
    Message m;
    m.add("t", "num_ping_nodes").add("src", "forged").add("auth", "1 abc").add("num_ping", "1");
    m.add("from_id", "ipfail");
    source.stamp(m, kWall, hm::Origin::api_client);
    EXPECT_EQ(m.get_or("src", ""), "web1");
    EXPECT_FALSE(m.has("auth"));
    EXPECT_EQ(m.get_or("ttl", ""), "4");
    std::size_t srcs = 0;
    for (const auto& f : m.fields()) srcs += f.name == "src";
    EXPECT_EQ(srcs, 1u);
    EXPECT_EQ(m.fields()[2].name, "from_id");
}

TEST(HeartbeatSource, MissingLoadavgIsNa) {
    auto p = params();
    p.loadavg = nullptr;
    hm::HeartbeatSource source(p);
    EXPECT_EQ(source.make_status(kWall, "up", 1s).get_or("ld", ""), "n/a");
    p.loadavg = [] { return std::string(); };
    hm::HeartbeatSource empty(p);
    EXPECT_EQ(empty.make_status(kWall, "up", 1s).get_or("ld", ""), "n/a");
}

// The load average is read at most once a second (issue 13), on the injected clock.
TEST(HeartbeatSource, CachedLoadavgRefreshesOncePerPeriodOnTheClock) {
    ha::ipc::FakeClock clock;
    int reads = 0;
    auto provider = hm::cached_provider([&reads] { return "0.0" + std::to_string(++reads) + " 0.00 0.00 1/100 1"; }, clock, 1s);
    EXPECT_EQ(provider(), "0.01 0.00 0.00 1/100 1");  // the first call reads
    for (int i = 0; i < 99; ++i) {
        clock.advance(10ms);
        EXPECT_EQ(provider(), "0.01 0.00 0.00 1/100 1");
    }
    EXPECT_EQ(reads, 1);
    clock.advance(10ms);  // 1 s after the first read
    EXPECT_EQ(provider(), "0.02 0.00 0.00 1/100 1");
    EXPECT_EQ(reads, 2);
    clock.advance(5s);  // a long gap: one read, not one per missed period
    EXPECT_EQ(provider(), "0.03 0.00 0.00 1/100 1");
    EXPECT_EQ(provider(), "0.03 0.00 0.00 1/100 1");
    EXPECT_EQ(reads, 3);
}
