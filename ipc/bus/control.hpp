// control — the requests and replies of the control socket (`ipc://<run>/control`): what
// cl_status, hb_standby, hb_takeover and `hamaster status` ask the master, each a typed struct with
// its encoder and its strict decoder, used by both ends; decode_control_request() is the one
// parser of the master's side.
//
//   tool → master   t=cl_status  cmd=<sub-command>  [arg=<word>]…  [flag=<letter>]…  [param=<name>]  [json=0|1]
//   tool → master   t=standby   [rsc_hold=<kind>]          hb_standby (and ipfaild's giveup, on the bus)
//   tool → master   t=takeover  [rsc_hold=<kind>]          hb_takeover
//   tool → master   t=standby_state                        hb_standby/hb_takeover --wait polling
//   master → tool   t=control_reply rc=<exit code> out=<text> [err=<text>] [usage=1] …  (ControlReply)
//   master → tool   t=error reason=<code> err=<text>       a request the socket could not take
//                   (ipc/bus.cpp ControlServer)
// A standby kind is all|local|foreign|failback (absent: all); an unknown kind is the master's to
// refuse with rc 1 (the request itself is well formed). At most kMaxControlWords arg and flag
// fields together.
//
// Time and blocking: none. Diagnostics: none (errors returned as ha::Error naming the field).
// See also: ipc/bus/fields.hpp, ipc/bus/vocabulary.hpp, master/control_service.hpp, tools/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

inline constexpr std::string_view kClStatus = "cl_status";
inline constexpr std::string_view kStandby = "standby";
inline constexpr std::string_view kTakeover = "takeover";
inline constexpr std::string_view kStandbyState = "standby_state";
inline constexpr std::string_view kControlReply = "control_reply";
inline constexpr std::string_view kControlError = "error";
inline constexpr std::size_t kMaxControlWords = 64;

// t=cl_status.
struct ClStatusRequest {
    std::string cmd;
    std::vector<std::string> args;
    std::vector<std::string> flags;
    std::string param;
    bool json = false;

    bool has_flag(std::string_view f) const;
    Message encode() const;
    static Result<ClStatusRequest> decode(const Message& message);
};

// t=standby or t=takeover (hb_standby / hb_takeover, ipfaild's giveup).
struct StandbyRequest {
    bool takeover = false;
    std::string kind = "all";  // as written (the master checks it); "all" when absent

    Message encode() const;
    // Decodes either type.
    static Result<StandbyRequest> decode(const Message& message);
};

// t=standby_state (no field).
struct StandbyStateRequest {
    Message encode() const;
    static Result<StandbyStateRequest> decode(const Message& message);
};

using ControlRequest = std::variant<ClStatusRequest, StandbyRequest, StandbyStateRequest>;
// The master's parser: any of the requests above, by `t`; anything else is an Error
// (`unknown_type` for a type that is none of them).
Result<ControlRequest> decode_control_request(const Message& message);

// t=control_reply: the exit code the tool should return, its output and error text, and for the
// standby requests the state of the handshake.
struct ControlReply {
    int rc = 0;
    std::string out;
    std::string err;     // written when not empty
    bool usage = false;  // the tool should print its usage
    // hb_standby / hb_takeover: a refusal (code and sentence), the count of handshake ends before
    // this request, the reply timeout the tool's --wait allows for.
    struct Standby {
        std::string refused;
        std::string reason;
        std::uint64_t ends = 0;
        std::int64_t reply_timeout_ms = 0;
    };
    std::optional<Standby> standby;
    // standby_state: the handshake as --wait polls it.
    struct State {
        std::uint64_t ends = 0;
        std::string last_end;
        std::string rsc_hold;
        std::string peer;       // the peer's status
        std::string peer_node;
        bool running = false;   // a standby handshake runs
    };
    std::optional<State> state;

    Message encode() const;
    // The tools' side. `standby` is decoded when the reply has reply_timeout_ms, `state` when it
    // has last_end; a t=error answer of the socket is an Error with code "control_error".
    static Result<ControlReply> decode(const Message& message);
};

// t=error: the control socket's answer to a request it could not take (bad frames, undecodable).
struct ControlError {
    std::string reason;
    std::string err;

    Message encode() const;
};

}  // namespace ha::ipc::bus
