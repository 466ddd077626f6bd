#include "master/recent_events.hpp"

#include <chrono>
#include <ctime>

namespace ha::master {

RecentEvents::RecentEvents(std::unique_ptr<ipc::Log> inner, std::size_t keep) : inner_(std::move(inner)), keep_(keep) {}

void RecentEvents::write(ipc::LogLevel level, std::string_view text) {
    inner_->write(level, text);
    if (level < ipc::LogLevel::info || keep_ == 0) return;
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%b %d %H:%M:%S", &tm);
    if (events_.size() == keep_) events_.pop_front();
    events_.push_back(EventView{stamp, std::string(ipc::level_word(level)), std::string(text)});
}

}  // namespace ha::master
