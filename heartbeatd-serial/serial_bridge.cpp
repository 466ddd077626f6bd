#include "heartbeatd-serial/serial_bridge.hpp"

#include <algorithm>
#include <array>
#include <iterator>
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

// A port's own counters, in ipc::bus::kSerialCounters order (the `_stats` reply and the segment).
std::array<std::uint64_t, std::size(ipc::bus::kSerialCounters)> serial_values(const PortLink& p) {
    const auto& f = p.frame_counters();
    const auto& s = p.stats();
    const auto& q = p.queue();
    return {f.frames,   f.garbage_bytes, f.resyncs,        f.oversize,     s.rx_bytes,
            s.tx_bytes, s.tx_frames,     q.superseded(),   q.dropped_heartbeats(),
            q.dropped_other() + q.refused(), s.tx_closed, s.tx_discarded, s.opens, s.losses};
}
}  // namespace

SerialBridge::SerialBridge(boost::asio::io_context& io, const std::vector<std::string>& devices, int baud,
                           media::PipelineConfig config, Upstream upstream, const ipc::Clock& clock, ipc::Log& log)
    : receive_(config, counters_, clock, log), keys_(config.keys), upstream_(std::move(upstream)), log_(log) {
    for (const auto& d : devices) {
        counters_.link(d);  // a port that never saw a frame still reports zeros
        ports_.push_back(std::make_unique<PortLink>(io, d, baud, log,
                                                    [this](PortLink& p, std::string_view f) { on_frame(p, f); }));
        ports_.back()->on_counters = [this, i = ports_.size() - 1](PortLink&) { publish(i); };
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

void SerialBridge::publish_counters(ipc::CountersWriter* writer) {
    segment_ = writer;
    for (std::size_t i = 0; i < ports_.size(); ++i) publish(i);
}

void SerialBridge::publish(std::size_t index) {
    if (segment_ == nullptr || index >= ports_.size()) return;
    const PortLink& p = *ports_[index];
    const media::LinkStats* stats = counters_.find(p.device());
    if (stats == nullptr) return;
    ipc::LinkCounters c = media::segment_counters(*stats);
    c.serial = true;
    c.open = p.is_open();
    const auto values = serial_values(p);
    std::copy(values.begin(), values.end(), c.serial_counters.begin());
    segment_->publish(index, c);
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
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            ++counters_.link(ports_[i]->device()).tx_errors;
            publish(i);
        }
        return;
    }
    std::string wire = ipc::sign_classic(message, keys_);
    if (wire.size() > ipc::kMaxMessageBytes) {
        log_.error("cannot send t={}: {} bytes, limit {}", type, wire.size(), ipc::kMaxMessageBytes);
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            ++counters_.link(ports_[i]->device()).tx_errors;
            publish(i);
        }
        return;
    }
    // What a newer frame of the same kind makes worthless while it waits for the line: our
    // heartbeat (only the newest proves we live) and an ack (ackseq is cumulative; two nodes, one
    // destination). Not a retransmission: an old status the peer asked for (NS_rexmit) neither
    // replaces the newest waiting nor is replaced by it.
    const bool keyed = !retransmission && (type == "status" || type == "NS_ackmsg");
    const std::string_view supersede_key = keyed ? std::string_view(type) : std::string_view();
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        PortLink& p = *ports_[i];
        if (!target.empty() && p.device() != target) continue;
        media::LinkStats& s = counters_.link(p.device());
        if (p.send(wire, supersede_key)) {
            ++s.tx;
        } else {
            ++s.tx_errors;
        }
        publish(i);
    }
}

std::vector<ipc::Message> SerialBridge::stats_messages() const {
    std::vector<ipc::Message> out = counters_.stats_messages();
    for (auto& m : out) {
        const std::string link(m.get_or("link", ""));
        auto it = std::find_if(ports_.begin(), ports_.end(), [&](const auto& p) { return p->device() == link; });
        if (it == ports_.end()) continue;
        const PortLink& p = **it;
        m.set("open", p.is_open() ? "1" : "0");
        const auto values = serial_values(p);
        for (std::size_t k = 0; k < values.size(); ++k) m.add(std::string(ipc::bus::kSerialCounters[k]), std::to_string(values[k]));
    }
    return out;
}

}  // namespace ha::serial
