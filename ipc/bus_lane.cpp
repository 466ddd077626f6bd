// The media lane — see bus_lane.hpp.
#include "ipc/bus_lane.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace ha::ipc {

Result<void> check_lane_fd(int fd) {
    if (fd < 0 || ::fcntl(fd, F_GETFD) < 0)
        return make_error("bad_lane", fmt::format("fd {} is not open", fd));
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
        return make_error("bad_lane", fmt::format("fd {} is not a socket: {}", fd, std::strerror(errno)));
    if (type != SOCK_SEQPACKET)
        return make_error("bad_lane", fmt::format("fd {} is not a SOCK_SEQPACKET socket (SO_TYPE {})", fd, type));
    return {};
}

namespace detail {

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, 64)) {
        if (c >= 0x21 && c < 0x7f) out.push_back(static_cast<char>(c));
        else out += fmt::format("\\x{:02x}", c);
    }
    if (s.size() > 64) out += "...";
    return out;
}

bool BusDiag::fail(const std::string& reason, std::string_view peer, std::string_view why) {
    ++counters_.send_failed[reason];
    rate_limited_.warn("send_" + reason, "bus: cannot send to {}: {}", printable(peer), why);
    return false;
}

void BusDiag::drop(const std::string& reason, std::string_view peer, std::string_view why) {
    ++counters_.dropped[reason];
    rate_limited_.warn(reason, "bus: dropped message from {}: {}", printable(peer), why);
}

namespace {

// The FORCE variant lifts the net.core.*mem_max cap but needs CAP_NET_ADMIN; without it the plain
// option is capped by the kernel, which is still a working lane for all but the largest messages.
void set_buffer(int fd, int force_option, int option, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) == 0) return;
    (void)::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
}

// After recv() returned 0: end of file, or an empty datagram from a live peer?
bool hung_up(int fd) {
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR)) != 0;
}

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ENOBUFS; }
bool peer_gone(int err) { return err == EPIPE || err == ECONNRESET || err == ENOTCONN; }

}  // namespace

namespace {

Result<void> prepare_lane_fd(std::string_view name, int fd) {
    if (name.empty() || name[0] == '\0') return make_error("bad_name", "a lane needs the name of the process at its other end");
    if (auto ok = check_lane_fd(fd); !ok) return ok;
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return make_error("bad_lane", fmt::format("fd {}: cannot make it non-blocking: {}", fd, std::strerror(errno)));
    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, kLaneBufferBytes);
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, kLaneBufferBytes);
    return {};
}

}  // namespace

Result<void> adopt_lane_fd(std::string_view name, int fd) {
    auto ok = prepare_lane_fd(name, fd);
    if (!ok && fd >= 0) ::close(fd);
    return ok;
}

LaneEndpoint::LaneEndpoint(boost::asio::io_context& io, int fd, std::string peer, std::shared_ptr<BusDiag> diag)
    : io_(io), descriptor_(io, fd), peer_(std::move(peer)), diag_(std::move(diag)), buffer_(kMaxMessageBytes + 1) {}

LaneEndpoint::~LaneEndpoint() { close(); }

void LaneEndpoint::start(MessageHandler on_message, std::function<void()> on_closed) {
    on_message_ = std::move(on_message);
    on_closed_ = std::move(on_closed);
    arm_read();
    post_drain();  // what the peer wrote before we waited on the fd
}

void LaneEndpoint::close() {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    boost::system::error_code ec;
    descriptor_.cancel(ec);
    descriptor_.close(ec);
}

