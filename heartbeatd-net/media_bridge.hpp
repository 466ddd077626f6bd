// MediaBridge — joins heartbeatd-net's UDP links to the bus: wire → pipeline → master, master → signed → wire.
//
// Owns the links, the ReceivePipeline (ipc/media), the SendPipeline and the counters; the bus client (or the
// stdio test bus) is outside, reached through `Upstream`. It decides nothing about nodes.
// Bus contract, master → heartbeatd-net:
//   t=_stats                   reply with one `t=_stats link=L rx forwarded tx tx_errors drop_<reason>`
//                              message per link (MediaCounters::stats_messages)
//   t=_flush seq=N             reply `t=_flushed seq=N`: what came before has been sent (sendto is
//                              synchronous), so the master may stop us (ipc/bus.hpp kBusFlush)
//   t=<other _ type>           a bug in the master: logged at ERROR and dropped
//   t=<cluster type> [_link=L] signed and sent on every link, or only on L (SendPipeline)
// heartbeatd-net → master: every accepted datagram, as decoded (no `auth`), with `_link=<link>`
// and `_from=<ip:port>` appended (ReceivePipeline).
//
// Counters: MediaCounters, published after every datagram received or sent (and every failed send)
// in the counters segment given to publish_counters(): one slot's seqlock write, never a wait.
//
// Time and blocking: single-threaded on the process's io_context; never blocks (links are
// non-blocking). Reads the monotonic clock only to rate-limit drop logs.
// Diagnostics: drop lines and counters from ReceivePipeline; ERROR for a message from the master we
// cannot send (SendPipeline error), counted as tx_errors on every link it was meant for; a link
// whose sends start failing logs WARN `send on eth0 to 198.51.100.2:694 failed: ...` once, and info
// `send on eth0 works again` once when it recovers.
// See also: ipc/media/receive_pipeline.hpp, send_pipeline.hpp, udp_link.hpp, docs/architecture.md "The data path".
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "ipc/media/media_counters.hpp"
#include "ipc/media/receive_pipeline.hpp"
#include "heartbeatd-net/send_pipeline.hpp"
#include "heartbeatd-net/udp_link.hpp"
#include "ipc/clock.hpp"
#include "ipc/counters_segment.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::net {

class MediaBridge {
public:
    using Upstream = std::function<void(const ipc::Message&)>;

    // `clock` and `log` must outlive the bridge.
    MediaBridge(std::vector<std::unique_ptr<UdpLink>> links, media::PipelineConfig config, Upstream upstream,
                const ipc::Clock& clock, ipc::Log& log);

    // Starts reading every link.
    void start();
    void stop();
    // One message from the master.
    void on_bus_message(ipc::Message message);
    // New authkeys (re-read after the file changed).
    void set_keys(const ipc::AuthKeys& keys);

    const media::MediaCounters& counters() const { return counters_; }
    // From now on every change of the counters is published in `writer` (slot i: link i, in the
    // order the links were given); publishes every link once now. nullptr stops it. `writer` must
    // outlive the bridge or be taken back first.
    void publish_counters(ipc::CountersWriter* writer);

private:
    void publish(std::size_t index);
    void on_datagram(UdpLink& link, std::string_view datagram, const media::Sender& from, bool truncated);
    void send_on(UdpLink& link, std::string_view wire);

    std::vector<std::unique_ptr<UdpLink>> links_;
    std::vector<bool> failing_;  // per link: last send failed (for transition logs)
    ipc::CountersWriter* segment_ = nullptr;
    media::MediaCounters counters_;
    media::ReceivePipeline receive_;
    SendPipeline send_;
    Upstream upstream_;
    ipc::Log& log_;
};

}  // namespace ha::net
