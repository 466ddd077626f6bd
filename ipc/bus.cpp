// Bus, ControlServer and control_request — see bus.hpp.
#include "ipc/bus.hpp"
#include "ipc/bus_lane.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <zmq.hpp>

#include "ipc/bus/control.hpp"
#include "ipc/clock.hpp"
#include "ipc/codec.hpp"
#include "ipc/rate_limit.hpp"

namespace ha::ipc {

using detail::printable;

namespace {

constexpr std::string_view kIpcScheme = "ipc://";
// More frames than any valid envelope has; the rest of such a message is read and discarded.
constexpr std::size_t kMaxFrames = 4;

std::string_view as_view(const zmq::message_t& m) { return {static_cast<const char*>(m.data()), m.size()}; }

}  // namespace

std::string bus_endpoint(std::string_view run_dir) { return fmt::format("ipc://{}/bus", run_dir); }
std::string control_endpoint(std::string_view run_dir) { return fmt::format("ipc://{}/control", run_dir); }

Result<void> check_ipc_endpoint(std::string_view endpoint) {
    if (endpoint.substr(0, kIpcScheme.size()) != kIpcScheme || endpoint.size() == kIpcScheme.size())
        return make_error("bad_endpoint", fmt::format("bus endpoint \"{}\" is not ipc://PATH", endpoint));
    std::string_view path = endpoint.substr(kIpcScheme.size());
    if (path.size() > kMaxIpcPathBytes)
        return make_error("path_too_long", fmt::format("socket path {} is {} bytes; unix sockets allow at most {}",
                                                       path, path.size(), kMaxIpcPathBytes));
    return {};
}

Result<void> ensure_private_dir(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return make_error("not_a_dir", fmt::format("{} exists and is not a directory", path));
        return {};
    }
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return make_error("mkdir", fmt::format("cannot create {}: {}", parent.string(), ec.message()));
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        return make_error("mkdir", fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return make_error("not_a_dir", fmt::format("{} exists and is not a directory", path));
    // mkdir's mode went through the umask; a directory we just made gets exactly 0700.
    if ((st.st_mode & 07777) != 0700 && ::chmod(path.c_str(), 0700) != 0)
        return make_error("mkdir", fmt::format("cannot chmod 0700 {}: {}", path, std::strerror(errno)));
    return {};
}

std::uint64_t BusCounters::dropped_total() const {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : dropped) n += count;
    return n;
}
std::uint64_t BusCounters::dropped_for(std::string_view reason) const {
    auto it = dropped.find(std::string(reason));
    return it == dropped.end() ? 0 : it->second;
}
std::uint64_t BusCounters::send_failed_for(std::string_view reason) const {
    auto it = send_failed.find(std::string(reason));
    return it == send_failed.end() ? 0 : it->second;
}

namespace detail {

// One zmq socket on the Asio loop: the ZMQ_FD wait, the edge-triggered drain, sending, counting.
// Shared-owned so that handlers still queued on the loop after the owner is gone find `closed_`.
class ZmqEndpoint : public std::enable_shared_from_this<ZmqEndpoint> {
public:
    using FramesHandler = std::function<void(std::vector<zmq::message_t>& frames, bool overflow)>;

    ZmqEndpoint(boost::asio::io_context& io, zmq::context_t& ctx, zmq::socket_type type, std::shared_ptr<BusDiag> diag)
        : io_(io), socket_(ctx, type), descriptor_(io), log_(diag->log()), diag_(std::move(diag)) {}

    ~ZmqEndpoint() { close(); }

