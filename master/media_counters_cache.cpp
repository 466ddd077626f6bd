// MediaCountersCache — see media_counters_cache.hpp.
#include "master/media_counters_cache.hpp"

namespace ha::master {

void MediaCountersCache::start(const std::string& run_dir, const std::vector<std::string>& children, PidOf pid_of) {
    children_.clear();
    for (const auto& c : children) children_.push_back(Child{c, ipc::counters_segment_path(run_dir, c), std::nullopt, {}, {}});
    pid_of_ = std::move(pid_of);
}

std::map<std::string, ipc::bus::MediaStats> MediaCountersCache::refresh() {
    std::map<std::string, ipc::bus::MediaStats> out;
    for (auto& child : children_) {
        refresh(child);
        for (const auto& s : child.last) out.insert_or_assign(s.link, s);
    }
    return out;
}

void MediaCountersCache::forget(Child& child, const std::optional<Error>& why) {
    child.reader.reset();
    child.last.clear();
    if (!why) return;
    // Expected while a child starts, restarts or is not configured to run: not worth a line.
    if (why->code == "not_found" || why->code == "starting" || why->code == "stale") return;
    if (child.warned == why->message) return;
    child.warned = why->message;
    log_.warn("counters segment {}: {}", child.path, why->message);
}

void MediaCountersCache::refresh(Child& child) {
    const int expected = pid_of_ ? pid_of_(child.name) : -1;  // -1: anyone alive
    if (expected == 0) return forget(child, std::nullopt);     // not running
    if (child.reader && expected > 0 && child.reader->writer_pid() != expected) child.reader.reset();
    if (!child.reader) {
        auto opened = ipc::CountersReader::open(child.path);
        if (!opened) return forget(child, opened.error());
        // A file of an earlier incarnation, not yet replaced by the new child: no counters yet.
        if (expected > 0 && opened->writer_pid() != expected) return forget(child, std::nullopt);
        child.reader.emplace(std::move(*opened));
    }
    // `expected` is a child the supervisor has not reaped (and the segment names it, checked
    // above): its pid cannot have been reused, so no /proc probe is needed.
    auto read = child.reader->read(/*writer_known_alive=*/expected > 0);
    if (!read) {
        if (read.error().code == "busy") return;  // the last good copy stands
        return forget(child, read.error());
    }
    if (!child.warned.empty()) {
        log_.info("counters segment {} read again.", child.path);
        child.warned.clear();
    }
    child.last = std::move(*read);
}

}  // namespace ha::master
