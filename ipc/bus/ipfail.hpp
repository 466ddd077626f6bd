// ipfail — the bus messages between the master and ipfaild, each a typed struct with its encoder
// and its strict decoder, used by both ends.
//
//   master → ipfaild   t=node_status node=<peer> st=init|up|active|dead    each change of the peer's status
//   master → ipfaild   t=rsc_hold word=none|local|foreign|all               what this node holds, when it changes
//   ipfaild → master   t=ping_status node=<ping node or group> st=init|up|dead   each transition
//   ipfaild → master   t=standby rsc_hold=all|foreign                       give up resources (ipfail's
//                      giveup); the same message as hb_standby's (ipc/bus/control.hpp, StandbyRequest)
//   ipfaild → master   t=ipfail_release                                     no ping node and the peer dead:
//                      our public link is down, release what we hold
//   ipfaild → master   t=ipfail_ok                                          a ping node answers again
//
// Not bus messages: what ipfaild says to the peer's ipfail (num_ping_nodes, you_are_dead,
// abort_giveup, hbapi-clstat) is cluster traffic. ipfaild marks it `_to_peer=1`; the master
// removes the mark and sends it as an API client's message. The peer's ipfail messages come back
// the same way (the master relays the peer's messages from or to ipfail), checked by ipfaild
// against the wire's rules (ipfaild/ipfail_service.hpp).
//
// Time and blocking: none. Diagnostics: none (errors returned as ha::Error naming the field).
// See also: ipc/bus/fields.hpp, ipc/bus/vocabulary.hpp, ipfaild/README.md.
#pragma once

#include <string>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

inline constexpr std::string_view kNodeStatus = "node_status";
inline constexpr std::string_view kRscHold = "rsc_hold";
inline constexpr std::string_view kPingStatus = "ping_status";
inline constexpr std::string_view kIpfailRelease = "ipfail_release";
inline constexpr std::string_view kIpfailOk = "ipfail_ok";
// The mark of a message ipfaild means for the peer's ipfail.
inline constexpr std::string_view kToPeerField = "_to_peer";

// t=node_status.
struct NodeStatus {
    std::string node;
    std::string st;  // init | up | active | dead

    Message encode() const;
    static Result<NodeStatus> decode(const Message& message);
};

// t=rsc_hold.
struct RscHold {
    std::string word;  // none | local | foreign | all

    Message encode() const;
    static Result<RscHold> decode(const Message& message);
};

// t=ping_status.
struct PingStatus {
    std::string node;
    std::string st;  // init | up | dead

    bool up() const { return st == "up"; }
    Message encode() const;
    static Result<PingStatus> decode(const Message& message);
};

// t=ipfail_release (no field).
struct IpfailRelease {
    Message encode() const;
    static Result<IpfailRelease> decode(const Message& message);
};

// t=ipfail_ok (no field).
struct IpfailOk {
    Message encode() const;
    static Result<IpfailOk> decode(const Message& message);
};

}  // namespace ha::ipc::bus