    // Common options, then bind or connect. Throws BusError.
    void open(const std::string& endpoint, bool bind, std::string_view routing_id, bool router_mandatory) {
        if (auto ok = check_ipc_endpoint(endpoint); !ok) throw BusError(ok.error().code, ok.error().message);
        try {
            socket_.set(zmq::sockopt::linger, 0);
            socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxMessageBytes));
            socket_.set(zmq::sockopt::sndhwm, kBusHighWaterMark);
            socket_.set(zmq::sockopt::rcvhwm, kBusHighWaterMark);
            if (!routing_id.empty()) socket_.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));
            if (router_mandatory) {
                socket_.set(zmq::sockopt::router_mandatory, 1);
                // A respawned child reconnects with the same name: hand the identity to the new pipe.
                socket_.set(zmq::sockopt::router_handover, 1);
            }
            if (bind) {
                std::string path = endpoint.substr(kIpcScheme.size());
                auto dir = std::filesystem::path(path).parent_path().string();
                if (!dir.empty()) {
                    if (auto ok = ensure_private_dir(dir); !ok) throw BusError(ok.error().code, ok.error().message);
                }
                socket_.bind(endpoint);
                bound_path_ = path;
            } else {
                socket_.connect(endpoint);
            }
        } catch (const zmq::error_t& e) {
            throw BusError(bind ? "bind" : "connect",
                           fmt::format("cannot {} {}: {}", bind ? "bind" : "connect", endpoint, e.what()));
        }
        endpoint_ = endpoint;
    }

    // Starts waiting on the loop. Must be called once, after open().
    void start(FramesHandler handler) {
        handler_ = std::move(handler);
        int fd = socket_.get(zmq::sockopt::fd);
        descriptor_.assign(fd);
        arm();
        post_drain();  // the fd may have fired before we waited on it
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        handler_ = nullptr;
        if (descriptor_.is_open()) {
            boost::system::error_code ec;
            descriptor_.cancel(ec);
            (void)descriptor_.release();  // the fd belongs to zmq: never let Asio close it
        }
        socket_.close();
        // libzmq 4.3 leaves the ipc:// socket file behind; nothing may stay in the run dir.
        if (!bound_path_.empty()) ::unlink(bound_path_.c_str());
    }

    // Sends one multipart message without blocking. `peer` names the receiver in logs.
    bool send(std::initializer_list<std::string_view> frames, std::string_view peer) {
        if (closed_) return fail("closed", peer, "bus socket is closed");
        try {
            std::size_t i = 0;
            for (auto frame : frames) {
                auto flags = ++i < frames.size() ? zmq::send_flags::dontwait | zmq::send_flags::sndmore
                                                 : zmq::send_flags::dontwait;
                if (!socket_.send(zmq::buffer(frame.data(), frame.size()), flags)) {
                    // Only the first frame can meet the high-water mark; zmq keeps multipart atomic.
                    post_drain();
                    return fail("would_block", peer, "send queue full");
                }
            }
        } catch (const zmq::error_t& e) {
            post_drain();
            if (e.num() == EHOSTUNREACH) return fail("unknown_peer", peer, "no such peer connected");
            return fail("send_error", peer, e.what());
        }
        ++diag_->counters().sent;
        post_drain();  // sending may have consumed the fd's edge for pending input
        return true;
    }

    bool fail(const std::string& reason, std::string_view peer, std::string_view why) {
        return diag_->fail(reason, peer, why);
    }
    void drop(const std::string& reason, std::string_view peer, std::string_view why) { diag_->drop(reason, peer, why); }
    BusCounters& counters() { return diag_->counters(); }
    bool draining() const { return draining_; }
    Log& log() { return log_; }
    const std::string& endpoint() const { return endpoint_; }

