#include "heartbeatd-serial/serial_bridge.hpp"

#include <algorithm>
#include <memory>

#include "heartbeatd-net/net_setup.hpp"
#include "ipc/auth.hpp"
#include "ipc/bus.hpp"
#include "ipc/codec.hpp"

namespace ha::serial {

namespace {
// The source of a frame, as ReceivePipeline logs it: a cable has no address.
const net::Source kCable{"tty", 0};
}  // namespace

SerialBridge::SerialBridge(boost::asio::io_context& io, const std::vector<std::string>& devices, int baud,
                           net::PipelineConfig config, Upstream upstream, const ipc::Clock& clock, ipc::Log& log)
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
    auto* fwd = std::get_if<net::Forward>(&verdict);
    if (fwd == nullptr) return;
    fwd->message.remove("_from");  // `_link` (the device) says all there is
    upstream_(fwd->message);
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
    if (type == "_stats") {
        for (const auto& m : stats_messages()) upstream_(m);
        return;
    }
    if (type == ipc::kBusFlush) {
        when_sent([this, seq = message.get_or("seq", "")] {
            ipc::Message done;
            done.add("t", ipc::kBusFlushed).add("seq", seq);
            upstream_(done);
        });
        return;
    }
    if (type.empty() || type.starts_with('_')) {
        log_.error("bus: unexpected message t={} from the master, dropped", type.empty() ? "(none)" : type);
        return;
    }
    const std::string target = message.get_or("_link", "");
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
    const bool heartbeat = type == "status";
    for (auto& p : ports_) {
        if (!target.empty() && p->device() != target) continue;
        net::LinkStats& s = counters_.link(p->device());
        if (p->send(wire, heartbeat)) {
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

void reload_authkeys(const std::string& config_dir, SerialBridge& bridge, ipc::Log& log) {
    auto keys = net::load_authkeys(config_dir, log);
    if (!keys) {
        log.error("authkeys not re-read, keeping the old keys: {}", keys.error().message);
        return;
    }
    bridge.set_keys(*keys);
    log.info("authkeys re-read: signing with key {}", keys->active);
}

}  // namespace ha::serial
