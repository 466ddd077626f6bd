// SerialBridge: cable frames → checks → master; master messages → signed classic frames → every port.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <vector>

#include "heartbeatd-serial/serial_bridge.hpp"
#include "ipc/auth.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/counters_segment.hpp"
#include "tests/unit/ipc_test_util.hpp"
#include "ipc/codec.hpp"
#include "pty_pair.hpp"
#include "serial_test_util.hpp"

namespace ha::serial {
namespace {

using namespace std::chrono_literals;
using testing::md5_keys;
using testing::PtyPair;
using testing::run_until;
using testing::status_frame;
using testing::status_message;

class SerialBridgeTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(a_.ok() && b_.ok());
        bridge_ = std::make_unique<SerialBridge>(io_, std::vector<std::string>{a_.slave_path(), b_.slave_path()}, 19200,
                                                 media::PipelineConfig{"web1", {"web1", "web2"}, keys_},
                                                 [this](const ipc::Message& m) { up_.push_back(m); }, clock_, log_);
        bridge_->start();
    }
    std::vector<ipc::Message> of_type(std::string_view t) {
        std::vector<ipc::Message> out;
        for (const auto& m : up_)
            if (m.type() == t) out.push_back(m);
        return out;
    }
    ipc::Message stats_for(const std::string& link) {
        up_.clear();
        ipc::Message q;
        q.add("t", "_stats");
        bridge_->on_bus_message(q);
        for (const auto& m : up_)
            if (m.get_or("link", "") == link) return m;
        return {};
    }
    static std::uint64_t num(const ipc::Message& m, std::string_view f) { return std::stoull(m.get_or(f, "999999")); }

    boost::asio::io_context io_;
    ipc::CaptureLog log_;
    ipc::FakeClock clock_;
    ipc::AuthKeys keys_ = md5_keys();
    PtyPair a_, b_;
    std::vector<ipc::Message> up_;
    std::unique_ptr<SerialBridge> bridge_;
};

TEST_F(SerialBridgeTest, ForwardsAuthenticFramesTaggedWithTheDevice) {
    a_.write(status_frame("web2", "1", keys_));
    ASSERT_TRUE(run_until(io_, [&] { return !up_.empty(); })) << log_.dump();
    const ipc::Message& m = up_[0];
    EXPECT_EQ(m.type(), "status");
    EXPECT_EQ(m.get_or("_link", ""), a_.slave_path());
    EXPECT_FALSE(m.has("auth"));
    EXPECT_FALSE(m.has("_from"));
    EXPECT_EQ(m.fields().back().name, "_link");
}

TEST_F(SerialBridgeTest, DropsForgedOwnDuplicateAndUnknownWithCounters) {
    const std::string valid = status_frame("web2", "10", keys_);
    a_.write(valid);
    a_.write(status_frame("web2", "11", md5_keys(1, "forged")));  // bad_auth
    a_.write(valid);                                              // duplicate
    a_.write(status_frame("web1", "1", keys_));                   // own
    a_.write(status_frame("web3", "1", keys_));                   // unknown_node
    a_.write(status_frame("web2", "12", keys_, "4"));             // replay (older generation)
    a_.write(">>>\nt=status\nsrc=web2\n<<<\n");                   // no_auth
    a_.write(status_frame("web2", "13", keys_));                  // valid: marks the end
    ASSERT_TRUE(run_until(io_, [&] { return of_type("status").size() == 2; })) << log_.dump();
    const ipc::Message s = stats_for(a_.slave_path());
    EXPECT_EQ(num(s, "frames"), 8u);
    EXPECT_EQ(num(s, "rx"), 8u);
    EXPECT_EQ(num(s, "forwarded"), 2u);
    EXPECT_EQ(num(s, "drop_bad_auth"), 1u);
    EXPECT_EQ(num(s, "drop_duplicate"), 1u);
    EXPECT_EQ(num(s, "drop_own"), 1u);
    EXPECT_EQ(num(s, "drop_unknown_node"), 1u);
    EXPECT_EQ(num(s, "drop_replay"), 1u);
    EXPECT_EQ(num(s, "drop_no_auth"), 1u);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, fmt::format("dropped packet from tty via {}: bad_auth", a_.slave_path())), 1)
        << log_.dump();
}

TEST_F(SerialBridgeTest, ReplayStateIsPerPortSoEachCableSeesEveryCopy) {
    const std::string f = status_frame("web2", "1", keys_);
    a_.write(f);
    b_.write(f);
    ASSERT_TRUE(run_until(io_, [&] { return of_type("status").size() == 2; })) << log_.dump();
    EXPECT_NE(up_[0].get_or("_link", ""), up_[1].get_or("_link", ""));
}

