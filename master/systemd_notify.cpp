// SystemdNotify — see systemd_notify.hpp.
#include "master/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

namespace {
std::string env_take(const char* name) {
    const char* v = std::getenv(name);
    std::string value = v ? v : "";
    ::unsetenv(name);
    return value;
}

std::optional<std::uint64_t> to_number(const std::string& s) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return n;
}
}  // namespace

std::string notify_status_text(const ClusterView& view) {
    std::string text;
    for (const auto& n : view.nodes) {
        if (n.type == "ping") continue;
        if (!text.empty()) text += ", ";
        text += fmt::format("{} {}", n.name, n.status);
    }
    if (text.empty()) text = fmt::format("{} {}", view.local_node, view.local_status);
    text += fmt::format("; resources: {}", view.rsc_hold);
    if (view.initdead_left) text += "; waiting for the peer (initdead)";
    return text;
}

SystemdNotify::SystemdNotify(ipc::Log& log) : log_(log) {
    socket_ = env_take("NOTIFY_SOCKET");
    const std::string usec = env_take("WATCHDOG_USEC");
    const std::string wpid = env_take("WATCHDOG_PID");
    if (socket_.empty()) return;
    if (socket_.size() >= sizeof(sockaddr_un::sun_path) || (socket_[0] != '/' && socket_[0] != '@')) {
        log_.warn("systemd notify: ignoring NOTIFY_SOCKET [{}]: not an absolute path or @abstract name", socket_);
        return;
    }
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        log_.warn("systemd notify: cannot create a socket: {}", std::strerror(errno));
        return;
    }
    const auto pid = to_number(wpid);
    const bool ours = wpid.empty() || (pid && *pid == static_cast<std::uint64_t>(::getpid()));
    if (const auto us = to_number(usec); us && *us > 0 && ours) {
        feed_interval_ = std::chrono::microseconds(*us / 2);
        log_.info("systemd watchdog: {} ms, fed every {} ms", *us / 1000, *us / 2000);
    }
}

SystemdNotify::~SystemdNotify() {
    if (fd_ >= 0) ::close(fd_);
}

void SystemdNotify::ready(const std::string& status) {
    last_status_ = status;
    send(fmt::format("READY=1\nMAINPID={}\nSTATUS={}\n", ::getpid(), status));
}

void SystemdNotify::status(const std::string& status) {
    if (status == last_status_) return;
    last_status_ = status;
    send(fmt::format("STATUS={}\n", status));
}

void SystemdNotify::send(const std::string& message) {
    if (fd_ < 0) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, socket_.data(), socket_.size());
    if (socket_[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace: no trailing NUL counted
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
    const ssize_t n = ::sendto(fd_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&addr), len);
    if (n < 0 && !failing_) {
        failing_ = true;
        log_.warn("systemd notify: cannot send to {}: {}", socket_, std::strerror(errno));
    } else if (n >= 0 && failing_) {
        failing_ = false;
        log_.info("systemd notify: sending to {} again", socket_);
    }
}

}  // namespace ha::master
