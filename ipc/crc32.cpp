// Crc32 — table-driven, non-reflected CRC-32 (see crc32.hpp).
#include "ipc/crc32.hpp"

#include <array>

namespace ha::ipc {
namespace {

constexpr std::uint32_t kPoly = 0x04C11DB7u;

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i << 24;
        for (int b = 0; b < 8; ++b) c = (c & 0x80000000u) ? (c << 1) ^ kPoly : c << 1;
        t[i] = c;
    }
    return t;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint32_t crc32_heartbeat(std::string_view data) {
    std::uint32_t crc = 0;
    for (char ch : data) crc = (crc << 8) ^ kTable[((crc >> 24) ^ static_cast<unsigned char>(ch)) & 0xffu];
    return ~crc;
}

}  // namespace ha::ipc
