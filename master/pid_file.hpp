// PidFile — `<run-dir>/hamaster.pid`, locked for the life of the master so a second start is refused.
//
// The lock (flock on the open file) is what counts, not the file's presence: a file left by a
// crashed master is not locked and is simply taken over. The lock is held across the daemon fork
// by re-writing the pid after it.
//
// The file is opened with O_NOFOLLOW and must be a regular file of our own user (root): a symlink
// planted in its place is refused, never followed (issue 20).
//
// Time and blocking: flock with LOCK_NB, never waits. Diagnostics: errors returned as Result.
// See also: master/master_main.cpp, ipc/status_table.hpp (the same stale-owner rule).
#pragma once

#include <sys/types.h>

#include <string>

#include "ipc/result.hpp"

namespace ha::master {

class PidFile {
public:
    // Opens and locks `path`; error "running" (with the holder's pid) if another process holds it.
    static Result<PidFile> acquire(const std::string& path);
    // Reads the pid of a live holder; 0 when the file is absent or not locked.
    static pid_t holder(const std::string& path);

    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&&) = delete;
    PidFile(const PidFile&) = delete;
    ~PidFile();

    // Writes the current pid (call again after daemonizing).
    Result<void> write_pid();

private:
    PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    std::string path_;
    int fd_ = -1;
};

}  // namespace ha::master
