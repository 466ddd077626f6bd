// Heartbeat time values — see duration.hpp.
#include "ipc/config/duration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "ipc/config/diagnostics.hpp"

namespace ha::conf {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
    const std::string_view original = text;
    auto bad = [&](std::string why) {
        return make_error("bad_time", fmt::format("bad time value \"{}\": {}", quote(original), why));
    };
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);

    // Exact decimal arithmetic: integer part, then 9 fraction digits (deeper digits are below a
    // nanosecond of the unit and cannot change the rounded millisecond except at exact .5 ties).
    constexpr std::uint64_t kLimit = 1000000000000ULL;  // far above any valid value, far below 2^64/10
    std::uint64_t integer = 0;
    std::size_t i = 0;
    std::size_t int_digits = 0;
    bool overflow = false;
    for (; i < text.size() && is_digit(text[i]); ++i, ++int_digits) {
        if (integer <= kLimit) integer = integer * 10 + static_cast<std::uint64_t>(text[i] - '0');
        else overflow = true;
    }
    std::uint64_t fraction = 0;  // in units of 10^-9 of the unit (9 digits kept)
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && is_digit(text[i]); ++i, ++frac_digits) {
            if (frac_digits < 9) fraction = fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
        }
        for (std::size_t k = std::min<std::size_t>(frac_digits, 9); k < 9; ++k) fraction *= 10;
    }
    if (int_digits + frac_digits == 0) return bad("expected a number (e.g. 30, 1.5, 500ms)");
    if (overflow) return bad(fmt::format("more than {}", format_ms(kMaxDuration)));
    while (i < text.size() && is_blank(text[i])) ++i;
    const std::string_view unit_text = text.substr(i);
    std::string unit;
    for (char c : unit_text) unit += lower(c);

    // Everything in nanoseconds; max_ns (8.64e13) and every product below fit in 64 bits.
    std::uint64_t scale_ns = 0;  // nanoseconds per unit
    if (unit.empty()) scale_ns = 1000000000ULL;
    else if (unit == "ms") scale_ns = 1000000ULL;
    else if (unit == "us") scale_ns = 1000ULL;
    else return bad(fmt::format("unknown unit \"{}\" (use none for seconds, ms or us)", quote(unit_text)));

    const std::uint64_t max_ns = static_cast<std::uint64_t>(kMaxDuration.count()) * 1000000ULL;
    if (integer > max_ns / scale_ns) return bad(fmt::format("more than {}", format_ms(kMaxDuration)));
    std::uint64_t ns = integer * scale_ns;
    // fraction < 1e9 is in 1e-9 units of the unit; fraction * scale_ns < 1e18 fits.
    ns += fraction * scale_ns / 1000000000ULL;
    if (ns > max_ns) return bad(fmt::format("more than {}", format_ms(kMaxDuration)));
    const std::uint64_t ms = (ns + 500000ULL) / 1000000ULL;  // round half up to the nearest ms
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::string format_ms(std::chrono::milliseconds value) { return fmt::format("{}ms", value.count()); }

}  // namespace ha::conf
