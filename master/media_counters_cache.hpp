// MediaCountersCache — the master's copy of the media daemons' counters, read from their counters
// segments (ipc/counters_segment.hpp) when the master needs them (ClusterShell::view()).
//
// One segment per media child, `<run-dir>/<child>.counters` (the child's name is its program).
// refresh() reads each one once, without blocking: a consistent copy replaces the last one; a
// writer mid-publish on every try ("busy") keeps the last good copy; no segment, one still being
// set up, a dead writer, or a writer that is not the child's current process (`pid_of`, the
// supervisor's pid; 0 = not running) gives no counters for that child's links, as before its
// first copy. A child restarted under a new pid is re-opened (its new file replaced the old one).
//
// Time and blocking: never blocks or sleeps; an open() per refresh while a segment is missing.
// Diagnostics: WARN `counters segment <path>: <why>` once per new error other than a missing,
// starting or stale segment (a layout mismatch: a media daemon of another build), info once it
// reads again.
// See also: ipc/counters_segment.hpp, master/cluster_shell.hpp.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ipc/bus/media.hpp"
#include "ipc/counters_segment.hpp"
#include "ipc/log.hpp"

namespace ha::master {

class MediaCountersCache {
public:
    using PidOf = std::function<int(const std::string& child)>;

    // `log` must outlive the cache. Without start() it reads nothing.
    explicit MediaCountersCache(ipc::Log& log) : log_(log) {}

    // Reads `children`'s segments in `run_dir`; `pid_of` (optional) names each child's current pid.
    void start(const std::string& run_dir, const std::vector<std::string>& children, PidOf pid_of);

    // Every media link's counters now (link → counters), the last good copy where a read was busy.
    std::map<std::string, ipc::bus::MediaStats> refresh();

private:
    struct Child {
        std::string name;
        std::string path;
        std::optional<ipc::CountersReader> reader;
        std::vector<ipc::bus::MediaStats> last;
        std::string warned;  // the error last logged
    };
    void refresh(Child& child);
    void forget(Child& child, const std::optional<Error>& why);

    ipc::Log& log_;
    std::vector<Child> children_;
    PidOf pid_of_;
};

}  // namespace ha::master
