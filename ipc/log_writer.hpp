// LogWriter — carries a process's formatted log lines to its files, syslog and the journal, off the loop.
//
// FileLog formats a line on the caller's thread (the event loop) and hands it here; a writer
// thread does the write()s, the syslog() calls and the journal datagrams (sent MSG_DONTWAIT: a
// journal that does not keep up loses lines, never delays this thread). The loop only takes a mutex for a queue push:
// a slow or full disk, a FIFO nobody reads or a stalled syslog daemon stops this thread, never a
// heartbeat. When the queue is full the line is dropped and counted, and the next line that fits
// says how many were lost.
//
// Why a thread (docs/conventions.md §5): write() on a regular file ignores O_NONBLOCK and syslog() sends on
// a blocking socket, so no non-blocking call exists that the loop could make instead. A separate
// logger process (Heartbeat's ha_logd) would add a pipe per child, a respawn and a failure mode of
// its own while the loop would still have to cope with that pipe being full; the thread needs
// neither and shares nothing with the loop but this queue. It blocks every signal (Asio's signal
// handling stays on the loop thread). It keeps the capabilities it was born with, like ZeroMQ's
// I/O threads: it must not drop its own, because glibc's setuid() (ipfaild becoming the respawn
// user) runs on every thread and aborts the process when one thread lacks CAP_SETUID.
//
// Lines of every hamaster process may share a file (ha.cf `logfile`, `debugfile`). Each line goes
// out in ONE write() on an O_APPEND descriptor: Linux appends a whole write to a regular file
// under the inode lock, and a write of at most PIPE_BUF bytes to a FIFO is atomic, so lines from
// different processes never interleave. Lines are capped at kMaxLine (< PIPE_BUF) for that reason.
//
// Time and blocking: push() never blocks on I/O. flush() waits up to its timeout.
// Diagnostics: the WARN "N log lines dropped" line (written by FileLog); dropped() counts them.
// See also: ipc/log.hpp, docs/processes.md "Logs".
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ha::ipc {

class LogWriter {
public:
    static constexpr std::size_t kMaxLine = 4000;       // < PIPE_BUF: one atomic write to a FIFO
    static constexpr std::size_t kMaxQueued = 8192;     // lines waiting; beyond that lines are dropped

    // A destination that opens its descriptor (again on reopen()); the writer owns the fds.
    struct Target {
        std::string path;  // "-": stderr
        int fd = -1;
    };
    using Opener = int (*)(const std::string& path);

    // threaded=false writes inline on the caller's thread (the fallback log before a process has
    // set up its own, and short-lived tools).
    // `journal`: systemd's native journal socket (ipc/log.hpp journal_socket()); "": none.
    LogWriter(std::vector<Target> targets, Opener opener, int syslog_facility, bool threaded, const std::string& journal = {});
    ~LogWriter();  // writes what is queued (waits at most 2 s for a blocked sink), then stops
    LogWriter(const LogWriter&) = delete;
    LogWriter& operator=(const LogWriter&) = delete;

    // Queues `line` (one whole line, LF included) for the targets whose bit is set in `mask`, and
    // `syslog_text` for syslog at `syslog_priority` (< 0: not for syslog). False when the queue was
    // full and the line was dropped.
    // `journal`: the line as one native journal datagram (empty: not for the journal).
    bool push(std::uint64_t mask, std::string line, int syslog_priority, std::string syslog_text, std::string journal = {});
    // Asks the writer to reopen every file (logrotate); a file that cannot be reopened keeps its fd.
    void reopen();
    // Waits until everything queued so far was written or `timeout` passed; true when written.
    bool flush(std::chrono::milliseconds timeout);
    // Lines dropped because the queue was full, in total; and those not yet reported, taken only
    // when the queue has room for the report and one more line (else 0, and they wait).
    std::uint64_t dropped() const;
    std::uint64_t take_unreported();

private:
    struct Entry {
        std::uint64_t mask = 0;
        std::string line;
        int syslog_priority = -1;
        std::string syslog_text;
        std::string journal;
        bool reopen = false;
    };
    struct Shared;
    static void run(std::shared_ptr<Shared> s);
    static void write_entry(Shared& s, const Entry& e);

    std::shared_ptr<Shared> shared_;
    std::thread thread_;
};

}  // namespace ha::ipc
