// vocabulary — see vocabulary.hpp.
#include "ipc/bus/vocabulary.hpp"

#include <array>

#include "ipc/bus/control.hpp"
#include "ipc/bus/ipfail.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/bus/rsc.hpp"
#include "ipc/bus/supervision.hpp"

namespace ha::ipc::bus {

namespace {

template <class T>
Result<Message> reencode(const Message& m) {
    auto decoded = T::decode(m);
    if (!decoded) return decoded.error();
    return decoded->encode();
}

// The control socket's parser, whatever the request.
Result<Message> reencode_control(const Message& m) {
    auto request = decode_control_request(m);
    if (!request) return request.error();
    return std::visit([](const auto& r) { return r.encode(); }, *request);
}

constexpr std::array kKinds{
    MessageKind{kLiveness, "child", "master", "pid", &reencode<Liveness>},
    MessageKind{kMasterAlive, "master", "rscd", "", &reencode<MasterAlive>},
    MessageKind{kFlush, "master", "media", "seq", &reencode<Flush>},
    MessageKind{kFlushed, "media", "master", "seq", &reencode<Flushed>},
    MessageKind{kMediaStats, "master", "media", "", &reencode<MediaStatsAsk>},
    MessageKind{kMediaStats, "media", "master",
                "link rx forwarded tx tx_errors drop_<reason>=N… [open serial counters…]", &reencode<MediaStats>},
    MessageKind{kNodeStatus, "master", "ipfaild", "node st=init|up|active|dead", &reencode<NodeStatus>},
    MessageKind{kRscHold, "master", "ipfaild", "word=none|local|foreign|all", &reencode<RscHold>},
    MessageKind{kPingStatus, "ipfaild", "master", "node st=init|up|dead", &reencode<PingStatus>},
    MessageKind{kStandby, "ipfaild", "master", "[rsc_hold]", &reencode<StandbyRequest>},
    MessageKind{kIpfailRelease, "ipfaild", "master", "", &reencode<IpfailRelease>},
    MessageKind{kIpfailOk, "ipfaild", "master", "", &reencode<IpfailOk>},
    MessageKind{kRscOp, "master", "rscd", "op=start|stop|status group seq", &reencode<RscOp>},
    MessageKind{kRscResult, "rscd", "master",
                "op group seq rc=ok|failed running=yes|no|partial [failed_rsc] | rc=failed error", &reencode<RscResult>},
    MessageKind{kRscReload, "master", "rscd", "seq", &reencode<RscReload>},
    MessageKind{kRscReloaded, "rscd", "master", "seq rc=ok groups | rc=failed error", &reencode<RscReloaded>},
    MessageKind{kRscProbe, "master", "rscd", "group seq preferred=yes|no [early=yes|no]", &reencode<RscProbe>},
    MessageKind{kRscProbeCancel, "master", "rscd", "group seq", &reencode<RscProbe>},
    MessageKind{kRscClearance, "rscd", "master", "group seq verdict=clear|held|error [ip mac iface] [error]",
                &reencode<RscClearance>},
    MessageKind{kClStatus, "tool", "master", "cmd [arg…] [flag…] [param] [json=0|1]", &reencode_control},
    MessageKind{kStandby, "tool", "master", "[rsc_hold]", &reencode_control},
    MessageKind{kTakeover, "tool", "master", "[rsc_hold]", &reencode_control},
    MessageKind{kStandbyState, "tool", "master", "", &reencode_control},
    MessageKind{kControlReply, "master", "tool",
                "rc out [err] [usage=1] [[refused reason] ends reply_timeout_ms | ends last_end rsc_hold peer peer_node standby]",
                &reencode<ControlReply>},
};

}  // namespace

std::span<const MessageKind> vocabulary() { return kKinds; }

}  // namespace ha::ipc::bus
