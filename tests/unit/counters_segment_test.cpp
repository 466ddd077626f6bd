// CountersSegment: round trip, torn reads detected, stale/live owners, limits, missing file, layout
// checks. The file habits are shared_segment's (the status table's tests cover them too).
#include "ipc/counters_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "ipc/media/drop_reason.hpp"
#include "tests/unit/ipc_test_util.hpp"

using namespace ha::ipc;
using ha::ipc::testing::TempDir;

namespace {

struct Mapped {
    SegmentHeader header;
    counters_layout::Payload payload;
};

// Maps the file at `path` writable, as a broken or foreign writer would.
class RawSegment {
public:
    explicit RawSegment(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) return;
        void* a = ::mmap(nullptr, sizeof(Mapped), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        if (a != MAP_FAILED) seg_ = static_cast<Mapped*>(a);
    }
    ~RawSegment() {
        if (seg_ != nullptr) ::munmap(seg_, sizeof(Mapped));
    }
    Mapped* operator->() const { return seg_; }
    explicit operator bool() const { return seg_ != nullptr; }

private:
    Mapped* seg_ = nullptr;
};

// A child process that lives until this object goes (then it is reaped): a writer pid that runs.
class LiveProcess {
public:
    LiveProcess() {
        if (::pipe(release_) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(release_[1]);
            char c;
            (void)!::read(release_[0], &c, 1);  // alive until the parent closes its end
            ::_exit(0);
        }
        ::close(release_[0]);
    }
    ~LiveProcess() {
        ::close(release_[1]);
        int status = 0;
        if (pid_ > 0) ::waitpid(pid_, &status, 0);
    }
    LiveProcess(const LiveProcess&) = delete;
    LiveProcess& operator=(const LiveProcess&) = delete;
    pid_t pid() const { return pid_; }

private:
    int release_[2] = {-1, -1};
    pid_t pid_ = -1;
};

LinkCounters values(std::uint64_t k, bool serial = false) {
    LinkCounters c;
    c.rx = k;
    c.forwarded = k + 1;
    c.tx = k + 2;
    c.tx_errors = k + 3;
    for (std::size_t d = 0; d < c.drops.size(); ++d) c.drops[d] = k + 10 + d;
    c.serial = serial;
    c.open = serial;
    if (serial)
        for (std::size_t s = 0; s < c.serial_counters.size(); ++s) c.serial_counters[s] = k + 100 + s;
    return c;
}

// A file as a writer of `pid` would leave it (header and counts valid, counters zero).
void plant(const std::string& path, int pid, std::uint32_t version = counters_layout::kVersion,
           std::uint32_t drop_reasons = ha::media::kDropReasonCount) {
    auto seg = std::make_unique<Mapped>();
    std::memset(static_cast<void*>(seg.get()), 0, sizeof(Mapped));
    std::memcpy(static_cast<void*>(&seg->header.magic), counters_layout::kMagic, 4);
    seg->header.version = version;
    seg->header.header_bytes = sizeof(SegmentHeader);
    seg->header.payload_bytes = sizeof(counters_layout::Payload);
    seg->header.writer_pid = pid;
    seg->payload.link_count = 1;
    seg->payload.drop_reasons = drop_reasons;
    seg->payload.serial_counters = static_cast<std::uint32_t>(std::size(bus::kSerialCounters));
    std::memcpy(seg->payload.slots[0].link, "eth0", 4);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(::write(fd, seg.get(), sizeof(Mapped)), static_cast<ssize_t>(sizeof(Mapped)));
    ::close(fd);
}

// A pid that was alive and is no more (reaped).
int dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

}  // namespace

