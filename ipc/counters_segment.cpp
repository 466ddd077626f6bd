// CountersSegment — see counters_segment.hpp.
#include "ipc/counters_segment.hpp"

#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "ipc/media/drop_reason.hpp"

namespace ha::ipc {

using namespace counters_layout;

namespace {

constexpr std::size_t kSerialCount = std::size(bus::kSerialCounters);
static_assert(media::kDropReasonCount <= kMaxDrops, "more drop reasons than a slot holds: grow kMaxDrops, bump kVersion");
static_assert(kSerialCount <= kMaxSerial, "more serial counters than a slot holds: grow kMaxSerial, bump kVersion");

const SegmentKind kCountersKind{"counters segment", "media daemon", kMagic, kVersion, sizeof(Payload)};

struct Segment {
    SegmentHeader header;
    Payload payload;
};

}  // namespace

std::string counters_segment_path(const std::string& run_dir, std::string_view program) {
    return run_dir_file(run_dir, std::string(program) + kCountersSuffix);
}

// ---- writer ---------------------------------------------------------------------------------

struct CountersWriter::State {
    MappedSegment map;
    Segment* segment = nullptr;
    std::size_t links = 0;
    std::array<Slot, kMaxLinks> scratch{};  // the names stay; the counters are overwritten
};

CountersWriter::CountersWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
CountersWriter::CountersWriter(CountersWriter&&) noexcept = default;
CountersWriter& CountersWriter::operator=(CountersWriter&&) noexcept = default;
CountersWriter::~CountersWriter() = default;

Result<CountersWriter> CountersWriter::create(const std::string& run_dir, std::string_view program,
                                              const std::vector<std::string>& links, Log& log, bool sole_writer) {
    const std::string path = counters_segment_path(run_dir, program);
    if (links.size() > kMaxLinks)
        return make_error("too_big", fmt::format("counters segment {}: {} links; at most {} fit", path, links.size(), kMaxLinks));
    for (const auto& l : links)
        if (l.size() >= kLinkBytes)
            return make_error("too_big", fmt::format("counters segment {}: link name \"{}\" is {} bytes; at most {} fit", path,
                                                     l.substr(0, 80), l.size(), kLinkBytes - 1));
    SegmentKind kind = kCountersKind;
    kind.owner = program;
    kind.sole_writer = sole_writer;
    auto map = create_segment(path, kind, log);
    if (!map) return map.error();
    auto state = std::make_unique<State>();
    state->map = std::move(*map);
    state->segment = static_cast<Segment*>(static_cast<void*>(&state->map.header()));
    state->links = links.size();
    Payload& p = state->segment->payload;  // nobody reads before ready()
    p.link_count = static_cast<std::uint32_t>(links.size());
    p.drop_reasons = static_cast<std::uint32_t>(media::kDropReasonCount);
    p.serial_counters = static_cast<std::uint32_t>(kSerialCount);
    for (std::size_t i = 0; i < links.size(); ++i) {
        std::memcpy(state->scratch[i].link, links[i].data(), links[i].size());
        std::memcpy(p.slots[i].link, links[i].data(), links[i].size());
    }
    state->map.ready(kMagic);
    return CountersWriter(std::move(state));
}

void CountersWriter::publish(std::size_t index, const LinkCounters& c) {
    if (index >= state_->links) return;
    Slot& s = state_->scratch[index];
    s.rx = c.rx;
    s.forwarded = c.forwarded;
    s.tx = c.tx;
    s.tx_errors = c.tx_errors;
    std::copy(c.drops.begin(), c.drops.end(), s.drops);
    s.serial = c.serial ? 1 : 0;
    s.open = c.open ? 1 : 0;
    std::copy(c.serial_counters.begin(), c.serial_counters.end(), s.serial_counters);
    Segment& seg = *state_->segment;
    seqlock_store(seg.header, &seg.payload.slots[index], &s, sizeof(Slot));
}

std::size_t CountersWriter::links() const { return state_->links; }
const std::string& CountersWriter::path() const { return state_->map.path(); }

// ---- reader ---------------------------------------------------------------------------------

struct CountersReader::State {
    MappedSegment map;
    const Segment* segment = nullptr;
    std::size_t links = 0;
    std::unique_ptr<std::array<Slot, kMaxLinks>> copy = std::make_unique<std::array<Slot, kMaxLinks>>();
};

CountersReader::CountersReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
CountersReader::CountersReader(CountersReader&&) noexcept = default;
CountersReader& CountersReader::operator=(CountersReader&&) noexcept = default;
CountersReader::~CountersReader() = default;

Result<CountersReader> CountersReader::open(const std::string& path) {
    auto map = open_segment(path, kCountersKind);
    if (!map) return map.error();
    auto state = std::make_unique<State>();
    state->map = std::move(*map);
    state->segment = static_cast<const Segment*>(static_cast<const void*>(&state->map.header()));
    // Set before the magic and never changed after: plain reads are safe past open_segment's acquire.
    const Payload& p = state->segment->payload;
    if (p.link_count > kMaxLinks || p.drop_reasons != media::kDropReasonCount || p.serial_counters != kSerialCount)
        return make_error("bad_version", fmt::format("counters segment {}: {} links, {} drop reasons, {} serial counters; "
                                                     "we read at most {} links, {} and {}",
                                                     path, p.link_count, p.drop_reasons, p.serial_counters, kMaxLinks,
                                                     media::kDropReasonCount, kSerialCount));
    state->links = p.link_count;
    return CountersReader(std::move(state));
}

int CountersReader::writer_pid() const { return state_->segment->header.writer_pid; }

Result<std::vector<bus::MediaStats>> CountersReader::read(bool writer_known_alive) const {
    const Segment& seg = *state_->segment;
    const int pid = seg.header.writer_pid;
    if (!writer_known_alive && !pid_alive(pid))
        return make_error("stale", fmt::format("counters segment {}: its writer (pid {}) is dead", state_->map.path(), pid));
    auto& copy = *state_->copy;
    const std::size_t bytes = state_->links * sizeof(Slot);
    bool consistent = false;
    for (int i = 0; i < kReadTries && !consistent; ++i) consistent = seqlock_try_load(seg.header, copy.data(), seg.payload.slots, bytes);
    if (!consistent)
        return make_error("busy", fmt::format("counters segment {}: no consistent copy in {} tries (writer pid {} busy)",
                                              state_->map.path(), kReadTries, pid));
    std::vector<bus::MediaStats> out;
    out.reserve(state_->links);
    for (std::size_t i = 0; i < state_->links; ++i) {
        const Slot& s = copy[i];
        bus::MediaStats m;
        m.link.assign(s.link, ::strnlen(s.link, kLinkBytes));
        m.rx = s.rx;
        m.forwarded = s.forwarded;
        m.tx = s.tx;
        m.tx_errors = s.tx_errors;
        for (std::size_t d = 0; d < media::kDropReasonCount; ++d) m.drops.emplace_back(media::kDropReasonNames[d], s.drops[d]);
        if (s.serial != 0) {
            m.open = s.open != 0;
            for (std::size_t k = 0; k < kSerialCount; ++k) m.serial.emplace_back(bus::kSerialCounters[k], s.serial_counters[k]);
        }
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace ha::ipc
