// SerialBridge — joins heartbeatd-serial's ports to the bus: cable → frames → checks → master,
// master → signed classic frame → every port.
//
// Owns the PortLinks, the counters and the receive checks, which are the media daemons' shared
// ReceivePipeline (ipc/media: size → framing/auth → own node → fields → known node → replay per
// (peer, link)) with the device path as the link and "tty" as the sender (a cable has no address,
// so no `_from`), so both media daemons drop for the same reasons under the same names. It decides nothing about links or nodes.
// Bus contract, master → heartbeatd-serial:
//   t=_stats                    one reply per port (stats_messages(), fields below)
//   t=_flush seq=N              reply `t=_flushed seq=N` once everything queued before it left
//                               every tty (when_sent; ipc/bus.hpp kBusFlush)
//   t=<other _ type>            a bug in the master: ERROR, dropped
//   t=<cluster type> [_link=D]  every `_` field removed, signed in classic form (ipc::sign_classic,
//                               inner `auth` only) and queued on every port, or only on device D;
//                               `t=status` frames are the ones dropped first on a slow line
// heartbeatd-serial → master: every accepted frame as decoded (no `auth`, no `_` field from the
// wire) with `_link=<device path>` appended.
// `_stats` reply: t=_stats link=DEV open=0|1 rx forwarded tx tx_errors drop_<reason>... (as
// heartbeatd-net) and frames garbage_bytes resyncs oversize rx_bytes tx_bytes tx_superseded_heartbeats tx_dropped_heartbeats
// tx_dropped_other tx_closed tx_discarded opens losses (decimal).
//
// Counters: the same values are published in the counters segment given to publish_counters()
// after every frame received, every frame queued or refused, and whenever a port's own counters
// change (PortLink::on_counters: bytes read or written, open, lost): one slot's seqlock write.
//
// Time and blocking: single-threaded on the loop; never blocks. Reads the monotonic clock only to
// rate-limit drop logs (in ReceivePipeline).
// Diagnostics: ReceivePipeline's `dropped packet from tty via /dev/ttyS0: <reason>: ...`
// (rate-limited); ERROR `cannot send t=<type>: <why>` for a message that cannot be signed or is too
// big; PortLink's lines.
// See also: port_link.hpp, ipc/media/receive_pipeline.hpp, docs/architecture.md "The data path".
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "heartbeatd-serial/port_link.hpp"
#include "ipc/auth_key.hpp"
#include "ipc/clock.hpp"
#include "ipc/counters_segment.hpp"
#include "ipc/log.hpp"
#include "ipc/media/media_counters.hpp"
#include "ipc/media/receive_pipeline.hpp"
#include "ipc/message.hpp"

namespace ha::serial {

class SerialBridge {
public:
    using Upstream = std::function<void(const ipc::Message&)>;

    // `io`, `clock` and `log` must outlive the bridge.
    SerialBridge(boost::asio::io_context& io, const std::vector<std::string>& devices, int baud,
                 media::PipelineConfig config, Upstream upstream, const ipc::Clock& clock, ipc::Log& log);

    void start();
    void stop();
    void on_bus_message(ipc::Message message);
    // Calls `done` once every frame queued so far has left every port (PortLink::when_drained),
    // at most kDrainLimit later. Used for `_flush` and on SIGTERM.
    void when_sent(std::function<void()> done);
    static constexpr std::chrono::milliseconds kDrainLimit{1500};
    void set_keys(const ipc::AuthKeys& keys);

    std::vector<ipc::Message> stats_messages() const;
    // From now on every change of the counters is published in `writer` (slot i: devices[i]);
    // publishes every port once now. nullptr stops it. `writer` must outlive the bridge or be
    // taken back first.
    void publish_counters(ipc::CountersWriter* writer);
    const std::vector<std::unique_ptr<PortLink>>& ports() const { return ports_; }
    const media::MediaCounters& counters() const { return counters_; }

private:
    void on_frame(PortLink& port, std::string_view frame);
    void publish(std::size_t index);

    std::vector<std::unique_ptr<PortLink>> ports_;
    media::MediaCounters counters_;
    media::ReceivePipeline receive_;
    ipc::AuthKeys keys_;
    Upstream upstream_;
    ipc::Log& log_;
    ipc::CountersWriter* segment_ = nullptr;
};

}  // namespace ha::serial
