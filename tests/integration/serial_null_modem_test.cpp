// Integration: two real heartbeatd-serial daemons (web1 on ttyA, web2 on ttyB) on a real null-modem
// made by socat (`pty,raw,echo=0,link=DIR/ttyA pty,raw,echo=0,link=DIR/ttyB`), each driven through
// its stdio test bus (`--stdio-bus`): signed traffic both ways; socat killed → each logs the port
// lost and keeps running; socat restarted with the same links → both reopen and traffic resumes;
// 1 MB of random bytes written into the cable from the test (a third writer on ttyA, which needs
// root because the daemon holds TIOCEXCL) → garbage counted, valid frames still arrive.
// Skipped when socat is not installed. Processes are started and killed by pid.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/message.hpp"

namespace ha::serial {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

pid_t spawn(std::vector<std::string> args, int stdin_fd = -1, int stdout_fd = -1) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
        if (stdout_fd >= 0) ::dup2(stdout_fd, 1);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

int stop_pid(pid_t pid) {
    int status = 0;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 250; ++i) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return status;
        ::usleep(20000);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return status;
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!cond()) {
        if (SteadyClock::now() > deadline) return false;
        ::usleep(10000);
    }
    return true;
}

// The null-modem cable: socat with two linked ptys.
class SocatCable {
public:
    SocatCable(std::string a, std::string b) : a_(std::move(a)), b_(std::move(b)) {}
    ~SocatCable() { stop(); }
    bool start() {
        pid_ = spawn({"/usr/bin/socat", "-d", "-d", fmt::format("pty,raw,echo=0,link={}", a_),
                      fmt::format("pty,raw,echo=0,link={}", b_)});
        return wait_until([&] { return std::filesystem::exists(a_) && std::filesystem::exists(b_); }, 5s);
    }
    void stop() {
        if (pid_ > 0) stop_pid(pid_);  // SIGTERM: socat removes its links
        pid_ = -1;
    }

private:
    std::string a_, b_;
    pid_t pid_ = -1;
};

class SerialDaemon {
public:
    SerialDaemon(std::string dir, std::string node) : dir_(std::move(dir)), node_(std::move(node)) {
        std::filesystem::create_directories(dir_ + "/" + node_ + "/log");
    }
    ~SerialDaemon() { stop(); }

