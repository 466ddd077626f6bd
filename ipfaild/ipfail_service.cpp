#include "ipfaild/ipfail_service.hpp"

#include <charconv>

#include "ipc/bus/ipfail.hpp"

namespace ha::ipfail {

namespace {

// A decimal count as Heartbeat's ipfail sends it (`%d` of a small number).
std::optional<int> parse_count(std::string_view text) {
    int value = 0;
    if (text.empty() || text.size() > 4) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

// node_status's st, already one of init|up|active|dead (ipc/bus/ipfail.hpp).
PeerStatus peer_status(std::string_view st) { return st == "dead" ? PeerStatus::dead : PeerStatus::alive; }

}  // namespace

IpfailService::IpfailService(ServiceConfig config, Send send, const ipc::Clock& clock, ipc::Log& log)
    : config_(std::move(config)),
      send_(std::move(send)),
      log_(log),
      limited_(log, clock),
      pings_(config_.ping_nodes, config_.deadping, clock.now()),
      arbiter_(ArbiterConfig{config_.local_node, config_.peer, config_.keepalive, config_.auto_failback}, pings_,
               [this](const ipc::Message& m) { send_(m); }, log) {}

void IpfailService::start() {
    // Heartbeat's ipfail said this as it learnt its ping nodes from the API; ours come from ha.cf.
    for (const auto& p : config_.ping_nodes) {
        if (p.group) log_.info("Found ping group {} ({} hosts).", p.name, p.hosts.size());
        else log_.info("Found ping node {}!", p.name);
    }
    if (config_.peer.empty()) return;
    ipc::Message m;
    m.add("t", "hbapi-clstat");
    m.add("st", "join");
    m.add("info", "signon");
    m.add("from_id", "ipfail");
    m.add(ipc::bus::kToPeerField, "1");
    send_(m);
}

void IpfailService::on_reply(std::string_view host, ipc::SteadyTime now) { report(pings_.on_reply(host, now), now); }

void IpfailService::on_tick(ipc::SteadyTime now) {
    report(pings_.on_tick(now), now);
    arbiter_.on_tick(now);
}

std::optional<ipc::SteadyTime> IpfailService::next_deadline() const {
    auto a = pings_.next_deadline();
    auto b = arbiter_.next_deadline();
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

void IpfailService::report(const std::vector<PingChange>& changes, ipc::SteadyTime now) {
    if (changes.empty()) return;
    for (const auto& c : changes) {
        log_.info("Status update: Node {} now has status {}", c.node, c.is == PingState::up ? "ping" : "dead");
        if (c.is == PingState::up) log_.info("A ping node just came up.");
        send_(ipc::bus::PingStatus{c.node, std::string(ping_state_name(c.is))}.encode());
    }
    arbiter_.on_ping_change(now);
}

std::uint64_t IpfailService::dropped(std::string_view reason) const {
    auto it = dropped_.find(reason);
    return it == dropped_.end() ? 0 : it->second;
}

void IpfailService::drop(const ipc::Message& m, std::string_view reason, std::string_view why) {
    ++dropped_[std::string(reason)];
    const std::string src = m.get_or("src", "master");
    limited_.warn(reason, "dropped bus message {} from {}: {}", m.type().empty() ? "(no t)" : m.type(), src, why);
}

bool IpfailService::from_peer(const ipc::Message& m) {
    const auto src = m.get("src");
    if (!src || config_.peer.empty() || *src != config_.peer) {
        // Our own cluster messages may come back through the master: not an error, just not ours.
        if (src && *src == config_.local_node) return false;
        drop(m, "not_from_peer", src ? "src is not the peer named in ha.cf" : "missing field \"src\"");
        return false;
    }
    if (auto dest = m.get("dest"); dest && *dest != config_.local_node) {
        drop(m, "not_for_us", "dest is not this node");
        return false;
    }
    return true;
}

void IpfailService::on_bus_message(const ipc::Message& m, ipc::SteadyTime now) {
    const std::string_view t = m.type();
    if (t == "num_ping_nodes") {
        if (!from_peer(m)) return;
        const auto n = m.get("num_ping");
        const auto count = n ? parse_count(*n) : std::nullopt;
        if (!count) return drop(m, "bad_field", n ? "bad field \"num_ping\"" : "missing field \"num_ping\"");
        arbiter_.on_peer_count(*count, now);
    } else if (t == "you_are_dead") {
        if (from_peer(m)) arbiter_.on_you_are_dead(now);
    } else if (t == "abort_giveup") {
        if (from_peer(m)) arbiter_.on_abort_giveup();
    } else if (t == "hbapi-clstat") {
        if (m.get_or("from_id", "") != "ipfail" || m.get_or("st", "") != "join") return;  // other clients
        if (from_peer(m)) arbiter_.on_peer_joined(now);
    } else if (t == ipc::bus::kNodeStatus) {
        auto status = ipc::bus::NodeStatus::decode(m);
        if (!status) return drop(m, "bad_field", status.error().message);
        if (status->node != config_.peer) return;
        // `active`: the peer has finished starting and settled its resources (Heartbeat's ipfail
        // said the same on the peer's "stable" resource report).
        if (status->st == "active" && peer_st_ != "active") log_.info("Other side is now stable: {} is active.", status->node);
        peer_st_ = status->st;
        arbiter_.on_peer_status(peer_status(status->st), now);
    } else if (t == ipc::bus::kRscHold) {
        auto hold = ipc::bus::RscHold::decode(m);
        if (!hold) return drop(m, "bad_field", hold.error().message);
        arbiter_.on_rsc_hold(hold->word);
    } else {
        drop(m, "unknown_type", "unknown message type");
    }
}

}  // namespace ha::ipfail
