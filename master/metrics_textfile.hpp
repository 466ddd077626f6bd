// MetricsTextfile — writes the metrics (master/prometheus_metrics.hpp) every metrics_interval into
// <metrics_textfile_dir>/hamaster.prom for node_exporter's textfile collector (ha.cf
// `metrics_textfile_dir DIR`, `metrics_interval 15s`).
//
// The shell of the master owns one when the directive is set: start() writes at once and then
// every interval; stop() ends the timer (the file stays: node_exporter's node_textfile_mtime_seconds
// tells how old it is). Each write goes to a temporary `.hamaster.prom.tmp.PID` (ignored by the
// collector, which reads only `*.prom`) renamed over the file, so a scrape never sees half of it.
// The text comes from a callback (the master's current ClusterView, rendered).
//
// Time and blocking: a steady_timer on the master's loop; each tick writes a few kilobytes to a
// local file without fsync (write_file_atomically, not durable), so it does not wait for the disk.
// Diagnostics: info `Writing metrics to PATH every N ms` at start; WARN `Cannot write metrics to
// PATH: REASON` once when writing starts failing, info `Metrics written to PATH again` when it
// recovers (never a line per tick).
// See also: ipc/atomic_file.hpp, docs/metrics.md.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "ipc/log.hpp"

namespace ha::master {

class MetricsTextfile {
public:
    static constexpr const char* kFileName = "hamaster.prom";

    MetricsTextfile(boost::asio::io_context& io, ipc::Log& log, const std::string& dir, std::chrono::milliseconds interval,
                    std::function<std::string()> render);
    void start();
    void stop();
    // Writes the file now; false (and the WARN, once) when it could not.
    bool write_now();
    const std::string& path() const { return path_; }

private:
    void arm();

    ipc::Log& log_;
    std::string path_;
    std::chrono::milliseconds interval_;
    std::function<std::string()> render_;
    boost::asio::steady_timer timer_;
    bool failing_ = false;
};

}  // namespace ha::master