private:
    void arm() {
        if (closed_) return;
        descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [self = shared_from_this()](const boost::system::error_code& ec) {
                                   if (ec || self->closed_) return;
                                   self->drain();
                                   self->arm();
                               });
    }

    void post_drain() {
        if (drain_posted_ || draining_ || closed_) return;
        drain_posted_ = true;
        boost::asio::post(io_, [self = shared_from_this()] {
            self->drain_posted_ = false;
            self->drain();
        });
    }

    // Reads one whole multipart message; false when nothing was there.
    bool receive(std::vector<zmq::message_t>& frames, bool& overflow) {
        frames.clear();
        overflow = false;
        for (;;) {
            zmq::message_t part;
            if (!socket_.recv(part, zmq::recv_flags::dontwait)) return !frames.empty();
            bool more = part.more();
            if (frames.size() < kMaxFrames) frames.push_back(std::move(part));
            else overflow = true;
            if (!more) return true;
        }
    }

    // Reads what waits now, handing each message to the handler. `batched`: at most kDrainBatch,
    // then re-posts itself (the loop's own drains); otherwise everything (read_pending()).
    void drain(bool batched = true) {
        if (closed_ || draining_) return;
        draining_ = true;
        int handled = 0;
        std::vector<zmq::message_t> frames;
        bool overflow = false;
        try {
            while (!closed_ && (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0) {
                if (batched && handled == kDrainBatch) {
                    draining_ = false;
                    post_drain();  // let other handlers run, then go on
                    return;
                }
                if (!receive(frames, overflow)) break;
                ++handled;
                if (handler_) handler_(frames, overflow);
            }
        } catch (const zmq::error_t& e) {
            if (!closed_) log_.error("bus: receive on {} failed: {}", endpoint_, e.what());
        }
        draining_ = false;
    }

public:
    // See BusClient::read_pending(). Returns false when called from inside a handler (a drain is
    // already running and will go on after it).
    bool read_pending() {
        if (closed_ || draining_) return false;
        drain(/*batched=*/false);
        return true;
    }

private:
    boost::asio::io_context& io_;
    zmq::socket_t socket_;
    boost::asio::posix::stream_descriptor descriptor_;
    Log& log_;
    std::shared_ptr<BusDiag> diag_;
    FramesHandler handler_;
    std::string endpoint_;
    std::string bound_path_;  // the socket file this endpoint bound (removed on close)
    bool closed_ = false;
    bool draining_ = false;
    bool drain_posted_ = false;
};

}  // namespace detail

namespace {

// Encodes `message` or says why it cannot go on the bus.
Result<std::string> encode_for_bus(const Message& message) {
    std::string payload = encode_netstring(message);
    if (payload.size() > kMaxMessageBytes)
        return make_error("too_big", fmt::format("message t={} is {} bytes, over the {} byte limit", message.type(),
                                                 payload.size(), kMaxMessageBytes));
    return payload;
}

template <class Fn>
void run_user_handler(Log& log, std::string_view peer, Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        log.error("bus: handler for a message from {} failed: {}", printable(peer), e.what());
    }
}

}  // namespace

// ---- BusRouter ------------------------------------------------------------------------------

namespace detail {

// The router's lanes by identity. `bound` keeps every identity that ever had a lane: such a name
// speaks on its lane only, never on the zmq socket (where any local process could claim it).
struct LaneSet {
    std::map<std::string, std::shared_ptr<LaneEndpoint>, std::less<>> attached;
    std::set<std::string, std::less<>> bound;
};

}  // namespace detail

BusRouter::BusRouter(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint, Log& log)
    : io_(io),
      handler_(std::make_shared<Handler>()),
      diag_(std::make_shared<detail::BusDiag>(log)),
      ep_(std::make_shared<detail::ZmqEndpoint>(io, zmq_context, zmq::socket_type::router, diag_)),
      lanes_(std::make_shared<detail::LaneSet>()) {
    ep_->open(endpoint, /*bind=*/true, {}, /*router_mandatory=*/true);
    ep_->start([ep = ep_.get(), handler = handler_, lanes = lanes_.get()](std::vector<zmq::message_t>& frames,
                                                                           bool overflow) {
        std::string_view identity = frames.empty() ? std::string_view{} : as_view(frames[0]);
        if (overflow || frames.size() != 2) {
            ep->drop("bad_frames", identity,
                     fmt::format("expected 2 frames, got {}", overflow ? ">4" : std::to_string(frames.size())));
            return;
        }
        if (identity.empty() || identity[0] == '\0') {
            ep->drop("no_identity", identity, "the peer did not set its name as routing id");
            return;
        }
        if (lanes->bound.count(identity) != 0) {
            ep->drop("lane_identity", identity, "this name speaks on its lane only, not on the zmq socket");
            return;
        }
        auto message = decode(as_view(frames[1]));
        if (!message) {
            ep->drop(message.error().code, identity, message.error().message);
            return;
        }
        ++ep->counters().received;
        if (*handler) run_user_handler(ep->log(), identity, [&] { (*handler)(identity, std::move(*message)); });
    });
}