    bool start(const std::string& device) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return false;
        pid_ = spawn({HA_BIN_DIR "/heartbeatd-serial", "--node", node_, "--config", dir_, "--run-dir",
                      dir_ + "/" + node_ + "/run", "--log-dir", dir_ + "/" + node_ + "/log", "--serial", device,
                      "--baud", "19200", "--nodes", "web1,web2", "--stdio-bus"},
                     in[0], out[1]);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
        return pid_ > 0;
    }
    int stop() {
        if (pid_ <= 0) return -1;
        const int status = stop_pid(pid_);
        pid_ = -1;
        ::close(stdin_);
        ::close(stdout_);
        return status;
    }
    bool alive() {
        int status = 0;
        return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
    }
    std::string log() const {
        std::ifstream in(dir_ + "/" + node_ + "/log/heartbeatd-serial.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    bool log_has(const std::string& needle, std::chrono::milliseconds timeout = 10s) const {
        return wait_until([&] { return log().find(needle) != std::string::npos; }, timeout);
    }
    void write(const ipc::Message& m) {
        const std::string text = ipc::encode_classic(m);
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(stdin_, text.data() + done, text.size() - done);
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }
    std::optional<ipc::Message> wait_for(const std::function<bool(const ipc::Message&)>& pred,
                                         std::chrono::milliseconds timeout = 10s) {
        const auto deadline = SteadyClock::now() + timeout;
        for (;;) {
            for (auto end = pending_.find("<<<\n"); end != std::string::npos; end = pending_.find("<<<\n")) {
                std::string frame = pending_.substr(0, end + 4);
                pending_.erase(0, end + 4);
                auto m = ipc::decode(frame);
                if (m && pred(*m)) return std::move(m.value());
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
            if (left <= 0) return std::nullopt;
            pollfd p{stdout_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            char buf[65536];
            const ssize_t n = ::read(stdout_, buf, sizeof(buf));
            if (n <= 0) return std::nullopt;
            pending_.append(buf, static_cast<std::size_t>(n));
        }
    }
    std::optional<ipc::Message> stats(const std::string& device) {
        ipc::Message q;
        q.add("t", "_stats");
        write(q);
        return wait_for([&](const ipc::Message& m) { return m.type() == "_stats" && m.get_or("link", "") == device; });
    }

private:
    std::string dir_, node_;
    pid_t pid_ = -1;
    int stdin_ = -1, stdout_ = -1;
    std::string pending_;
};

ipc::Message status(const std::string& src, int seq) {
    ipc::Message m;
    m.add("t", "status").add("st", "active").add("dt", "2710").add("protocol", "1").add("src", src);
    m.add("seq", fmt::format("{:x}", seq)).add("hg", "5").add("ts", "692a1c00").add("ttl", "3");
    return m;
}

class SerialNullModem : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/bin/socat")) GTEST_SKIP() << "socat not installed";
        char tmpl[] = "/tmp/ha-sx-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        {
            std::ofstream(dir_ + "/authkeys") << "auth 1\n1 sha1 null-modem-secret\n";
        }
        ::chmod((dir_ + "/authkeys").c_str(), 0600);
        tty_a_ = dir_ + "/ttyA";
        tty_b_ = dir_ + "/ttyB";
        cable_ = std::make_unique<SocatCable>(tty_a_, tty_b_);
        ASSERT_TRUE(cable_->start());
        web1_ = std::make_unique<SerialDaemon>(dir_, "web1");
        web2_ = std::make_unique<SerialDaemon>(dir_, "web2");
        ASSERT_TRUE(web1_->start(tty_a_));
        ASSERT_TRUE(web2_->start(tty_b_));
    }
    void TearDown() override {
        web1_.reset();
        web2_.reset();
        cable_.reset();
        std::error_code ec;
        if (!dir_.empty() && std::getenv("HA_KEEP_TEST_DIR") == nullptr) std::filesystem::remove_all(dir_, ec);
    }
    // web1 sends status seq `seq` through its master side until web2 forwards one (a message
    // written while a port is still closed is dropped, so each try uses a fresh seq).
    bool delivered(SerialDaemon& from, const std::string& src, SerialDaemon& to, const std::string& to_dev, int& seq,
                   std::chrono::milliseconds timeout = 10s) {
        const auto deadline = SteadyClock::now() + timeout;
        while (SteadyClock::now() < deadline) {
            from.write(status(src, ++seq));
            const std::string want = fmt::format("{:x}", seq);
            if (to.wait_for([&](const ipc::Message& m) {
                      return m.type() == "status" && m.get_or("src", "") == src && m.get_or("seq", "") == want &&
                             m.get_or("_link", "") == to_dev && !m.has("auth");
                  }, 300ms)) {
                return true;
            }
        }
        return false;
    }

    std::string dir_, tty_a_, tty_b_;
    std::unique_ptr<SocatCable> cable_;
    std::unique_ptr<SerialDaemon> web1_, web2_;
};

