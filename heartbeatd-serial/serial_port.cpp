#include "heartbeatd-serial/serial_port.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ha::serial {

namespace {

constexpr std::array<int, 7> kBauds = {9600, 19200, 38400, 57600, 115200, 230400, 460800};

speed_t termios_speed(int baud) {
    switch (baud) {
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        case 230400: return B230400;
        default: return B460800;
    }
}

Error os_error(const std::string& device, const char* what, int err) {
    return make_error("open", fmt::format("{}: {}: {}", device, what, std::strerror(err)));
}

// Exclusive and non-blocking; common to both ways of opening.
Result<void> finish_fd(const std::string& device, int fd) {
    if (::ioctl(fd, TIOCEXCL) != 0) return os_error(device, "TIOCEXCL", errno);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return os_error(device, "O_NONBLOCK", errno);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return {};
}

// The fallback for devices libserialport does not know (ptys): raw 8N1, no flow control.
Result<int> open_with_termios(const std::string& device, int baud) {
    const int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return os_error(device, "open", errno);
    termios t{};
    if (::tcgetattr(fd, &t) != 0) {
        const int err = errno;
        ::close(fd);
        return os_error(device, "not a tty", err);
    }
    ::cfmakeraw(&t);
    t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    ::cfsetispeed(&t, termios_speed(baud));
    ::cfsetospeed(&t, termios_speed(baud));
    if (::tcsetattr(fd, TCSANOW, &t) != 0) {
        const int err = errno;
        ::close(fd);
        return os_error(device, "tcsetattr", err);
    }
    return fd;
}

Error sp_error(const std::string& device, const char* what) {
    char* m = sp_last_error_message();
    Error e = make_error("open", fmt::format("{}: {}: {}", device, what, m ? m : "error"));
    sp_free_error_message(m);
    return e;
}

}  // namespace

bool valid_baud(int baud) {
    for (int b : kBauds) {
        if (b == baud) return true;
    }
    return false;
}

Result<std::unique_ptr<SerialPort>> SerialPort::open(const std::string& device, int baud) {
    if (!valid_baud(baud)) return make_error("config", fmt::format("baud {}: not a supported speed", baud));
    sp_port* port = nullptr;
    if (sp_get_port_by_name(device.c_str(), &port) != SP_OK) {
        // Not a device libserialport knows (a pty from socat, for one): open it ourselves.
        auto fd = open_with_termios(device, baud);
        if (!fd) return fd.error();
        std::unique_ptr<SerialPort> p(new SerialPort(device, *fd, nullptr));
        if (auto ok = finish_fd(device, *fd); !ok) return ok.error();
        return p;
    }
    if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
        Error e = sp_error(device, "sp_open");
        sp_free_port(port);
        return e;
    }
    int fd = -1;
    std::unique_ptr<SerialPort> p;
    if (sp_get_port_handle(port, &fd) != SP_OK || fd < 0) {
        Error e = sp_error(device, "sp_get_port_handle");
        sp_close(port);
        sp_free_port(port);
        return e;
    }
    p.reset(new SerialPort(device, fd, port));  // closes the port on every error below
    if (sp_set_baudrate(port, baud) != SP_OK) return sp_error(device, "baud");
    if (sp_set_bits(port, 8) != SP_OK) return sp_error(device, "8 bits");
    if (sp_set_parity(port, SP_PARITY_NONE) != SP_OK) return sp_error(device, "no parity");
    if (sp_set_stopbits(port, 1) != SP_OK) return sp_error(device, "1 stop bit");
    if (sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE) != SP_OK) return sp_error(device, "no flow control");
    if (auto ok = finish_fd(device, fd); !ok) return ok.error();
    return p;
}

void SerialPort::close() {
    if (port_ != nullptr) {
        sp_close(port_);
        sp_free_port(port_);
        port_ = nullptr;
    } else if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = -1;
}

SerialPort::~SerialPort() { close(); }

}  // namespace ha::serial
