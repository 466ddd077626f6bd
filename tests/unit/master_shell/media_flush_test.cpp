// MediaFlush: the master stops its media daemons only after each confirmed its last messages went
// out (t=_flushed), or after the limit (issue 19 item 5).
#include "master/media_flush.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "ipc/bus.hpp"

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::Message;
using ha::master::MediaFlush;

namespace {

struct Sent {
    std::string child;
    Message message;
};

Message flushed(const std::string& seq) {
    Message m;
    m.add("t", ha::ipc::kBusFlushed).add("seq", seq);
    return m;
}

}  // namespace

TEST(MediaFlush, StopsOnlyOnceEveryConnectedMediaDaemonConfirmed) {
    boost::asio::io_context io;
    CaptureLog log;
    MediaFlush flush(io, log);
    std::vector<Sent> sent;
    auto send = [&](const std::string& child, const Message& m) {
        if (child == "heartbeatd-serial") return false;  // not connected: nothing to wait for
        sent.push_back({child, m});
        return true;
    };
    int done = 0;
    flush.start({"heartbeatd-net", "heartbeatd-serial"}, send, 2s, [&] { ++done; });
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].message.type(), "_flush");
    const std::string seq = sent[0].message.get_or("seq", "");
    EXPECT_FALSE(seq.empty());
    EXPECT_TRUE(flush.active());
    flush.on_flushed("heartbeatd-net", flushed("old"));  // an older flush's answer
    EXPECT_EQ(done, 0);
    flush.on_flushed("heartbeatd-net", flushed(seq));
    EXPECT_EQ(done, 1);
    EXPECT_FALSE(flush.active());
    io.run_for(50ms);
    EXPECT_EQ(done, 1) << "done runs once";
    EXPECT_EQ(log.count(LogLevel::warn, "did not confirm"), 0);
}

TEST(MediaFlush, SilentMediaDaemonIsStoppedAfterTheLimitWithAWarning) {
    boost::asio::io_context io;
    CaptureLog log;
    MediaFlush flush(io, log);
    int done = 0;
    flush.start({"heartbeatd-net"}, [](const std::string&, const Message&) { return true; }, 20ms, [&] { ++done; });
    EXPECT_EQ(done, 0);
    io.run_for(500ms);
    EXPECT_EQ(done, 1);
    EXPECT_EQ(log.count(LogLevel::warn,
                        "heartbeatd-net did not confirm that the last messages were sent within 20 ms; stopping it anyway"),
              1);
}

TEST(MediaFlush, NothingConnectedOrASecondSignalStopsAtOnce) {
    boost::asio::io_context io;
    CaptureLog log;
    MediaFlush flush(io, log);
    int done = 0;
    flush.start({"heartbeatd-net"}, [](const std::string&, const Message&) { return false; }, 2s, [&] { ++done; });
    EXPECT_EQ(done, 1);
    flush.start({"heartbeatd-net"}, [](const std::string&, const Message&) { return true; }, 2s, [&] { ++done; });
    EXPECT_EQ(done, 1);
    flush.finish_now();
    EXPECT_EQ(done, 2);
}
