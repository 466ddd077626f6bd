#include "heartbeatd-serial/port_link.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ha::serial {

PortLink::PortLink(boost::asio::io_context& io, std::string device, int baud, ipc::Log& log, FrameHandler on_frame)
    : io_(io),
      device_(std::move(device)),
      baud_(baud),
      log_(log),
      on_frame_(std::move(on_frame)),
      desc_(io),
      reopen_timer_(io),
      drain_timer_(io),
      pace_timer_(io) {}

PortLink::~PortLink() { stop(); }

void PortLink::start() {
    stopped_ = false;
    log_.info("Starting serial heartbeat on tty {} ({} baud)", device_, baud_);
    try_open();
}

void PortLink::stop() {
    stopped_ = true;
    reopen_timer_.cancel();
    close_port();
}

void PortLink::try_open() {
    if (stopped_ || port_) return;
    auto opened = SerialPort::open(device_, baud_);
    if (!opened) {
        if (!down_logged_) {
            log_.warn("serial port {}: cannot open: {}; retrying", device_, opened.error().message);
            down_logged_ = true;
        }
        schedule_reopen();
        return;
    }
    boost::system::error_code ec;
    desc_.assign(opened.value()->fd(), ec);
    if (ec) {
        desc_.release();
        if (!down_logged_) {
            log_.warn("serial port {}: cannot watch: {}; retrying", device_, ec.message());
            down_logged_ = true;
        }
        schedule_reopen();  // `opened` closes the port
        return;
    }
    port_ = std::move(opened.value());
    ++generation_;
    ++stats_.opens;
    backoff_.reset();
    log_.debug("serial port {} open via {}", device_, port_->via_libserialport() ? "libserialport" : "termios (pty)");
    if (down_logged_) log_.info("serial port {} {}", device_, ever_opened_ ? "reopened" : "opened");
    down_logged_ = false;
    ever_opened_ = true;
    counters_changed();
    wait_read();
}

void PortLink::schedule_reopen() {
    reopen_timer_.expires_after(backoff_.next());
    reopen_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) try_open();
    });
}

void PortLink::wait_read() {
    const std::uint64_t gen = generation_;
    desc_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, gen](const boost::system::error_code& ec) {
        if (gen != generation_ || !port_) return;
        if (ec) {
            fail(ec.message());
            return;
        }
        on_readable();
    });
}

void PortLink::on_readable() {
    const std::uint64_t gen = generation_;
    for (int i = 0; i < kReadsPerWake; ++i) {
        const ssize_t n = ::read(port_->fd(), buf_.data(), buf_.size());
        if (n > 0) {
            stats_.rx_bytes += static_cast<std::uint64_t>(n);
            decoder_.feed(std::string_view(buf_.data(), static_cast<std::size_t>(n)),
                          [this](std::string_view frame) { on_frame_(*this, frame); });
            counters_changed();
            if (gen != generation_) return;  // cannot happen (failures are posted), kept cheap
            continue;
        }
        if (n == 0) {
            fail("end of file");
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_read();
            return;
        }
        fail(std::strerror(errno));
        return;
    }
    // Still more to read: let other handlers run first.
    boost::asio::post(io_, [this, gen] {
        if (gen == generation_ && port_) on_readable();
    });
}

bool PortLink::send(std::string frame, std::string_view supersede_key) {
    if (!port_) {
        ++stats_.tx_closed;
        counters_changed();
        return false;
    }
    const auto dropped_before = queue_.dropped_heartbeats() + queue_.dropped_other();
    const bool queued = queue_.push(std::move(frame), supersede_key);
    if (queue_.dropped_heartbeats() + queue_.dropped_other() != dropped_before || !queued) {
        if (!congested_) {
            log_.warn("serial port {}: line too slow, dropping queued frames", device_);
            congested_ = true;
        }
    }
    if (!writing_ && !pacing_) flush();
    counters_changed();
    return queued;
}

std::optional<std::chrono::microseconds> PortLink::line_busy_for() const {
    int pending = 0;
    if (!port_ || ::ioctl(port_->fd(), TIOCOUTQ, &pending) != 0 || pending <= 0) return std::nullopt;
    const long long bits = static_cast<long long>(pending) * 10;  // 8N1
    return std::chrono::microseconds(std::max(200LL, bits * 1'000'000 / std::max(baud_, 1)));
}

void PortLink::flush() {
    while (port_ && !queue_.empty()) {
        if (!queue_.front_started()) {
            if (const auto busy = line_busy_for()) {
                pacing_ = true;
                const std::uint64_t gen = generation_;
                pace_timer_.expires_after(*busy);
                pace_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
                    if (ec || gen != generation_ || !port_) return;
                    pacing_ = false;
                    flush();
                });
                return;
            }
        }
        const std::string_view front = queue_.front();
        const ssize_t n = ::write(port_->fd(), front.data(), front.size());
        if (n > 0) {
            const auto written = static_cast<std::size_t>(n);
            if (written == front.size()) ++stats_.tx_frames;
            stats_.tx_bytes += written;
            queue_.consumed(written);
            counters_changed();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            writing_ = true;
            const std::uint64_t gen = generation_;
            desc_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                             [this, gen](const boost::system::error_code& ec) {
                                 if (gen != generation_ || !port_) return;
                                 writing_ = false;
                                 if (ec) {
                                     fail(ec.message());
                                     return;
                                 }
                                 flush();
                             });
            return;
        }
        fail(n == 0 ? std::string("write returned 0") : std::string(std::strerror(errno)));
        return;
    }
    if (queue_.empty()) congested_ = false;
}

void PortLink::fail(std::string why) {
    const std::uint64_t gen = generation_;
    boost::asio::post(io_, [this, gen, why = std::move(why)] { lost(gen, why); });
}

void PortLink::lost(std::uint64_t generation, const std::string& why) {
    if (generation != generation_ || !port_ || stopped_) return;
    close_port();
    ++stats_.losses;
    counters_changed();
    log_.warn("serial port {} lost: {}; reopening", device_, why);
    down_logged_ = true;
    schedule_reopen();
}

void PortLink::close_port() {
    ++generation_;
    writing_ = false;
    pacing_ = false;
    pace_timer_.cancel();
    if (!port_) return;
    boost::system::error_code ec;
    desc_.cancel(ec);
    desc_.release();  // the SerialPort owns the fd
    port_.reset();
    decoder_.reset();
    stats_.tx_discarded += queue_.frames();
    queue_.clear();
    congested_ = false;
}

bool PortLink::output_empty() const {
    if (!port_) return true;  // nothing more can leave a closed port
    if (!queue_.empty()) return false;
    int pending = 0;
    if (::ioctl(port_->fd(), TIOCOUTQ, &pending) != 0) return true;  // cannot tell: do not wait
    return pending == 0;
}

void PortLink::when_drained(std::function<void()> done, std::chrono::milliseconds limit) {
    drain_waiters_.push_back({std::move(done), std::chrono::steady_clock::now() + limit});
    check_drained();
}

void PortLink::check_drained() {
    const bool empty = output_empty();
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::function<void()>> ready;
    std::erase_if(drain_waiters_, [&](DrainWaiter& w) {
        if (!empty && now < w.until) return false;
        ready.push_back(std::move(w.done));
        return true;
    });
    if (!drain_waiters_.empty()) {
        drain_timer_.expires_after(std::chrono::milliseconds(5));
        drain_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) check_drained();
        });
    }
    for (auto& done : ready) done();
}

}  // namespace ha::serial
