// fields — the checks every strict bus decoder is made of (shared/style.md §8).
//
// A decoder starts with check_message(): the type is the one expected, every field is one of the
// allowed names and none appears twice (ipc/strict_fields.hpp). Then it reads each field it needs
// with the helpers below, which turn a missing or bad value into an Error naming the message type
// and the field: `rsc_op: missing field "seq"`, `rsc_probe: bad preferred "maybe" (yes or no)`.
// Error codes: bad_type, unexpected_field, duplicate_field, missing_field, bad_value.
//
// Time and blocking: none. Diagnostics: none (the caller logs the Error with the sender).
// See also: ipc/bus/vocabulary.hpp (the message catalogue), ipc/strict_fields.hpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

// t == type, then only `allowed` fields, each at most once.
Result<void> check_message(const Message& m, std::string_view type, std::initializer_list<std::string_view> allowed);

Error missing_field(std::string_view type, std::string_view field);
Error unexpected_field(std::string_view type, std::string_view field, std::string_view why = {});

// A seq is opaque to the receiver, echoed in the answer: 1–32 printable characters, no space.
bool valid_seq(std::string_view seq);
// The required `seq` field (valid_seq), else missing_field / bad_value.
Result<std::string> read_seq(const Message& m, std::string_view type);
// A required field that is present and not empty.
Result<std::string> read_required(const Message& m, std::string_view type, std::string_view field);
// A required `yes|no` field.
Result<bool> read_yes_no(const Message& m, std::string_view type, std::string_view field);
// A decimal count of at most `max_digits` digits (no sign, no spaces).
Result<std::uint64_t> parse_count(std::string_view type, std::string_view field, std::string_view text,
                                  std::size_t max_digits = 20);
// The same, read from a required field.
Result<std::uint64_t> read_count(const Message& m, std::string_view type, std::string_view field,
                                 std::size_t max_digits = 20);

}  // namespace ha::ipc::bus
