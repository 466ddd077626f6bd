#include "ipc/media/media_counters.hpp"

#include <algorithm>
#include <filesystem>
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

std::size_t MediaCounters::index_of(std::string_view name) const {
    std::size_t i = 0;
    while (i < links_.size() && links_[i].link != name) ++i;
    return i;
}

ipc::LinkCounters segment_counters(const LinkStats& stats) {
    ipc::LinkCounters c;
    c.rx = stats.rx;
    c.forwarded = stats.forwarded;
    c.tx = stats.tx;
    c.tx_errors = stats.tx_errors;
    std::copy(stats.drops.begin(), stats.drops.end(), c.drops.begin());
    return c;
}

std::optional<ipc::CountersWriter> open_counters_segment(const std::string& run_dir, std::string_view program,
                                                         const std::vector<std::string>& links, bool on_lane,
                                                         ipc::Log& log) {
    std::error_code ec;
    if (!on_lane && !std::filesystem::is_directory(run_dir, ec)) {
        log.info("no counters segment: run dir {} does not exist (started alone)", run_dir);
        return std::nullopt;
    }
    auto writer = ipc::CountersWriter::create(run_dir, program, links, log, /*sole_writer=*/on_lane);
    if (!writer) {
        log.warn("Link counters not published: {}; the media run on, and the master shows no sent or wire "
                 "drop counts for these links.", writer.error().message);
        return std::nullopt;
    }
    return std::optional<ipc::CountersWriter>(std::move(*writer));
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
