// bench_wake_floor — what a keepalive cycle's wake-ups alone cost on this machine (issue 13).
//
// Runs two "nodes" on loopback (127.0.0.2 and 127.0.0.3, UDP port PORT) that do nothing but the
// wake-up pattern of one cluster design, with no codec, no auth, no logic, plain epoll in C style,
// for SECONDS, and prints the time on CPU of all their processes (from /proc/PID/schedstat, in ns)
// in % of one core. It is the floor any implementation of that shape pays on this machine; the gap
// between it and `bench/idle-cpu` is what hamaster's own code costs on top.
//
//   bench_wake_floor [SECONDS] [INTERVAL_MS] [PORT]     defaults: 10 s, 10 ms, 16796
//
// Shapes (each with a 200-byte message, every INTERVAL_MS):
//   hamaster  per node a master (timer → lane → media daemon) and a media daemon (lane → UDP, UDP →
//             lane → master): the design card's process split, a SOCK_SEQPACKET socketpair as the
//             lane. Both nodes send (Heartbeat's protocol): 4 wake-ups per node per cycle.
//   merged    per node one process that sends on its timer and receives from the peer: the least
//             Heartbeat's protocol allows in one process. 2 wake-ups per node per cycle.
//   vrrp      node 1 sends on its timer, node 2 only receives (keepalived's MASTER and BACKUP):
//             1 wake-up per node per cycle.
// Traffic stays on 127.0.0.0/8. Not a test.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kMessage = 200;

std::vector<pid_t> g_started;  // every child forked so far, killed by die() and at the end of a shape
pid_t g_parent = 0;

void stop(std::vector<pid_t>& pids) {
    for (pid_t p : pids) ::kill(p, SIGKILL);  // nothing to clean up in these loops
    for (pid_t p : pids) ::waitpid(p, nullptr, 0);
    pids.clear();
}

[[noreturn]] void die(const char* what) {
    std::perror(what);
    if (::getpid() == g_parent) stop(g_started);
    std::_Exit(1);
}

int udp_bound(const char* self, int port) {
    const int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (u < 0) die("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, self, &a.sin_addr);
    if (::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("bind");
    return u;
}

sockaddr_in address(const char* ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

int periodic_timer(int interval_ms) {
    const int t = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (t < 0) die("timerfd_create");
    const long ns = static_cast<long>(interval_ms) * 1000000L;
    itimerspec its{{ns / 1000000000L, ns % 1000000000L}, {ns / 1000000000L, ns % 1000000000L}};
    if (::timerfd_settime(t, 0, &its, nullptr) != 0) die("timerfd_settime");
    return t;
}

int watch(std::initializer_list<int> fds) {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (int fd : fds) {
        if (fd < 0) continue;
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.fd = fd;
        if (::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) != 0) die("epoll_ctl");
    }
    return ep;
}

// One process's loop: on `timer` send a message to `out` (a connected socket, or UDP to `to`); on
// `relay_from` forward what came to `relay_to` (lane ↔ UDP); on `sink` read and drop.
struct Loop {
    int timer = -1;
    int timer_out = -1;            // connected socket the timer's message goes to (lane), or
    int timer_udp = -1;            // UDP socket it goes to `to` on
    sockaddr_in to{};
    int lane = -1, udp = -1;       // media daemon: lane → UDP to `to`, UDP → lane
    int sink = -1;                 // read and dropped
    [[noreturn]] void run() {
        char buf[2048];
        std::memset(buf, 'x', sizeof buf);
        const int ep = watch({timer, lane, udp, sink});
        for (;;) {
            epoll_event ev[8];
            const int n = ::epoll_wait(ep, ev, 8, -1);
            for (int i = 0; i < n; ++i) {
                const int fd = ev[i].data.fd;
                if (fd == timer) {
                    std::uint64_t ticks = 0;
                    if (::read(timer, &ticks, sizeof ticks) < 0) continue;
                    if (timer_out >= 0) ::send(timer_out, buf, kMessage, MSG_DONTWAIT);
                    if (timer_udp >= 0) ::sendto(timer_udp, buf, kMessage, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to);
                } else if (fd == lane) {
                    const ssize_t r = ::recv(lane, buf, sizeof buf, MSG_DONTWAIT);
                    if (r > 0) ::sendto(udp, buf, static_cast<std::size_t>(r), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to);
                } else if (fd == udp) {
                    const ssize_t r = ::recv(udp, buf, sizeof buf, MSG_DONTWAIT);
                    if (r > 0) ::send(lane, buf, static_cast<std::size_t>(r), MSG_DONTWAIT);
                } else if (fd == sink) {
                    (void)::recv(sink, buf, sizeof buf, MSG_DONTWAIT);
                }
            }
        }
    }
};

pid_t spawn(Loop loop) {
    const pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        // Never outlive the bench, however it ends (a parent killed by SIGKILL included).
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != g_parent) std::_Exit(0);
        loop.run();
    }
    g_started.push_back(pid);
    return pid;
}

