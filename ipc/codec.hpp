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

// Decodes one complete message; the form is chosen by the first bytes (`###\n`, or `>>>` after
// optional CR/LF). The size limit is checked before anything else. Netstring: fields `LEN:(T)n=v,`
// (T in 0..5, LEN without leading zeros), `%%%\n`, then optionally one trailing auth netstring;
// struct values must be complete nested netstring messages (depth <= max_depth) and are kept as
// their raw bytes; list values must be `len:elem,` repeated. Classic: lines split at CR or LF,
// extra CR/LF skipped, ends at `<<<`; 0x13 in a string becomes LF; binary is base64 (canonical
// only); a struct is a nested classic message whose LFs are its level's marker byte, stored
// re-encoded in netstring form. One trailing NUL is accepted after either form; anything else
// after the end is an error. Types 4/5 are refused ("unsupported": R1 never sends them).
// Error codes: too_big, empty, truncated, bad_framing, bad_length, bad_type, bad_name, too_long
// (name or value over its limit), too_many_fields (per message level), too_deep, bad_base64,
// unsupported. The message names the field or the byte offset.
Result<DecodedFrame> decode_frame(std::string_view bytes, const CodecLimits& limits = {});
Result<Message> decode(std::string_view bytes, const CodecLimits& limits = {});

// Netstring form without the trailing auth netstring (`###\n` fields `%%%\n`).
std::string encode_netstring(const Message& message);
// Classic form `>>>\n` name=value LF ... `<<<\n`, no NUL (the serial cable's form). String LFs go
// out as byte 0x13; CR, NUL and 0x13 itself cannot be carried (see classic_representable).
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
