// StatusTable — see status_table.hpp.
#include "ipc/status_table.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace ha::ipc {

using namespace status_layout;

namespace {

// How long read() waits for the writer to finish a publish. Counted in time, not in tries: a
// writer preempted between its two counter stores (a loaded host, a master not scheduled for tens
// of milliseconds) keeps the counter odd however many times a reader looks; a bound in tries ran
// out in a few milliseconds of yields and made cl_status fail with "busy" (the CI flake of
// StatusTable.ReaderNeverSeesATornSnapshotWhileTheWriterPublishes). A dead writer is caught
// separately (pid check), so this bound only applies to a live writer that never finishes.
constexpr std::chrono::milliseconds kReadPatience{3000};
constexpr int kSpinTries = 64;  // then yield, then sleep: let a preempted writer have the CPU
constexpr char kReaderGroup[] = "haclient";

template <std::size_t N>
Result<void> put(char (&dst)[N], std::string_view src, std::string_view what) {
    if (src.size() >= N)
        return make_error("too_big", fmt::format("status table: {} \"{}\" is {} bytes; at most {} fit", what,
                                                 src.substr(0, 80), src.size(), N - 1));
    std::memcpy(dst, src.data(), src.size());
    std::memset(dst + src.size(), 0, N - src.size());
    return {};
}

template <std::size_t N>
std::string get(const char (&src)[N]) {
    return std::string(src, ::strnlen(src, N));
}

}  // namespace

std::string_view rsc_hold_word(RscHold hold) {
    switch (hold) {
        case RscHold::none: return "none";
        case RscHold::local: return "local";
        case RscHold::foreign: return "foreign";
        case RscHold::all: return "all";
        case RscHold::transition: return "transition";
    }
    return "none";
}

std::optional<RscHold> rsc_hold_from_word(std::string_view word) {
    for (auto h : {RscHold::none, RscHold::local, RscHold::foreign, RscHold::all, RscHold::transition})
        if (rsc_hold_word(h) == word) return h;
    return std::nullopt;
}

std::string_view node_type_word(StatusNodeType type) { return type == StatusNodeType::ping ? "ping" : "normal"; }

// ---- conversion -----------------------------------------------------------------------------

Result<void> encode_status(const StatusSnapshot& s, Payload& out) {
    std::memset(static_cast<void*>(&out), 0, sizeof out);
    auto too_many = [](std::string_view what, std::size_t n, std::size_t max) {
        return make_error("too_big", fmt::format("status table: {} {}; at most {} fit", n, what, max));
    };
    if (s.nodes.size() > kMaxNodes) return too_many("nodes", s.nodes.size(), kMaxNodes);
    if (s.links.size() > kMaxLinks) return too_many("links", s.links.size(), kMaxLinks);
    if (s.groups.size() > kMaxGroups) return too_many("resource groups", s.groups.size(), kMaxGroups);
    if (s.parameters.size() > kMaxParams) return too_many("parameters", s.parameters.size(), kMaxParams);

    out.generation = s.generation;
    out.publish_count = s.publish_count;
    out.published_wall_ms = s.published_wall_ms;
    if (auto r = put(out.local_node, s.local_node, "local node"); !r) return r;
    if (auto r = put(out.local_status, s.local_status, "local status"); !r) return r;
    if (auto r = put(out.local_uuid, s.local_uuid, "local uuid"); !r) return r;
    out.rsc_hold = static_cast<std::uint8_t>(s.rsc_hold);
    out.node_count = static_cast<std::uint32_t>(s.nodes.size());
    out.link_count = static_cast<std::uint32_t>(s.links.size());
    out.group_count = static_cast<std::uint32_t>(s.groups.size());
    out.param_count = static_cast<std::uint32_t>(s.parameters.size());

    for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        const auto& n = s.nodes[i];
        Node& o = out.nodes[i];
        if (auto r = put(o.name, n.name, fmt::format("nodes[{}].name", i)); !r) return r;
        if (auto r = put(o.status, n.status, fmt::format("node {} status", n.name)); !r) return r;
        o.type = static_cast<std::uint8_t>(n.type);
        o.last_heard_wall_ms = n.last_heard_wall_ms;
        o.generation = n.generation;
    }
    for (std::size_t i = 0; i < s.links.size(); ++i) {
        const auto& l = s.links[i];
        Link& o = out.links[i];
        if (auto r = put(o.node, l.node, fmt::format("links[{}].node", i)); !r) return r;
        if (auto r = put(o.link, l.link, fmt::format("link {} name", l.node)); !r) return r;
        if (l.dropped.size() > kMaxDropReasons)
            return too_many(fmt::format("drop reasons on link {}:{}", l.node, l.link), l.dropped.size(), kMaxDropReasons);
        o.up = l.up ? 1 : 0;
        o.has_age = l.age_ms.has_value() ? 1 : 0;
        o.age_ms = l.age_ms.value_or(0);
        o.rx = l.rx;
        o.tx = l.tx;
        o.late = l.late;
        o.drop_count = static_cast<std::uint32_t>(l.dropped.size());
        for (std::size_t d = 0; d < l.dropped.size(); ++d) {
            if (auto r = put(o.dropped[d].reason, l.dropped[d].first, fmt::format("link {}:{} drop reason", l.node, l.link)); !r)
                return r;
            o.dropped[d].count = l.dropped[d].second;
        }
    }
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
        if (auto r = put(out.groups[i].name, s.groups[i].name, fmt::format("groups[{}].name", i)); !r) return r;
        if (auto r = put(out.groups[i].owner, s.groups[i].owner, fmt::format("group {} owner", s.groups[i].name)); !r)
            return r;
    }
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        const auto& [name, value] = s.parameters[i];
        if (auto r = put(out.params[i].name, name, "parameter name"); !r) return r;
        if (auto r = put(out.params[i].value, value, fmt::format("parameter {} value", name)); !r) return r;
    }
    return {};
}

