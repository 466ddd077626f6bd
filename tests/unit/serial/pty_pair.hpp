// PtyPair — a pseudo-terminal for shell tests: the test holds the master end, the code under test
// opens the slave by path (optionally through a symlink that can be re-pointed, like socat's
// `link=`). Closing the master is "the cable was pulled".
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace ha::serial::testing {

class PtyPair {
public:
    PtyPair() { open(); }
    ~PtyPair() { close(); }
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;

    void open() {
        int slave = -1;
        char name[256] = {};
        termios t{};
        ::cfmakeraw(&t);
        if (::openpty(&master_, &slave, name, &t, nullptr) != 0) master_ = -1;
        slave_path_ = name;
        ::close(slave);
        ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    }
    void close() {
        if (master_ >= 0) ::close(master_);
        master_ = -1;
    }
    bool ok() const { return master_ >= 0; }
    const std::string& slave_path() const { return slave_path_; }
    int master() const { return master_; }

    void write(std::string_view bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(master_, bytes.data() + done, bytes.size() - done);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
            } else {
                pollfd p{master_, POLLOUT, 0};
                ::poll(&p, 1, 100);
            }
        }
    }
    // Whatever the slave side wrote so far.
    std::string read_available() {
        std::string out;
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(master_, buf, sizeof(buf));
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    int master_ = -1;
    std::string slave_path_;
};

// Runs `io` in small steps until `done()` or the timeout; true when done.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace ha::serial::testing
