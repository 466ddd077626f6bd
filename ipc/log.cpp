#include "ipc/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <ctime>
#include <cstring>

namespace ha::ipc {

std::string_view level_word(LogLevel level) {
    switch (level) {
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::notice: return "notice";
        case LogLevel::warn: return "WARN";
        case LogLevel::error: return "ERROR";
        case LogLevel::crit: return "CRIT";
    }
    return "info";
}

namespace {

int syslog_priority(LogLevel level) {
    switch (level) {
        case LogLevel::debug: return LOG_DEBUG;
        case LogLevel::info: return LOG_INFO;
        case LogLevel::notice: return LOG_NOTICE;
        case LogLevel::warn: return LOG_WARNING;
        case LogLevel::error: return LOG_ERR;
        case LogLevel::crit: return LOG_CRIT;
    }
    return LOG_INFO;
}

struct FacilityName {
    const char* name;
    int value;
};
constexpr FacilityName kFacilities[] = {
    {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
    {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
    {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

// O_NOFOLLOW + fstat (issue 20): a log file that is a symlink, owned by another user or neither a
// regular file nor a FIFO is refused (errno ELOOP / EPERM), so whoever can write the log directory
// cannot make us append to /etc/shadow. A FIFO of our own is a log shipper's input: opened
// non-blocking (no reader yet: ENXIO, refused), then made blocking so the writer thread waits for
// its reader like for a slow disk rather than losing lines one by one.
int open_sink(const std::string& path) {
    if (path == "-") return ::dup(STDERR_FILENO);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0640);
    if (fd < 0) return fd;
    struct ::stat st {};
    if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) || st.st_uid != ::geteuid()) {
        ::close(fd);
        errno = EPERM;
        return -1;
    }
    if (const int fl = ::fcntl(fd, F_GETFL); fl >= 0) (void)::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

}  // namespace

FileLog::FileLog(LogOptions options) : options_(std::move(options)), pid_(static_cast<int>(::getpid())) {
    std::vector<LogWriter::Target> targets;
    for (const auto& sink : options_.sinks) {
        int fd = open_sink(sink.path);
        if (fd < 0) {
            fmt::print(stderr, "{}: cannot open log file {}: {}{}\n", options_.program, sink.path, std::strerror(errno),
                       errno == ELOOP || errno == EPERM ? " (refusing a symlink or another user's file)" : "");
            fd = ::dup(STDERR_FILENO);
        }
        targets.push_back({sink.path, fd});
    }
    if (!options_.syslog_facility.empty() && options_.syslog_facility != "none") {
        for (const auto& f : kFacilities) {
            if (options_.syslog_facility == f.name) syslog_priority_base_ = f.value;
        }
        if (syslog_priority_base_ >= 0) ::openlog(options_.program.c_str(), LOG_PID | LOG_NDELAY, syslog_priority_base_);
    }
    writer_ = std::make_unique<LogWriter>(std::move(targets), open_sink, syslog_priority_base_, options_.threaded,
                                          options_.journal);
}

FileLog::~FileLog() {
    writer_.reset();  // writes what is queued first
    if (syslog_priority_base_ >= 0) ::closelog();
}

void FileLog::reopen() { writer_->reopen(); }

bool FileLog::flush(std::chrono::milliseconds timeout) { return writer_->flush(timeout); }

std::uint64_t FileLog::dropped() const { return writer_->dropped(); }

std::string FileLog::format_line(LogLevel level, std::string_view text) const {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[32];
    if (options_.syslogmsgfmt) {
        std::strftime(stamp, sizeof stamp, "%b %d %H:%M:%S", &tm);
        return fmt::format("{} {} {}: [{}]: {}: {}", stamp, options_.node, options_.program, pid_, level_word(level), text);
    }
    std::strftime(stamp, sizeof stamp, "%Y/%m/%d_%H:%M:%S", &tm);
    return fmt::format("{}[{}]: {} {}: {}", options_.program, pid_, stamp, level_word(level), text);
}

void FileLog::write(LogLevel level, std::string_view text) {
    if (level == LogLevel::debug && !options_.debug) return;
    auto enqueue = [this](LogLevel lvl, std::string_view txt) {
        std::string line = format_line(lvl, txt);
        // One atomic write per line, also into a FIFO (log_writer.hpp): long lines are cut.
        if (line.size() >= LogWriter::kMaxLine) line.resize(LogWriter::kMaxLine - 4), line += "...";
        line.push_back('\n');
        std::uint64_t mask = 0;
        for (std::size_t i = 0; i < options_.sinks.size() && i < 64; ++i)
            if (lvl >= options_.sinks[i].min_level) mask |= std::uint64_t{1} << i;
        const int prio = syslog_priority_base_ >= 0 ? syslog_priority(lvl) : -1;
        const std::string tagged = prio >= 0 || !options_.journal.empty() ? fmt::format("{}: {}", level_word(lvl), txt) : std::string();
        // The journal's native form: one datagram of KEY=value lines (systemd.journal-fields(7));
        // a newline inside MESSAGE would end the field, so any is made a blank (no binary form).
        std::string journal;
        if (!options_.journal.empty()) {
            std::string msg = tagged;
            std::replace(msg.begin(), msg.end(), '\n', ' ');
            journal = fmt::format("PRIORITY={}\nSYSLOG_IDENTIFIER={}\nSYSLOG_PID={}\nHA_NODE={}\nMESSAGE={}\n",
                                  syslog_priority(lvl) & LOG_PRIMASK, options_.program, pid_, options_.node, msg);
        }
        return writer_->push(mask, std::move(line), prio, prio < 0 ? std::string() : tagged, std::move(journal));
    };
    if (const auto lost = writer_->take_unreported())
        enqueue(LogLevel::warn, fmt::format("{} log lines dropped: a log file, FIFO or syslog did not keep up.", lost));
    enqueue(level, text);
}

void add_shared_log(LogOptions& options, const SharedLogConfig& shared) {
    if (!shared.logfile.empty()) options.sinks.push_back({shared.logfile, LogLevel::info});
    if (!shared.debugfile.empty()) options.sinks.push_back({shared.debugfile, LogLevel::debug});
    options.syslog_facility = shared.logfacility;
    options.syslogmsgfmt = shared.syslogmsgfmt;
    options.journal = shared.journal;
}

std::string journal_socket() {
    if (const char* path = std::getenv("HAMASTER_JOURNAL_SOCKET"); path && *path) return path;
    if (!std::getenv("INVOCATION_ID") && !std::getenv("JOURNAL_STREAM")) return {};
    constexpr const char* kJournal = "/run/systemd/journal/socket";
    struct ::stat st {};
    return ::stat(kJournal, &st) == 0 && S_ISSOCK(st.st_mode) ? kJournal : std::string();
}

void CaptureLog::write(LogLevel level, std::string_view text) { lines_.push_back({level, std::string(text)}); }

int CaptureLog::count(std::string_view needle) const {
    int n = 0;
    for (const auto& l : lines_) n += l.text.find(needle) != std::string::npos;
    return n;
}

int CaptureLog::count(LogLevel level, std::string_view needle) const {
    int n = 0;
    for (const auto& l : lines_) n += l.level == level && l.text.find(needle) != std::string::npos;
    return n;
}

std::string CaptureLog::dump() const {
    std::string out;
    for (const auto& l : lines_) out += fmt::format("{}: {}\n", level_word(l.level), l.text);
    return out;
}

namespace {
std::unique_ptr<Log>& log_slot() {
    static std::unique_ptr<Log> slot;
    return slot;
}
}  // namespace

Log& process_log() {
    auto& slot = log_slot();
    if (!slot) {
        LogOptions o;
        o.program = program_invocation_short_name;
        o.node = "-";
        o.sinks.push_back({"-", LogLevel::info});
        o.threaded = false;  // may be used before a fork (daemonize) that would lose a thread
        slot = std::make_unique<FileLog>(std::move(o));
    }
    return *slot;
}

void install_process_log(std::unique_ptr<Log> log) { log_slot() = std::move(log); }

}  // namespace ha::ipc