bool LaneEndpoint::send(std::string_view payload) {
    if (closed_) return diag_->fail("closed", peer_, "the lane is closed");
    if (payload.size() > kMaxMessageBytes)
        return diag_->fail("too_big", peer_, fmt::format("{} bytes, over the {} byte limit", payload.size(), kMaxMessageBytes));
    if (queue_.empty()) {
        // One datagram is taken whole or not at all.
        const ssize_t n = ::send(descriptor_.native_handle(), payload.data(), payload.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            ++diag_->counters().sent;
            return true;
        }
        const int err = errno;
        if (err == EMSGSIZE)
            return diag_->fail("too_big", peer_, fmt::format("{} bytes do not fit the socket buffer", payload.size()));
        if (peer_gone(err)) {
            post_drain();  // the read side sees the end and reports it
            return diag_->fail("closed", peer_, std::strerror(err));
        }
        if (!would_block(err)) return diag_->fail("send_error", peer_, std::strerror(err));
    } else if (queue_.size() >= static_cast<std::size_t>(kBusHighWaterMark)) {
        return diag_->fail("would_block", peer_, "send queue full");
    }
    queue_.emplace_back(payload);
    ++diag_->counters().sent;
    arm_write();
    return true;
}

void LaneEndpoint::arm_write() {
    if (write_armed_ || closed_) return;
    write_armed_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                               self->write_armed_ = false;
                               if (ec || self->closed_) return;
                               self->flush_queue();
                           });
}

void LaneEndpoint::flush_queue() {
    while (!queue_.empty() && !closed_) {
        const std::string& front = queue_.front();
        const ssize_t n = ::send(descriptor_.native_handle(), front.data(), front.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            queue_.pop_front();
            continue;
        }
        const int err = errno;
        if (would_block(err)) {
            arm_write();
            return;
        }
        if (peer_gone(err)) {
            diag_->fail("closed", peer_, fmt::format("{} queued messages lost: {}", queue_.size(), std::strerror(err)));
            queue_.clear();
            post_drain();
            return;
        }
        diag_->fail(err == EMSGSIZE ? "too_big" : "send_error", peer_, std::strerror(err));
        queue_.pop_front();
    }
}

void LaneEndpoint::arm_read() {
    if (closed_) return;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                               if (ec || self->closed_) return;
                               self->drain(/*batched=*/true);
                               self->arm_read();
                           });
}

void LaneEndpoint::post_drain() {
    if (drain_posted_ || draining_ || closed_) return;
    drain_posted_ = true;
    boost::asio::post(io_, [self = shared_from_this()] {
        self->drain_posted_ = false;
        self->drain(/*batched=*/true);
    });
}

bool LaneEndpoint::read_pending() {
    if (closed_ || draining_) return false;
    drain(/*batched=*/false);
    return true;
}

// Reads until the kernel has nothing more (`batched`: at most kDrainBatch, then re-posts itself).
void LaneEndpoint::drain(bool batched) {
    if (closed_ || draining_) return;
    auto keep = shared_from_this();  // a handler may drop the owner's last reference
    draining_ = true;
    int handled = 0;
    while (!closed_) {
        if (batched && handled == kDrainBatch) {
            draining_ = false;
            post_drain();
            return;
        }
        const ssize_t n = ::recv(descriptor_.native_handle(), buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            const int err = errno;
            // ECONNRESET: the peer closed with our datagrams unread. The kernel reports that once,
            // before what the peer sent last; read that too, then the end of file.
            if (err == EINTR || err == ECONNRESET) continue;
            if (err == EAGAIN || err == EWOULDBLOCK) break;
            draining_ = false;
            peer_closed(std::strerror(err));
            return;
        }
        if (n == 0 && hung_up(descriptor_.native_handle())) {
            draining_ = false;
            peer_closed("end of file");
            return;
        }
        ++handled;
        const auto size = static_cast<std::size_t>(n);
        if (size > kMaxMessageBytes) {
            diag_->drop("too_big", peer_,
                        fmt::format("datagram of {} bytes, over the {} byte limit", size, kMaxMessageBytes));
            continue;
        }
        auto message = decode(std::string_view(buffer_.data(), size));
        if (!message) {
            diag_->drop(message.error().code, peer_, message.error().message);
            continue;
        }
        if (on_message_) on_message_(std::move(*message));
    }
    draining_ = false;
}

void LaneEndpoint::peer_closed(std::string_view why) {
    if (closed_) return;
    diag_->log().debug("bus: lane to {} ends: {}", printable(peer_), why);
    close();
    if (auto cb = std::move(on_closed_)) {
        on_closed_ = nullptr;
        cb();
    }
}

}  // namespace detail
}  // namespace ha::ipc
