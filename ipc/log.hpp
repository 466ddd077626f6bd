// Log — the process-wide log sink, in Heartbeat's line format.
//
// Every process writes its own file (`hamaster.log`, `heartbeatd-net.log`, ...):
//   Nov 28 17:31:22 web1 heartbeatd-net: [2301]: WARN: node web2: is dead      (syslogmsgfmt on)
//   heartbeatd-net[2301]: 2026/11/28_17:31:22 WARN: node web2: is dead          (syslogmsgfmt off)
// Core classes take a Log& so tests can capture lines (CaptureLog) and check "logged exactly once".
// The process log, installed once by the daemon skeleton, is the one global of the project.
//
// Time and blocking: reads the wall clock for stamps; writes are unbuffered appends (O_APPEND) to
// local files, which we accept on the loop like every syslog-style daemon does.
// Diagnostics: none of its own; a sink that cannot be opened falls back to stderr.
// See also: shared/style.md §4, compat spec §10.3.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <mutex>
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
};

class FileLog final : public Log {
public:
    explicit FileLog(LogOptions options);
    ~FileLog() override;
    void write(LogLevel level, std::string_view text) override;
    bool debug_enabled() const override { return options_.debug; }
    void reopen();  // SIGHUP: reopen every file for logrotate

    // Formats one line without the trailing LF (public for tests).
    std::string format_line(LogLevel level, std::string_view text) const;

private:
    LogOptions options_;
    std::vector<int> fds_;
    std::mutex mutex_;
    int pid_;
    int syslog_priority_base_ = -1;
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