Result<std::unique_ptr<BusRouter>> BusRouter::open(boost::asio::io_context& io, zmq::context_t& zmq_context,
                                                   const std::string& endpoint, Log& log) {
    try {
        return std::make_unique<BusRouter>(io, zmq_context, endpoint, log);
    } catch (const BusError& e) {
        return make_error(e.code(), e.what());
    }
}

BusRouter::~BusRouter() {
    for (auto& [identity, lane] : lanes_->attached) lane->close();
    lanes_->attached.clear();
    ep_->close();
}

void BusRouter::on_message(Handler handler) { *handler_ = std::move(handler); }

void BusRouter::reserve_lane(std::string identity) { lanes_->bound.insert(std::move(identity)); }

Result<void> BusRouter::attach_lane(std::string identity, int fd) {
    if (auto ok = detail::adopt_lane_fd(identity, fd); !ok) return ok;
    if (auto it = lanes_->attached.find(identity); it != lanes_->attached.end()) {
        // The previous child's lane: what it sent before it went is read first (which may also
        // meet its end of file and detach it).
        auto old = it->second;
        old->read_pending();
        if (auto again = lanes_->attached.find(identity); again != lanes_->attached.end() && again->second == old) {
            diag_->log().info("bus: lane of {} closed (a new one replaces it)", printable(identity));
            old->close();
            lanes_->attached.erase(again);
        }
    }
    auto lane = std::make_shared<detail::LaneEndpoint>(io_, fd, identity, diag_);
    lanes_->attached.emplace(identity, lane);
    lanes_->bound.insert(identity);
    std::weak_ptr<detail::LaneSet> weak = lanes_;
    lane->start(
        [diag = diag_, handler = handler_, identity](Message message) {
            ++diag->counters().received;
            if (*handler) run_user_handler(diag->log(), identity, [&] { (*handler)(identity, std::move(message)); });
        },
        [diag = diag_, weak, raw = lane.get(), identity] {
            diag->log().info("bus: lane of {} closed", printable(identity));
            auto set = weak.lock();
            if (!set) return;
            if (auto it = set->attached.find(identity); it != set->attached.end() && it->second.get() == raw)
                set->attached.erase(it);
        });
    return {};
}

bool BusRouter::send(std::string_view identity, const Message& message) {
    auto payload = encode_for_bus(message);
    if (!payload) return diag_->fail("too_big", identity, payload.error().message);
    if (auto it = lanes_->attached.find(identity); it != lanes_->attached.end()) return it->second->send(*payload);
    if (lanes_->bound.count(identity) != 0) return diag_->fail("unknown_peer", identity, "its lane is closed");
    return ep_->send({identity, *payload}, identity);
}

const BusCounters& BusRouter::counters() const { return diag_->counters(); }

bool BusRouter::read_pending() {
    if (ep_->draining()) return false;
    std::vector<std::shared_ptr<detail::LaneEndpoint>> lanes;
    for (const auto& [identity, lane] : lanes_->attached) {
        if (lane->draining()) return false;
        lanes.push_back(lane);
    }
    // A handler may attach or detach lanes meanwhile: we hold our own references.
    for (const auto& lane : lanes) lane->read_pending();
    return ep_->read_pending();
}

// ---- BusClient ------------------------------------------------------------------------------

namespace {

// The client's handler, the same on zmq and on a lane.
auto client_delivery(const std::shared_ptr<detail::BusDiag>& diag, const std::shared_ptr<BusClient::Handler>& handler) {
    return [diag, handler](Message message) {
        ++diag->counters().received;
        if (*handler) run_user_handler(diag->log(), "master", [&] { (*handler)(std::move(message)); });
    };
}

}  // namespace

