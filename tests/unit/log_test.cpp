#include "ipc/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace ha::ipc;

TEST(FileLog, HeartbeatSyslogStyleLine) {
    FileLog log({.program = "ipfaild", .node = "web1", .sinks = {}, .syslogmsgfmt = true});
    std::string line = log.format_line(LogLevel::warn, "node web2: is dead");
    EXPECT_TRUE(std::regex_match(line, std::regex(R"([A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d web1 ipfaild: \[\d+\]: WARN: node web2: is dead)")))
        << line;
}

TEST(FileLog, HeartbeatClassicStyleLine) {
    FileLog log({.program = "hamaster", .node = "web1", .sinks = {}, .syslogmsgfmt = false});
    std::string line = log.format_line(LogLevel::info, "x");
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(hamaster\[\d+\]: \d{4}/\d\d/\d\d_\d\d:\d\d:\d\d info: x)"))) << line;
}

TEST(CaptureLog, CountsByLevel) {
    CaptureLog log;
    log.warn("Link {}:{} dead.", "web2", "eth0");
    log.info("Link {}:{} up.", "web2", "eth0");
    EXPECT_EQ(log.count("Link web2:eth0"), 2);
    EXPECT_EQ(log.count(LogLevel::warn, "dead"), 1);
}

// ---- issue 21: every process writes the shared ha.cf logfile, never blocking its loop ----------

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/ha-log-test.XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    return d ? d : "/tmp";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

// Four processes (as the master and its children do) append to one file at once, with lines from
// a few bytes to near the cap: every line in the file is whole and comes from one writer.
TEST(FileLog, ConcurrentProcessesNeverInterleavePartialLines) {
    const std::string dir = temp_dir();
    const std::string path = dir + "/ha-log";
    constexpr int kWriters = 4, kLines = 400;
    std::vector<pid_t> pids;
    for (int w = 0; w < kWriters; ++w) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            {
                FileLog log({.program = fmt::format("w{}", w), .node = "web1", .sinks = {{path, LogLevel::info}}});
                for (int i = 0; i < kLines; ++i) {
                    const std::size_t len = 1 + static_cast<std::size_t>((i * 397 + w * 131) % 3500);
                    log.info("{} {}#", len, std::string(len, static_cast<char>('a' + w)));
                }
            }  // the destructor writes what is queued
            ::_exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const std::string text = read_file(path);
    // The stamp and who wrote it by regex; the long payload by hand (std::regex recurses per char).
    const std::regex head_re(R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d web1 w(\d): \[\d+\]: info: (\d+) )");
    std::istringstream in(text);
    std::string line;
    int count = 0;
    int per_writer[kWriters]{};
    while (std::getline(in, line)) {
        const auto head_end = line.find(": info: ");
        ASSERT_NE(head_end, std::string::npos) << "line " << count << " is not whole: " << line.substr(0, 200);
        const auto space = line.find(' ', head_end + 8);
        ASSERT_NE(space, std::string::npos) << line.substr(0, 200);
        std::smatch m;
        const std::string head = line.substr(0, space + 1);
        ASSERT_TRUE(std::regex_match(head, m, head_re)) << "line " << count << " is not whole: " << line.substr(0, 200);
        const int w = std::stoi(m[1]);
        const std::string payload = line.substr(space + 1);
        ASSERT_EQ(payload.size(), std::stoul(m[2]) + 1) << line.substr(0, 200);
        ASSERT_EQ(payload.back(), '#') << line.substr(0, 200);
        ASSERT_EQ(payload.find_first_not_of(static_cast<char>('a' + w)), payload.size() - 1) << "mixed writers: " << line.substr(0, 200);
        ++per_writer[w];
        ++count;
    }
    EXPECT_EQ(count, kWriters * kLines);
    for (int w = 0; w < kWriters; ++w) EXPECT_EQ(per_writer[w], kLines) << "writer " << w;
    std::filesystem::remove_all(dir);
}

