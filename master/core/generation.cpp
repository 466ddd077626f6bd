// Generation rules. See generation.hpp.
#include "master/core/generation.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace ha::master {

std::uint64_t Generation::next(std::optional<std::uint64_t> stored) {
    if (!stored) return 1;
    if (*stored == std::numeric_limits<std::uint64_t>::max()) return *stored;
    return *stored + 1;
}

std::uint64_t Generation::from_time(ipc::WallTime start) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch()).count();
    return secs < 0 ? 0 : static_cast<std::uint64_t>(secs);
}

Result<std::uint64_t> Generation::parse(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return make_error("bad_generation", fmt::format("generation \"{}\" is not a decimal number", text));
    }
    return value;
}

std::string Generation::format(std::uint64_t value) { return fmt::format("{}\n", value); }

}  // namespace ha::master
