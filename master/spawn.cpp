#include "master/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

Result<pid_t> spawn_child(const std::vector<std::string>& argv) {
    if (argv.empty()) return make_error("usage", "empty command line");
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    sigset_t empty;
    sigemptyset(&empty);

    pid_t pid = ::fork();
    if (pid < 0) return make_error("fork", fmt::format("cannot fork for {}: {}", argv[0], std::strerror(errno)));
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0 && null_fd != STDIN_FILENO) {
            ::dup2(null_fd, STDIN_FILENO);
            ::close(null_fd);
        }
        ::syscall(SYS_close_range, 3U, ~0U, 0U);
        ::sigprocmask(SIG_SETMASK, &empty, nullptr);
        for (int sig : {SIGPIPE, SIGCHLD, SIGHUP, SIGTERM, SIGINT}) ::signal(sig, SIG_DFL);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::sigabbrev_np(WTERMSIG(status));
        return fmt::format("killed by signal SIG{}{}", name ? name : std::to_string(WTERMSIG(status)).c_str(),
                           WCOREDUMP(status) ? " (core dumped)" : "");
    }
    return fmt::format("wait status {:#x}", status);
}

}  // namespace ha::master