Result<StatusSnapshot> decode_status(const Payload& in) {
    if (in.node_count > kMaxNodes || in.link_count > kMaxLinks || in.group_count > kMaxGroups ||
        in.param_count > kMaxParams || in.rsc_hold > static_cast<std::uint8_t>(RscHold::transition))
        return make_error("bad_layout", "status table: a count or code is out of range");
    StatusSnapshot s;
    s.generation = in.generation;
    s.publish_count = in.publish_count;
    s.published_wall_ms = in.published_wall_ms;
    s.local_node = get(in.local_node);
    s.local_status = get(in.local_status);
    s.local_uuid = get(in.local_uuid);
    s.rsc_hold = static_cast<RscHold>(in.rsc_hold);
    for (std::size_t i = 0; i < in.node_count; ++i) {
        const Node& n = in.nodes[i];
        s.nodes.push_back(StatusNode{get(n.name), n.type == 1 ? StatusNodeType::ping : StatusNodeType::normal,
                                     get(n.status), n.last_heard_wall_ms, n.generation});
    }
    for (std::size_t i = 0; i < in.link_count; ++i) {
        const Link& l = in.links[i];
        if (l.drop_count > kMaxDropReasons) return make_error("bad_layout", "status table: drop count out of range");
        StatusLink o{get(l.node), get(l.link), l.up != 0, l.rx, l.tx, l.late, {}, std::nullopt};
        if (l.has_age) o.age_ms = l.age_ms;
        for (std::size_t d = 0; d < l.drop_count; ++d) o.dropped.emplace_back(get(l.dropped[d].reason), l.dropped[d].count);
        s.links.push_back(std::move(o));
    }
    for (std::size_t i = 0; i < in.group_count; ++i) s.groups.push_back({get(in.groups[i].name), get(in.groups[i].owner)});
    for (std::size_t i = 0; i < in.param_count; ++i) s.parameters.emplace_back(get(in.params[i].name), get(in.params[i].value));
    return s;
}

std::string status_table_path(const std::string& run_dir) { return run_dir_file(run_dir, kStatusTableFile); }

// ---- writer ---------------------------------------------------------------------------------

namespace {

const SegmentKind kStatusKind{"status table", "hamaster", kMagic, kVersion, sizeof(Payload), kReaderGroup};

}  // namespace

struct StatusTableWriter::State {
    MappedSegment map;
    Segment* segment = nullptr;
    std::unique_ptr<Payload> scratch = std::make_unique<Payload>();
    std::uint64_t publish_count = 0;
    Log* log = nullptr;
    std::optional<Error> last_error;
};