// Starts one node of `shape`; returns its pids.
std::vector<pid_t> start_node(const std::string& shape, int node, int interval_ms, int port) {
    const char* self = node == 1 ? "127.0.0.2" : "127.0.0.3";
    const char* peer = node == 1 ? "127.0.0.3" : "127.0.0.2";
    const sockaddr_in to = address(peer, port);
    if (shape == "hamaster") {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
        Loop media;
        media.lane = sv[1];
        media.udp = udp_bound(self, port);
        media.to = to;
        const pid_t m = spawn(media);
        ::close(media.udp);
        Loop master;
        master.timer = periodic_timer(interval_ms);
        master.timer_out = sv[0];
        master.sink = sv[0];
        const pid_t p = spawn(master);
        ::close(master.timer);
        ::close(sv[0]);
        ::close(sv[1]);
        return {p, m};
    }
    Loop one;
    one.sink = udp_bound(self, port);
    one.to = to;
    if (shape == "merged" || node == 1) {
        one.timer = periodic_timer(interval_ms);
        one.timer_udp = one.sink;
    }
    const pid_t p = spawn(one);
    ::close(one.sink);
    if (one.timer >= 0) ::close(one.timer);
    return {p};
}

std::uint64_t cpu_ns(const std::vector<pid_t>& pids) {
    std::uint64_t total = 0;
    for (pid_t p : pids) {
        std::ifstream in("/proc/" + std::to_string(p) + "/schedstat");
        std::uint64_t ns = 0;
        if (!(in >> ns)) {
            errno = ENOENT;
            die("/proc/PID/schedstat (a kernel without schedstats, or a loop that died)");
        }
        total += ns;
    }
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
    const int interval_ms = argc > 2 ? std::atoi(argv[2]) : 10;
    const int port = argc > 3 ? std::atoi(argv[3]) : 16796;
    g_parent = ::getpid();
    if (seconds < 1 || interval_ms < 1 || port < 1024 || port > 65535) {
        std::fprintf(stderr, "usage: bench_wake_floor [SECONDS >= 1] [INTERVAL_MS >= 1] [PORT 1024-65535]\n");
        return 2;
    }
    std::printf("wake-up floor of each design's cycle, two nodes on loopback, a message every %d ms, %d s each\n",
                interval_ms, seconds);
    std::printf("| shape | processes | wake-ups per cycle, both nodes | CPU %% of one core, both nodes |\n|---|---|---|---|\n");
    for (const std::string shape : {"hamaster", "merged", "vrrp"}) {
        std::vector<pid_t> pids = start_node(shape, 1, interval_ms, port);
        for (pid_t p : start_node(shape, 2, interval_ms, port)) pids.push_back(p);
        std::this_thread::sleep_for(std::chrono::seconds(2));  // settled
        const auto t0 = std::chrono::steady_clock::now();
        const std::uint64_t a = cpu_ns(pids);
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
        const std::uint64_t b = cpu_ns(pids);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        stop(g_started);
        const int wakes = shape == "hamaster" ? 8 : shape == "merged" ? 4 : 2;
        std::printf("| %s | %zu | %d | %.2f |\n", shape.c_str(), pids.size(), wakes, 100.0 * static_cast<double>(b - a) / 1e9 / wall);
        std::fflush(stdout);
    }
    return 0;
}
