// RexmitRequests: asking the peer again for the seqs we missed (compat spec §7.3), on a fake clock.
#include "master/core/rexmit_requests.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::Message;
using ha::ipc::SteadyTime;
using ha::master::RexmitRequests;

namespace {

Message from_web1(std::uint64_t seq) {
    Message m;
    m.add("t", "status").add("src", "web1").add("srcuuid", std::string(16, '\x05'), ha::ipc::FieldType::binary);
    m.add("seq", fmt::format("{:x}", seq));
    return m;
}

Message nak(std::string first_hex, std::string dest = "web2") {
    Message m;
    m.add("t", "NS_nak_rexmit").add("dest", dest).add("firstseq", first_hex).add("info", "seqno too low").add("src", "web1");
    return m;
}

struct Requests : ::testing::Test {
    CaptureLog log;
    RexmitRequests requests{log, 250ms, 2000ms, 42};
    SteadyTime t0{};
    std::vector<std::string> asked_seqs(SteadyTime now) {
        std::vector<std::string> out;
        for (const auto& m : requests.due(now)) {
            EXPECT_EQ(m.type(), "NS_rexmit");
            EXPECT_EQ(m.get_or("dest", ""), "web1");
            EXPECT_EQ(m.get_or("firstseq", ""), m.get_or("lastseq", "")) << "one seq per request, as Heartbeat";
            out.push_back(m.get_or("firstseq", ""));
        }
        return out;
    }
};

}  // namespace

// A gap [70:74] (71..73 missing): nothing before 50 ms (the packet may still come), each seq asked
// (in decimal) by max_rexmit_delay, with the peer's uuid as destuuid.
TEST_F(Requests, AsksForEachMissingSeqAfterARandomDelay) {
    requests.on_received("web1", 70, from_web1(70));
    requests.on_lost(t0, "web1", 70, 74);
    EXPECT_TRUE(requests.due(t0 + 49ms).empty());
    ASSERT_TRUE(requests.next_deadline());
    EXPECT_GE(*requests.next_deadline(), t0 + 50ms);
    auto first = requests.due(t0 + 250ms);
    ASSERT_EQ(first.size(), 3u);
    EXPECT_EQ(first[0].get_or("firstseq", ""), "71");
    EXPECT_EQ(first[2].get_or("lastseq", ""), "73");
    EXPECT_EQ(first[0].get_or("destuuid", ""), std::string(16, '\x05'));
    EXPECT_EQ(requests.counters().asked, 3u);
}

// Asked again until it arrives; once every gap is filled, Heartbeat's words once.
TEST_F(Requests, AsksAgainUntilEverySeqArrived) {
    requests.on_lost(t0, "web1", 70, 73);
    EXPECT_EQ(asked_seqs(t0 + 250ms).size(), 2u);
    EXPECT_EQ(asked_seqs(t0 + 500ms).size(), 2u) << "no answer yet: asked again";
    requests.on_received("web1", 71, from_web1(71));
    EXPECT_EQ(asked_seqs(t0 + 750ms), std::vector<std::string>{"72"});
    EXPECT_EQ(log.count("No pkts missing from web1!"), 0);
    requests.on_received("web1", 72, from_web1(72));
    EXPECT_EQ(log.count(LogLevel::info, "No pkts missing from web1!"), 1);
    EXPECT_FALSE(requests.next_deadline());
    EXPECT_EQ(requests.counters().filled, 2u);
}

TEST_F(Requests, NakEndsTheAskingForThatSeq) {
    requests.on_lost(t0, "web1", 11, 14);
    requests.on_nak(nak("c", "web3"), "web2");  // not for us
    requests.on_nak(nak("c"), "web2");          // seq 12, hex
    EXPECT_EQ(log.count(LogLevel::error, "Irretrievably lost packet: node web1 seq 12"), 1);
    EXPECT_EQ(asked_seqs(t0 + 250ms), (std::vector<std::string>{"13"}));
    EXPECT_EQ(requests.counters().lost, 1u);
}

TEST_F(Requests, GivesUpAfterTheLimitAndForgetsARestartedPeer) {
    requests.on_lost(t0, "web1", 1, 3);
    EXPECT_FALSE(requests.due(t0 + 300ms).empty());
    EXPECT_TRUE(requests.due(t0 + 2000ms).empty());
    EXPECT_EQ(log.count(LogLevel::warn, "Gave up asking web1 for 1 packet(s) (no answer in 2000 ms)"), 1);
    EXPECT_FALSE(requests.next_deadline());
    requests.on_lost(t0, "web1", 5, 9);
    requests.forget("web1");
    EXPECT_FALSE(requests.next_deadline());
    EXPECT_TRUE(requests.due(t0 + 1s).empty());
}

// Heartbeat ignores a request for a seq at or below the requester's last ack ("this seq has been
// ACKed"), so no ack may pass an open gap: seen live, one seq of a gap never came back.
TEST_F(Requests, AGapStillOpenHoldsBackAcksAboveIt) {
    EXPECT_FALSE(requests.missing_below("web1", 100));
    requests.on_lost(t0, "web1", 70, 74);
    EXPECT_FALSE(requests.missing_below("web1", 71)) << "71 itself may be acked once nothing below is missing";
    EXPECT_TRUE(requests.missing_below("web1", 72));
    EXPECT_TRUE(requests.missing_below("web1", 80));
    requests.on_received("web1", 71, from_web1(71));
    requests.on_received("web1", 72, from_web1(72));
    requests.on_received("web1", 73, from_web1(73));
    EXPECT_FALSE(requests.missing_below("web1", 80));
    EXPECT_FALSE(requests.missing_below("web2", 80));
}

// Gaps in a burst (a bad link at a 10 ms pace): no more than kMaxMissing seqs are kept, the oldest
// given up first (a Heartbeat sender keeps only its last 500 messages), counted lost, one WARN.
TEST_F(Requests, KeepsAtMostKMaxMissingSeqsTheOldestGivenUpFirst) {
    requests.on_lost(t0, "web1", 0, 251);    // 1..250
    requests.on_lost(t0, "web1", 251, 502);  // 252..501
    requests.on_lost(t0, "web1", 502, 753);  // 503..752: 750 missing in all
    EXPECT_EQ(requests.counters().lost, 250u);
    EXPECT_EQ(log.count(LogLevel::warn, "Gave up asking web1 for 250 packet(s) (more than 500 missing)"), 1);
    EXPECT_FALSE(requests.missing_below("web1", 252)) << "1..250 were the oldest";
    EXPECT_TRUE(requests.missing_below("web1", 253));
}

// However many seqs fall due at once, one call sends at most kMaxPerCall requests per peer; the
// rest are put off by a random delay, and every seq is still asked for within a few delays.
TEST_F(Requests, SendsAtMostKMaxPerCallRequestsAtOnce) {
    requests.on_lost(t0, "web1", 0, 121);  // 120 missing
    std::set<std::string> asked;
    SteadyTime now = t0 + 250ms;  // every first delay has run out
    auto first = asked_seqs(now);
    EXPECT_EQ(first.size(), RexmitRequests::kMaxPerCall);
    asked.insert(first.begin(), first.end());
    for (int i = 0; i < 10000 && asked.size() < 120 && now - t0 < 2000ms; ++i) {
        now = std::max(now, *requests.next_deadline());
        auto more = asked_seqs(now);
        EXPECT_LE(more.size(), RexmitRequests::kMaxPerCall);
        asked.insert(more.begin(), more.end());
    }
    EXPECT_EQ(asked.size(), 120u);
    EXPECT_LT(now - t0, 2000ms) << "all asked before giving up";
}
