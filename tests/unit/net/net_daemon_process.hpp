// NetDaemonProcess — runs the real heartbeatd-net binary for a test, with the stdio test bus.
//
// Starts build/bin/heartbeatd-net in a fresh temp directory (authkeys 0600, run and log dirs),
// with `--stdio-bus`: the test writes bus messages to its stdin and reads forwarded datagrams and
// `_stats` replies from its stdout. Stops it with SIGTERM (then SIGKILL) by pid in the destructor.
// Only loopback addresses are used.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/message.hpp"

namespace ha::net::testing {

class NetDaemonProcess {
public:
    using Clock = std::chrono::steady_clock;

    explicit NetDaemonProcess(std::string authkeys = "auth 1\n1 md5 web-secret\n") {
        char tmpl[] = "/tmp/ha-net-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        std::filesystem::create_directories(dir_ + "/run");
        std::filesystem::create_directories(dir_ + "/log");
        const std::string keys = dir_ + "/authkeys";
        std::ofstream(keys) << authkeys;
        ::chmod(keys.c_str(), 0600);
    }
    ~NetDaemonProcess() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    const std::string& dir() const { return dir_; }
    pid_t pid() const { return pid_; }
    std::string run_dir() const { return dir_ + "/run"; }
    std::string log_path() const { return dir_ + "/log/heartbeatd-net.log"; }

    // Starts the binary with the common flags for `node` plus `extra`.
    // Without `stdio_bus` it connects to the zmq bus in run_dir() (the test runs a BusRouter there),
    // or with `lane_fd` (one end of a SOCK_SEQPACKET socketpair) it gets that as fd 3, `--bus-fd 3`,
    // as hamaster starts it.
    bool start(const std::string& node, std::vector<std::string> extra, bool stdio_bus = true, int lane_fd = -1) {
        std::vector<std::string> args = {HA_BIN_DIR "/heartbeatd-net", "--node", node, "--config", dir_, "--run-dir",
                                         run_dir(), "--log-dir", dir_ + "/log"};
        if (stdio_bus) args.push_back("--stdio-bus");
        if (lane_fd >= 0) args.insert(args.end(), {"--bus-fd", "3"});
        args.insert(args.end(), extra.begin(), extra.end());
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return false;
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            if (lane_fd == 3) ::fcntl(3, F_SETFD, 0);
            else if (lane_fd >= 0) ::dup2(lane_fd, 3);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
        return pid_ > 0;
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

    // The next message on stdout, or nullopt at the deadline / EOF.
    std::optional<ipc::Message> next(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (true) {
            const auto end = pending_.find("<<<\n");
            if (end != std::string::npos) {
                std::string frame = pending_.substr(0, end + 4);
                pending_.erase(0, end + 4);
                auto m = ipc::decode(frame);
                if (m) return std::move(m.value());
                continue;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return std::nullopt;
            pollfd p{stdout_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
            char buf[65536];
            const ssize_t n = ::read(stdout_, buf, sizeof(buf));
            if (n <= 0) return std::nullopt;
            pending_.append(buf, static_cast<std::size_t>(n));
        }
    }

    // The first message matching `pred` before the deadline (others are skipped).
    std::optional<ipc::Message> wait_for(const std::function<bool(const ipc::Message&)>& pred,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (!m) return std::nullopt;
            if (pred(*m)) return m;
        }
        return std::nullopt;
    }

    // Asks for `_stats` and returns the reply for `link`.
    std::optional<ipc::Message> stats(const std::string& link) {
        ipc::Message q;
        q.add("t", "_stats");
        write(q);
        return wait_for([&](const ipc::Message& m) { return m.type() == "_stats" && m.get_or("link", "") == link; });
    }

    void signal(int sig) {
        if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
    }

    // False once the process has exited (it is then reaped; stop() returns its status).
    bool alive() {
        if (pid_ <= 0 || reaped_) return false;
        if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
        return !reaped_;
    }

    // Closes stdin (the stdio bus stops the daemon), then SIGTERM, then SIGKILL; returns the wait status.
    int stop() {
        if (pid_ <= 0) return -1;
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
        if (reaped_) return finish(status_);
        int status = 0;
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) return finish(status);
            ::usleep(20000);
        }
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) return finish(status);
            ::usleep(20000);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        return finish(status);
    }

private:
    int finish(int status) {
        pid_ = -1;
        reaped_ = false;
        if (stdout_ >= 0) ::close(stdout_);
        stdout_ = -1;
        return status;
    }

    std::string dir_;
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    int stdin_ = -1;
    int stdout_ = -1;
    std::string pending_;
};

}  // namespace ha::net::testing
