// RecentEvents — the master's process log, remembering its last few state changes for `status`.
//
// Wraps the master's FileLog: every line goes on to it unchanged, and the last `keep` lines at info
// and above (the master logs transitions at those levels, docs/conventions.md §4) are kept with their wall
// time, so `hamaster status` and `--watch` show what changed last without reading a log file.
//
// Time and blocking: reads the wall clock for the stamp; the inner log never blocks (log_writer.hpp).
// Diagnostics: none of its own.
// See also: master/cluster_view.hpp (EventView), master/control_service.cpp.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "ipc/log.hpp"
#include "master/cluster_view.hpp"

namespace ha::master {

class RecentEvents final : public ipc::Log {
public:
    static constexpr std::size_t kKeep = 8;
    explicit RecentEvents(std::unique_ptr<ipc::Log> inner, std::size_t keep = kKeep);
    void write(ipc::LogLevel level, std::string_view text) override;
    bool debug_enabled() const override { return inner_->debug_enabled(); }
    void reopen() override { inner_->reopen(); }
    std::vector<EventView> events() const { return {events_.begin(), events_.end()}; }

private:
    std::unique_ptr<ipc::Log> inner_;
    std::size_t keep_;
    std::deque<EventView> events_;
};

}  // namespace ha::master