BusClient::BusClient(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint,
                     std::string name, Log& log)
    : name_(std::move(name)),
      handler_(std::make_shared<Handler>()),
      closed_handler_(std::make_shared<std::function<void()>>()),
      diag_(std::make_shared<detail::BusDiag>(log)),
      ep_(std::make_shared<detail::ZmqEndpoint>(io, zmq_context, zmq::socket_type::dealer, diag_)) {
    if (name_.empty() || name_[0] == '\0') throw BusError("bad_name", "a bus client needs a name");
    ep_->open(endpoint, /*bind=*/false, name_, /*router_mandatory=*/false);
    ep_->start([ep = ep_.get(), deliver = client_delivery(diag_, handler_)](std::vector<zmq::message_t>& frames,
                                                                            bool overflow) {
        if (overflow || frames.size() != 1) {
            ep->drop("bad_frames", "master",
                     fmt::format("expected 1 frame, got {}", overflow ? ">4" : std::to_string(frames.size())));
            return;
        }
        auto message = decode(as_view(frames[0]));
        if (!message) {
            ep->drop(message.error().code, "master", message.error().message);
            return;
        }
        deliver(std::move(*message));
    });
}

BusClient::BusClient(boost::asio::io_context& io, int lane_fd, std::string name, Log& log)
    : name_(std::move(name)),
      handler_(std::make_shared<Handler>()),
      closed_handler_(std::make_shared<std::function<void()>>()),
      diag_(std::make_shared<detail::BusDiag>(log)) {
    if (auto ok = detail::adopt_lane_fd(name_, lane_fd); !ok) throw BusError(ok.error().code, ok.error().message);
    lane_ = std::make_shared<detail::LaneEndpoint>(io, lane_fd, "master", diag_);
    lane_->start(client_delivery(diag_, handler_), [closed = closed_handler_] {
        if (*closed) (*closed)();
    });
}

Result<std::unique_ptr<BusClient>> BusClient::open(boost::asio::io_context& io, zmq::context_t& zmq_context,
                                                   const std::string& endpoint, std::string name, Log& log) {
    try {
        return std::make_unique<BusClient>(io, zmq_context, endpoint, std::move(name), log);
    } catch (const BusError& e) {
        return make_error(e.code(), e.what());
    }
}

Result<std::unique_ptr<BusClient>> BusClient::open_lane(boost::asio::io_context& io, int lane_fd, std::string name,
                                                        Log& log) {
    try {
        return std::make_unique<BusClient>(io, lane_fd, std::move(name), log);
    } catch (const BusError& e) {
        return make_error(e.code(), e.what());
    }
}

BusClient::~BusClient() {
    if (lane_) lane_->close();
    if (ep_) ep_->close();
}

void BusClient::on_message(Handler handler) { *handler_ = std::move(handler); }

void BusClient::on_closed(std::function<void()> handler) { *closed_handler_ = std::move(handler); }

bool BusClient::send(const Message& message) {
    auto payload = encode_for_bus(message);
    if (!payload) return diag_->fail("too_big", "master", payload.error().message);
    if (lane_) return lane_->send(*payload);
    return ep_->send({*payload}, "master");
}

const BusCounters& BusClient::counters() const { return diag_->counters(); }

bool BusClient::read_pending() { return lane_ ? lane_->read_pending() : ep_->read_pending(); }

// ---- ControlServer --------------------------------------------------------------------------

namespace {

Message error_reply(std::string_view reason, std::string_view text) {
    return bus::ControlError{std::string(reason), std::string(text)}.encode();
}

}  // namespace

