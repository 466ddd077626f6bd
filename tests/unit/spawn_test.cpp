// ipc::spawn — the one fork/exec of every hamaster process (master children, rscd's agents).
#include "ipc/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ha::ipc {
namespace {

// Runs `request` with stdout (and stderr) into a pipe; returns what it wrote and its wait status.
std::pair<std::string, int> run(SpawnRequest request) {
    int out[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    request.stdout_fd = out[1];
    request.stderr_fd = out[1];
    auto pid = spawn(request);
    ::close(out[1]);
    EXPECT_TRUE(pid) << (pid ? "" : pid.error().message);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    if (pid) ::waitpid(*pid, &status, 0);
    return {text, status};
}

SpawnRequest command(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    SpawnRequest r;
    r.argv = std::move(argv);
    r.env = std::move(env);
    return r;
}

std::string field(const std::string& status_text, const std::string& name) {
    const auto at = status_text.find(name + ":\t");
    if (at == std::string::npos) return "?";
    const auto end = status_text.find('\n', at);
    return status_text.substr(at + name.size() + 2, end - at - name.size() - 2);
}

// The parent blocks and ignores signals (as Asio's signal_set and the master do); the child must
// start from the defaults: nothing blocked, nothing ignored, whatever the caller's state.
TEST(Spawn, ChildStartsWithEmptySignalMaskAndDefaultDispositions) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGTERM);
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old), 0);
    auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
    auto old_hup = ::signal(SIGHUP, SIG_IGN);
    auto [text, status] = run(command({"/bin/cat", "/proc/self/status"}));
    ::signal(SIGPIPE, old_pipe);
    ::signal(SIGHUP, old_hup);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
    EXPECT_EQ(field(text, "SigBlk"), "0000000000000000");
    EXPECT_EQ(field(text, "SigIgn"), "0000000000000000");
}

TEST(Spawn, EnvironmentIsExactlyTheGivenOneAndStdinIsDevNull) {
    auto [text, status] = run(command({"/bin/sh", "-c", "env; cat; echo done"}, {"HA_X=1", "PATH=/usr/bin:/bin"}));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
    EXPECT_NE(text.find("HA_X=1\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("HOME="), std::string::npos) << text;
    EXPECT_NE(text.find("done\n"), std::string::npos) << text;
}

TEST(Spawn, NewSessionMakesTheChildItsOwnProcessGroupLeader) {
    SpawnRequest r = command({"/bin/sh", "-c", "ps -o pid=,sid=,pgid= -p $$"}, {"PATH=/usr/bin:/bin"});
    r.new_session = true;
    auto [text, status] = run(r);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
    long pid = 0, sid = 0, pgid = 0;
    ASSERT_EQ(std::sscanf(text.c_str(), "%ld %ld %ld", &pid, &sid, &pgid), 3) << text;
    EXPECT_EQ(sid, pid);
    EXPECT_EQ(pgid, pid);
}

TEST(Spawn, ExecFailureExits127AfterTheNote) {
    SpawnRequest r = command({"/nonexistent/agent"});
    r.exec_failed_note = "test: exec failed\n";
    auto [text, status] = run(r);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 127);
    EXPECT_EQ(text, "test: exec failed\n");
}

TEST(Spawn, NoOtherFdOfTheParentSurvives) {
    const int extra = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: only close_range stops it
    ASSERT_GE(extra, 3);
    auto [text, status] = run(command({"/bin/ls", "/proc/self/fd"}));
    ::close(extra);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
    // 0, 1, 2 and the fd ls opens to read the directory (3), nothing of ours.
    EXPECT_EQ(text, "0\n1\n2\n3\n");
}

// The media lane: the child's end arrives as its fd 3 (an inode we can compare), and still no
// other fd of the parent survives.
TEST(Spawn, ExtraFdArrivesAsFd3AndNothingElseLeaks) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    const int stray = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: only close_range stops it
    struct stat st {};
    ASSERT_EQ(::fstat(pair[1], &st), 0);
    SpawnRequest r = command({"/usr/bin/stat", "-L", "-c", "%F %i", "/proc/self/fd/3"});
    r.extra_fd = pair[1];
    auto [what, status] = run(r);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what;
    EXPECT_EQ(what, "socket " + std::to_string(st.st_ino) + "\n");
    SpawnRequest list = command({"/bin/ls", "/proc/self/fd"});
    list.extra_fd = pair[1];
    auto [fds, list_status] = run(list);
    EXPECT_TRUE(WIFEXITED(list_status) && WEXITSTATUS(list_status) == 0) << fds;
    // 0, 1, 2, the lane (3) and the fd ls opens to read the directory (4).
    EXPECT_EQ(fds, "0\n1\n2\n3\n4\n");
    ::close(stray);
    ::close(pair[0]);
    ::close(pair[1]);
}

// dup2(3, 3) would keep close-on-exec and lose the fd at exec; the child must still get it.
TEST(Spawn, ExtraFdThatIsAlready3WithCloseOnExecSurvives) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    // Put the child's end on our fd 3 (close-on-exec), keeping whatever held 3 (ctest may pass
    // one) aside for the time of the test.
    const int saved_flags = ::fcntl(3, F_GETFD);
    const int saved = ::fcntl(3, F_DUPFD_CLOEXEC, 10);
    ASSERT_EQ(::dup3(pair[1], 3, O_CLOEXEC), 3);
    struct stat st {};
    ASSERT_EQ(::fstat(3, &st), 0);
    SpawnRequest r = command({"/usr/bin/stat", "-L", "-c", "%F %i", "/proc/self/fd/3"});
    r.extra_fd = 3;
    auto [what, status] = run(r);
    if (saved >= 0) {
        ::dup2(saved, 3);
        ::fcntl(3, F_SETFD, saved_flags);
        ::close(saved);
    } else {
        ::close(3);
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what;
    EXPECT_EQ(what, "socket " + std::to_string(st.st_ino) + "\n");
    ::close(pair[0]);
    ::close(pair[1]);
}

TEST(Spawn, DescribesWaitStatus) {
    EXPECT_EQ(describe_wait_status(1 << 8), "exit status 1");
    EXPECT_EQ(describe_wait_status(9), "killed by signal SIGKILL");
    EXPECT_FALSE(spawn(SpawnRequest{}));
}

}  // namespace
}  // namespace ha::ipc
