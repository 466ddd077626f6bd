#include "ipc/media/media_counters.hpp"

#include <numeric>

#include "ipc/bus/media.hpp"

namespace ha::media {

std::uint64_t LinkStats::total_drops() const {
    return std::accumulate(drops.begin(), drops.end(), std::uint64_t{0});
}

LinkStats& MediaCounters::link(std::string_view name) {
    for (auto& l : links_) {
        if (l.link == name) return l;
    }
    links_.push_back(LinkStats{});
    links_.back().link = std::string(name);
    return links_.back();
}

const LinkStats* MediaCounters::find(std::string_view name) const {
    for (const auto& l : links_) {
        if (l.link == name) return &l;
    }
    return nullptr;
}

std::uint64_t MediaCounters::drops(DropReason reason) const {
    std::uint64_t sum = 0;
    for (const auto& l : links_) sum += l.drop(reason);
    return sum;
}

std::vector<ipc::Message> MediaCounters::stats_messages() const {
    std::vector<ipc::Message> out;
    out.reserve(links_.size());
    for (const auto& l : links_) {
        ipc::bus::MediaStats stats{l.link, l.rx, l.forwarded, l.tx, l.tx_errors, {}, std::nullopt, {}};
        for (std::size_t i = 0; i < kDropReasonCount; ++i) stats.drops.emplace_back(kDropReasonNames[i], l.drops[i]);
        out.push_back(stats.encode());
    }
    return out;
}

}  // namespace ha::media
