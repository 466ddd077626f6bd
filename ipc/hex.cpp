// Hex numbers on the wire. See hex.hpp.
#include "ipc/hex.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ha::ipc {

std::string to_hex(std::uint64_t value) {
    char buf[16];  // 64 bits: at most 16 hex digits
    const auto end = std::to_chars(buf, buf + sizeof buf, value, 16).ptr;
    return std::string(buf, end);
}

Result<std::uint64_t> parse_hex(std::string_view text) {
    if (text.empty() || text.size() > 16) {
        return make_error("bad_hex", fmt::format("\"{}\" is not a hex number", text));
    }
    std::uint64_t v = 0;
    for (char c : text) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return make_error("bad_hex", fmt::format("\"{}\" is not a hex number", text));
        v = (v << 4) | d;
    }
    return v;
}

}  // namespace ha::ipc