TEST_F(SerialNullModem, ExchangesSurvivesCableLossAndReopensAndShrugsOffNoise) {
    EXPECT_TRUE(web1_->log_has(fmt::format("Starting serial heartbeat on tty {} (19200 baud)", tty_a_))) << web1_->log();
    EXPECT_TRUE(web2_->log_has(fmt::format("Starting serial heartbeat on tty {} (19200 baud)", tty_b_))) << web2_->log();
    int seq1 = 0, seq2 = 0;
    ASSERT_TRUE(delivered(*web1_, "web1", *web2_, tty_b_, seq1)) << web1_->log() << web2_->log();
    ASSERT_TRUE(delivered(*web2_, "web2", *web1_, tty_a_, seq2)) << web1_->log() << web2_->log();

    // The cable goes away: both notice, log it once, and keep running.
    cable_->stop();
    EXPECT_TRUE(web1_->log_has(fmt::format("serial port {} lost", tty_a_))) << web1_->log();
    EXPECT_TRUE(web2_->log_has(fmt::format("serial port {} lost", tty_b_))) << web2_->log();
    ::usleep(300000);  // a few silent reopen attempts
    EXPECT_TRUE(web1_->alive());
    EXPECT_TRUE(web2_->alive());

    // The same cable comes back: both reopen by themselves, traffic resumes.
    ASSERT_TRUE(cable_->start());
    EXPECT_TRUE(web1_->log_has(fmt::format("serial port {} reopened", tty_a_))) << web1_->log();
    EXPECT_TRUE(web2_->log_has(fmt::format("serial port {} reopened", tty_b_))) << web2_->log();
    ASSERT_TRUE(delivered(*web1_, "web1", *web2_, tty_b_, seq1)) << web1_->log() << web2_->log();
    ASSERT_TRUE(delivered(*web2_, "web2", *web1_, tty_a_, seq2)) << web1_->log() << web2_->log();
    const std::string log1 = web1_->log();
    EXPECT_EQ(log1.find("lost"), log1.rfind("lost")) << "one line per loss\n" << log1;
    EXPECT_EQ(log1.find("cannot open"), std::string::npos) << "reopen attempts are silent\n" << log1;

    // Line noise: 1 MB of random bytes written into the cable at ttyA, between valid frames.
    const int noise_fd = ::open(tty_a_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (noise_fd < 0) {
        GTEST_SKIP() << "cannot open " << tty_a_ << " as a third writer (TIOCEXCL; needs root): " << std::strerror(errno);
    }
    std::mt19937_64 rng(42);
    std::string noise(4096, '\0');
    const int kChunks = 256;  // 1 MiB
    const int first_seq = seq1 + 1;
    for (int i = 0; i < kChunks; ++i) {
        for (auto& c : noise) c = static_cast<char>(rng() & 0xff);
        std::size_t done = 0;
        while (done < noise.size()) {
            const ssize_t n = ::write(noise_fd, noise.data() + done, noise.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        if (i % 16 == 8) web1_->write(status("web1", ++seq1));  // a valid heartbeat among the noise
        // Let the daemons forward what they have (their stdout pipes must not fill up).
        web2_->wait_for([](const ipc::Message&) { return false; }, 1ms);
    }
    ::close(noise_fd);
    web1_->write(status("web1", ++seq1));
    const int last_seq = seq1;
    std::vector<int> got;
    while (true) {
        auto m = web2_->wait_for([](const ipc::Message& x) { return x.type() == "status"; }, 10s);
        if (!m) break;
        got.push_back(std::stoi(std::string(m->get_or("seq", "0")), nullptr, 16));
        if (got.back() == last_seq) break;
    }
    // The noise backs the cable up, so web1 may replace a heartbeat still waiting for the line by
    // the next one (the cable carries the newest: tx_superseded_heartbeats). Every heartbeat is
    // either delivered intact, in order, or superseded: none is lost to the noise.
    ASSERT_FALSE(got.empty()) << web2_->log();
    EXPECT_EQ(got.back(), last_seq) << web2_->log();
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()) && std::adjacent_find(got.begin(), got.end()) == got.end())
        << web2_->log();
    EXPECT_GE(got.front(), first_seq);
    auto sent = web1_->stats(tty_a_);
    ASSERT_TRUE(sent.has_value()) << web1_->log();
    EXPECT_EQ(got.size() + std::stoull(sent->get_or("tx_superseded_heartbeats", "0")),
              static_cast<std::size_t>(last_seq - first_seq + 1))
        << web2_->log();
    auto stats = web2_->stats(tty_b_);
    ASSERT_TRUE(stats.has_value()) << web2_->log();
    EXPECT_GT(std::stoull(stats->get_or("garbage_bytes", "0")), 900u * 1024u) << web2_->log();
    EXPECT_EQ(stats->get_or("open", ""), "1");
    EXPECT_TRUE(web1_->alive());
    EXPECT_TRUE(web2_->alive());

    // A clean stop.
    const int st = web2_->stop();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st << "\n" << web2_->log();
}

}  // namespace
}  // namespace ha::serial
