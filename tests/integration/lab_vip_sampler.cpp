// lab_vip_sampler — samples where the lab's VIP is, every INTERVAL_MS, through netlink.
//
//   lab_vip_sampler NETNS1 NETNS2 IFACE VIP INTERVAL_MS
//
// Writes one line per sample to stdout: "T A B C U1 U2" — T the epoch time in seconds with
// microseconds, A / B / C 1 when VIP is on IFACE in NETNS1 / NETNS2 / NETNS1 again (the third
// look makes a handover from NETNS1 to NETNS2 between the first two read "1 1 0", not a double
// hold), U1 / U2 1 when IFACE is administratively up in NETNS1 / NETNS2. Runs until killed.
// `ip -o addr` from bash costs several ms per look, too slow for an honest 10 ms resolution:
// here a sample is four netlink round trips on sockets opened once, in each namespace
// (/run/netns/NAME, as `ip netns` names them). Only reads; needs root for setns.
// The kernel's NLMSG_OK / RTA_OK macros compare the u32 lengths with an int.
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "lab_vip_sampler: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

// A NETLINK_ROUTE socket created inside the named network namespace.
int netlink_in(const std::string& netns) {
    const int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int ns = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (self < 0 || ns < 0) die("open netns " + netns);
    if (setns(ns, CLONE_NEWNET) != 0) die("setns " + netns);
    const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) die("netlink socket in " + netns);
    if (setns(self, CLONE_NEWNET) != 0) die("setns back");
    close(ns);
    close(self);
    return fd;
}

// Dumps RTM_GETLINK (every family) or RTM_GETADDR (IPv4) and calls `on` for every message of the
// answer, up to NLMSG_DONE.
template <typename On>
void dump(int fd, std::uint16_t type, On on) {
    static unsigned seq = 0;
    struct {
        nlmsghdr hdr;
        ifaddrmsg body;  // ifinfomsg starts with its family byte too; the rest stays zero
        char pad[sizeof(ifinfomsg)];
    } req{};
    req.hdr.nlmsg_len = NLMSG_LENGTH(type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(ifaddrmsg));
    req.hdr.nlmsg_type = type;
    req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.body.ifa_family = type == RTM_GETLINK ? AF_UNSPEC : AF_INET;
    req.hdr.nlmsg_seq = ++seq;
    if (send(fd, &req, req.hdr.nlmsg_len, 0) < 0) die("netlink send");
    std::vector<char> buf(1 << 16);
    for (;;) {
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) die("netlink recv");
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != req.hdr.nlmsg_seq) continue;
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return;
            on(h);
            if (!(h->nlmsg_flags & NLM_F_MULTI)) return;
        }
    }
}

// The interface's index and whether it is administratively up (0, false when it is missing).
std::pair<int, bool> link_state(int fd, const std::string& iface) {
    std::pair<int, bool> result{0, false};
    dump(fd, RTM_GETLINK, [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWLINK) return;
        auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
        int len = static_cast<int>(IFLA_PAYLOAD(h));
        for (auto* a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == IFLA_IFNAME && iface == static_cast<const char*>(RTA_DATA(a)))
                result = {ifi->ifi_index, (ifi->ifi_flags & IFF_UP) != 0};
        }
    });
    return result;
}

bool has_address(int fd, int index, in_addr vip) {
    bool found = false;
    dump(fd, RTM_GETADDR, [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWADDR) return;
        auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
        if (static_cast<int>(ifa->ifa_index) != index) return;
        int len = static_cast<int>(IFA_PAYLOAD(h));
        for (auto* a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if ((a->rta_type == IFA_LOCAL || a->rta_type == IFA_ADDRESS) &&
                std::memcmp(RTA_DATA(a), &vip, sizeof vip) == 0)
                found = true;
        }
    });
    return found;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: lab_vip_sampler NETNS1 NETNS2 IFACE VIP INTERVAL_MS\n");
        return 2;
    }
    const std::string iface = argv[3];
    in_addr vip{};
    if (inet_pton(AF_INET, argv[4], &vip) != 1) {
        std::fprintf(stderr, "lab_vip_sampler: bad address %s\n", argv[4]);
        return 2;
    }
    const long interval_ms = std::strtol(argv[5], nullptr, 10);
    const int fd1 = netlink_in(argv[1]);
    const int fd2 = netlink_in(argv[2]);
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        timeval tv{};
        gettimeofday(&tv, nullptr);
        const auto [index1, up1] = link_state(fd1, iface);
        const auto [index2, up2] = link_state(fd2, iface);
        const bool a = index1 != 0 && has_address(fd1, index1, vip);
        const bool b = index2 != 0 && has_address(fd2, index2, vip);
        const bool c = a && has_address(fd1, index1, vip);
        std::printf("%ld.%06ld %d %d %d %d %d\n", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec), a, b, c,
                    up1, up2);
        std::fflush(stdout);
        // A fixed pace (not "sleep after each sample"): the samples stay INTERVAL_MS apart.
        next.tv_nsec += interval_ms * 1'000'000L;
        while (next.tv_nsec >= 1'000'000'000L) {
            next.tv_nsec -= 1'000'000'000L;
            ++next.tv_sec;
        }
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) next = now;  // late: no burst
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
}
