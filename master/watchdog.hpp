// Watchdog — ha.cf `watchdog DEVICE`: the kernel watchdog the master feeds, so a hung master reboots.
//
// Opened once at start-up (after daemonizing, O_CLOEXEC: no child inherits it). The master's event
// loop calls feed() every keepalive; a master that stops running its loop (hung, or killed without
// a clean stop) stops feeding and the kernel reboots the node after the device's timeout, which
// is what keeps a hung node from holding resources the peer is about to take over. close_clean()
// writes the magic 'V' before closing, so a clean `service hamaster stop` does not reboot.
// Any device that accepts writes works (the test uses a FIFO); nothing here is specific to one
// driver, and no ioctl is needed.
//
// Time and blocking: open() may block on a FIFO without a reader (the kernel device never does);
// feed() writes one byte with O_NONBLOCK set after the open, so the loop never blocks on it.
// Diagnostics: info "Watchdog DEVICE opened."; ERROR "Watchdog DEVICE: cannot feed: ..." once per
// failure streak and info when it works again; info "Watchdog DEVICE closed (magic close)." on
// a clean stop.
// See also: master/master_run.cpp (the feeding timer), Documentation/watchdog/watchdog-api.rst.
#pragma once

#include <string>

#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::master {

class Watchdog {
public:
    static Result<Watchdog> open(const std::string& device, ipc::Log& log);

    Watchdog(Watchdog&& other) noexcept;
    Watchdog& operator=(Watchdog&&) = delete;
    Watchdog(const Watchdog&) = delete;
    ~Watchdog();  // closes WITHOUT the magic character: a crash-like end still reboots

    void feed();
    void close_clean();
    const std::string& device() const { return device_; }

private:
    Watchdog(std::string device, int fd, ipc::Log& log) : device_(std::move(device)), fd_(fd), log_(&log) {}
    std::string device_;
    int fd_ = -1;
    ipc::Log* log_;
    bool failing_ = false;
};

}  // namespace ha::master