TEST(CountersSegment, RoundTripEveryField) {
    TempDir dir;
    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0", "/dev/ttyS0"}, log);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ(writer->path(), dir.path() + "/heartbeatd-net.counters");
    auto reader = CountersReader::open(counters_segment_path(dir.path(), "heartbeatd-net"));
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->writer_pid(), ::getpid());

    // Before any publish: the links with zeros.
    auto zero = reader->read();
    ASSERT_TRUE(zero) << zero.error().message;
    ASSERT_EQ(zero->size(), 2u);
    EXPECT_EQ((*zero)[0].link, "eth0");
    EXPECT_EQ((*zero)[0].tx, 0u);

    writer->publish(0, values(5));
    writer->publish(1, values(40, true));
    writer->publish(2, values(99));  // no such link: ignored
    auto got = reader->read();
    ASSERT_TRUE(got) << got.error().message;
    ASSERT_EQ(got->size(), 2u);
    const auto& eth = (*got)[0];
    EXPECT_EQ(eth.link, "eth0");
    EXPECT_EQ(eth.rx, 5u);
    EXPECT_EQ(eth.forwarded, 6u);
    EXPECT_EQ(eth.tx, 7u);
    EXPECT_EQ(eth.tx_errors, 8u);
    ASSERT_EQ(eth.drops.size(), ha::media::kDropReasonCount);
    for (std::size_t d = 0; d < eth.drops.size(); ++d) {
        EXPECT_EQ(eth.drops[d].first, ha::media::kDropReasonNames[d]);
        EXPECT_EQ(eth.drops[d].second, 15u + d);
    }
    EXPECT_FALSE(eth.open.has_value());
    EXPECT_TRUE(eth.serial.empty());
    const auto& tty = (*got)[1];
    EXPECT_EQ(tty.link, "/dev/ttyS0");
    EXPECT_EQ(tty.tx, 42u);
    EXPECT_EQ(tty.open, std::optional<bool>(true));
    ASSERT_EQ(tty.serial.size(), std::size(bus::kSerialCounters));
    for (std::size_t s = 0; s < tty.serial.size(); ++s) {
        EXPECT_EQ(tty.serial[s].first, bus::kSerialCounters[s]);
        EXPECT_EQ(tty.serial[s].second, 140u + s);
    }
    // What the reader gives is what the `_stats` reply carries: it encodes and decodes strictly.
    auto again = bus::MediaStats::decode(tty.encode());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->serial, tty.serial);
}

TEST(CountersSegment, FileIsPrivateAndGoneAfterTheWriter) {
    TempDir dir;
    CaptureLog log;
    const std::string path = counters_segment_path(dir.path() + "/", "heartbeatd-serial");
    EXPECT_EQ(path, dir.path() + "/heartbeatd-serial.counters");
    {
        auto writer = CountersWriter::create(dir.path(), "heartbeatd-serial", {"/dev/ttyS0"}, log);
        ASSERT_TRUE(writer) << writer.error().message;
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
    struct stat st {};
    EXPECT_NE(::lstat(path.c_str(), &st), 0) << "left behind";
    auto reader = CountersReader::open(path);
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code, "not_found");
}

TEST(CountersSegment, AReaderOfAWriterMidPublishSaysBusyAndNeverReturnsATornCopy) {
    TempDir dir;
    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log);
    ASSERT_TRUE(writer);
    writer->publish(0, values(1));
    auto reader = CountersReader::open(writer->path());
    ASSERT_TRUE(reader);
    RawSegment raw(writer->path());
    ASSERT_TRUE(raw);

    raw->header.seq.fetch_add(1);  // odd: "the writer is copying"
    auto busy = reader->read();
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, "busy");
    raw->header.seq.fetch_add(1);
    auto got = reader->read();
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ((*got)[0].rx, 1u);
}

TEST(CountersSegment, ConcurrentReaderSeesOnlyWholeSlots) {
    TempDir dir;
    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log);
    ASSERT_TRUE(writer);
    auto reader = CountersReader::open(writer->path());
    ASSERT_TRUE(reader);
    writer->publish(0, values(1000));  // not all zeros from the first read on
    std::atomic<bool> stop{false};
    std::thread w([&] {
        for (std::uint64_t k = 2; !stop; ++k) writer->publish(0, values(k * 1000));
    });
    int consistent = 0, torn = 0;
    std::string why;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < end) {
        auto got = reader->read();
        if (!got) {
            if (got.error().code != "busy") why = got.error().message;
            continue;
        }
        const auto& s = (*got)[0];
        const std::uint64_t k = s.rx;
        bool whole = s.forwarded == k + 1 && s.tx == k + 2 && s.tx_errors == k + 3;
        for (std::size_t d = 0; d < s.drops.size(); ++d) whole = whole && s.drops[d].second == k + 10 + d;
        if (!whole && why.empty()) why = fmt::format("torn: rx {} forwarded {} tx {} tx_errors {} drop0 {}", k, s.forwarded, s.tx, s.tx_errors, s.drops[0].second);
        (whole ? consistent : torn)++;
    }
    stop = true;
    w.join();
    EXPECT_EQ(torn, 0);
    EXPECT_GT(consistent, 0);
    EXPECT_TRUE(why.empty()) << why;
}

