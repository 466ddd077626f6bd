#include "ipc/log_writer.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>

namespace ha::ipc {

struct LogWriter::Shared {
    std::vector<Target> targets;
    Opener opener = nullptr;
    bool syslog_on = false;
    bool threaded = false;
    int journal_fd = -1;
    sockaddr_un journal{};

    std::mutex mutex;
    std::condition_variable work;     // the writer waits here for entries
    std::condition_variable written;  // flush() waits here for `done` to reach its mark
    std::deque<Entry> queue;
    bool stop = false;
    std::uint64_t queued = 0;  // entries accepted so far
    std::uint64_t done = 0;    // entries written so far
    std::uint64_t dropped = 0;
    std::uint64_t reported = 0;
};

namespace {

// One write() per line; a short write (disk full, signal) is finished with the rest, which is the
// only case where a line could be split, and nothing better exists then.
void write_all(int fd, const std::string& line) {
    std::size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // EAGAIN on a non-blocking stderr, EIO, ENOSPC: the line is lost here
        off += static_cast<std::size_t>(n);
    }
}

}  // namespace

LogWriter::LogWriter(std::vector<Target> targets, Opener opener, int syslog_facility, bool threaded, const std::string& journal)
    : shared_(std::make_shared<Shared>()) {
    shared_->targets = std::move(targets);
    shared_->opener = opener;
    shared_->syslog_on = syslog_facility >= 0;
    shared_->threaded = threaded;
    if (!journal.empty() && journal.size() < sizeof(shared_->journal.sun_path)) {
        shared_->journal.sun_family = AF_UNIX;
        journal.copy(shared_->journal.sun_path, journal.size());
        shared_->journal_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    if (!threaded) return;
    // The thread starts with every signal blocked, so Asio's handlers only ever run on the loop.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    thread_ = std::thread(&LogWriter::run, shared_);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

LogWriter::~LogWriter() {
    if (thread_.joinable()) {
        const bool drained = flush(std::chrono::seconds(2));
        {
            std::lock_guard lock(shared_->mutex);
            shared_->stop = true;
        }
        shared_->work.notify_one();
        // A sink that stays blocked must not hang the exit: the thread keeps its share of the
        // state and its descriptors and dies with the process.
        if (drained) thread_.join();
        else thread_.detach();
        return;
    }
    for (auto& t : shared_->targets) ::close(t.fd);
    if (shared_->journal_fd >= 0) ::close(shared_->journal_fd);
}

bool LogWriter::push(std::uint64_t mask, std::string line, int syslog_priority, std::string syslog_text, std::string journal) {
    Entry e{mask, std::move(line), syslog_priority, std::move(syslog_text), std::move(journal), false};
    if (!shared_->threaded) {
        write_entry(*shared_, e);
        return true;
    }
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->queue.size() >= kMaxQueued) {
            ++shared_->dropped;
            return false;
        }
        shared_->queue.push_back(std::move(e));
        ++shared_->queued;
    }
    shared_->work.notify_one();
    return true;
}

void LogWriter::reopen() {
    Entry e;
    e.reopen = true;
    if (!shared_->threaded) {
        write_entry(*shared_, e);
        return;
    }
    {
        std::lock_guard lock(shared_->mutex);
        shared_->queue.push_back(std::move(e));  // never dropped: it must not be lost to a full queue
        ++shared_->queued;
    }
    shared_->work.notify_one();
}

bool LogWriter::flush(std::chrono::milliseconds timeout) {
    if (!shared_->threaded) return true;
    std::unique_lock lock(shared_->mutex);
    const std::uint64_t mark = shared_->queued;
    return shared_->written.wait_for(lock, timeout, [&] { return shared_->done >= mark; });
}

std::uint64_t LogWriter::dropped() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->dropped;
}

std::uint64_t LogWriter::take_unreported() {
    std::lock_guard lock(shared_->mutex);
    // Only when the report and the line after it fit: a report dropped in turn would lose the count.
    if (shared_->queue.size() + 2 > kMaxQueued) return 0;
    const std::uint64_t n = shared_->dropped - shared_->reported;
    shared_->reported = shared_->dropped;
    return n;
}

void LogWriter::write_entry(Shared& s, const Entry& e) {
    if (e.reopen) {
        for (auto& t : s.targets) {
            const int fd = s.opener(t.path);
            if (fd < 0) continue;  // keep writing to the old file rather than lose lines
            ::close(t.fd);
            t.fd = fd;
        }
        return;
    }
    for (std::size_t i = 0; i < s.targets.size() && i < 64; ++i) {
        if (e.mask & (std::uint64_t{1} << i)) write_all(s.targets[i].fd, e.line);
    }
    if (s.syslog_on && e.syslog_priority >= 0)
        ::syslog(e.syslog_priority, "%.*s", static_cast<int>(e.syslog_text.size()), e.syslog_text.data());
    if (s.journal_fd >= 0 && !e.journal.empty())
        (void)::sendto(s.journal_fd, e.journal.data(), e.journal.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&s.journal), sizeof(s.journal));
}

void LogWriter::run(std::shared_ptr<Shared> s) {
    std::unique_lock lock(s->mutex);
    for (;;) {
        s->work.wait(lock, [&] { return s->stop || !s->queue.empty(); });
        if (s->queue.empty()) break;  // stop, and everything written
        Entry e = std::move(s->queue.front());
        s->queue.pop_front();
        lock.unlock();
        write_entry(*s, e);
        lock.lock();
        ++s->done;
        s->written.notify_all();
    }
    for (auto& t : s->targets) ::close(t.fd);
    if (s->journal_fd >= 0) ::close(s->journal_fd);
}

}  // namespace ha::ipc
