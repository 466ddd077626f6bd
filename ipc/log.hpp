// Log — the process-wide log sink, in Heartbeat's line format.
//
// Every process writes its own file (`hamaster.log`, `heartbeatd-net.log`, ...):
//   Nov 28 17:31:22 web1 heartbeatd-net: [2301]: WARN: node web2: is dead      (syslogmsgfmt on)
//   heartbeatd-net[2301]: 2026/11/28_17:31:22 WARN: node web2: is dead          (syslogmsgfmt off)
// Core classes take a Log& so tests can capture lines (CaptureLog) and check "logged exactly once".
// The process log, installed once by the daemon skeleton, is the one global of the project.
//
// The master and every child also write to the ha.cf `logfile` / `debugfile` and to syslog
// (`logfacility`), as Heartbeat's processes did, each line naming its process; whole lines, one
// write() each, so the processes' lines never interleave (ipc/log_writer.hpp).
//
// Time and blocking: reads the wall clock for stamps. write() formats on the caller's thread and
// queues the line for the LogWriter thread: a slow disk, a FIFO nobody reads or a stalled syslog
// never blocks the event loop (a full queue drops lines and says how many, once).
// Diagnostics: WARN "N log lines dropped ..."; a sink that cannot be opened falls back to stderr.
// See also: docs/conventions.md §4, compat spec §10.3, ipc/log_writer.hpp.
#pragma once

#include <fmt/format.h>

#include "ipc/log_writer.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ha::ipc {

enum class LogLevel { debug, info, notice, warn, error, crit };

// Heartbeat's priority word: debug info notice WARN ERROR CRIT.
std::string_view level_word(LogLevel level);

class Log {
public:
    virtual ~Log() = default;
    virtual void write(LogLevel level, std::string_view text) = 0;
    virtual bool debug_enabled() const { return false; }
    virtual void reopen() {}  // SIGHUP: reopen log files (logrotate)

    template <class... A> void debug(fmt::format_string<A...> f, A&&... a) {
        if (debug_enabled()) write(LogLevel::debug, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> void info(fmt::format_string<A...> f, A&&... a) {
        write(LogLevel::info, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> void notice(fmt::format_string<A...> f, A&&... a) {
        write(LogLevel::notice, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> void warn(fmt::format_string<A...> f, A&&... a) {
        write(LogLevel::warn, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> void error(fmt::format_string<A...> f, A&&... a) {
        write(LogLevel::error, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> void crit(fmt::format_string<A...> f, A&&... a) {
        write(LogLevel::crit, fmt::format(f, std::forward<A>(a)...));
    }
};

// Where a FileLog writes: a file path and the lowest level that goes there.
struct LogSink {
    std::string path;  // "-" means stderr
    LogLevel min_level = LogLevel::info;
};

struct LogOptions {
    std::string program;  // "hamaster", "heartbeatd-net", ...
    std::string node;     // the local node name, as in the stamp
    std::vector<LogSink> sinks;
    bool syslogmsgfmt = true;
    bool debug = false;           // -v / `debug N`: debug lines are produced at all
    std::string syslog_facility;  // "" or "none": no syslog
    std::string journal;          // systemd's native journal socket; "": none (journal_socket())
    bool threaded = true;         // false: write on the caller's thread (fallback log, tests)
};

// The ha.cf log destinations that every hamaster process writes besides its own file, as every
// Heartbeat process did: `logfile` (info and up), `debugfile` (everything), `logfacility`
// (syslog), in the `syslogmsgfmt` style. The master passes them to its children as
// --ha-logfile, --ha-debugfile, --logfacility and --syslogmsgfmt (master/child_specs.cpp).
struct SharedLogConfig {
    std::string logfile;             // empty: none
    std::string debugfile;           // empty: none
    std::string logfacility = "none";
    bool syslogmsgfmt = true;
    std::string journal;             // --journal: systemd's journal socket, empty: none
};

// The journal socket every hamaster process sends its lines to when the master runs as a systemd
// service (INVOCATION_ID or JOURNAL_STREAM in its environment) and /run/systemd/journal/socket
// exists: a daemon that detaches has no stdout for systemd to read, and without this only the
// master's lines (or, with `logfacility`, syslog's copy) would reach `journalctl -u hamaster`.
// HAMASTER_JOURNAL_SOCKET=PATH names another socket (tests). Empty: none.
std::string journal_socket();
// Adds `shared`'s files and syslog to `options` (program, node and own sinks are left alone).
void add_shared_log(LogOptions& options, const SharedLogConfig& shared);

class FileLog final : public Log {
public:
    explicit FileLog(LogOptions options);
    ~FileLog() override;
    void write(LogLevel level, std::string_view text) override;
    bool debug_enabled() const override { return options_.debug; }
    void reopen() override;  // SIGHUP: reopen every file for logrotate
    // Waits until every line written so far reached its sinks (or `timeout`); true when it did.
    bool flush(std::chrono::milliseconds timeout);
    // Lines lost because a sink did not keep up (the writer's queue was full).
    std::uint64_t dropped() const;

    // Formats one line without the trailing LF (public for tests).
    std::string format_line(LogLevel level, std::string_view text) const;

private:
    LogOptions options_;
    int pid_;
    int syslog_priority_base_ = -1;
    std::unique_ptr<LogWriter> writer_;
};

// Keeps every line in memory; for tests.
class CaptureLog final : public Log {
public:
    struct Line {
        LogLevel level;
        std::string text;
    };
    void write(LogLevel level, std::string_view text) override;
    bool debug_enabled() const override { return true; }
    // How many lines contain `needle` (at `level`, if given).
    int count(std::string_view needle) const;
    int count(LogLevel level, std::string_view needle) const;
    const std::vector<Line>& lines() const { return lines_; }
    void clear() { lines_.clear(); }
    std::string dump() const;

private:
    std::vector<Line> lines_;
};

// The process log. Before install_process_log() it writes to stderr.
Log& process_log();
void install_process_log(std::unique_ptr<Log> log);

}  // namespace ha::ipc
