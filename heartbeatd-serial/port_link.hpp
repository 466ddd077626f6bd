// PortLink — one serial medium: the open port on the Asio loop, its frame decoder, its write queue,
// and reopening after the device vanished.
//
// Reads: the port's fd in an asio::posix::stream_descriptor (async_wait read, then non-blocking
// read() until EAGAIN, at most kReadsPerWake per wake so a flood cannot starve the loop); every
// chunk goes through the FrameDecoder and each complete frame is handed to the owner. Writes:
// send() queues a signed frame (WriteQueue: bounded; the newest heartbeat or ack replaces an unsent
// older one in its place) and writes it when the line is free: a frame starts only once the tty's output queue
// (TIOCOUTQ) is empty — otherwise a timer waits as long as the bytes still queued take at the baud
// rate — so at most one frame waits in the kernel and a heartbeat leaves at most one frame time
// after it was made, at the fastest pace the baud rate allows (master/core/serial_pace.hpp), instead
// of seconds behind in a full kernel buffer. A pty has no output queue: frames go at once.
// A read error, EOF or hang-up, or a write error (device unplugged, socat killed) closes the port
// and reopens it with ReopenBackoff (100 ms doubling to 5 s) until it comes back; attempts are
// silent. Closing never happens inside a handler of the owner: failures are posted to the loop.
// It decides nothing about links or nodes (the master does): it only reports bytes and frames.
//
// Time and blocking: single-threaded on the process's io_context; nothing blocks (the port is
// non-blocking). The reopen timer is a steady_timer.
// Diagnostics (each once per transition):
//   info `Starting serial heartbeat on tty /dev/ttyS0 (19200 baud)` at start;
//   WARN `serial port /dev/ttyS0: cannot open: <why>; retrying` when the first open fails;
//   WARN `serial port /dev/ttyS0 lost: <why>; reopening`;
//   info `serial port /dev/ttyS0 reopened` (or `opened` after a failed start);
//   WARN `serial port /dev/ttyS0: line too slow, dropping queued frames` once per congestion (a
//   frame other than a heartbeat was dropped, or one was refused; superseded heartbeats are the
//   pace, counted, not logged).
// Counters: PortStats below, FrameCounters (decoder), WriteQueue drops; `on_counters` is called
// after they change (bytes read — after the frames of that read were handed over —, written,
// a frame queued or refused, the port opened or lost), so the owner can publish them.
// See also: serial_port.hpp, frame_decoder.hpp, write_queue.hpp, reopen_backoff.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "heartbeatd-serial/frame_decoder.hpp"
#include "heartbeatd-serial/reopen_backoff.hpp"
#include "heartbeatd-serial/serial_port.hpp"
#include "heartbeatd-serial/write_queue.hpp"
#include "ipc/log.hpp"

namespace ha::serial {

struct PortStats {
    std::uint64_t opens = 0;       // successful opens (the first one included)
    std::uint64_t losses = 0;      // times the open port was lost
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    std::uint64_t tx_frames = 0;   // frames written completely
    std::uint64_t tx_closed = 0;   // frames not sent because the port was not open
    std::uint64_t tx_discarded = 0;  // queued frames thrown away when the port was lost
};

class PortLink {
public:
    static constexpr int kReadsPerWake = 16;
    using FrameHandler = std::function<void(PortLink& link, std::string_view frame)>;

    // `io` and `log` must outlive the link.
    PortLink(boost::asio::io_context& io, std::string device, int baud, ipc::Log& log, FrameHandler on_frame);
    ~PortLink();
    PortLink(const PortLink&) = delete;
    PortLink& operator=(const PortLink&) = delete;

    // Logs the start line and opens the port (or starts retrying).
    void start();
    void stop();

    // Queues one signed frame (`supersede_key`: see WriteQueue). False when the port is not open
    // (counted tx_closed) or the queue refused it.
    bool send(std::string frame, std::string_view supersede_key = {});
    // Calls `done` (on the loop, possibly at once) when every frame queued so far has left the tty
    // — our queue written and the line's output queue (TIOCOUTQ) empty, tcdrain without blocking —
    // or the port is closed, or after `limit`. Checked every 5 ms.
    void when_drained(std::function<void()> done, std::chrono::milliseconds limit);

    const std::string& device() const { return device_; }
    int baud() const { return baud_; }
    bool is_open() const { return port_ != nullptr; }
    const PortStats& stats() const { return stats_; }
    const FrameCounters& frame_counters() const { return decoder_.counters(); }
    const WriteQueue& queue() const { return queue_; }
    std::function<void(PortLink& link)> on_counters;  // optional; see the file comment

private:
    void counters_changed() {
        if (on_counters) on_counters(*this);
    }
    void try_open();
    void schedule_reopen();
    void wait_read();
    void on_readable();
    void flush();
    // How long the bytes still in the tty's output queue take at the baud rate; none when it is
    // empty or cannot be asked.
    std::optional<std::chrono::microseconds> line_busy_for() const;
    void fail(std::string why);  // posts lost()
    void lost(std::uint64_t generation, const std::string& why);
    void close_port();
    bool output_empty() const;
    void check_drained();

    boost::asio::io_context& io_;
    std::string device_;
    int baud_;
    ipc::Log& log_;
    FrameHandler on_frame_;
    boost::asio::posix::stream_descriptor desc_;
    boost::asio::steady_timer reopen_timer_;
    boost::asio::steady_timer drain_timer_;
    boost::asio::steady_timer pace_timer_;
    struct DrainWaiter {
        std::function<void()> done;
        std::chrono::steady_clock::time_point until;
    };
    std::vector<DrainWaiter> drain_waiters_;
    std::unique_ptr<SerialPort> port_;
    FrameDecoder decoder_;
    WriteQueue queue_;
    ReopenBackoff backoff_;
    PortStats stats_;
    std::uint64_t generation_ = 0;  // bumped on every open/close; stale handlers compare it
    bool writing_ = false;          // waiting for writability
    bool pacing_ = false;           // waiting for the line to take the frame in the tty
    bool stopped_ = true;
    bool down_logged_ = false;      // a "cannot open"/"lost" line was written, no "opened" yet
    bool ever_opened_ = false;
    bool congested_ = false;
    std::array<char, 65536> buf_{};
};

}  // namespace ha::serial
