// Codec — Heartbeat 3 wire forms of a Message: classic (`>>>` ... `<<<`) and netstring (`###` ... `%%%`).
//
// Pure functions over bytes: no sockets, no allocation beyond the result, no exceptions. Used by the
// UDP and serial media daemons and by the bus, fuzzed in tests/fuzz. Every limit is checked before
// the memory it would cost is allocated; an input over a limit or malformed is an Error whose
// message names the field (or byte offset) at fault.
//
// Time and blocking: none.
// See also: ipc/auth.hpp, compat spec §4 and "Confirmed on a live node".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

// Heartbeat's MAXMSG: the largest datagram or serial frame we accept or produce.
inline constexpr std::size_t kMaxMessageBytes = 256 * 1024;

struct CodecLimits {
    std::size_t max_bytes = kMaxMessageBytes;
    std::size_t max_fields = 512;
    std::size_t max_name = 256;
    std::size_t max_value = kMaxMessageBytes;
    int max_depth = 16;
};

enum class WireForm { classic, netstring };

// A decoded frame with what authentication needs to know about its bytes.
struct DecodedFrame {
    Message message;
    WireForm form = WireForm::netstring;
    // netstring: length of the signed part, from `###` through the LF after `%%%`.
    std::size_t signed_length = 0;
    // netstring: payload of the trailing auth netstring (`N digest`), if present.
    std::optional<std::string> outer_auth;
};

// Decodes one complete message; the form is chosen by the first bytes (`>>>` or `###`).
Result<DecodedFrame> decode_frame(std::string_view bytes, const CodecLimits& limits = {});
Result<Message> decode(std::string_view bytes, const CodecLimits& limits = {});

// Netstring form without the trailing auth netstring (`###\n` fields `%%%\n`).
std::string encode_netstring(const Message& message);
// Classic form `>>>\n` name=value LF ... `<<<\n`, no NUL (the serial cable's form).
std::string encode_classic(const Message& message);
// The text the inner `auth` digest covers: every field except `auth`, each `name=value\n`
// (non-strings with their `(T)` prefix, binary base64), no `>>>`/`<<<`.
std::string classic_auth_text(const Message& message);

// The field-name rule for both forms: 1..max_name bytes of visible ASCII (0x21-0x7e) other than
// '=', '(' and ')'. Encoders assume valid names; decoders reject others ("bad_name").
bool valid_field_name(std::string_view name);

// True when encode_classic(message) decodes back to an equal message: string values hold no CR,
// NUL or byte 0x13 (the LF escape), list values no CR/LF/NUL, and struct values are valid netstring
// messages whose contents hold none of the enclosing levels' LF marker bytes either.
// Netstring form carries every message.
bool classic_representable(const Message& message);

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace ha::ipc
