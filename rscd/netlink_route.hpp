// NetlinkRoute — the one wrapper around libnl-route-3 in rscd: list links and addresses (IPv4 and
// IPv6), add and delete an address. An IPv6 address is added with IFA_F_NODAD: the kernel's
// duplicate address detection would leave it tentative (unusable) for a second or more, and the
// split-brain guard has already probed for it (ndp_packet.hpp) before a takeover.
//
// Owns one NETLINK_ROUTE socket (RAII, non-copyable). Every call is one request and its answer,
// which the kernel gives at once: milliseconds, so IPaddr runs on the loop without a child process.
//
// Time and blocking: netlink round trips to the local kernel only.
// Diagnostics: errors returned as ha::Error with libnl's text; nothing is logged here.
// See also: ip_addr.hpp, ip_target.hpp.
#pragma once

#include <vector>

#include "ipc/result.hpp"
#include "rscd/ip_target.hpp"

struct nl_sock;

namespace ha::rsc {

class NetlinkRoute {
public:
    static Result<NetlinkRoute> open();
    ~NetlinkRoute();
    NetlinkRoute(NetlinkRoute&& other) noexcept : sock_(other.sock_) { other.sock_ = nullptr; }
    NetlinkRoute& operator=(NetlinkRoute&&) = delete;
    NetlinkRoute(const NetlinkRoute&) = delete;

    Result<std::vector<LinkInfo>> links();
    // Every IPv4 and IPv6 address (IPv6 ones in any state; `usable` is false while tentative or
    // after DAD failed).
    Result<std::vector<InterfaceAddress>> addresses();
    Result<void> add(const IpTarget& target);
    // Deletes `address` from interface `ifindex` (with the prefix it has there).
    Result<void> remove(const InterfaceAddress& address);

private:
    explicit NetlinkRoute(nl_sock* sock) : sock_(sock) {}
    nl_sock* sock_;
};

}  // namespace ha::rsc
