// MediaFlush — see media_flush.hpp.
#include "master/media_flush.hpp"

#include "ipc/bus/supervision.hpp"

namespace ha::master {

void MediaFlush::start(const std::vector<std::string>& children, const Send& send, std::chrono::milliseconds limit,
                       std::function<void()> done) {
    if (active()) finish_now();
    seq_ = "f" + std::to_string(next_seq_++);
    done_ = std::move(done);
    waiting_.clear();
    const ipc::Message flush = ipc::bus::Flush{seq_}.encode();
    for (const auto& child : children)
        if (send(child, flush)) waiting_.insert(child);
    timer_.expires_after(limit);
    timer_.async_wait([this, limit](const boost::system::error_code& ec) {
        if (ec || !active()) return;
        for (const auto& child : waiting_)
            log_.warn("{} did not confirm that the last messages were sent within {} ms; stopping it anyway", child,
                      limit.count());
        waiting_.clear();
        maybe_done();
    });
    maybe_done();
}

void MediaFlush::on_flushed(const std::string& child, const ipc::Message& message) {
    on_flushed(child, message.get_or("seq", ""));
}

void MediaFlush::on_flushed(const std::string& child, std::string_view seq) {
    if (!active() || seq != seq_) return;
    if (waiting_.erase(child) > 0) log_.debug("Last messages sent by {}", child);
    maybe_done();
}

void MediaFlush::finish_now() {
    waiting_.clear();
    maybe_done();
}

void MediaFlush::maybe_done() {
    if (!waiting_.empty() || !done_) return;
    timer_.cancel();
    auto done = std::move(done_);
    done_ = nullptr;
    done();
}

}  // namespace ha::master