// A FIFO that is open but never read stands for a hung disk or syslog: it fills after 64 KiB and
// the writer thread blocks in write(). The caller (the event loop) must still return at once from
// every log call; what does not fit is dropped, counted and reported once the sink moves again.
// With the old inline write() this test hangs in the first log call past the pipe's capacity.
TEST(FileLog, BlockedSinkNeverBlocksTheCaller) {
    const std::string dir = temp_dir();
    const std::string fifo = dir + "/ha-debug";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // held open, not read (yet)
    ASSERT_GE(reader, 0);
    {
        FileLog log({.program = "hamaster", .node = "web1", .sinks = {{fifo, LogLevel::info}}});
        const std::string filler(100, 'x');
        const int total = static_cast<int>(LogWriter::kMaxQueued) + 5000;  // > pipe + queue
        for (int i = 0; i < total; ++i) log.info("line {} {}", i, filler);
        EXPECT_FALSE(log.flush(std::chrono::milliseconds(50)));  // the sink is really blocked
        EXPECT_GT(log.dropped(), 0U);

        // The reader wakes up: everything queued drains, then the next line reports the loss.
        std::string seen;
        char buf[65536];
        auto drain = [&] {
            for (;;) {
                const ssize_t n = ::read(reader, buf, sizeof buf);
                if (n <= 0) break;
                seen.append(buf, static_cast<std::size_t>(n));
            }
        };
        for (int i = 0; i < 2000 && !log.flush(std::chrono::milliseconds(5)); ++i) drain();
        log.info("sink is back");
        for (int i = 0; i < 2000 && !log.flush(std::chrono::milliseconds(5)); ++i) drain();
        drain();
        EXPECT_NE(seen.find(fmt::format("WARN: {} log lines dropped", log.dropped())), std::string::npos);
        EXPECT_NE(seen.find("info: sink is back"), std::string::npos);
    }
    ::close(reader);
    std::filesystem::remove_all(dir);
}

TEST(FileLog, SharedLogAddsHaCfFilesAndSyslog) {
    LogOptions o{.program = "ipfaild", .node = "web1", .sinks = {{"/var/log/hamaster/ipfaild.log", LogLevel::info}}};
    add_shared_log(o, SharedLogConfig{"/var/log/ha-log", "/var/log/ha-debug", "local0", false, "/run/j.sock"});
    ASSERT_EQ(o.sinks.size(), 3U);
    EXPECT_EQ(o.sinks[1].path, "/var/log/ha-log");
    EXPECT_EQ(o.sinks[1].min_level, LogLevel::info);
    EXPECT_EQ(o.sinks[2].path, "/var/log/ha-debug");
    EXPECT_EQ(o.sinks[2].min_level, LogLevel::debug);
    EXPECT_EQ(o.syslog_facility, "local0");
    EXPECT_FALSE(o.syslogmsgfmt);
    EXPECT_EQ(o.journal, "/run/j.sock");
}

TEST(FileLog, EveryLineGoesToTheJournalAsOneNativeDatagram) {
    const std::string dir = temp_dir();
    const std::string path = dir + "/journal.sock";
    const int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path.copy(a.sun_path, path.size());
    ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << std::strerror(errno);
    {
        FileLog log(LogOptions{.program = "ipfaild", .node = "web1", .sinks = {{dir + "/ipfaild.log", LogLevel::info}},
                               .debug = false, .journal = path});
        log.warn("Telling other node that we have more visible ping nodes.");
        log.debug("not produced: no -v");
        ASSERT_TRUE(log.flush(std::chrono::seconds(5)));
    }
    char buf[4096];
    const ssize_t n = ::recv(sock, buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0) << std::strerror(errno);
    const std::string d(buf, static_cast<std::size_t>(n));
    EXPECT_NE(d.find("PRIORITY=4\n"), std::string::npos) << d;
    EXPECT_NE(d.find("SYSLOG_IDENTIFIER=ipfaild\n"), std::string::npos) << d;
    EXPECT_NE(d.find(fmt::format("SYSLOG_PID={}\n", ::getpid())), std::string::npos) << d;
    EXPECT_NE(d.find("HA_NODE=web1\n"), std::string::npos) << d;
    EXPECT_NE(d.find("MESSAGE=WARN: Telling other node that we have more visible ping nodes.\n"), std::string::npos) << d;
    EXPECT_LT(::recv(sock, buf, sizeof buf, MSG_DONTWAIT), 0) << "one datagram per line, none for the unproduced debug line";
    ::close(sock);
    std::filesystem::remove_all(dir);
}

TEST(FileLog, TheJournalIsUsedOnlyUnderSystemdOrWhenNamed) {
    ::unsetenv("HAMASTER_JOURNAL_SOCKET");
    ::unsetenv("INVOCATION_ID");
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_EQ(journal_socket(), "");
    ::setenv("HAMASTER_JOURNAL_SOCKET", "/tmp/x.sock", 1);
    EXPECT_EQ(journal_socket(), "/tmp/x.sock");
    ::unsetenv("HAMASTER_JOURNAL_SOCKET");
}
