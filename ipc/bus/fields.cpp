// fields — see fields.hpp.
#include "ipc/bus/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <span>

#include "ipc/strict_fields.hpp"

namespace ha::ipc::bus {

Result<void> check_message(const Message& m, std::string_view type, std::initializer_list<std::string_view> allowed) {
    if (m.type() != type) return make_error("bad_type", fmt::format("not an {} message (t={})", type, m.type()));
    return check_fields(m, type, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Error missing_field(std::string_view type, std::string_view field) {
    return make_error("missing_field", fmt::format("{}: missing field \"{}\"", type, field));
}

Error unexpected_field(std::string_view type, std::string_view field, std::string_view why) {
    return make_error("unexpected_field",
                      why.empty() ? fmt::format("{}: unexpected field \"{}\"", type, field)
                                  : fmt::format("{}: unexpected field \"{}\" {}", type, field, why));
}

bool valid_seq(std::string_view seq) {
    return !seq.empty() && seq.size() <= 32 && std::all_of(seq.begin(), seq.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Result<std::string> read_seq(const Message& m, std::string_view type) {
    const auto seq = m.get("seq");
    if (!seq) return missing_field(type, "seq");
    if (!valid_seq(*seq)) return make_error("bad_value", fmt::format("{}: bad seq (1-32 printable characters)", type));
    return std::string(*seq);
}

Result<std::string> read_required(const Message& m, std::string_view type, std::string_view field) {
    const auto value = m.get(field);
    if (!value || value->empty()) return missing_field(type, field);
    return std::string(*value);
}

Result<bool> read_yes_no(const Message& m, std::string_view type, std::string_view field) {
    const auto value = m.get(field);
    if (!value) return missing_field(type, field);
    if (*value != "yes" && *value != "no")
        return make_error("bad_value", fmt::format("{}: bad {} \"{}\" (yes or no)", type, field, *value));
    return *value == "yes";
}

Result<std::uint64_t> parse_count(std::string_view type, std::string_view field, std::string_view text, std::size_t max_digits) {
    std::uint64_t value = 0;
    const bool digits = !text.empty() && text.size() <= max_digits &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const auto [end, ec] = digits ? std::from_chars(text.data(), text.data() + text.size(), value)
                                  : std::from_chars_result{text.data(), std::errc::invalid_argument};
    if (!digits || ec != std::errc() || end != text.data() + text.size())
        return make_error("bad_value", fmt::format("{}: bad {} \"{}\"", type, field, text.substr(0, 40)));
    return value;
}

Result<std::uint64_t> read_count(const Message& m, std::string_view type, std::string_view field, std::size_t max_digits) {
    const auto value = m.get(field);
    if (!value) return missing_field(type, field);
    return parse_count(type, field, *value, max_digits);
}

}  // namespace ha::ipc::bus