TEST(CountersSegment, AStaleFileOfADeadWriterIsReplacedWithOneWarning) {
    TempDir dir;
    const std::string path = counters_segment_path(dir.path(), "heartbeatd-net");
    const int dead = dead_pid();
    plant(path, dead);
    auto old = CountersReader::open(path);
    ASSERT_TRUE(old) << old.error().message;
    auto stale = old->read();
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, "stale");

    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ(log.count(LogLevel::warn, fmt::format("Replacing stale counters segment {} (writer pid {} is dead)", path, dead)), 1)
        << log.dump();
    auto fresh = CountersReader::open(path);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->writer_pid(), ::getpid());
}

// The master vouches for its own child (it has not reaped it): no /proc probe, and so the probe's
// verdict cannot matter — shown with a writer pid that is in fact dead.
TEST(CountersSegment, AReaderToldTheWriterLivesSkipsTheProbe) {
    TempDir dir;
    const std::string path = counters_segment_path(dir.path(), "heartbeatd-net");
    plant(path, dead_pid());
    auto reader = CountersReader::open(path);
    ASSERT_TRUE(reader) << reader.error().message;
    ASSERT_FALSE(reader->read());
    auto vouched = reader->read(/*writer_known_alive=*/true);
    ASSERT_TRUE(vouched) << vouched.error().message;
    ASSERT_EQ(vouched->size(), 1u);
    EXPECT_EQ((*vouched)[0].link, "eth0");
}

TEST(CountersSegment, ALiveWriterIsRefused) {
    TempDir dir;
    const std::string path = counters_segment_path(dir.path(), "heartbeatd-net");
    auto child = std::make_optional<LiveProcess>();
    plant(path, child->pid());
    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log);
    const pid_t gone = child->pid();
    child.reset();
    ASSERT_FALSE(writer);
    EXPECT_EQ(writer.error().code, "exists");
    EXPECT_NE(writer.error().message.find(fmt::format("another heartbeatd-net (pid {}) owns it", gone)), std::string::npos)
        << writer.error().message;
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "a live writer's file was removed";
}

// Under its master (the lane) a media daemon is the only writer there can be: a file naming a live
// pid (a reused pid, a predecessor still exiting) is replaced, not refused.
TEST(CountersSegment, ASoleWriterReplacesAFileNamingALivePid) {
    TempDir dir;
    const std::string path = counters_segment_path(dir.path(), "heartbeatd-net");
    auto child = std::make_optional<LiveProcess>();
    plant(path, child->pid());
    CaptureLog log;
    auto writer = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log, /*sole_writer=*/true);
    const pid_t gone = child->pid();
    child.reset();
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ(log.count(LogLevel::warn, fmt::format("writer pid {} still runs", gone)), 1) << log.dump();
    auto fresh = CountersReader::open(path);
    ASSERT_TRUE(fresh) << fresh.error().message;
    EXPECT_EQ(fresh->writer_pid(), ::getpid());
}

// A writer that was replaced leaves its successor's file in place when it goes.
TEST(CountersSegment, AReplacedWriterDoesNotRemoveItsSuccessorsFile) {
    TempDir dir;
    CaptureLog log;
    const std::string path = counters_segment_path(dir.path(), "heartbeatd-net");
    auto first = std::make_optional(CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log));
    ASSERT_TRUE(*first) << (*first).error().message;
    auto second = CountersWriter::create(dir.path(), "heartbeatd-net", {"eth0"}, log, /*sole_writer=*/true);
    ASSERT_TRUE(second) << second.error().message;
    first.reset();  // the predecessor exits
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "the successor's file was removed";
    second->publish(0, LinkCounters{});
    EXPECT_TRUE(CountersReader::open(path));
}

