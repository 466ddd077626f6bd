#include "heartbeatd-serial/serial_bridge.hpp"

#include <algorithm>
#include <memory>

#include "ipc/auth.hpp"
#include "ipc/bus.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/bus/supervision.hpp"
#include "ipc/codec.hpp"
#include "ipc/media/control_messages.hpp"

namespace ha::serial {

namespace {
// The sender of a frame, as ReceivePipeline logs it: a cable has no address, so no `_from`.
const media::Sender kCable{"tty", ""};
}  // namespace

SerialBridge::SerialBridge(boost::asio::io_context& io, const std::vector<std::string>& devices, int baud,
                           media::PipelineConfig config, Upstream upstream, const ipc::Clock& clock, ipc::Log& log)
    : receive_(config, counters_, clock, log), keys_(config.keys), upstream_(std::move(upstream)), log_(log) {
    for (const auto& d : devices) {
        counters_.link(d);  // a port that never saw a frame still reports zeros
        ports_.push_back(std::make_unique<PortLink>(io, d, baud, log,
                                                    [this](PortLink& p, std::string_view f) { on_frame(p, f); }));
    }
}

void SerialBridge::start() {
    for (auto& p : ports_) p->start();
}

void SerialBridge::stop() {
    for (auto& p : ports_) p->stop();
}

void SerialBridge::set_keys(const ipc::AuthKeys& keys) {
    keys_ = keys;
    receive_.set_keys(keys);
}

void SerialBridge::on_frame(PortLink& port, std::string_view frame) {
    auto verdict = receive_.receive(frame, kCable, port.device());
    if (auto* fwd = std::get_if<media::Forward>(&verdict)) upstream_(fwd->message);
}

void SerialBridge::when_sent(std::function<void()> done) {
    if (ports_.empty()) return done();
    auto remaining = std::make_shared<std::size_t>(ports_.size());
    auto shared = std::make_shared<std::function<void()>>(std::move(done));
    for (auto& p : ports_)
        p->when_drained([remaining, shared] {
            if (--*remaining == 0) (*shared)();
        }, kDrainLimit);
}

void SerialBridge::on_bus_message(ipc::Message message) {
    const std::string type(message.type());
    if (media::handle_media_control(
            message, {[this] { return stats_messages(); }, [this](std::function<void()> done) { when_sent(std::move(done)); }, upstream_},
            log_))
        return;
    if (type.empty() || type.starts_with('_')) {
        log_.error("bus: unexpected message t={} from the master, dropped", type.empty() ? "(none)" : type);
        return;
    }
    const std::string target = message.get_or("_link", "");
    const bool retransmission = message.has("_rexmit");  // the master sends a kept message again
    std::erase_if(message.fields(), [](const ipc::Field& f) { return f.name.starts_with('_'); });
    if (keys_.active_key() == nullptr || !ipc::classic_representable(message)) {
        log_.error("cannot send t={}: {}", type, keys_.active_key() ? "not representable in classic form" : "no active key");
        for (auto& p : ports_) ++counters_.link(p->device()).tx_errors;
        return;
    }
    std::string wire = ipc::sign_classic(message, keys_);
    if (wire.size() > ipc::kMaxMessageBytes) {
        log_.error("cannot send t={}: {} bytes, limit {}", type, wire.size(), ipc::kMaxMessageBytes);
        for (auto& p : ports_) ++counters_.link(p->device()).tx_errors;
        return;
    }
    // What a newer frame of the same kind makes worthless while it waits for the line: our
    // heartbeat (only the newest proves we live) and an ack (ackseq is cumulative; two nodes, one
    // destination). Not a retransmission: an old status the peer asked for (NS_rexmit) neither
    // replaces the newest waiting nor is replaced by it.
    const bool keyed = !retransmission && (type == "status" || type == "NS_ackmsg");
    const std::string_view supersede_key = keyed ? std::string_view(type) : std::string_view();
    for (auto& p : ports_) {
        if (!target.empty() && p->device() != target) continue;
        media::LinkStats& s = counters_.link(p->device());
        if (p->send(wire, supersede_key)) {
            ++s.tx;
        } else {
            ++s.tx_errors;
        }
    }
}

std::vector<ipc::Message> SerialBridge::stats_messages() const {
    std::vector<ipc::Message> out = counters_.stats_messages();
    for (auto& m : out) {
        const std::string link(m.get_or("link", ""));
        auto it = std::find_if(ports_.begin(), ports_.end(), [&](const auto& p) { return p->device() == link; });
        if (it == ports_.end()) continue;
        const PortLink& p = **it;
        const auto& f = p.frame_counters();
        const auto& s = p.stats();
        const auto& q = p.queue();
        auto add = [&m](const char* name, std::uint64_t v) { m.add(name, std::to_string(v)); };
        m.set("open", p.is_open() ? "1" : "0");
        add("frames", f.frames);
        add("garbage_bytes", f.garbage_bytes);
        add("resyncs", f.resyncs);
        add("oversize", f.oversize);
        add("rx_bytes", s.rx_bytes);
        add("tx_bytes", s.tx_bytes);
        add("tx_frames", s.tx_frames);
        add("tx_superseded_heartbeats", q.superseded());
        add("tx_dropped_heartbeats", q.dropped_heartbeats());
        add("tx_dropped_other", q.dropped_other() + q.refused());
        add("tx_closed", s.tx_closed);
        add("tx_discarded", s.tx_discarded);
        add("opens", s.opens);
        add("losses", s.losses);
    }
    return out;
}

}  // namespace ha::serial
