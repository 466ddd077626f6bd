// RetransmitHistory: the answer to a Heartbeat peer's NS_rexmit (compat spec §7, §7.3).
#include "master/core/retransmit_history.hpp"

#include <gtest/gtest.h>

#include "master/core/heartbeat_info.hpp"

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::Message;
using ha::ipc::SteadyTime;
using ha::master::RetransmitHistory;
using ha::master::to_hex;

namespace {

Message sent(std::uint64_t seq, std::string type = "status") {
    Message m;
    m.add("t", type).add("src", "web1").add("seq", to_hex(seq)).add("hg", "6b1e0a3c").add("ts", "6b1e0a40");
    return m;
}

Message rexmit(std::string first, std::string last, std::string dest = "web1") {
    Message m;
    m.add("t", "NS_rexmit").add("dest", dest).add("firstseq", first).add("lastseq", last).add("src", "web2").add("hg", "5");
    return m;
}

struct History : ::testing::Test {
    CaptureLog log;
    RetransmitHistory history{log};
    SteadyTime now{};
    void send_up_to(std::uint64_t last) {
        for (std::uint64_t s = 1; s <= last; ++s) history.record(sent(s));
    }
};

}  // namespace

// firstseq/lastseq are decimal in NS_rexmit; what goes out again is the kept message unchanged
// (its hex seq, generation and time), so the peer fills its gap with exactly what it missed.
TEST_F(History, ResendsTheKeptMessagesUnchanged) {
    send_up_to(60);
    auto a = history.answer(rexmit("40", "42"), "web1", now);
    ASSERT_EQ(a.resend.size(), 3u);
    EXPECT_EQ(a.resend[0], sent(40));
    EXPECT_EQ(a.resend[2].get_or("seq", ""), "2a");
    EXPECT_TRUE(a.naks.empty());
    EXPECT_EQ(history.counters().requests, 1u);
    EXPECT_EQ(history.counters().resent, 3u);
    EXPECT_EQ(log.count(LogLevel::info, "Retransmitting 3 packet(s) for web2 [40:42]"), 1);
}

TEST_F(History, OnlyRequestsAddressedToUs) {
    send_up_to(5);
    EXPECT_TRUE(history.answer(rexmit("3", "3", "web3"), "web1", now).empty());
    Message not_rexmit = rexmit("3", "3");
    not_rexmit.set("t", "NS_ackmsg");
    EXPECT_TRUE(history.answer(not_rexmit, "web1", now).empty());
    EXPECT_EQ(history.counters().requests, 0u);
}

// Heartbeat keeps 500; older ones get NS_nak_rexmit (firstseq in hex, info "seqno too low") and
// an ERROR line as Heartbeat's, so the peer stops asking ("Irretrievably lost packet").
TEST_F(History, KeepsTheLast500AndNaksOlderOnes) {
    send_up_to(600);
    auto a = history.answer(rexmit("100", "101"), "web1", now);
    ASSERT_EQ(a.resend.size(), 1u);
    EXPECT_EQ(a.resend[0], sent(101));
    ASSERT_EQ(a.naks.size(), 1u);
    EXPECT_EQ(a.naks[0].type(), "NS_nak_rexmit");
    EXPECT_EQ(a.naks[0].get_or("dest", ""), "web2");
    EXPECT_EQ(a.naks[0].get_or("firstseq", ""), "64");
    EXPECT_EQ(a.naks[0].get_or("info", ""), "seqno too low");
    EXPECT_EQ(log.count(LogLevel::error, "Cannot rexmit pkt 100 for web2: seqno too low"), 1);
}

// The copies of one request that arrive over two media (or a repeat that crossed our answer) cost
// one resend; after kResendInterval the peer's repeat is answered again (our resend may be lost).
TEST_F(History, OneResendPerSeqPerInterval) {
    send_up_to(10);
    EXPECT_EQ(history.answer(rexmit("5", "5"), "web1", now).resend.size(), 1u);
    EXPECT_TRUE(history.answer(rexmit("5", "5"), "web1", now + 50ms).empty());
    EXPECT_EQ(history.answer(rexmit("5", "5"), "web1", now + RetransmitHistory::kResendInterval).resend.size(), 1u);
}

TEST_F(History, BadOrUnsentRangesAreCountedNotAnswered) {
    send_up_to(10);
    EXPECT_TRUE(history.answer(rexmit("11", "20"), "web1", now).empty()) << "never sent";
    EXPECT_TRUE(history.answer(rexmit("7", "5"), "web1", now).empty()) << "reversed";
    EXPECT_TRUE(history.answer(rexmit("0x5", "5"), "web1", now).empty()) << "not decimal";
    EXPECT_TRUE(history.answer(rexmit("", "5"), "web1", now).empty());
    EXPECT_EQ(history.counters().ignored, 13u);
    EXPECT_EQ(history.counters().resent, 0u);
}

TEST_F(History, AtMost50SeqsPerRequestAndNsMessagesAreNotKept) {
    send_up_to(200);
    Message ack;
    ack.add("t", "NS_ackmsg").add("dest", "web2");
    history.record(ack);  // no seq: outside the sequence
    EXPECT_EQ(history.answer(rexmit("1", "200"), "web1", now).resend.size(), RetransmitHistory::kMaxPerRequest);
}

// A range that ends at the top of the seq space must not wrap the loop around (it hung the master).
TEST_F(History, SecARangeUpToTheLargestSeqEndsAtOnce) {
    send_up_to(10);
    EXPECT_TRUE(history.answer(rexmit("18446744073709551566", "18446744073709551615"), "web1", now).empty());
    EXPECT_EQ(history.answer(rexmit("5", "18446744073709551615"), "web1", now).resend.size(), 6u);  // 5..10
}

// A request replayed (or forged, with crc) at line rate gets a bounded answer: NS_ messages carry
// no seq, so nothing else stops the copies.
TEST_F(History, SecAllRequestsTogetherGetABoundedNumberOfAnswersPerInterval) {
    send_up_to(600);  // 1..100 are no longer kept: NAKs
    std::size_t answers = 0;
    for (int i = 0; i < 100; ++i) {
        const auto a = history.answer(rexmit("1", "50"), "web1", now + std::chrono::microseconds(i));
        answers += a.resend.size() + a.naks.size();
    }
    EXPECT_EQ(answers, RetransmitHistory::kMaxPerWindow);
    const auto later = history.answer(rexmit("1", "50"), "web1", now + RetransmitHistory::kResendInterval);
    EXPECT_EQ(later.naks.size(), RetransmitHistory::kMaxPerWindow) << "a new window";
}