TEST(CountersSegment, TooManyLinksOrALongNameIsAnErrorAtCreation) {
    TempDir dir;
    CaptureLog log;
    std::vector<std::string> many;
    for (std::size_t i = 0; i <= counters_layout::kMaxLinks; ++i) many.push_back("eth" + std::to_string(i));
    auto over = CountersWriter::create(dir.path(), "heartbeatd-net", many, log);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, "too_big");
    EXPECT_NE(over.error().message.find("17 links; at most 16 fit"), std::string::npos) << over.error().message;

    const std::string long_name = "/dev/serial/by-path/" + std::string(counters_layout::kLinkBytes, 'x');
    auto lengthy = CountersWriter::create(dir.path(), "heartbeatd-serial", {"/dev/ttyS0", long_name}, log);
    ASSERT_FALSE(lengthy);
    EXPECT_EQ(lengthy.error().code, "too_big");
    EXPECT_NE(lengthy.error().message.find(long_name.substr(0, 80)), std::string::npos) << lengthy.error().message;
    // Nothing created for either.
    EXPECT_FALSE(CountersReader::open(counters_segment_path(dir.path(), "heartbeatd-net")));
    EXPECT_FALSE(CountersReader::open(counters_segment_path(dir.path(), "heartbeatd-serial")));

    std::vector<std::string> exactly(counters_layout::kMaxLinks, "");
    for (std::size_t i = 0; i < exactly.size(); ++i) exactly[i] = std::string(counters_layout::kLinkBytes - 2, 'a') + char('a' + i);
    auto full = CountersWriter::create(dir.path(), "heartbeatd-net", exactly, log);
    ASSERT_TRUE(full) << full.error().message;
    auto reader = CountersReader::open(full->path());
    ASSERT_TRUE(reader);
    auto got = reader->read();
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), counters_layout::kMaxLinks);
    EXPECT_EQ(got->back().link, exactly.back());
}

TEST(CountersSegment, AMissingFileIsNotFound) {
    TempDir dir;
    auto reader = CountersReader::open(counters_segment_path(dir.path(), "heartbeatd-net"));
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code, "not_found");
}

TEST(CountersSegment, AnotherLayoutIsRefused) {
    TempDir dir;
    const std::string a = dir / "version.counters";
    plant(a, static_cast<int>(::getpid()), counters_layout::kVersion + 1);
    auto version = CountersReader::open(a);
    ASSERT_FALSE(version);
    EXPECT_EQ(version.error().code, "bad_version");

    const std::string b = dir / "drops.counters";
    plant(b, static_cast<int>(::getpid()), counters_layout::kVersion, ha::media::kDropReasonCount - 1);
    auto drops = CountersReader::open(b);
    ASSERT_FALSE(drops);
    EXPECT_EQ(drops.error().code, "bad_version");
    EXPECT_NE(drops.error().message.find("drop reasons"), std::string::npos) << drops.error().message;

    // A status table where counters are expected: another magic.
    const std::string c = dir / "magic.counters";
    plant(c, static_cast<int>(::getpid()));
    {
        RawSegment raw(c);
        ASSERT_TRUE(raw);
        std::memcpy(static_cast<void*>(&raw->header.magic), "HAMS", 4);
    }
    auto magic = CountersReader::open(c);
    ASSERT_FALSE(magic);
    EXPECT_EQ(magic.error().code, "bad_magic");

    // Being set up (no magic yet): "starting".
    const std::string d = dir / "starting.counters";
    plant(d, static_cast<int>(::getpid()));
    {
        RawSegment raw(d);
        ASSERT_TRUE(raw);
        raw->header.magic.store(0);
    }
    auto starting = CountersReader::open(d);
    ASSERT_FALSE(starting);
    EXPECT_EQ(starting.error().code, "starting");
}
