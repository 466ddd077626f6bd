// MediaCountersCache: the master's copy of the media daemons' counters segments — live values, no
// counters without a current writer, the last good copy while the writer is mid-publish.
#include "master/media_counters_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "ipc/media/drop_reason.hpp"
#include "tests/unit/ipc_test_util.hpp"

namespace ha::master {
namespace {

using ipc::testing::TempDir;

ipc::LinkCounters sent(std::uint64_t tx, std::uint64_t bad_auth = 0) {
    ipc::LinkCounters c;
    c.tx = tx;
    c.drops[static_cast<std::size_t>(media::DropReason::bad_auth)] = bad_auth;
    return c;
}

class MediaCountersCacheTest : public ::testing::Test {
protected:
    void start(MediaCountersCache::PidOf pid_of) { cache_.start(dir_.path(), {"heartbeatd-net", "heartbeatd-serial"}, std::move(pid_of)); }
    static int self() { return static_cast<int>(::getpid()); }

    TempDir dir_;
    ipc::CaptureLog log_;
    MediaCountersCache cache_{log_};
};

TEST_F(MediaCountersCacheTest, NoSegmentNoCounters) {
    start([](const std::string&) { return self(); });
    EXPECT_TRUE(cache_.refresh().empty());
    MediaCountersCache never_started(log_);
    EXPECT_TRUE(never_started.refresh().empty());
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, ""), 0) << log_.dump();
}

TEST_F(MediaCountersCacheTest, ReadsTheLiveValuesOfEveryMediaChild) {
    start([](const std::string&) { return self(); });
    auto net = ipc::CountersWriter::create(dir_.path(), "heartbeatd-net", {"eth0", "eth1"}, log_);
    auto serial = ipc::CountersWriter::create(dir_.path(), "heartbeatd-serial", {"/dev/ttyS0"}, log_);
    ASSERT_TRUE(net && serial);
    net->publish(0, sent(7, 2));
    serial->publish(0, sent(3));
    auto got = cache_.refresh();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got.at("eth0").tx, 7u);
    EXPECT_EQ(got.at("eth1").tx, 0u);
    EXPECT_EQ(got.at("/dev/ttyS0").tx, 3u);
    bool found = false;
    for (const auto& [reason, n] : got.at("eth0").drops)
        if (reason == "bad_auth") found = n == 2;
    EXPECT_TRUE(found);
    net->publish(0, sent(8));  // no ask, no wait: the next refresh has it
    EXPECT_EQ(cache_.refresh().at("eth0").tx, 8u);
}

TEST_F(MediaCountersCacheTest, ASegmentOfAnotherProcessThanTheChildIsNotShown) {
    int pid = 0;  // not running
    start([&](const std::string&) { return pid; });
    auto net = ipc::CountersWriter::create(dir_.path(), "heartbeatd-net", {"eth0"}, log_);
    ASSERT_TRUE(net);
    net->publish(0, sent(7));
    EXPECT_TRUE(cache_.refresh().empty());
    pid = self() + 1000000;  // a new incarnation that has not made its file yet
    EXPECT_TRUE(cache_.refresh().empty());
    pid = self();
    EXPECT_EQ(cache_.refresh().at("eth0").tx, 7u);
    pid = 0;  // it died
    EXPECT_TRUE(cache_.refresh().empty());
}

TEST_F(MediaCountersCacheTest, ADeadWritersSegmentGivesNoCounters) {
    start(nullptr);  // any live writer
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ipc::CaptureLog child_log;
        auto w = ipc::CountersWriter::create(dir_.path(), "heartbeatd-net", {"eth0"}, child_log);
        if (!w) ::_exit(1);
        w->publish(0, sent(5));
        ::_exit(0);  // crash-like: the file stays
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE(cache_.refresh().empty());
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, ""), 0) << "a dead writer is expected, not worth a line: " << log_.dump();
}

TEST_F(MediaCountersCacheTest, AWriterMidPublishLeavesTheLastGoodCopy) {
    start([](const std::string&) { return self(); });
    auto net = ipc::CountersWriter::create(dir_.path(), "heartbeatd-net", {"eth0"}, log_);
    ASSERT_TRUE(net);
    net->publish(0, sent(7));
    ASSERT_EQ(cache_.refresh().at("eth0").tx, 7u);

    const int fd = ::open(net->path().c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    void* address = ::mmap(nullptr, sizeof(ipc::SegmentHeader), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    ASSERT_NE(address, MAP_FAILED);
    auto& seq = static_cast<ipc::SegmentHeader*>(address)->seq;
    seq.fetch_add(1);  // odd: the writer is copying
    auto got = cache_.refresh();  // returns at once, no wait
    ASSERT_EQ(got.count("eth0"), 1u) << "the last good copy was dropped";
    EXPECT_EQ(got.at("eth0").tx, 7u);
    seq.fetch_add(1);
    net->publish(0, sent(9));
    EXPECT_EQ(cache_.refresh().at("eth0").tx, 9u);
    ::munmap(address, sizeof(ipc::SegmentHeader));
}

TEST_F(MediaCountersCacheTest, AnotherLayoutIsWarnedOnce) {
    start([](const std::string&) { return self(); });
    auto net = ipc::CountersWriter::create(dir_.path(), "heartbeatd-net", {"eth0"}, log_);
    ASSERT_TRUE(net);
    const int fd = ::open(net->path().c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    void* address = ::mmap(nullptr, sizeof(ipc::SegmentHeader), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    ASSERT_NE(address, MAP_FAILED);
    static_cast<ipc::SegmentHeader*>(address)->version += 1;
    EXPECT_TRUE(cache_.refresh().empty());
    EXPECT_TRUE(cache_.refresh().empty());
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "layout version"), 1) << log_.dump();
    static_cast<ipc::SegmentHeader*>(address)->version -= 1;
    EXPECT_EQ(cache_.refresh().count("eth0"), 1u);
    EXPECT_EQ(log_.count(ipc::LogLevel::info, "read again"), 1) << log_.dump();
    ::munmap(address, sizeof(ipc::SegmentHeader));
}

}  // namespace
}  // namespace ha::master