ControlServer::ControlServer(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint,
                             Log& log, Handler handler)
    : ep_(std::make_shared<detail::ZmqEndpoint>(io, zmq_context, zmq::socket_type::router,
                                                std::make_shared<detail::BusDiag>(log))) {
    ep_->open(endpoint, /*bind=*/true, {}, /*router_mandatory=*/false);
    ep_->start([ep = ep_.get(), handler = std::move(handler)](std::vector<zmq::message_t>& frames, bool overflow) {
        // [id, payload] from a DEALER, [id, "", payload] from a REQ.
        std::string_view identity = frames.empty() ? std::string_view{} : as_view(frames[0]);
        const bool req_envelope = frames.size() == 3 && frames[1].size() == 0;
        if (overflow || !(frames.size() == 2 || req_envelope)) {
            ep->drop("bad_frames", identity, fmt::format("control request with {} frames", frames.size()));
            return;
        }
        Message reply;
        auto request = decode(as_view(frames.back()));
        if (!request) {
            ep->drop(request.error().code, "control client", request.error().message);
            reply = error_reply(request.error().code, request.error().message);
        } else {
            ++ep->counters().received;
            try {
                reply = handler(*request);
            } catch (const std::exception& e) {
                ep->log().error("control: request t={} cmd={} failed: {}", request->type(),
                                request->get_or("cmd", ""), e.what());
                reply = error_reply("internal", e.what());
            }
        }
        auto payload = encode_for_bus(reply);
        if (!payload) payload = encode_netstring(error_reply("too_big", payload.error().message));
        if (req_envelope) ep->send({identity, std::string_view{}, *payload}, "control client");
        else ep->send({identity, *payload}, "control client");
    });
}

ControlServer::~ControlServer() { ep_->close(); }

const BusCounters& ControlServer::counters() const { return ep_->counters(); }

// ---- control_request ------------------------------------------------------------------------

namespace {

// Is anything accepting on the unix socket at `path`? Tells "not running" from "slow" at once,
// where a zmq connect would retry quietly until the timeout.
Result<void> probe_unix_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return make_error("zmq", fmt::format("socket(): {}", std::strerror(errno)));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int err = errno;
    ::close(fd);
    if (rc == 0) return {};
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
        return make_error("not_running", fmt::format("hamaster is not running (nothing listens on {}: {})", path,
                                                     std::strerror(err)));
    if (err == EACCES || err == EPERM)
        return make_error("no_access", fmt::format("cannot reach {}: {}", path, std::strerror(err)));
    return make_error("not_running", fmt::format("cannot reach {}: {}", path, std::strerror(err)));
}

}  // namespace

Result<Message> control_request(const std::string& run_dir, const Message& request,
                                std::chrono::milliseconds timeout) {
    const std::string endpoint = control_endpoint(run_dir);
    if (auto ok = check_ipc_endpoint(endpoint); !ok) return ok.error();
    if (auto ok = probe_unix_socket(endpoint.substr(kIpcScheme.size())); !ok) return ok.error();
    auto payload = encode_for_bus(request);
    if (!payload) return payload.error();
    try {
        zmq::context_t ctx(1);
        zmq::socket_t socket(ctx, zmq::socket_type::req);
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxMessageBytes));
        socket.connect(endpoint);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        if (!socket.send(zmq::buffer(*payload), zmq::send_flags::dontwait))
            return make_error("timeout", fmt::format("no answer from {}: cannot queue the request", endpoint));
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) left = std::chrono::milliseconds(0);
            std::array<zmq::pollitem_t, 1> items{{{socket.handle(), 0, ZMQ_POLLIN, 0}}};
            zmq::poll(items.data(), items.size(), left);
            if ((items[0].revents & ZMQ_POLLIN) != 0) break;
            if (left.count() == 0)
                return make_error("timeout", fmt::format("no answer from {} within {} ms", endpoint, timeout.count()));
        }
        zmq::message_t reply;
        if (!socket.recv(reply, zmq::recv_flags::dontwait))
            return make_error("timeout", fmt::format("no answer from {}", endpoint));
        if (reply.more()) return make_error("bad_reply", fmt::format("reply from {} has more than one frame", endpoint));
        auto message = decode(as_view(reply));
        if (!message)
            return make_error("bad_reply", fmt::format("reply from {} does not decode: {}", endpoint, message.error().message));
        return std::move(*message);
    } catch (const zmq::error_t& e) {
        return make_error("zmq", fmt::format("control request to {} failed: {}", endpoint, e.what()));
    }
}

}  // namespace ha::ipc
