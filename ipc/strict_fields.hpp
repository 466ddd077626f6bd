// strict_fields — the field check every strict bus decoder starts with (shared/style.md §8).
//
// check_fields(message, type, allowed): every field of the message is one of `allowed` and appears
// once; otherwise an Error `unexpected_field` / `duplicate_field` naming the message type and the
// field (`rsc_op: unexpected field "x"`). Required fields and values are the caller's to check.
//
// Time and blocking: none.
// Diagnostics: none (the caller logs the Error with the sender).
// See also: ipc/message.hpp, ipc/bus/fields.hpp (the strict bus decoders built on it).
#pragma once

#include <span>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

Result<void> check_fields(const Message& message, std::string_view type, std::span<const std::string_view> allowed);

}  // namespace ha::ipc
