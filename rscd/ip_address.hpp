// IpAddress — one IPv4 or IPv6 address as rscd's VIP code handles it: the family and the bytes.
//
// A value type (comparable, ordered: usable as a map key) shared by the built-in IP agents, the
// announcer and the split-brain guard, so that one code path serves both families and only the
// packet formats differ (ARP for IPv4, neighbour discovery for IPv6). IPv4 keeps its 4 bytes in
// network order at the front; the rest is zero.
//
// Time and blocking: none.
// Diagnostics: none (parse returns nullopt).
// See also: ip_target.hpp, ndp_packet.hpp.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ha::rsc {

enum class IpFamily { v4, v6 };

class IpAddress {
public:
    using Bytes = std::array<unsigned char, 16>;

    IpAddress() = default;
    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v6(const Bytes& bytes);
    // Either family (inet_pton); nullopt for anything else, including a zone ("%eth0").
    static std::optional<IpAddress> parse(std::string_view text);

    IpFamily family() const { return family_; }
    bool is_v6() const { return family_ == IpFamily::v6; }
    std::size_t size() const { return is_v6() ? 16 : 4; }
    int max_prefix() const { return is_v6() ? 128 : 32; }
    const Bytes& bytes() const { return bytes_; }
    std::uint32_t v4_host() const;  // host byte order; 0 for IPv6
    // Both in one family and equal in the first `prefix` bits.
    bool same_subnet(const IpAddress& other, int prefix) const;
    // inet_ntop: dotted IPv4, RFC 5952 IPv6 ("2001:db8::100").
    std::string text() const;

    auto operator<=>(const IpAddress&) const = default;

private:
    IpFamily family_ = IpFamily::v4;
    Bytes bytes_{};
};

}  // namespace ha::rsc