StatusTableWriter::StatusTableWriter(std::unique_ptr<State> state, std::string name)
    : state_(std::move(state)), name_(std::move(name)) {}

StatusTableWriter::StatusTableWriter(StatusTableWriter&& other) noexcept = default;
StatusTableWriter& StatusTableWriter::operator=(StatusTableWriter&& other) noexcept = default;
StatusTableWriter::~StatusTableWriter() = default;  // the mapping unlinks the file

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir) {
    return create(run_dir, process_log());
}

Result<StatusTableWriter> StatusTableWriter::create(const std::string& run_dir, Log& log) {
    const std::string path = status_table_path(run_dir);
    auto map = create_segment(path, kStatusKind, log);
    if (!map) return map.error();
    auto state = std::make_unique<State>();
    state->map = std::move(*map);
    state->segment = static_cast<Segment*>(static_cast<void*>(&state->map.header()));
    state->map.ready(kMagic);  // the segment is ready (an all-zero payload)
    state->log = &log;
    return StatusTableWriter(std::move(state), path);
}

const std::optional<Error>& StatusTableWriter::last_error() const { return state_->last_error; }

bool StatusTableWriter::publish(const StatusSnapshot& snapshot) {
    Payload& scratch = *state_->scratch;
    StatusSnapshot stamped = snapshot;
    stamped.publish_count = state_->publish_count + 1;
    stamped.published_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto r = encode_status(stamped, scratch); !r) {
        // Log the transition, not every publish (docs/conventions.md §4).
        if (!state_->last_error || state_->last_error->message != r.error().message)
            state_->log->error("Status table not updated: {}", r.error().message);
        state_->last_error = r.error();
        return false;
    }
    if (state_->last_error) {
        state_->log->info("Status table updated again.");
        state_->last_error.reset();
    }
    ++state_->publish_count;

    Segment& seg = *state_->segment;
    seqlock_store(seg.header, &seg.payload, &scratch, sizeof(Payload));
    return true;
}

// ---- reader ---------------------------------------------------------------------------------

struct StatusTableReader::State {
    std::string name;
    MappedSegment map;
    const Segment* segment = nullptr;
};

StatusTableReader::StatusTableReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
StatusTableReader::StatusTableReader(StatusTableReader&& other) noexcept = default;
StatusTableReader& StatusTableReader::operator=(StatusTableReader&& other) noexcept = default;
StatusTableReader::~StatusTableReader() = default;

Result<StatusTableReader> StatusTableReader::open(const std::string& run_dir) {
    auto state = std::make_unique<State>();
    state->name = status_table_path(run_dir);
    auto map = open_segment(state->name, kStatusKind);
    if (!map) return map.error();
    state->map = std::move(*map);
    state->segment = static_cast<const Segment*>(static_cast<const void*>(&state->map.header()));
    return StatusTableReader(std::move(state));
}

Result<StatusSnapshot> StatusTableReader::read() const {
    const Segment& seg = *state_->segment;
    const int pid = seg.header.writer_pid;
    auto stale = [&] {
        return make_error("stale", fmt::format("status table {}: its writer (pid {}) is dead", state_->name, pid));
    };
    if (!pid_alive(pid)) return stale();
    auto copy = std::make_unique<Payload>();
    const auto deadline = std::chrono::steady_clock::now() + kReadPatience;
    auto pause = std::chrono::microseconds(50);
    for (int attempt = 0;; ++attempt) {
        if (seqlock_try_load(seg.header, copy.get(), &seg.payload, sizeof(Payload))) {
            auto snapshot = decode_status(*copy);
            if (snapshot) snapshot->writer_pid = pid;
            return snapshot;
        }
        if (attempt < kSpinTries) continue;
        if (attempt < 2 * kSpinTries) {
            std::this_thread::yield();
            continue;
        }
        // The writer is not running (preempted mid-publish, or gone): sleep so it gets the CPU,
        // backing off to 1 ms; a writer that died with the counter odd is stale, not busy.
        if (std::chrono::steady_clock::now() >= deadline) break;
        if (!pid_alive(pid)) return stale();
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
    return make_error("busy", fmt::format("status table {}: no consistent copy within {} ms (writer pid {} busy)",
                                          state_->name, kReadPatience.count(), pid));
}

}  // namespace ha::ipc
