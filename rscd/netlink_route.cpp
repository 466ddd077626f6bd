// NetlinkRoute — see netlink_route.hpp.
#include "rscd/netlink_route.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

namespace ha::rsc {

namespace {

struct CacheFree {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct AddrPut {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrPut {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};

Error nl_error(const char* what, int err) { return make_error("netlink", fmt::format("{}: {}", what, nl_geterror(err))); }

int family_of(const IpAddress& a) { return a.is_v6() ? AF_INET6 : AF_INET; }

std::unique_ptr<nl_addr, NlAddrPut> nl_address(const IpAddress& address, int prefix) {
    std::unique_ptr<nl_addr, NlAddrPut> a(nl_addr_build(family_of(address), address.bytes().data(), address.size()));
    if (a) nl_addr_set_prefixlen(a.get(), prefix);
    return a;
}

}  // namespace

Result<NetlinkRoute> NetlinkRoute::open() {
    nl_sock* sock = nl_socket_alloc();
    if (!sock) return make_error("netlink", "cannot allocate a netlink socket");
    if (const int err = nl_connect(sock, NETLINK_ROUTE); err < 0) {
        nl_socket_free(sock);
        return nl_error("netlink connect", err);
    }
    return NetlinkRoute(sock);
}

NetlinkRoute::~NetlinkRoute() {
    if (sock_) nl_socket_free(sock_);
}

Result<std::vector<LinkInfo>> NetlinkRoute::links() {
    nl_cache* raw = nullptr;
    if (const int err = rtnl_link_alloc_cache(sock_, AF_UNSPEC, &raw); err < 0) return nl_error("list links", err);
    std::unique_ptr<nl_cache, CacheFree> cache(raw);
    std::vector<LinkInfo> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        LinkInfo l;
        l.ifindex = rtnl_link_get_ifindex(link);
        if (const char* name = rtnl_link_get_name(link)) l.name = name;
        l.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
        if (nl_addr* hw = rtnl_link_get_addr(link); hw && nl_addr_get_len(hw) == 6) {
            std::memcpy(l.mac.data(), nl_addr_get_binary_addr(hw), 6);
            l.has_mac = true;
        }
        out.push_back(std::move(l));
    }
    return out;
}

Result<std::vector<InterfaceAddress>> NetlinkRoute::addresses() {
    auto links_result = links();
    if (!links_result) return links_result.error();
    nl_cache* raw = nullptr;
    if (const int err = rtnl_addr_alloc_cache(sock_, &raw); err < 0) return nl_error("list addresses", err);
    std::unique_ptr<nl_cache, CacheFree> cache(raw);
    std::vector<InterfaceAddress> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* addr = reinterpret_cast<rtnl_addr*>(o);
        const int family = rtnl_addr_get_family(addr);
        nl_addr* local = rtnl_addr_get_local(addr);
        if (!local) continue;
        InterfaceAddress a;
        a.ifindex = rtnl_addr_get_ifindex(addr);
        if (family == AF_INET && nl_addr_get_len(local) == 4) {
            std::uint32_t net = 0;
            std::memcpy(&net, nl_addr_get_binary_addr(local), 4);
            a.local = IpAddress::v4(ntohl(net));
        } else if (family == AF_INET6 && nl_addr_get_len(local) == 16) {
            IpAddress::Bytes b{};
            std::memcpy(b.data(), nl_addr_get_binary_addr(local), 16);
            a.local = IpAddress::v6(b);
            a.usable = (rtnl_addr_get_flags(addr) & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0;
        } else {
            continue;
        }
        a.prefix = rtnl_addr_get_prefixlen(addr);
        if (const char* label = rtnl_addr_get_label(addr)) a.label = label;
        for (const auto& l : *links_result)
            if (l.ifindex == a.ifindex) a.ifname = l.name;
        out.push_back(std::move(a));
    }
    return out;
}

Result<void> NetlinkRoute::add(const IpTarget& t) {
    std::unique_ptr<rtnl_addr, AddrPut> addr(rtnl_addr_alloc());
    auto local = nl_address(t.address, t.prefix);
    if (!addr || !local) return make_error("netlink", "out of memory");
    rtnl_addr_set_ifindex(addr.get(), t.ifindex);
    rtnl_addr_set_family(addr.get(), family_of(t.address));
    if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) return nl_error("set local address", err);
    rtnl_addr_set_prefixlen(addr.get(), t.prefix);
    if (t.address.is_v6()) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);  // the guard probed already (header)
    if (t.broadcast) {
        auto b = nl_address(IpAddress::v4(*t.broadcast), 32);
        if (const int err = rtnl_addr_set_broadcast(addr.get(), b.get()); err < 0) return nl_error("set broadcast", err);
    }
    if (!t.label.empty())
        if (const int err = rtnl_addr_set_label(addr.get(), t.label.c_str()); err < 0) return nl_error("set label", err);
    if (const int err = rtnl_addr_add(sock_, addr.get(), NLM_F_EXCL); err < 0)
        return nl_error(fmt::format("add {}/{} to {}", t.address.text(), t.prefix, t.iface).c_str(), err);
    return {};
}

Result<void> NetlinkRoute::remove(const InterfaceAddress& a) {
    std::unique_ptr<rtnl_addr, AddrPut> addr(rtnl_addr_alloc());
    auto local = nl_address(a.local, a.prefix);
    if (!addr || !local) return make_error("netlink", "out of memory");
    rtnl_addr_set_ifindex(addr.get(), a.ifindex);
    rtnl_addr_set_family(addr.get(), family_of(a.local));
    if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) return nl_error("set local address", err);
    rtnl_addr_set_prefixlen(addr.get(), a.prefix);
    if (const int err = rtnl_addr_delete(sock_, addr.get(), 0); err < 0)
        return nl_error(fmt::format("remove {}/{} from {}", a.local.text(), a.prefix, a.ifname).c_str(), err);
    return {};
}

}  // namespace ha::rsc
