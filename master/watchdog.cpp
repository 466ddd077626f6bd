// Watchdog — see watchdog.hpp.
#include "master/watchdog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

namespace {
constexpr char kFeed = '.';   // any byte but the magic one keeps the timer going
constexpr char kMagic = 'V';  // "I am closing on purpose": the driver disarms (unless nowayout)
}  // namespace

Result<Watchdog> Watchdog::open(const std::string& device, ipc::Log& log) {
    const int fd = ::open(device.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return make_error("watchdog", fmt::format("cannot open watchdog device {}: {}", device, std::strerror(errno)));
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    log.info("Watchdog {} opened.", device);
    Watchdog w(device, fd, log);
    w.feed();
    return w;
}

Watchdog::Watchdog(Watchdog&& other) noexcept
    : device_(std::move(other.device_)), fd_(other.fd_), log_(other.log_), failing_(other.failing_) {
    other.fd_ = -1;
}

Watchdog::~Watchdog() {
    if (fd_ >= 0) ::close(fd_);
}

void Watchdog::feed() {
    if (fd_ < 0) return;
    if (::write(fd_, &kFeed, 1) == 1) {
        if (failing_) log_->info("Watchdog {} fed again.", device_);
        failing_ = false;
        return;
    }
    if (!failing_) log_->error("Watchdog {}: cannot feed: {}", device_, std::strerror(errno));
    failing_ = true;
}

void Watchdog::close_clean() {
    if (fd_ < 0) return;
    [[maybe_unused]] auto n = ::write(fd_, &kMagic, 1);
    ::close(fd_);
    fd_ = -1;
    log_->info("Watchdog {} closed (magic close).", device_);
}

}  // namespace ha::master
