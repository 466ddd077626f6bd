// Auth — Heartbeat's message authentication: crc, HMAC-MD5, HMAC-SHA1 (OpenSSL), constant-time check.
//
// Signing adds the inner `auth=N digest` field (last) and, in netstring form, the trailing auth
// netstring over `###`..`%%%\n`, so a Heartbeat 3.0.6 peer accepts what we send (compat spec §5 and
// "Confirmed on a live node"). Verification accepts either digest, made with the active key or the
// one rollover key (auth_key.hpp).
//
// Time and blocking: none. Diagnostics: errors carry a code for drop counters
// ("no_auth", "bad_auth", "unknown_key", or the codec's code) and a sentence naming the field.
// See also: ipc/codec.hpp, ipc/auth_key.hpp.
#pragma once

#include <string>
#include <string_view>

#include "ipc/auth_key.hpp"
#include "ipc/codec.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

// Lower-case hex digest of `data` (crc: no leading zeros, as Heartbeat's %lx).
std::string digest_hex(AuthMethod method, std::string_view secret, std::string_view data);

// Sets the inner `auth` field (removing any earlier one) and returns the netstring wire bytes with
// the trailing auth netstring. Precondition: keys.active_key() != nullptr.
std::string sign_netstring(Message& message, const AuthKeys& keys);
// Sets the inner `auth` field and returns the classic wire bytes (no NUL): the serial form.
std::string sign_classic(Message& message, const AuthKeys& keys);

// Decodes `wire` and checks its authentication. Netstring with a trailing auth netstring: that
// digest over `###`..`%%%\n` decides (the inner field is then not checked); otherwise the one
// inner `auth` field over classic_auth_text. Only the active key and the rollover key verify
// (AuthKeys::verify_key); digests compare in constant time. Errors: the codec's codes, "no_auth"
// (neither digest), "unknown_key" (index not in authkeys, or listed but neither active nor the
// rollover key), "bad_auth" (malformed, duplicated or mismatching). The returned message has
// no `auth` field.
Result<Message> verify_and_decode(std::string_view wire, const AuthKeys& keys, const CodecLimits& limits = {});

}  // namespace ha::ipc
