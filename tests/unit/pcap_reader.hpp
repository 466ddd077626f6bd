// Test helper: the UDP datagrams of a classic pcap file (tests/data/captured), in capture order,
// with their capture time and IPv4 source. Shared by the captured golden tests (unit_tests) and
// the receive-pipeline run over real Heartbeat traffic (net_tests). Header-only, test code only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace ha::testing {

struct PcapDatagram {
    std::chrono::microseconds time{0};  // capture time since the epoch
    std::string source;                 // dotted quad
    std::string payload;                // the UDP payload
};

inline std::string read_binary_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Little-endian microsecond pcap, Ethernet or Linux cooked capture; IPv4 UDP only. `error` says
// why nothing could be read (empty when all is well).
inline std::vector<PcapDatagram> read_pcap_udp(const std::string& pcap, std::string& error) {
    std::vector<PcapDatagram> out;
    auto u32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(pcap[at + static_cast<std::size_t>(i)]);
        return v;
    };
    if (pcap.size() < 24 || u32(0) != 0xa1b2c3d4u) {
        error = "not a little-endian microsecond pcap";
        return out;
    }
    const std::uint32_t linktype = u32(20);
    const std::size_t l2 = linktype == 1 ? 14 : linktype == 113 ? 16 : 0;
    if (l2 == 0) {
        error = "link type " + std::to_string(linktype);
        return out;
    }
    for (std::size_t off = 24; off + 16 <= pcap.size();) {
        const std::chrono::microseconds time{std::int64_t{u32(off)} * 1000000 + u32(off + 4)};
        const std::size_t incl = u32(off + 8);
        std::string_view pkt(pcap.data() + off + 16, std::min(incl, pcap.size() - off - 16));
        off += 16 + incl;
        if (pkt.size() < l2 + 28 || pkt[l2 - 2] != '\x08' || pkt[l2 - 1] != '\x00') continue;  // IPv4 only
        std::string_view ip = pkt.substr(l2);
        if (ip[9] != 17) continue;  // UDP
        const std::size_t ihl = (static_cast<unsigned char>(ip[0]) & 0x0f) * 4u;
        std::string_view udp = ip.substr(ihl);
        const std::size_t len = (static_cast<unsigned char>(udp[4]) << 8) | static_cast<unsigned char>(udp[5]);
        std::string source;
        for (int i = 12; i < 16; ++i) source += (i > 12 ? "." : "") + std::to_string(static_cast<unsigned char>(ip[i]));
        out.push_back(PcapDatagram{time, std::move(source), std::string(udp.substr(8, len - 8))});
    }
    return out;
}

}  // namespace ha::testing
