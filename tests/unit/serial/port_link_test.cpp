// PortLink: the shell of one serial port, on a real pseudo-terminal (openpty), on a real io_context.
#include <sys/ioctl.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "heartbeatd-serial/port_link.hpp"
#include "ipc/log.hpp"
#include "pty_pair.hpp"
#include "serial_test_util.hpp"

namespace ha::serial {
namespace {

using namespace std::chrono_literals;
using testing::PtyPair;
using testing::run_until;
using ipc::LogLevel;

const std::string kFrame = ">>>\nt=status\nsrc=web2\nseq=1\n<<<\n";

class PortLinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(pty_.ok());
        char tmpl[] = "/tmp/ha-serial-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        link_path_ = dir_ + "/ttyA";
        std::filesystem::create_symlink(pty_.slave_path(), link_path_);
    }
    void TearDown() override {
        link_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    void make_link(const std::string& device) {
        link_ = std::make_unique<PortLink>(io_, device, 19200, log_, [this](PortLink&, std::string_view f) {
            frames_.emplace_back(f);
        });
    }
    void repoint(const std::string& target) {
        std::filesystem::remove(link_path_);
        std::filesystem::create_symlink(target, link_path_);
    }

    boost::asio::io_context io_;
    ipc::CaptureLog log_;
    PtyPair pty_;
    std::string dir_;
    std::string link_path_;
    std::unique_ptr<PortLink> link_;
    std::vector<std::string> frames_;
};

TEST_F(PortLinkTest, LogsStartLineOpensAPtyAndDeliversFrames) {
    make_link(link_path_);
    link_->start();
    EXPECT_TRUE(link_->is_open());
    EXPECT_EQ(log_.count(LogLevel::info, fmt::format("Starting serial heartbeat on tty {} (19200 baud)", link_path_)), 1)
        << log_.dump();
    pty_.write("garbage" + kFrame + kFrame);
    ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 2; })) << log_.dump();
    EXPECT_EQ(frames_[0], kFrame);
    EXPECT_EQ(link_->frame_counters().garbage_bytes, 7u);
    EXPECT_EQ(link_->stats().rx_bytes, 7 + 2 * kFrame.size());
}

TEST_F(PortLinkTest, WritesQueuedFramesToTheLine) {
    make_link(link_path_);
    link_->start();
    EXPECT_TRUE(link_->send(kFrame, "status"));
    std::string got;
    ASSERT_TRUE(run_until(io_, [&] {
        got += pty_.read_available();
        return got.size() >= kFrame.size();
    }));
    EXPECT_EQ(got, kFrame);
    EXPECT_EQ(link_->stats().tx_frames, 1u);
}

TEST_F(PortLinkTest, TakesThePortExclusively) {
    make_link(link_path_);
    link_->start();
    ASSERT_TRUE(link_->is_open());
    const int fd = ::open(link_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        EXPECT_EQ(errno, EBUSY);  // not root: TIOCEXCL refuses a second open
        return;
    }
    // Root may open it anyway; the tty still says it is in exclusive mode.
    int exclusive = 0;
    ASSERT_EQ(::ioctl(fd, TIOCGEXCL, &exclusive), 0);
    EXPECT_NE(exclusive, 0);
    ::close(fd);
}

TEST_F(PortLinkTest, LostPortIsLoggedOnceAndReopenedWhenItComesBack) {
    make_link(link_path_);
    link_->start();
    ASSERT_TRUE(link_->is_open());
    pty_.close();  // the cable is pulled (socat killed)
    // The link name now points nowhere, as after socat's exit (its links go away). Without this a
    // pty opened meanwhile by another test could reuse the freed /dev/pts number.
    repoint(dir_ + "/gone");
    ASSERT_TRUE(run_until(io_, [&] { return !link_->is_open(); })) << log_.dump();
    // Several silent reopen attempts (the old pty is gone for good).
    run_until(io_, [] { return false; }, 400ms);
    EXPECT_EQ(log_.count(LogLevel::warn, fmt::format("serial port {} lost", link_path_)), 1) << log_.dump();
    EXPECT_EQ(log_.count("cannot open"), 0) << log_.dump();
    EXPECT_EQ(link_->stats().losses, 1u);
    EXPECT_EQ(link_->send(kFrame, "status"), false);
    EXPECT_EQ(link_->stats().tx_closed, 1u);

    pty_.open();  // a new cable under the same name
    repoint(pty_.slave_path());
    ASSERT_TRUE(run_until(io_, [&] { return link_->is_open(); }, 8s)) << log_.dump();
    EXPECT_EQ(log_.count(LogLevel::info, fmt::format("serial port {} reopened", link_path_)), 1) << log_.dump();
    EXPECT_EQ(link_->stats().opens, 2u);
    pty_.write(kFrame);
    ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; })) << log_.dump();
}

TEST_F(PortLinkTest, MissingDeviceAtStartIsRetriedNotFatal) {
    make_link(dir_ + "/ttyNone");
    link_->start();
    EXPECT_FALSE(link_->is_open());
    run_until(io_, [] { return false; }, 300ms);
    EXPECT_EQ(log_.count(LogLevel::warn, "cannot open"), 1) << log_.dump();
    std::filesystem::create_symlink(pty_.slave_path(), dir_ + "/ttyNone");
    ASSERT_TRUE(run_until(io_, [&] { return link_->is_open(); }, 8s)) << log_.dump();
    EXPECT_EQ(log_.count(LogLevel::info, "serial port " + dir_ + "/ttyNone opened"), 1) << log_.dump();
}

TEST_F(PortLinkTest, SlowLineCarriesTheNewestHeartbeatAndNeverBlocks) {
    make_link(link_path_);
    link_->start();
    // Nobody reads the master: the pty buffer fills, then each new heartbeat replaces the unsent one.
    const std::string big = ">>>\nt=status\nv=" + std::string(4000, 'x') + "\n<<<\n";
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 500; ++i) {
        link_->send(big, "status");
        io_.restart();
        io_.poll();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_GT(link_->queue().superseded(), 0u);
    EXPECT_EQ(link_->queue().dropped_heartbeats(), 0u);
    EXPECT_LE(link_->queue().frames(), 2u) << "a frame partly written and the newest heartbeat";
    EXPECT_EQ(log_.count(LogLevel::warn, "line too slow"), 0) << "pace is not congestion\n" << log_.dump();
    EXPECT_TRUE(link_->is_open());
    // Draining the line lets the queue empty again.
    ASSERT_TRUE(run_until(io_, [&] {
        pty_.read_available();
        return link_->queue().empty();
    })) << log_.dump();
}

TEST(ReopenBackoff, StartsAt100msDoublesAndStopsAt5s) {
    ReopenBackoff b;
    EXPECT_EQ(b.next(), 100ms);
    EXPECT_EQ(b.next(), 200ms);
    EXPECT_EQ(b.next(), 400ms);
    for (int i = 0; i < 10; ++i) b.next();
    EXPECT_EQ(b.next(), 5000ms);
    b.reset();
    EXPECT_EQ(b.next(), 100ms);
}

}  // namespace
}  // namespace ha::serial
