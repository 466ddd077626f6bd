// nfq_delay — holds each packet of an NFQUEUE for a random delay, then accepts it: netem's
// `delay MEAN JITTER` for kernels built without sch_netem (the chaos soak's jitter fault).
//
//   nfq_delay QUEUE MEAN_MS JITTER_MS SEED
//
// Binds NFQUEUE number QUEUE (IPv4) in the caller's network namespace, copies only the packet's
// metadata (its id), and gives each packet the verdict NF_ACCEPT after MEAN ± JITTER ms (uniform,
// from SEED): packets leave in the order of their verdicts, so a jitter wider than the packets'
// spacing reorders them, as netem's does. The iptables rule that feeds the queue should carry
// --queue-bypass, so the packets pass untouched once this program is gone. Runs until SIGTERM or
// SIGINT, then accepts everything still held. Raw netlink (linux/netfilter/nfnetlink_queue.h), no
// library. Needs CAP_NET_ADMIN.
// The kernel's NLMSG_OK / NFA macros compare the u32 lengths with an int.
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "nfq_delay: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

std::int64_t now_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

class Queue {
public:
    explicit Queue(std::uint16_t num) : num_(num) {
        fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd_ < 0) die("socket(NETLINK_NETFILTER)");
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) die("bind");
        nfqnl_msg_config_cmd cmd{};
        cmd.command = NFQNL_CFG_CMD_BIND;
        cmd.pf = htons(AF_INET);
        request(NFQNL_MSG_CONFIG, NFQA_CFG_CMD, &cmd, sizeof cmd, "bind queue");
        nfqnl_msg_config_params params{};
        params.copy_range = htonl(0);
        params.copy_mode = NFQNL_COPY_META;  // the id is all a verdict needs
        request(NFQNL_MSG_CONFIG, NFQA_CFG_PARAMS, &params, sizeof params, "copy mode");
    }
    int fd() const { return fd_; }

    void verdict(std::uint32_t id) {
        nfqnl_msg_verdict_hdr v{};
        v.verdict = htonl(NF_ACCEPT);
        v.id = htonl(id);
        send(NFQNL_MSG_VERDICT, NFQA_VERDICT_HDR, &v, sizeof v, 0);
    }

    // Reads what waits and returns the ids of the packets received (errors and acks skipped).
    std::vector<std::uint32_t> receive() {
        std::vector<std::uint32_t> ids;
        alignas(nlmsghdr) char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return ids;
            if (errno == ENOBUFS) return ids;  // the kernel dropped some: they pass (--queue-bypass is no help here)
            die("recv");
        }
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if ((h->nlmsg_type & 0xff) != NFQNL_MSG_PACKET || (h->nlmsg_type >> 8) != NFNL_SUBSYS_QUEUE) continue;
            auto* attr = reinterpret_cast<nlattr*>(static_cast<char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(sizeof(nfgenmsg)));
            int alen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg))));
            while (alen >= static_cast<int>(sizeof(nlattr)) && attr->nla_len >= sizeof(nlattr) && attr->nla_len <= alen) {
                if ((attr->nla_type & NLA_TYPE_MASK) == NFQA_PACKET_HDR) {
                    nfqnl_msg_packet_hdr ph{};
                    std::memcpy(&ph, reinterpret_cast<char*>(attr) + NLA_HDRLEN, sizeof ph);
                    ids.push_back(ntohl(ph.packet_id));
                }
                const int step = NLA_ALIGN(attr->nla_len);
                alen -= step;
                attr = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(attr) + step);
            }
        }
        return ids;
    }

private:
    void send(std::uint8_t type, std::uint16_t attr_type, const void* data, std::size_t size, std::uint16_t flags) {
        alignas(nlmsghdr) char buf[256]{};
        auto* h = reinterpret_cast<nlmsghdr*>(buf);
        h->nlmsg_type = static_cast<std::uint16_t>((NFNL_SUBSYS_QUEUE << 8) | type);
        h->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
        h->nlmsg_seq = ++seq_;
        auto* g = static_cast<nfgenmsg*>(NLMSG_DATA(h));
        g->nfgen_family = AF_UNSPEC;
        g->version = NFNETLINK_V0;
        g->res_id = htons(num_);
        auto* a = reinterpret_cast<nlattr*>(buf + NLMSG_LENGTH(sizeof(nfgenmsg)));
        a->nla_type = attr_type;
        a->nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + size);
        std::memcpy(reinterpret_cast<char*>(a) + NLA_HDRLEN, data, size);
        h->nlmsg_len = NLMSG_LENGTH(sizeof(nfgenmsg)) + NLA_ALIGN(a->nla_len);
        sockaddr_nl to{};
        to.nl_family = AF_NETLINK;
        if (::sendto(fd_, buf, h->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) die("sendto");
    }
    void request(std::uint8_t type, std::uint16_t attr_type, const void* data, std::size_t size, const char* what) {
        send(type, attr_type, data, size, NLM_F_ACK);
        alignas(nlmsghdr) char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) die(what);
        auto* h = reinterpret_cast<nlmsghdr*>(buf);
        if (h->nlmsg_type == NLMSG_ERROR) {
            const int err = static_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
            if (err != 0) { errno = -err; die(what); }
        }
    }

    int fd_ = -1;
    std::uint16_t num_;
    std::uint32_t seq_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: nfq_delay QUEUE MEAN_MS JITTER_MS SEED\n");
        return 2;
    }
    const auto num = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const int mean = std::atoi(argv[2]);
    const int jitter = std::atoi(argv[3]);
    std::mt19937 rng(static_cast<std::uint32_t>(std::strtoul(argv[4], nullptr, 10)));
    std::uniform_int_distribution<int> delay(std::max(0, mean - jitter), mean + jitter);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);

    Queue q(num);
    std::multimap<std::int64_t, std::uint32_t> due;  // verdict time → packet id
    while (!g_stop) {
        int timeout = 1000;
        if (!due.empty()) timeout = static_cast<int>(std::max<std::int64_t>(0, due.begin()->first - now_ms()));
        pollfd p{q.fd(), POLLIN, 0};
        if (::poll(&p, 1, timeout) < 0 && errno != EINTR) die("poll");
        if (p.revents & POLLIN) {
            for (std::uint32_t id : q.receive()) due.emplace(now_ms() + delay(rng), id);
        }
        const std::int64_t t = now_ms();
        while (!due.empty() && due.begin()->first <= t) {
            q.verdict(due.begin()->second);
            due.erase(due.begin());
        }
    }
    for (const auto& [t, id] : due) q.verdict(id);
    return 0;
}
