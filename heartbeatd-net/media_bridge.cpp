#include "heartbeatd-net/media_bridge.hpp"

#include <cstring>

#include "ipc/bus.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/bus/supervision.hpp"
#include "ipc/config/diagnostics.hpp"
#include "ipc/media/control_messages.hpp"

namespace ha::net {

namespace {

std::vector<std::string> link_names(const std::vector<std::unique_ptr<UdpLink>>& links) {
    std::vector<std::string> names;
    for (const auto& l : links) names.push_back(l->name());
    return names;
}

}  // namespace

MediaBridge::MediaBridge(std::vector<std::unique_ptr<UdpLink>> links, media::PipelineConfig config, Upstream upstream,
                         const ipc::Clock& clock, ipc::Log& log)
    : links_(std::move(links)),
      failing_(links_.size(), false),
      receive_(config, counters_, clock, log),
      send_(config.keys, link_names(links_)),
      upstream_(std::move(upstream)),
      log_(log) {
    for (const auto& l : links_) counters_.link(l->name());
}

void MediaBridge::start() {
    for (auto& l : links_) {
        UdpLink* link = l.get();
        link->start([this, link](std::string_view datagram, const media::Sender& from, bool truncated) {
            on_datagram(*link, datagram, from, truncated);
        });
    }
}

void MediaBridge::stop() {
    for (auto& l : links_) l->stop();
}

void MediaBridge::set_keys(const ipc::AuthKeys& keys) {
    receive_.set_keys(keys);
    send_.set_keys(keys);
}

void MediaBridge::publish_counters(ipc::CountersWriter* writer) {
    segment_ = writer;
    for (std::size_t i = 0; i < links_.size(); ++i) publish(i);
}

void MediaBridge::publish(std::size_t index) {
    if (segment_ != nullptr && index < counters_.links().size()) segment_->publish(index, media::segment_counters(counters_.links()[index]));
}

void MediaBridge::on_datagram(UdpLink& link, std::string_view datagram, const media::Sender& from, bool truncated) {
    media::Verdict v = receive_.receive(datagram, from, link.name(), truncated);
    // Before forwarding: the master may look at the counters as soon as it has the message.
    publish(counters_.index_of(link.name()));
    if (auto* f = std::get_if<media::Forward>(&v)) upstream_(f->message);
}

void MediaBridge::on_bus_message(ipc::Message message) {
    const std::string_view type = message.type();
    // Everything the master sent before a `_flush` went out already: our sends are synchronous.
    if (media::handle_media_control(message,
                                    {[this] { return counters_.stats_messages(); }, [](std::function<void()> done) { done(); },
                                     upstream_},
                                    log_))
        return;
    if (type.starts_with('_')) {
        log_.error("unexpected bus message from the master: t={}", conf::quote(type));
        return;
    }
    auto out = send_.prepare(std::move(message));
    if (!out) {
        log_.error("cannot send message from the master: {}", out.error().message);
        for (std::size_t i = 0; i < links_.size(); ++i) {
            ++counters_.link(links_[i]->name()).tx_errors;
            publish(i);
        }
        return;
    }
    for (auto& l : links_) {
        if (out->link.empty() || out->link == l->name()) send_on(*l, out->wire);
    }
}

void MediaBridge::send_on(UdpLink& link, std::string_view wire) {
    std::size_t i = 0;
    while (i < links_.size() && links_[i].get() != &link) ++i;
    media::LinkStats& stats = counters_.link(link.name());
    if (link.send(wire)) {
        ++stats.tx;
        publish(i);
        if (failing_[i]) {
            failing_[i] = false;
            log_.info("send on {} works again", link.name());
        }
        return;
    }
    ++stats.tx_errors;
    publish(i);
    if (!failing_[i]) {
        failing_[i] = true;
        log_.warn("send on {} to {} failed: {}", link.name(), link.destination(), std::strerror(link.last_error()));
    }
}

}  // namespace ha::net
