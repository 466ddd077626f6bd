// IpAddress — see ip_address.hpp.
#include "rscd/ip_address.hpp"

#include <arpa/inet.h>

namespace ha::rsc {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    for (int i = 0; i < 4; ++i) a.bytes_[static_cast<std::size_t>(i)] = static_cast<unsigned char>(host_order >> (24 - 8 * i));
    return a;
}

IpAddress IpAddress::v6(const Bytes& bytes) {
    IpAddress a;
    a.family_ = IpFamily::v6;
    a.bytes_ = bytes;
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    const std::string s(text);
    in_addr a4{};
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) return v4(ntohl(a4.s_addr));
    in6_addr a6{};
    if (::inet_pton(AF_INET6, s.c_str(), &a6) != 1) return std::nullopt;
    Bytes b{};
    for (std::size_t i = 0; i < 16; ++i) b[i] = a6.s6_addr[i];
    return v6(b);
}

std::uint32_t IpAddress::v4_host() const {
    if (is_v6()) return 0;
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) | (std::uint32_t{bytes_[2]} << 8) | bytes_[3];
}

bool IpAddress::same_subnet(const IpAddress& other, int prefix) const {
    if (family_ != other.family_) return false;
    for (std::size_t i = 0; i < size() && prefix > 0; ++i, prefix -= 8) {
        const unsigned mask = prefix >= 8 ? 0xffU : (0xffU << (8 - prefix)) & 0xffU;
        if ((bytes_[i] & mask) != (other.bytes_[i] & mask)) return false;
    }
    return true;
}

std::string IpAddress::text() const {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(is_v6() ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf);
    return buf;
}

}  // namespace ha::rsc
