#include "ipc/media/stdio_bus.hpp"

#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <cerrno>

#include "ipc/codec.hpp"

namespace ha::media {

StdioBus::StdioBus(boost::asio::io_context& io, ipc::Log& log) : in_(io, ::dup(STDIN_FILENO)), log_(log) {}

void StdioBus::start(Handler on_message, std::function<void()> on_eof) {
    on_message_ = std::move(on_message);
    on_eof_ = std::move(on_eof);
    read();
}

void StdioBus::read() {
    in_.async_read_some(boost::asio::buffer(chunk_), [this](const boost::system::error_code& ec, std::size_t n) {
        if (ec) {
            if (on_eof_) on_eof_();
            return;
        }
        pending_.append(chunk_.data(), n);
        split_frames();
        if (pending_.size() > 2 * ipc::kMaxMessageBytes) {
            log_.error("stdio bus: {} bytes without a complete frame; discarded", pending_.size());
            pending_.clear();
        }
        read();
    });
}

void StdioBus::split_frames() {
    static constexpr std::string_view kEnd = "<<<\n";
    std::size_t end;
    while ((end = pending_.find(kEnd)) != std::string::npos) {
        const std::string frame = pending_.substr(0, end + kEnd.size());
        pending_.erase(0, end + kEnd.size());
        const std::size_t start = frame.find(">>>");
        if (start == std::string::npos) {
            log_.error("stdio bus: frame without >>>; skipped");
            continue;
        }
        auto m = ipc::decode(std::string_view(frame).substr(start));
        if (!m) {
            log_.error("stdio bus: bad frame: {}", m.error().message);
            continue;
        }
        on_message_(std::move(m.value()));
    }
}

void StdioBus::send(const ipc::Message& message) {
    const std::string text = ipc::encode_classic(message);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // reader went away; the daemon stops at EOF on stdin
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace ha::media