TEST_F(SerialBridgeTest, SignsMasterMessagesInClassicFormOnEveryPort) {
    ipc::Message m = status_message("web1", "7", "3");
    m.add("_some_bus_field", "x");
    bridge_->on_bus_message(m);
    std::string wa, wb;
    ASSERT_TRUE(run_until(io_, [&] {
        wa += a_.read_available();
        wb += b_.read_available();
        return wa.ends_with("<<<\n") && wb.ends_with("<<<\n");
    }));
    EXPECT_EQ(wa, wb);
    EXPECT_TRUE(wa.starts_with(">>>\n"));
    EXPECT_EQ(wa.find('\0'), std::string::npos);
    EXPECT_EQ(wa.find("###"), std::string::npos);
    auto back = ipc::verify_and_decode(wa, keys_);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, status_message("web1", "7", "3"));
    EXPECT_EQ(num(stats_for(a_.slave_path()), "tx"), 1u);
}

TEST_F(SerialBridgeTest, LinkFieldSendsOnOnePortOnly) {
    ipc::Message m = status_message("web1", "8", "3");
    m.add("_link", b_.slave_path());
    bridge_->on_bus_message(m);
    std::string wb;
    ASSERT_TRUE(run_until(io_, [&] {
        wb += b_.read_available();
        return wb.ends_with("<<<\n");
    }));
    run_until(io_, [] { return false; }, 50ms);
    EXPECT_TRUE(a_.read_available().empty());
}

TEST_F(SerialBridgeTest, UnknownUnderscoreTypeFromTheMasterIsAnError) {
    ipc::Message m;
    m.add("t", "_frobnicate");
    bridge_->on_bus_message(m);
    EXPECT_EQ(log_.count(ipc::LogLevel::error, "_frobnicate"), 1);
    EXPECT_TRUE(up_.empty());
}

TEST_F(SerialBridgeTest, StatsReportEveryPortWithFramingCounters) {
    a_.write("line noise" + status_frame("web2", "1", keys_));
    ASSERT_TRUE(run_until(io_, [&] { return !up_.empty(); }));
    const ipc::Message s = stats_for(a_.slave_path());
    EXPECT_EQ(s.get_or("open", ""), "1");
    EXPECT_EQ(num(s, "garbage_bytes"), 10u);
    for (const char* f : {"resyncs", "oversize", "rx_bytes", "tx_bytes", "tx_superseded_heartbeats", "tx_dropped_heartbeats", "tx_dropped_other",
                          "tx_closed", "opens", "losses", "drop_bad_framing"}) {
        EXPECT_TRUE(s.has(f)) << f;
    }
    EXPECT_EQ(num(stats_for(b_.slave_path()), "frames"), 0u);
}

// The counters segment (what the master reads) follows frames in and out and the port's own
// counters, and says exactly what the `_stats` reply says.
TEST_F(SerialBridgeTest, PublishesTheSameCountersInItsSegmentAsTheyChange) {
    ipc::testing::TempDir dir;
    auto writer = ipc::CountersWriter::create(dir.path(), "heartbeatd-serial", {a_.slave_path(), b_.slave_path()}, log_);
    ASSERT_TRUE(writer) << writer.error().message;
    bridge_->publish_counters(&*writer);
    auto reader = ipc::CountersReader::open(writer->path());
    ASSERT_TRUE(reader) << reader.error().message;
    auto segment = [&](std::size_t i) {
        auto got = reader->read();
        return got && got->size() == 2 ? (*got)[i] : ipc::bus::MediaStats{};
    };
    EXPECT_EQ(segment(0).link, a_.slave_path());
    EXPECT_EQ(segment(0).open, std::optional<bool>(true));

    a_.write("line noise" + status_frame("web2", "1", keys_));
    ASSERT_TRUE(run_until(io_, [&] { return !up_.empty(); }));
    bridge_->on_bus_message(status_message("web1", "7", "3"));
    std::string wa;
    ASSERT_TRUE(run_until(io_, [&] {
        wa += a_.read_available();
        return wa.ends_with("<<<\n");
    }));
    run_until(io_, [&] { return segment(0).serial.size() > 6 && segment(0).serial[5].second == wa.size(); }, 2s);
    const auto seg = segment(0);
    EXPECT_EQ(seg.rx, 1u);
    EXPECT_EQ(seg.forwarded, 1u);
    EXPECT_EQ(seg.tx, 1u);
    for (const auto& [name, n] : seg.serial) {
        if (name == "garbage_bytes") EXPECT_EQ(n, 10u);
        if (name == "tx_bytes") EXPECT_EQ(n, wa.size());
        if (name == "opens") EXPECT_EQ(n, 1u);
    }
    for (std::size_t i = 0; i < 2; ++i) {
        const std::string link = i == 0 ? a_.slave_path() : b_.slave_path();
        auto reply = ipc::bus::MediaStats::decode(stats_for(link));
        ASSERT_TRUE(reply) << reply.error().message;
        EXPECT_EQ(segment(i).encode(), reply->encode()) << link;
    }
    bridge_->publish_counters(nullptr);
}

}  // namespace
}  // namespace ha::serial
