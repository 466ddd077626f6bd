#include "ipc/media/media_counters.hpp"

#include <numeric>

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
        ipc::Message m;
        m.add("t", "_stats");
        m.add("link", l.link);
        m.add("rx", std::to_string(l.rx));
        m.add("forwarded", std::to_string(l.forwarded));
        m.add("tx", std::to_string(l.tx));
        m.add("tx_errors", std::to_string(l.tx_errors));
        for (std::size_t i = 0; i < kDropReasonCount; ++i) {
            m.add(std::string("drop_").append(kDropReasonNames[i]), std::to_string(l.drops[i]));
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ha::media
