#include "ipfaild/arbiter.hpp"

#include "ipc/bus/control.hpp"
#include "ipc/bus/ipfail.hpp"

namespace ha::ipfail {

Arbiter::Arbiter(ArbiterConfig config, const PingTable& pings, Send send, ipc::Log& log)
    : config_(std::move(config)), pings_(pings), send_(std::move(send)), log_(log) {}

ipc::Message Arbiter::to_peer(std::string_view type) const {
    ipc::Message m;
    m.add("t", type);
    return m;
}

namespace {
// The fields every message for the peer's ipfail carries after its own (README.md).
void address_to_peer(ipc::Message& m, const std::string& peer) {
    m.add("dest", peer);
    m.add("from_id", "ipfail");
    m.add("to_id", "ipfail");
    m.add(ipc::bus::kToPeerField, "1");
}
}  // namespace

void Arbiter::send_count() {
    if (config_.peer.empty()) return;
    log_.info("Asking other side for ping node count.");
    ipc::Message m = to_peer("num_ping_nodes");
    m.add("num_ping", std::to_string(pings_.up_count()));
    address_to_peer(m, config_.peer);
    send_(m);
}

void Arbiter::on_ping_change(ipc::SteadyTime) {
    send_count();
    check_isolation();
}

void Arbiter::on_peer_joined(ipc::SteadyTime) {
    log_.info("Got join message from another ipfail client. ({})", config_.peer);
    send_count();
}

void Arbiter::on_peer_count(int num_ping, ipc::SteadyTime now) {
    const int here = pings_.up_count();
    log_.info("Got asked for num_ping: {} sees {} ping nodes, we see {}.", config_.peer, num_ping, here);
    if (here > num_ping) {
        log_.info("Telling other node that we have more visible ping nodes.");
        ipc::Message m = to_peer("you_are_dead");
        address_to_peer(m, config_.peer);
        send_(m);
    } else if (here < num_ping) {
        log_.info("Giving up because we have less visible ping nodes.");
        delay_giveup("all", now);
    } else {
        log_.info("Ping node count is balanced.");
        ipc::Message m = to_peer("abort_giveup");
        address_to_peer(m, config_.peer);
        send_(m);
        if (giveup_) {
            giveup_.reset();
            log_.info("Aborted delayed giveup.");
        } else if (config_.auto_failback && hold_foreign()) {
            log_.info("Giving up foreign resources (auto_failback).");
            delay_giveup("foreign", now);
        }
    }
}

void Arbiter::on_you_are_dead(ipc::SteadyTime now) {
    log_.info("We are dead. :<");
    log_.info("Giving up because we were told that we have less ping nodes.");
    delay_giveup("all", now);
}

void Arbiter::on_abort_giveup() {
    if (giveup_) {
        giveup_.reset();
        log_.info("Aborted delayed giveup.");
    } else {
        log_.info("No giveup timer to abort.");
    }
}

void Arbiter::on_peer_status(PeerStatus status, ipc::SteadyTime) {
    if (status == peer_status_) return;
    peer_status_ = status;
    if (status == PeerStatus::dead && giveup_) {
        giveup_.reset();
        log_.info("Peer {} is dead: delayed giveup cancelled (nobody to take over).", config_.peer);
    }
    check_isolation();
}

void Arbiter::delay_giveup(std::string type, ipc::SteadyTime now) {
    const auto delay = 2 * config_.keepalive;
    if (giveup_) log_.debug("Detected existing delay timer, overriding");
    giveup_ = Giveup{std::move(type), now + delay};
    log_.info("Delayed giveup in {} ms.", delay.count());
}

void Arbiter::on_tick(ipc::SteadyTime now) {
    if (!giveup_ || now < giveup_->at) return;
    const std::string type = giveup_->type;
    giveup_.reset();
    log_.info("Giving up [{}]: asking the master for standby.", type);
    send_(ipc::bus::StandbyRequest{false, type}.encode());
}

std::optional<ipc::SteadyTime> Arbiter::next_deadline() const {
    if (!giveup_) return std::nullopt;
    return giveup_->at;
}

void Arbiter::check_isolation() {
    if (!released_ && pings_.all_dead() && peer_status_ == PeerStatus::dead) {
        released_ = true;
        log_.warn("No ping node and peer {} dead: our public link is down; asking the master to release our "
                  "resources.",
                  config_.peer);
        send_(ipc::bus::IpfailRelease{}.encode());
    } else if (released_ && pings_.up_count() > 0) {
        released_ = false;
        log_.info("A ping node answers again: resources may be held again.");
        send_(ipc::bus::IpfailOk{}.encode());
    }
}

}  // namespace ha::ipfail
