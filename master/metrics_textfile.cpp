// MetricsTextfile — see metrics_textfile.hpp.
#include "master/metrics_textfile.hpp"

#include "ipc/atomic_file.hpp"

namespace ha::master {

MetricsTextfile::MetricsTextfile(boost::asio::io_context& io, ipc::Log& log, const std::string& dir,
                                 std::chrono::milliseconds interval, std::function<std::string()> render)
    : log_(log), path_(dir + "/" + kFileName), interval_(interval), render_(std::move(render)), timer_(io) {}

void MetricsTextfile::start() {
    log_.info("Writing metrics to {} every {} ms", path_, interval_.count());
    write_now();
    arm();
}

void MetricsTextfile::stop() { timer_.cancel(); }

bool MetricsTextfile::write_now() {
    auto written = ipc::write_file_atomically(path_, render_(), 0644, /*durable=*/false);
    if (!written) {
        if (!failing_) log_.warn("Cannot write metrics to {}: {}", path_, written.error().message);
        failing_ = true;
        return false;
    }
    if (failing_) log_.info("Metrics written to {} again", path_);
    failing_ = false;
    return true;
}

void MetricsTextfile::arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        write_now();
        arm();
    });
}

}  // namespace ha::master
