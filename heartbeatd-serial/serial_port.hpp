// SerialPort — one open serial device: read/write, 8N1, no flow control, exclusive, non-blocking.
//
// The one wrapper over libserialport in the project (docs/conventions.md §8). open() configures the baud rate
// from ha.cf `baud`, 8 data bits, no parity, 1 stop bit, no flow control (SP_FLOWCONTROL_NONE),
// takes the port exclusively (TIOCEXCL on the fd from sp_get_port_handle) and sets O_NONBLOCK.
// libserialport 0.1.1 refuses a pseudo-terminal in sp_get_port_by_name (it looks the device up
// in /sys/class/tty, where /dev/pts/N is absent: "Device not found"), and the lab cable is a socat
// pty pair, so a device it does not know is opened with plain open() + termios instead (raw,
// same settings). The fd is owned here: the shell must release() its Asio descriptor before the
// port is closed (destruction or close()).
//
// Time and blocking: open() may block briefly on the device (O_NONBLOCK is used for the open
// itself); afterwards nothing blocks. Diagnostics: none; errors are returned (code "open").
// See also: port_link.hpp, /usr/include/libserialport.h.
#pragma once

#include <memory>
#include <string>

#include "ipc/result.hpp"

struct sp_port;

namespace ha::serial {

// The speeds Heartbeat accepts for `baud` (compat spec §1.3).
bool valid_baud(int baud);

class SerialPort {
public:
    static Result<std::unique_ptr<SerialPort>> open(const std::string& device, int baud);
    ~SerialPort();
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;

    int fd() const { return fd_; }
    const std::string& device() const { return device_; }
    // True when libserialport opened it; false for the open()+termios fallback (ptys).
    bool via_libserialport() const { return port_ != nullptr; }
    void close();

private:
    SerialPort(std::string device, int fd, sp_port* port) : device_(std::move(device)), fd_(fd), port_(port) {}
    std::string device_;
    int fd_ = -1;
    sp_port* port_ = nullptr;
};

}  // namespace ha::serial
